"""markdown-it-py's block rules behind guards: the same tokens, fewer Python calls.

The block tokenizer tries every block rule on the first line of every block, and a paragraph
(a table, a quote, a list, a reference) tries the rules that may interrupt it on each of its
lines. Each try is a Python call that logs, asks whether the line is indented code and only
then looks at the one character that decides almost every time: the line's first. The
library has no faster mode, so :func:`install` puts a guard in front of each rule, through
the public Ruler API (``ruler.at``, with the rule's own chains): the guard looks at that
character itself and returns False where the rule would return False having changed nothing,
and calls the rule otherwise. Each guard names the lines of the rule (markdown-it-py 3.0 and
4.x alike) that make it exact. tests/test_dialect.py holds each guard to its rule, and the
guarded parser to the library's, token for token.

>>> md = install(MarkdownIt("commonmark"))
>>> [t.type for t in md.parse("Title\\n---\\n- item")][:4]
['heading_open', 'inline', 'heading_close', 'bullet_list_open']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block import StateBlock

Rule = Callable[[StateBlock, int, int, bool], bool]

#: The chains of rules that block rules consult to see whether a line ends them:
#: ``ruler.getRules(chain)`` in markdown-it-py's paragraph, lheading, reference,
#: blockquote, table and list rules. A guard joins the chains its rule is in.
CHAINS = ("paragraph", "reference", "blockquote", "list")


def _first(starts: str) -> Callable[[Rule], Rule]:
    """A guard that calls its rule only on a line whose first non-space character is one
    of ``starts``, or at the end of the source (no character: the rule decides)."""
    chars = frozenset(starts) | {""}

    def guard(rule: Rule) -> Rule:
        @wraps(rule)
        def guarded(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
            pos = state.bMarks[startLine] + state.tShift[startLine]
            if state.src[pos:pos + 1] in chars:
                return rule(state, startLine, endLine, silent)
            return False
        return guarded
    return guard


def _code(rule: Rule) -> Rule:
    """``code``: ``if not state.is_code_block(startLine): return False``, and a line is
    code only indented four columns past the block (``sCount - blkIndent >= 4``)."""
    @wraps(rule)
    def guarded(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
        if state.sCount[startLine] - state.blkIndent < 4:
            return False
        return rule(state, startLine, endLine, silent)
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


#: The guard of each of the library's rules (``paragraph`` needs none: it always matches),
#: and for those of :func:`_first` the rule's test of the first character.
_GUARDS: dict[Rule, Callable[[Rule], Rule]] = {
    rules_block.table: _table,
    rules_block.code: _code,
    # ``if marker not in ("~", "`"): return False``
    rules_block.fence: _first("~`"),
    # ``if state.src[pos] != ">": return False``
    rules_block.blockquote: _first(">"),
    rules_block.hr: _hr,
    # skipOrderedListMarker: ``if ch_ord < 0x30 or ch_ord > 0x39: return -1``, then
    # skipBulletListMarker: ``if marker not in ("*", "-", "+"): return -1``: ``return False``
    rules_block.list_block: _first("0123456789*-+"),
    # ``if state.src[pos] != "[": return False``
    rules_block.reference: _first("["),
    # ``if state.src[pos] != "<": return False``
    rules_block.html_block: _first("<"),
    # ``if ch != "#" or pos >= maximum: return False``
    rules_block.heading: _first("#"),
    rules_block.lheading: _lheading,
}


def install(md: MarkdownIt) -> MarkdownIt:
    """Guard ``md``'s active block rules that are markdown-it-py's own, each in the chains
    it is in (rules of other origin, disabled ones and rules added later stay as they are)."""
    ruler = md.block.ruler
    names, functions = ruler.get_active_rules(), ruler.getRules("")
    if len(names) != len(functions):  # pragma: no cover - a markdown-it-py we do not know
        return md
    chains = {chain: ruler.getRules(chain) for chain in CHAINS}
    for name, fn in zip(names, functions):
        guard = _GUARDS.get(fn)
        if guard is not None:
            ruler.at(name, guard(fn), {"alt": [chain for chain in CHAINS if fn in chains[chain]]})
    return md
