"""Heading anchors as a site's renderer makes them, and links to them that follow a translation.

A link ``[more](#details-and-more)`` to a heading of the same article must point, in the
German article, at the id the renderer gives the German heading. Renderers differ in how they
make that id (the *slug rule*), so the rule is a setting (``[tool.l10n] anchors``):

``hugo``
    Hugo's Goldmark with ``autoHeadingIDType = "github"`` (Hugo's default), as in Hugo 0.111:
    the heading's *source text* (``*``, link targets and entities included), trimmed; letters,
    digits and ``_`` kept and lower-cased, each space or ``-`` a ``-``, the rest dropped.
    Explicit ids (``## Heading {#id}``) are read, as Hugo reads them by default.
``hugo-ascii``
    The same with ``autoHeadingIDType = "github-ascii"``: accents dropped, other non-ASCII
    characters removed.
``hugo-blackfriday``
    ``autoHeadingIDType = "blackfriday"``: runs of anything but letters and digits become one
    ``-`` between words.
``github``
    GitHub (github-slugger): the heading's text, lower-cased; punctuation, symbols and
    separators but ``-`` and space dropped (by Unicode category), each space a ``-``.
``markdown-it-anchor``
    markdown-it-anchor's default ``slugify``: the text of the heading's text and code
    tokens, trimmed, lower-cased, each run of white space a ``-``, then
    ``encodeURIComponent``.
``none``
    Links keep their destinations.

Duplicates get ``-1``, ``-2`` … as each renderer numbers them (Hugo skips ids already
taken; github-slugger counts per slug; markdown-it-anchor tries ``-1``, ``-2`` … in turn).
Hugo with no id left (a heading of punctuation) says ``heading``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Mapping, Sequence
from urllib.parse import quote

from markdown_it.token import Token

from .dialect import parser

#: The slug rules ``[tool.l10n] anchors`` accepts.
RULES = ("hugo", "hugo-ascii", "hugo-blackfriday", "github", "markdown-it-anchor", "none")
#: Rules whose renderer reads explicit heading ids (``## Heading {#id}``).
EXPLICIT_IDS = frozenset({"hugo", "hugo-ascii", "hugo-blackfriday"})

_MD = parser(shortcodes=False)  # heading ids as before: a shortcode in a heading is not one token
#: A trailing Goldmark attribute list of a heading, ``{#id .class key=value}``.
_ATTRIBUTES = re.compile(r"[ \t]*\{([^{}\n]*)\}[ \t]*$")
_ATTRIBUTE_ID = re.compile(r"(?:^|[ \t])#([^\s#.{}]+)")


@dataclass(frozen=True)
class Heading:
    """A heading as the slug rules read it: its inline Markdown as written (for an ATX
    heading the text between the markers; for a setext heading its lines)."""

    source: str
    inline: int = -1  # the index of its inline block among the body's


# -- slug rules on one text ------------------------------------------------------------

#: github-slugger's categories to drop: some numbers, punctuation but "-", symbols, controls,
#: private use, format, unassigned, separators but " " (letters of category So stay).
_GITHUB_DROP = frozenset({"No", "Pe", "Pf", "Pi", "Ps", "Po", "Pd", "Sm", "Sc", "Sk", "So",
                          "Cc", "Co", "Cf", "Cn", "Zs", "Zl", "Zp"})
#: Code points of category So that Unicode calls alphabetic (circled and squared letters):
#: github-slugger keeps them.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


def _github_keeps(c: str) -> bool:
    if c in " -":
        return True
    if unicodedata.category(c) not in _GITHUB_DROP:
        return True
    return any(lo <= ord(c) <= hi for lo, hi in _ALPHABETIC_SYMBOLS)


def github_slug(text: str) -> str:
    """github-slugger's ``slug()`` (without the numbering of duplicates).

    >>> github_slug("exchange.bind_headers(exchange, routing [, bindCallback])")
    'exchangebind_headersexchange-routing--bindcallback'
    >>> github_slug("I ♥ unicode"), github_slug("Привет non-latin 你好")
    ('i--unicode', 'привет-non-latin-你好')
    """
    return "".join(c for c in text.lower() if _github_keeps(c)).replace(" ", "-")


def hugo_slug(text: str, ascii_only: bool = False) -> str:
    """Hugo's ``github`` (or ``github-ascii``) id of a heading's source text.

    >>> hugo_slug("Über die Straße: „Zitat“ — 2 + 2 = 4?")
    'über-die-straße-zitat--2--2--4'
    >>> hugo_slug("Ärger, Öl & Übel", ascii_only=True)
    'arger-ol--ubel'
    """
    if ascii_only:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        text = unicodedata.normalize("NFC", text)
    out = []
    for c in text.strip():
        if ascii_only and ord(c) > 0x7F:
            continue
        if c in " -":
            out.append("-")
        elif c == "_" or c.isalpha() or unicodedata.category(c) == "Nd":
            out.append(c.lower())
    return "".join(out)


def blackfriday_slug(text: str) -> str:
    """Blackfriday's ``SanitizedAnchorName``, Hugo's ``blackfriday`` id type.

    >>> blackfriday_slug("  Hello, *wide* World -- 2!")
    'hello-wide-world-2'
    """
    out: list[str] = []
    dash = False
    for c in text:
        if c.isalpha() or unicodedata.category(c) in ("Nd", "Nl", "No"):
            if dash and out:
                out.append("-")
            dash = False
            out.append(c.lower())
        else:
            dash = True
    return "".join(out)


def markdown_it_anchor_slug(text: str) -> str:
    """markdown-it-anchor's default ``slugify``.

    >>> markdown_it_anchor_slug(" Über  uns (kurz) ")
    '%C3%BCber-uns-(kurz)'
    """
    return quote(re.sub(r"\s+", "-", text.strip().lower()), safe="-_.!~*'()")


# -- ids of every heading of an article --------------------------------------------------

def _text(source: str, references: Mapping[str, Mapping[str, str]], code: bool, alts: bool) -> str:
    """The text a reader sees in inline Markdown: text, code spans (``code``) and image alt
    text (``alts``), as markdown-it parses it."""
    env = {"references": {k: dict(v) for k, v in references.items()}}
    out: list[str] = []
    stack: list[Token] = []
    for block in _MD.parseInline(source, env):
        stack.extend(reversed(block.children or []))
    while stack:
        t = stack.pop()
        if t.type == "text" or (code and t.type == "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif t.type == "image" and alts:
            stack.extend(reversed(t.children or []))
    return "".join(out)


def _hugo_ids(headings: Sequence[Heading], slug: Callable[[str], str]) -> list[str]:
    taken: set[str] = set()
    ids = []
    for h in headings:
        raw = h.source.split("\n")[-1]
        attributes = _ATTRIBUTES.search(raw)
        explicit = _ATTRIBUTE_ID.search(attributes.group(1)) if attributes else None
        if explicit:
            found = explicit.group(1)
        else:
            found = slug(raw[:attributes.start()] if attributes else raw) or "heading"
            if found in taken:
                n = 1
                while f"{found}-{n}" in taken:
                    n += 1
                found = f"{found}-{n}"
        taken.add(found)
        ids.append(found)
    return ids


def _github_ids(headings: Sequence[Heading], references: Mapping) -> list[str]:
    occurrences: dict[str, int] = {}
    ids = []
    for h in headings:
        base = found = github_slug(_text(h.source, references, code=True, alts=True))
        while found in occurrences:
            occurrences[base] += 1
            found = f"{base}-{occurrences[base]}"
        occurrences[found] = 0
        ids.append(found)
    return ids


def _markdown_it_anchor_ids(headings: Sequence[Heading], references: Mapping) -> list[str]:
    taken: set[str] = set()
    ids = []
    for h in headings:
        base = found = markdown_it_anchor_slug(_text(h.source, references, code=True, alts=False))
        n = 1
        while found in taken:
            found = f"{base}-{n}"
            n += 1
        taken.add(found)
        ids.append(found)
    return ids


def heading_ids(rule: str, headings: Sequence[Heading],
                references: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """The id ``rule`` gives each of an article's headings, in document order.

    ``references`` are the article's link reference definitions (markdown-it's
    ``env["references"]``), for the rules that read a heading's text.

    >>> heading_ids("hugo", [Heading("Intro"), Heading("Intro"), Heading("Intro-1"), Heading("Intro")])
    ['intro', 'intro-1', 'intro-1-1', 'intro-2']
    >>> heading_ids("github", [Heading("echo"), Heading("echo"), Heading("echo 1"), Heading("echo")])
    ['echo', 'echo-1', 'echo-1-1', 'echo-2']
    """
    refs = references or {}
    if rule == "hugo":
        return _hugo_ids(headings, hugo_slug)
    if rule == "hugo-ascii":
        return _hugo_ids(headings, lambda text: hugo_slug(text, ascii_only=True))
    if rule == "hugo-blackfriday":
        return _hugo_ids(headings, blackfriday_slug)
    if rule == "github":
        return _github_ids(headings, refs)
    if rule == "markdown-it-anchor":
        return _markdown_it_anchor_ids(headings, refs)
    if rule == "none":
        return []
    raise ValueError(f"unknown slug rule {rule!r}; expected one of {', '.join(RULES)}")


def headings_of(blocks: Sequence[tuple], inlines: Sequence[str]) -> list[Heading]:
    """The headings of a body from its block signatures and inline texts
    (:class:`l10n.structure.Shape`)."""
    found = []
    inline = -1
    previous: tuple = ()
    for sig in blocks:
        if sig[0] == "inline":
            inline += 1
            if previous and previous[0] == "heading_open":
                found.append(Heading(inlines[inline], inline))
        previous = sig
    return found


@lru_cache(maxsize=16384)
def href(fragment: str) -> str:
    """The ``href`` markdown-it gives a link to ``#fragment`` (percent-encoded).

    >>> href("über-uns")
    '#%C3%BCber-uns'
    """
    return _MD.normalizeLink("#" + fragment)


@dataclass(frozen=True)
class Moves:
    """Where each heading's anchor goes from the English article to the German one.

    ``forward`` maps an English ``href`` (as markdown-it makes it) to the German fragment to
    write; ``back`` a German ``href`` to the English ``href`` of the same heading. A German
    id may be another heading's English id (German ``## Details`` for English
    ``## Background``, while English also has ``## Details``): a link to ``#details`` is
    then read by what its source links to (:func:`rewrite`).
    """

    forward: Mapping[str, str]
    back: Mapping[str, str]

    @property
    def hrefs(self) -> dict[str, str]:
        """English ``href`` -> German ``href`` of each heading."""
        return {e: href(g) for e, g in self.forward.items()}


NO_MOVES = Moves({}, {})


def moves(english: Sequence[str], german: Sequence[str]) -> Moves:
    """The :class:`Moves` between two articles' heading ids, heading by heading (none when
    the articles have a different number of headings)."""
    if len(english) != len(german) or not english:
        return NO_MOVES
    forward = {}
    back = {}
    for e, g in zip(english, german):
        forward.setdefault(href(e), g)
        back.setdefault(href(g), href(e))
    return Moves(forward, back)


def rewrite(md: str, links: Sequence[tuple[int, int, str]], found: Moves,
            source: Sequence[str] | None = None) -> str:
    """``md`` with each of its in-page ``links`` (destination start, end and ``href``, as
    :func:`l10n.markup.in_page_links` finds them) to an English heading's anchor pointing at
    the German heading's.

    ``md`` is English unless ``source`` is given: the ``href`` of each in-page link of the
    English text that ``md`` translates. A translation may write a heading's English anchor
    or its German one; where a destination could be either (a German id that is another
    heading's English id), it is read as what the source still links to, English first.

    >>> m = moves(["details-and-more"], ["details-und-mehr"])
    >>> rewrite("Mehr [dazu](#details-and-more 'T').", [(12, 29, "#details-and-more")], m)
    "Mehr [dazu](#details-und-mehr 'T')."
    >>> m = moves(["background", "details"], ["details", "einzelheiten"])
    >>> rewrite("[a](#details) [b](#einzelheiten)", [(4, 12, "#details"), (18, 31, "#einzelheiten")],
    ...         m, source=["#background", "#details"])
    '[a](#details) [b](#einzelheiten)'
    """
    english = [True] * len(links) if source is None else _english_readings(links, found, source)
    out = md
    for (start, end, link), as_english in zip(reversed(links), reversed(english)):
        fragment = found.forward.get(link) if as_english else None
        if fragment is not None and href(fragment) != link:
            out = out[:start] + written(fragment) + out[end:]
    return out


def _english_readings(links: Sequence[tuple[int, int, str]], found: Moves, source: Sequence[str]) -> list[bool]:
    """For each of a translation's in-page links, whether it is read as an English anchor
    (rewritten) rather than as a German one (kept): the readings that link to what the
    source links to, links with one reading taken first."""
    left = Counter(source)
    readings: list[bool | None] = []
    for _, _, link in links:
        english, german = link in found.forward, link in found.back
        if english and german and found.back[link] != link:
            readings.append(None)  # both, and they differ: decided below
            continue
        readings.append(english)
        left[link if english else found.back.get(link, link)] -= 1
    for i, (_, _, link) in enumerate(links):
        if readings[i] is None:
            readings[i] = left[link] > 0 or left[found.back[link]] <= 0
            left[link if readings[i] else found.back[link]] -= 1
    return [bool(r) for r in readings]


def written(fragment: str) -> str:
    """A link destination to ``#fragment`` as Markdown, in angle brackets where needed.

    >>> written("a-b"), written("foo-(bar)")
    ('#a-b', '<#foo-(bar)>')
    """
    return f"<#{fragment}>" if re.search(r"[\s()<>\\]", fragment) else "#" + fragment


def links_to_headings(text: str) -> bool:
    """Whether inline Markdown may hold a link to a fragment (cheap, may say yes wrongly)."""
    return "](#" in text or "](<#" in text or "]( " in text or "](\n" in text
