"""The parser of l10n.dialect makes markdown-it-py's tokens, every one, with its guarded block
rules (l10n.blockguards) and its reading of link destinations."""

from __future__ import annotations

import inspect
import json
import time
import pkgutil
import re
from pathlib import Path

import markdown_it.helpers
import markdown_it.rules_block
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common import normalize_url
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import normalize
from markdown_it.token import Token

from l10n import blockguards, dialect, structure

SPEC = json.loads((Path(__file__).parent / "data" / "commonmark-spec.json").read_text(encoding="utf-8"))


def library(md: MarkdownIt) -> MarkdownIt:
    """``md`` with markdown-it-py's own link helpers and ``normalize`` rule, without ``guards``,
    and each guarded block rule put back as the library's own, in the same chains."""
    md.helpers = markdown_it.helpers
    md.core.ruler.at("normalize", normalize)
    ruler = md.block.ruler
    ruler.disable("guards")
    chains = {chain: ruler.getRules(chain) for chain in blockguards.CHAINS}
    for name, fn in zip(ruler.get_active_rules(), ruler.getRules("")):
        if hasattr(fn, "__wrapped__"):
            ruler.at(name, fn.__wrapped__, {"alt": [c for c in blockguards.CHAINS if fn in chains[c]]})
    return md


GUARDED, LIBRARY = dialect.parser(), library(dialect.parser())
GUARDED_BLOCKS = dialect.BLOCKS
LIBRARY_BLOCKS = library(dialect.parser()).disable(["inline", "text_join"])
LIBRARY_INLINE = library(dialect.parser()).disable(["emphasis", "balance_pairs", "entity", "fragments_join"])


def dump(tokens: list[Token]) -> list[tuple]:
    return [(t.type, t.tag, t.map, t.content, t.markup, t.info, t.attrs, t.level, t.nesting, t.hidden,
             t.block, t.meta, dump(t.children or [])) for t in tokens]


def outcome(md: MarkdownIt, text: str) -> tuple:
    """The tokens and env of parsing ``text``, or what it raises (markdown-it-py 3.0 raises
    IndexError on a table in a quote that ends with an empty ``>`` line)."""
    env: dict = {}
    try:
        return dump(md.parse(text, env)), env
    except Exception as error:  # noqa: BLE001 - the library's exception is the outcome
        return type(error), str(error)


def same(guarded: MarkdownIt, library: MarkdownIt, text: str) -> bool:
    return outcome(guarded, text) == outcome(library, text)


def chains(md: MarkdownIt) -> dict[str, list]:
    ruler = md.block.ruler
    return {chain: [getattr(fn, "__wrapped__", fn) for fn in ruler.getRules(chain)]
            for chain in ("", *blockguards.CHAINS)}


def test_guards_front_the_librarys_chain_and_every_rule_of_the_others_is_guarded() -> None:
    library, ours = MarkdownIt("commonmark").enable("table"), dialect.parser()
    guards = ours.block.ruler.getRules("")[0]
    assert chains(ours) == {**chains(library), "": [guards, *chains(library)[""]]}
    assert chains(LIBRARY) == chains(library) == {chain: LIBRARY.block.ruler.getRules(chain) for chain in chains(LIBRARY)}
    names, functions = dialect.BLOCKS.block.ruler.get_active_rules(), dialect.BLOCKS.block.ruler.getRules("")
    assert names == ["guards", *library.block.ruler.get_active_rules()]
    guarded = [name for name, fn in zip(names, functions) if hasattr(fn, "__wrapped__")]
    assert guarded == [n for n in library.block.ruler.get_active_rules() if n not in ("code", "paragraph")]
    assert [len(c) for c in chains(library).values()] == [11, 7, 7, 6, 3]


def test_the_library_asks_no_chain_but_those_the_guards_join() -> None:
    """A rule's chains come from ``ruler.getRules(chain)`` for each name in CHAINS: a chain
    the library's rules consulted beyond those would lose its guarded rules."""
    sources = [inspect.getsource(markdown_it.parser_block)] + [
        inspect.getsource(__import__(f"markdown_it.rules_block.{m.name}", fromlist=["_"]))
        for m in pkgutil.iter_modules(markdown_it.rules_block.__path__)]
    asked = {name for source in sources for name in re.findall(r"getRules\(\s*\"(\w*)\"", source)}
    assert asked == {"", *blockguards.CHAINS}


