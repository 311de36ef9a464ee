"""Golden files: ``cases/NAME.md`` merged with ``cases/NAME.po`` gives ``cases/NAME.expected.md``.

Set ``L10N_UPDATE_GOLDEN=1`` to rewrite the expected files after a deliberate change,
then review the diff. The expected files are also judged by something other than the code
that wrote them: rendered by markdown-it-py's own CommonMark renderer, a German file must
give the English HTML with only text changed (same elements, attributes, link targets,
code), and parsed by PyYAML its front matter must have the English keys.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

import re

import yaml
from markdown_it import MarkdownIt

from l10n import catalog, config, pofile, publish
from l10n.extract import extract

CASES = Path(__file__).parent / "cases"
SOURCES = sorted(p for p in CASES.glob("*.md") if not p.name.endswith(".expected.md"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_merge_matches_golden_file(source: Path, tmp_path: Path):
    cfg = config.from_table({"target_langs": ["de"]}, tmp_path)
    skeleton, segments = extract(source.read_text(encoding="utf-8"))
    po = pofile.load(source.with_suffix(".po"))
    merged = publish.publish(cfg, "de", skeleton, segments, po).text
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


_RENDERER = MarkdownIt("commonmark").enable("table")
_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)
#: Text between tags, with entities: what a translation may change.
_TEXT = re.compile(r">[^<]*<")
#: Attributes that hold prose (image descriptions, link titles).
_PROSE_ATTRIBUTE = re.compile(r'\b(alt|title)="[^"]*"')


def _html_shape(markdown: str) -> str:
    """The article's HTML with every text node blanked: elements, attributes and code kept."""
    html = _RENDERER.render(_FRONT_MATTER.sub("", markdown))
    code = re.compile(r"(<code[^>]*>.*?</code>|<pre>.*?</pre>)", re.S)
    parts = code.split(html)
    blank = lambda p: _PROSE_ATTRIBUTE.sub(r'\1=""', _TEXT.sub("><", p))  # noqa: E731
    return "".join(p if code.fullmatch(p) else blank(p) for p in parts)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_golden_file_renders_as_the_english_with_only_text_changed(source: Path):
    english = source.read_text(encoding="utf-8")
    german = source.with_name(source.stem + ".expected.md").read_text(encoding="utf-8")
    assert _html_shape(german) == _html_shape(english)
    head_en, head_de = _FRONT_MATTER.match(english), _FRONT_MATTER.match(german)
    assert bool(head_en) == bool(head_de)
    if head_en:
        keys_en = list(yaml.safe_load(head_en.group(1)))
        keys_de = list(yaml.safe_load(head_de.group(1)))
        assert keys_de[:len(keys_en)] == keys_en
