"""Review progress per article and language, as a table or JSON."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import catalog, pofile, qa
from . import check as checks
from .catalog import DRAFT, NEEDS_UPDATE, REVIEWED, STATES, UNTRANSLATED
from .config import Config, printable
from .errors import InputError


@dataclass(frozen=True)
class Row:
    """One article in one language."""

    article: Path
    lang: str
    catalog: Path
    stats: catalog.Stats | None  # None: no catalog yet
    findings: dict[str, int] = field(default_factory=lambda: {qa.ERROR: 0, qa.WARNING: 0})  # QA, by severity
    error: InputError | None = None  # the article or its catalog cannot be read


def collect(config: Config, langs: Sequence[str]) -> list[Row]:
    """A row per article and language, with the QA findings of its catalog counted; an
    article that cannot be read (a name with control characters, a link out of the source
    folder, a broken catalog) is a row with its error, and the others are still counted."""
    rows = []
    for lang in langs:
        rules = checks.policy(config, lang)
        uses: list[qa.Use] = []
        by_catalog: dict[str, Row] = {}
        for source in config.articles():
            try:
                path = config.catalog_path(source, lang)
                po = pofile.load(path) if path.exists() else None
            except InputError as e:
                rows.append(Row(Path(printable(str(config.display(source)))), lang, Path(), None, error=e))
                continue
            row = Row(config.display(source), lang, config.display(path),
                      catalog.Stats.of(po) if po is not None else None)
            rows.append(row)
            by_catalog[str(row.catalog)] = row
            if po is None:
                continue
            for _entry, found in checks.entry_findings(po, rules):
                for f in found:
                    row.findings[f.severity] += 1
            uses.extend(qa.Use(e.msgid, e.msgstr, str(row.catalog), e.linenum, qa.silenced(e.flags, e.tcomment))
                        for e in po if not e.obsolete and e.msgid and catalog.is_own(e)
                        and catalog.state(e) == REVIEWED)
        for use, f in qa.consistency(uses, rules):
            by_catalog[use.catalog].findings[f.severity] += 1
    return rows


def _share(r: Row) -> float | None:
    """The reviewed share; None without a catalog or without text to translate."""
    return round(r.stats.share(), 4) if r.stats and r.stats.total_words else None


def as_json(rows: Sequence[Row]) -> dict:
    return {"articles": [
        {"article": str(r.article), "lang": r.lang, "error": str(r.error)}
        if r.error is not None else
        {"article": str(r.article), "lang": r.lang, "catalog": str(r.catalog),
         "exists": r.stats is not None,
         "entries": r.stats.entries if r.stats else None,
         "words": r.stats.words if r.stats else None,
         "chars": r.stats.chars if r.stats else None,
         "reviewed_share": _share(r) if r.stats else 0.0,
         "checks": {"errors": r.findings[qa.ERROR], "warnings": r.findings[qa.WARNING]}}
        for r in rows]}


_COLORS = {REVIEWED: "\x1b[32m", DRAFT: "\x1b[33m", NEEDS_UPDATE: "\x1b[35m", UNTRANSLATED: "\x1b[90m"}
_BLOCKS = {REVIEWED: "█", DRAFT: "▓", NEEDS_UPDATE: "▒", UNTRANSLATED: "░"}


def bar(stats: catalog.Stats, width: int = 20, color: bool = False) -> str:
    """A progress bar by words: reviewed, machine draft, needs update, untranslated.

    >>> s = catalog.Stats({}, {REVIEWED: 3, DRAFT: 1, NEEDS_UPDATE: 0, UNTRANSLATED: 0}, {})
    >>> bar(s, 8)
    '██████▓▓'
    """
    total = stats.total_words
    if not total:
        return " " * width
    cells, used, acc = [], 0, 0
    for s in STATES:
        acc += stats.words[s]
        n = round(width * acc / total) - used
        used += n
        block = _BLOCKS[s] * n
        cells.append(f"{_COLORS[s]}{block}\x1b[0m" if color and n else block)
    return "".join(cells)


def _findings(counts: dict[str, int]) -> str:
    """QA findings as ``2E 1W`` (errors, warnings); ``0`` for none.

    >>> _findings({"error": 2, "warning": 1}), _findings({"error": 0, "warning": 0})
    ('2E 1W', '0')
    """
    parts = [f"{counts[s]}{s[0].upper()}" for s in (qa.ERROR, qa.WARNING) if counts[s]]
    return " ".join(parts) or "0"


def table(rows: Sequence[Row], color: bool = False) -> str:
    """A plain-text table: entries and words per state (``entries (words)``), all words and
    characters, QA findings, and a progress bar with the reviewed share as the front matter
    records it."""
    head = ("article", "lang", "reviewed", "draft", "update", "untransl.", "words", "chars", "checks", "progress")
    body = []
    for r in rows:
        if r.error is not None:
            body.append((str(r.article), r.lang, "-", "-", "-", "-", "-", "-", "-",
                         f"error: {printable(r.error.message)}"))
            continue
        if r.stats is None:
            body.append((str(r.article), r.lang, "-", "-", "-", "-", "-", "-", "-", "no catalog: run l10n extract"))
            continue
        e, w = r.stats.entries, r.stats.words
        body.append((str(r.article), r.lang, *(f"{e[s]} ({w[s]})" for s in STATES),
                     str(r.stats.total_words), str(sum(r.stats.chars.values())),
                     _findings(r.findings),
                     f"{bar(r.stats, color=color)} "
                     + (f"{r.stats.reviewed_percent}%" if r.stats.total_words else "-")))
    widths = [max(width(row[i]) for row in [head, *body]) for i in range(len(head) - 1)]
    lines = []
    for row in [head, *body]:
        cells = [_pad(c, w, left=i < 2) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells + [row[-1]]).rstrip())
    return "\n".join(lines)


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters two, combining and
    invisible format characters none.

    >>> width("abc"), width("東京.md"), width("Cafe\u0301")
    (3, 7, 4)
    """
    return sum(0 if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
               else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, columns: int, left: bool) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (after it when ``left``)."""
    fill = " " * max(columns - width(text), 0)
    return text + fill if left else fill + text
