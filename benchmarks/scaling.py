"""Time one ever larger article through each step: the time per row must stay flat.

    python benchmarks/scaling.py [--rows 2000 8000 32000 100000] [--shape table] [--json]

One article per size, of ``--shape``:

- ``table``: a GFM table of N rows, three cells each (text, a number, a link);
- ``references``: the same with reference links, ``[its card][card N]``, and N definitions;
- ``list``: N list items, every tenth with a nested item;
- ``paragraphs``: N paragraphs, every fifth with a link and a code span.

Each is put through the library's steps in this process: ``extract``, ``catalog.update``
into a new catalog, ``catalog.update`` again (every entry known), ``publish.publish`` with
every entry a reviewed pseudo-translation (garbage collection set as the console script sets
it); then ``l10n translate --engine pseudo`` runs on a site holding only
that article, as its own process (start-up included, as a user sees it). For each step the
script prints seconds, microseconds per row, and that per-row time over the smallest
size's: about 1.0 at every size is linear, a ratio growing with the size is not.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from l10n import catalog, config, extract, markup, publish, structure  # noqa: E402
from l10n.engines.simple import PseudoEngine  # noqa: E402

TODAY = date(2026, 3, 1)
CONFIG = config.from_table({"target_langs": ["de"]}, Path("/site"))


def table(n: int) -> str:
    rows = "".join(f"| Model {i} of the lab | {i * 7} tokens | see [card {i}](https://example.test/m/{i}) |\n"
                   for i in range(n))
    return "# A large table\n\n| Name | Size | Notes |\n|---|---:|---|\n" + rows


def references(n: int) -> str:
    rows = "".join(f"| Model {i} of the lab | {i * 7} tokens | see [its card][card {i}] |\n" for i in range(n))
    definitions = "".join(f"[card {i}]: https://example.test/m/{i}\n" for i in range(n))
    return "# A large table\n\n| Name | Size | Notes |\n|---|---:|---|\n" + rows + "\n" + definitions


def bullets(n: int) -> str:
    items = "".join(f"- Item {i} of the list\n" + (f"  - Detail {i} below it\n" if i % 10 == 0 else "")
                    for i in range(n))
    return "# A long list\n\n" + items


def paragraphs(n: int) -> str:
    body = "".join(f"Paragraph {i} says something" + (f" about [page {i}](/p/{i}) and `x{i}`" if i % 5 == 0 else "")
                   + ".\n\n" for i in range(n))
    return "# Many paragraphs\n\n" + body


SHAPES: dict[str, Callable[[int], str]] = {"table": table, "references": references, "list": bullets,
                                           "paragraphs": paragraphs}


def timed(step: Callable[[], object]) -> tuple[float, object]:
    """Seconds of one step from cold caches (what l10n remembers of texts seen before)."""
    for remembered in (markup._facts, structure.inline_facts, publish._gate):
        remembered.cache_clear()
    gc.collect()
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def library_steps(text: str) -> dict[str, float]:
    """Seconds of each library step on one article."""
    seconds: dict[str, float] = {}
    seconds["extract"], (skeleton, segments) = timed(lambda: extract.extract(text))  # type: ignore[misc]
    seconds["catalog.update (new)"], (po, _) = timed(  # type: ignore[misc]
        lambda: catalog.update(None, segments, "a.md", "de", today=TODAY))
    for entry in po:  # reviewed pseudo-translations: every entry published, markup kept
        entry.msgstr = PseudoEngine.draft(entry.msgid) if entry.msgid else ""
    seconds["catalog.update (known)"], (po, _) = timed(  # type: ignore[misc]
        lambda: catalog.update(po, segments, "a.md", "de", today=TODAY))
    seconds["publish.publish"], _ = timed(lambda: publish.publish(CONFIG, "de", skeleton, segments, po))
    return seconds


def translate_pseudo(text: str) -> float:
    """Seconds of ``l10n translate --engine pseudo`` on a one-article site, as its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        (site / "pyproject.toml").write_text('[tool.l10n]\ntarget_langs = ["de"]\n', encoding="utf-8")
        (site / "content" / "en").mkdir(parents=True)
        (site / "content" / "en" / "a.md").write_text(text, encoding="utf-8")
        env = dict(os.environ, L10N_JOBS="1", L10N_CACHE_DIR=str(site / ".cache"),
                   PYTHONPATH=str(HERE.parent))
        cmd = [sys.executable, "-m", "l10n", "--root", str(site), "-q", "translate", "--engine", "pseudo"]
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    gc.freeze()  # as the console script does (l10n.cli.entry)
    gc.set_threshold(100_000, 50, 100)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 8000, 32000, 100000])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="table")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    for n in args.rows:
        text = SHAPES[args.shape](n)
        results[n] = library_steps(text)
        results[n]["translate --engine pseudo"] = translate_pseudo(text)
    if args.json:
        print(json.dumps({"shape": args.shape, "seconds": results}, indent=1))
        return
    base = args.rows[0]
    print(f"{args.shape}: seconds, µs per row, per-row time / at {base:,} rows")
    for step in results[base]:
        cells = [f"{results[n][step]:8.2f} s {1e6 * results[n][step] / n:6.0f} µs "
                 f"{(results[n][step] / n) / (results[base][step] / base):4.1f}x" for n in args.rows]
        print(f"{step:26} " + " | ".join(cells))
    print(" " * 27 + " | ".join(f"{n:>25,}" for n in args.rows))


if __name__ == "__main__":
    main()
