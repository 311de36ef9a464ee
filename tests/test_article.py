import doctest
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    ("---\n!!set\n? a\n---\n", 2, "not a mapping"),
    ("---\ntitle: x\n", 1, "no closing"),
])
def test_broken_front_matter_names_file_and_line(text, line, words):
    with pytest.raises(InputError) as e:
        article.parse(text, Path("content/en/x.md"))
    assert e.value.line == line
    assert str(e.value).startswith(f"content/en/x.md:{line}: ")
    assert words in str(e.value)
    assert "\n" not in str(e.value)


# -- a byte order mark ---------------------------------------------------------------

BOM_TEXT = "\ufeff" + HEAD + "# Body\n\ntext\n"


def test_a_bom_before_front_matter_is_kept_in_the_head():
    doc = article.parse(BOM_TEXT)
    assert doc.head == "\ufeff" + HEAD and doc.body == "# Body\n\ntext\n" and doc.bom == "\ufeff"
    assert doc.metadata["title"] == 'A "quoted" title'
    assert [f.line for f in doc.fields] == [2, 3, 4, 5, 8] and doc.body_line == 9
    assert article.rewrite_head(doc, {}) + doc.body == BOM_TEXT
    assert article.rewrite_head(doc, {"slug": "plain-slug"}) == doc.head


def test_a_rewritten_head_keeps_the_bom():
    doc = article.parse(BOM_TEXT)
    new = article.rewrite_head(doc, {"title": "Titel"}, {"language": "de"})
    assert new.startswith("\ufeff---\ntitle: \"Titel\"\nslug: plain-slug\n") and new.endswith("language: de\n---\n")
    assert article.parse(new).metadata["language"] == "de"


def test_a_bom_without_front_matter_stays_out_of_the_body():
    doc = article.parse("\ufeff# Title\n\ntext\n")
    assert (doc.head, doc.body, doc.fields) == ("\ufeff", "# Title\n\ntext\n", ())
    assert not doc.has_front_matter
    assert article.rewrite_head(doc, {"title": "x"}, {"language": "de"}) == "\ufeff"
    assert article.rewrite_head(article.parse("# Title\n"), {}, {"language": "de"}) == ""


def test_a_bom_article_is_translated_with_its_bom(tmp_path):
    from l10n.cli import main

    from .conftest import ARTICLE, write_site

    root = write_site(tmp_path / "s", {"bom.md": "\ufeff" + ARTICLE})
    assert main(["--root", str(root), "translate", "--engine", "pseudo"]) == 0
    de = (root / "content/de/bom.md").read_text(encoding="utf-8")
    assert de.startswith("\ufeff---\ntitle: ") and "language: de\n" in de and de.count("\ufeff") == 1
    po = (root / "locales/de/bom.po").read_text(encoding="utf-8")
    assert 'msgid "Open model tops the charts"' in po and "\ufeff" not in po
    assert main(["--root", str(root), "check"]) == 0


def test_a_crlf_article_gets_crlf_lines_in_its_german_head(tmp_path):
    from l10n.cli import main

    from .conftest import ARTICLE, write_site

    root = write_site(tmp_path / "s", {"crlf.md": ARTICLE.replace("\n", "\r\n")})
    assert main(["--root", str(root), "translate", "--engine", "pseudo"]) == 0
    de = (root / "content/de/crlf.md").read_bytes().decode("utf-8")
    assert "language: de\r\n" in de and "translation: {status: draft" in de
    assert de.count("\n") == de.count("\r\n")  # every line, added ones too
    assert main(["--root", str(root), "check"]) == 0


def test_a_block_value_rewritten_keeps_the_line_ending():
    doc = article.parse("---\r\ntitle: |\r\n  Long\r\nlanguage: en\r\n---\r\n")
    head = article.rewrite_head(doc, {"title": "Lang"}, {"state": "{a: 1}"})
    assert head.count("\n") == head.count("\r\n") and "state: {a: 1}\r\n" in head


# -- values YAML cannot construct ----------------------------------------------------

