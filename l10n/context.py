"""What an article tells a translation engine about itself: its title and its lead.

DeepL advises giving a headline "the first few sentences or a summary" as context; the
context is not translated and not billed. An article's context is its title and its lead:
the ``description`` (or ``summary``) of its front matter, else its first paragraph of
prose (a paragraph or list item of at least :data:`LEAD_WORDS` words, so that a byline
such as ``**Published**: 2026-03-12 | **Category**: models`` is passed over). It is plain
text: markup is dropped, and so are link targets, image sources, code and raw HTML, which
never leave the machine. It is cut at a sentence (else a word) to :data:`MAX_CHARS`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from markdown_it import MarkdownIt

from . import markup
from .extract import LIST_ITEM, PARAGRAPH, Segment

#: Characters of context at most: a title and a few sentences (the request stays far
#: below DeepL's 128 KiB body limit, which is the only limit DeepL sets on it).
MAX_CHARS = 1000
#: Words (of letters) a paragraph needs to count as the lead.
LEAD_WORDS = 8
#: Front-matter keys that hold a lead, best first.
LEAD_KEYS = ("description", "summary")

_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*\s")


def of(segments: Sequence[Segment]) -> str | None:
    """The context of an article with these segments: title and lead, one per line.

    >>> from l10n.extract import Segment
    >>> of([Segment("Rain ends", "front matter", "", 2, "title"),
    ...     Segment("**By**: Ann", "paragraph", "", 5),
    ...     Segment("The [storm](https://x.test) moved east overnight, the weather office said.",
    ...             "paragraph", "", 7)])
    'Rain ends\\nThe storm moved east overnight, the weather office said.'
    """
    title = next((plain(s.text) for s in segments if s.key == "title"), "")
    lead = next((plain(s.text) for key in LEAD_KEYS for s in segments if s.key == key), "")
    if not lead:
        lead = next((p for p in (plain(s.text) for s in segments
                                 if s.key is None and s.kind in (PARAGRAPH, LIST_ITEM))
                     if len(_WORD.findall(p)) >= LEAD_WORDS), "")
    text = "\n".join(part for part in (title, lead) if part)
    return cut(text, MAX_CHARS) or None


def plain(markdown: str) -> str:
    """The words of inline Markdown: emphasis, links and images become their text; code,
    raw HTML and every URL are left out.

    >>> plain("See **[the paper](https://x.test/p)**, run `ls` <br> and ![a chart](c.png).")
    'See the paper, run and a chart.'
    >>> plain("Visit <https://x.test/a> or www.y.test today.")
    'Visit or today.'
    """
    words: list[str] = []
    autolink = False
    for token in _parser().parseInline(markdown)[0].children or ():
        if token.type == "link_open":
            autolink = token.markup == "autolink"
        elif token.type == "link_close":
            autolink = False
        elif token.type == "text" and not autolink:
            words.append(_without_urls(token.content))
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
        elif token.type == "image":
            words.append(token.content)
    text = " ".join("".join(words).split())
    return re.sub(r"\s+([,.;:!?])", r"\1", text)


def _without_urls(text: str) -> str:
    for url in markup.bare_urls(text):
        text = text.replace(url, " ", 1)
    return text


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at the last sentence end, else the last space.

    >>> cut("One two. Three four five.", 20), cut("One two three", 9), cut("Short.", 9)
    ('One two.', 'One two', 'Short.')
    """
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends:
        return head[:ends[-1]].rstrip()
    space = head.rfind(" ")
    return (head[:space] if space > 0 else text[:limit]).rstrip()


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark without autolinks' URLs counted as words: linkify stays off."""
    return MarkdownIt("commonmark")
