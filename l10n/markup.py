"""Inline Markdown of one segment: protection for machine translation, integrity checks.

A segment (msgid or msgstr) is the inline Markdown of one block as written in the source.
:func:`protect` turns it into an XML fragment for an engine with XML tag handling (DeepL
``tag_handling="xml"``), :func:`restore` rebuilds Markdown from the engine's reply, and
:func:`check` compares a translation with its source and names what it damaged.

XML format (ids are decimal, unique in a fragment, numbered in document order)::

    <em>…</em>        emphasis, *x* or _x_ (the delimiter is remembered, in order)
    <b>…</b>          strong, **x** or __x__
    <a id="N">…</a>   a link, inline or reference; only the link text is in the XML
    <img id="N">…</img>  an image; only the alt text is in the XML
    <x id="N"/>       anything untranslatable: code span, inline HTML, autolink, bare
                      URL, entity, backslash escape, hard line break, placeholder,
                      template tag
    <t id="N">…</t>   text inside markup: a link's or image's title, the value of a
                      text parameter of a shortcode (``alt``, ``caption``, ``title``);
                      all of them after the segment's text, each its own sentence

Link destinations, reference labels and the rest of a template tag never appear in the XML.

Exactness: markdown-it's inline rules are wrapped so that every token knows the span of
source it came from; the XML is cut from the source along those spans, so
``restore(p, p.xml) == source`` for any input. Reference links ``[x][label]`` and
``[x][]`` count as links even when the caller has no definitions for them.

:func:`check` codes: ``control-character``, ``bidi-control``, ``invisible``, ``block-type``,
``newline``, ``link-target``, ``image-source``, ``code-span``, ``inline-html``,
``unsafe-html``, ``template``, ``placeholder``, ``emphasis``. It judges one segment alone;
what depends on the rest of the article is :mod:`l10n.structure`'s.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace, normalizeReference
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from . import links
from .dialect import BLOCKS, PLAIN, SHORTCUT, named_labels, parser
from .extract import KINDS, LINK_TITLE, SINGLE_LINE

__all__ = [
    "DEEPL_OPTIONS",
    "IGNORE_TAGS",
    "NON_SPLITTING_TAGS",
    "SHORTCODE_TEXT",
    "SPLITTING_TAGS",
    "TEMPLATES",
    "Problem",
    "Protected",
    "Wrap",
    "bare_urls",
    "check",
    "escape_xml",
    "gate",
    "in_page_links",
    "placeholders",
    "protect",
    "restore",
    "shortcode_texts",
    "stand_in_references",
    "templates_pattern",
]

#: markdown-it's ``env["references"]``: normalised label -> {"href": ..., "title": ...}.
References = Mapping[str, Mapping[str, str]]
InlineRule = Callable[[StateInline, bool], bool]

#: Tags whose content DeepL must leave alone (``ignore_tags``).
IGNORE_TAGS: list[str] = ["x"]
#: Tags that never split a sentence (``non_splitting_tags``): all of ours are inline.
NON_SPLITTING_TAGS: list[str] = ["em", "b", "a", "img", "x"]
#: Tags whose content is translated as sentences of its own (``splitting_tags``).
SPLITTING_TAGS: list[str] = ["t"]
#: Keyword arguments for ``deepl.Translator.translate_text`` on :attr:`Protected.xml`.
DEEPL_OPTIONS: dict[str, object] = {
    "tag_handling": "xml",
    "ignore_tags": IGNORE_TAGS,
    "non_splitting_tags": NON_SPLITTING_TAGS,
    "splitting_tags": SPLITTING_TAGS,
    "outline_detection": False,
    "split_sentences": "nonewlines",
}

# --------------------------------------------------------------------------- parsing

_SPAN = "l10n_span"  # token.meta key: (start, end) of the token's source
_LABEL = "l10n_label"  # token.meta key: (start, end) of a link's or image's label
_DELIM = "l10n_delim"  # token.meta key: an emphasis delimiter that could open or close
_UNPAIRED = "l10n_unpaired"  # env key: delimiters markdown-it left as literal text


def _label_range(name: str, state: StateInline) -> tuple[int, int] | None:
    """The label of the link or image about to be parsed, found as the rule finds it."""
    pos, src = state.pos, state.src
    if name == "link" and src[pos] == "[":
        end = state.md.helpers.parseLinkLabel(state, pos, True)
        return (pos + 1, end) if end >= 0 else None
    if name == "image" and src.startswith("![", pos):
        end = state.md.helpers.parseLinkLabel(state, pos + 1, False)
        return (pos + 2, end) if end >= 0 else None
    return None


def _tracking(name: str, rule: InlineRule) -> InlineRule:
    """Wrap an inline rule so that the tokens it makes know their source span."""

    def tracked(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        start, count = state.pos, len(state.tokens)
        label = _label_range(name, state)
        if not rule(state, silent):
            return False
        new = state.tokens[count:]
        if name == "emphasis":  # one text token per delimiter character, at the end
            run = state.pos - start
            for offset, (token, delim) in enumerate(zip(new[-run:], state.delimiters[-run:])):
                token.meta[_SPAN] = (start + offset, start + offset + 1)
                token.meta[_DELIM] = delim.open or delim.close
            return True
        for token in new:  # inner tokens of a link were marked by their own rules
            if token.type != "text" and _SPAN not in token.meta:
                token.meta[_SPAN] = (start, state.pos)
                if label is not None:
                    token.meta[_LABEL] = label
        return True

    return tracked


def _note_unpaired(state: StateInline) -> None:
    """Record delimiters that could pair but were left as text (runs before fragments_join)."""
    notes = state.env.setdefault(_UNPAIRED, [])
    for token in state.tokens:
        if token.type == "text" and token.content and token.meta.get(_DELIM):
            notes.append(token.content)


def _tracking_parser(rules: frozenset[str] | None = None) -> MarkdownIt:
    """CommonMark + tables + shortcodes, inline tokens annotated with source spans, source
    kept as is.

    Every active inline rule (or only those named in ``rules``) is replaced by a tracking
    wrapper of itself, through the ruler's public API (names and functions of the active
    chain, in the same order).
    """
    md = parser()
    md.disable(["normalize", "text_join"])
    ruler = md.inline.ruler
    names, functions = ruler.get_active_rules(), ruler.getRules("")
    if len(names) != len(functions):  # pragma: no cover - a markdown-it-py we do not know
        raise RuntimeError("markdown-it-py's inline ruler lists names and rules differently")
    for name, fn in zip(names, functions):
        if rules is None or name in rules:
            ruler.at(name, _tracking(name, fn))
    md.inline.ruler2.before("fragments_join", "l10n_unpaired", _note_unpaired)
    return md


_MD = _tracking_parser()
#: For checks, which need no source spans: only emphasis delimiters are tracked (to find
#: unpaired ones), at a third of the cost.
_CHECK_MD = _tracking_parser(frozenset({"emphasis"}))



def _references(md: str, references: References | None) -> dict[str, dict[str, str]]:
    """Given references plus stand-ins for labels used as ``[x][label]`` or ``[label][]``.

    A stand-in's href is ``[label]`` (lower case), so unresolved references still compare.
    ``[a][b](url)`` is taken for text and an inline link, as without a definition of b.

    >>> _references("[a][Lab] and [b] and [c][d](u)", None)
    {'LAB': {'href': '[lab]', 'title': ''}}
    """
    refs = {normalizeReference(k): dict(v) for k, v in (references or {}).items()}
    for label in named_labels(md):
        key = normalizeReference(label)
        if key and key not in refs:
            refs[key] = {"href": f"[{key.lower()}]", "title": ""}
    return refs


def _parse_inline(md: str, references: References | None = None,
                  parser: MarkdownIt = _MD) -> tuple[list[Token], dict]:
    """Inline tokens of ``md`` (with source spans) and the parser's env."""
    if PLAIN.fullmatch(md):  # what the parser would make, without parsing
        return ([Token("text", "", 0, content=md)] if md else []), {}
    env: dict = {"references": _references(md, references)}
    blocks = parser.parseInline(md, env)
    return (blocks[0].children or [] if blocks else []), env


