"""Time a cold ``l10n check`` (``--no-cache``: no records) on a generated, translated site.

    python benchmarks/check_cold.py SITE [--reps 3] [--code DIR ...]

SITE is a corpus from ``corpus.py`` after ``l10n translate --engine pseudo``. For each
``--code`` directory (a checkout of l10n, put first on ``PYTHONPATH``; default: this one)
the script runs, in alternating rounds so that a drift in the machine's speed touches each
alike: the check on every core (wall time and the CPU time of the whole process tree,
milliseconds per article, median of the rounds), and the check in one process
(``L10N_JOBS=1``: CPU time per article, median). CPU time is what to compare on a machine
others share: their load stretches the wall time, much less the CPU time.

Each checkout's bytecode is compiled first, into a cache of the site's
(``PYTHONPYCACHEPREFIX``, nothing is written into the checkouts), as pip does for an
installed package: otherwise every run would compile l10n's modules again.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def environment(site: Path, code: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(code), L10N_CACHE_DIR=str(site / ".bench-cache"),
                PYTHONPYCACHEPREFIX=str(site / ".bench-pycache"))


def compile_code(site: Path, code: Path) -> None:
    """Bytecode for the checkout's package, in the site's bytecode cache."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "l10n")],
                   env=environment(site, code), check=True, stdout=subprocess.DEVNULL)


def run(site: Path, code: Path, jobs: str | None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one cold check."""
    env = environment(site, code)
    env.pop("L10N_JOBS", None)
    if jobs:
        env["L10N_JOBS"] = jobs
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Run in the site: ``python -m`` puts the current folder first on the path, so a
    # checkout there would be timed whatever ``--code`` says.
    subprocess.run([sys.executable, "-m", "l10n", "--root", str(site), "-q", "check", "--no-cache"],
                   env=env, stdout=subprocess.DEVNULL, check=False, cwd=site)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--code", type=Path, nargs="+", default=[HERE.parent])
    parser.add_argument("--no-one-process", dest="one", action="store_false",
                        help="skip the runs in one process (CPU time comes from the runs on every core)")
    args = parser.parse_args()
    args.site, args.code = args.site.resolve(), [c.resolve() for c in args.code]
    n = sum(1 for _ in (args.site / "content" / "en").rglob("*.md"))
    walls: dict[Path, list[float]] = {c: [] for c in args.code}
    trees: dict[Path, list[float]] = {c: [] for c in args.code}
    cpus: dict[Path, list[float]] = {c: [] for c in args.code}
    for code in args.code:
        compile_code(args.site, code)
    for _ in range(args.reps):
        for code in args.code:
            wall, tree = run(args.site, code, None)
            walls[code].append(wall)
            trees[code].append(tree)
            if args.one:
                cpus[code].append(run(args.site, code, "1")[1])
    print(f"{n:,} articles, {os.cpu_count()} cores, median of {args.reps}, load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    for code in args.code:
        print(f"{code}: {1000 * statistics.median(walls[code]) / n:.2f} ms per article on every core "
              f"({', '.join(f'{w:.1f}' for w in walls[code])} s), "
              f"{1000 * statistics.median(trees[code]) / n:.2f} ms CPU per article in all its processes"
              + (f"; {1000 * statistics.median(cpus[code]) / n:.2f} ms CPU per article in one process"
                 if cpus[code] else ""))


if __name__ == "__main__":
    main()
