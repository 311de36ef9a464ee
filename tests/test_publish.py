"""The publishing core: whatever the catalog says, the German article has the English
structure, and every translation that falls back is named by ``l10n check``.

The structure is judged here by a reading of markdown-it-py's tokens written for the test
(:func:`skeleton_of`), not by :mod:`l10n.structure`, so the invariant is checked by something
other than the code that enforces it.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from l10n import article, check, config, merge, pofile, publish, structure, workflow
from l10n.engines.simple import PAD, PseudoEngine
from l10n.engines.base import Job
from l10n.cli import main
from l10n.errors import InputError

from .conftest import EXAMPLES, write_site

TODAY = date(2026, 3, 1)
CONFIG = config.from_table({"target_langs": ["de"]}, Path("/site"))
_MD = MarkdownIt("commonmark").enable("table")


def same_structure(german: str, english: str) -> bool:
    """The German article has the English blocks, definitions and inline markup, and its
    front matter the English keys (then the state key l10n adds)."""
    *body_de, keys_de = skeleton_of(german)
    *body_en, keys_en = skeleton_of(english)
    return body_de == body_en and keys_de[:len(keys_en)] == keys_en


def skeleton_of(article: str) -> tuple:
    """What no translation may change, read from markdown-it-py's tokens: block tokens with
    their markers and code, reference definitions, and the inline targets, code, breaks and
    raw HTML of the whole article (front matter: its keys)."""
    head, body = "", article
    if article.startswith("---\n"):
        end = article.index("\n---\n", 3)
        head, body = article[4:end], article[end + 5:]
    env: dict = {}
    tokens = _MD.parse(body, env)
    blocks, inline = [], Counter()
    for t in tokens:
        if t.type == "inline":
            for c in t.children or []:
                if c.type in ("link_open", "image"):
                    inline[(c.type, c.attrGet("href") or c.attrGet("src"))] += 1
                elif c.type in ("code_inline", "html_inline"):
                    inline[(c.type, c.content)] += 1
                elif c.type == "hardbreak":
                    inline["hardbreak"] += 1
            continue
        verbatim = t.content if t.type in ("fence", "code_block", "html_block") else ""
        blocks.append((t.type, t.tag, t.nesting, t.markup, t.info, str(t.attrs), verbatim))
    refs = sorted((k, v["href"]) for k, v in env.get("references", {}).items())
    keys = [line.split(":")[0] for line in head.splitlines() if line and not line[0].isspace()]
    return tuple(blocks), refs, inline, keys


def prepared(source: Path | str, text: str | None = None) -> workflow.Prepared:
    text = text if text is not None else Path(source).read_text(encoding="utf-8")
    return workflow.prepare(CONFIG, "de", Path("/site/content/en/a.md"), text, None, TODAY)


def reviewed(work: workflow.Prepared, translations: dict[str, str]):
    """The article's catalog with these translations reviewed, read back from its text
    (so entries have their line numbers)."""
    po = pofile.loads(pofile.dumps(work.po))  # a copy: work is shared between examples
    for e in po:
        if e.msgid in translations:
            e.msgstr = translations[e.msgid]
    return pofile.loads(pofile.dumps(po))


def named_lines(work: workflow.Prepared, po) -> set[int]:
    found = workflow.publication(CONFIG, work, po)
    return {p.line for p in check.translation_problems("a.po", po, found, CONFIG) if p.severity == "error"}


# -- the property ------------------------------------------------------------------------

FRAGMENTS = ["```", "~~~", "#", "# ", ">", "> ", "- ", "1.", "1)", "|", "[x]: /url", "[p]: //evil.example/",
             "<div>", "<!--", "***", "===", "---", "    ", "\\", "\r", "\n", "\n\n", "\u2028", "{{<", ">}}",
             "Wort", "neue", "Modelle", " ", "*", "_", "`", "[", "]", "(", ")", "<b>", "\t", "\u200b"]
translations = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=10).map("".join)
#: An article whose reference definitions have titles, which are segments of their own.
TITLED = ('---\ntitle: "Papers"\n---\n\nRead [the paper][p] and [the brief][b], or [this][p].\n\n'
          '[p]: https://example.org/x "Policy paper"\n> [b]: /brief\n>   (Brief)\n')
EXAMPLE_WORK = [prepared(p) for p in EXAMPLES] + [prepared("titled.md", TITLED)]
EXAMPLE_COUNTS: Counter = Counter()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_translation_breaks_the_article_structure(data) -> None:
    work = data.draw(st.sampled_from(EXAMPLE_WORK))
    texts = sorted({s.text for s in work.segments})
    chosen = data.draw(st.lists(st.sampled_from(texts), min_size=1, max_size=3, unique=True))
    hostile = {t: data.draw(translations) for t in chosen}
    po = reviewed(work, hostile)
    found = workflow.publication(CONFIG, work, po)
    english = work.skeleton.article.head + work.skeleton.article.body
    assert same_structure(found.text, english)
    lines = named_lines(work, po)
    for e in po:
        verdict = found.verdicts.get(e.msgid)
        if verdict is not None and not verdict.published and e.msgstr and e.msgstr != e.msgid:
            assert e.linenum in lines, (e.msgid, e.msgstr)
    EXAMPLE_COUNTS["examples"] += 1


def test_report_how_many_examples_ran() -> None:
    """Runs after the property (file order): it must have run, and says how often."""
    print(f"\nwhole-article property: {EXAMPLE_COUNTS['examples']} examples")
    assert EXAMPLE_COUNTS["examples"] >= 100


# -- the front matter's keys, without parsing it where it cannot have changed -----------

def front_matter_keys_the_long_way(skeleton, segments, chosen: dict[str, str]):
    """:func:`publish._front_matter_keys` as it was: it parses every German head."""
    doc = skeleton.article
    translated = [s for s in segments if s.key is not None and s.text in chosen]
    if not doc.head or not translated:
        return chosen, {}
    head = merge.front_matter(skeleton, segments, chosen, CONFIG, "de", None)
    try:
        keys = [f.key for f in article.parse(head).fields]
    except InputError as e:
        message = f"the German front matter would not parse ({e.message})"
    else:
        if keys[:len(doc.fields)] == [f.key for f in doc.fields]:
            return chosen, {}
        message = "the German front matter would not have the English keys"
    kept = {k: v for k, v in chosen.items() if k not in {s.text for s in translated}}
    return kept, {s.text: publish.markup.Problem(publish.STRUCTURE, message) for s in translated}


#: How the English head writes a key (``{k}``) and its value (``{v}``).
HEAD_FORMS = ["{k}: {v}", "{k}: '{v}'", '{k}: "{v}"', "{k}: |\n  {v}", "{k}: >-\n  {v}", "{k}:\n  {v}",
              '{k}: "{v}" # note', "{k}: &a{k} {v}\n{k}_too: *a{k}", "{k}: &b{k} {v}\n*b{k} : {k}_named",
              "{k}: !!str {v}", "{k}:"]
HEAD_VALUES = {"title": "Open models", "description": "A short text", "language": "en",
               "url": "https://n.example/en/story/a/"}
FRONT_MATTER_TROUBLE = st.lists(st.sampled_from(
    ["Offene", " ", "Modelle", '"', "'", "\\", ":", ": ", "#", " #", "\n", "\u2028", "\t", "---", "\U0001f600",
     "yes", "- ", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@", "`", "\x85", "\ufeff", "?",
     "\u2028--- x", "\x00"]),
    max_size=8).map("".join)
FRONT_MATTER_COUNTS: Counter = Counter()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_front_matter_keys_are_judged_as_a_parse_judges_them(data) -> None:
    lines = [data.draw(st.sampled_from(HEAD_FORMS)).format(k=k, v=v) for k, v in HEAD_VALUES.items()]
    yaml_text = "\n".join(lines)
    if data.draw(st.booleans()) and all("\n" not in line for line in lines):
        yaml_text = "{" + ", ".join(lines) + "}"  # a flow mapping
    text = "---\n" + yaml_text + "\n---\n\nBody text.\n"
    try:
        work = prepared("a.md", text)
    except InputError:
        return
    texts = sorted({s.text for s in work.segments if s.key is not None})
    chosen = {t: data.draw(st.one_of(st.sampled_from(["Offene Modelle", "Offene, [Modelle]"]), FRONT_MATTER_TROUBLE))
              for t in texts}
    chosen = {t: v for t, v in chosen.items() if v}
    shortcut = publish._front_matter_keys(CONFIG, "de", work.skeleton, work.segments, dict(chosen))
    assert shortcut == front_matter_keys_the_long_way(work.skeleton, work.segments, dict(chosen))
    FRONT_MATTER_COUNTS["refused" if shortcut[1] else "kept"] += 1


def test_report_how_many_front_matter_examples_ran() -> None:
    """Runs after the property (file order): both outcomes must have been met."""
    print(f"\nfront matter keys property: {dict(FRONT_MATTER_COUNTS)}")
    assert FRONT_MATTER_COUNTS["kept"] >= 100 and FRONT_MATTER_COUNTS["refused"] >= 10


# -- the cases that got through before ---------------------------------------------------

ARTICLE = """---
title: "Models"
---

