"""Markdown to skeleton and segments.

The body is parsed with markdown-it (CommonMark plus GFM tables). Every block with inline
text becomes a :class:`Segment` whose text is the inline Markdown *as written*; the skeleton
keeps every other byte. A segment spanning several source lines keeps its line breaks, and
the skeleton remembers each line's container prefix (indentation, ``>`` markers), so an
identity translation gives back the source byte for byte.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Iterator, Sequence

from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from . import article as articles
from . import structure
from .config import FrontMatterPolicy
from .errors import InputError
from .dialect import BLOCKS, SHORTCUT

log = logging.getLogger(__name__)

_ODD_CHARACTER = re.compile(r"\0|\r(?!\n)")
SKIP_MARKER = re.compile(r"<!--\s*l10n:\s*skip\s*-->")
_ATX_CLOSE = re.compile(r"(?:[ \t]+#+)?[ \t]*$")
#: A block that is only a URL (``https://…``, ``<https://…>``, ``www.…``, ``<me@x.org>``):
#: nothing in it to translate, so it stays out of the catalog.
_ONLY_URL = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>"
                       r"|(?:(?:https?|ftp)://|www\.)[^\s<>]+", re.IGNORECASE)

#: The kinds of segment, as named in catalogs (``#. type: list item``). A ``link title`` is
#: the title of a link reference definition (``[p]: https://… "Title"``), the tooltip of
#: every link that uses it; its section is the definition's label.
HEADING, PARAGRAPH, LIST_ITEM, BLOCKQUOTE, TABLE_CELL, FRONT_MATTER, LINK_TITLE = KINDS = (
    "heading", "paragraph", "list item", "blockquote", "table cell", "front matter", "link title")
#: Kinds whose text must stay on one line.
SINGLE_LINE = frozenset({HEADING, TABLE_CELL, FRONT_MATTER, LINK_TITLE})
#: The end of a link reference definition: white space (a line break and container
#: prefixes included), then a plain title (no escapes, entities or line breaks, which a
#: translation could not be trusted to keep) in its quotes (group 1) and nothing after it.
_DEFINITION_TITLE = re.compile(
    r"""(?:[ \t]+|[ \t]*\r?\n[ \t>]*)("[^"\\&\r\n]*"|'[^'\\&\r\n]*'|\([^()\\&\r\n]*\))[ \t]*\r?\Z""")
#: The label of a link reference definition at the start of its first line.
_DEFINITION_LABEL = re.compile(r"[ \t>]*\[((?:[^\[\]\\]|\\.)+)\]:")


@dataclass(frozen=True)
class Segment:
    """One translatable text, where it came from (1-based line of the file) and what it is."""

    text: str
    kind: str
    section: str
    line: int
    key: str | None = None


@dataclass(frozen=True)
class Slot:
    """A place in the body filled by segment ``index``.

    ``prefixes`` are the container prefixes of the source's 2nd, 3rd… lines; a translation with
    more lines continues with ``cont``. Headings and table cells join a translation's lines,
    and a table cell escapes its pipes.
    """

    index: int
    prefixes: tuple[str, ...]
    cont: str
    kind: str = PARAGRAPH
    newline: str = "\n"
    quote: str = ""  # a link title's closing quote character


@dataclass(frozen=True)
class Skeleton:
    """Everything of an article that is not translated, with slots for the segments.

    ``shape`` is the body's structure, which every translation must keep;
    ``inline_segments`` names the segment that fills each of its inline blocks (None: the
    block is not translated).
    """

    article: articles.Article
    pieces: tuple[str | Slot, ...]
    references: dict[str, dict] = field(default_factory=dict)
    shape: structure.Shape | None = None
    inline_segments: tuple[int | None, ...] = ()

    @cached_property
    def labels(self) -> frozenset[str]:
        """Normalised labels of the body's reference definitions."""
        return frozenset(self.references)


