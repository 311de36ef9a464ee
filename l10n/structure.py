"""The structure of a whole article: what no translation may change.

:func:`shape` reads an article body with the extractor's parser (CommonMark plus GFM tables,
block pass only): every block token with what makes it that block (type, tag, markers, list
starts, fence info and contents, HTML blocks, table alignment), the link reference
definitions, and the text of each inline block. :func:`compare` holds a translated body
against its source: the same blocks, the same definitions (labels and destinations; a
title is translated text), and in every inline block whose
text changed the same link and image destinations, autolinks, code spans, hard breaks and raw
HTML. It runs on the article as published, so a break that depends on what surrounds a
segment (a fence opener, a setext underline, a lazy continuation line, a new reference
definition, an unclosed HTML block) is found as a class, whatever caused it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from functools import partial
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from markdown_it.common.utils import normalizeReference, unescapeAll
from markdown_it.rules_core import StateCore, normalize
from markdown_it.token import Token

from . import links
from .dialect import BLOCKS, BRACKETED, parser

#: Block tokens whose content is the block itself (code and HTML are never translated).
_VERBATIM = frozenset({"fence", "code_block", "html_block"})


@dataclass(frozen=True)
class Shape:
    """An article body's structure (see the module docstring)."""

    blocks: tuple[tuple, ...]
    lines: tuple[tuple[int, int] | None, ...]  # each block token's 0-based line span
    inlines: tuple[str, ...]  # the text of each inline block, in order
    inline_lines: tuple[tuple[int, int], ...]
    references: tuple[tuple[str, str, str], ...]  # label, destination, title
    reference_lines: Mapping[str, int]

    @cached_property
    def _definitions(self) -> dict[str, tuple[str, str, str]]:
        return {ref[0]: ref for ref in self.references}

    @cached_property
    def _starting(self) -> dict[int, list[int]]:
        """The block tokens that start on each line, by index."""
        found: dict[int, list[int]] = {}
        for index, span in enumerate(self.lines):
            if span is not None:
                found.setdefault(span[0], []).append(index)
        return found

    @cached_property
    def _containers(self) -> tuple[tuple[tuple, ...], ...]:
        """For each block token, the signatures of the blocks it is inside, outermost first."""
        found, open_ = [], ()
        for sig in self.blocks:
            if sig[0] != "inline" and sig[2] < 0:
                open_ = open_[:-1]
            found.append(open_)
            if sig[0] != "inline" and sig[2] > 0:
                open_ = open_ + (sig,)
        return tuple(found)

    def used_references(self, *texts: str) -> tuple[tuple[str, str, str], ...]:
        """The definitions ``texts`` may use, as in :attr:`references`: a label is always
        written in brackets, so the cost is the texts', whatever the article defines.

        >>> of("[a]: /x\\n[b]: /y\\n").used_references("see [A] or [c][] or [b](/z)")
        (('A', '/x', ''), ('B', '/y', ''))
        """
        if not self.references:
            return ()
        found = {normalizeReference(m.group(1)) for text in texts for m in BRACKETED.finditer(text)}
        return tuple(sorted(self._definitions[label] for label in found if label in self._definitions))


@dataclass(frozen=True)
class Break:
    """Where a translated body stops having its source's structure.

    ``line`` is the 0-based body line where the difference shows, ``inline`` the index of the
    inline block whose markup changed (None for a block-level break), ``labels`` the reference
    definitions that were added or changed.
    """

    message: str
    line: int | None = None
    inline: int | None = None
    labels: tuple[str, ...] = ()


#: The signature of every inline block: its text is left out.
_INLINE_SIGNATURE = ("inline",)