@pytest.mark.parametrize("text, line, words", [
    ("---\ntitle: T\ndate: 2026-02-30\n---\n", 3, "front matter 'date': cannot read 2026-02-30 (day is out of range"),
    ("---\na: !!int \"abc\"\n---\n", 2, "front matter 'a': cannot read !!int \"abc\" (invalid literal"),
    ("---\na: 1\nb:\n  - x\n  - !!float q\n---\n", 3, "front matter 'b': cannot read - x - !!float q"),
    ("---\na: !custom x\n---\n", 2, "could not determine a constructor for the tag '!custom'"),
    ("---\nt: !!timestamp x\n---\n", 2, "front matter 't': cannot read"),
    ("---\nx: 1\n? [a]\n: 1\n---\n", 3, "found unhashable key"),
    ("\ufeff---\na: b\nd: 2026-13-01\n---\n", 3, "front matter 'd'"),
])
def test_unconstructable_values_name_file_and_key_line(text, line, words):
    with pytest.raises(InputError) as e:
        article.parse(text, Path("content/en/x.md"))
    message = str(e.value)
    assert e.value.line == line and words in message and "\n" not in message, message
    assert message.startswith(f"content/en/x.md:{line}: ")


# -- anchors and aliases -------------------------------------------------------------

ANCHORED = ("---\nname: &t Open model  # the product\ntitle: *t\nsummary: &s |\n  two\n  lines\n"
            "description: *s\ntags: &tags [a, b]\nkeywords: *tags\nurl: !!str &u https://x.test/en/a\n"
            "canonical: *u\n---\n")


def safe_load(head: str) -> dict:
    return yaml.safe_load(head.lstrip("\ufeff").strip("-\n").rsplit("\n---", 1)[0])


def test_aliases_know_their_own_spans():
    doc = article.parse(ANCHORED)
    fields = {f.key: f for f in doc.fields}
    title, canonical = fields["title"], fields["canonical"]
    assert (title.style, ANCHORED[title.start:title.end], title.value) == ("alias", "*t", "Open model")
    assert (canonical.style, ANCHORED[canonical.start:canonical.end]) == ("alias", "*u")
    anchors = {f.key: f.anchor for f in doc.fields}
    assert [anchors[k] for k in ("name", "summary", "tags", "url")] == ["&t", "&s", "&tags", "&u"]


@pytest.mark.parametrize("values, raw, expected", [
    # the anchored key changes: its alias follows
    ({"name": "Offenes Modell"}, {}, {"name": "Offenes Modell", "title": "Offenes Modell"}),
    # the alias alone changes: the anchored key keeps its value
    ({"title": "Offenes Modell"}, {}, {"name": "Open model", "title": "Offenes Modell"}),
    # both get the same translation (one catalog entry): anchor and alias stay
    ({"name": "Offen", "title": "Offen", "summary": "zwei", "description": "zwei"}, {},
     {"name": "Offen", "title": "Offen", "summary": "zwei", "description": "zwei"}),
    # the alias keeps the old value while its anchor changes
    ({"name": "Offen", "title": "Open model"}, {}, {"name": "Offen", "title": "Open model"}),
    # rewrite rules for both, a raw value for an anchored collection
    ({"url": "https://x.test/de/a", "canonical": "https://x.test/de/a"}, {"tags": "[c]"},
     {"url": "https://x.test/de/a", "canonical": "https://x.test/de/a", "tags": ["c"], "keywords": ["c"]}),
    ({"summary": "zwei"}, {"language": "de"}, {"summary": "zwei", "description": "zwei", "language": "de"}),
])
def test_rewritten_anchors_and_aliases_still_resolve(values, raw, expected):
    doc = article.parse(ANCHORED)
    new = article.rewrite_head(doc, values, raw)
    before, after = safe_load(ANCHORED), safe_load(new)
    assert list(after) == list(before) + [k for k in raw if k not in before]
    assert {k: after[k] for k in expected} == expected
    unchanged = set(before) - set(values) - set(raw) - {"title", "description", "keywords", "canonical"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert article.parse(new).metadata == after
    assert "# the product" in new  # the comment after a rewritten anchored value stays


def test_an_anchored_value_keeps_its_anchor_and_an_alias_used_alone_is_replaced():
    doc = article.parse(ANCHORED)
    new = article.rewrite_head(doc, {"name": "Offen", "title": "Titel"})
    assert "name: &t Offen  # the product\ntitle: Titel\n" in new
    new = article.rewrite_head(doc, {"summary": "zwei"})
    assert 'summary: &s "zwei"\ndescription: *s\n' in new


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


def test_doctests():
    assert doctest.testmod(article).failed == 0


def double_quoted_the_long_way(value: str) -> str:
    """A double-quoted YAML scalar as PyYAML's emitter writes it."""
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9).rstrip("\n")
    return dumped.removesuffix("\n...")


BOUNDARY_CHARACTERS = st.sampled_from(list(' a"\\\t\n\x7e\x7f\x85\x9f\xa0ü\u2027\u2028\u2029\u202a\ud7ff'
                                           '\ue000\ufefe\ufeff\uff00\ufffd\U0001f600'))


