"""The one Markdown dialect of the project: CommonMark plus GFM tables, as markdown-it-py reads it."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt


def parser() -> MarkdownIt:
    """A new CommonMark parser with GFM tables.

    Every link destination is a link, as the CommonMark spec and other renderers (Hugo's
    goldmark) read it: markdown-it-py by default turns ``[x](javascript:...)``,
    ``file:`` and ``vbscript:`` links into text, which would hide them from the checks
    while a site's renderer still makes them links.

    >>> [t.type for t in parser().parseInline("[x](javascript:alert(1))")[0].children][:1]
    ['link_open']
    """
    md = MarkdownIt("commonmark").enable("table")
    md.validateLink = _every_link
    # Pure functions of the destination, each a walk through URL parsing and encoding;
    # an article names the same destinations in English and German, a site in every article.
    md.normalizeLink = lru_cache(maxsize=65536)(md.normalizeLink)  # type: ignore[method-assign]
    md.normalizeLinkText = lru_cache(maxsize=65536)(md.normalizeLinkText)  # type: ignore[method-assign]
    return md


def _every_link(url: str) -> bool:
    return True


#: :func:`parser` without its inline pass, for what needs blocks only (extraction, the
#: article's structure): parsing is three times faster.
BLOCKS = parser().disable(["inline", "text_join"])

#: Inline text in which no inline rule but ``text`` can start (no emphasis, code, link,
#: image, HTML, entity, escape or line break): markdown-it makes it one text token.
PLAIN = re.compile(r"[^\n\r\\`*_\[\]<>&]*")


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
