"""Time l10n and its peers on generated corpora; write one table as Markdown and JSON.

    python benchmarks/run.py [--sizes 1000 10000] [--reps 3] [--out benchmarks]

Every measurement runs as its own process (start-up included, as a user sees it), timed
with a wall clock; each time is the median of ``--reps`` runs. The runs go in rounds (ours,
then each peer's), so that a drift in the machine's speed touches every tool alike. Peak
memory comes from one more round, watched every 10 ms: the proportional set size (PSS) of
the whole process tree, so worker processes count and pages they share with their parent
count once. Timed runs are not
watched: reading /proc takes a core's time away from the command on a small machine.
Peers run through :mod:`peers`; the per-file CLI peers (mdpo's CLI, po4a) take 40 to 60 ms
per article and only run up to ``--cli-peers-max`` articles.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import peers  # noqa: E402

#: The site's configuration for the runs: front matter left as in the source, so that the
#: identity merge can be compared byte for byte with the source, as the peers' is.
CONFIG = """[tool.l10n]
target_langs = ["de"]
state_key = ""

[tool.l10n.front_matter]
set = {}
rewrite = {}
"""

PEER_MODES = {"mdpo": "mdpo (one process)", "mdpo-cli": "mdpo (CLI per file)",
              "translate-toolkit": "Translate Toolkit (directory mode)", "po4a": "po4a (per file)"}
CLI_PEERS = {"mdpo-cli", "po4a"}


@dataclass
class Measure:
    seconds: float
    peak_mb: float


def _pss(pid: int) -> int:
    """Proportional set size of a process: shared pages split among their users.

    Forked workers share most of their memory with their parent; summing plain resident
    sizes would count those pages once per process.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_memory(root: int) -> int:
    """Memory of a process and all its descendants (sum of PSS), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss(pid)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            memory: bool = False) -> Measure:
    """Run a command, return its wall time, or (``memory``) the peak memory of its process tree.

    Sampling /proc takes CPU from the measured command on a small machine, so a timed run is
    never sampled; memory comes from a run of its own.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_memory(proc.pid))
            done.wait(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    if memory:
        watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    if memory:
        watcher.join()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return Measure(seconds, peak[0] / 2**20)


def median(runs: list[Measure]) -> Measure:
    """The median time of the timed runs, the peak memory of the sampled one."""
    timed = [m.seconds for m in runs if not m.peak_mb] or [m.seconds for m in runs]
    return Measure(statistics.median(timed), max(m.peak_mb for m in runs))


def l10n(site: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "l10n", "--root", str(site), "-q", *args]


def reset(site: Path, *parts: str) -> None:
    for part in parts:
        path = site / part
        if path.is_dir():
            shutil.rmtree(path)


def fill_identity(site: Path) -> None:
    """Every msgstr equal to its msgid, reviewed, in the project's own layout (not timed)."""
    from l10n import pofile

    for path in (site / "locales").rglob("*.po"):
        po = pofile.load(path)
        for e in po:
            if e.msgid and not e.obsolete:
                e.msgstr = e.msgid
                if "fuzzy" in e.flags:
                    e.flags.remove("fuzzy")
        path.write_text(pofile.dumps(po), encoding="utf-8")


def ours(site: Path, env: dict[str, str], memory: bool, runs: dict[str, list[Measure]]) -> None:
    """One round of our steps, each from the state the table names, added to ``runs``."""
    cache = Path(env["L10N_CACHE_DIR"])

    def add(name: str, cmd: list[str]) -> None:
        runs.setdefault(name, []).append(measure(cmd, env, memory=memory))

    reset(site, "locales", "content/de")
    shutil.rmtree(cache, ignore_errors=True)
    add("extract", l10n(site, "extract"))
    fill_identity(site)
    add("merge", l10n(site, "merge"))
    reset(site, "locales", "content/de")
    shutil.rmtree(cache, ignore_errors=True)
    add("translate --engine none", l10n(site, "translate", "--engine", "none"))
    reset(site, "locales", "content/de")
    shutil.rmtree(cache, ignore_errors=True)
    add("translate --engine pseudo", l10n(site, "translate", "--engine", "pseudo"))
    add("translate rerun, unchanged", l10n(site, "translate", "--engine", "pseudo"))
    shutil.rmtree(cache, ignore_errors=True)
    add("check, no record", l10n(site, "check"))
    add("check rerun, unchanged", l10n(site, "check"))


def our_fidelity(site: Path, env: dict[str, str]) -> float:
    reset(site, "locales", "content/de")
    subprocess.run(l10n(site, "extract"), env=env, check=True)
    fill_identity(site)
    subprocess.run(l10n(site, "merge"), env=env, check=True)
    return peers.fidelity(site / "content/en", site / "content/de")


def peer(name: str, src: Path, work: Path, memory: bool, runs: dict[str, list[Measure]]) -> None:
    """One round of a peer's extract and merge, each timed as its own process."""
    code = ("import sys; sys.path.insert(0, {here!r}); import peers; "
            "peers.{fn}(*map(__import__('pathlib').Path, sys.argv[1:]))")
    fn = name.replace("-", "_")
    po_dir, out_dir = work / name / "po", work / name / "out"
    shutil.rmtree(work / name, ignore_errors=True)
    runs.setdefault("extract", []).append(measure(
        [sys.executable, "-c", code.format(here=str(HERE), fn=f"extract_{fn}"), str(src), str(po_dir)],
        memory=memory))
    peers.fill_identity(po_dir)
    runs.setdefault("merge", []).append(measure(
        [sys.executable, "-c", code.format(here=str(HERE), fn=f"merge_{fn}"),
         str(src), str(po_dir), str(out_dir)], memory=memory))


def characters(site: Path) -> dict[str, int]:
    """Characters an engine would be sent: every segment, per article, and across the site."""
    from l10n import config, pofile
    from l10n.extract import extract

    cfg = config.load(site)
    every = per_article = 0
    distinct: set[str] = set()
    for source in cfg.articles():
        _, segments = extract(source.read_text(encoding="utf-8"), policy=cfg.front_matter)
        every += sum(len(s.text) for s in segments)
        texts = {s.text for s in segments}
        per_article += sum(len(t) for t in texts)
        distinct |= texts
    return {"all segments": every, "distinct per article": per_article,
            "distinct across the site": sum(len(t) for t in distinct)}


def bench(n: int, args: argparse.Namespace) -> dict:
    """Every tool on ``n`` articles, in rounds: each round runs our steps, then each peer's.

    Alternating keeps the ratios fair when the machine's speed drifts during the run; the
    last round is the one watched for memory.
    """
    work = args.work / str(n)
    site = work / "site"
    if not (site / "content/en").exists():
        corpus.generate(site, n, args.seed)
    (site / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    env = dict(os.environ, L10N_CACHE_DIR=str(work / "cache"))
    env.pop("CI", None)
    names = [name for name in args.peers if name not in CLI_PEERS or n <= args.cli_peers_max]
    mine: dict[str, list[Measure]] = {}
    theirs: dict[str, dict[str, list[Measure]]] = {name: {} for name in names}
    rounds = max(args.reps, args.peer_reps, args.cli_peer_reps)
    for r in range(rounds + 1):
        memory = r == rounds
        if memory or r < args.reps:
            print(f"[{n}] round {r + 1}: l10n ...", flush=True)
            ours(site, env, memory, mine)
        for name in list(names):
            if memory or r < (args.cli_peer_reps if name in CLI_PEERS else args.peer_reps):
                print(f"[{n}] round {r + 1}: {name} ...", flush=True)
                try:
                    peer(name, site / "content/en", work / "peers", memory, theirs[name])
                except (RuntimeError, OSError) as e:
                    print(f"  skipped: {e}", file=sys.stderr)
                    names.remove(name)
                    del theirs[name]
    result: dict = {"articles": n, "ours": {}, "peers": {}}
    for step, runs in mine.items():
        m = median(runs)
        result["ours"][step] = asdict(m) | {"ms_per_article": 1000 * m.seconds / n}
    result["ours_fidelity"] = our_fidelity(site, env)
    for name, runs in theirs.items():
        ext, mer = median(runs["extract"]), median(runs["merge"])
        result["peers"][name] = {"extract": asdict(ext), "merge": asdict(mer),
                                 "fidelity": peers.fidelity(site / "content/en", work / "peers" / name / "out"),
                                 "ms_per_article": 1000 * (ext.seconds + mer.seconds) / n}
    result["characters"] = characters(site)
    return result


def targets(results: list[dict]) -> list[str]:
    """The issue's targets, each with the figure measured and whether it is met.

    They are set for 1,000 and 10,000 articles; smaller runs (a quick look) have none.
    """
    rows = []
    for r in results:
        n, o = r["articles"], r["ours"]
        if n < 1000:
            continue
        ours_em = o["extract"]["ms_per_article"] + o["merge"]["ms_per_article"]
        if r["peers"]:
            name, fastest = min(((k, p["ms_per_article"]) for k, p in r["peers"].items()),
                                key=lambda kv: kv[1])
            rows.append((f"{n:,} articles: extract + merge (two commands) at least 2x faster than "
                         f"the fastest peer ({PEER_MODES.get(name, name)})",
                         f"{fastest / ours_em:.1f}x", fastest / ours_em >= 2))
        rows.append((f"{n:,} articles: identity fidelity 100%", f"{r['ours_fidelity']:.0%}",
                     r["ours_fidelity"] == 1))
        if n >= 10000:
            for full, rerun, what in (("translate --engine pseudo", "translate rerun, unchanged", "translate"),
                                      ("check, no record", "check rerun, unchanged", "check")):
                ratio = o[full]["seconds"] / o[rerun]["seconds"]
                rows.append((f"{n:,} articles: {what} rerun on an unchanged site at least 10x faster",
                             f"{ratio:.0f}x", ratio >= 10))
            peak = max(m["peak_mb"] for m in o.values())
            rows.append((f"{n:,} articles: peak memory of every step under 150 MB", f"{peak:.0f} MB",
                         peak < 150))
    if not rows:
        return []
    return ["## Targets", "", "| target | measured | met |", "|---|---:|---|",
            *(f"| {what} | {got} | {'yes' if ok else '**no**'} |" for what, got, ok in rows), ""]


def table(results: list[dict]) -> str:
    lines = targets(results)
    for r in results:
        n = r["articles"]
        o = r["ours"]
        ext, mer = o["extract"]["ms_per_article"], o["merge"]["ms_per_article"]
        our_em, one = ext + mer, o["translate --engine none"]["ms_per_article"]
        fid = f"{r['ours_fidelity']:.0%}"
        lines += [f"### {n:,} articles", "",
                  "| tool | extract ms/article | merge ms/article | extract+merge ms/article | "
                  "time / l10n's (two commands, one pass) | peak memory MB | identity fidelity |",
                  "|---|---:|---:|---:|---:|---:|---:|",
                  f"| **l10n** (`extract`, then `merge`) | {ext:.2f} | {mer:.2f} | {our_em:.2f} | 1.0x | "
                  f"{max(o['extract']['peak_mb'], o['merge']['peak_mb']):.0f} | {fid} |",
                  f"| **l10n** in one pass (`translate --engine none`) | | | {one:.2f} | | "
                  f"{o['translate --engine none']['peak_mb']:.0f} | {fid} |"]
        for name, p in r["peers"].items():
            e, m = 1000 * p["extract"]["seconds"] / n, 1000 * p["merge"]["seconds"] / n
            lines.append(f"| {PEER_MODES.get(name, name)} | {e:.2f} | {m:.2f} | {e + m:.2f} | "
                         f"{(e + m) / our_em:.1f}x, {(e + m) / one:.1f}x | "
                         f"{max(p['extract']['peak_mb'], p['merge']['peak_mb']):.0f} | {p['fidelity']:.0%} |")
        lines += ["", "| l10n step | seconds | ms/article | peak memory MB |", "|---|---:|---:|---:|"]
        for step, m in o.items():
            lines.append(f"| `{step}` | {m['seconds']:.2f} | {m['ms_per_article']:.2f} | {m['peak_mb']:.0f} |")
        full_t, re_t = o["translate --engine pseudo"]["seconds"], o["translate rerun, unchanged"]["seconds"]
        full_c, re_c = o["check, no record"]["seconds"], o["check rerun, unchanged"]["seconds"]
        c = r["characters"]
        lines += ["", f"Rerun on an unchanged site: translate {full_t / re_t:.0f}x, check {full_c / re_c:.0f}x "
                      "faster than the full run.", "",
                  f"Characters an engine would be sent: {c['all segments']:,} in all segments, "
                  f"{c['distinct per article']:,} distinct per article, "
                  f"{c['distinct across the site']:,} distinct across the site "
                  f"({1 - c['distinct across the site'] / c['all segments']:.0%} saved).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each l10n step")
    parser.add_argument("--peer-reps", type=int, default=3, help="repetitions of each peer step")
    parser.add_argument("--cli-peer-reps", type=int, default=1,
                        help="repetitions of the per-file CLI peers (slow)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", nargs="*", default=list(PEER_MODES))
    parser.add_argument("--cli-peers-max", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--out", type=Path, default=HERE, help="where results.md and results.json go")
    args = parser.parse_args(argv)
    # Installed peers have their bytecode (pip compiles it); an editable l10n only gets it
    # on first use, and never where PYTHONDONTWRITEBYTECODE is set. Compile it likewise.
    import l10n

    compileall.compile_dir(Path(l10n.__file__).parent, quiet=1)
    results = [bench(n, args) for n in args.sizes]
    meta = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "reps": args.reps,
            "date": time.strftime("%Y-%m-%d")}
    (args.out / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    text = (f"# Benchmark results\n\n{meta['date']}, Python {meta['python']}, {meta['cpus']} cores, "
            f"median of {args.reps} runs (peers: {args.peer_reps}, per-file CLI peers: "
            f"{args.cli_peer_reps}), in alternating rounds.\n\n" + table(results))
    (args.out / "results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
