"""The review report: pages parse, show every segment with its state, escape everything,
and render in a real browser without console errors."""

from __future__ import annotations

import doctest
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from l10n import catalog, config, pofile, review
from l10n.cli import main
from l10n.fsutil import write_atomic

from .conftest import snapshot, write_site


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


# -- a small DOM, built with the standard library's parser ----------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find(self, tag: str, cls: str | None = None) -> Node | None:
        return next(self.find_all(tag, cls), None)

    def find_all(self, tag: str, cls: str | None = None):
        return (n for n in self.iter(tag) if cls is None or cls in n.classes())


class TreeBuilder(HTMLParser):
    """Builds a tree and fails on any end tag that does not close the open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):  # noqa: ANN001
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):  # noqa: ANN001
        assert tag not in VOID, f"end tag of void element </{tag}> at {self.getpos()}"
        open_tag = self.stack[-1].tag
        assert open_tag == tag, f"</{tag}> closes <{open_tag}> at line {self.getpos()[0]}"
        self.stack.pop()

    def handle_data(self, data):  # noqa: ANN001
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert [n.tag for n in builder.stack] == ["#document"], f"unclosed: {[n.tag for n in builder.stack]}"
    return builder.root


def segments(doc: Node) -> list[Node]:
    return list(doc.find_all("tbody", "seg"))


def cell_text(seg: Node, cls: str) -> str:
    """The text of a segment's English (src) or translated (tgt) cell, without notes."""
    cell = seg.find("td", cls)
    text = cell.find("div", "text")
    return text.text() if text is not None else ""


def assert_self_contained(html: str) -> None:
    """A page that needs no server, script or network: UTF-8, inline CSS, relative links."""
    assert html.startswith("<!DOCTYPE html>\n")
    assert '<meta charset="utf-8">' in html
    assert not re.search(r"<script", html, re.I)
    doc = parse(html)
    assert not list(doc.iter("link")) and not list(doc.iter("img"))
    assert [n for n in doc.iter() if "src" in n.attrs] == []
    for a in doc.iter("a"):
        assert "://" not in a.attrs["href"] and not a.attrs["href"].startswith("//")
    assert not [n for n in doc.iter() if any(k.startswith("on") for k in n.attrs)]


# -- sites ---------------------------------------------------------------------------

STORM = """---
title: "Storm warning for the Rhine valley"
date: 2026-05-01
---

# Storm warning for the Rhine valley

The weather service expects heavy rain in the Rhine valley tonight.

Read [the official warning](https://dwd.example.test/warning) before you travel.

Editors wrote a note here.

Ferry operators said services could stop at short notice.
"""

RAIN_DE = ("Der Wetterdienst erwartet heute Nacht „Starkregen“ im Rheintal; "
           "Donaudampfschifffahrtsgesellschaftskapitänsmützen bleiben trocken.")
HOSTILE = '<script>alert(1)</script> Notiz der Redaktion & <b onclick="x()">fett</b>'


def set_reviewed(entry: polib.POEntry, text: str) -> None:
    """What a translator does in a PO editor: write the text and clear the fuzzy flag."""
    entry.msgstr = text
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    entry.comment = "\n".join(ln for ln in entry.comment.splitlines() if not ln.startswith(catalog.MACHINE))


def edit_catalog(path: Path, texts: dict[str, str]) -> None:
    """Review the entries whose msgid starts with a key of ``texts``."""
    po = pofile.load(path)
    for e in po:
        for start, text in texts.items():
            if e.msgid.startswith(start):
                set_reviewed(e, text)
    write_atomic(path, pofile.dumps(po))


@pytest.fixture
def storm(tmp_path: Path) -> Path:
    """A site whose one article has every state, a dropped link and a hostile translation."""
    root = write_site(tmp_path / "storm", {"storm.md": STORM})
    assert run(root, "-q", "translate", "--engine", "pseudo") == 0  # everything a machine draft
    edit_catalog(root / "locales/de/storm.po", {
        "Storm warning": "„Unwetterwarnung“ für das Rheintal",
        "The weather service": RAIN_DE,
        "Read [the official": "Lesen Sie die offizielle Warnung, bevor Sie reisen.",  # link dropped
        "Editors wrote": HOSTILE,
    })
    source = root / "content/en/storm.md"
    text = source.read_text(encoding="utf-8")
    text = text.replace("expects heavy rain in the Rhine", "expects very heavy rain in the upper Rhine")
    text += "\nA new paragraph that nobody has translated yet.\n"
    source.write_text(text, encoding="utf-8")
    assert run(root, "-q", "extract") == 0  # changed text: needs update; new text: untranslated
    return root