# Models

See the [page][p] now.

A paragraph of text.

Line one  
line two.

Para <b>one</b> and <i>two</i>.

| one | two |
|-----|-----|
| eins | zwei |

[p]: https://example.test/page
"""


@pytest.mark.parametrize("source, translation, code", [
    ("A paragraph of text.", "~~~", "block-type"),
    ("A paragraph of text.", "Absatz\r# Boom", "control-character"),
    ("eins", "eins\r\r# Kopf", "control-character"),
    ("See the [page][p] now.", "Siehe die [Seite][p].\n\n[p]: //evil.example/", "link-target"),
    ("A paragraph of text.", "Ein Absatz.\n\n[p]: //evil.example/", "link-target"),
    ("A paragraph of text.", "\u200b", "invisible"),
    ("A paragraph of text.", "Ein \u202eAbsatz.", "bidi-control"),
    ("A paragraph of text.", "Ein Absatz. {{< youtube x >}}", "template"),
    ("A paragraph of text.", "Klick [hier](javascript:alert(1))", "unsafe-html"),
    ("A paragraph of text.", "Siehe [hier](file:///etc/passwd)", "link-target"),
    ("A paragraph of text.", "Klick <javascript:alert(1)>", "link-target"),
    ("A paragraph of text.", "![x](vbscript:msgbox)", "image-source"),
    ("A paragraph of text.", "[x]: javascript:alert(1)", "block-type"),
    ("A paragraph of text.", "\u3164", "invisible"),
    ("A paragraph of text.", "&#8203;", "invisible"),
    ("Para <b>one</b> and <i>two</i>.", "Absatz </b>eins<b> und </i>zwei<i>.", "inline-html"),
    ("Line one  \nline two.", "Zeile eins Zeile zwei.", "structure"),
    # what Hugo's Goldmark reads beyond CommonMark: heading attributes, definition lists
    ("Models", 'Modelle {id="hijack"}', "structure"),
    ("Models", 'Modelle {style="display:none"}', "structure"),
    ("A paragraph of text.", "Der Absatz\n: ist Text.", "structure"),
    ("A paragraph of text.", ": ist Text.", "structure"),
    # the front matter publishes the text the checks judged: its lines joined, control characters kept
    ("Models", "Modelle\r\nneu", "control-character"),
    ("Models", "Modelle\x1c\nneu", "control-character"),
])
def test_unsafe_translation_is_published_in_english_and_named(source, translation, code) -> None:
    work = prepared("a.md", ARTICLE)
    po = reviewed(work, {source: translation})
    found = workflow.publication(CONFIG, work, po)
    assert not found.verdicts[source].published
    assert code in {p.code for p in found.verdicts[source].problems}
    assert same_structure(found.text, ARTICLE)
    assert "evil" not in found.text and "\r" not in found.text and "{{<" not in found.text
    (entry,) = [e for e in po if e.msgid == source]
    assert named_lines(work, po) == {entry.linenum}


@pytest.mark.parametrize("source, translation", [
    ("A paragraph of text.", "~~~"),
    ("A paragraph of text.", "Absatz\n# Boom"),
    ("See the [page][p] now.", "Siehe die [Seite][p].\n\n[p]: //evil.example/"),
    ("A paragraph of text.", "Ein Absatz.\n\n[p]: //evil.example/"),
    ("Line one  \nline two.", "Zeile eins Zeile zwei."),
    ("A paragraph of text.", "Text\n\n| a | b |\n|---|---|"),
    ("A paragraph of text.", "<div>"),
    ("eins", "eins\r\r# Kopf"),
    ("Models", 'Modelle {id="hijack"}'),
    ("A paragraph of text.", "Der Absatz\n: ist Text."),
])
def test_whole_article_invariant_alone_catches_what_segment_checks_would(monkeypatch, source, translation):
    """With the segment checks switched off, the whole-article comparison still publishes
    the English structure and names the entry: it is the guarantee, not a backstop."""
    monkeypatch.setattr(publish, "segment_problems", lambda *args, **kwargs: ())
    work = prepared("a.md", ARTICLE)
    po = reviewed(work, {source: translation})
    found = workflow.publication(CONFIG, work, po)
    assert same_structure(found.text, ARTICLE)
    assert not found.verdicts[source].published and found.verdicts[source].problems
    (entry,) = [e for e in po if e.msgid == source]
    assert named_lines(work, po) == {entry.linenum}


def test_a_structure_break_only_costs_the_segment_that_made_it() -> None:
    work = prepared("a.md", ARTICLE)
    po = reviewed(work, {"A paragraph of text.": "```", "Models": "Modelle", "zwei": "two | drei"})
    found = workflow.publication(CONFIG, work, po)
    assert "# Modelle\n" in found.text and "| eins | two \\| drei |" in found.text
    assert not found.verdicts["A paragraph of text."].published
    assert found.verdicts["Models"].published and found.verdicts["zwei"].published
    assert same_structure(found.text, ARTICLE)


def test_pseudo_drafts_never_split_words_and_pass_the_check() -> None:
    texts = ["Use snake_case_name here.", "A naive model", "Run `ls` and see [x](https://x.test)."]
    drafts = PseudoEngine().translate([Job(t) for t in texts], source="en", target="de").drafts
    assert drafts[0].startswith("Üšé" + PAD) and "šñäké_çäšé_ñämé" + PAD in drafts[0]
    assert all("~" not in d for d in drafts)
    for source, draft in zip(texts, drafts):
        assert check_clean(source, draft)


def check_clean(source: str, draft: str) -> bool:
    from l10n import markup
    return markup.check(source, draft) == []


def test_pseudo_then_check_is_clean_on_the_example_site(example_site) -> None:
    import shutil
    shutil.rmtree(example_site / "locales")
    shutil.rmtree(example_site / "content/de")
    assert main(["--root", str(example_site), "translate", "--engine", "pseudo"]) == 0
    assert main(["--root", str(example_site), "check"]) == 0


SPEC = json.loads((Path(__file__).parent / "data" / "commonmark-spec.json").read_text(encoding="utf-8"))


def test_pseudo_then_check_is_clean_on_every_commonmark_spec_example(tmp_path, capsys) -> None:
    articles = {f"ex{case['example']:03d}.md": f"# Example {case['example']}\n\n{case['markdown']}"
                for case in SPEC}
    site = write_site(tmp_path / "site", articles)
    assert main(["--root", str(site), "translate", "--engine", "pseudo"]) == 0
    capsys.readouterr()
    status = main(["--root", str(site), "check", "--format", "json"])
    errors = [p for p in json.loads(capsys.readouterr().out)["problems"] if p["severity"] == "error"]
    assert (status, errors) == (0, [])
    translated = sum("\u02d0" in (site / "content/de" / name).read_text(encoding="utf-8") for name in articles)
    assert translated == len(articles)  # each got at least its pseudo-translated heading
    print(f"\nCommonMark spec: {len(articles)} examples translated and checked")


def test_stamp_tells_a_hand_edit(tmp_path) -> None:
    text = publish.stamp("---\ntitle: x\ntranslation: {status: draft, reviewed: 0}\n---\nText\n", "translation")
    assert publish.edited_by_hand(text, "translation") is False
    assert publish.edited_by_hand(text.replace("Text", "Test"), "translation") is True
    assert publish.edited_by_hand("---\ntitle: x\n---\nText\n", "translation") is None
    assert publish.unstamp(text, "translation").endswith("translation: {status: draft, reviewed: 0}\n---\nText\n")


def test_segment_work_does_not_grow_with_the_article_definitions(monkeypatch) -> None:
    """Each segment is judged with the definitions it names, not all of the article's: the
    time per segment must not grow with the number of definitions (quadratic before)."""
    from l10n import markup, structure

    n = 300
    rows = "".join(f"| Row {i} | see [source {i}][s{i}] |\n" for i in range(n))
    defs = "".join(f"[s{i}]: https://example.test/{i}\n" for i in range(n))
    work = prepared("a.md", "# T\n\n| A | B |\n|---|---|\n" + rows + "\n" + defs)
    po = reviewed(work, {s.text: s.text.replace("see", "siehe").upper() for s in work.segments})
    seen = []
    check, facts = markup.check, structure.inline_facts

    def counted_check(source, translation, refs=None, **kwargs):
        seen.append(len(refs or ()))
        return check(source, translation, refs, **kwargs)

    def counted_facts(md, refs=()):
        seen.append(len(refs))
        return facts(md, refs)

    monkeypatch.setattr(markup, "check", counted_check)
    monkeypatch.setattr(structure, "inline_facts", counted_facts)
    found = workflow.publication(CONFIG, work, po)
    assert not found.withheld() and "SIEHE [SOURCE 7][S7]" in found.text
    assert len(seen) > n and max(seen) == 1


def counted_parses(monkeypatch) -> list[int]:
    """Count the whole-article comparisons publish makes (one parse of the German each)."""
    from l10n import structure

    calls: list[int] = []
    of = structure.of
    monkeypatch.setattr(structure, "of", lambda body: calls.append(1) or of(body))
    return calls


def test_many_inline_breaks_cost_one_comparison(monkeypatch) -> None:
    n = 200
    work = prepared("a.md", "# T\n\n" + "".join(f"Line {i}  \nmore {i}.\n\n" for i in range(n)))
    po = reviewed(work, {s.text: s.text.replace("  \n", " ") for s in work.segments if "\n" in s.text})
    calls = counted_parses(monkeypatch)
    found = workflow.publication(CONFIG, work, po)
    assert len(found.withheld()) == n and len(calls) <= 2
    assert same_structure(found.text, work.skeleton.article.body)


def test_block_breaks_that_resync_cost_one_comparison(monkeypatch) -> None:
    """Every other list item starts with blank lines: each ends the list there, and the
    next (good) item starts it again, so all are found in one comparison, and only they."""
    n = 200
    work = prepared("a.md", "# T\n\n" + "".join(f"- item {i} text\n" for i in range(n)))
    po = reviewed(work, {f"item {i} text": f"\n\nitem {i} text" if i % 2 else f"Punkt {i}" for i in range(n)})
    calls = counted_parses(monkeypatch)
    found = workflow.publication(CONFIG, work, po)
    assert set(found.withheld()) == {f"item {i} text" for i in range(1, n, 2)}
    assert len(calls) <= 2 and "- Punkt 198\n- item 199 text\n" in found.text
    assert same_structure(found.text, work.skeleton.article.body)


def test_a_cascade_of_block_breaks_costs_logarithmic_comparisons(monkeypatch) -> None:
    """Every list item breaks the next one: after a few precise rounds, each round holds
    back twice as many following translations."""
    n = 1000
    work = prepared("a.md", "# T\n\n" + "".join(f"- item {i} text\n" for i in range(n)))
    po = reviewed(work, {f"item {i} text": f"\n\nitem {i} text" for i in range(n)})
    calls = counted_parses(monkeypatch)
    found = workflow.publication(CONFIG, work, po)
    assert len(found.withheld()) == n
    assert len(calls) <= publish.PRECISE_ROUNDS + n.bit_length() + 2
    assert same_structure(found.text, work.skeleton.article.body)


def test_a_new_reference_definition_costs_only_the_translation_that_holds_it(monkeypatch) -> None:
    monkeypatch.setattr(publish, "segment_problems", lambda *args, **kwargs: ())  # the comparison alone
    work = prepared("a.md", ARTICLE)
    po = reviewed(work, {"Models": "Modelle", "eins": "one", "zwei": "two",
                         "A paragraph of text.": "Ein Absatz.\n\n[p]: //evil.example/"})
    found = workflow.publication(CONFIG, work, po)
    assert [m for m, v in found.verdicts.items() if not v.published and v.state == "reviewed"] == [
        "A paragraph of text."]
    assert "evil" not in found.text and same_structure(found.text, ARTICLE)


# -- titles of reference definitions -------------------------------------------------------

def titled(translations: dict[str, str]) -> publish.Publication:
    work = prepared("titled.md", TITLED)
    return workflow.publication(CONFIG, work, reviewed(work, translations))


def test_a_reference_title_is_translated_and_nothing_else_of_its_definition() -> None:
    found = titled({"Policy paper": "Grundsatzpapier", "Brief": "Kurzfassung"})
    assert found.text.endswith('[p]: https://example.org/x "Grundsatzpapier"\n> [b]: /brief\n>   (Kurzfassung)\n')
    assert found.verdicts["Policy paper"].published and not found.verdicts["Policy paper"].problems


@pytest.mark.parametrize("title, refused", [
    ('Papier" [q]: https://evil.example/ "x', {"link-target"}),  # a URL the English has not
    ('Papier" [q]: /evil "x', set()),                             # its quotes are escaped
    ("Papier)\n[p]: /evil", set()),                              # a line break is a space
])
def test_a_title_translation_cannot_change_a_label_or_destination(title: str, refused: set) -> None:
    found = titled({"Policy paper": title, "Brief": title})
    english = TITLED.split("---\n", 2)[2]
    assert same_structure(found.text, english)  # the same labels and destinations
    assert {p.code for p in found.verdicts["Policy paper"].problems} == refused
    if refused:
        assert '"Policy paper"' in found.text and "evil" not in found.text
    elif '"' in title:
        assert found.text.endswith('[p]: https://example.org/x "Papier\\" [q]: /evil \\"x"\n> [b]: /brief\n'
                                   '>   (Papier" [q]: /evil "x)\n')
    else:
        assert found.text.endswith('[p]: https://example.org/x "Papier) [p]: /evil"\n> [b]: /brief\n'
                                   '>   (Papier\\) [p]: /evil)\n')


def test_a_title_ending_in_a_backslash_keeps_its_closing_quote() -> None:
    found = titled({"Policy paper": "Grundsatzpapier\\", "Brief": "Kurz\\"})
    assert found.verdicts["Policy paper"].published and not found.verdicts["Policy paper"].problems
    assert found.text.endswith('[p]: https://example.org/x "Grundsatzpapier\\\\"\n> [b]: /brief\n>   (Kurz\\\\)\n')
    english = TITLED.split("---\n", 2)[2]
    assert same_structure(found.text, english)
    rendered = _MD.render(found.text)
    assert 'title="Grundsatzpapier\\"' in rendered  # the reader sees one backslash


def test_a_title_that_gains_a_url_is_refused() -> None:
    found = titled({"Policy paper": "Papier auf https://evil.example/"})
    assert {p.code for p in found.verdicts["Policy paper"].problems} == {"link-target"}
    assert '"Policy paper"' in found.text


def test_a_paragraph_that_redefines_a_label_is_refused() -> None:
    para = "Read [the paper][p] and [the brief][b], or [this][p]."
    found = titled({para: "Lies [das Papier][p] und [die Kurzfassung][b].\n\n[p]: https://evil.example/"})
    assert not found.verdicts[para].published and "evil" not in found.text


def test_the_structure_compares_labels_and_destinations_not_titles() -> None:
    english = structure.of('[p]: /x "Policy paper"\n')
    assert structure.compare(english, structure.of('[p]: /x "Grundsatzpapier"\n')) is None
    assert structure.compare(english, structure.of('[p]: /evil "Policy paper"\n')) is not None
    assert structure.compare(english, structure.of('[q]: /x "Policy paper"\n')) is not None
