"""Rendering: a skeleton and chosen translations back to an article.

What is chosen is :mod:`l10n.publish`'s decision; this module only lays text out.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from . import article as articles
from .config import Config
from .extract import LINK_TITLE, SINGLE_LINE, TABLE_CELL, Segment, Skeleton, Slot, fix_shortcuts

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def body(skeleton: Skeleton, segments: Sequence[Segment], translations: Mapping[str, str]) -> str:
    """Fill the skeleton's slots; a segment without translation keeps its source text."""
    return render(skeleton, segments, translations)[0]


def render(skeleton: Skeleton, segments: Sequence[Segment],
           translations: Mapping[str, str]) -> tuple[str, dict[int, tuple[int, int]]]:
    """The body, and the 0-based lines ``[first, last]`` each translated slot occupies in it
    (by segment index)."""
    out: list[str] = []
    lines: dict[int, tuple[int, int]] = {}
    line = 0
    for piece in skeleton.pieces:
        if isinstance(piece, str):
            out.append(piece)
            line += piece.count("\n")
            continue
        source = segments[piece.index].text
        text = translations.get(source) or source
        if text != source:
            text = adapt(source, text, piece.kind, skeleton.labels)
        laid = _layout(text, piece)
        if text != source:
            lines[piece.index] = (line, line + laid.count("\n"))
        out.append(laid)
        line += laid.count("\n")
    return "".join(out), lines


def adapt(source: str, translation: str, kind: str, labels: frozenset[str]) -> str:
    """A translation as the merger writes it into a block of ``kind``.

    Shortcut references keep their label, and single-line blocks get one line, their lines
    joined by a space with their spaces and tabs trimmed (a control character stays, for the
    checks to see; a table cell also escapes its pipes). Checks judge this text, since it is
    what gets published, in the body and in the front matter alike.

    >>> adapt("a", "x | y\\nz", "table cell", frozenset())
    'x \\\\| y z'
    """
    text = translation if kind == LINK_TITLE else fix_shortcuts(source, translation, labels)
    if kind in SINGLE_LINE:
        text = " ".join(ln.strip(" \t") for ln in text.split("\n")) if "\n" in text else text
        if kind == TABLE_CELL:
            text = _UNESCAPED_PIPE.sub(r"\\|", text)
    return text


#: What a link title's text escapes: a backslash before punctuation or at the end (where the
#: closing quote follows it), and the start of an entity (the quote characters are the slot's).
_TITLE_SPECIAL = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)|&(?=#?\w+;)")


def title(text: str, quote: str) -> str:
    """A link title's text as written between ``quote`` characters, so that a reader sees
    it as it is: backslashes before punctuation, entities and the quotes escaped.

    >>> print(title('Das "Papier" &amp; \\\\!', '"'), title("Fish & (chips)", ")"))
    Das \\"Papier\\" &amp;amp; \\\\! Fish & \\(chips\\)
    """
    text = _TITLE_SPECIAL.sub(lambda m: "\\" + m.group() if m.group() == "\\" else "&amp;", text)
    for c in ("()" if quote == ")" else quote):
        text = text.replace(c, "\\" + c)
    return text


def _layout(text: str, slot: Slot) -> str:
    """Lay a text out on the slot's lines, giving each line its container prefix."""
    lines = text.split("\n")
    if slot.kind == LINK_TITLE:
        return title(text, slot.quote)
    if slot.kind in SINGLE_LINE:
        return text
    out = [lines[0]]
    for k, line in enumerate(lines[1:]):
        prefix = slot.prefixes[k] if k < len(slot.prefixes) else slot.cont
        out.append(prefix + line)
    return slot.newline.join(out)


def front_matter(skeleton: Skeleton, segments: Sequence[Segment], translations: Mapping[str, str],
                 config: Config, lang: str, state: str | None) -> str:
    """The target head: translated keys, set keys, rewritten values and ``state`` (YAML flow
    mapping text) under the configured state key."""
    doc = skeleton.article
    if not doc.head:
        return ""  # no front matter to record anything in: the layout stays as it is
    return articles.rewrite_head(doc, *head_values(skeleton, segments, translations, config, lang, state))


def head_values(skeleton: Skeleton, segments: Sequence[Segment], translations: Mapping[str, str],
                config: Config, lang: str, state: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """What :func:`front_matter` writes into the head (:func:`l10n.article.rewrite_head`):
    the new string values of its keys, and the raw YAML of the keys it adds."""
    doc = skeleton.article
    values: dict[str, str] = {}
    for s in segments:
        if s.key is not None and translations.get(s.text):
            values[s.key] = adapt(s.text, translations[s.text], s.kind, skeleton.labels)
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
    source_key = config.links.translation_key
    slug = doc.metadata.get("slug")
    if source_key and source_key not in doc.metadata and isinstance(slug, str) and slug.strip():
        raw[source_key] = articles.render_value(slug, None)
    if config.state_key and state is not None:
        raw[config.state_key] = state
    return values, raw

