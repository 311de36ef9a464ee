"""The one Markdown dialect of the project: CommonMark plus GFM tables, as markdown-it-py reads it."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt


def parser() -> MarkdownIt:
    """A new CommonMark parser with GFM tables."""
    return MarkdownIt("commonmark").enable("table")


#: :func:`parser` without its inline pass, for what needs blocks only (extraction, the
#: article's structure): parsing is three times faster.
BLOCKS = parser().disable(["inline", "text_join"])

#: Inline text in which no inline rule but ``text`` can start (no emphasis, code, link,
#: image, HTML, entity, escape or line break): markdown-it makes it one text token.
PLAIN = re.compile(r"[^\n\r\\`*_\[\]<>&]*")
