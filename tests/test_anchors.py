"""Heading anchors: the slug rules against their renderers' documented examples, and links to
a heading of the same article that follow the heading into German (and nothing else).

Hugo's rules are also checked against Hugo itself, in ``test_hugo.py``.
"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from l10n import anchors, config, extract, markup, pofile, publish
from l10n.anchors import Heading
from l10n.cli import main
from l10n.errors import ConfigError

from .conftest import write_site


def ids(rule: str, *texts: str) -> list[str]:
    return anchors.heading_ids(rule, [Heading(t) for t in texts])


# -- GitHub: github-slugger's fixtures -----------------------------------------------------

@pytest.mark.parametrize("text, slug", [
    ("alpha", "alpha"),
    ("bravoCharlieDelta", "bravocharliedelta"),
    ("heading with a - dash", "heading-with-a---dash"),
    ("heading with an _ underscore", "heading-with-an-_-underscore"),
    ("heading with a period.txt", "heading-with-a-periodtxt"),
    ("exchange.bind_headers(exchange, routing [, bindCallback])", "exchangebind_headersexchange-routing--bindcallback"),
    (" a ", "-a-"),
    ("apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"),
    ("I ♥ unicode", "i--unicode"),
    ("en–dash", "endash"),
    ("😄 - an emoji", "---an-emoji"),
    (":ok_hand: Single", "ok_hand-single"),
    ("Привет non-latin 你好", "привет-non-latin-你好"),
    ("a) ] } ༻ ⁆ 〉 ｣b", "a------b"),
    ("a$ ¢ £ €b", "a---b"),
    ("aⒶ ⓩb", "aⓐ-ⓩb"),
])
def test_github_slugger_fixtures(text: str, slug: str) -> None:
    assert anchors.github_slug(text) == slug


def test_github_numbers_duplicates_as_github_slugger() -> None:
    assert ids("github", "echo", "echo", "echo 1", "echo-1", "echo") == ["echo", "echo-1", "echo-1-1", "echo-1-2", "echo-2"]
    assert ids("github", "foxtrot-1", "foxtrot", "foxtrot") == ["foxtrot-1", "foxtrot", "foxtrot-2"]
    assert ids("github", "golf", "golf", "golf") == ["golf", "golf-1", "golf-2"]


def test_github_reads_the_heading_as_rendered_text() -> None:
    assert ids("github", "What *changes* for [visitors](https://x.example/v) in `v2`") == [
        "what-changes-for-visitors-in-v2"]


# -- markdown-it-anchor's default slugify and numbering -----------------------------------

def test_markdown_it_anchor_slugify_and_duplicates() -> None:
    assert ids("markdown-it-anchor", "H1", "Title", "Title", "Title") == ["h1", "title", "title-1", "title-2"]
    assert ids("markdown-it-anchor", "  Über  *die* `Brücke` ") == ["%C3%BCber-die-br%C3%BCcke"]
    assert ids("markdown-it-anchor", "Fish & chips (2)!") == ["fish-%26-chips-(2)!"]


# -- Hugo (Goldmark): the heading's source text --------------------------------------------

def test_hugo_reads_the_source_text_and_explicit_ids() -> None:
    assert ids("hugo", "A [link](https://x.example/a) &amp; *more*", "Kept {#own-id}", "", "Kept") == [
        "a-linkhttpsxexamplea-amp-more", "own-id", "heading", "kept"]
    assert ids("hugo-ascii", "Ärger über Öl") == ["arger-uber-ol"]
    assert ids("hugo-blackfriday", "Ärger -- über  Öl!") == ["ärger-über-öl"]


def test_an_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown slug rule 'gitlab'"):
        ids("gitlab", "x")


# -- publishing: links follow their heading ---------------------------------------------

ARTICLE = """\
---
title: Harbour
---
Read [what changes](#what-changes) or [the timeline](#timeline "Dates").

## What changes

Ferries leave every hour. [Up](#what-changes), [down](#timeline-1), [away](https://x.example/#timeline).

## Timeline

## Timeline
"""
INTRO = 'Read [what changes](#what-changes) or [the timeline](#timeline "Dates").'
FERRIES = "Ferries leave every hour. [Up](#what-changes), [down](#timeline-1), [away](https://x.example/#timeline)."
GERMAN = {
    "What changes": "Was sich ändert",
    "Timeline": "Zeitplan",
    INTRO: 'Lies [was sich ändert](#what-changes) oder [den Zeitplan](#timeline "Daten").',
    FERRIES: "Fähren fahren stündlich. [Hoch](#what-changes), [runter](#timeline-1), [weg](https://x.example/#timeline).",
}


def published(translations: dict[str, str], rule: str = "hugo", article: str = ARTICLE) -> publish.Publication:
    skeleton, segments = extract.extract(article)
    po = polib.POFile()
    for s in dict.fromkeys(s.text for s in segments):
        po.append(polib.POEntry(msgid=s, msgstr=translations.get(s, "")))
    return publish.publish(config.Config(root=Path("."), anchors=rule, state_key=""), "de", skeleton, segments, po)


def body(found: publish.Publication) -> str:
    return found.text.split("---\n", 2)[2]


def test_links_point_at_the_german_headings_anchors() -> None:
    found = published(GERMAN)
    assert body(found) == """\
Lies [was sich ändert](#was-sich-ändert) oder [den Zeitplan](#zeitplan "Daten").

## Was sich ändert

Fähren fahren stündlich. [Hoch](#was-sich-ändert), [runter](#zeitplan-1), [weg](https://x.example/#timeline).

## Zeitplan

## Zeitplan
"""
    assert all(found.verdicts[msgid].published and not found.verdicts[msgid].problems for msgid in GERMAN)


def test_an_untranslated_paragraph_follows_a_translated_heading() -> None:
    found = published({"What changes": "Was sich ändert"})
    assert body(found).startswith('Read [what changes](#was-sich-ändert) or [the timeline](#timeline "Dates").')


def test_a_heading_published_in_english_keeps_its_english_anchor() -> None:
    german = {k: v for k, v in GERMAN.items() if k != "Timeline"}
    text = body(published(german))
    assert "[den Zeitplan](#timeline " in text and "[runter](#timeline-1)" in text
    assert "[was sich ändert](#was-sich-ändert)" in text


@pytest.mark.parametrize("rule, anchor", [("github", "#was-sich-ändert"),
                                          ("markdown-it-anchor", "#was-sich-%C3%A4ndert"),
                                          ("hugo-ascii", "#was-sich-andert")])
def test_each_rule_writes_its_own_anchor(rule: str, anchor: str) -> None:
    assert f"[was sich ändert]({anchor})" in body(published(GERMAN, rule))


def test_with_no_rule_links_keep_their_destinations() -> None:
    assert "[was sich ändert](#what-changes)" in body(published(GERMAN, "none"))


def test_a_translator_may_write_the_german_anchor() -> None:
    german = dict(GERMAN, **{INTRO: "Lies [was sich ändert](#was-sich-ändert) oder [den Zeitplan](#zeitplan 'Daten')."})
    found = published(german)
    assert found.verdicts[INTRO].published and not found.verdicts[INTRO].problems
    assert body(found).startswith("Lies [was sich ändert](#was-sich-ändert) oder [den Zeitplan](#zeitplan 'Daten').")


def test_any_other_change_of_target_is_refused() -> None:
    wrong = dict(GERMAN, **{INTRO: 'Lies [was sich ändert](#zeitplan) oder [den Zeitplan](#timeline "Daten").'})
    found = published(wrong)
    verdict = found.verdicts[INTRO]
    assert not verdict.published and {p.code for p in verdict.problems} == {"link-target"}
    # published in English, whose links still follow their headings
    assert body(found).startswith('Read [what changes](#was-sich-ändert) or [the timeline](#zeitplan "Dates").')


def test_an_explicit_id_stays_and_so_do_its_links() -> None:
    article = "---\ntitle: T\n---\nSee [details](#details).\n\n## Details {#details}\n"
    found = published({"Details {#details}": "Einzelheiten {#details}", "See [details](#details).":
                       "Siehe [Einzelheiten](#details)."}, article=article)
    assert body(found) == "Siehe [Einzelheiten](#details).\n\n## Einzelheiten {#details}\n"


def test_a_link_in_a_heading_that_changes_its_own_id_settles() -> None:
    article = "---\ntitle: T\n---\n## Intro\n\n## Back to [intro](#intro)\n\nSee [here](#back-to-introintro).\n"
    found = published({"Intro": "Einleitung", "Back to [intro](#intro)": "Zurück zur [Einleitung](#intro)",
                       "See [here](#back-to-introintro).": "Siehe [hier](#back-to-introintro)."}, article=article)
    assert body(found) == ("## Einleitung\n\n## Zurück zur [Einleitung](#einleitung)\n\n"
                           "Siehe [hier](#zurück-zur-einleitungeinleitung).\n")


def test_a_reference_definition_follows_its_heading() -> None:
    article = "---\ntitle: T\n---\nSee [the details][d].\n\n## Details\n\n[d]: #details 'On details'\n"
    found = published({"Details": "Einzelheiten", "See [the details][d].": "Siehe [die Einzelheiten][d]."},
                      article=article)
    assert body(found) == ("Siehe [die Einzelheiten][d].\n\n## Einzelheiten\n\n"
                           "[d]: #einzelheiten 'On details'\n")
    assert all(not v.problems for v in found.verdicts.values())


def test_a_crlf_article_keeps_its_line_endings() -> None:
    article = "---\r\ntitle: T\r\n---\r\nSee [it][d] or [here](#details).\r\n\r\n## Details\r\n\r\n[d]: #details\r\n"
    found = published({"Details": "Einzelheiten"}, article=article)
    assert found.text.endswith(
        "---\r\nSee [it][d] or [here](#einzelheiten).\r\n\r\n## Einzelheiten\r\n\r\n[d]: #einzelheiten\r\n")


def test_engines_never_see_the_destination() -> None:
    assert "what-changes" not in markup.protect(INTRO).xml


# -- the setting -------------------------------------------------------------------------

def test_the_rule_is_validated() -> None:
    with pytest.raises(ConfigError, match="anchors must be one of hugo, hugo-ascii, hugo-blackfriday, github, "
                                          "markdown-it-anchor, none, not 'gitlab'"):
        config.from_table({"target_langs": ["de"], "anchors": "gitlab"}, Path("."))


def test_translate_then_check_is_clean_and_check_names_a_wrong_anchor(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {"harbour.md": ARTICLE}, 'target_langs = ["de"]\nanchors = "github"\n')
    assert main(["--root", str(root), "translate", "--engine", "pseudo"]) == 0
    german = (root / "content" / "de" / "harbour.md").read_text(encoding="utf-8")
    assert "(#what-changes)" not in german and "(#timeline" not in german
    assert main(["--root", str(root), "check", "--no-cache"]) == 0
    po_path = root / "locales" / "de" / "harbour.po"
    po = pofile.load(po_path)
    entry = po.find(INTRO)
    entry.msgstr = "Lies [dies](#timeline) oder [das](#timeline)."
    entry.flags.remove("fuzzy")  # reviewed, and wrong
    po_path.write_text(pofile.dumps(po), encoding="utf-8")
    capsys.readouterr()
    assert main(["--root", str(root), "merge"]) == 0
    assert main(["--root", str(root), "check", "--no-cache"]) == 1
    assert "link-target" in capsys.readouterr().out


# -- the invariant -----------------------------------------------------------------------

PIECES = ["Zeitplan", "Was", " ", "-", "#", "## ", "[", "]", "(", ")", "](#", "what-changes", "timeline",
          "zeitplan", "timeline-1", "{#", "}", "*", "`", "\n", "[d]: #timeline", "Über", "!"]
_MD = MarkdownIt("commonmark")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_in_page_link_of_the_german_article_lands_on_a_heading(data) -> None:
    """Whatever the catalog says, each in-page link of the German body names the id the
    rule gives one of its headings (read here from markdown-it's tokens of the whole body)."""
    rule = data.draw(st.sampled_from(["hugo", "github", "markdown-it-anchor"]))
    hostile = {msgid: data.draw(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
               for msgid in data.draw(st.lists(st.sampled_from(sorted(GERMAN)), unique=True, max_size=4))}
    german = body(published(dict(GERMAN, **hostile), rule))
    tokens = _MD.parse(german)
    headings = [anchors.Heading(tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    ids = {anchors.href(i) for i in anchors.heading_ids(rule, headings)}
    links = [c.attrGet("href") for t in tokens if t.type == "inline" for c in t.children or []
             if c.type == "link_open" and (c.attrGet("href") or "").startswith("#")]
    assert links and set(links) <= ids, (german, ids)


# -- a German id that is another heading's English id -----------------------------------

CLASH = """\
---
title: Ferry
---
See [why](#background) and [how](#details).

## Background

## Details

[d]: #details
"""
SEE = "See [why](#background) and [how](#details)."
CLASHING = {"Background": "Details", "Details": "Einzelheiten"}


@pytest.mark.parametrize("translation, links", [
    ("Siehe [warum](#background) und [wie](#details).",  # the English anchors
     "Siehe [warum](#details) und [wie](#einzelheiten)."),
    ("Siehe [warum](#details) und [wie](#einzelheiten).",  # the German anchors
     "Siehe [warum](#details) und [wie](#einzelheiten)."),
    ("Siehe [wie](#einzelheiten) und [warum](#details).",  # the German anchors, reordered
     "Siehe [wie](#einzelheiten) und [warum](#details)."),
])
def test_a_german_id_equal_to_another_english_id_lands_on_its_heading(translation: str, links: str) -> None:
    found = published(dict(CLASHING, **{SEE: translation}), article=CLASH)
    assert body(found) == links + "\n\n## Details\n\n## Einzelheiten\n\n[d]: #einzelheiten\n"
    assert all(v.published and not v.problems for msgid, v in found.verdicts.items() if msgid != "Ferry")


def test_an_untranslated_link_follows_past_a_clash_and_duplicates_are_numbered() -> None:
    assert body(published(CLASHING, article=CLASH)).startswith("See [why](#details) and [how](#einzelheiten).")
    # "Details" twice in German: Hugo numbers the second
    found = published({"Background": "Details", SEE: "Siehe [warum](#details) und [wie](#details-1)."},
                      article=CLASH)
    assert body(found) == ("Siehe [warum](#details) und [wie](#details-1).\n\n"
                           "## Details\n\n## Details\n\n[d]: #details-1\n")
    assert found.verdicts[SEE].published


@pytest.mark.parametrize("translation", [
    "Siehe [warum](#einzelheiten) und [wie](#einzelheiten).",
    "Siehe [warum](#background) und [wie](#background).",
    "Siehe [warum](#details) und [wie](#details-1).",
])
def test_a_clash_accepts_no_other_target(translation: str) -> None:
    found = published(dict(CLASHING, **{SEE: translation}), article=CLASH)
    assert {p.code for p in found.verdicts[SEE].problems} == {"link-target"}
    assert body(found).startswith("See [why](#details) and [how](#einzelheiten).")


def test_a_link_to_no_heading_is_not_read_as_a_german_anchor() -> None:
    # "#einzelheiten" is no English heading: kept, and not taken for the German "Details"
    article = "---\ntitle: T\n---\nSee [it](#einzelheiten), [there](#details).\n\n## Details\n"
    see = "See [it](#einzelheiten), [there](#details)."
    found = published({"Details": "Einzelheiten", see: "Siehe [es](#einzelheiten), [dort](#details)."},
                      article=article)
    assert found.verdicts[see].published
    assert body(found).startswith("Siehe [es](#einzelheiten), [dort](#einzelheiten).")


CLASH_PIECES = ["Siehe ", "[a]", "(#", "background", "details", "einzelheiten", "details-1", ")", " ", "[d]",
                "#", "Details", "Einzelheiten", "\n"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_link_lands_on_the_heading_its_english_link_names(data) -> None:
    """Whatever the catalog says, the German body's in-page links name the same headings
    (by position) as the English body's, as many times each."""
    rule = data.draw(st.sampled_from(["hugo", "github"]))
    texts = ["Background", "Details", SEE]
    german = {msgid: data.draw(st.one_of(st.sampled_from(["Details", "Einzelheiten", "Background"]),
                                         st.lists(st.sampled_from(CLASH_PIECES), max_size=8).map("".join)))
              for msgid in data.draw(st.lists(st.sampled_from(texts), unique=True, max_size=3))}

    def targets(text: str) -> list[int]:
        env: dict = {}
        tokens = _MD.parse(text, env)
        headings = [anchors.Heading(tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
        index = {anchors.href(h): n for n, h in enumerate(anchors.heading_ids(rule, headings))}
        hrefs = [c.attrGet("href") for t in tokens if t.type == "inline" for c in t.children or []
                 if c.type == "link_open"] + [v["href"] for v in env.get("references", {}).values()]
        return sorted(index.get(h, -1) for h in hrefs if h.startswith("#"))

    german_body = body(published(german, rule, CLASH))
    assert targets(german_body) == targets(CLASH.split("---\n", 2)[2]), german_body
