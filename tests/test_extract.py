import pytest
from hypothesis import given
from hypothesis import strategies as st

from l10n.config import FrontMatterPolicy
from l10n.errors import InputError
from l10n.extract import _ODD_CHARACTER, extract, fix_shortcuts
from l10n.merge import body

from .conftest import EXAMPLES


def texts(md: str, **kw) -> list[tuple[str, str, int]]:
    return [(s.text, s.kind, s.line) for s in extract(md, **kw)[1]]


def test_blocks_become_segments_with_kind_and_line():
    md = "# Title\n\nA para\nover two lines.\n\n- one\n- two\n  continued\n\n> quoted\n"
    assert texts(md) == [
        ("Title", "heading", 1),
        ("A para\nover two lines.", "paragraph", 3),
        ("one", "list item", 6),
        ("two\ncontinued", "list item", 7),
        ("quoted", "blockquote", 10),
    ]


def test_sections_follow_the_last_heading():
    _, segs = extract("intro\n\n## Key Points\n\n- a\n\n## FAQ\n\nq\n")
    assert [(s.text, s.section) for s in segs] == [
        ("intro", ""), ("Key Points", "Key Points"), ("a", "Key Points"), ("FAQ", "FAQ"), ("q", "FAQ")]


def test_front_matter_keys_by_policy_and_lines_count_the_head():
    md = '---\ntitle: "T"\nslug: "s"\nsummary: S\ntags: [a]\n---\n\nbody\n'
    assert texts(md) == [("T", "front matter", 2), ("S", "front matter", 4), ("body", "paragraph", 8)]
    only_slug = FrontMatterPolicy(translate=("slug",))
    assert texts(md, policy=only_slug)[0] == ("s", "front matter", 3)


def test_blocks_that_are_only_a_url_stay_in_the_skeleton():
    md = ("https://example.com/x\n\n<https://example.com/y>\n\nwww.example.com\n\n- <news@example.com>\n\n"
          "| Site | www.example.org/feed |\n|---|---|\n\nRead https://example.com/x today.\n")
    assert texts(md) == [("Site", "table cell", 9), ("Read https://example.com/x today.", "paragraph", 12)]
    skeleton, segments = extract(md)
    assert body(skeleton, segments, {}) == md


def test_untranslatable_blocks_stay_in_the_skeleton():
    md = ("```python\n# not a heading\n- not an item\n```\n\n    indented code\n\n<div>html</div>\n\n---\n\n"
          "[ref]: https://x.test\n")
    assert texts(md) == []


def test_table_cells_are_segments_as_written():
    md = "| Name | Note |\n|:--|--:|\n| `a` | b \\| c |\n|  | [x](https://x.test) |\n"
    assert texts(md) == [("Name", "table cell", 1), ("Note", "table cell", 1), ("`a`", "table cell", 3),
                         ("b \\| c", "table cell", 3), ("[x](https://x.test)", "table cell", 4)]


def test_skip_marker_skips_the_next_block_only():
    md = "<!-- l10n: skip -->\nLegal text.\n\nNormal text.\n\n<!-- l10n: skip -->\n- a\n- b\n\nafter\n"
    assert [t for t, _, _ in texts(md)] == ["Normal text.", "after"]


def test_nested_containers_give_the_innermost_kind():
    md = "> - item in quote\n>   more\n\n1. first\n   - nested *x*\n\n   para in item\n"
    assert texts(md) == [("item in quote\nmore", "list item", 1), ("first", "list item", 4),
                         ("nested *x*", "list item", 5), ("para in item", "list item", 7)]


def test_heading_variants():
    md = "## Closed ##\n\nSetext\n======\n\n#  spaced  \n"
    assert [t for t, _, _ in texts(md)] == ["Closed", "Setext", "spaced"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_identity_merge_of_examples_is_byte_exact(path):
    src = path.read_text(encoding="utf-8")
    skeleton, segs = extract(src)
    assert skeleton.article.head + body(skeleton, segs, {s.text: s.text for s in segs}) == src


def test_identity_keeps_crlf_and_trailing_space_layout():
    src = "# T\r\n\r\nline one  \r\nline two\r\n\r\n- item\r\n"
    skeleton, segs = extract(src)
    assert body(skeleton, segs, {}) == src
    assert [s.text for s in segs] == ["T", "line one  \nline two", "item"]


def test_translation_with_more_lines_gets_container_prefixes():
    src = "> 1. short\n\n| a |\n|---|\n| b |\n"
    skeleton, segs = extract(src)
    out = body(skeleton, segs, {"short": "kurz\nund lang", "b": "x | y\nz"})
    assert out == "> 1. kurz\n>    und lang\n\n| a |\n|---|\n| x \\| y z |\n"


def test_shortcut_reference_keeps_its_label_when_text_changes():
    src = "See the [Model Card] and [paper][].\n\n[model card]: https://m.test\n[paper]: https://p.test\n"
    skeleton, segs = extract(src)
    out = body(skeleton, segs, {segs[0].text: "Siehe die [Modellkarte] und das [Paper][]."})
    assert out.startswith("Siehe die [Modellkarte][Model Card] und das [Paper][].\n")


def test_fix_shortcuts_leaves_inline_links_and_known_labels():
    labels = frozenset({"PAPER"})
    assert fix_shortcuts("[paper]", "[Paper]", labels) == "[Paper]"  # labels ignore case
    assert fix_shortcuts("[a](u) [paper]", "[b](u) [Studie]", labels) == "[b](u) [Studie][paper]"


# -- titles of link reference definitions --------------------------------------------------

DEFINITIONS = ("Read [the paper][p], [the brief][b], [the data][d] and [the site][s].\n\n"
               '[p]: https://example.org/x "Policy paper"\n'
               "> [b]: <https://example.org/y>\n>   'Policy paper'\n\n"
               "[d]: /data (The data set)\n"
               '[s]: /site "https://example.org/site"\n'
               '[e]: /e "An \\"escaped\\" title"\n'
               '[f]: /f "Fish &amp; chips"\n'
               '[g]: /g "A title\nover two lines"\n'
               "[h]: /h\n")


def test_a_reference_definitions_plain_title_is_a_segment_of_its_own():
    _, segments = extract(DEFINITIONS)
    titles = [(s.text, s.kind, s.section, s.line) for s in segments if s.kind == "link title"]
    assert titles == [("Policy paper", "link title", "p", 3), ("Policy paper", "link title", "b", 5),
                      ("The data set", "link title", "d", 7)]
    # escapes, entities, line breaks and a title that is only a URL stay as written
    skeleton, segments = extract(DEFINITIONS)
    assert body(skeleton, segments, {}) == DEFINITIONS


def test_a_translated_title_changes_nothing_else_and_reads_as_written():
    skeleton, segments = extract(DEFINITIONS)
    german = body(skeleton, segments, {"Policy paper": 'Das "Grundsatz"-Papier', "The data set": "Die (Daten)"})
    assert german == DEFINITIONS.replace(
        '"Policy paper"', '"Das \\"Grundsatz\\"-Papier"').replace(
        "'Policy paper'", "'Das \"Grundsatz\"-Papier'").replace("(The data set)", "(Die \\(Daten\\))")


@given(st.text(alphabet="a \0\r\n#*", max_size=30))
def test_odd_characters_are_refused_as_a_full_search_finds_them(text):
    # extract looks for NUL and CR before searching: the same verdict, the same line
    odd = _ODD_CHARACTER.search(text)
    if odd is None:
        extract(text)
        return
    with pytest.raises(InputError) as caught:
        extract(text)
    assert caught.value.line == text.count("\n", 0, odd.start()) + 1