def shape(tokens: Sequence[Token], env: Mapping) -> Shape:
    """The shape of a body from its block tokens and the parser's env: for each block token
    what makes it the block it is (its signature), and the text of inline blocks apart. One
    pass, each signature built where it is read, since every body is read so."""
    refs = env.get("references", {})
    blocks, lines, inlines, inline_lines = [], [], [], []
    for t in tokens:
        kind, span = t.type, t.map
        lines.append(tuple(span) if span else None)
        if kind == "inline":
            blocks.append(_INLINE_SIGNATURE)
            inlines.append(t.content)
            inline_lines.append(tuple(span) if span else (0, 0))
            continue
        attrs = t.attrs
        blocks.append((kind, t.tag, t.nesting, t.markup, t.info, tuple(sorted(attrs.items())) if attrs else (),
                       t.hidden, t.content if kind in _VERBATIM else ""))
    return Shape(
        blocks=tuple(blocks),
        lines=tuple(lines),
        inlines=tuple(inlines),
        inline_lines=tuple(inline_lines),
        references=tuple(sorted((k, v.get("href", ""), v.get("title", "")) for k, v in refs.items())),
        reference_lines={k: (v.get("map") or [0])[0] for k, v in refs.items()},
    )


def of(body: str) -> Shape:
    """Parse ``body`` (block pass only) and return its shape."""
    env: dict = {}
    return shape(BLOCKS.parse(body, env), env)


def compare(source: Shape, target: Shape) -> Break | None:
    """The first way ``target`` differs from ``source`` in structure, or None."""
    return next(breaks(source, target), None)


def breaks(source: Shape, target: Shape,
           source_line: Callable[[int], int | None] | None = None,
           allowed: Callable[[str], Iterable[str]] | None = None,
           follow: Callable[[str], str] | None = None,
           moved: Mapping[str, str] | None = None) -> Iterator[Break]:
    """The ways ``target`` differs from ``source`` in structure, in order, each found once.

    ``follow`` gives a source inline text with its links to headings as the target article
    publishes them, and ``moved`` the destination a reference definition of a heading's
    anchor may take instead (:mod:`l10n.anchors`): the check accepts exactly these moves.

    Inline blocks are judged each alone, so all their differences are found. A block-level
    difference may change all that follows; after one the comparison goes on only from a
    block that both bodies have again, in the same containers and on the same source line
    (``source_line`` maps a target line to the source's, None within translated text).
    Without ``source_line`` only the first block-level difference is found. ``allowed``
    gives the destinations a translation may use for an English link destination
    (:meth:`l10n.links.Links.allowed`); without it, only the English one.
    """
    if source.blocks != target.blocks:
        yield from _block_breaks(source, target, source_line)
        return
    # a definition's title is text a translation changes; its label and destination are not
    wanted = tuple((label, href) for label, href, _ in source.references)
    defined = tuple((label, href) for label, href, _ in target.references)
    if moved and defined != wanted:
        sources = dict(wanted)
        defined = tuple((label, sources[label] if moved.get(sources.get(label, "")) == href else href)
                        for label, href in defined)
    if wanted != defined:
        before = dict(wanted)
        labels = tuple(label for label, href in defined if before.get(label) != href)
        shown = ", ".join(f"[{label.lower()}]" for label in labels) or "a reference definition"
        yield Break(f"the translation defines {shown}, which changes where the article's links go",
                    line=min((target.reference_lines.get(label, 0) for label in labels), default=None),
                    labels=labels)
        return
    for k, (a, b) in enumerate(zip(source.inlines, target.inlines)):
        if a == b:
            continue
        if follow is not None:
            a = follow(a)
        before, after = inline_facts(a, target.used_references(a)), inline_facts(b, target.used_references(b))
        if after is before or after == before:  # most text has none, the same Counter
            continue
        if allowed is not None:
            after = links.align(before, after, partial(_allowed_fact, allowed))
            if after == before:
                continue
        missing, added = _difference(before, after)
        if missing or added:
            parts = [f"{what} {value!r} missing" for what, value in missing]
            parts += [f"{what} {value!r} added" for what, value in added]
            yield Break("the translation changes the markup: " + "; ".join(parts),
                        line=target.inline_lines[k][0], inline=k)


