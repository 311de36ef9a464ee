"""The review report: static HTML pages for reading translations side by side.

One page per article and language, and an index, written to a folder: no server, no
JavaScript, inline CSS only, so the report can be opened from disk, attached to a CI run or
published as it is. Building pages is pure (:func:`rows`, :func:`article_html`,
:func:`index_html`); :func:`build` reads the site and :func:`write` writes the files.

Every text taken from an article or a catalog goes through :func:`html.escape`: a
translation containing HTML is shown as text, never interpreted. The pages also carry a
Content-Security-Policy that forbids scripts, as a second line of defence.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import date
from html import escape
from pathlib import Path
from typing import Iterable, Sequence

import polib
from babel import Locale

from . import catalog, pofile, publish, qa, workflow
from . import check as checks
from .catalog import DRAFT, NEEDS_UPDATE, REVIEWED, STATES, UNTRANSLATED
from .config import Config
from .links import Links
from .errors import L10nError
from .extract import Segment
from .fsutil import read_text, write_atomic
from .plural import count

INDEX = "index.html"

# CSS class and label of each state; the label is shown as text, never colour alone.
_CLASS = {REVIEWED: "reviewed", DRAFT: "draft", NEEDS_UPDATE: "update", UNTRANSLATED: "untranslated"}
_LABEL = {REVIEWED: "Reviewed", DRAFT: "Machine draft", NEEDS_UPDATE: "Needs update",
          UNTRANSLATED: "Untranslated"}


@dataclass(frozen=True)
class Row:
    """One catalog entry as a reviewer sees it."""

    catalog: str                   # the catalog file, relative to the site root
    line: int | None               # the entry's first line in it (None: catalog not written yet)
    places: tuple[str, ...]        # kind and section, from the entry's extracted comments
    source: str
    translation: str
    state: str
    context: str | None = None
    previous: str | None = None    # the English the translation was made for (needs update)
    engine: str | None = None      # machine drafts: the engine and the date of the draft
    drafted: str | None = None
    problems: tuple[str, ...] = ()  # why the article publishes it in English, found now
    checks: tuple[qa.Finding, ...] = ()  # what the QA checks (l10n.qa) find in the translation

    @property
    def ref(self) -> str:
        """``locales/de/x.po:123``: where to edit the entry."""
        return f"{self.catalog}:{self.line}" if self.line else self.catalog

    @property
    def anchor(self) -> str:
        return f"L{self.line}" if self.line else ""


@dataclass(frozen=True)
class Page:
    """One article in one language: its rows and totals."""

    article: str                   # the source article, relative to the site root
    lang: str
    catalog: str
    href: str                      # the page, relative to the report folder
    title: str
    rows: tuple[Row, ...]
    stats: catalog.Stats | None    # None: the article or its catalog could not be read
    notice: str | None = None      # what is wrong with the catalog, and the command that fixes it

    @property
    def problems(self) -> int:
        """Rows with markup problems."""
        return sum(bool(r.problems) for r in self.rows)

    @property
    def work(self) -> int:
        """Source words still to translate: untranslated and needing update."""
        return self.stats.words[UNTRANSLATED] + self.stats.words[NEEDS_UPDATE] if self.stats else 0


def by_work(pages: Iterable[Page]) -> list[Page]:
    """Pages in the order to work on them: unreadable first, then by words untranslated or
    needing update, then by words in machine drafts, then by markup problems."""
    def key(p: Page) -> tuple:
        if p.stats is None:
            return (0, 0, 0, 0, p.article, p.lang)
        return (1, -p.work, -p.stats.words[DRAFT], -p.problems, p.article, p.lang)
    return sorted(pages, key=key)


# -- the pure core: rows from a catalog ----------------------------------------------

def rows(po: polib.POFile, catalog_name: str, segments: Sequence[Segment],
         found: publish.Publication, rules: qa.Policy | None = None) -> list[Row]:
    """The live entries of ``po`` in catalog order, with their states and the current
    verdict of the publishing core (:func:`l10n.publish.publish`) on each: a translation
    listed with problems is published in English until it is fixed. With ``rules``, each
    row also carries what the QA checks find in its translation."""
    out = []
    for e in po:
        if e.obsolete or not e.msgid:
            continue
        findings = checks.findings(e, rules) if rules is not None else []
        comments = e.comment.splitlines()
        verdict = found.verdicts.get(e.msgid) if catalog.is_own(e) else None
        engine, drafted = _machine(e)
        out.append(Row(
            catalog=catalog_name, line=e.linenum, places=tuple(_places(comments)),
            source=e.msgid, translation=e.msgstr, state=catalog.state(e), context=e.msgctxt,
            previous=e.previous_msgid if catalog.state(e) == NEEDS_UPDATE else None,
            engine=engine, drafted=drafted,
            problems=tuple(str(p) for p in verdict.problems) if verdict is not None else (),
            checks=tuple(findings)))
    return out


def with_consistency(pages: Sequence[Page], rules: qa.Policy) -> list[Page]:
    """``pages`` (of one language) with the consistency findings added to their rows."""
    uses = [qa.Use(r.source, r.translation, r.catalog, r.line or 0)
            for p in pages for r in p.rows if r.state == REVIEWED and r.context is None]
    extra: dict[tuple[str, int], list[qa.Finding]] = {}
    for use, finding in qa.consistency(uses, rules):
        extra.setdefault((use.catalog, use.line), []).append(finding)
    if not extra:
        return list(pages)
    return [replace(p, rows=tuple(replace(r, checks=r.checks + tuple(extra.get((r.catalog, r.line or 0), ())))
                                  for r in p.rows)) for p in pages]


def _places(comments: Sequence[str]) -> Iterable[str]:
    """Readable kind and section from the extracted comments.

    >>> list(_places(["type: list item; section: TL;DR", "machine translation: pseudo, 2026-01-02"]))
    ['list item · section: TL;DR']
    """
    for line in comments:
        if line.startswith("type: "):
            yield line[len("type: "):].replace("; ", " · ", 1)


def _machine(entry: polib.POEntry) -> tuple[str | None, str | None]:
    """Engine and date of a machine draft, from its ``machine translation:`` comment."""
    mark = catalog.machine(entry)
    if mark is None:
        return None, None
    return mark.engine or None, mark.date.isoformat() if mark.date else None


# -- the pure core: HTML -------------------------------------------------------------

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> str:
    """HTML of a word-level diff: removed words in ``<del>``, added ones in ``<ins>``.

    Words and punctuation are compared as tokens; a change is never split at a mere space.

    >>> word_diff("a big cat", "a small cat")
    'a <del>big</del><ins>small</ins> cat'
    >>> word_diff("public administration and firms", "public administration, hospitals and firms")
    'public administration<ins>, hospitals</ins> and firms'
    >>> word_diff("one two three", "four five six")
    '<del>one two three</del><ins>four five six</ins>'
    >>> word_diff("x", "x <b>")
    'x <ins>&lt;b&gt;</ins>'
    """
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    chunks: list[list] = []  # [changed, old text, new text]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        chunks.append([tag != "equal", "".join(a[i1:i2]), "".join(b[j1:j2])])
    merged: list[list] = []
    for i, chunk in enumerate(chunks):  # spaces between two changes join them
        between = (not chunk[0] and not chunk[1].strip() and 0 < i < len(chunks) - 1
                   and chunks[i - 1][0] and chunks[i + 1][0])
        if (chunk[0] or between) and merged and merged[-1][0]:
            merged[-1][1] += chunk[1]
            merged[-1][2] += chunk[2]
        else:
            merged.append([chunk[0] or between, chunk[1], chunk[2]])
    out = []
    for changed, gone, came in merged:
        if not changed:
            out.append(escape(gone))
            continue
        lead = _common_space(gone, came, str.lstrip)
        trail = _common_space(gone[::-1], came[::-1], str.lstrip)[::-1]
        gone, came = gone[len(lead):len(gone) - len(trail)], came[len(lead):len(came) - len(trail)]
        out.append(escape(lead))
        out.append(f"<del>{escape(gone)}</del>" if gone else "")
        out.append(f"<ins>{escape(came)}</ins>" if came else "")
        out.append(escape(trail))
    return "".join(out)


def _common_space(a: str, b: str, strip) -> str:  # noqa: ANN001 - str.lstrip
    """The leading whitespace both changed texts share (all of it when one is empty)."""
    wa, wb = a[:len(a) - len(strip(a))], b[:len(b) - len(strip(b))]
    if not a or not b:
        return wa or wb
    return wa if wa == wb else ""


_MARKUP = re.compile(r"`+[^`]+`+|!?\[(?=[^\[\]]*\]\()|\]\([^)\s]*\)|<[^<>\n]+>|\*\*|__")


def text_html(md: str) -> str:
    """Inline Markdown as escaped text, code spans, link targets and tags set off.

    >>> text_html("See [the <i>paper</i>](https://x.org) & `a<b`")
    'See <span class="md">[</span>the <span class="md">&lt;i&gt;</span>paper<span class="md">&lt;/i&gt;</span><span class="md">](https://x.org)</span> &amp; <code>`a&lt;b`</code>'
    """
    out, pos = [], 0
    for m in _MARKUP.finditer(md):
        out.append(escape(md[pos:m.start()]))
        token = escape(m.group())
        out.append(f"<code>{token}</code>" if token.startswith("`") else f'<span class="md">{token}</span>')
        pos = m.end()
    out.append(escape(md[pos:]))
    return "".join(out)


def language_name(code: str) -> str:
    """The English name of a language, from babel.

    >>> language_name("de"), language_name("pt_BR")
    ('German', 'Portuguese (Brazil)')
    """
    try:
        return Locale.parse(code).english_name or code
    except (ValueError, TypeError):
        return code


def _html_lang(code: str) -> str:
    return code.replace("_", "-")


def bar_html(stats: catalog.Stats | None) -> str:
    """A progress bar by words, stacked by state, in pure CSS, with a text equivalent."""
    if stats is None or not stats.total_words:
        return '<div class="bar empty" role="img" aria-label="no words"></div>'
    total = stats.total_words
    label = ", ".join(f"{count(stats.words[s], 'word')} {s}" for s in STATES if stats.words[s])
    cells = "".join(
        f'<span class="{_CLASS[s]}" style="width:{100 * stats.words[s] / total:.3f}%" '
        f'title="{escape(_LABEL[s])}: {count(stats.words[s], "word")}"></span>'
        for s in STATES if stats.words[s])
    return f'<div class="bar" role="img" aria-label="{escape(label)}">{cells}</div>'


def _counts_html(stats: catalog.Stats | None) -> str:
    if stats is None:
        return ""
    items = "".join(
        f'<li class="{_CLASS[s]}"><span class="swatch"></span>{escape(_LABEL[s])} '
        f'<b>{stats.entries[s]}</b> <span class="muted">({count(stats.words[s], "word")})</span></li>'
        for s in STATES)
    return f'<ul class="legend">{items}</ul>'


def _segment_html(row: Row, source_lang: str, lang: str) -> str:
    """One segment: a line naming its state, catalog entry and place, then English | target."""
    cls = "seg " + _CLASS[row.state] + (" problem" if row.problems else "")
    meta = [f'<span class="badge">{escape(_LABEL[row.state])}</span>']
    if row.problems:
        meta.append('<span class="badge warn">Markup problem</span>')
    if row.checks:
        meta.append(f'<span class="badge check">{len(row.checks)} QA '
                    f'{"finding" if len(row.checks) == 1 else "findings"}</span>')
    ref = escape(row.ref)
    meta.append(f'<a class="ref" href="#{row.anchor}">{ref}</a>' if row.anchor else f'<span class="ref">{ref}</span>')
    meta += [f'<span class="place">{escape(p)}</span>' for p in row.places]
    if row.context:
        meta.append(f'<span class="place">context: {escape(row.context)}</span>')
    if row.state == DRAFT or row.engine:
        when = f", {escape(row.drafted)}" if row.drafted else ""
        meta.append(f'<span class="engine">engine: {escape(row.engine or "unknown")}{when}</span>')
    source = f'<div class="text">{text_html(row.source)}</div>'
    if row.previous is not None:
        source += (f'<div class="diff"><span class="diff-label">English changed since the translation</span>'
                   f'{word_diff(row.previous, row.source)}</div>')
    if row.translation:
        target = f'<div class="text">{text_html(row.translation)}</div>'
    else:
        target = '<div class="missing" lang="en">not translated yet</div>'
    if row.problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in row.problems)
        target += f'<ul class="problems" lang="en">{items}</ul>'
    if row.checks:
        items = "".join(f'<li class="{f.severity}">[{escape(f.code)}] {escape(f.severity)}: '
                        f'{escape(f.message)}</li>' for f in row.checks)
        target += f'<ul class="checks" lang="en">{items}</ul>'
    anchor = f' id="{row.anchor}"' if row.anchor else ""
    return (f'<tbody{anchor} class="{cls}" data-state="{escape(row.state)}">'
            f'<tr class="meta"><td colspan="2">{"".join(meta)}</td></tr>'
            f'<tr class="texts"><td class="src" lang="{_html_lang(source_lang)}">{source}</td>'
            f'<td class="tgt" lang="{_html_lang(lang)}">{target}</td></tr></tbody>')


def _document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n")


def article_html(page: Page, source_lang: str = "en") -> str:
    """The review page of one article in one language."""
    home = "../" * page.href.count("/") + INDEX
    target = language_name(page.lang)
    head = (
        f'<header><div class="top"><h1 lang="{_html_lang(source_lang)}">{escape(page.title)}</h1>'
        f'<a class="home" href="{escape(home)}">← All articles</a></div>'
        f'<p class="muted">{escape(page.article)} → {escape(target)} ({escape(page.lang)}) · '
        f'catalog <code>{escape(page.catalog)}</code></p>'
        f'<div class="summary">{bar_html(page.stats)}{_counts_html(page.stats)}</div>')
    if page.problems:
        head += (f'<p class="alert">⚠ {page.problems} {"entry has a" if page.problems == 1 else "entries have"} '
                 f'markup {"problem" if page.problems == 1 else "problems"}: published in English until fixed</p>')
    if page.notice:
        head += f'<p class="notice">{escape(page.notice)}</p>'
    head += "</header>"
    if page.rows:
        body = "\n".join(_segment_html(r, source_lang, page.lang) for r in page.rows)
        table = (
            '<table class="segments">'
            f'<thead><tr><th scope="col">{escape(language_name(source_lang))} ({escape(source_lang)})</th>'
            f'<th scope="col">{escape(target)} ({escape(page.lang)})</th></tr></thead>\n'
            f"{body}\n</table>")
    else:
        table = '<p class="muted">No segments to show.</p>'
    title = f"{page.title} ({page.lang}) · translation review"
    return _document(title, f"{head}\n<main>\n{table}\n</main>\n{_FOOTER}")


def index_html(pages: Sequence[Page], source_lang: str = "en") -> str:
    """The index: every article's progress, the ones that need most work first."""
    lines = []
    for p in by_work(pages):
        if p.stats is None:
            numbers = '<td class="num" colspan="3">—</td>'
        else:
            share = f"{100 * p.stats.share():.0f}%"
            numbers = (f'<td class="num">{share}</td><td class="num">{p.work}</td>'
                       f'<td class="num">{p.problems or ""}</td>')
        notice = f'<div class="notice small">{escape(p.notice)}</div>' if p.notice else ""
        lines.append(
            f'<tr><td><a href="{escape(p.href)}" lang="{_html_lang(source_lang)}">{escape(p.title)}</a>'
            f'<div class="muted small">{escape(p.article)}</div>{notice}</td>'
            f'<td>{escape(p.lang)}</td><td class="progress">{bar_html(p.stats)}'
            f'<div class="small muted">{_summary_text(p.stats)}</div></td>{numbers}</tr>')
    legend = "".join(f'<li class="{_CLASS[s]}"><span class="swatch"></span>{escape(_LABEL[s])}</li>'
                     for s in STATES)
    body = (
        "<header><h1>Translation review</h1>"
        f'<p class="muted">{count(len(pages), "article page")}, sorted by what needs work: words untranslated '
        "or needing update first, then machine drafts.</p>"
        f'<ul class="legend">{legend}</ul></header>\n<main>\n'
        '<table class="index"><thead><tr><th scope="col">Article</th><th scope="col">Lang</th>'
        '<th scope="col">Progress by words</th><th scope="col" class="num">Reviewed</th>'
        '<th scope="col" class="num">Words to do</th><th scope="col" class="num">Problems</th>'
        "</tr></thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody></table>\n</main>\n" + _FOOTER)
    return _document("Translation review", body)


