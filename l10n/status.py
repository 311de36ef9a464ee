"""Review progress per article and language, as a table or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from . import catalog, pofile
from .catalog import DRAFT, NEEDS_UPDATE, REVIEWED, STATES, UNTRANSLATED
from .config import Config


@dataclass(frozen=True)
class Row:
    """One article in one language."""

    article: Path
    lang: str
    catalog: Path
    stats: catalog.Stats | None  # None: no catalog yet


def collect(config: Config, langs: Sequence[str]) -> list[Row]:
    rows = []
    for lang in langs:
        for source in config.articles():
            path = config.catalog_path(source, lang)
            stats = catalog.Stats.of(pofile.load(path)) if path.exists() else None
            rows.append(Row(config.display(source), lang, config.display(path), stats))
    return rows


def as_json(rows: Sequence[Row]) -> dict:
    return {"articles": [
        {"article": str(r.article), "lang": r.lang, "catalog": str(r.catalog),
         "exists": r.stats is not None,
         "entries": r.stats.entries if r.stats else None,
         "words": r.stats.words if r.stats else None,
         "chars": r.stats.chars if r.stats else None,
         "reviewed_share": round(r.stats.share(), 4) if r.stats else 0.0}
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


def table(rows: Sequence[Row], color: bool = False) -> str:
    """A plain-text table: entries per state, words and characters, and a progress bar."""
    head = ("article", "lang", "reviewed", "draft", "update", "untransl.", "words", "chars", "progress")
    body = []
    for r in rows:
        if r.stats is None:
            body.append((str(r.article), r.lang, "-", "-", "-", "-", "-", "-", "no catalog: run l10n extract"))
            continue
        e = r.stats.entries
        body.append((str(r.article), r.lang, str(e[REVIEWED]), str(e[DRAFT]), str(e[NEEDS_UPDATE]),
                     str(e[UNTRANSLATED]), str(r.stats.total_words), str(sum(r.stats.chars.values())),
                     f"{bar(r.stats, color=color)} {round(100 * r.stats.share())}%"))
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head) - 1)]
    lines = []
    for row in [head, *body]:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells + [row[-1]]).rstrip())
    return "\n".join(lines)