def report(root: Path, out: Path, *args: str) -> None:
    assert run(root, "-q", "review", str(out), *args) == 0


# -- tests ---------------------------------------------------------------------------

def test_doctests():
    assert doctest.testmod(review).failed == 0


def test_rows_carry_state_diff_engine_and_problems(storm: Path):
    (page,) = review.build(config.load(storm), ["de"])
    assert (page.article, page.catalog, page.href) == ("content/en/storm.md", "locales/de/storm.po", "de/storm.html")
    assert page.title == "Storm warning for the Rhine valley" and page.notice is None
    by_source = {r.source.split()[0]: r for r in page.rows}
    assert [r.state for r in page.rows] == [catalog.REVIEWED, catalog.NEEDS_UPDATE, catalog.REVIEWED,
                                            catalog.REVIEWED, catalog.DRAFT, catalog.UNTRANSLATED]
    assert by_source["The"].previous == "The weather service expects heavy rain in the Rhine valley tonight."
    assert by_source["Ferry"].engine == "pseudo" and by_source["Ferry"].drafted
    assert by_source["Storm"].engine is None and by_source["Storm"].places == ("front matter · key: title", "heading")
    assert [p.split(":")[0] for p in by_source["Read"].problems] == ["link-target"]
    assert by_source["Editors"].problems and by_source["A"].problems == ()
    assert page.problems == 2
    assert page.work == len(by_source["The"].source.split()) + len(by_source["A"].source.split())
    lines = [e.linenum for e in pofile.load(storm / "locales/de/storm.po") if e.msgid and not e.obsolete]
    assert [r.ref for r in page.rows] == [f"locales/de/storm.po:{n}" for n in lines]


def test_by_work_puts_unreadable_then_most_words_to_do_first():
    def page(name: str, untranslated: int, update: int, draft: int, readable: bool = True) -> review.Page:
        words = {catalog.REVIEWED: 5, catalog.DRAFT: draft, catalog.NEEDS_UPDATE: update,
                 catalog.UNTRANSLATED: untranslated}
        stats = catalog.Stats(dict.fromkeys(words, 1), words, dict.fromkeys(words, 0)) if readable else None
        return review.Page(name, "de", name, name, name, (), stats)

    pages = [page("a", 0, 0, 0), page("b", 3, 0, 9), page("c", 0, 4, 0), page("d", 0, 0, 2),
             page("e", 0, 0, 0, readable=False)]
    assert [p.article for p in review.by_work(pages)] == ["e", "c", "b", "d", "a"]


def test_every_segment_of_every_article_with_its_state(example_site: Path, tmp_path: Path):
    out = tmp_path / "report"
    report(example_site, out)
    sources = sorted((example_site / "content/en").rglob("*.md"))
    assert sources
    for source in sources:
        rel = source.relative_to(example_site / "content/en")
        html = (out / "de" / rel.with_suffix(".html")).read_text(encoding="utf-8")
        assert_self_contained(html)
        doc = parse(html)
        assert doc.find("html").attrs["lang"] == "en"
        cat = example_site / "locales/de" / rel.with_suffix(".po")
        entries = [e for e in pofile.load(cat) if not e.obsolete and e.msgid]
        segs = segments(doc)
        assert len(segs) == len(entries), rel
        for seg, e in zip(segs, entries):
            state = catalog.state(e)
            assert seg.attrs["data-state"] == state
            assert seg.find("span", "badge").text() == review._LABEL[state]
            assert seg.find("td", "src").attrs["lang"] == "en"
            assert seg.find("td", "tgt").attrs["lang"] == "de"
            assert cell_text(seg, "src") == e.msgid
            assert cell_text(seg, "tgt") == e.msgstr
            assert seg.find("a", "ref").text() == f"locales/de/{rel.with_suffix('.po')}:{e.linenum}"
            assert seg.attrs["id"] == f"L{e.linenum}"


