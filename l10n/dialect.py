"""The one Markdown dialect of the project: CommonMark plus GFM tables, as markdown-it-py reads it."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from . import blockguards


def parser(shortcodes: bool = True) -> MarkdownIt:
    """A new CommonMark parser with GFM tables, and (``shortcodes``) Hugo shortcodes as
    single ``shortcode`` tokens.

    Every link destination is a link, as the CommonMark spec and other renderers (Hugo's
    goldmark) read it: markdown-it-py by default turns ``[x](javascript:...)``,
    ``file:`` and ``vbscript:`` links into text, which would hide them from the checks
    while a site's renderer still makes them links.

    Its block rules run behind :mod:`l10n.blockguards`: the library's tokens, at less cost.

    >>> [t.type for t in parser().parseInline("[x](javascript:alert(1))")[0].children][:1]
    ['link_open']
    """
    md = blockguards.install(MarkdownIt("commonmark").enable("table"))
    md.validateLink = _every_link
    # Pure functions of the destination, each a walk through URL parsing and encoding;
    # an article names the same destinations in English and German, a site in every article.
    md.normalizeLink = lru_cache(maxsize=65536)(md.normalizeLink)  # type: ignore[method-assign]
    md.normalizeLinkText = lru_cache(maxsize=65536)(md.normalizeLinkText)  # type: ignore[method-assign]
    if shortcodes:
        md.inline.ruler.before("text", "shortcode", shortcode)
    return md


def _every_link(url: str) -> bool:
    return True


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
