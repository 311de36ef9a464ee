"""DeepL drafting throughput: a generated site against the loopback DeepL server of the tests,
every request delayed by a fixed time, with requests one after another and with the default
concurrency. Reports the wall time against the sum of the requests' delays, and the
characters billed (they must not change).

    python benchmarks/deepl_throughput.py                  # 200 articles, 300 ms per request
    python benchmarks/deepl_throughput.py --articles 50 --delay 0.1
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

from l10n.cli import main as l10n  # noqa: E402
from tests.deepl_server import FakeDeepL  # noqa: E402

KEY = "benchmark-key:fx"


def draft(site: Path, concurrency: int, delay: float) -> dict:
    """Translate ``site`` from nothing with this concurrency; what it took and cost."""
    shutil.rmtree(site / "locales", ignore_errors=True)
    shutil.rmtree(site / "content/de", ignore_errors=True)
    (site / "pyproject.toml").write_text(
        f'[tool.l10n]\ntarget_langs = ["de"]\n[tool.l10n.deepl]\nconcurrency = {concurrency}\n', encoding="utf-8")
    with FakeDeepL(KEY, delay=delay, character_limit=10**12) as server, tempfile.TemporaryDirectory() as cache:
        os.environ.update(DEEPL_AUTH_KEY=KEY, DEEPL_SERVER_URL=server.url, L10N_CACHE_DIR=cache)
        started = time.perf_counter()
        status = l10n(["--root", str(site), "-q", "translate", "--engine", "deepl"])
        wall = time.perf_counter() - started
        requests = server.translate_requests(only_ok=True)
        return {"status": status, "wall": wall, "requests": len(requests), "delays": delay * len(requests),
                "billed": server.chars_billed(), "texts": sorted(server.texts_sent(only_ok=True)),
                "in_flight": server.max_in_flight}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        corpus.generate(site, args.articles, 1)
        one = draft(site, 1, args.delay)
        many = draft(site, args.concurrency, args.delay)
    for name, r in (("one after another", one), (f"concurrency {args.concurrency}", many)):
        print(f"{name:>18}: {r['wall']:6.1f} s wall for {r['requests']} requests "
              f"(sum of delays {r['delays']:.1f} s, wall/sum {r['wall'] / r['delays']:.2f}), "
              f"at most {r['in_flight']} in flight, {r['billed']} characters billed, exit {r['status']}")
    same = one["billed"] == many["billed"] and one["texts"] == many["texts"]
    print(f"same texts and characters billed: {same}; speed-up {one['wall'] / many['wall']:.2f}x")
    return 0 if same and one["status"] == many["status"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