def _walk(tokens: Sequence[Token]) -> Iterator[tuple[Token, int]]:
    """All tokens, image alt tokens included, with their link depth (without recursion)."""
    stack = [(iter(tokens), 0)]
    while stack:
        siblings, depth = stack[-1]
        token = next(siblings, None)
        if token is None:
            stack.pop()
            continue
        if token.type == "link_close":
            depth -= 1
        yield token, depth
        if token.type == "link_open":
            depth += 1
        stack[-1] = (siblings, depth)
        if token.children:
            stack.append((iter(token.children), depth))


def in_page_links(md: str, references: References | None = None) -> list[tuple[int, int, str]]:
    """The inline links of ``md`` to a fragment of the same page (``[x](#y)``): where each
    destination is written (start, end) and its ``href`` as markdown-it makes it.

    >>> in_page_links('See [a](#intro "T") and [b](<#two>), not [c](x.html#y).')
    [(8, 14, '#intro'), (28, 34, '#two')]
    """
    if "](" not in md:
        return []
    refs = tuple(sorted((k, v.get("href", ""), v.get("title", "")) for k, v in (references or {}).items()))
    return list(_in_page_links(md, refs))


@lru_cache(maxsize=16384)
def _in_page_links(md: str, references: tuple) -> tuple[tuple[int, int, str], ...]:
    """:func:`in_page_links`, remembered; ``references`` as (label, destination, title)."""
    refs = {label: {"href": href, "title": title} for label, href, title in references}
    tokens, _ = _parse_inline(md, refs)
    found = []
    for token, _ in _walk(tokens):
        href = token.attrGet("href") if token.type == "link_open" else None
        label, span = token.meta.get(_LABEL), token.meta.get(_SPAN)
        if not isinstance(href, str) or not href.startswith("#") or label is None or span is None:
            continue
        start = label[1] + 1
        if md[start:start + 1] != "(":
            continue  # a reference link: its destination is in the definition
        found.append((*_destination(md, start + 1, span[1]), href))
    return tuple(found)


def _destination(md: str, pos: int, end: int) -> tuple[int, int]:
    """The span of the link destination that starts after white space at ``pos``."""
    while pos < end and md[pos] in " \t\n":
        pos += 1
    if md.startswith("<", pos):
        return pos, md.index(">", pos) + 1
    i, depth = pos, 0
    while i < end:
        c = md[i]
        if c == "\\":
            i += 2
            continue
        if c in " \t\n" or (c == ")" and depth == 0):
            break
        depth += {"(": 1, ")": -1}.get(c, 0)
        i += 1
    return pos, i


# --------------------------------------------------------------------------- text helpers

#: Every alternative starts with ``%`` or ``{`` (the ``%`` not after another one is checked
#: behind it, not before): the regular expression engine then skips to those characters
#: instead of trying the whole pattern at every position.
_PLACEHOLDER = re.compile(
    r"%(?<!%%)(?:\(\w+\)|\d+\$)?[-+#0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[sdiufxXeEgGcr](?!\w)"
    r"|\{\{[^\n]*?\}\}|\{%[^\n]*?%\}"
    r"|\{[:#.][^{}\n]*\}"
    r"|\{(?:[A-Za-z_][\w.\[\]-]*|\d*)(?:![rsa])?(?::[^{}\n]*)?\}"
)
#: A bare URL starts after anything but a letter or digit: ``_`` too, which is a word
#: character to ``\\b`` but may be an unpaired emphasis delimiter, a token of its own to the
#: parser (and Goldmark's linkify starts a URL after it).
#: An e-mail address, which Goldmark's linkify makes a ``mailto:`` link (``boss@x.example``):
#: its local part of letters, digits and ``.!#$%&'*+/=?^_`{|}~-``, ``@``, and a domain of
#: letters, digits and ``-`` with at least one dot. Matched more widely than Goldmark does
#: (any letters, after any character, before ``-`` or ``_`` too): a bare URL too many is
#: kept as written, one too few could be added by a translation.
_EMAIL = r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"
_URL_START = re.compile(r"(?<![^\W_])(?:(?:https?|ftp)://|www\.|mailto:)[^\s<>\"'`]+|" + _EMAIL, re.IGNORECASE)
_URL_TRAILING = ".,:;!?*_~'\""
# Characters XML 1.0 does not allow, and \r, which XML parsers turn into \n.
_NOT_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\r")


#: Shortcode parameters whose values are text a reader sees, in any shortcode
#: (``{{< figure alt="…" caption="…" >}}``): drafted by engines, and the one part of a
#: template tag a translation may change.
SHORTCODE_TEXT: tuple[str, ...] = ("alt", "caption", "title")
_SHORTCODE_HEAD = re.compile(r"\{\{[<%]\s*/?[^\s>%]+")
_SHORTCODE_ARG = re.compile(r'\s+(?:([A-Za-z_][\w-]*)=)?("(?:[^"\\\n]|\\.)*"|`[^`]*`|[^\s"`>%]+)')
#: What a parameter's text may not hold to be translated: escapes, line breaks, braces, and
#: what Markdown reads inside a shortcode too (code spans, HTML, links, emphasis, entities;
#: a bare ``&`` as in ``R&D`` is text).
#: Hugo's ``figure`` renders ``caption`` and ``title`` as Markdown (``markdownify``), with
#: Goldmark's extensions: a value may not start a block either (a heading, list item, quote,
#: thematic break or indented code), strike through (``~~``) or hold a bare URL or e-mail
#: address, which linkify makes a link (and which engines must not see).
_NOT_PARAM_TEXT = re.compile(r"[\\\n{}`<>\[\]*_\x00-\x08\x0b-\x1f\x7f]|&#?[0-9A-Za-z]+;|~~"
                             r"|^(?: {4}|[ \t]*(?:\t|[#>+\-=]|\d{1,9}[.)]))|" + _URL_START.pattern,
                             re.IGNORECASE)
#: Hugo's escaped shortcode, ``{{</* figure */>}}``: shown as written, nothing in it is text.
_ESCAPED_SHORTCODE = re.compile(r"\{\{(?:<\s*/\*.*\*/\s*>|%\s*/\*.*\*/\s*%)\}\}\Z", re.S)


def shortcode_texts(tag: str, names: Collection[str] = SHORTCODE_TEXT) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, quote)`` of the values of the text parameters ``names`` in a shortcode
    ``tag``: in double quotes, plain (no escapes, braces, line breaks or characters Markdown
    would read as markup) and not blank.
    Raw strings in backquotes stay code: Markdown readers take them for code spans.

    >>> tag = '{{< figure src="a.png" alt="A chart" caption=`Its caption` title="T" >}}'
    >>> [tag[a:b] for a, b, _ in shortcode_texts(tag)]
    ['A chart', 'T']
    >>> shortcode_texts('{{</* figure alt="A chart" */>}}')
    ()
    """
    head = _SHORTCODE_HEAD.match(tag)
    if head is None or not names or _ESCAPED_SHORTCODE.match(tag):
        return ()
    found = []
    pos = head.end()
    while (arg := _SHORTCODE_ARG.match(tag, pos)) is not None:
        pos = arg.end()
        value = arg.group(2)
        if arg.group(1) in names and value[0] == '"' and value[1:-1].strip() \
                and not _NOT_PARAM_TEXT.search(value[1:-1]):
            found.append((arg.start(2) + 1, arg.end(2) - 1, value[0]))
    return tuple(found)


def _masked(tag: str, names: Collection[str]) -> str:
    """A template tag with the values of its text parameters left out (what must not change).

    >>> _masked('{{< figure src="a.png" alt="A chart" >}}', SHORTCODE_TEXT)
    '{{< figure src="a.png" alt="" >}}'
    """
    for start, end, _ in reversed(shortcode_texts(tag, names)):
        tag = tag[:start] + tag[end:]
    return tag


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets from a bare URL.

    >>> _trim_url("https://x.org/a.")
    'https://x.org/a'
    >>> _trim_url("https://en.wikipedia.org/wiki/A_(b))")
    'https://en.wikipedia.org/wiki/A_(b)'
    """
    while url:
        last = url[-1]
        if last in _URL_TRAILING:
            url = url[:-1]
        elif last in ")]}" and url.count(last) > url.count({")": "(", "]": "[", "}": "{"}[last]):
            url = url[:-1]
        else:
            break
    return url


