"""Proven in Hugo: a small two-language site built by Hugo from what ``l10n`` writes.

Hugo (Debian's ``hugo``, 0.111 in the supported Debian release) must be installed: the test
fails without it rather than skip, since a skipped test would hide the very thing it proves
(``.ci/run`` installs it). Each site builds in well under a second.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

import polib
import pytest

from l10n import anchors, extract
from l10n.cli import main

from .conftest import write_site

#: The site configuration the README shows: one content folder per language, the source
#: language in a folder of its own too, so that the ``url`` front matter says each page's path.
HUGO_CONFIG = """\
baseURL = "https://news.example/"
defaultContentLanguage = "en"
defaultContentLanguageInSubdir = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]

[languages.en]
contentDir = "content/en"
languageName = "English"
weight = 1

[languages.de]
contentDir = "content/de"
languageName = "Deutsch"
weight = 2

[permalinks]
news = "/:section/:filename/"
"""

#: A page layout of our own: the page's translations as hreflang links, then its content.
SINGLE = """\
<!DOCTYPE html>
<html lang="{{ .Lang }}">
<head>
<title>{{ .Title }}</title>
{{ range .Translations }}<link rel="alternate" hreflang="{{ .Lang }}" href="{{ .RelPermalink }}">
{{ end }}</head>
<body>
<main>
{{ .Content }}
</main>
</body>
</html>
"""
LIST = """\
<!DOCTYPE html>
<html lang="{{ .Lang }}"><head><title>{{ .Title }}</title></head>
<body>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>
"""

HARBOUR = """\
---
title: "The harbour reopens"
url: /en/harbour/
---