def test_a_rule_of_other_origin_is_left_alone() -> None:
    md = MarkdownIt("commonmark")
    md.block.ruler.at("hr", lambda state, start, end, silent: False, {"alt": ["paragraph"]})
    mine = md.block.ruler.getRules("")[3]
    blockguards.install(md)
    assert md.block.ruler.getRules("")[4] is mine and md.block.ruler.getRules("paragraph")[2] is mine
    twice = blockguards.install(dialect.parser())
    assert twice.block.ruler.get_all_rules().count("guards") == 1
    assert all(not hasattr(getattr(fn, "__wrapped__", fn), "__wrapped__") for fn in twice.block.ruler.getRules(""))


def percent(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """A block rule of other origin: a line that starts with ``%`` is a block of its own."""
    if state.src[state.bMarks[startLine] + state.tShift[startLine]:][:1] != "%":
        return False
    if not silent:
        state.push("mine", "", 0).map = [startLine, startLine + 1]
    state.line = startLine + 1
    return True


def anyline(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """A block rule of other origin that takes any line: without ``paragraph``, the chain's
    last resort (markdown-it-py 3.0 loops for ever on a line no rule takes; 4.x raises)."""
    if not silent:
        state.push("line", "", 0).map = [startLine, startLine + 1]
    state.line = startLine + 1
    return True


#: Changes of the block rules after ``install``: ``guards`` tries the chain as it is.
CHANGES = [lambda md: md.block.ruler.disable("table"),
           lambda md: (md.block.ruler.disable("paragraph"), md.block.ruler.push("anyline", anyline)),
           lambda md: md.block.ruler.disable(["code", "heading"]),
           lambda md: md.block.ruler.before("lheading", "mine", percent, {"alt": ["paragraph"]}),
           lambda md: md.block.ruler.after("paragraph", "mine", percent)]


def test_guards_follow_the_rules_as_they_are_at_each_parse() -> None:
    texts = [example["markdown"] for example in SPEC][::7] + ["a\n%b\n\n%c\n    %d\n| a |\n|---|\n# x"]
    for change in CHANGES:
        guarded, library_ = dialect.parser(), library(dialect.parser())
        guarded.parse(texts[-1])  # the chain as it was, before the change
        change(guarded)
        change(library_)
        assert all(same(guarded, library_, md) for md in texts)


def test_every_commonmark_example_makes_the_librarys_tokens() -> None:
    texts = [example["markdown"] for example in SPEC]
    assert len(texts) == 652
    assert all(same(GUARDED, LIBRARY, md) for md in texts)
    assert all(same(GUARDED_BLOCKS, LIBRARY_BLOCKS, md) for md in texts)
    # and each example with its lines nested in a quote and in a list item
    assert all(same(GUARDED_BLOCKS, LIBRARY_BLOCKS, re.sub("^", prefix, md, flags=re.M))
               for md in texts for prefix in ("> ", "- ", "1.  "))


#: What starts, ends, interrupts or continues a block, and words.
FRAGMENTS = ["```", "```py", "``` `x`", "~~~", "~~~~", "#", "# ", "## x", "####### x", "#x", ">", "> ",
             "- ", "-", "* ", "+ ", "1.", "1. ", "1)", "2. ", "0123456789.", "12345678901.", "|", "a | b",
             "|---|", "| --- | --- |", "--- | ---", "-|-", ":--", "--:", ":-:", "[x]: /url \"t\"", "[x]:",
             "[x]", "[", "]", "/url", "\"t\"", "'t'", "(t)", "<div>", "</div>", "<!--", "-->", "<pre>",
             "</pre>", "<a href=\"x\">", "<?", "<!X", "<![CDATA[", "***", "---", "===", "___", "- - -",
             "* * *", "_ _ _", "--", "==", "=", "\t", " ", "  ", "    ", "word", "two words", "\\", "`",
             "*", "_", "-"]
#: What a line may open with: indentation, quote markers, list markers (nesting).
PREFIXES = ["", "", "", " ", "  ", "   ", "    ", "\t", " \t", ">", "> ", "> > ", ">>", "- ", "  - ",
            "    - ", "1. ", "   1. ", "> - ", "- > ", "* ", "+ "]
#: Whole lines: of tables and what a delimiter row might be taken for, of thematic breaks
#: and underlines and what they might be taken for.
WHOLE_LINES = ["|a", "a|", "a | b", "| a | b |", "a \\| b", "|", "||", "|---|", "|-", "-|-", ":-", ":--",
               "--:", ":-:", ":|", "|:", ":--|--:", "|:-:|:--|", "--- | ---", "| - | - |", "- | -", "-- ",
               ":- -", "|-|-|-|", "_\t_ _", "* *\t*", "-\t-\t-\t", "- - - x", "**", "*\t*", "__ _",
               "=== ", "= =", "---\t", "-- -"]
LINES = st.builds(lambda prefix, parts: prefix + "".join(parts),
                  st.sampled_from(PREFIXES), st.lists(st.sampled_from(FRAGMENTS), max_size=4)) | st.builds(
    lambda prefix, line: prefix + line, st.sampled_from(PREFIXES), st.sampled_from(WHOLE_LINES))
DOCUMENTS = st.builds(lambda lines, end: "\n".join(lines) + end,
                      st.lists(LINES, max_size=14), st.sampled_from(["", "\n", "\n\n", " ", "\n  ", "\t"]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
@example("Title\n---\n> a\n---\n- b\n===")
@example("a | b\n-|-\n> c | d\n- |---|")
@example("|a\n|-\na|b\n:-")
@example("- a\n  b\n- c\n\n  ---\n    ===\n\td\n  - e\n---")
@example("[x]: /url\n\"t\"\n===\n[y]:\n/u\n'tt\n\n'\n- ")
@example("  ")
@example("a\n" * 8 + "---")
@example("- a\n" + "b\n" * 8 + "  ===")
@example(">|a\n>|---|\n>")
@example("a\n  ")
def test_guarded_blocks_are_the_librarys(md: str) -> None:
    assert same(GUARDED_BLOCKS, LIBRARY_BLOCKS, md)
    assert same(GUARDED, LIBRARY, md)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\t", "\n", "\r", "\r\n", "\0", "- ", "> ", "```", "|", "-|-", "===", "    ",
                                 "[x]: /u", "`", "<div>"]), max_size=12).map("".join))
def test_line_ends_and_nuls_are_normalised_as_by_the_library(md: str) -> None:
    """The parsers normalise only text that has a carriage return or a NUL: other text the
    library's rule leaves as it is."""
    assert same(GUARDED_BLOCKS, LIBRARY_BLOCKS, md)
    assert same(GUARDED, LIBRARY, md)


#: Destinations near the plain ones (schemes, hosts, paths) and what would change them.
_PLAIN_PARTS = ["/", "a", "Z", "0", ".", "-", "_", "~", "x.example", "//"]
_OTHER_PARTS = ["HTTPS://", "ftp://", "xn--bcher-kva.example", "ü", " ", "%", "%20", "?", "#", "&", ":", "@", "\\",
                "(", ")", "[", "\"", "'", "*"]
DESTINATIONS = st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(["", "", "https://", "http://", "//"]),
                         st.lists(st.sampled_from(_PLAIN_PARTS * 6 + _OTHER_PARTS), max_size=8).map("".join))


@settings(max_examples=3000, deadline=None)
@given(DESTINATIONS)
def test_plain_destinations_are_normalised_as_by_the_library(url: str) -> None:
    assert GUARDED.normalizeLink(url) == normalize_url.normalizeLink(url)


def after(rule, md: MarkdownIt, text: str, line: int, indent: int, silent: bool) -> tuple:
    """What ``rule`` returns (or raises) on ``line`` of ``text`` and the state it leaves."""
    state = StateBlock(text, md, {}, [])
    state.blkIndent = indent
    try:
        result: object = rule(state, line, state.lineMax, silent)
    except Exception as error:  # noqa: BLE001 - the library's exception is the result
        result = type(error)
    return (result, dump(state.tokens),
            {k: v for k, v in vars(state).items() if k not in ("md", "tokens")})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.sampled_from([0, 0, 1, 2, 4]))
@example("a\nb", 0)
@example("a\n---", 2)
def test_each_guard_answers_as_its_rule_and_leaves_the_same_state(md: str, indent: int) -> None:
    """Rule by rule, on every line, silent or not: a guard returns what its rule returns and
    leaves the state as the rule leaves it (``lheading`` sets ``parentType`` even when it
    finds no underline, which no rule of the library reads afterwards)."""
    ruler = GUARDED_BLOCKS.block.ruler
    for guard in ruler.getRules(""):
        rule = getattr(guard, "__wrapped__", None)
        if rule is None:
            continue
        for line in range(StateBlock(md, GUARDED_BLOCKS, {}, []).lineMax):
            for silent in (True, False):
                assert (after(guard, GUARDED_BLOCKS, md, line, indent, silent)
                        == after(rule, GUARDED_BLOCKS, md, line, indent, silent)), (rule.__name__, line, silent)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.sampled_from([0, 0, 1, 2, 4]))
@example("    a\n| b |\n|---|", 0)
@example(">    a", 2)
def test_a_rule_returns_false_and_changes_nothing_on_a_line_without_its_needs(md: str, indent: int) -> None:
    """What ``guards`` leaves out: each rule of the library on each line that lacks its
    needs (blockguards.NEEDS), silent or not."""
    nothing = lambda state, startLine, endLine, silent: False  # noqa: E731
    for rule, needs in blockguards.NEEDS.items():
        for line in range(StateBlock(md, GUARDED_BLOCKS, {}, []).lineMax):
            state = StateBlock(md, GUARDED_BLOCKS, {}, [])
            state.blkIndent = indent
            pos = state.bMarks[line] + state.tShift[line]
            if (needs.code is not None and state.is_code_block(line) != needs.code
                    or needs.first is not None and md[pos:pos + 1] not in needs.first):
                for silent in (True, False):
                    assert (after(rule, GUARDED_BLOCKS, md, line, indent, silent)
                            == after(nothing, GUARDED_BLOCKS, md, line, indent, silent)), (rule.__name__, line)


def result(found: object) -> tuple:
    return type(found), {name: getattr(found, name) for name in type(found).__slots__}


#: Characters that end, nest, escape or enclose a destination, and others.
DESTINATION_CHARS = st.lists(st.sampled_from(list(" \t\n\r\x00\x01\x1f\x7f\x80()<>\\\"'&;#ax/:.%é😀")
                                             + ["&amp;", "&#41;", "\\(", "\\ ", "((", "))", "%20"]),
                             max_size=20).map("".join)


@settings(max_examples=1000, deadline=None)
@given(DESTINATION_CHARS, st.integers(0, 22), st.integers(-1, 24))
@example("a(b)c d", 0, 7)
@example("", 0, 1)
@example("ab", 3, 5)
def test_link_destination_is_the_librarys(text: str, pos: int, maximum: int) -> None:
    assert result(dialect.link_destination(text, pos, maximum)) == result(
        markdown_it.helpers.parseLinkDestination(text, pos, maximum))


def test_the_parsers_link_helpers_are_the_librarys_but_one() -> None:
    ours = dict(vars(GUARDED.helpers))
    assert ours.pop("parseLinkDestination") is dialect.link_destination
    assert ours == {k: v for k, v in vars(markdown_it.helpers).items() if k != "parseLinkDestination"}


#: Inline text around links, images and references.
LINKS = st.lists(st.sampled_from(["[a]", "[a](", "![a](", "[x]", "[x][]", "(", ")", "<", ">", "<u>", "\\",
                                  " ", "\t", "\n", "\"t\"", "'t'", "(t)", "u/r-l", "&amp;", "%20", "é", "\x7f",
                                  "\x01", "`", "*", "a"]), max_size=16).map("".join)


@settings(max_examples=1000, deadline=None)
@given(LINKS)
@example("[a](u(v)w) [b](<x y>) [c](d\\)e)")
def test_inline_tokens_are_the_librarys(md: str) -> None:
    env = {"references": {"X": {"href": "/r", "title": ""}}}
    assert dump(structure._INLINE.parseInline(md, dict(env))) == dump(LIBRARY_INLINE.parseInline(md, dict(env)))
    assert same(GUARDED, LIBRARY, md)
    assert same(GUARDED, LIBRARY, f"[x]: {md}\n\n[x]")


def test_every_commonmark_example_makes_the_librarys_inline_tokens() -> None:
    texts = [example["markdown"] for example in SPEC]
    assert [dump(structure._INLINE.parseInline(md, {"references": {}})) for md in texts] == [
        dump(LIBRARY_INLINE.parseInline(md, {"references": {}})) for md in texts]


def test_long_blocks_without_empty_lines_cost_what_the_librarys_cost() -> None:
    """Where the library's rules stop early, the guards look no further than a few lines
    (lheading once read a tight list to its end from each item: quadratic)."""
    for text in ("".join(f"- item {i}\n" for i in range(3000)), "".join(f"# {i}\ntext\n" for i in range(2000))):
        def cost(md: MarkdownIt) -> float:
            runs = []
            for _ in range(3):
                start = time.process_time()
                md.parse(text)
                runs.append(time.process_time() - start)
            return min(runs)
        assert cost(GUARDED_BLOCKS) < 2 * cost(LIBRARY_BLOCKS)