def _summary_text(stats: catalog.Stats | None) -> str:
    if stats is None:
        return "unreadable"
    counts = " · ".join(f"{stats.entries[s]} {_LABEL[s].lower()}" for s in STATES if stats.entries[s])
    return f"entries: {counts}" if counts else "no entries"


_FOOTER = ('<footer class="muted small">Written by <code>l10n review</code>. Edit translations in '
           "the catalogs named on each row (any PO editor); clear the fuzzy flag to mark one reviewed."
           "</footer>")

CSS = """
:root{--reviewed:#1a7f37;--reviewed-bg:#eef8f0;--draft:#a55a00;--draft-bar:#e7a33e;--draft-bg:#fff5e0;
--update:#7c3aed;--update-bg:#f4effd;--untranslated:#6b7280;--untranslated-bar:#c3c8cf;
--untranslated-bg:#f4f5f7;--problem:#c0262d;--problem-bg:#fdeeee;--line:#dde1e6;--muted:#5d6670;
--ink:#1f2328;--link:#0b5cad}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:20px 32px 40px;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans","Liberation Sans","DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
header,main,footer{max-width:1320px;margin:0 auto}
h1{font-size:1.45rem;line-height:1.25;margin:0 0 .3rem}
.top{display:flex;justify-content:space-between;align-items:baseline;gap:24px}
.home{white-space:nowrap;font-size:.9rem}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
code,.ref{font-family:ui-monospace,"SF Mono",Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;
font-size:.86em}
code{background:#eef0f3;border-radius:3px;padding:0 .2em}
.muted{color:var(--muted)}.small{font-size:.85rem}
header p{margin:.2rem 0;font-size:.9rem}
header p code{background:none;padding:0}
.summary{display:flex;align-items:center;gap:12px 24px;flex-wrap:wrap;margin:.7rem 0 .4rem}
.summary .bar{width:260px}
.bar{display:flex;height:12px;border-radius:6px;overflow:hidden;background:var(--untranslated-bg);
box-shadow:inset 0 0 0 1px var(--line)}
.bar span{display:block;height:100%}
.bar .reviewed,.legend .reviewed .swatch{background:var(--reviewed)}
.bar .draft,.legend .draft .swatch{background:var(--draft-bar)}
.bar .update,.legend .update .swatch{background:var(--update)}
.bar .untranslated,.legend .untranslated .swatch{background:var(--untranslated-bar)}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 20px;margin:0;padding:0;font-size:.9rem}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:11px;height:11px;border-radius:3px}
.alert,.notice{margin:.6rem 0 0;padding:.3rem .7rem;border-radius:6px;font-size:.9rem}
.summary+.alert{display:inline-block;margin:.2rem 0 0}
.alert{background:var(--problem-bg);color:var(--problem);border:1px solid #f3c2c4}
.notice{background:#fff8e1;border:1px solid #f0d58a;color:#6d4c00}
.notice.small{padding:.2rem .5rem;margin:.3rem 0 0;font-size:.8rem}
table{width:100%;border-collapse:separate;border-spacing:0;margin-top:16px}
th{text-align:left;font-weight:600;font-size:.85rem;color:var(--muted);background:#f7f8fa;
border-bottom:1px solid var(--line);padding:8px 14px;position:sticky;top:0;z-index:1}
td{padding:8px 14px;vertical-align:top}
table.segments{table-layout:fixed}
.segments td.src,.segments td.tgt{hyphens:auto;-webkit-hyphens:auto;overflow-wrap:anywhere;
padding-top:6px;padding-bottom:12px;border-bottom:1px solid var(--line)}
.segments td.src{border-right:1px solid var(--line)}
.segments .text{white-space:pre-wrap}
.segments td:first-child{border-left:4px solid var(--untranslated-bar)}
.segments tr.meta td{padding:8px 14px 0;font-size:.8rem;color:var(--muted)}
.segments .reviewed td:first-child{border-left-color:var(--reviewed)}
.segments .draft td:first-child{border-left-color:var(--draft-bar)}
.segments .update td:first-child{border-left-color:var(--update)}
.segments .reviewed td.tgt{background:var(--reviewed-bg)}
.segments .draft td.tgt{background:var(--draft-bg)}
.segments .update td.tgt{background:var(--update-bg)}
.segments .untranslated td.tgt{background:var(--untranslated-bg)}
.segments .problem td.tgt{background:var(--problem-bg)}
.segments tr.meta td>*{margin-right:14px}
.segments tr.meta .ref,.segments tr.meta .engine{white-space:nowrap}
.segments tr.meta td>.badge{margin-right:6px}
.badge{display:inline-block;font-size:.75rem;font-weight:600;line-height:1.5;padding:0 8px;
border-radius:999px;margin-right:6px;color:#fff;background:var(--untranslated)}
.reviewed .badge{background:var(--reviewed)}.draft .badge{background:var(--draft)}
.update .badge{background:var(--update)}.badge.warn{background:var(--problem)}
.ref{font-size:.78rem;color:var(--muted)}
.engine{color:var(--draft)}
.missing{color:var(--muted);font-style:italic}
.diff{margin-top:8px;padding:6px 9px;border-radius:6px;background:var(--update-bg);font-size:.9rem}
.diff-label{display:block;font-size:.75rem;font-weight:600;color:var(--update)}
del{background:#fbd5d8;color:#86181d}
ins{background:#cdf3d5;color:#0f5323;text-decoration:none}
del+ins{margin-left:2px}
.md{color:#8a94a0}
.problems{margin:8px 0 0;padding:5px 9px 5px 26px;border-radius:6px;background:#fff;
border:1px solid #f3c2c4;color:var(--problem);font-size:.85rem}
.checks{margin:8px 0 0;padding:5px 9px 5px 26px;border-radius:6px;background:#fff;
border:1px solid #e8d9a8;color:#7a5b00;font-size:.85rem}.checks .error{color:var(--problem)}
.badge.check{background:#b08800}
.index td{vertical-align:middle;border-bottom:1px solid var(--line)}.index .progress{width:34%}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
footer{margin-top:24px}
"""