def _may_hold_url(text: str) -> bool:
    """False only for text in which :data:`_URL_START` cannot match, so without bare URLs.

    Exact, and most text has none of these: every match holds ``@`` (an e-mail address),
    ``://``, or what ``www\\.`` or ``mailto:`` match ignoring case, which ends in ``w.``
    or ``o:`` since ``w`` and ``o`` match only ``wW`` and ``oO`` then.
    """
    return "@" in text or "://" in text or "w." in text or "W." in text or "o:" in text or "O:" in text


def _bare_url_spans(text: str) -> Iterator[tuple[int, int]]:
    if not _may_hold_url(text):
        return
    for match in _URL_START.finditer(text):
        url = _trim_url(match.group())
        if "." in url.split("//")[-1].split(":")[-1]:
            yield match.start(), match.start() + len(url)


def bare_urls(text: str) -> list[str]:
    """URLs written as plain text (not Markdown links).

    >>> bare_urls("See https://x.org/a, or www.y.de. Mail mailto:me@x.org!")
    ['https://x.org/a', 'www.y.de', 'mailto:me@x.org']
    >>> bare_urls("Goldmark links ftp://x.org/f and boss@x.example. too")
    ['ftp://x.org/f', 'boss@x.example']
    """
    return [text[a:b] for a, b in _bare_url_spans(text)]


def placeholders(text: str) -> list[str]:
    """printf, Python-format, ``{name}`` and template placeholders in ``text``.

    >>> placeholders("%s of %(n)d in {count} {{ site.x }} -- 100%ig, 50% sure")
    ['%s', '%(n)d', '{count}', '{{ site.x }}']
    """
    if "%" not in text and "{" not in text:
        return []  # exact: every placeholder starts with one of them
    return _PLACEHOLDER.findall(text)


def escape_xml(text: str) -> str:
    """Escape text for an XML text node.

    >>> escape_xml('a < b & "c" > d')
    'a &lt; b &amp; "c" &gt; d'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_XML_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape_xml(text: str) -> str:
    """Undo XML escaping; anything that is not a well-formed reference stays as it is.

    >>> _unescape_xml("a &amp;lt; &#65;&#x42; &foo; & b")
    'a &lt; AB &foo; & b'
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return _NAMED[match.group(1)]
        code = int(match.group(2)) if match.group(2) else int(match.group(3), 16)
        if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return match.group()
        return chr(code)

    return _XML_ENTITY.sub(replace, text)


# --------------------------------------------------------------------------- source tree


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Atom:
    raw: str


@dataclass(frozen=True)
class _Pair:
    tag: str  # "em", "b", "a" or "img"
    open: str
    close: str
    children: tuple
    label: str | None = None  # collapsed or shortcut reference: the label, which is the text
    texts: tuple[tuple[int, int, str], ...] = ()  # translatable spans of ``close``: the title


class _Misaligned(Exception):
    """Token spans do not tile the source (a parser behaviour this module does not know)."""


class _TooDeep(_Misaligned):
    """Markup nested deeper than :data:`_MAX_DEPTH`: more than an engine reply may nest."""


#: The deepest nesting of tags :func:`protect` writes and :func:`restore` reads back.
_MAX_DEPTH = 64


