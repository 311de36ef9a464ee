"""The one Markdown dialect of the project: CommonMark plus GFM tables, as markdown-it-py reads it."""

from __future__ import annotations

import re
from functools import lru_cache
from types import SimpleNamespace
from typing import Callable

from markdown_it import MarkdownIt, helpers
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore, normalize
from markdown_it.rules_inline import StateInline

from . import blockguards


def parser(shortcodes: bool = True) -> MarkdownIt:
    """A new CommonMark parser with GFM tables, and (``shortcodes``) Hugo shortcodes as
    single ``shortcode`` tokens.

    Every link destination is a link, as the CommonMark spec and other renderers (Hugo's
    goldmark) read it: markdown-it-py by default turns ``[x](javascript:...)``,
    ``file:`` and ``vbscript:`` links into text, which would hide them from the checks
    while a site's renderer still makes them links.

    Its block rules run behind :mod:`l10n.blockguards`, and it reads link destinations with
    :func:`link_destination`: the library's tokens, at less cost.

    >>> [t.type for t in parser().parseInline("[x](javascript:alert(1))")[0].children][:1]
    ['link_open']
    """
    md = blockguards.install(MarkdownIt("commonmark").enable("table"))
    md.validateLink = _every_link
    md.helpers = _HELPERS
    # Pure functions of the destination, each a walk through URL parsing and encoding;
    # an article names the same destinations in English and German, a site in every article.
    md.normalizeLink = lru_cache(maxsize=65536)(_plain_kept(md.normalizeLink))  # type: ignore[method-assign]
    md.normalizeLinkText = lru_cache(maxsize=65536)(md.normalizeLinkText)  # type: ignore[method-assign]
    md.core.ruler.at("normalize", _normalize)
    if shortcodes:
        md.inline.ruler.before("text", "shortcode", shortcode)
    return md


def _normalize(state: StateCore) -> None:
    """markdown-it-py's ``normalize`` core rule where it changes the text: where there is a
    carriage return or a NUL. Elsewhere it only copies the text, replacing each line end by
    itself, which costs a whole article's parse a twentieth of its time."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


def _every_link(url: str) -> bool:
    return True


#: A destination that markdown-it-py's ``normalizeLink`` returns as it is: a path, after an
#: http(s) scheme and a host or not, of ASCII letters, digits and ``-._~/`` (nothing to
#: percent-encode, no host that punycode changes, no query or fragment); a property test
#: holds it to the library's function.
_PLAIN_LINK = re.compile(r"(?:https?://[A-Za-z0-9.-]+)?(?:/[A-Za-z0-9\-._~/]*)?")


def _plain_kept(normalize_link: Callable[[str], str]) -> Callable[[str], str]:
    """``normalize_link``, without its walk through URL parsing and encoding for a
    destination it keeps as it is (most of a site's)."""
    def normalized(url: str) -> str:
        return url if _PLAIN_LINK.fullmatch(url) else normalize_link(url)
    return normalized


# -- link destinations: markdown-it-py's reading, a plain run at a time -----------------

#: What markdown-it-py's ``parseLinkDestination`` steps over one character at a time
#: (``pos += 1``) in a destination not in ``<>``: neither a space nor an ASCII control
#: character (``code == 0x20``, ``code < 0x20 or code == 0x7F``: ``break``), nor a
#: parenthesis (``level``), nor a backslash (an escape).
_DESTINATION_RUN = re.compile(r"[^\x00-\x20\x7f()\\]*")
#: What ends the destination where such a run ends: a space or a control character, ``)``
#: (at level 0) and the end of the string (``code is None``).
_DESTINATION_ENDS = frozenset(map(chr, [*range(0x21), 0x7F])) | {")", ""}
#: The class of the library's result (the attributes its callers read).
_Destination = type(helpers.parseLinkDestination("", 0, 0))


def link_destination(string: str, pos: int, maximum: int):  # noqa: ANN201 - the library's class
    """markdown-it-py's ``parseLinkDestination``, the same result (of its class): a
    destination without ``<``, parentheses and backslashes in one step of a regular
    expression instead of a Python step per character; any other by the library.

    >>> [(r.ok, r.str, r.pos) for r in (link_destination("a/b c", 0, 5), link_destination("a(b)", 0, 4))]
    [(True, 'a/b', 3), (True, 'a(b)', 4)]
    """
    if pos < maximum and string[pos:pos + 1] != "<":
        end = _DESTINATION_RUN.match(string, pos, maximum).end()  # type: ignore[union-attr]
        if end == maximum or string[end:end + 1] in _DESTINATION_ENDS:
            result = _Destination()
            if end > pos:  # else ``if start == pos: return result``
                result.str = unescapeAll(string[pos:end])
                result.pos = end
                result.ok = True
            return result
    return helpers.parseLinkDestination(string, pos, maximum)


#: markdown-it-py's link helpers, with :func:`link_destination`: the rules (inline links and
#: images, block references) call them as ``state.md.helpers.parseLinkDestination``, and
#: ``md.helpers`` is a public attribute of the parser.
_HELPERS = SimpleNamespace(**{**vars(helpers), "parseLinkDestination": link_destination})


#: A Hugo shortcode, with or without spaces inside its delimiters (``{{< x >}}``,
#: ``{{<x>}}``, ``{{%x%}}``), as the site's renderer sees it before any Markdown.
SHORTCODE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}", re.S)