def test_a_double_quoted_value_with_nothing_to_escape_skips_the_emitter(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the emitter was called")
    monkeypatch.setattr(yaml, "safe_dump", refuse)
    for style in ('"', "|", ">"):
        assert article.render_value.__wrapped__("Grüße [aus] Köln: 5 €", style) == '"Grüße [aus] Köln: 5 €"'


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.lists(BOUNDARY_CHARACTERS, max_size=12).map("".join)))
def test_double_quoted_values_are_what_the_emitter_writes(value: str) -> None:
    for style in ('"', "|", ">"):
        assert article.render_value.__wrapped__(value, style) == double_quoted_the_long_way(value)


def plain_the_long_way(value: str) -> str:
    """A YAML scalar in the style PyYAML's emitter chooses (plain where it can)."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**9).rstrip("\n")
    return dumped.removesuffix("\n...")


#: What decides whether the emitter writes text plain: indicators, spaces, comments, breaks,
#: and words and numbers that would read back as something else; and what breaks a
#: single-quoted value (a control character, a document marker after a break).
TROUBLE = ["a", "Z", "de", "ü", "1", "2026-01-02", "0x1F", "1_000", ".5", "yes", "No", "null", "~", "on", "=",
           "<<", " ", "  ", ":", ": ", "://", "#", " #", "-", "- ", "?", ",", "[", "]", "{", "}", "&", "*", "!", "|",
           ">", "'", '"', "%", "@", "`", "\\", "\t", "\n", "\r", "\x85", "\u2028", "\u2029", "\xa0", "\ufeff",
           "\ufffe", "\U0001f600", "\U0010ffff", "\x00", "---", "...", "\u2028--- ", "\r... ",
           "https://x.example/de/a"]
PLAIN_PIECES = st.sampled_from(TROUBLE)
hostile_values = st.one_of(st.text(), st.lists(PLAIN_PIECES, max_size=8).map("".join),
                           st.lists(PLAIN_PIECES, max_size=4).map(lambda p: "a" + "".join(p)),
                           st.lists(BOUNDARY_CHARACTERS, max_size=12).map("".join))


@settings(max_examples=2000, deadline=None)
@given(hostile_values)
def test_plain_values_are_what_the_emitter_writes(value: str) -> None:
    assert article.render_value.__wrapped__(value, None) == plain_the_long_way(value)
    if article._PLAIN.fullmatch(value) and article._resolves_to_text(value):
        assert plain_the_long_way(value) == value


def test_a_plain_value_the_emitter_leaves_plain_skips_it(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the emitter was called")
    monkeypatch.setattr(yaml, "safe_dump", refuse)
    for value in ("de", "https://x.example/de/a?b=1#c", "Ein Titel, [mit] Klammern"):
        assert article.render_value.__wrapped__(value, None) == value


# -- keeps_keys: the keys of a rewritten head without parsing it -------------------------

#: A key's value in the English head, written in each way YAML allows ({k} the key, {v} a
#: string): styles, the next line, comments, tags, anchors, block scalars, and values that
#: are no strings (config may still set them).
VALUE_FORMS = ["{k}: {v}", "{k}: '{v}'", '{k}: "{v}"', "{k}: |\n  {v}\n", "{k}: >-\n  {v}\n  more\n",
               "{k}: |+\n  {v}\n\n", "{k}:\n  {v}", '{k}:\n  "{v}"', "{k}: {v} # note", '{k}: "{v}"# note',
               "{k}: !!str {v}", "{k}: &a{k} {v}\n{k}2: *a{k}", "{k}: &b{k} {v}\n*b{k} : other",
               "? {k}\n: {v}", "{k}: {v}\n  with more", "{k}: {v}\n   # indented comment", "{k}:", "{k}: 12",
               "{k}: [a, b]", "{k}:\n  a: {v}\n  b: 2", "{k}:\n  - {v}\n  - b", "{k}: 2026-01-02", '"{k}": "{v}"']
FLOW_FORMS = ["{k}: {v}", "{k}: '{v}'", '{k}: "{v}"', '"{k}": "{v}"', "{k}: [a, b]", "{k}: 12", "{k}: !!str {v}",
              "{k}: &a{k} {v}"]
ENGLISH = st.sampled_from(["Hello", "Hello World", "https://x.example/en/a", "A: b", "x"])
KEYS = ["title", "url", "language", "summary"]
#: New values with nothing to quote, so that one hostile value among them decides.
BENIGN = st.sampled_from(["Neu", "Hallo Welt", "https://x.example/de/a", "Grüße aus Köln", "de"])


@st.composite
def heads(draw) -> str:
    """An English head: a block mapping (at the margin or indented, LF or CRLF) or a flow one."""
    flow = draw(st.booleans()) and draw(st.booleans())
    forms = [draw(st.sampled_from(FLOW_FORMS if flow else VALUE_FORMS)).format(k=k, v=draw(ENGLISH)) for k in KEYS]
    if flow:
        yaml_text = "{" + ", ".join(forms) + "}\n"
    else:
        indent = draw(st.sampled_from(["", "  "]))
        yaml_text = "".join(indent + line + "\n" for form in forms for line in form.split("\n") if line or form.endswith("\n\n"))
    head = "---\n" + yaml_text + "---\n"
    return head.replace("\n", "\r\n") if draw(st.booleans()) and not flow else head


def keys_of(head: str) -> list[str]:
    return [f.key for f in article.parse(head).fields]


KEEPS_KEYS_COUNTS: Counter = Counter()


@settings(max_examples=3000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(heads(), st.dictionaries(st.sampled_from(KEYS + ["title2"]), BENIGN, max_size=3),
       st.sampled_from(KEYS), hostile_values,
       st.sampled_from([{}, {}, {}, {"language": "de"}, {"state": "{status: draft}"}, {"title": '"raw"'}]))
def test_a_head_keeps_keys_is_sure_of_has_the_english_keys(head: str, values: dict, key: str, value: str,
                                                            raw: dict) -> None:
    values = {**values, key: value}
    try:
        doc = article.parse(head)
    except InputError:
        KEEPS_KEYS_COUNTS["english does not parse"] += 1
        return
    if not article.keeps_keys(doc, values, raw):
        KEEPS_KEYS_COUNTS["parsed"] += 1
        return
    KEEPS_KEYS_COUNTS["sure"] += 1
    assert keys_of(article.rewrite_head(doc, values, raw)) == [f.key for f in doc.fields]


def every_head() -> list[str]:
    """Heads with ``title`` written in each form, the other keys plain."""
    found = []
    for form in VALUE_FORMS:
        lines = (form.format(k="title", v="Hello") + "\nurl: Hello\nlanguage: Hello").split("\n")
        for indent in ("", "  "):
            head = "---\n" + "".join(indent + line + "\n" for line in lines if line) + "---\n"
            found += [head, head.replace("\n", "\r\n")]
    return found + ["---\n{" + form.format(k="title", v="Hello") + ", url: Hello}\n---\n" for form in FLOW_FORMS]


def test_keeps_keys_is_sure_only_of_heads_with_the_english_keys() -> None:
    """Every head form with every piece of trouble in, before and after a letter."""
    values = [v for p in TROUBLE for v in (p, "a" + p, "a" + p + "b", p + "a")]
    outcomes: Counter = Counter()
    for head in every_head():
        try:
            doc = article.parse(head)
        except InputError:
            continue
        keys = [f.key for f in doc.fields]
        for value in values:
            sure = article.keeps_keys(doc, {"title": value, "url": "https://x.example/de/a"})
            outcomes[sure] += 1
            if sure:
                assert keys_of(article.rewrite_head(doc, {"title": value, "url": "https://x.example/de/a"})) == keys
    assert outcomes[True] > 1000 and outcomes[False] > 1000


def test_report_how_often_keeps_keys_was_sure() -> None:
    """Runs after the property (file order): both outcomes must have been met, often.

    The property is derandomized, so these counts are the same on every run of one
    hypothesis version; the floor leaves room for another version's choices (about
    one head in ten is one ``keeps_keys`` can be sure of).
    """
    print(f"\nkeeps_keys property: {dict(KEEPS_KEYS_COUNTS)}")
    assert KEEPS_KEYS_COUNTS["sure"] >= 150 and KEEPS_KEYS_COUNTS["parsed"] >= 300


@pytest.mark.parametrize("value", ["a\u2028--- b", "a\x00b"])
def test_a_value_only_a_parse_can_judge_is_parsed(value: str) -> None:
    # written single-quoted as it is: a document marker after a line separator, a control
    doc = article.parse("---\ntitle: 'x'\nurl: y\n---\n")
    assert not article.keeps_keys(doc, {"title": value})
    with pytest.raises(InputError):
        article.parse(article.rewrite_head(doc, {"title": value}))