# -- the edges -----------------------------------------------------------------------

def page(config: Config, lang: str, source: Path, today: date | None = None,
         site: Links | None = None) -> Page:
    """Read one article and its catalog and build its page (a broken file gives a notice);
    ``site``: the site's links, as ``check`` judges them."""
    cat_path = config.catalog_path(source, lang)
    article, cat_name = str(config.display(source)), str(config.display(cat_path))
    href = f"{lang}/{config.relative(source).with_suffix('.html').as_posix()}"
    try:
        text = read_text(source)
        old = pofile.load(cat_path) if cat_path.exists() else None
        prepared = workflow.prepare(config, lang, source, text, old, today or date.today(),
                                    keep_obsolete=True)
    except L10nError as e:
        return Page(article, lang, cat_name, href, source.stem, (), None,
                    f"cannot read: {e}; fix the file and run `l10n review` again")
    title = next((s.text for s in prepared.segments if s.key == "title"), source.stem)
    notice = None
    if old is None:
        notice = f"no catalog {cat_name} yet: run `l10n extract` (rows show the segments to translate)"
    elif prepared.update.changed:
        notice = (f"{cat_name} is out of date with the article: run `l10n extract` "
                  "(rows show the catalog as it is)")
    po = old if old is not None else prepared.po
    prepared.links = site
    return Page(article, lang, cat_name, href, title,
                tuple(rows(po, cat_name, prepared.segments, workflow.publication(config, prepared, po),
                           checks.policy(config, lang))),
                catalog.Stats.of(po), notice)


def build(config: Config, langs: Sequence[str], today: date | None = None) -> list[Page]:
    """The pages of every article in every language, in site order."""
    sites = {lang: workflow.site_links(config, lang) for lang in langs}
    return [p for lang in langs for p in with_consistency(
        [page(config, lang, source, today, sites[lang]) for source in config.articles()], checks.policy(config, lang))]


def write(config: Config, langs: Sequence[str], outdir: Path) -> list[Path]:
    """Write the report to ``outdir``: ``index.html`` and ``<lang>/<article>.html``.

    Returns every file of the report, index first. Files are written atomically, and only
    when their content changed (the pages hold no timestamp).
    """
    pages = build(config, langs)
    files = [(outdir / INDEX, index_html(pages, config.source_lang))]
    files += [(outdir / p.href, article_html(p, config.source_lang)) for p in pages]
    for path, text in files:
        write_atomic(path, text)
    return [path for path, _ in files]