def shortcode(state: StateInline, silent: bool) -> bool:
    """An inline rule: a shortcode is one token, whatever Markdown its parameters hold
    (Hugo reads shortcodes before Markdown: in ``{{<figure alt="x">}}`` neither
    ``<figure …>`` is raw HTML nor `` ` `` or ``_`` markup).

    >>> [t.type for t in parser().parseInline('{{<figure src="a_b_.png">}} and <b>')[0].children]
    ['shortcode', 'text', 'html_inline']
    """
    if not state.src.startswith(("{{<", "{{%"), state.pos):
        return False
    match = SHORTCODE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        state.push("shortcode", "", 0).content = match.group()
    state.pos = match.end()
    return True


#: :func:`parser` without its inline pass, for what needs blocks only (extraction, the
#: article's structure): parsing is three times faster.
BLOCKS = parser().disable(["inline", "text_join"])

#: Inline text in which no inline rule but ``text`` can start (no emphasis, code, link,
#: image, HTML, entity, escape, line break or ``{{%`` shortcode): markdown-it makes it one
#: text token.
PLAIN = re.compile(r"[^\n\r\\`*_\[\]<>&{]*(?:\{(?!\{%)[^\n\r\\`*_\[\]<>&{]*)*")  # linear: no nested repeats


# -- link labels: the one place that finds them in text ---------------------------------

#: A link label as CommonMark reads it: up to 999 characters, brackets only escaped.
_LABEL = r"((?:[^\[\]\\]|\\.){1,999})"
BRACKETED = re.compile(rf"\[{_LABEL}\]")
#: A shortcut ``[label]`` or collapsed ``[label][]`` reference (or image, group 1 ``!``):
#: not after ``]`` or a backslash, not before ``(``, ``[`` or ``:``; the label is group 2.
SHORTCUT = re.compile(rf"(?<![\]\\])(!?)\[{_LABEL}\](?:\[\])?(?![\[(:])")
#: The labels a text names in full ``[text][label]`` and collapsed ``[label][]`` references.
NAMED = re.compile(rf"\]\[{_LABEL}\](?!\()|\[{_LABEL}\]\[\]")


def named_labels(text: str) -> list[str]:
    """Labels of full and collapsed references in ``text``.

    >>> named_labels("[a][Lab] and [b][] and [c]")
    ['Lab', 'b']
    """
    return [m.group(1) or m.group(2) for m in NAMED.finditer(text)]
