"""Golden files: ``cases/NAME.md`` merged with ``cases/NAME.po`` gives ``cases/NAME.expected.md``.

Set ``L10N_UPDATE_GOLDEN=1`` to rewrite the expected files after a deliberate change,
then review the diff.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from l10n import catalog, config, pofile, workflow
from l10n.extract import extract

CASES = Path(__file__).parent / "cases"
SOURCES = sorted(p for p in CASES.glob("*.md") if not p.name.endswith(".expected.md"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_merge_matches_golden_file(source: Path, tmp_path: Path):
    cfg = config.from_table({"target_langs": ["de"]}, tmp_path)
    skeleton, segments = extract(source.read_text(encoding="utf-8"))
    po = pofile.load(source.with_suffix(".po"))
    merged, _ = workflow.render(cfg, "de", skeleton, segments, po)
    expected = source.with_name(source.stem + ".expected.md")
    if os.environ.get("L10N_UPDATE_GOLDEN"):
        expected.write_text(merged, encoding="utf-8")
    assert merged == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_catalog_matches_golden_file(source: Path):
    """Extraction gives the golden catalog's entries, comments and layout."""
    _, segments = extract(source.read_text(encoding="utf-8"))
    golden = pofile.load(source.with_suffix(".po"))
    po, result = catalog.update(golden, segments, f"cases/{source.name}", "de", today=date(2026, 1, 1))
    assert not result.changed
    assert pofile.dumps(po) == source.with_suffix(".po").read_text(encoding="utf-8")