def test_states_diff_problems_and_german_typography(storm: Path, tmp_path: Path):
    out = tmp_path / "report"
    report(storm, out)
    html = (out / "de/storm.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "hyphens:auto" in html and "overflow-wrap:anywhere" in html
    segs = {cell_text(s, "src"): s for s in segments(parse(html))}
    states = {src: s.attrs["data-state"] for src, s in segs.items()}
    assert states == {
        "Storm warning for the Rhine valley": catalog.REVIEWED,
        "The weather service expects very heavy rain in the upper Rhine valley tonight.": catalog.NEEDS_UPDATE,
        "Read [the official warning](https://dwd.example.test/warning) before you travel.": catalog.REVIEWED,
        "Editors wrote a note here.": catalog.REVIEWED,
        "Ferry operators said services could stop at short notice.": catalog.DRAFT,
        "A new paragraph that nobody has translated yet.": catalog.UNTRANSLATED,
    }
    labels = {src: s.find("span", "badge").text() for src, s in segs.items()}
    assert sorted(set(labels.values())) == ["Machine draft", "Needs update", "Reviewed", "Untranslated"]

    # German typography survives as written: quotes, umlauts, long compounds.
    assert cell_text(segs["Storm warning for the Rhine valley"], "tgt") == "„Unwetterwarnung“ für das Rheintal"
    rain = segs["The weather service expects very heavy rain in the upper Rhine valley tonight."]
    assert cell_text(rain, "tgt") == RAIN_DE
    assert "Donaudampfschifffahrtsgesellschaftskapitänsmützen" in html

    # Needs update: a word diff from the previous English to the current one.
    diff = rain.find("div", "diff")
    assert [n.text() for n in diff.iter("ins")] == ["very", "upper"]
    assert list(diff.iter("del")) == []
    assert "The weather service expects" in diff.text()

    # A dropped link is flagged, with the markup check's message.
    link = segs["Read [the official warning](https://dwd.example.test/warning) before you travel."]
    assert "problem" in link.classes()
    assert [b.text() for b in link.find_all("span", "badge")] == ["Reviewed", "Markup problem"]
    assert "link-target" in link.find("ul", "problems").text()
    assert "2 entries have markup problems" in html  # the hostile one has problems too

    # Machine drafts name their engine and date; every row names its catalog entry and place.
    ferry = segs["Ferry operators said services could stop at short notice."]
    assert re.fullmatch(r"engine: pseudo, \d{4}-\d{2}-\d{2}", ferry.find("span", "engine").text())
    po = pofile.load(storm / "locales/de/storm.po")
    line = next(e.linenum for e in po if e.msgid.startswith("Ferry"))
    assert ferry.find("a", "ref").text() == f"locales/de/storm.po:{line}"
    assert [p.text() for p in ferry.find_all("span", "place")] == ["paragraph · section: Storm warning for the Rhine valley"]
    title = segs["Storm warning for the Rhine valley"]
    assert [p.text() for p in title.find_all("span", "place")] == ["front matter · key: title", "heading"]
    assert "not translated yet" in segs["A new paragraph that nobody has translated yet."].find("td", "tgt").text()


def test_hostile_translation_is_shown_as_text(storm: Path, tmp_path: Path):
    out = tmp_path / "report"
    report(storm, out)
    html = (out / "de/storm.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html and "&lt;/script&gt;" in html
    doc = parse(html)
    assert not list(doc.iter("script"))
    seg = next(s for s in segments(doc) if cell_text(s, "src") == "Editors wrote a note here.")
    assert not list(seg.iter("b"))
    assert cell_text(seg, "tgt") == HOSTILE
    assert "unsafe-html" in seg.find("ul", "problems").text()
    # The Content-Security-Policy forbids scripts should escaping ever fail.
    assert "default-src 'none'" in html


def test_index_sorts_by_work_needed(tmp_path: Path):
    text = "# {0}\n\nFirst paragraph of {0}.\n\nSecond paragraph of {0}, a little longer.\n"
    root = write_site(tmp_path / "site", {f"{n}.md": text.format(n) for n in ("a-done", "b-half", "c-todo")})
    assert run(root, "-q", "extract") == 0
    edit_catalog(root / "locales/de/a-done.po", {"": "Übersetzt."})
    edit_catalog(root / "locales/de/b-half.po", {"Second": "Zweiter Absatz."})
    out = tmp_path / "report"
    report(root, out)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    doc = parse(html)
    rows = list(doc.find("table", "index").find("tbody").iter("tr"))
    hrefs = [r.find("a").attrs["href"] for r in rows]
    assert hrefs == ["de/c-todo.html", "de/b-half.html", "de/a-done.html"]
    assert all((out / h).is_file() for h in hrefs)
    # The bar is stacked by words per state, in pure CSS, and says so in text.
    half = rows[1].find("div", "bar")
    widths = {s.attrs["class"]: float(re.search(r"width:([\d.]+)%", s.attrs["style"])[1]) for s in half.iter("span")}
    assert set(widths) == {"reviewed", "untranslated"} and abs(sum(widths.values()) - 100) < 0.01
    assert widths["reviewed"] > widths["untranslated"]  # 7 words of 12 reviewed
    assert "words reviewed" in half.attrs["aria-label"]
    assert [next(r.find_all("td", "num")).text() for r in rows] == ["0%", "58%", "100%"]
    # Each page links back to the index.
    page = parse((out / "de/b-half.html").read_text(encoding="utf-8"))
    assert page.find("a", "home").attrs["href"] == "../index.html"


def test_missing_and_stale_catalogs_are_explained(site: Path, tmp_path: Path):
    out = tmp_path / "report"
    report(site, out)
    doc = parse((out / "de/open-model.html").read_text(encoding="utf-8"))
    assert "no catalog locales/de/open-model.po yet: run `l10n extract`" in doc.find("p", "notice").text()
    segs = segments(doc)
    assert segs and {s.attrs["data-state"] for s in segs} == {catalog.UNTRANSLATED}
    assert {s.find("span", "ref").text() for s in segs} == {"locales/de/open-model.po"}

    assert run(site, "-q", "extract") == 0
    source = site / "content/en/open-model.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    report(site, out)
    doc = parse((out / "de/open-model.html").read_text(encoding="utf-8"))
    assert "out of date with the article: run `l10n extract`" in doc.find("p", "notice").text()


def test_cli_writes_report_and_changes_nothing_else(storm: Path, tmp_path: Path, capsys):
    before = snapshot(storm)
    out = tmp_path / "report"
    assert run(storm, "review", str(out)) == 0
    assert capsys.readouterr().out == f"review: 1 article page; open {out / 'index.html'}\n"
    assert snapshot(storm) == before
    written = snapshot(out)
    assert set(written) == {"index.html", "de/storm.html"}
    assert run(storm, "-q", "review", str(out), "--lang", "de") == 0
    assert snapshot(out) == written  # no timestamps: a second run writes the same bytes
    files = review.write(config.load(storm), ["de"], out)
    assert files == [out / "index.html", out / "de/storm.html"]


def test_cli_rejects_unknown_language(storm: Path, tmp_path: Path, capsys):
    assert run(storm, "review", str(tmp_path / "r"), "--lang", "fr") == 2
    assert "'fr' is not in target_langs" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


# -- a real browser -------------------------------------------------------------------

# Chromium logs console messages at INFO level with the tag CONSOLE, for example
#   [7:7:1129/064731.387215:INFO:CONSOLE:2] "Uncaught ReferenceError: f is not defined", source: file:///x.html (2)
# (older releases wrote "INFO:CONSOLE(2)]"). Any such line means the page produced console output.
CONSOLE = re.compile(r":CONSOLE[\]:(]|Uncaught")


def chromium(url: str, tmp: Path) -> tuple[str, str, Path]:
    """Open ``url`` in headless Chromium: (DOM, stderr, screenshot path)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("Chromium is not installed: install Debian's `chromium` package "
                    "(apt-get install -y chromium); .ci/run installs it when missing")
    shot = tmp / "shot.png"
    args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0",
            f"--screenshot={shot}", "--dump-dom", "--window-size=1280,900", url]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # Chromium's helpers too: they share its session
        proc.communicate()
        pytest.fail(f"Chromium did not finish within 60 s on {url}")
    assert proc.returncode == 0, err[-2000:]
    return out, err, shot


def test_report_renders_in_chromium_without_console_errors(storm: Path, tmp_path: Path):
    out = tmp_path / "report"
    report(storm, out)
    page = out / "de/storm.html"
    (tmp_path / "page").mkdir()
    dom, err, shot = chromium(page.as_uri(), tmp_path / "page")
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    console = [line for line in err.splitlines() if CONSOLE.search(line)]
    assert console == [], "\n".join(console)
    # The browser's DOM holds the German text, and the hostile translation only as text.
    assert "„Unwetterwarnung“ für das Rheintal" in dom and "Donaudampfschifffahrtsgesellschaftskapitänsmützen" in dom
    assert "&lt;script&gt;" in dom and "<script" not in dom.lower()

    # The control: the same detector sees a page's console messages in this Chromium.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><meta charset="utf-8"><title>c</title>'
                       '<script>console.error("control message"); missing();</script>', encoding="utf-8")
    (tmp_path / "control").mkdir()
    _, err, _ = chromium(control.as_uri(), tmp_path / "control")
    seen = [line for line in err.splitlines() if CONSOLE.search(line)]
    assert any("control message" in line for line in seen), err[-2000:]
    assert any("Uncaught" in line for line in seen), err[-2000:]


def test_a_stale_problem_comment_does_not_outlive_the_fix(storm: Path):
    """The report shows the publishing core's verdict now, not a comment an earlier run left."""
    path = storm / "locales/de/storm.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid.startswith("Read"))
    entry.msgstr = entry.msgid.replace("Read", "Lies", 1)  # fixed: the link target is the source's
    entry.comment = (entry.comment + "\n" if entry.comment else "") + "markup problem: link target missing"
    po.save()
    (page,) = review.build(config.load(storm), ["de"])
    row = next(r for r in page.rows if r.source.startswith("Read"))
    assert row.problems == () and page.problems == 1


def test_qa_findings_are_shown_next_to_their_entry(example_site: Path, tmp_path: Path):
    path = example_site / "locales/de/eu-tightens-export-checks-on-ai-accelerators.po"
    po = pofile.load(path)
    entry = next(e for e in po if "27 different ones" in e.msgid)
    set_reviewed(entry, entry.msgstr.replace("27", "72"))
    write_atomic(path, pofile.dumps(po))
    pages = review.build(config.load(example_site), ["de"])
    (row,) = [r for p in pages for r in p.rows if r.checks]
    assert row.source == entry.msgid and [(f.code, f.severity) for f in row.checks] == [("numbers", "error")]
    out = tmp_path / "report"
    report(example_site, out)
    doc = parse((out / "de/eu-tightens-export-checks-on-ai-accelerators.html").read_text(encoding="utf-8"))
    seg = next(s for s in segments(doc) if s.find("ul", "checks") is not None)
    assert cell_text(seg, "src") .startswith("The European Commission has proposed")
    assert seg.find("ul", "checks").text() == (
        "[numbers] error: the translation lacks '27' of the source and has '72', not in the source")
    assert "1 QA finding" in seg.find("span", "check").text()


def test_inconsistent_reviewed_translations_are_shown_on_both_pages(tmp_path: Path):
    text = "---\ntitle: \"{t}\"\n---\n\nThe investigation is ongoing.\n"
    root = write_site(tmp_path / "s", {"a.md": text.format(t="Fire at the port"),
                                       "b.md": text.format(t="Fraud at the bank")})
    assert run(root, "-q", "extract") == 0
    edit_catalog(root / "locales/de/a.po", {"Fire": "Feuer im Hafen", "The investigation": "Die Ermittlungen dauern an."})
    edit_catalog(root / "locales/de/b.po", {"Fraud": "Betrug bei der Bank", "The investigation": "Die Untersuchung läuft."})
    pages = review.build(config.load(root), ["de"])
    found = {p.catalog: [f.message for r in p.rows for f in r.checks] for p in pages}
    assert found == {"locales/de/a.po": ["'Die Ermittlungen dauern an.' here, also translated "
                                        "'Die Untersuchung läuft.' (locales/de/b.po:18)"],
                     "locales/de/b.po": ["'Die Untersuchung läuft.' here, also translated "
                                        "'Die Ermittlungen dauern an.' (locales/de/a.po:18)"]}