def extract(text: str, path: Path | None = None,
            policy: FrontMatterPolicy | None = None) -> tuple[Skeleton, list[Segment]]:
    """Split an article into its skeleton and its segments, in document order.

    A NUL character or a carriage return that ends no CRLF pair raises :class:`InputError`:
    Markdown parsers read them differently, so no translation of such a file is safe.
    """
    policy = policy or FrontMatterPolicy()
    odd = _ODD_CHARACTER.search(text) if "\0" in text or "\r" in text else None  # most files have neither
    if odd is not None:
        what = "a NUL character" if odd.group() == "\0" else "a carriage return without a line feed (old Mac line endings)"
        raise InputError(f"{what}: save the file as UTF-8 text with LF or CRLF line endings",
                         path=path, line=text.count("\n", 0, odd.start()) + 1)
    doc = articles.parse(text, path)
    segments = [
        Segment(f.value, FRONT_MATTER, f.key, f.line, key=f.key)
        for f in doc.fields
        if f.key in policy.translate and isinstance(f.value, str) and f.value.strip()
    ]
    body = doc.body
    env: dict = {}
    tokens = BLOCKS.parse(body, env)
    lines = body.split("\n")
    starts = list(accumulate([len(ln) + 1 for ln in lines[:-1]], initial=0))
    spans: list[tuple[int, int, Slot]] = []
    offset = doc.body_line
    inline_segments: list[int | None] = [None] * [t.type for t in tokens].count("inline")
    for kind, section, first, content, single, heading, inline in _blocks(tokens):
        for start, end, prefixes, cell in _locate(lines, starts, first, content, single, heading):
            text_ = body[start:end]
            if _ONLY_URL.fullmatch(text_):
                continue
            cont = _continuation(prefixes[0] if prefixes else "")
            newline = "\r\n" if lines[first].endswith("\r") else "\n"
            inline_segments[inline + cell] = len(segments)
            spans.append((start, end, Slot(len(segments), tuple(prefixes[1:]), cont, kind, newline)))
            line = offset + first + 1 + (body.count("\n", starts[first], start) if single else 0)
            segments.append(Segment(_strip_prefixes(text_, prefixes), kind, section, line))
    for start, end, label, line in _definition_titles(body, lines, starts, env.get("references", {})):
        newline = "\r\n" if lines[line].endswith("\r") else "\n"
        spans.append((start, end, Slot(len(segments), (), "", LINK_TITLE, newline, body[end])))
        segments.append(Segment(body[start:end], LINK_TITLE, label, offset + line + 1))
    pieces: list[str | Slot] = []
    pos = 0
    for start, end, slot in sorted(spans, key=lambda s: s[0]):
        pieces.append(body[pos:start])
        pieces.append(slot)
        pos = end
    pieces.append(body[pos:])
    return Skeleton(doc, tuple(pieces), env.get("references", {}), structure.shape(tokens, env),
                    tuple(inline_segments)), segments


def _definition_titles(body: str, lines: list[str], starts: list[int], references: dict
                       ) -> Iterator[tuple[int, int, str, int]]:
    """``(start, end, label, line)`` of the plain title of each link reference definition,
    in document order: the text between its quotes, its label as written and its 0-based
    line. Titles with escapes, entities or line breaks, and titles that are only a URL,
    stay in the skeleton."""
    found = []
    for ref in references.values():
        title, span = ref.get("title"), ref.get("map")
        if not title or not title.strip() or not span or span[1] > len(lines) or _ONLY_URL.fullmatch(title):
            continue
        first, last = span[0], span[1] - 1
        text = body[starts[first]:starts[last] + len(lines[last])]
        match, label = _DEFINITION_TITLE.search(text), _DEFINITION_LABEL.match(text)
        if match is None or label is None or match.group(1)[1:-1] != title:
            continue
        start = starts[first] + match.start(1) + 1
        found.append((start, start + len(title), label.group(1), first + text.count("\n", 0, match.start(1))))
    return iter(sorted(found))


def _blocks(tokens: Sequence[Token]) -> Iterator[tuple[str, str, int, object, bool, bool, int]]:
    """Yield ``(kind, section, first_line, content, is_table_row, is_heading, inline)`` per
    text block; ``inline`` is the index of its (first) inline token among all inline tokens.

    For table rows ``content`` is the number of cells markdown-it found.
    """
    section = ""
    containers: list[str] = []
    skip_level: int | None = None
    skip_until = -1
    inline = -1
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "html_block" and SKIP_MARKER.search(tok.content):
            skip_level = tok.level
            continue
        if skip_level is not None and tok.nesting >= 0 and tok.level == skip_level and tok.map:
            skip_until, skip_level = tok.map[1], None
        if kind == "inline":
            inline += 1
            parent = tokens[i - 1].type if tok.map else ""
            if parent == "paragraph_open":
                if not containers:
                    kind = PARAGRAPH
                elif containers[-1] == "list_item_open":
                    kind = LIST_ITEM
                else:
                    kind = BLOCKQUOTE
            elif parent == "heading_open":
                section = tok.content
                kind = HEADING
            else:
                continue
            if tok.map[0] >= skip_until and tok.content:
                yield kind, section, tok.map[0], tok.content, False, kind == HEADING, inline
        elif kind == "list_item_open" or kind == "blockquote_open":
            containers.append(kind)
        elif kind == "list_item_close" or kind == "blockquote_close":
            containers.pop()
        elif kind == "tr_open" and tok.map:
            cells = 0
            j = i + 1
            while tokens[j].type != "tr_close":
                cells += tokens[j].type == "inline"
                j += 1
            if tok.map[0] >= skip_until:
                yield TABLE_CELL, section, tok.map[0], cells, True, False, inline + 1


