"""markdown-it-py's block rules behind guards: the same tokens, fewer Python calls.

The block tokenizer tries every block rule on the first line of every block, and a paragraph
(a table, a quote, a list, a reference) tries the rules that may interrupt it on each of its
lines. Each try is a Python call that logs, asks whether the line is indented code and only
then looks at the one character that decides almost every time: the line's first. The
library has no faster mode, so :func:`install`, through the public Ruler API (``ruler.at``
and ``ruler.before``, with the rules' own chains), puts

- one rule, ``guards``, in front of the tokenizer's chain: it looks at whether the line is
  code and at its first character once, and tries, in the chain's order, only the rules that
  may match such a line (:data:`NEEDS`);
- a guard in front of each rule, for the chains that look for the end of a block
  (:data:`CHAINS`): it looks at that character itself and returns False where the rule
  would return False having changed nothing, and calls the rule otherwise.

Each need and each guard names the lines of the rule (markdown-it-py 3.0 and 4.x alike) that
make it exact. tests/test_dialect.py holds each to its rule, and the guarded parser to the
library's, token for token.

>>> md = install(MarkdownIt("commonmark"))
>>> [t.type for t in md.parse("Title\\n---\\n- item")][:4]
['heading_open', 'inline', 'heading_close', 'bullet_list_open']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import NamedTuple

from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block import StateBlock

Rule = Callable[[StateBlock, int, int, bool], bool]

#: The chains of rules that block rules consult to see whether a line ends them:
#: ``ruler.getRules(chain)`` in markdown-it-py's paragraph, lheading, reference,
#: blockquote, table and list rules. A guard joins the chains its rule is in.
CHAINS = ("paragraph", "reference", "blockquote", "list")


class Needs(NamedTuple):
    """What a rule needs of a line to match it: its first non-space character one of
    ``first`` (None: any; at the end of the source, no character, the rule decides), and the
    line code (``state.is_code_block(startLine)``) or not (``code``; None: either). On a line
    without it the rule returns False having changed nothing."""

    first: frozenset[str] | None = None
    code: bool | None = False


def _first(starts: str) -> Needs:
    """The needs of a rule that returns False on a code line (``if state.is_code_block(startLine):
    return False``) and on a line whose first character is none of ``starts``."""
    return Needs(frozenset(starts) | {""})


#: The needs of each rule of the library.
NEEDS: dict[Rule, Needs] = {
    # ``if state.is_code_block(startLine): return False``, after looking at the next line
    # (``table``'s guard) and at the line, which changes nothing
    rules_block.table: Needs(),
    # ``if not state.is_code_block(startLine): return False``
    rules_block.code: Needs(code=True),
    # ``if marker not in ("~", "`"): return False``
    rules_block.fence: _first("~`"),
    # ``if state.src[pos] != ">": return False``
    rules_block.blockquote: _first(">"),
    # ``if marker not in ("*", "-", "_"): return False``
    rules_block.hr: _first("*-_"),
    # skipOrderedListMarker: ``if ch_ord < 0x30 or ch_ord > 0x39: return -1``, then
    # skipBulletListMarker: ``if marker not in ("*", "-", "+"): return -1``: ``return False``
    rules_block.list_block: _first("0123456789*-+"),
    # ``if state.src[pos] != "[": return False``
    rules_block.reference: _first("["),
    # ``if state.src[pos] != "<": return False``
    rules_block.html_block: _first("<"),
    # ``if ch != "#" or pos >= maximum: return False``
    rules_block.heading: _first("#"),
    # ``if state.is_code_block(startLine): return False``
    rules_block.lheading: Needs(),
    # no test before ``return True``: it always matches
    rules_block.paragraph: Needs(code=None),
}


def _starts(rule: Rule) -> Rule:
    """A guard that calls its rule only on a line whose first non-space character is one
    of those the rule needs (:data:`NEEDS`), or at the end of the source."""
    chars = NEEDS[rule].first

    @wraps(rule)
    def guarded(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        pos = state.bMarks[startLine] + state.tShift[startLine]
        if state.src[pos:pos + 1] in chars:
            return rule(state, startLine, endLine, silent)
        return False
    return guarded


def _table(rule: Rule) -> Rule:
    """``table`` looks at the next line first: ``if startLine + 2 > endLine``, ``if pos >=
    state.eMarks[nextLine]`` and ``if first_ch not in ("|", "-", ":")`` return False; later
    ``if "|" not in lineText`` (the trimmed first line) returns False, with nothing changed
    in between."""
    seconds = frozenset("|-:")

    @wraps(rule)
    def guarded(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        if startLine + 2 > endLine:
            return False
        src = state.src
        pos = state.bMarks[startLine + 1] + state.tShift[startLine + 1]
        # "" (past the end) and "\n" (an empty line: pos >= eMarks) are not in ``seconds``
        if src[pos:pos + 1] not in seconds:
            return False
        if src.find("|", state.bMarks[startLine] + state.tShift[startLine], state.eMarks[startLine]) < 0:
            return False
        return rule(state, startLine, endLine, silent)
    return guarded


#: The rest of a line as ``hr`` accepts it: after the marker, ``if ch != marker and not
#: isStrSpace(ch): return False`` (a space or a tab) and ``if cnt < 3: return False``.
_HR = re.compile(r"(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}")


def _hr(rule: Rule) -> Rule:
    """``hr``: ``if marker not in ("*", "-", "_"): return False``, then the line must be
    :data:`_HR` (a list item's ``- text`` is not)."""
    markers = frozenset("*-_")

    @wraps(rule)
    def guarded(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        pos = state.bMarks[startLine] + state.tShift[startLine]
        src = state.src
        if src[pos:pos + 1] not in markers or _HR.fullmatch(src, pos, state.eMarks[startLine]) is None:
            return False
        return rule(state, startLine, endLine, silent)
    return guarded


#: How many lines past its first the ``lheading`` guard reads; where it would have to read
#: further, the rule decides. A paragraph or a list item is rarely longer, and so the guard
#: costs a few steps even where the rule stops early (at each item of a tight list).
LHEADING_LOOKAHEAD = 8


def _lheading(rule: Rule) -> Rule:
    """``lheading`` looks for its underline among the lines up to the next empty one
    (``while nextLine < endLine and not state.isEmpty(nextLine)``): a line indented 0-3
    columns past the block (``if state.sCount[nextLine] - state.blkIndent > 3: continue``,
    ``if state.sCount[nextLine] >= state.blkIndent``) whose first character is the marker
    (``if marker in ("-", "=")``). Without one it returns False (``if not level``), having
    set ``state.parentType = "paragraph"`` unless the first line is code, and asked only
    silent rules, which change nothing."""
    @wraps(rule)
    def guarded(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        src, bMarks, tShift, eMarks, sCount = state.src, state.bMarks, state.tShift, state.eMarks, state.sCount
        indent = state.blkIndent
        line = startLine + 1
        last = min(endLine, line + LHEADING_LOOKAHEAD)
        while line < last:
            pos = bMarks[line] + tShift[line]
            if pos >= eMarks[line]:  # state.isEmpty(line)
                break
            if 0 <= sCount[line] - indent <= 3 and src[pos] in "-=":
                return rule(state, startLine, endLine, silent)
            line += 1
        else:
            if line < endLine:  # no empty line within the lookahead
                return rule(state, startLine, endLine, silent)
        if not state.is_code_block(startLine):
            state.parentType = "paragraph"
        return False
    return guarded


#: The guard of each rule of the library in :data:`CHAINS` or one that tests more than its
#: needs (``code`` and ``paragraph`` need none: the ``guards`` rule decides for them).
_GUARDS: dict[Rule, Callable[[Rule], Rule]] = {
    rules_block.table: _table,
    rules_block.fence: _starts,
    rules_block.blockquote: _starts,
    rules_block.hr: _hr,
    rules_block.list_block: _starts,
    rules_block.reference: _starts,
    rules_block.html_block: _starts,
    rules_block.heading: _starts,
    rules_block.lheading: _lheading,
}
#: The rules whose guards test more of a line than the rule's needs: the ``guards`` rule
#: calls these guards, and the other rules themselves.
_MORE = frozenset({rules_block.table, rules_block.hr, rules_block.lheading})


class _Tries(NamedTuple):
    """The rules to try on a line of a chain: on a code line, and by the first character
    of any other line (``other``: a character none of the rules needs)."""

    code: tuple[Rule, ...] = ()
    first: dict[str, tuple[Rule, ...]] = {}
    other: tuple[Rule, ...] = ()


def _tries(chain: list[Rule], ours: dict[Rule, Rule]) -> _Tries:
    """The tries of ``chain`` (the rules behind ``guards``): its rules up to the library's
    ``paragraph``, which matches every line (none, without it: the chain decides), each
    where it may match; a guard of ``ours`` is the rule where it tests only the needs."""
    rules = [ours.get(fn, fn) for fn in chain]
    if rules_block.paragraph not in rules:
        return _Tries()
    rules = rules[:rules.index(rules_block.paragraph) + 1]
    calls = [fn if rule in _MORE or rule not in NEEDS else rule for fn, rule in zip(chain, rules)]
    needs = [NEEDS.get(rule, Needs(code=None)) for rule in rules]

    def plain(ch: str | None) -> tuple[Rule, ...]:
        return tuple(call for call, need in zip(calls, needs)
                     if need.code is not True and (need.first is None or ch in need.first))
    chars = {ch for need in needs if need.first is not None for ch in need.first}
    return _Tries(tuple(call for call, need in zip(calls, needs) if need.code is not False),
                  {ch: plain(ch) for ch in chars}, plain(None))


def _guards(ours: dict[Rule, Rule]) -> Rule:
    """The ``guards`` rule of a parser whose guards are ``ours`` (each with its rule): the
    rules behind it in the tokenizer's chain, where they may match. It matches where one of
    them does; after the library's ``paragraph`` (which always matches), none is tried.
    Taken from the chain as it is at each parse: rules enabled, disabled or added later count.
    """
    seen: list[Rule] | None = None
    tries = _Tries()

    def guards(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        nonlocal seen, tries
        chain = state.md.block.ruler.getRules("")
        if chain is not seen:
            seen, tries = chain, _tries(chain[chain.index(guards) + 1:], ours)
        if state.sCount[startLine] - state.blkIndent >= 4 and state.is_code_block(startLine):
            rules = tries.code
        else:
            pos = state.bMarks[startLine] + state.tShift[startLine]
            rules = tries.first.get(state.src[pos:pos + 1], tries.other)
        for rule in rules:
            if rule(state, startLine, endLine, silent):
                return True
        return False
    return guards


def install(md: MarkdownIt) -> MarkdownIt:
    """Guard ``md``'s active block rules that are markdown-it-py's own, each in the chains
    it is in, and put ``guards`` in front of them (rules of other origin and disabled ones
    stay as they are; a parser guarded already is left as it is)."""
    ruler = md.block.ruler
    names, functions = ruler.get_active_rules(), ruler.getRules("")
    if len(names) != len(functions):  # pragma: no cover - a markdown-it-py we do not know
        return md
    if not names or "guards" in ruler.get_all_rules():  # nothing to guard, or guarded already
        return md
    chains = {chain: ruler.getRules(chain) for chain in CHAINS}
    ours: dict[Rule, Rule] = {}
    for name, fn in zip(names, functions):
        guard = _GUARDS.get(fn)
        if guard is not None:
            guarded = guard(fn)
            ours[guarded] = fn
            ruler.at(name, guarded, {"alt": [chain for chain in CHAINS if fn in chains[chain]]})
    ruler.before(names[0], "guards", _guards(ours))
    return md