def _block_breaks(source: Shape, target: Shape,
                  source_line: Callable[[int], int | None] | None) -> Iterator[Break]:
    a, b = source.blocks, target.blocks
    i = j = 0
    while True:
        while i < len(a) and j < len(b) and a[i] == b[j]:
            i, j = i + 1, j + 1
        if i == len(a) and j == len(b):
            return
        got = _name(b[j]) if j < len(b) else "the end of the article"
        wanted = _name(a[i]) if i < len(a) else "the end of the article"
        line = _line(target, j)
        yield Break(f"the article gets {got} where the English has {wanted}", line=line)
        again = _resume(source, target, i, j, line, source_line) if source_line is not None else None
        if again is None:
            return
        i, j = again


def _resume(source: Shape, target: Shape, i: int, j: int, line: int | None,
            source_line: Callable[[int], int | None]) -> tuple[int, int] | None:
    """The first block token after source ``i`` and target ``j``, on a later line than
    ``line``, that both bodies have in the same containers on the same source line."""
    for k in range(j + 1, len(target.blocks)):
        span = target.lines[k]
        if span is None or (line is not None and span[0] <= line):
            continue
        where = source_line(span[0])
        for m in source._starting.get(where, ()) if where is not None else ():
            if m > i and (source.blocks[m], source._containers[m]) == (target.blocks[k], target._containers[k]):
                return m, k
    return None


_NAMES = {"paragraph_open": "a paragraph", "heading_open": "a heading", "fence": "a code block",
          "code_block": "an indented code block", "html_block": "an HTML block",
          "bullet_list_open": "a list", "ordered_list_open": "a numbered list",
          "list_item_open": "a list item", "blockquote_open": "a quote", "hr": "a rule",
          "table_open": "a table", "tr_open": "a table row", "th_open": "a table cell",
          "td_open": "a table cell"}


def _name(sig: tuple) -> str:
    if sig[0] == "heading_open":
        return f"a heading ({sig[1]})"
    return _NAMES.get(sig[0], "the end of a block" if sig[0].endswith("_close") else sig[0])


def _line(target: Shape, index: int) -> int | None:
    """The line of the block token at ``index``, or of the nearest one before it."""
    for i in range(min(index, len(target.lines) - 1), -1, -1):
        if target.lines[i] is not None:
            return target.lines[i][0]  # type: ignore[index]
    return None


#: The inline parser of :func:`inline_facts`, without the rules that can make none of its
#: facts: emphasis (and the pairing of its delimiters) and entities, whose text only ever
#: becomes text, and the joining of text tokens. Links, images, code spans, autolinks, raw
#: HTML and breaks come out as the full parser makes them (a property test and the CommonMark
#: examples hold the two together); a fifth less time.
_INLINE = parser().disable(["emphasis", "balance_pairs", "entity", "fragments_join"])


def fact_free(md: str) -> bool:
    """Whether none of the facts :func:`inline_facts` counts can start in inline text: no
    ``[`` (links, images), no ``<`` (autolinks, raw HTML), no backtick (code spans), no
    carriage return, and no line end after a space, a tab or a backslash (hard breaks).
    Emphasis, entities and escapes still parse in it, but make none of those facts; a
    property test holds it to the parser. A few substring tests, not a pattern: most text
    has no line end at all.

    >>> fact_free("Plain *text*\\nand more"), fact_free("a  \\nb"), fact_free("see [a](b)")
    (True, False, False)
    """
    if "`" in md or "[" in md or "<" in md or "\r" in md:
        return False
    return "\n" not in md or not (" \n" in md or "\t\n" in md or "\\\n" in md)


@lru_cache(maxsize=16384)
def inline_facts(md: str, references: tuple = ()) -> Counter:
    """What inline text may not change: destinations, autolinks, code, hard breaks, raw HTML.

    ``references`` are the article's definitions as (label, destination, title) tuples.

    >>> sorted(inline_facts("See [a](x.html), `ls`  \\nand <b>", ()).elements())
    [('code span', 'ls'), ('hard break', ''), ('link', 'x.html'), ('raw HTML', '<b>')]
    """
    goldmark = _goldmark_facts(md)
    if fact_free(md):
        return goldmark
    facts = goldmark.copy()
    if _simple_facts(md, facts):
        return facts
    env = {"references": {label: {"href": href, "title": title} for label, href, title in references}}
    _collect(_inline_tokens(md, env), facts)
    return facts