def _locate(lines: list[str], starts: list[int], first: int, content: object, table: bool,
            heading: bool) -> Iterator[tuple[int, int, list[str], int]]:
    """Find each text's ``(start, end, line prefixes, cell index)`` in the body.

    A block whose text cannot be found exactly (tabs expanded by the parser, say) stays
    in the skeleton untranslated, which is safe.
    """
    if table:
        yield from _cells(lines[first], starts[first], int(content))  # type: ignore[arg-type]
        return
    clines = str(content).split("\n")
    prefixes = []
    start = end = 0
    for k, c in enumerate(clines):
        if first + k >= len(lines):
            return
        src = lines[first + k].rstrip("\r")
        last = k == len(clines) - 1
        text = src.rstrip() if last else src
        if heading and last and not text.endswith(c):
            text = _ATX_CLOSE.sub("", text)
        if not text.endswith(c):
            log.debug("line %d: text not found as written; left untranslated", first + k + 1)
            return
        pos = len(text) - len(c)
        prefixes.append(src[:pos])
        if k == 0:
            start = starts[first] + pos
        end = starts[first + k] + len(text)
    yield start, end, prefixes, 0


def _cells(line: str, base: int, count: int) -> Iterator[tuple[int, int, list[str], int]]:
    """Spans of the non-empty cells of a GFM table row, split as markdown-it splits it."""
    line = line.rstrip("\r")
    bounds = []
    cell_start = 0
    escaped = False
    for i, ch in enumerate(line):
        if ch == "|" and not escaped:
            bounds.append((cell_start, i))
            cell_start = i + 1
        escaped = ch == "\\" and not escaped
    bounds.append((cell_start, len(line)))
    if not line[: bounds[0][1]].strip():
        bounds = bounds[1:]  # a leading pipe
    if bounds and not line[bounds[-1][0]:].strip():
        bounds = bounds[:-1]  # a trailing pipe
    for index, (a, b) in enumerate(bounds[:count]):
        cell = line[a:b]
        stripped = cell.strip()
        if stripped:
            s = a + len(cell) - len(cell.lstrip())
            yield base + s, base + s + len(stripped), [line[:s]], index


def _strip_prefixes(text: str, prefixes: list[str]) -> str:
    """The segment text: the body span without the container prefixes of later lines."""
    if len(prefixes) <= 1:
        return text
    out = [ln.removesuffix("\r") for ln in text.split("\n")]
    return "\n".join([out[0]] + [ln[len(p):] for ln, p in zip(out[1:], prefixes[1:])])


@lru_cache(maxsize=1024)
def _continuation(prefix: str) -> str:
    """The prefix for extra lines of a block: markers become spaces, ``>`` stays (a pure
    function of a few distinct prefixes, computed once each).

    >>> _continuation("> 1. ")
    '>    '
    >>> _continuation("  - ")
    '    '
    """
    return "".join(c if c in "> \t" else " " for c in prefix)


def shortcut_labels(text: str, labels: frozenset[str]) -> list[tuple[int, int, str]]:
    """Shortcut or collapsed reference links ``[text]`` / ``[text][]`` naming a known label."""
    if not labels or "[" not in text:  # nothing to name, or no bracket to name it with
        return []
    found = []
    for m in SHORTCUT.finditer(text):
        label = m.group(2)
        if normalizeReference(label) in labels:
            found.append((m.start(), m.end(), label))
    return found


def fix_shortcuts(source: str, translation: str, labels: frozenset[str]) -> str:
    """Keep reference links working when their text is translated.

    A shortcut reference ``[Model Card]`` translated as ``[Modellkarte]`` no longer names its
    definition; it becomes ``[Modellkarte][Model Card]``.

    >>> fix_shortcuts("See [Model Card].", "Siehe [Modellkarte].", frozenset({"MODEL CARD"}))
    'Siehe [Modellkarte][Model Card].'
    """
    wanted = [label for _, _, label in shortcut_labels(source, labels)]
    if not wanted:
        return translation
    out = []
    pos = 0
    k = 0
    for m in SHORTCUT.finditer(translation):
        if k >= len(wanted):
            break
        text = m.group(2)
        if normalizeReference(text) not in labels:
            out.append(translation[pos:m.start()])
            out.append(f"{m.group(1)}[{text}][{wanted[k]}]")
            pos = m.end()
        k += 1
    out.append(translation[pos:])
    return "".join(out)
