"""Links between the two sites, and which articles get a German file at all.

The fixture is a small site of three articles that link to each other: ``harbour`` is
translated and reviewed, ``ferry`` is translated, ``tram`` has nothing translated.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from l10n import config, links, markup, structure, workflow
from l10n.cli import main

from .conftest import write_site

SITE = "https://news.example.test"


def article(slug: str, body: str, newline: str = "\n") -> str:
    text = (f"---\ntitle: \"{slug.title()} news\"\nslug: \"{slug}\"\nlanguage: en\n"
            f"url: {SITE}/en/story/{slug}\n---\n\n# {slug.title()} news\n\n{body}\n")
    return text.replace("\n", newline)


HARBOUR = article("harbour", "The [ferry timetable](https://news.example.test/en/story/ferry) changed, "
                             "and the [tram works](/en/story/tram) go on ([map](/en/story/tram/#map)).\n\n"
                             "More under [the tag](/en/tag/transport) or [elsewhere](https://other.example.test/en/x).")
FERRY = article("ferry", "Boats leave every hour.")
TRAM = article("tram", "Rails are being replaced. See [the harbour](/en/story/harbour).")


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def check(root: Path, capsys) -> tuple[int, dict]:
    capsys.readouterr()
    code = run(root, "check", "--format", "json")
    return code, json.loads(capsys.readouterr().out)


def codes(report: dict, *severities: str) -> list[tuple[str, str]]:
    return [(p["file"], p["code"]) for p in report["problems"] if p["severity"] in severities]


def translate(root: Path, name: str, change=lambda msgid: msgid, reviewed: bool = True) -> None:
    """Fill every entry of a catalog with ``change(msgid)``, reviewed or as a draft."""
    path = root / "locales/de" / f"{name}.po"
    po = polib.pofile(str(path))
    for e in po:
        e.msgstr = change(e.msgid)
        e.flags = [] if reviewed else ["fuzzy"]
        e.previous_msgid = None
        if not reviewed:
            e.comment = "machine translation: pseudo, 2026-03-01, 0000000000000000"
    po.save(str(path))
    assert run(root, "extract") == 0  # back in gettext's layout


@pytest.fixture
def two_sites(tmp_path: Path) -> Path:
    """Sources and catalogs: harbour reviewed, ferry reviewed, tram untranslated."""
    root = write_site(tmp_path / "site", {"harbour.md": HARBOUR, "ferry.md": FERRY, "tram.md": TRAM})
    assert run(root, "extract") == 0
    translate(root, "harbour")
    translate(root, "ferry", lambda m: m.replace("Boats leave every hour.", "Boote fahren stündlich."))
    assert run(root, "merge") == 0
    return root


def german(root: Path, name: str) -> str:
    return (root / "content/de" / f"{name}.md").read_text(encoding="utf-8")


# -- the mapping, pure ---------------------------------------------------------------

def test_site_links_derive_both_forms_from_the_url_rewrite(two_sites):
    site = workflow.site_links(config.load(two_sites), "de")
    assert site.pairs == ((f"{SITE}/en/", f"{SITE}/de/"), ("/en/", "/de/"))
    assert site.articles == {"story/harbour", "story/ferry", "story/tram"}
    assert site.published == {"story/harbour", "story/ferry"}


def test_configured_forms_replace_the_derived_ones(tmp_path):
    root = write_site(tmp_path / "s", {"tram.md": TRAM},
                      'target_langs = ["de"]\n[tool.l10n.links]\nforms = ["https://mirror.example.test/{lang}/"]\n')
    site = workflow.site_links(config.load(root), "de")
    assert site.pairs == (("https://mirror.example.test/en/", "https://mirror.example.test/de/"),)
    assert site.articles == frozenset()  # tram's url is not in that form


def test_a_translation_may_change_a_site_link_only_along_the_mapping():
    site = links.Links((("/en/", "/de/"),), frozenset({"story/a"}), frozenset())
    source = "See [the story](/en/story/a) and [the tag](/en/tag/eu)."
    assert markup.check(source, "Siehe [die Story](/de/story/a) und [das Tag](/de/tag/eu).",
                        allowed=site.allowed) == []
    wrong = markup.check(source, "Siehe [die Story](/fr/story/a) und [das Tag](/de/tag/eu).", allowed=site.allowed)
    assert {p.code for p in wrong} == {"link-target"} and "/fr/story/a is not in the source" in str(wrong)
    assert {p.code for p in markup.check(source, "Siehe [die Story](/de/story/a) und [das Tag](/en/tag/eu).")} \
        == {"link-target"}  # without the site's mapping, only the English destination


# -- publishing with links ------------------------------------------------------------

def test_links_go_to_published_german_articles_and_stay_english_otherwise(two_sites, capsys):
    de = german(two_sites, "harbour")
    assert f"[ferry timetable]({SITE}/de/story/ferry)" in de  # published: German
    assert "[tram works](/en/story/tram)" in de                 # not published: English
    assert "[map](/en/story/tram/#map)" in de                   # a heading: English
    assert "[the tag](/en/tag/transport)" in de                 # not an article: as translated
    assert "(https://other.example.test/en/x)" in de            # another site: untouched
    code, report = check(two_sites, capsys)
    assert code == 0 and report["ok"]
    notes = [p["message"] for p in report["problems"] if p["code"] == "english-link"]
    assert notes == ["the link to /en/story/tram stays English: its German article is not published",
                     "the link to /en/story/tram/#map stays English: it names a heading, "
                     "whose id in the German article differs"]


def test_a_translator_writing_german_addresses_gets_no_error(two_sites, capsys):
    translate(two_sites, "harbour", lambda m: m.replace("/en/tag/", "/de/tag/").replace("/en/story/tram", "/de/story/tram"))
    assert run(two_sites, "merge") == 0
    de = german(two_sites, "harbour")
    assert "[the tag](/de/tag/transport)" in de      # the translator's choice, along the mapping
    assert "[tram works](/en/story/tram)" in de  # no German tram article: English anyway
    assert "[map](/en/story/tram/#map)" in de
    code, report = check(two_sites, capsys)
    assert code == 0 and not codes(report, "error", "warning")


def test_a_link_changed_off_the_mapping_is_still_an_error(two_sites, capsys):
    translate(two_sites, "harbour", lambda m: m.replace("/en/tag/", "/fr/tag/"))
    assert run(two_sites, "merge") == 0
    assert "[the tag](/en/tag/transport)" in german(two_sites, "harbour")  # that entry stays English
    code, report = check(two_sites, capsys)
    assert code == 1 and ("locales/de/harbour.po", "link-target") in codes(report, "error")


def test_publishing_an_article_updates_the_links_to_it(two_sites, capsys):
    translate(two_sites, "tram", lambda m: m.replace("Rails are being replaced.", "Schienen werden erneuert."))
    code, report = check(two_sites, capsys)  # harbour's German file still links to English
    assert code == 1 and ("content/de/harbour.md", "stale-output") in codes(report, "error")
    assert run(two_sites, "merge") == 0
    assert "[tram works](/de/story/tram)" in german(two_sites, "harbour")
    assert "[map](/en/story/tram/#map)" in german(two_sites, "harbour")  # a heading: its id is German there
    assert "[the harbour](/de/story/harbour)" in german(two_sites, "tram")
    code, report = check(two_sites, capsys)
    assert code == 0 and [p["message"] for p in report["problems"] if p["code"] == "english-link"] == [
        "the link to /en/story/tram/#map stays English: it names a heading, whose id in the German article differs"]


def test_a_link_to_a_heading_of_another_article_stays_english(two_sites, capsys):
    translate(two_sites, "tram", lambda m: m.replace("Rails are being replaced.", "Schienen werden erneuert."))
    # the translator writes the German address, with the English fragment: still English
    translate(two_sites, "harbour", lambda m: m.replace("/en/story/tram/#map", "/de/story/tram/#map"))
    assert run(two_sites, "merge") == 0
    assert "[map](/en/story/tram/#map)" in german(two_sites, "harbour")
    assert check(two_sites, capsys)[0] == 0
    # a German fragment is not the English heading's: refused
    translate(two_sites, "harbour", lambda m: m.replace("/en/story/tram/#map", "/de/story/tram/#karte"))
    assert run(two_sites, "merge") == 0
    assert "[map](/en/story/tram/#map)" in german(two_sites, "harbour")
    code, report = check(two_sites, capsys)
    assert code == 1 and ("locales/de/harbour.po", "link-target") in codes(report, "error")


def test_a_run_that_publishes_an_article_relinks_what_it_wrote_before(tmp_path, capsys):
    root = write_site(tmp_path / "site", {"harbour.md": HARBOUR, "ferry.md": FERRY, "tram.md": TRAM})
    assert run(root, "translate", "--engine", "pseudo") == 0  # harbour is written before tram
    assert "](/de/story/tram)" in german(root, "harbour")  # pseudo-localised link text
    assert "](/en/story/tram/#map)" in german(root, "harbour")
    assert "content/en/harbour.md: links brought up to date" in capsys.readouterr().out
    code, report = check(root, capsys)
    assert code == 0, report
    assert run(root, "translate", "--engine", "pseudo") == 0  # and the next run has nothing to do
    assert "0 catalogs and 0 articles written" in capsys.readouterr().out


def test_a_run_that_publishes_one_named_article_relinks_the_others(tmp_path, capsys):
    # what links to tram is written in an earlier run; nothing in tram's own run asks
    # about tram before its catalog changes: its state before the run must still count
    root = write_site(tmp_path / "site", {"harbour.md": HARBOUR, "ferry.md": FERRY, "tram.md": TRAM})
    assert run(root, "translate", "--engine", "pseudo", str(root / "content/en/harbour.md")) == 0
    assert "](/en/story/tram)" in german(root, "harbour")
    capsys.readouterr()
    assert run(root, "translate", "--engine", "pseudo", str(root / "content/en/tram.md")) == 0
    assert "content/en/harbour.md: links brought up to date" in capsys.readouterr().out
    assert "](/de/story/tram)" in german(root, "harbour")
    assert run(root, "translate", "--engine", "pseudo", str(root / "content/en/ferry.md")) == 0
    code, report = check(root, capsys)
    assert code == 0, report
    # withdrawn by hand in its catalog, then its run (or its merge) removes its German file:
    # what links to it goes back to English
    for command in ("translate", "merge"):
        translate(root, "tram", lambda m: "")
        capsys.readouterr()
        assert run(root, command, *(["--engine", "none"] if command == "translate" else []),
                   str(root / "content/en/tram.md")) == 0
        assert not (root / "content/de/tram.md").exists()
        assert "content/en/harbour.md: links brought up to date" in capsys.readouterr().out, command
        assert "](/en/story/tram)" in german(root, "harbour")
        assert check(root, capsys)[0] == 0
        translate(root, "tram", lambda m: m + " (de)" if m.endswith(".") else m)  # published again
        assert run(root, "merge", str(root / "content/en/tram.md")) == 0
        assert "](/de/story/tram)" in german(root, "harbour")
        assert check(root, capsys)[0] == 0


def test_a_german_link_to_an_article_addressed_by_its_path_goes_back_to_english_when_withdrawn(tmp_path, capsys):
    # no url in the front matter: Hugo addresses the articles by path (/en/a/, /de/a/)
    root = write_site(tmp_path / "site", {
        "a.md": "---\ntitle: Alpha\n---\n\nThe alpha story.\n",
        "news/b.md": "---\ntitle: Beta\n---\n\nRead [the alpha story](/en/a/) and [the tag](/en/tag/x/).\n"})
    assert run(root, "extract") == 0
    translate(root, "a", lambda m: {"Alpha": "Alfa", "The alpha story.": "Die Alfa-Geschichte."}[m])
    translate(root, "news/b", lambda m: m.replace("/en/", "/de/"))
    assert run(root, "merge") == 0
    assert "[the alpha story](/de/a/) and [the tag](/de/tag/x/)" in german(root, "news/b")
    translate(root, "a", lambda m: "")  # German a is withdrawn: its file goes
    code, report = check(root, capsys)
    assert code == 1 and ("content/de/news/b.md", "stale-output") in codes(report, "error")
    assert run(root, "merge") == 0
    assert not (root / "content/de/a.md").exists()
    # no dead link: the translator's /de/a/ is the English article now; the tag stays as translated
    assert "[the alpha story](/en/a/) and [the tag](/de/tag/x/)" in german(root, "news/b")
    code, report = check(root, capsys)
    assert code == 0 and [p["message"] for p in report["problems"] if p["code"] == "english-link"] == [
        "the link to /en/a/ stays English: its German article is not published"]


# -- which articles get a German file -------------------------------------------------

def test_a_first_run_without_translations_writes_no_german_files(tmp_path, capsys):
    root = write_site(tmp_path / "site", {"harbour.md": HARBOUR, "tram.md": TRAM})
    assert run(root, "translate", "--engine", "memory") == 0
    assert (root / "locales/de/tram.po").exists() and not (root / "content/de").exists()
    code, report = check(root, capsys)
    assert code == 0 and codes(report, "error", "warning") == []
    untranslated = [p["message"] for p in report["problems"] if p["code"] == "untranslated"]
    assert untranslated == ["100% of words untranslated (no German article until something is translated)"] * 2


def test_english_fallbacks_write_every_german_file(tmp_path, capsys):
    root = write_site(tmp_path / "site", {"tram.md": TRAM}, 'target_langs = ["de"]\nenglish_fallbacks = true\n')
    assert run(root, "translate", "--engine", "none") == 0
    assert "translation: {status: source, reviewed: 0, digest: " in german(root, "tram")
    assert check(root, capsys)[0] == 0


def test_a_german_file_of_an_article_no_longer_published_is_removed(two_sites, capsys):
    translate(two_sites, "ferry", lambda m: "")  # the translations are withdrawn
    code, report = check(two_sites, capsys)
    assert code == 1 and ("content/de/ferry.md", "unpublished-output") in codes(report, "error")
    assert run(two_sites, "merge") == 0
    assert not (two_sites / "content/de/ferry.md").exists()
    assert f"[ferry timetable]({SITE}/en/story/ferry)" in german(two_sites, "harbour")
    assert check(two_sites, capsys)[0] == 0


def test_a_german_file_edited_by_hand_is_never_removed_without_force(two_sites, capsys):
    path = two_sites / "content/de/ferry.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEin Nachtrag von Hand.\n", encoding="utf-8")
    translate(two_sites, "ferry", lambda m: "")
    capsys.readouterr()
    assert run(two_sites, "merge") == 1
    assert "content/de/ferry.md was edited by hand: not removed" in capsys.readouterr().err
    assert path.exists()
    assert run(two_sites, "merge", "--force") == 0 and not path.exists()


def test_the_german_file_of_a_deleted_article_is_removed_unless_edited(two_sites, capsys):
    (two_sites / "content/en/ferry.md").unlink()
    edited = two_sites / "content/de/harbour.md"
    (two_sites / "content/en/harbour.md").rename(two_sites / "content/en/port.md")
    edited.write_text(edited.read_text(encoding="utf-8") + "\nVon Hand.\n", encoding="utf-8")
    capsys.readouterr()
    assert run(two_sites, "translate", "--engine", "none") == 1
    err = capsys.readouterr().err
    assert not (two_sites / "content/de/ferry.md").exists()
    assert edited.exists() and "content/de/harbour.md has no source article content/en/harbour.md" in err


# -- thresholds and the source key ----------------------------------------------------

def test_thresholds_per_language(two_sites, capsys):
    pyproject = two_sites / "pyproject.toml"
    pyproject.write_text('[tool.l10n]\ntarget_langs = ["de"]\nmin_translated = {de = 0.5}\n', encoding="utf-8")
    code, report = check(two_sites, capsys)
    assert code == 1 and ("locales/de/tram.po", "below-threshold") in codes(report, "error")
    assert [p["message"] for p in report["problems"] if p["code"] == "below-threshold"] == [
        "0% of words published translated, the site requires 50%"]
    pyproject.write_text('[tool.l10n]\ntarget_langs = ["de", "fr"]\nmin_reviewed = {fr = 1.0}\n', encoding="utf-8")
    code, report = check(two_sites, capsys)
    assert not any(p["code"] == "below-threshold" and "/de/" in p["file"] for p in report["problems"])


@pytest.mark.parametrize("table, message", [
    ('[tool.l10n.links]\nforms = ["https://x.test/en/"]\n',
     ':4: tool.l10n.links.forms must hold {lang} in each form, as in "/{lang}/", not \'https://x.test/en/\''),
    ('[tool.l10n.links]\ntranslation_key = "a: b"\n',
     ":4: tool.l10n.links.translation_key must be a plain front-matter key, not 'a: b'"),
    ('min_translated = {de = 2}\n', ":3: tool.l10n.min_translated.de must be from 0 to 1, not 2"),
    ('[tool.l10n.links]\nfroms = []\n', ":4: tool.l10n.links.froms is not a setting: did you mean 'forms'?"),
    ('state_key = "pair"\n[tool.l10n.links]\ntranslation_key = "pair"\n',
     ":5: tool.l10n.links.translation_key is 'pair', the key l10n records the translation state under "
     "(state_key): name another key"),
    ('[tool.l10n.links]\ntranslation_key = "translation"\n',
     ":4: tool.l10n.links.translation_key is 'translation', the key l10n records the translation state"),
    ('min_translated = {de = 0.5, fr = 0.5}\n',
     ":3: tool.l10n.min_translated.fr names 'fr', which is not in target_langs (de): a threshold for it "
     "would never apply"),
    ('[tool.l10n.min_reviewed]\nde = 0.5\nfr = 0.5\n',
     ":5: tool.l10n.min_reviewed.fr names 'fr', which is not in target_langs (de)"),
])
def test_bad_links_settings_are_one_line(tmp_path, capsys, table, message):
    root = write_site(tmp_path / "s", {"tram.md": TRAM}, 'target_langs = ["de"]\n' + table)
    assert run(root, "check") == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["translate", "extract", "merge", "check"])
def test_a_translation_key_an_article_uses_for_something_else_refuses_that_article(
        tmp_path, capsys, command):
    used = article("tram", "Rails.").replace("language: en\n", "language: en\ncategory: transport\n")
    root = write_site(tmp_path / "s", {"tram.md": used, "bus.md": article("bus", "Wheels.")},
                      'target_langs = ["de"]\n[tool.l10n.links]\ntranslation_key = "category"\n')
    code = run(root, command, *(["--engine", "pseudo"] if command == "translate" else []))
    assert code == (1 if command == "check" else 2)  # check reports it with the rest
    out, err = capsys.readouterr()
    line = used.split("\n").index("category: transport") + 1
    if command == "check":
        assert f"  {line}: error [invalid-input] the front matter has 'category'" in out
        return
    assert f"content/en/tram.md:{line}: the front matter has 'category' ('transport'), the key " \
           "[tool.l10n.links] translation_key names for the English slug: choose another translation_key" in err
    assert "Traceback" not in err
    # that article gets nothing; the other is done, whichever came first
    assert not (root / "locales/de/tram.po").exists() and not (root / "content/de/tram.md").exists()
    assert (root / "locales/de/bus.po").exists() == (command != "merge")  # merge makes no catalog
    assert (root / "content/de/bus.md").exists() == (command == "translate")


def test_a_translation_key_that_already_holds_the_slug_is_kept(tmp_path, capsys):
    paired = article("tram", "Rails.").replace("language: en\n", "language: en\ntranslationKey: tram\n")
    root = write_site(tmp_path / "s", {"tram.md": paired},
                      'target_langs = ["de"]\n[tool.l10n.links]\ntranslation_key = "translationKey"\n')
    assert run(root, "translate", "--engine", "pseudo") == 0
    assert (root / "content/de/tram.md").read_text(encoding="utf-8").count("translationKey: tram\n") == 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_translation_key_links_the_german_article_to_its_source(tmp_path, capsys, newline):
    root = write_site(tmp_path / "s", {"tram.md": article("tram", "Rails.", newline)},
                      'target_langs = ["de"]\n[tool.l10n.links]\ntranslation_key = "translationKey"\n')
    assert run(root, "translate", "--engine", "pseudo") == 0
    head = (root / "content/de/tram.md").read_bytes().decode("utf-8").split("---")[1]
    assert f"{newline}translationKey: tram{newline}" in head and head.count("\n") == head.count(newline)
    assert check(root, capsys)[0] == 0


def review_all(root: Path, name: str) -> None:
    path = root / "locales" / "de" / f"{name}.po"
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = entry.msgid + " (de)" if entry.msgid.endswith(".") else entry.msgid
    po.save(str(path))


def test_a_ref_follows_its_article_into_german_once_that_is_published(tmp_path, capsys):
    # Hugo stops the German build at a ref to a page it lacks; the ref names the English
    # page until the German one is published, and every command sees the change
    root = write_site(tmp_path / "s", {"a.md": '---\ntitle: "A"\n---\n\nRead [b]({{< ref "b" >}}) now.\n',
                                       "b.md": '---\ntitle: "B"\n---\n\nThe b story.\n'})
    assert run(root, "extract") == 0
    review_all(root, "a")
    assert run(root, "merge") == 0
    assert '{{< ref path="b" lang="en" >}}' in (root / "content/de/a.md").read_text(encoding="utf-8")
    assert run(root, "check") == 0
    review_all(root, "b")  # b is published now: a's German changes with it
    capsys.readouterr()
    assert run(root, "check") == 1 and "stale-output" in capsys.readouterr().out
    assert run(root, "translate", "--engine", "none") == 0
    assert '{{< ref "b" >}}' in (root / "content/de/a.md").read_text(encoding="utf-8")
    assert run(root, "check") == 0


@pytest.mark.parametrize("ref, german", [
    ('{{< ref "B.md" >}}', '{{< ref path="B.md" lang="en" >}}'),  # Hugo ignores case
    ('{{% relref `b.md` "amp" %}}', '{{% relref path="b.md" lang="en" outputFormat="amp" %}}'),
    ('{{< ref path="b.md#x" OutputFormat=`a"b` >}}', '{{< ref path="b.md#x" lang="en" outputFormat=`a"b` >}}'),
    ('{{< relref\n"b.md"\n>}}', '{{< relref path="b.md" lang="en" >}}'),  # Hugo reads line breaks as spaces
    ('{{< ref path="b.md" lang="fr" >}}', None),  # a language of its own: as written
    ('{{< ref path="b.md" "html" >}}', None),  # named and positional: Hugo refuses it
    ('{{< ref "a.md" >}}', None),  # published in German
    ('{{< ref "nowhere.md" >}}', None),  # no article
])
def test_a_ref_to_an_article_without_a_german_page_names_the_english_one(ref: str, german: str | None) -> None:
    site = links.Links(pages=frozenset({"a.md", "b.md"}), published_pages=frozenset({"a.md"}))
    assert site.refs(f"See [x]({ref}).", "c.md") == f"See [x]({german or ref})."


#: Pieces of inline Markdown that make or nearly make link destinations and code spans.
LINK_PIECES = st.lists(st.sampled_from(
    ["](", "]", "(", ")", "[x]", "<", ">", "`", "``", " ", "\n", "\t", "a", "/en/story/harbour", "/en/story/tram",
     "/en/story/tram/#map", "/de/story/ferry", "https://news.example.test/en/story/ferry", "#h", "<https://x.example/>",
     "<mailto:a@x.example>", "ü", "!", "![", "\\", "\\[", "![x](/en/story/harbour)",
     "[![x](/en/story/ferry)](/en/story/ferry)"]), max_size=12).map("".join)
SITE_LINKS = links.Links(((f"{SITE}/en/", f"{SITE}/de/"), ("/en/", "/de/")),
                         frozenset({"story/harbour", "story/ferry", "story/tram"}),
                         frozenset({"story/harbour", "story/ferry"}))


@settings(max_examples=2000, deadline=None)
@given(LINK_PIECES)
def test_text_without_a_destination_skips_the_pattern_exactly(md: str) -> None:
    fast = SITE_LINKS.rewrite(md), SITE_LINKS.staying_english(md)
    shortcut, links._may_link = links._may_link, lambda md: True
    try:
        assert (SITE_LINKS.rewrite(md), SITE_LINKS.staying_english(md)) == fast
    finally:
        links._may_link = shortcut
    if not links._may_link(md):
        assert all(m.group("code") is not None for m in links._DESTINATIONS.finditer(md))


#: :data:`l10n.links._DESTINATIONS` in its former, slower form (a group first).
DESTINATIONS_BEFORE = re.compile(
    r"(?P<code>`+)[\s\S]*?(?P=code)"
    r"|(?P<open>\]\([ \t\n]*<?)(?P<dest>[^\s()<>]+)"
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")


@settings(max_examples=3000, deadline=None)
@given(st.one_of(LINK_PIECES, st.text()))
def test_destinations_are_found_as_by_the_former_pattern(md: str) -> None:
    found = [(m.span(), m.group("dest"), m.group("auto")) for m in links._DESTINATIONS.finditer(md)]
    assert found == [(m.span(), m.group("dest"), m.group("auto")) for m in DESTINATIONS_BEFORE.finditer(md)]


def images(md: str) -> list[str]:
    """The image sources of ``md`` as the Markdown parser reads them."""
    return sorted(value for (kind, value), n in structure.inline_facts(md).items() if kind == "image" for _ in range(n))


@settings(max_examples=3000, deadline=None)
@given(LINK_PIECES)
def test_no_image_source_is_rewritten(md: str) -> None:
    # an image is a file, not a page with a German twin: were its source localised, the
    # check would refuse the German text as changing it
    assert images(SITE_LINKS.rewrite(md)) == images(md)


def test_an_image_whose_source_is_an_article_stays_as_written(tmp_path, capsys):
    body = "A chart: [![the ferry chart](/en/story/ferry)](/en/story/ferry), and ![the same](/en/story/ferry)."
    root = write_site(tmp_path / "s", {"story/chart.md": article("chart", body), "story/ferry.md": FERRY})
    assert run(root, "extract") == 0
    review_all(root, "story/chart")
    review_all(root, "story/ferry")
    assert run(root, "merge") == 0
    german = (root / "content/de/story/chart.md").read_text(encoding="utf-8")
    assert "[![the ferry chart](/en/story/ferry)](/de/story/ferry), and ![the same](/en/story/ferry). (de)" in german
    code, report = check(root, capsys)
    assert code == 0, report