def _text_nodes(text: str) -> list:
    """Plain source text, with bare URLs, placeholders and non-XML characters as atoms."""
    cuts = [(m.start(), m.end()) for m in _NOT_XML.finditer(text)]
    cuts += [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    cuts += list(_bare_url_spans(text))
    nodes: list = []
    pos = 0
    for start, end in sorted(cuts):
        if start < pos:
            continue
        if start > pos:
            nodes.append(_Text(text[pos:start]))
        nodes.append(_Atom(text[start:end]))
        pos = end
    if pos < len(text):
        nodes.append(_Text(text[pos:]))
    return nodes


def _matching(tokens: Sequence[Token], index: int) -> int:
    """Index of the token closing the one opened at ``index``."""
    depth = 0
    for j in range(index, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    raise _Misaligned(f"unclosed {tokens[index].type}")


def _span(token: Token, key: str = _SPAN) -> tuple[int, int]:
    """The source span (or with ``key=_LABEL`` the label span) the tracking rules noted."""
    span = token.meta.get(key)
    if span is None:
        raise _Misaligned(f"no {key} for {token.type}")
    return span


def _build(src: str, tokens: Sequence[Token], lo: int, hi: int, depth: int = 0) -> list:
    """The source tree of ``src[lo:hi]``, whose inline tokens are ``tokens``, inside ``depth``
    pairs; deeper than :data:`_MAX_DEPTH` it raises :class:`_TooDeep`."""
    if depth >= _MAX_DEPTH:
        raise _TooDeep(f"markup nested {depth} deep")
    nodes: list = []
    cursor, i = lo, 0
    while i < len(tokens):
        token = tokens[i]
        if token.type in ("text", "softbreak"):
            i += 1
            continue
        start, end = _span(token)
        node: object
        if token.type in ("em_open", "strong_open"):
            j = _matching(tokens, i)
            size = len(token.markup)
            start, open_end = end - size, end
            close_start = _span(tokens[j])[0]
            end = close_start + size
            children = _build(src, tokens[i + 1 : j], open_end, close_start, depth + 1)
            tag = "em" if token.type == "em_open" else "b"
            node = _Pair(tag, src[start:open_end], src[close_start:end], tuple(children))
            i = j
        elif token.type == "link_open" and token.info != "auto":
            j = _matching(tokens, i)
            label_start, label_end = _span(token, _LABEL)
            children = _build(src, tokens[i + 1 : j], label_start, label_end, depth + 1)
            node = _link_pair("a", src, start, end, label_start, label_end, children, token)
            i = j
        elif token.type == "image":
            label_start, label_end = _span(token, _LABEL)
            alt = src[label_start:label_end]
            children = _build(alt, token.children or [], 0, len(alt), depth + 1)
            node = _link_pair("img", src, start, end, label_start, label_end, children, token)
        else:
            if token.type == "link_open":  # autolink: <https://...>
                i = _matching(tokens, i)
            elif token.type == "hardbreak":  # the spaces before the newline belong to it
                while start > cursor and src[start - 1] == " ":
                    start -= 1
            node = _Atom(src[start:end])
        if start < cursor or end > hi:
            raise _Misaligned(f"{token.type} at {start}:{end} overlaps {cursor}:{hi}")
        nodes.extend(_text_nodes(src[cursor:start]))
        nodes.append(node)
        cursor = end
        i += 1
    if cursor > hi:
        raise _Misaligned("tokens beyond the end")
    nodes.extend(_text_nodes(src[cursor:hi]))
    return nodes


def _link_pair(
    tag: str, src: str, start: int, end: int, label_start: int, label_end: int, children: list,
    token: Token,
) -> _Pair:
    """A link or image: ``[`` or ``![``, the label's tree, and what follows the label (with
    the span of an inline link's title, if it is plain text)."""
    close = src[label_end:end]
    label = src[label_start:label_end] if close in ("]", "][]") else None
    title = token.attrGet("title")
    return _Pair(tag, src[start:label_start], close, tuple(children), label,
                 _title_span(close, title) if isinstance(title, str) and title else ())


#: The title at the end of an inline link's ``](destination "title")``; plain text only
#: (no escapes, entities or line breaks, which an engine could not be trusted to keep).
_TITLE_END = re.compile(r"""[ \t\n](?:"([^"\\&\n]*)"|'([^'\\&\n]*)'|\(([^()\\&\n]*)\))[ \t\n]*\)\Z""")


def _title_span(close: str, title: str) -> tuple[tuple[int, int, str], ...]:
    """``((start, end, quote),)`` of ``title`` in ``close``, or ``()`` where it is not plain.

    >>> _title_span('](https://x.org "The site")', "The site")
    ((17, 25, '"'),)
    """
    match = _TITLE_END.search(close)
    if match is None or not close.startswith("]("):
        return ()
    group = next(g for g in (1, 2, 3) if match.group(g) is not None)
    if match.group(group) != title or not title.strip():
        return ()
    return ((match.start(group), match.end(group), close[match.end(group)]),)


def _source(nodes: Sequence) -> str:
    """Markdown of a source tree (the inverse of :func:`_build`)."""
    parts = []
    for node in nodes:
        if isinstance(node, _Text):
            parts.append(node.text)
        elif isinstance(node, _Atom):
            parts.append(node.raw)
        else:
            parts.append(node.open + _source(node.children) + node.close)
    return "".join(parts)


# --------------------------------------------------------------------------- protect


@dataclass(frozen=True)
class Wrap:
    """The Markdown around a link's text or an image's alt: ``open`` + text + ``close``.

    ``label`` is set for collapsed and shortcut references (``[x][]``, ``[x]``), whose
    text is also their label: if the text is translated, the label is kept explicitly.
    """

    open: str
    close: str
    label: str | None = None


@dataclass(frozen=True)
class Inner:
    """Text inside markup that is translated: ``owner`` is the id of the ``<x/>`` or ``<a>``/
    ``<img>`` whose Markdown (an atom, or a wrap's ``close``) holds it at ``start:end``,
    between ``quote`` characters."""

    owner: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Protected:
    """A segment as XML for a machine translation engine, and what :func:`restore` needs."""

    xml: str
    source: str
    atoms: tuple[tuple[str, str], ...] = ()  # id -> Markdown of an <x/>
    wraps: tuple[tuple[str, Wrap], ...] = ()  # id -> Markdown around an <a> or <img>
    em: tuple[str, ...] = ()  # delimiter of each <em>, in document order
    strong: tuple[str, ...] = ()  # delimiter of each <b>, in document order
    inner: tuple[tuple[str, Inner], ...] = ()  # id -> where the text of a <t> belongs


class _Writer:
    """Serialises a source tree to XML, collecting what restore needs."""

    def __init__(self, shortcode_text: Collection[str]) -> None:
        self.shortcode_text = shortcode_text
        self.parts: list[str] = []
        self.atoms: list[tuple[str, str]] = []
        self.wraps: list[tuple[str, Wrap]] = []
        self.em: list[str] = []
        self.strong: list[str] = []
        self.inner: list[tuple[str, Inner]] = []
        self._pending: list[tuple[str, str, tuple[int, int, str]]] = []

    def _id(self) -> str:
        return str(len(self.atoms) + len(self.wraps) + len(self.inner) + 1)

    def write(self, nodes: Sequence) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                self.parts.append(escape_xml(node.text))
            elif isinstance(node, _Atom):
                ident = self._id()
                self.atoms.append((ident, node.raw))
                self.parts.append(f'<x id="{ident}"/>')
                self._pending += [(ident, node.raw, span)
                                  for span in shortcode_texts(node.raw, self.shortcode_text)]
            elif node.tag in ("em", "b"):
                (self.em if node.tag == "em" else self.strong).append(node.open)
                self.parts.append(f"<{node.tag}>")
                self.write(node.children)
                self.parts.append(f"</{node.tag}>")
            else:
                ident = self._id()
                self.wraps.append((ident, Wrap(node.open, node.close, node.label)))
                self.parts.append(f'<{node.tag} id="{ident}">')
                self.write(node.children)
                self.parts.append(f"</{node.tag}>")
                self._pending += [(ident, node.close, span) for span in node.texts]

    def finish(self) -> None:
        """Texts inside markup, after the segment's text: each its own sentence."""
        for owner, raw, (start, end, quote) in self._pending:
            ident = self._id()
            self.inner.append((ident, Inner(owner, start, end, quote)))
            self.parts.append(f'<t id="{ident}">{escape_xml(raw[start:end])}</t>')
        self._pending = []


def stand_in_references(text: str) -> dict[str, dict[str, str]]:
    """Stand-in definitions for every ``[label]`` of a text, so that :func:`protect` keeps
    labels that may be defined elsewhere in the article (an engine sees one segment).

    >>> stand_in_references("Cobalt's own [Model Card] lists it; see [a](b) and [x][y].")
    {'Model Card': {'href': '[model card]', 'title': ''}}
    """
    return {m.group(2): {"href": f"[{m.group(2).lower()}]", "title": ""}
            for m in SHORTCUT.finditer(text) if not m.group(1)}


def protect(md: str, *, references: References | None = None,
            shortcode_text: Collection[str] = SHORTCODE_TEXT) -> Protected:
    """Turn inline Markdown into XML whose tags stand for its markup (see the module doc).

    ``references`` are the document's link reference definitions, so that shortcut
    references ``[text]`` are recognised too; ``shortcode_text`` names the shortcode
    parameters whose values are sent as text. Never raises; markup nested deeper than
    :func:`restore` reads back (64 tags), or tokens that do not tile the source (never
    seen), make the whole segment one ``<x/>``.

    >>> p = protect("Read **the report** at [the site](https://x.org \\"T\\"), run `ls`.")
    >>> p.xml
    'Read <b>the report</b> at <a id="1">the site</a>, run <x id="2"/>.<t id="3">T</t>'
    >>> restore(p, p.xml) == p.source
    True
    """
    tokens, _ = _parse_inline(md, references)
    try:
        nodes = _build(md, tokens, 0, len(md))
        if _source(nodes) != md:
            raise _Misaligned("the tree does not reproduce the source")
    except _Misaligned:  # keep the whole segment away from the engine
        nodes = [_Atom(md)] if md else []
    writer = _Writer(shortcode_text)
    writer.write(nodes)
    writer.finish()
    return Protected(
        xml="".join(writer.parts),
        source=md,
        atoms=tuple(writer.atoms),
        wraps=tuple(writer.wraps),
        em=tuple(writer.em),
        strong=tuple(writer.strong),
        inner=tuple(writer.inner),
    )


# --------------------------------------------------------------------------- restore

_TAG = re.compile(r"<(/?)\s*([A-Za-z][\w:.-]*)([^<>]*?)\s*(/?)\s*>")
_ID = re.compile(r"""\bid\s*=\s*(?:"\s*([^"]*?)\s*"|'\s*([^']*?)\s*'|([^\s"'/>]+))""", re.IGNORECASE)
_ALIASES = {"em": "em", "i": "em", "b": "b", "strong": "b", "a": "a", "img": "img", "x": "x", "t": "t"}
_UNSAFE_LABEL = re.compile(r"[`<]")  # repeated after the text, it might start a code span or tag


@dataclass
class _Element:
    """An element of an engine reply."""

    tag: str
    ident: str | None
    children: list = field(default_factory=list)


@dataclass(frozen=True)
class _Placeholder:
    ident: str | None


def _reply_tree(xml: str) -> list:
    """Parse a reply tolerantly: unknown tags are text, stray closes are dropped."""
    root = _Element("", None)
    stack = [root]
    pos = 0

    def text(chunk: str) -> None:
        if chunk:
            stack[-1].children.append(_unescape_xml(chunk))

    for match in _TAG.finditer(xml):
        closing, name, attrs, self_closing = match.groups()
        tag = _ALIASES.get(name.lower())
        if tag is None or (closing and self_closing):
            continue  # stays text
        text(xml[pos : match.start()])
        pos = match.end()
        found = _ID.search(attrs)
        ident = next((g for g in found.groups() if g is not None), None) if found else None
        if closing:
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    break
        elif tag == "x":
            stack[-1].children.append(_Placeholder(ident))
        else:
            element = _Element(tag, ident)
            stack[-1].children.append(element)
            if not self_closing and len(stack) < _MAX_DEPTH:
                stack.append(element)
    text(xml[pos:])
    return root.children


@dataclass(frozen=True)
class _Raw:
    """Markdown from the source (not to be touched when moving whitespace)."""

    text: str


@dataclass(frozen=True)
class _Delim:
    """An emphasis delimiter; ``_`` becomes ``*`` where ``_`` could not open or close."""

    mark: str
    opening: bool


class _Restorer:
    def __init__(self, protected: Protected, reply: list) -> None:
        self.atoms = dict(protected.atoms)
        self.wraps = dict(protected.wraps)
        self.marks = {"em": list(protected.em), "b": list(protected.strong)}
        self.used = {"em": 0, "b": 0}
        self.inner: dict[str, list[tuple[Inner, str]]] = {}
        replies = _inner_replies(reply)
        for ident, where in protected.inner:
            if ident in replies:
                self.inner.setdefault(where.owner, []).append((where, replies[ident]))

    def _fill(self, owner: str, raw: str) -> str:
        """``raw`` (an atom, or a wrap's close) with the translations of its inner texts."""
        for where, text in sorted(self.inner.get(owner, ()), key=lambda it: -it[0].start):
            text = _requoted(raw[where.start:where.end], text, where.quote, raw.startswith("{{"))
            raw = raw[:where.start] + text + raw[where.end:]
        return raw

    def _mark(self, tag: str) -> str:
        marks, index = self.marks[tag], self.used[tag]
        self.used[tag] += 1
        if index < len(marks):
            return marks[index]
        base = marks[-1][0] if marks else "*"
        return base if tag == "em" else base * 2

    def render(self, nodes: Sequence) -> list:
        pieces: list = []
        for node in nodes:
            if isinstance(node, str):
                pieces.append(node)
            elif isinstance(node, _Placeholder):
                if node.ident in self.atoms:
                    pieces.append(_Raw(self._fill(node.ident, self.atoms[node.ident])))
            elif node.tag == "t":
                continue  # put back inside its markup
            elif node.tag in ("em", "b"):
                mark = self._mark(node.tag)
                lead, inner, trail = _split_space(self.render(node.children))
                if _has_content(inner):
                    pieces += [lead, _Delim(mark, True), *inner, _Delim(mark, False), trail]
                else:
                    pieces += [lead, *inner, trail]
            else:
                inner = self.render(node.children)
                wrap = self.wraps.get(node.ident) if node.ident is not None else None
                if wrap is None:
                    pieces += inner
                    continue
                close = self._fill(node.ident, wrap.close)
                label = wrap.label
                if label is not None and _draft(inner) != label and not _UNSAFE_LABEL.search(label):
                    close = f"][{label}]"  # the text changed: keep the label explicitly
                pieces += [_Raw(wrap.open), *inner, _Raw(close)]
        return pieces


# What CommonMark calls whitespace next to a delimiter (str.strip would also take \x85).
_MD_SPACE = "".join(chr(c) for c in range(0x3001) if isWhiteSpace(c))


def _split_space(pieces: list) -> tuple[str, list, str]:
    """Move leading and trailing whitespace of text out of ``pieces``."""
    pieces = list(pieces)
    lead = trail = ""
    while pieces and isinstance(pieces[0], str):
        stripped = pieces[0].lstrip(_MD_SPACE)
        lead += pieces[0][: len(pieces[0]) - len(stripped)]
        if stripped:
            pieces[0] = stripped
            break
        pieces.pop(0)
    while pieces and isinstance(pieces[-1], str):
        stripped = pieces[-1].rstrip(_MD_SPACE)
        trail = pieces[-1][len(stripped) :] + trail
        if stripped:
            pieces[-1] = stripped
            break
        pieces.pop()
    return lead, pieces, trail


def _has_content(pieces: Sequence) -> bool:
    return any(not isinstance(p, str) or p for p in pieces)


def _draft(pieces: Sequence) -> str:
    """Pieces joined with delimiters as they are (to compare a link text with its label)."""
    return "".join(p if isinstance(p, str) else p.text if isinstance(p, _Raw) else p.mark for p in pieces)


def _flanking_word(ch: str) -> bool:
    """True if ``ch`` next to ``_`` keeps it from opening or closing (a word character)."""
    return bool(ch) and not (isWhiteSpace(ord(ch)) or isMdAsciiPunct(ord(ch)) or isPunctChar(ch))


def _finish(pieces: Sequence) -> str:
    """Join pieces, choosing ``*`` for ``_`` delimiters that sit inside a word."""
    out: list[str] = []
    last = ""
    for index, piece in enumerate(pieces):
        if isinstance(piece, _Delim):
            mark = piece.mark
            if mark.startswith("_"):
                neighbour = last if piece.opening else _next_char(pieces, index + 1)
                if _flanking_word(neighbour):
                    mark = "*" * len(mark)
            text = mark
        else:
            text = piece.text if isinstance(piece, _Raw) else piece
        if text:
            out.append(text)
            last = text[-1]
    return "".join(out)


def _next_char(pieces: Sequence, start: int) -> str:
    for piece in pieces[start:]:
        if isinstance(piece, _Delim):
            return piece.mark[0]
        text = piece.text if isinstance(piece, _Raw) else piece
        if text:
            return text[0]
    return ""


def restore(protected: Protected, xml_reply: str) -> str:
    """Markdown from an engine's reply to ``protected.xml``; never raises on a bad reply.

    Tags are matched by id (links, images, placeholders) or by order (emphasis), so
    re-serialised, reordered, dropped or duplicated tags give the best Markdown possible;
    :func:`check` then names the damage.

    >>> p = protect("See [the *paper*](https://x.org/p).")
    >>> p.xml
    'See <a id="1">the <em>paper</em></a>.'
    >>> restore(p, "Siehe <a id='1'>das <em>Paper</em> </a>.")
    'Siehe [das *Paper* ](https://x.org/p).'
    """
    tree = _reply_tree(xml_reply)
    return _finish(_Restorer(protected, tree).render(tree))


def _inner_replies(tree: list) -> dict[str, str]:
    """The text of each ``<t id>`` of a reply (the first, if an id comes twice)."""
    found: dict[str, str] = {}
    stack = list(tree)
    while stack:
        node = stack.pop(0)
        if isinstance(node, _Element):
            if node.tag == "t" and node.ident is not None:
                found.setdefault(node.ident, _plain(node.children))
            else:
                stack[:0] = node.children
    return found


def _plain(nodes: Sequence) -> str:
    """The text of reply nodes, without their tags."""
    return "".join(n if isinstance(n, str) else _plain(n.children) if isinstance(n, _Element) else ""
                   for n in nodes)


def _requoted(original: str, text: str, quote: str, shortcode: bool) -> str:
    """An engine's translation of text between ``quote`` characters, written so that it
    stays there; the original where it cannot be (empty, or characters the quoting of a
    shortcode parameter does not allow).

    >>> _requoted("The site", 'Die "Seite"', '"', False)
    'Die \\\\"Seite\\\\"'
    >>> _requoted("A chart", 'Ein "Diagramm"', '"', True)
    'A chart'
    """
    if text == original or not text.strip():
        return original
    text = re.sub(r"[ \t]*\n\s*", " ", text)  # a title or parameter is one line here
    if shortcode:
        return original if _NOT_PARAM_TEXT.search(text) or quote in text else text
    if _NOT_XML.search(text):
        return original
    text = re.sub(r"\\(?=[!-/:-@\[-`{-~])", r"\\\\", text)  # a backslash stays a backslash
    text = _ENTITY_START.sub(r"\\&", text)
    specials = "()" if quote == ")" else quote
    return "".join("\\" + c if c in specials else c for c in text)


_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class _Facts:
    targets: Counter
    images: Counter
    codes: Counter
    html: Counter
    placeholders: Counter
    templates: Counter
    em: int
    strong: int
    unpaired: tuple[str, ...]
    unsafe: tuple[str, ...]


@lru_cache(maxsize=16384)
def _facts(md: str, references: tuple, templates: re.Pattern[str] | None,
           names: tuple[str, ...] = SHORTCODE_TEXT) -> _Facts:
    """What :func:`check` compares, remembered: boilerplate repeats across thousands of
    articles. ``references`` are (label, destination, title) tuples; ``names`` the shortcode
    parameters whose values may change."""
    if PLAIN.fullmatch(md):
        return _plain_facts(md, templates, names)
    return _token_facts(md, references, templates, names)


def _token_facts(md: str, references: tuple, templates: re.Pattern[str] | None,
                 names: tuple[str, ...] = SHORTCODE_TEXT) -> _Facts:
    refs = {label: {"href": href, "title": title} for label, href, title in references}
    tokens, env = _parse_inline(md, refs, _CHECK_MD)
    walked = list(_walk(tokens))
    targets = [t.attrGet("href") or "" for t, _ in walked if t.type == "link_open"]
    # a shortcode counts as text here, as in plain text: its URLs and placeholders too
    texts = [(t.content, depth) for t, depth in walked if t.type in ("text", "shortcode")]
    targets += [url for text, depth in texts if depth == 0 for url in bare_urls(text)]
    html_contents = [t.content for t, _ in walked if t.type == "html_inline"]
    images = [t.attrGet("src") or "" for t, _ in walked if t.type == "image"]
    types = Counter(t.type for t, _ in walked)
    return _Facts(
        targets=Counter(targets),
        images=Counter(images),
        codes=Counter(t.content for t, _ in walked if t.type == "code_inline"),
        html=Counter(html_contents),
        placeholders=Counter(_masked(p, names) for text, _ in texts for p in placeholders(text)),
        templates=_tags(md, templates, names) if templates is not None else Counter(),
        em=types["em_open"],
        strong=types["strong_open"],
        unpaired=tuple(env.get(_UNPAIRED, ())),
        unsafe=tuple(_unsafe(walked, html_contents, texts)),
    )


_NONE: Counter = Counter()  # shared by facts that have none: facts are never changed


def _plain_facts(md: str, templates: re.Pattern[str] | None,
                 names: tuple[str, ...] = SHORTCODE_TEXT) -> _Facts:
    """:func:`_facts` of text that is one text token (:data:`~l10n.dialect.PLAIN`)."""
    urls, found = bare_urls(md), [_masked(p, names) for p in placeholders(md)]
    tags = [_masked(t, names) for t in templates.findall(md)] if templates is not None else ()
    return _Facts(
        targets=Counter(urls) if urls else _NONE,
        images=_NONE,
        codes=_NONE,
        html=_NONE,
        placeholders=Counter(found) if found else _NONE,
        templates=Counter(tags) if tags else _NONE,
        em=0,
        strong=0,
        unpaired=(),
        unsafe=tuple(f"URL {m.group()}… in text" for m in _SCRIPT_IN_TEXT.finditer(md)),
    )


# --------------------------------------------------------------------------- unsafe HTML

_DANGEROUS_TAGS = (
    "script|style|iframe|frame|frameset|object|embed|applet|base|meta|link|form|svg|math"
)
_DANGEROUS_TAG = re.compile(rf"<\s*/?\s*({_DANGEROUS_TAGS})\b", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"""(?:^|[\s/"'])(on[a-z]+)\s*=""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_SCRIPT_IN_TEXT = re.compile(r"(?:java|vb)script\s*:|\bdata\s*:\s*[\w+.-]+/[\w+.-]+\s*[;,]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def _dangerous_url(url: str) -> bool:
    """True for javascript:, vbscript: and data: URLs, however obfuscated.

    >>> [_dangerous_url(u) for u in ["JaVa\\tScript:x", "&#106;avascript:x", "data:,x"]]
    [True, True, True]
    >>> _dangerous_url("https://x.org/javascript:")
    False
    """
    plain = _CONTROL.sub("", html.unescape(url)).lower()
    return plain.startswith(("javascript:", "vbscript:", "data:"))


def _unsafe_html(content: str) -> list[str]:
    """What is dangerous in one piece of raw HTML."""
    found = [f"<{m.group(1).lower()}> element" for m in _DANGEROUS_TAG.finditer(content)]
    found += [f"event handler {m.group(1).lower()}=" for m in _EVENT_HANDLER.finditer(content)]
    for match in _ATTRIBUTE.finditer(content):
        value = next(g for g in match.groups()[1:] if g is not None)
        plain = _CONTROL.sub("", html.unescape(value)).lower()
        if _dangerous_url(value) or "javascript:" in plain or "vbscript:" in plain:
            found.append(f"{match.group(1).lower()}={value!r}")
    return found


def _unsafe(
    walked: Sequence[tuple[Token, int]], html_contents: Sequence[str], texts: Sequence[tuple[str, int]]
) -> list[str]:
    """What is dangerous in the HTML, link and image URLs, and text of a segment."""
    found = [item for content in html_contents for item in _unsafe_html(content)]
    for token, _ in walked:
        url = token.attrGet({"link_open": "href", "image": "src"}.get(token.type, ""))
        if isinstance(url, str) and _dangerous_url(url):
            found.append(f"URL {url}")
    found += [f"URL {m.group()}… in text" for text, _ in texts for m in _SCRIPT_IN_TEXT.finditer(text)]
    return found


# --------------------------------------------------------------------------- check


@dataclass(frozen=True)
class Problem:
    """Something a translation damaged or smuggled in; ``code`` names the kind."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"




def templates_pattern(delimiters: Sequence[tuple[str, str]]) -> re.Pattern[str] | None:
    """A pattern for template tags from (opening, closing) delimiter pairs; None for none.
    An opening delimiter without its closing one is a tag of its own: Hugo stops the build
    at it, so a translation may not add one either.

    >>> templates_pattern([("{{<", ">}}")]).findall("a {{< x >}} b {{< y")
    ['{{< x >}}', '{{<']
    """
    if not delimiters:
        return None
    whole = [f"{re.escape(a)}.*?{re.escape(b)}" for a, b in delimiters]
    return re.compile("|".join(whole + [re.escape(a) for a, _ in delimiters]), re.S)


#: Template syntax the site uses, by default Hugo shortcodes ``{{< … >}}`` and
#: ``{{% … %}}``: kept from the engine like code, and a translation must have exactly the
#: source's tags.
HUGO_SHORTCODES = (("{{<", ">}}"), ("{{%", "%}}"))
TEMPLATES = templates_pattern(HUGO_SHORTCODES)


def _block_signature(md: str) -> tuple[tuple[str, str], ...]:
    """The blocks ``md`` makes when parsed as a document of its own.

    >>> _block_signature("Just text")
    (('paragraph_open', 'p'),)
    >>> _block_signature("# Title")
    (('heading_open', 'h1'),)
    """
    if md and "\r" not in md and (not _OPENS_BLOCK.match(md) if "\n" not in md else _one_paragraph(md)):
        return _PARAGRAPH  # lines that no block construct can start
    return tuple((t.type, t.tag) for t in BLOCKS.parse(md) if t.nesting >= 0 and t.type != "inline")


def _one_paragraph(lines: str) -> bool:
    """Whether ``lines`` are lines that no block construct can start: one paragraph, since
    no line then interrupts it, underlines it (a setext heading) or ends it (a blank line),
    and without a ``|`` no line makes it a table's head.

    >>> _one_paragraph("Ein Satz.  \\n— Name"), _one_paragraph("Titel\\n---"), _one_paragraph("a\\n\\nb")
    (True, False, False)
    """
    return "|" not in lines and all(line and not _OPENS_BLOCK.match(line) for line in lines.split("\n"))


#: What a line must start with to be anything but a paragraph (a heading, rule, list item,
#: quote, fence, HTML block, reference definition or indented code); tables and setext
#: headings take two lines.
_OPENS_BLOCK = re.compile(
    r"[ \t]"                                # indented code, or indentation before a marker
    r"|#{1,6}(?:[ \t]|$)"                   # ATX heading
    r"|[*+\-](?:[ \t]|$)"                   # bullet list item
    r"|\d{1,9}[.)](?:[ \t]|$)"               # ordered list item
    r"|>|```|~~~|<"                         # quote, fence, HTML block
    r"|\[(?:[^\]\\]|\\.)*\]:"                 # reference definition
    r"|(?:[*_\-][ \t]*){3,}$"                # thematic break
    r"|=+[ \t]*$|-+[ \t]*$"                  # setext underline (a paragraph alone)
)
_PARAGRAPH = (("paragraph_open", "p"),)
_CLOSING_HASHES = re.compile(r"(?:^|[ \t])#+[ \t]*$")


def _describe(signature: tuple[tuple[str, str], ...]) -> str:
    names = [tag if type_ == "heading_open" else type_.removesuffix("_open") for type_, tag in signature]
    return ", ".join(names) or "nothing"


def _block_problems(source: str, translation: str, kind: str) -> list[Problem]:
    problems = []
    expected, got = _block_signature(source), _block_signature(translation)
    if source.strip() and got != expected and kind != LINK_TITLE:  # a title is no block
        message = f"the translation makes {_describe(got)} instead of {_describe(expected)}"
        problems.append(Problem("block-type", message))
    if kind == "heading" and _CLOSING_HASHES.search(translation) and not _CLOSING_HASHES.search(source):
        problems.append(Problem("block-type", "trailing # in the translation is dropped from the heading"))
    if kind in SINGLE_LINE and translation.count("\n") > source.count("\n"):
        message = f"a {kind} must stay on one line, the translation has a line break"
        problems.append(Problem("newline", message))
    return problems


# --------------------------------------------------------------------------- text hygiene

#: Control characters (carriage return and NEL included) and the Unicode line and paragraph
#: separators: some renderers end a line at them, which can start a block inside a segment.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
#: Bidirectional embeddings, overrides and isolates: they can make text read other than it is.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_FILLERS = frozenset("\u115f\u1160\u2800\u3164\uffa0\u180e")


def _invisible(text: str) -> bool:
    """True if ``text`` has characters but none a reader can see.

    >>> _invisible("\\u200b"), _invisible(" \\u00ad "), _invisible("—"), _invisible("")
    (True, True, False, False)
    """
    if "&" not in text and _LATIN_ALNUM.search(text):
        return False  # the common case, without unescaping or a walk over every character
    text = html.unescape(text)  # &#8203; and &nbsp; are what they stand for
    if not text or any(c.isalnum() and c not in _FILLERS for c in text):
        return False
    return all(c.isspace() or c in _FILLERS or unicodedata.category(c) in _UNSEEN for c in text)


_UNSEEN = frozenset({"Cf", "Cc", "Mn", "Me", "Zs", "Zl", "Zp"})
_LATIN_ALNUM = re.compile("[A-Za-z0-9]")


def _character(c: str) -> str:
    """``U+000D CARRIAGE RETURN``-style name of a character."""
    name = unicodedata.name(c, "") or {"\r": "CARRIAGE RETURN", "\x85": "NEXT LINE"}.get(c, "control")
    return f"U+{ord(c):04X} {name}"


#: Characters that can make or break markup, placeholders or template tags, and line ends
#: and controls; with the words, starts and ends below, what a text must lack to be prose.
_MARKUP_CHARACTER = re.compile(r"[`*_\[\]<>&\\|{}%$~\n\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
#: Words that start a bare or an unsafe URL (written as they are: no case is ignored).
_MARKUP_WORDS = ("http:", "https:", "ftp:", "mailto:", "script:", "data:")
#: A first character that could start a block, a list or a number.
_MARKUP_START = re.compile(r"[\s#>+\-=\d]")


def _prose(text: str) -> bool:
    """Whether ``text`` has nothing markup could read: no markup character, no ``@``,
    ``www.`` or URL word, no block start, and no blank or closing ``#`` at its end.

    One search for the characters and a few substring tests, in place of one pattern of
    every alternative (several times slower); a property test holds the two together.

    >>> _prose("Ein Modell, 7 Milliarden Parameter."), _prose("Ein *Modell*"), _prose("1. Punkt")
    (True, False, False)
    """
    if _MARKUP_CHARACTER.search(text) or "@" in text or "www." in text or _MARKUP_START.match(text):
        return False
    if ":" in text and any(word in text for word in _MARKUP_WORDS):
        return False
    return not text.endswith((" ", "\t")) and not text.rstrip(" \t").endswith("#")


#: The characters :func:`_hygiene` names: controls, line separators and bidi controls.
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _hygiene(source: str, translation: str) -> list[Problem]:
    """Characters a translation must not carry: controls, line separators, bidi controls,
    and text made only of invisible characters. The translation is searched once for all
    of them, and an ASCII source not at all (bidi controls are not ASCII)."""
    suspect = _SUSPECT.search(translation) is not None
    problems = [Problem("control-character", f"{_character(c)} in the translation: remove it")
                for c in dict.fromkeys(_CONTROL_CHARACTER.findall(translation))] if suspect else []
    if (suspect and _BIDI.search(translation) or not source.isascii() and _BIDI.search(source)) and \
            Counter(_BIDI.findall(translation)) != Counter(_BIDI.findall(source)):
        shown = ", ".join(_character(c) for c in dict.fromkeys(_BIDI.findall(translation)))
        problems.append(Problem("bidi-control", f"bidirectional control characters not in the source: {shown}"))
    if _invisible(translation) and not _invisible(source):
        problems.append(Problem("invisible", "the translation has no visible character"))
    return problems


def _multiset_problems(
    code: str, what: str, source: Counter, translation: Counter, show: Callable[[str], str] = str
) -> list[Problem]:
    """One problem for each item of ``source`` missing from ``translation`` and vice versa."""
    if source == translation:
        return []
    missing, added = source - translation, translation - source
    problems = [Problem(code, f"{what} {show(item)} of the source is missing") for item in missing.elements()]
    problems += [Problem(code, f"{what} {show(item)} is not in the source") for item in added.elements()]
    return problems


def _emphasis_problems(source: _Facts, translation: _Facts) -> list[Problem]:
    problems = []
    if translation.unpaired and not source.unpaired:
        shown = ", ".join(repr(d) for d in dict.fromkeys(translation.unpaired))
        problems.append(Problem("emphasis", f"unpaired emphasis delimiter {shown} in the translation"))
    if (source.em, source.strong) != (translation.em, translation.strong):
        problems.append(
            Problem(
                "emphasis",
                f"the source has {source.em} emphasis and {source.strong} strong, "
                f"the translation {translation.em} and {translation.strong}",
            )
        )
    return problems


_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>")


def _closed_before_opened(text: str) -> set[str]:
    """Names of raw HTML tags that ``text`` closes before it opens them.

    >>> sorted(_closed_before_opened("Absatz </b>eins<b> und <i>zwei</i>"))
    ['b']
    """
    depth: dict[str, int] = {}
    early = set()
    for m in _HTML_TAG.finditer(text):
        name = m.group(2).lower()
        depth[name] = depth.get(name, 0) + (-1 if m.group(1) else 1)
        if depth[name] < 0:
            early.add(name)
    return early


#: Link destinations and autolinks, left out when bare URLs are counted (the whole-article
#: comparison holds those).
_DESTINATIONS = re.compile(r"\]\([^)]*\)|<[^<>\s]+>")


def _without_destinations(text: str) -> str:
    """``text`` with a space for each link destination and autolink; text without ``](``
    and ``<``, where none can start, is not searched. A space, not nothing: Goldmark links
    a URL that follows a link's ``)`` (its linkify runs on each text node), so what follows
    must not be glued to what precedes."""
    return _DESTINATIONS.sub(" ", text) if "](" in text or "<" in text else text


def gate(source: str, translation: str, *, kind: str = "paragraph",
         templates: re.Pattern[str] | None = TEMPLATES,
         shortcode_text: Collection[str] = SHORTCODE_TEXT) -> list[Problem]:
    """What publishing checks in a translation alone, beside the whole-article structure
    (:mod:`l10n.structure`, which holds links, images, code, raw HTML and breaks): text
    hygiene, the kind of block, bare URLs, template tags and placeholders. Cheap: regular
    expressions, and a block parse only for text that could open a block.

    >>> [p.code for p in gate("Run {name} now.", "Starte {nom} jetzt.\u202e")]
    ['bidi-control', 'placeholder', 'placeholder']
    """
    if not translation or translation == source:
        return []
    problems = _hygiene(source, translation)
    if _prose(source) and _prose(translation):
        return problems
    problems += _block_problems(source, translation, kind)
    urls = bare_urls(_without_destinations(source)), bare_urls(_without_destinations(translation))
    if urls != ([], []):
        problems += _multiset_problems("link-target", "bare URL", Counter(urls[0]), Counter(urls[1]))
    tags: tuple[Counter, Counter] = (_NONE, _NONE)
    if templates is not None and (templates.search(source) or templates.search(translation)):
        tags = _tags(source, templates, shortcode_text), _tags(translation, templates, shortcode_text)
        problems += _multiset_problems("template", "template tag", *tags)
        problems += _nesting_problems(source, translation, templates)
    if "<" in translation:
        early = _closed_before_opened(translation) - _closed_before_opened(source)
        problems += [Problem("inline-html", f"</{name}> comes before its <{name}>: the tag would stay "
                                            "open into the rest of the page") for name in sorted(early)]
    if "%" in source or "{" in source or "%" in translation or "{" in translation:
        problems += _multiset_problems("placeholder", "placeholder",
                                       *_besides(tags, _placeholder_counts(source, shortcode_text),
                                                 _placeholder_counts(translation, shortcode_text)))
    return problems


def _besides(tags: tuple[Counter, Counter], *counts: Counter) -> list[Counter]:
    """Placeholder counts without the template tags, which are named as such already."""
    named = tags[0].keys() | tags[1].keys()
    return [Counter({k: n for k, n in c.items() if k not in named}) if named else c for c in counts]


def _tags(text: str, templates: re.Pattern[str], shortcode_text: Collection[str]) -> Counter:
    """The template tags of ``text``, each without the values of its text parameters."""
    return Counter(_masked(tag, shortcode_text) for tag in templates.findall(text))


#: A shortcode tag: whether it closes (``{{< /note >}}``), its name, and whether it closes
#: itself (``{{< note />}}``). A comment (``{{</* x */>}}``) has no name.
_SHORTCODE = re.compile(r"\{\{[<%]\s*(/)?\s*([\w.-][\w./-]*).*?(/)?\s*[>%]\}\}\Z", re.S)


def _nesting_problems(source: str, translation: str, templates: re.Pattern[str]) -> list[Problem]:
    """A translation's shortcodes placed otherwise among the paired ones (those the source
    closes) than the source's: Hugo stops the build at a closing tag that closes no open one,
    and renders another placement as another structure. Siblings may change order; in a
    segment that opens or closes a pair the rest of the article holds, nothing may move.

    >>> [p.code for p in _nesting_problems("{{< b >}}x{{< /b >}}", "{{< /b >}}x{{< b >}}", TEMPLATES)]
    ['template']
    """
    tags = _shortcodes(source, templates)
    paired = {name for closing, name, _ in tags if closing}
    if not paired:
        return []
    theirs = _shortcodes(translation, templates)
    ours = _nesting(tags, paired)
    if (ours is None and tags == theirs) or (ours is not None and ours == _nesting(theirs, paired)):
        return []
    return [Problem("template", "shortcodes opened, closed or placed otherwise than in the source "
                                "(Hugo stops the build at a closing tag that closes no open one)")]


def _shortcodes(text: str, templates: re.Pattern[str]) -> list[tuple[str | None, str, str | None]]:
    """The shortcode tags of ``text``, in order (:data:`_SHORTCODE`'s groups)."""
    return [m.groups() for tag in templates.findall(text) if (m := _SHORTCODE.match(tag))]


def _nesting(tags: list[tuple[str | None, str, str | None]], paired: Collection[str]) -> Counter | None:
    """Each shortcode but a closing tag, with the names of the ``paired`` ones it sits in (a
    multiset); None when the paired ones are not properly nested."""
    stack: list[str] = []
    found: Counter = Counter()
    for closing, name, closes_itself in tags:
        if closing and name in paired:
            if not stack or stack[-1] != name:
                return None
            stack.pop()
        elif not closing:
            found[(*stack, name)] += 1
            if name in paired and not closes_itself:
                stack.append(name)
    return None if stack else found


def _placeholder_counts(text: str, shortcode_text: Collection[str]) -> Counter:
    return Counter(_masked(p, shortcode_text) for p in placeholders(text))


def check(
    source: str,
    translation: str,
    references: References | None = None,
    *,
    kind: str = "paragraph",
    templates: re.Pattern[str] | None = TEMPLATES,
    allowed: Callable[[str], Iterable[str]] | None = None,
    shortcode_text: Collection[str] = SHORTCODE_TEXT,
) -> list[Problem]:
    """Problems of ``translation`` as a translation of ``source`` (a segment of ``kind``);
    ``allowed`` gives the link targets a translation may use for a source one (default: it
    alone; see :meth:`l10n.links.Links.allowed`).

    An empty translation (untranslated) and the source itself have no problems.

    >>> check("See [the paper](https://x.org/p).", "Siehe [das Paper](https://x.org/p).")
    []
    >>> [p.code for p in check("See [the paper](https://x.org/p).", "Siehe das Paper.")]
    ['link-target']
    >>> [p.code for p in check("A paragraph.", "Ein Absatz.\\r# Boom")]
    ['control-character', 'block-type']
    """
    if kind not in KINDS:
        raise ValueError(f"unknown segment kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not translation or translation == source:
        return []
    if _prose(source) and _prose(translation):  # nothing markup could break or smuggle in
        return _hygiene(source, translation)
    refs = tuple(sorted((k, v.get("href", ""), v.get("title", "")) for k, v in (references or {}).items()))
    names = tuple(shortcode_text)
    src, tr = _facts(source, refs, templates, names), _facts(translation, refs, templates, names)
    problems = _hygiene(source, translation)
    problems += _block_problems(source, translation, kind)
    targets = tr.targets if allowed is None else links.align(src.targets, tr.targets, allowed)
    problems += _multiset_problems("link-target", "link target", src.targets, targets)
    problems += _multiset_problems("image-source", "image source", src.images, tr.images)
    problems += _multiset_problems("code-span", "code span", src.codes, tr.codes, lambda c: f"`{c}`")
    problems += _multiset_problems("inline-html", "inline HTML", src.html, tr.html)
    added_html = tr.html - src.html
    problems += [Problem("unsafe-html", f"raw HTML not in the source: {h}") for h in added_html.elements()]
    problems += [Problem("unsafe-html", f"unsafe {it} in the translation") for it in dict.fromkeys(tr.unsafe)]
    problems += _multiset_problems("template", "template tag", src.templates, tr.templates)
    if src.templates and templates is not None:
        problems += _nesting_problems(source, translation, templates)
    if src.placeholders:
        problems += _multiset_problems("placeholder", "placeholder",
                                       *_besides((src.templates, tr.templates), src.placeholders, tr.placeholders))
    problems += _emphasis_problems(src, tr)
    return problems
