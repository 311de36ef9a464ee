from datetime import date
from pathlib import Path

import pytest

from l10n import article
from l10n.errors import InputError

HEAD = '---\ntitle: "A \\"quoted\\" title"\nslug: plain-slug\ntags: [a, b]  # a comment\nsummary: |\n  two\n  lines\ndate: 2026-01-02\n---\n'


def test_fields_know_their_values_lines_and_styles():
    doc = article.parse(HEAD + "# Body\n")
    assert [(f.key, f.line, f.style) for f in doc.fields] == [
        ("title", 2, '"'), ("slug", 3, None), ("tags", 4, "node"), ("summary", 5, "|"), ("date", 8, None)]
    assert doc.metadata["title"] == 'A "quoted" title'
    assert doc.body == "# Body\n"
    assert doc.body_line == 9


def test_unchanged_values_keep_their_bytes():
    doc = article.parse(HEAD)
    assert article.rewrite_head(doc, {"title": 'A "quoted" title', "slug": "plain-slug"}) == HEAD


def test_rewrite_replaces_only_the_value_and_keeps_quoting():
    doc = article.parse(HEAD)
    new = article.rewrite_head(doc, {"title": "Ein „zitierter“ Titel", "summary": "zwei"}, {"language": "de"})
    assert new == ('---\ntitle: "Ein „zitierter“ Titel"\nslug: plain-slug\ntags: [a, b]  # a comment\n'
                   'summary: "zwei"\ndate: 2026-01-02\nlanguage: de\n---\n')
    assert article.parse(new).metadata["summary"] == "zwei"


@pytest.mark.parametrize("value", ["Hallo: Welt", "- list-like", "#hash", "yes", "123", "it's", 'say "hi"', "a\nb"])
def test_rendered_values_read_back_as_the_same_string(value):
    for style in (None, '"', "'", "|"):
        doc = article.parse(f"---\nk: {article.render_value(value, style)}\n---\n")
        assert doc.metadata["k"] == value


def test_raw_key_replaces_an_existing_value():
    doc = article.parse("---\na: 1\ntranslation: old\nb: 2\n---\nx")
    assert article.rewrite_head(doc, {}, {"translation": "{status: draft}"}) == \
        "---\na: 1\ntranslation: {status: draft}\nb: 2\n---\n"


def test_no_front_matter_is_all_body():
    doc = article.parse("# Title\n\ntext\n")
    assert doc.head == "" and doc.fields == ()


@pytest.mark.parametrize("text, line, words", [
    ("---\ntitle: \"open\n---\nbody", 2, "broken YAML"),
    ("---\ntitle: a\n  bad: indent\n---\n", 3, "broken YAML"),
    ("---\n- a\n- b\n---\n", 2, "not a mapping"),
    ("---\ntitle: x\n", 1, "no closing"),
])
def test_broken_front_matter_names_file_and_line(text, line, words):
    with pytest.raises(InputError) as e:
        article.parse(text, Path("content/en/x.md"))
    assert e.value.line == line
    assert str(e.value).startswith(f"content/en/x.md:{line}: ")
    assert words in str(e.value)
    assert "\n" not in str(e.value)


# -- embargo -------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, False, 0, 0.0, "false", "False", "NO", "off", "0", " no "])
def test_clearly_false_values_do_not_embargo(value):
    assert not article.embargoed({"draft": value}, ["draft"])


@pytest.mark.parametrize("value", [True, 1, -1, 0.5, "true", "yes", "on", "1", "y", "", "soon", "nein",
                                   ["x"], [], {"a": 1}, date(2026, 1, 1), float("nan")])
def test_everything_else_embargoes(value):
    assert article.embargoed({"draft": value}, ["draft"])


def test_embargo_looks_at_every_key():
    meta = {"draft": False, "private": "yes"}
    assert not article.embargoed({}, ["draft"]) and not article.embargoed(meta, [])
    assert article.embargoed(meta, ["draft", "private"]) and not article.embargoed(meta, ["draft"])
    assert article.embargoed({"draft": "yes"}, "draft")  # one key, not five letters