#: The simplest forms of the facts most text holds: a code span of one backtick each side,
#: on one line and not before another backtick, and an inline link or image,
#: ``[text](destination)``, its text on one line without brackets, backticks, ``<``, ``{``
#: or backslashes, and its destination one run without white space, control characters,
#: parentheses, brackets, backticks, ``<>``, ``{`` or backslashes.
_SIMPLE = re.compile(r"`([^`\n\r\0]+)`(?!`)|(!?)\[[^\[\]`<{\\\n\r\0]+\]\(([^\x00-\x20\x7f()<>\[\]`{\\]+)\)")
#: What may not stand between them: what else can start a fact (another bracket or backtick,
#: ``<``, a backslash, a shortcode's ``{{%``) or changes the text the parser reads (a
#: carriage return or NUL, which it normalises).
_NOT_SIMPLE = re.compile(r"[`\[\]<\\\r\0]|\{\{%")


def _simple_facts(md: str, facts: Counter) -> bool:
    """Count the facts of ``md`` into ``facts`` without the parser, and say so, when every
    one is of a :data:`_SIMPLE` form or a hard break and nothing else can start one: then the
    parser reads each form where it stands (nothing before it can take its characters), a
    link as inline whatever the references, and finds no other fact; a property test holds
    it to the parser. Else count nothing and return False.

    >>> facts = Counter(); _simple_facts("Run `ls`,  \\nsee ![a](i.png) or [b](x?a=1&amp;b=2).", facts)
    True
    >>> sorted(facts.elements())
    [('code span', 'ls'), ('hard break', ''), ('image', 'i.png'), ('link', 'x?a=1&b=2')]
    """
    found = []
    end = 0
    for m in _SIMPLE.finditer(md):
        if _NOT_SIMPLE.search(md, end, m.start()):
            return False
        found.append(m)
        end = m.end()
    if _NOT_SIMPLE.search(md, end):
        return False
    if "  \n" in md:  # no form holds a line end: each is in the text between them
        starts, ends = [0, *(m.end() for m in found)], [*(m.start() for m in found), len(md)]
        breaks = sum(_hard_breaks(md[start:end]) for start, end in zip(starts, ends))
        if breaks:
            facts["hard break", ""] += breaks
    for m in found:
        code, bang, destination = m.groups()
        if code is None:
            facts["image" if bang else "link", _INLINE.normalizeLink(unescapeAll(destination))] += 1
        elif code.startswith(" ") and code.endswith(" ") and code.strip(" "):  # as the parser strips it
            facts["code span", code[1:-1]] += 1
        else:
            facts["code span", code] += 1
    return True


def _hard_breaks(text: str) -> int:
    """The hard breaks the parser makes in ``text`` (no markup in it, and after markup or at
    the start): a line end after two spaces that are not where a line begins, since the
    parser skips the spaces and tabs there."""
    lines = text.split("\n")[:-1]
    return sum(line.endswith("  ") for line in (lines[:1] + [line.lstrip(" \t") for line in lines[1:]]))


def _inline_tokens(md: str, env: dict) -> list[Token]:
    """The tokens ``_INLINE.parseInline(md, env)`` makes of ``md``, by the inline parser
    alone: of the core rules around it only ``normalize`` changes what it reads (line ends
    and NUL; run here, the library's rule, where either is), and ``text_join`` joins text
    tokens, which are no fact. A third less time; a property test holds the facts to the
    parser's.

    >>> [t.type for t in _inline_tokens("a  \\r\\nb", {})]
    ['text', 'hardbreak', 'text']
    """
    if "\r" in md or "\0" in md:
        state = StateCore(md, _INLINE, env)
        normalize(state)
        md = state.src
    tokens: list[Token] = []
    _INLINE.inline.parse(md, _INLINE, env, tokens)
    return tokens


