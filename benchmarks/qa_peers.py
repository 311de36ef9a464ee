"""l10n's QA checks against Translate Toolkit's ``pofilter`` and Weblate's checks, on the
planted-error set.

Reads ``tests/data/qa_pairs.yaml`` (English -> German pairs, half correct, half with one
planted error whose check is named by ``expect``) and scores, per l10n check code, both
l10n (``l10n.qa``) and the ``pofilter`` tests that look for the same kind of error. A pair
counts as caught by a tool for a code when any of that tool's tests for the code fires; a
firing on a pair planted for another code, or on a correct pair, is a false alarm.

    python benchmarks/qa_peers.py [--weblate PYTHON]    # a Markdown table on standard output

Needs Translate Toolkit (``pip install -e '.[bench]'``). Weblate is a Django application
whose dependencies clash with l10n's, so its checks run in an interpreter of their own,
given by ``--weblate`` (see benchmarks/README.md for that environment).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from translate.filters import checks
from translate.storage.pypo import pounit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from l10n import qa  # noqa: E402
from tests.test_qa import PAIRS, findings  # noqa: E402  (how the tests score each pair)

# pofilter's tests for each of l10n's codes ("-" where pofilter has none).
POFILTER = {
    "numbers": ("numbers",),
    "quotes": ("doublequoting", "singlequoting"),
    "punctuation": ("endpunc", "startpunc", "puncspacing", "doublespacing",
                    "startwhitespace", "endwhitespace"),
    "untranslated": ("unchanged",),
    "formality": (),
    "glossary": (),
    "consistency": (),
}


# Weblate's checks for each of l10n's codes, run on a mock unit (Weblate's own test helper,
# since its checks otherwise need a database). Its glossary and consistency checks read the
# database, so they are not measured here.
WEBLATE = {
    "numbers": (),
    "quotes": (),
    "punctuation": ("chars.EndStopCheck", "chars.EndColonCheck", "chars.EndQuestionCheck",
                    "chars.EndExclamationCheck", "chars.EndEllipsisCheck",
                    "chars.DoubleSpaceCheck", "chars.BeginSpaceCheck", "chars.EndSpaceCheck",
                    "chars.PunctuationSpacingCheck"),
    "untranslated": ("same.SameCheck",),
    "formality": (),
    "glossary": (),
    "consistency": (),
}

WEBLATE_RUNNER = """
import importlib, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weblate.settings_test")
os.environ.setdefault("CI_DATABASE", "postgresql")  # read by the settings only; never connected
import django
django.setup()
from weblate.checks.tests.test_checks import MockUnit
names, pairs = json.load(sys.stdin)
checks = {n: getattr(importlib.import_module("weblate.checks." + n.split(".")[0]), n.split(".")[1])()
          for n in names}
out = []
for source, target in pairs:
    unit = MockUnit(code="de", source=source, target=target)
    out.append([n for n, c in checks.items() if c.check_target([source], [target], unit)])
json.dump(out, sys.stdout)
"""


def weblate_codes(pairs: list[dict], python: str) -> list[set[str]]:
    """l10n's codes whose Weblate checks fire, per pair, from Weblate run by ``python``."""
    names = sorted({n for tests in WEBLATE.values() for n in tests})
    request = json.dumps([names, [(c["source"], c["translation"]) for c in pairs]])
    done = subprocess.run([python, "-c", WEBLATE_RUNNER], input=request, capture_output=True,
                          text=True, check=True, env=dict(os.environ, PYTHONPATH=""))
    fired = json.loads(done.stdout.strip().splitlines()[-1])
    return [{code for code, tests in WEBLATE.items() if set(tests) & set(f)} for f in fired]


def pofilter_codes(case: dict, checker: checks.StandardChecker) -> set[str]:
    """l10n's codes whose pofilter tests fire on one pair."""
    unit = pounit(case["source"])
    unit.target = case["translation"]
    fired = set(checker.run_filters(unit))
    return {code for code, tests in POFILTER.items() if fired & set(tests)}


def score(results: list[tuple[str | None, set[str]]], code: str) -> tuple[int, int, int]:
    """(caught, planted, false alarms) for one code."""
    planted = sum(expect == code for expect, _ in results)
    caught = sum(expect == code and code in got for expect, got in results)
    false = sum(expect != code and code in got for expect, got in results)
    return caught, planted, false


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weblate", metavar="PYTHON", help="a Python with Weblate installed")
    args = parser.parse_args()
    pairs = PAIRS
    checker = checks.StandardChecker(checks.CheckerConfig(targetlanguage="de"))
    ours = [(c["expect"], {f.code for f in findings(c)}) for c in pairs]
    theirs = [(c["expect"], pofilter_codes(c, checker)) for c in pairs]
    peers = {"pofilter": (POFILTER, theirs)}
    if args.weblate:
        peers["Weblate"] = (WEBLATE, list(zip([c["expect"] for c in pairs],
                                              weblate_codes(pairs, args.weblate))))
    clean = sum(not c["expect"] for c in pairs)
    print(f"{len(pairs)} pairs, {clean} correct, {len(pairs) - clean} with one planted error each.\n")
    print("| check | l10n caught / planted | l10n false alarms | "
          + " | ".join(f"{p} caught / planted | {p} false alarms" for p in peers) + " |")
    print("|---|---:|---:|" + "---:|---:|" * len(peers))
    for code in qa.CODES:
        a, n, fa = score(ours, code)
        row = [code, f"{a}/{n}", str(fa)]
        for tests, results in peers.values():
            b, _, fb = score(results, code)
            row += [f"{b}/{n}", str(fb)] if tests[code] else ["-", "-"]
        print("| " + " | ".join(row) + " |")
    print()
    for name, (tests, _) in peers.items():
        print(f"{name} tests per check: " + "; ".join(
            f"{code}: {', '.join(t.split('.')[-1] for t in tests[code])}" for code in qa.CODES if tests[code]) + ".")
    print(f"\nCorrect pairs with any finding: l10n {sum(e is None and bool(g) for e, g in ours)} of {clean}"
          + "".join(f", {name} {sum(e is None and bool(g) for e, g in results)} of {clean}"
                    for name, (_, results) in peers.items()) + ".")

if __name__ == "__main__":
    main()
