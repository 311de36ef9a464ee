"""l10n's QA checks against Translate Toolkit's ``pofilter`` on the planted-error set.

Reads ``tests/data/qa_pairs.yaml`` (English -> German pairs, half correct, half with one
planted error whose check is named by ``expect``) and scores, per l10n check code, both
l10n (``l10n.qa``) and the ``pofilter`` tests that look for the same kind of error. A pair
counts as caught by a tool for a code when any of that tool's tests for the code fires; a
firing on a pair planted for another code, or on a correct pair, is a false alarm.

    python benchmarks/qa_peers.py             # a Markdown table on standard output

Needs Translate Toolkit (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from translate.filters import checks
from translate.storage.pypo import pounit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from l10n import qa  # noqa: E402

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


def l10n_codes(case: dict, data: dict) -> set[str]:
    """The codes l10n's checks give one pair (consistency against the pair's ``also``)."""
    policy = qa.Policy(register=case.get("register", data["register"]), glossary=data["glossary"])
    found = qa.check(case["source"], case["translation"], policy)
    if "also" in case:
        uses = [qa.Use(case["source"], case["translation"], "a.po", 1),
                qa.Use(case["source"], case["also"], "b.po", 1)]
        found += [f for use, f in qa.consistency(uses, policy) if use.catalog == "a.po"]
    return {f.code for f in found}


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
    data = yaml.safe_load((ROOT / "tests" / "data" / "qa_pairs.yaml").read_text(encoding="utf-8"))
    pairs = data["pairs"]
    checker = checks.StandardChecker(checks.CheckerConfig(targetlanguage="de"))
    ours = [(c["expect"], l10n_codes(c, data)) for c in pairs]
    theirs = [(c["expect"], pofilter_codes(c, checker)) for c in pairs]
    clean = sum(not c["expect"] for c in pairs)
    print(f"{len(pairs)} pairs, {clean} correct, {len(pairs) - clean} with one planted error each.\n")
    print("| check | l10n caught / planted | l10n false alarms | pofilter tests | "
          "pofilter caught / planted | pofilter false alarms |")
    print("|---|---:|---:|---|---:|---:|")
    for code in qa.CODES:
        a, n, fa = score(ours, code)
        b, _, fb = score(theirs, code)
        tests = ", ".join(POFILTER[code]) or "none"
        shown = f"{b}/{n}" if POFILTER[code] else "-"
        print(f"| {code} | {a}/{n} | {fa} | {tests} | {shown} | {fb if POFILTER[code] else '-'} |")
    wrong_ours = sum(expect is None and bool(got) for expect, got in ours)
    wrong_theirs = sum(expect is None and bool(got) for expect, got in theirs)
    print(f"\nCorrect pairs with any finding: l10n {wrong_ours} of {clean}, "
          f"pofilter {wrong_theirs} of {clean}.")


if __name__ == "__main__":
    main()