#: A trailing attribute list, ``{#id .class key=value}``: Goldmark (Hugo) gives a heading
#: these attributes, so a translation may add no id, class or style of its own.
_ATTRIBUTES = re.compile(r"\{([^{}\n]*)\}[ \t]*$")
#: A line that starts a definition in Goldmark's definition lists (on in Hugo by default): the
#: lines before it become terms, so a translation may not turn a paragraph into a list, nor add
#: a term or a definition.
_DEFINITION = re.compile(r"[ ]{0,3}:[ \t]")
_LATER_DEFINITION = re.compile(r"\n[ ]{0,3}:[ \t]")  # whether a line after the first is one
#: A task-list checkbox (GFM, on in Hugo by default) at the start of a list item's text; Goldmark
#: needs no space after it.
_TASK = re.compile(r"\[[ xX]\]")
#: A footnote reference or the label of a footnote definition (Goldmark's footnotes, on in Hugo).
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")
#: What makes a footnote definition's text a block of its own kind: a heading, list item,
#: quote, fence or thematic break.
_FOOTNOTE_BLOCK = re.compile(r"[ \t]*(#{1,6}(?=[ \t]|$)|[*+\-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|>|```|~~~)")


#: The facts of most text: one Counter, shared (as all that :func:`inline_facts` returns).
_NO_FACTS: Counter = Counter()


def _goldmark_facts(md: str) -> Counter:
    """The facts Hugo's Markdown (Goldmark) reads beyond CommonMark's: a heading's trailing
    attribute list, the lines of a definition list, a task-list checkbox, and footnotes (each
    label, and the kind of block a definition's text starts).

    >>> sorted(_goldmark_facts("Title {id=x}").elements()), sorted(_goldmark_facts("Port\\n: closed").elements())
    ([('attribute list', 'id=x')], [('definition list', 'term, definition')])
    >>> sorted(_goldmark_facts("[^n]: # Note, see[^m]").elements())
    [('footnote', 'm'), ('footnote', 'n'), ('footnote text opens', '#')]
    """
    facts: list[tuple[str, str]] = []
    if md.endswith("}") or md.rstrip(" \t").endswith("}"):
        found = _ATTRIBUTES.search(md)
        if found is not None:
            facts.append(("attribute list", found.group(1).strip()))
    if ":" in md and (_DEFINITION.match(md) or _LATER_DEFINITION.search(md)):
        lines = md.split("\n")
        kinds = ["definition" if _DEFINITION.match(line) else "term" for line in lines]
        if "definition" in kinds:
            facts.append(("definition list", ", ".join(kinds)))
    if md.startswith("[") and _TASK.match(md):
        facts.append(("checkbox", md[1].lower()))
    if "[^" in md:
        facts += [("footnote", found.group(1)) for found in _FOOTNOTE.finditer(md)]
        definition = _FOOTNOTE.match(md)
        if definition is not None and md[definition.end():definition.end() + 1] == ":":
            opens = _FOOTNOTE_BLOCK.match(md, definition.end() + 1)
            if opens is not None:
                facts.append(("footnote text opens", opens.group(1).rstrip(".)") or opens.group(1)))
    return Counter(facts) if facts else _NO_FACTS


def _collect(tokens: Sequence[Token], facts: Counter) -> None:
    """Count the facts of ``tokens`` and of the alt text of their images (without recursion)."""
    stack = list(tokens)
    while stack:
        t = stack.pop()
        if t.type == "link_open":
            facts[("autolink" if t.info == "auto" else "link", t.attrGet("href") or "")] += 1
        elif t.type == "image":
            facts[("image", t.attrGet("src") or "")] += 1
            stack.extend(t.children or [])
        elif t.type == "code_inline":
            facts[("code span", t.content)] += 1
        elif t.type == "html_inline":
            facts[("raw HTML", t.content)] += 1
        elif t.type == "hardbreak":
            facts[("hard break", "")] += 1


def _allowed_fact(allowed: Callable[[str], Iterable[str]], fact: tuple[str, str]) -> Iterable[tuple[str, str]]:
    """The facts a translation may have for a fact of the source: a link or autolink may
    go where ``allowed`` says."""
    if fact[0] in ("link", "autolink"):
        return {(fact[0], d) for d in allowed(fact[1])}
    return (fact,)
def _difference(source: Counter, target: Counter) -> tuple[list, list]:
    return list((source - target).elements()), list((target - source).elements())
