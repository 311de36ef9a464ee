"""Skeleton plus translations back to an article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from . import article as articles
from .config import Config
from .extract import SINGLE_LINE, TABLE_CELL, Segment, Skeleton, Slot, fix_shortcuts

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class Outcome:
    """How much of an article's text is published translated, by source words."""

    words: int
    reviewed: int
    drafts: int

    @property
    def status(self) -> str:
        """``reviewed``, ``draft`` (all translated, some unreviewed), ``partial`` or ``source``."""
        if self.reviewed == self.words:
            return "reviewed"
        if self.reviewed + self.drafts == self.words:
            return "draft"
        return "partial" if self.reviewed + self.drafts else "source"

    @property
    def reviewed_percent(self) -> int:
        return 100 if not self.words else (100 * self.reviewed) // self.words


def body(skeleton: Skeleton, segments: Sequence[Segment], translations: Mapping[str, str]) -> str:
    """Fill the skeleton's slots; a segment without translation keeps its source text."""
    out = []
    for piece in skeleton.pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        source = segments[piece.index].text
        text = translations.get(source) or source
        if text != source:
            text = adapt(source, text, piece.kind, skeleton.labels)
        out.append(_layout(text, piece))
    return "".join(out)


def adapt(source: str, translation: str, kind: str, labels: frozenset[str]) -> str:
    """A translation as the merger writes it into a block of ``kind``.

    Shortcut references keep their label, and single-line blocks get one line (a table cell
    also escapes its pipes). Checks judge this text, since it is what gets published.

    >>> adapt("a", "x | y\\nz", "table cell", frozenset())
    'x \\\\| y z'
    """
    text = fix_shortcuts(source, translation, labels)
    if kind in SINGLE_LINE:
        text = " ".join(ln.strip() for ln in text.split("\n")) if "\n" in text else text
        if kind == TABLE_CELL:
            text = _UNESCAPED_PIPE.sub(r"\\|", text)
    return text


def _layout(text: str, slot: Slot) -> str:
    """Lay a text out on the slot's lines, giving each line its container prefix."""
    lines = text.split("\n")
    if slot.kind in SINGLE_LINE:
        return text
    out = [lines[0]]
    for k, line in enumerate(lines[1:]):
        prefix = slot.prefixes[k] if k < len(slot.prefixes) else slot.cont
        out.append(prefix + line)
    return slot.newline.join(out)


def front_matter(skeleton: Skeleton, segments: Sequence[Segment], translations: Mapping[str, str],
                 config: Config, lang: str, outcome: Outcome) -> str:
    """The target head: translated keys, set keys, rewritten values and the translation state."""
    doc = skeleton.article
    if not doc.head:
        return ""  # no front matter to record anything in: the layout stays as it is
    values: dict[str, str] = {}
    for s in segments:
        if s.key is not None and translations.get(s.text):
            values[s.key] = translations[s.text]
    subst = {"lang": lang, "source": config.source_lang}
    policy = config.front_matter
    raw = {}
    for key, value in policy.set.items():
        if key in doc.metadata:
            values[key] = value.format(**subst)
        else:
            raw[key] = articles.render_value(value.format(**subst), None)
    for key, rules in policy.rewrite.items():
        current = doc.metadata.get(key)
        if isinstance(current, str):
            for old, new in rules.items():
                current = current.replace(old.format(**subst), new.format(**subst))
            values[key] = current
    if config.state_key:
        raw[config.state_key] = f"{{status: {outcome.status}, reviewed: {outcome.reviewed_percent}}}"
    return articles.rewrite_head(doc, values, raw)