The old harbour opens again this spring. Read [what changes](#what-changes-for-visitors)
or jump to [the *timeline*](#timeline "Months and steps").

## What changes for visitors

- Ferries leave every *half hour*, from the [east quay](https://harbour.example/quay).
- The fish market moves to the [north pier](#timeline).

> Nobody wanted the **old** crane to go, said the harbour master.

## Timeline

| Month | Step |
|-------|------|
| April | Ferries |
| May | Market |

```sh
echo "the schedule stays as it is"
```

## Timeline

A second heading with the same text gets its own id: [back up](#what-changes-for-visitors),
or to [the second timeline](#timeline-1).

![A map of the pier](pier.png)
"""

LIBRARY = """\
---
title: "A library on wheels"
url: /en/library-bus/
---

1. The bus stops at [the school](#stops-and-times) first.
2. Then it visits the `old town`.

## Stops and times

Every Tuesday. See [stops](#stops-and-times) again, or [the list][stops], or [the plan][plan].

[stops]: #stops-and-times "Every stop"
[plan]: https://council.example/bus
  'The council plan'
"""


FERRY = """\
---
title: "Night ferry"
---

Without a `url`, the page's path comes from `[permalinks]`. [Prices](#prices) below.

## Prices

Two coins, or [nothing](#prices) for children.
"""


def hugo() -> str:
    """The ``hugo`` program: missing, the test fails and says how to install it."""
    found = shutil.which("hugo")
    assert found, "hugo is not installed: apt-get install hugo (.ci/run installs it)"
    return found


def build(root: Path, config: str) -> subprocess.CompletedProcess:
    """Build the site at ``root`` with its layouts and ``config``; the output is in ``public``."""
    (root / "hugo.toml").write_text(config, encoding="utf-8")
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "single.html").write_text(SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    return subprocess.run([hugo(), "--source", str(root), "--destination", str(root / "public"),
                           "--printI18nWarnings", "--printPathWarnings"],
                          capture_output=True, text=True, timeout=120)


def complaints(result: subprocess.CompletedProcess) -> list[str]:
    """Hugo's errors and warnings."""
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.startswith(("ERROR", "WARN")) or " ERROR " in line or " WARN " in line]


class Page(HTMLParser):
    """What the test reads from a page: its element tree as tags, the ids of its elements,
    its in-page links and its hreflang alternates."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.fragments: list[str] = []
        self.alternates: dict[str, str] = {}
        self.titles: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id"):
            self.ids.add(a["id"])
        href = a.get("href") or ""
        if tag == "a" and a.get("title"):
            self.titles.append(a["title"])
        if tag == "a" and href.startswith("#"):
            self.fragments.append(unquote(href[1:]))
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a["hreflang"]] = href

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)


def read(root: Path, path: str) -> Page:
    return Page((root / "public" / path / "index.html").read_text(encoding="utf-8"))


def review(root: Path, name: str, translate: Callable[[str], str | None]) -> None:
    """Write the catalog of article ``name`` as a translator would: each msgstr what
    ``translate`` gives its msgid (None: left untranslated), reviewed."""
    path = root / "locales" / "de" / f"{name}.po"
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = translate(entry.msgid) or ""
    po.save(str(path))


@pytest.mark.parametrize("engine", ["pseudo", "none"])
def test_hugo_builds_both_languages_from_l10n_output(tmp_path: Path, engine: str) -> None:
    """Drafted (pseudo) or untranslated (none): Hugo builds the site without a complaint,
    pairs every page with its translation both ways, the German pages have the English
    pages' element structure, and every in-page link of a German page lands on an element."""
    root = write_site(tmp_path / "site", {"harbour.md": HARBOUR, "library/bus.md": LIBRARY,
                                              "news/ferry.md": FERRY},
                      'target_langs = ["de"]\nenglish_fallbacks = true\n')  # "none": German pages in English
    assert main(["--root", str(root), "translate", "--engine", engine]) == 0
    result = build(root, HUGO_CONFIG)
    assert result.returncode == 0, result.stderr
    assert complaints(result) == []
    for slug in ("harbour", "library-bus", "news/ferry"):
        en, de = read(root, f"en/{slug}"), read(root, f"de/{slug}")
        assert en.alternates == {"de": f"/de/{slug}/"}
        assert de.alternates == {"en": f"/en/{slug}/"}
        assert de.tags == en.tags
        assert de.fragments and set(de.fragments) <= de.ids, set(de.fragments) - de.ids
        assert set(en.fragments) <= en.ids
    if engine == "pseudo":  # the German ids are German: the links had to follow them
        german = read(root, "de/harbour")
        assert not set(german.ids) & read(root, "en/harbour").ids
        assert len(set(german.fragments)) == 3
        # the titles of reference definitions are drafted, and Hugo shows the German
        po = polib.pofile(str(root / "locales" / "de" / "library" / "bus.po"))
        drafted = [po.find(title).msgstr for title in ("Every stop", "The council plan")]
        assert read(root, "en/library-bus").titles == ["Every stop", "The council plan"]
        assert read(root, "de/library-bus").titles == drafted and all(drafted)
        assert not set(drafted) & {"Every stop", "The council plan"}


def test_hugo_reads_no_structure_a_translation_smuggles_in(tmp_path: Path) -> None:
    """What Hugo's Markdown reads beyond CommonMark (heading attributes, definition lists,
    task-list checkboxes)
    is part of the structure a reviewed translation cannot change: Hugo renders the German
    page with the English page's elements, and no id or style of the translator's."""
    root = write_site(tmp_path / "site", {"harbour.md": HARBOUR}, 'target_langs = ["de"]\n')
    assert main(["--root", str(root), "extract"]) == 0
    hostile = {"What changes for visitors": 'Was sich ändert {id="hijack" style="display:none"}',
               "Timeline": "Zeitplan {.hidden}",
               "The fish market moves to the [north pier](#timeline).":
                   "[x] Der Fischmarkt zieht an den [Nordpier](#timeline).",
               "Nobody wanted the **old** crane to go, said the harbour master.":
                   "Niemand wollte den **alten** Kran\n: sagte der Hafenmeister."}
    review(root, "harbour", hostile.get)
    assert main(["--root", str(root), "merge"]) == 0
    assert main(["--root", str(root), "check", "--no-cache"]) == 1  # each named, none published
    result = build(root, HUGO_CONFIG)
    assert result.returncode == 0 and complaints(result) == []
    en, de = read(root, "en/harbour"), read(root, "de/harbour")
    assert de.tags == en.tags
    assert "hijack" not in de.ids and "display:none" not in (root / "public/de/harbour/index.html").read_text(encoding="utf-8")
    assert set(de.fragments) <= de.ids


NOTES = """\
---
title: "Night ferries"
url: /en/notes/
---

The pier closes at night[^late].

Ferry
: Leaves every hour.

- Buy a ticket
- Board the boat

[^late]: Except in summer.
"""


def test_hugo_reads_no_footnote_checkbox_or_term_a_translation_smuggles_in(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"notes.md": NOTES}, 'target_langs = ["de"]\n')
    assert main(["--root", str(root), "extract"]) == 0
    hostile = {"The pier closes at night[^late].": "Der Pier schließt nachts[^late], wirklich[^late].",
               "[^late]: Except in summer.": "[^late]: # Außer im Sommer",
               "Ferry\n: Leaves every hour.": "Fähre\nBoot\n: Fährt stündlich.",
               "Buy a ticket": "[x]Fahrkarte kaufen"}
    assert hostile.keys() <= {e.msgid for e in polib.pofile(str(root / "locales/de/notes.po"))}
    review(root, "notes", lambda msgid: hostile.get(msgid, msgid))
    assert main(["--root", str(root), "merge"]) == 0
    assert main(["--root", str(root), "check", "--no-cache"]) == 1
    result = build(root, HUGO_CONFIG)
    assert result.returncode == 0 and complaints(result) == []
    en, de = read(root, "en/notes"), read(root, "de/notes")
    assert "dl" in en.tags and "sup" in en.tags  # Hugo read the English as a definition list and a footnote
    assert de.tags == en.tags


def merged_with_refs(tmp_path: Path, a: str) -> tuple[Path, str]:
    """A site whose ``news/a.md`` has the text ``a``, beside ``news/b.md`` (nothing of it in
    German) and ``c.md`` (in German); merged: its root and the German ``news/a.md``."""
    pages = {"news/a.md": '---\ntitle: "A"\n---\n\n' + a,
             "news/b.md": '---\ntitle: "B"\n---\n\nThe b story.\n',
             "c.md": '---\ntitle: "C"\n---\n\nThe c story.\n'}
    root = write_site(tmp_path / "site", pages, 'target_langs = ["de"]\n')
    assert main(["--root", str(root), "extract"]) == 0
    for name in ("news/a", "c"):
        review(root, name, lambda msgid: msgid.replace("See", "Siehe").replace("The c story", "Die C-Geschichte"))
    assert main(["--root", str(root), "merge"]) == 0
    assert not (root / "content/de/news/b.md").exists()
    return root, (root / "content/de/news/a.md").read_text(encoding="utf-8")


def checked_and_built(root: Path, page: str) -> str:
    """``check`` passes, Hugo builds the site without a complaint: the HTML of ``page``."""
    assert main(["--root", str(root), "check", "--no-cache"]) == 0
    result = build(root, HUGO_CONFIG)
    assert result.returncode == 0 and complaints(result) == [], result.stderr
    return (root / "public" / page / "index.html").read_text(encoding="utf-8")


def test_a_ref_to_an_article_without_a_german_page_links_the_english_one(tmp_path: Path) -> None:
    """Hugo stops a language's build at a ref to a page it does not have (REF_NOT_FOUND): the
    German article's refs to untranslated articles name the English page."""
    root, german = merged_with_refs(tmp_path, 'See [the b story]({{< ref "b.md" >}}) and '
                                    '[the c story]({{< relref "/c" >}}), [b again]({{< relref `b.md` >}}).\n')
    assert '{{< ref path="b.md" lang="en" >}}' in german and '{{< relref "/c" >}}' in german
    assert '{{< relref path="b.md" lang="en" >}}' in german  # a raw string, as Hugo reads it
    html = checked_and_built(root, "de/news/a")
    assert '/en/news/b/">the b story' in html and '/de/c/">the c story' in html and '/en/news/b/">b again' in html


def test_a_ref_with_an_output_format_or_other_capitals_links_the_english_page(tmp_path: Path) -> None:
    """Hugo finds a page whatever the capitals of its ref, reads an output format after the
    page (positional or named) and line breaks between parameters: such a ref to an article
    without a German page names the English page too, its output format kept."""
    root, german = merged_with_refs(tmp_path, 'See [b]({{< relref "b.md" "html" >}}), '
                                    '[B]({{< ref "News/B.md" >}}), [b named]({{< relref path="b.md" outputFormat="html" >}}) '
                                    '[b lines]({{< relref\n"b.md"\n>}}) and [c]({{< ref "/C" >}}).\n')
    assert german.count('{{< relref path="b.md" lang="en" outputFormat="html" >}}') == 2
    assert '{{< ref path="News/B.md" lang="en" >}}' in german and '{{< ref "/C" >}}' in german
    html = checked_and_built(root, "de/news/a")
    assert html.count('/en/news/b/">b') == 3 and '/en/news/b/">B' in html and '/de/c/">c' in html
    assert '/en/news/b/">b lines' in html


def test_a_ref_to_a_heading_of_a_published_article_links_the_english_heading(tmp_path: Path) -> None:
    """The German page's headings have German anchors: a ref naming an English heading
    points at the English page, where that heading is, as a Markdown link does."""
    pages = {"a.md": '---\ntitle: "A"\n---\n\nSee [the details]({{< relref "b.md#the-details" >}}) and '
                     '[b]({{< ref "b.md" >}}).\n',
             "b.md": '---\ntitle: "B"\n---\n\n## The details\n\nThey matter.\n'}
    root = write_site(tmp_path / "site", pages, 'target_langs = ["de"]\n')
    assert main(["--root", str(root), "extract"]) == 0
    german = {"See [the details]({{< relref \"b.md#the-details\" >}}) and [b]({{< ref \"b.md\" >}}).":
              "Siehe [die Einzelheiten]({{< relref \"b.md#the-details\" >}}) und [b]({{< ref \"b.md\" >}}).",
              "The details": "Die Einzelheiten", "They matter.": "Sie zählen."}
    for name in ("a", "b"):
        review(root, name, lambda msgid: german.get(msgid, msgid))
    assert main(["--root", str(root), "merge"]) == 0
    text = (root / "content/de/a.md").read_text(encoding="utf-8")
    assert '{{< relref path="b.md#the-details" lang="en" >}}' in text and '{{< ref "b.md" >}}' in text
    assert main(["--root", str(root), "check", "--no-cache"]) == 0
    result = build(root, HUGO_CONFIG)
    assert result.returncode == 0 and complaints(result) == [], result.stderr
    html = (root / "public/de/a/index.html").read_text(encoding="utf-8")
    assert '/en/b/#the-details">die Einzelheiten' in html and '/de/b/">b' in html
    assert 'id="the-details"' in (root / "public/en/b/index.html").read_text(encoding="utf-8")
    assert 'id="the-details"' not in (root / "public/de/b/index.html").read_text(encoding="utf-8")


def test_a_ref_to_a_heading_of_its_own_article_lands_on_a_heading(tmp_path: Path) -> None:
    """``{{< relref "#details" >}}`` links a heading of the page itself: where the German
    heading has another id, it points at the English page's heading, never at nothing."""
    pages = {"a.md": '---\ntitle: "A"\n---\n\n## Background\n\n## Details\n\nSee [d]({{< relref "#details" >}}) and '
                     '[e]({{< ref "#kept" >}}).\n\n## Kept\n\nStill English.\n'}
    root = write_site(tmp_path / "site", pages, 'target_langs = ["de"]\n')
    assert main(["--root", str(root), "extract"]) == 0
    # the German "Details" is the English "Background": #details must not land on it
    german = {"Background": "Details", "Details": "Einzelheiten", "Still English.": "Noch Englisch."}
    review(root, "a", german.get)
    assert main(["--root", str(root), "merge"]) == 0
    text = (root / "content/de/a.md").read_text(encoding="utf-8")
    assert '{{< relref path="/a.md#details" lang="en" >}}' in text and '{{< ref "#kept" >}}' in text
    assert main(["--root", str(root), "check", "--no-cache"]) == 0
    result = build(root, HUGO_CONFIG)
    assert result.returncode == 0 and complaints(result) == [], result.stderr
    html = (root / "public/de/a/index.html").read_text(encoding="utf-8")
    assert '/en/a/#details">d' in html and 'href="#kept">e' in html and 'id="kept"' in html
    assert 'id="details"' in (root / "public/en/a/index.html").read_text(encoding="utf-8")


HEADINGS = [
    "What *changes* for visitors",
    "Über die Straße: „Zitat“ — 2 + 2 = 4?",
    "A [link](https://x.example/a_b) and `code`",
    "Ärger, Öl &amp; Übel",
    "Snake_case and  double  spaces",
    "Timeline",
    "Timeline",
    "Timeline-1",
    "Timeline",
    "!!!",
    "Kept {#own-id}",
    "Own id",
    "Trailing closers ##",
]


@pytest.mark.parametrize("rule, id_type", [("hugo", "github"), ("hugo-ascii", "github-ascii"),
                                           ("hugo-blackfriday", "blackfriday")])
def test_hugo_slug_rules_give_the_ids_hugo_gives(tmp_path: Path, rule: str, id_type: str) -> None:
    body = "".join(f"## {h}\n\nText.\n\n" for h in HEADINGS)
    root = tmp_path / "site"
    (root / "content" / "en").mkdir(parents=True)
    (root / "content" / "en" / "page.md").write_text(f"---\ntitle: Ids\nurl: /en/ids/\n---\n{body}",
                                                     encoding="utf-8")
    config = HUGO_CONFIG.split("\n[languages.de]")[0] + (
        f'\n[markup.goldmark.parser]\nautoHeadingIDType = "{id_type}"\n')
    result = build(root, config)
    assert result.returncode == 0 and complaints(result) == [], result.stdout + result.stderr
    page = (root / "public" / "en" / "ids" / "index.html").read_text(encoding="utf-8")
    hugo_ids = [line.split('id="')[1].split('"')[0] for line in page.splitlines() if line.startswith("<h2 id=")]
    skeleton, _ = extract.extract(f"---\ntitle: Ids\n---\n{body}")
    shape = skeleton.shape
    assert anchors.heading_ids(rule, anchors.headings_of(shape.blocks, shape.inlines)) == hugo_ids


FIGURE = """\
---
title: "The quay"
url: /en/quay/
---

First paragraph.

{{< figure src="quay.png" caption="The quay" >}}
"""


def test_hugo_links_no_address_and_renders_no_caption_markup_a_translation_smuggles_in(tmp_path: Path) -> None:
    """Goldmark's linkify makes bare e-mail and ftp addresses links, and Hugo's figure renders
    its caption as Markdown: a reviewed translation that adds either is published in English,
    and Hugo renders the German page with the English page's elements and no mailto: link."""
    root = write_site(tmp_path / "site", {"quay.md": FIGURE}, 'target_langs = ["de"]\n')
    assert main(["--root", str(root), "extract"]) == 0
    hostile = {"First paragraph.": "Erster Absatz, mail an boss@evil.example oder ftp://evil.example/x.",
               "The quay": "# Der ~~Kai~~ boss@evil.example"}
    review(root, "quay", hostile.get)
    assert main(["--root", str(root), "merge"]) == 0
    assert main(["--root", str(root), "check", "--no-cache"]) == 1
    result = build(root, HUGO_CONFIG)
    assert result.returncode == 0 and complaints(result) == []
    en, de = read(root, "en/quay"), read(root, "de/quay")
    assert "figcaption" in en.tags and de.tags == en.tags
    html = (root / "public/de/quay/index.html").read_text(encoding="utf-8")
    assert "mailto:" not in html and "evil" not in html
