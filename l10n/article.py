"""Articles: front matter split from the body, parsed with positions, rewritten in place.

Front-matter values are replaced inside their original lines, so every key that does not
change keeps its bytes (quoting, comments, key order), which keeps German diffs small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import yaml

from .errors import InputError

#: A fence of the front matter: a line of three or more dashes (python-frontmatter's rule).
_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)
#: The byte order mark some editors put at the start of a UTF-8 file.
BOM = "\ufeff"
#: A node's properties (anchor, tag), each followed by white space.
_PROPERTY = re.compile(r"(&[0-9A-Za-z_-]+|![^\s,\[\]{}]*)\s*")
#: From the end of a key to its value when that is an alias: ``: *name``.
_ALIAS = re.compile(r"\s*:(?:\s|#[^\n]*)*(\*[^\s,\[\]{}]+)")
# libyaml's parser when PyYAML has it: the same nodes and marks, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Field:
    """A top-level front-matter key: its value, the value's span in the head, and its style."""

    key: str
    value: Any
    start: int
    end: int
    line: int  # 1-based line of the key in the file
    style: str | None  # yaml scalar style: None (plain), '"', "'", '|', '>'; 'node' for collections,
    #                    'alias' for an alias (``*name``: start and end span the alias)
    anchor: str = ""  # the value's anchor (``&name``), kept when the value is rewritten


@dataclass(frozen=True)
class Article:
    """A source file split into ``head`` (front matter with its fences) and ``body``.

    ``head + body`` is the file. A byte order mark belongs to the head, which is then the
    mark alone when there is no front matter.
    """

    head: str
    body: str
    fields: tuple[Field, ...]
    flow: bool = False  # the front matter is a flow mapping (``{title: x}``), not a block one

    @property
    def bom(self) -> str:
        """The byte order mark the file starts with, or ''."""
        return BOM if self.head.startswith(BOM) else ""

    @property
    def has_front_matter(self) -> bool:
        """True when the file has a front-matter block (possibly empty), not only a BOM."""
        return len(self.head) > len(self.bom)

    @property
    def body_line(self) -> int:
        """0-based line offset of the body in the file."""
        return self.head.count("\n")

    @property
    def metadata(self) -> dict[str, Any]:
        return {f.key: f.value for f in self.fields}


def parse(text: str, path: Path | None = None) -> Article:
    """Split and parse an article; broken YAML raises :class:`InputError` with its line.

    A byte order mark before the front matter is kept in the head.
    """
    bom = BOM if text.startswith(BOM) else ""
    rest = text[len(bom):] if bom else text
    first = _BOUNDARY.match(rest) if rest.startswith("---") else None
    if first is None:
        return Article(bom, rest, ())
    closing = _BOUNDARY.search(rest, first.end())
    if closing is None:
        raise InputError("front matter has no closing '---' line", path=path, line=1)
    end = closing.end()
    if rest.startswith("\r\n", end):
        end += 2
    elif rest.startswith("\n", end):
        end += 1
    head = bom + rest[:end]
    yaml_start = len(bom) + first.end() + 1
    return Article(head, rest[end:], *_fields(head, yaml_start, len(bom) + closing.start(), path))


def _fields(head: str, start: int, stop: int, path: Path | None) -> tuple[tuple[Field, ...], bool]:
    """The fields of the front matter, and whether it is a flow mapping."""
    source = head[start:stop]
    offset_line = head.count("\n", 0, start)
    loader = _Loader(source)
    try:
        node = _compose(loader, offset_line, path)
        if node is None:
            return (), False
        data = None
        if isinstance(node, yaml.MappingNode):
            try:
                data = loader.construct_document(node)
            except Exception as e:  # noqa: BLE001 - constructors raise ValueError, TypeError... too
                raise _unreadable(source, offset_line, path, e) from None
        if not isinstance(data, dict):  # a list, a scalar, a !!set
            raise InputError("front matter is not a mapping of keys to values", path=path,
                             line=offset_line + 1)
    finally:
        loader.dispose()
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        line = offset_line + key_node.start_mark.line + 1
        if key_node.value in seen:
            raise InputError(f"front matter key {key_node.value!r} is given twice (first at line "
                             f"{seen[key_node.value]}): keep one", path=path, line=line)
        seen[key_node.value] = line
    return tuple(_field(source, start, offset_line, key_node, value_node, data, path)
                 for key_node, value_node in node.value), bool(node.flow_style)


def _compose(loader: Any, offset_line: int, path: Path | None) -> yaml.Node | None:
    """The document's node; a syntax error raises :class:`InputError` at its line."""
    try:
        return loader.get_single_node()
    except yaml.YAMLError as e:
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        mark = getattr(e, "problem_mark", None)
        if mark is None or "end of stream" in problem:  # an unclosed quote: where it opened
            mark = getattr(e, "context_mark", None) or mark
        line = offset_line + mark.line + 1 if mark is not None else 1
        raise InputError(f"broken YAML front matter: {problem}", path=path, line=line) from e
    except RecursionError:
        raise InputError("front matter is nested too deeply", path=path, line=offset_line + 1) from None


def _field(source: str, start: int, offset_line: int, key_node: yaml.Node, value_node: yaml.Node,
           data: dict, path: Path | None) -> Field:
    """A top-level key; an alias's value node is its anchor's, earlier in the text."""
    key = key_node.value
    line = offset_line + key_node.start_mark.line + 1
    if value_node.start_mark.index < key_node.end_mark.index:
        alias = _ALIAS.match(source, key_node.end_mark.index)
        if alias is None:
            raise InputError(f"front matter key {key!r}: cannot find its alias", path=path, line=line)
        return Field(key, data.get(key), start + alias.start(1), start + alias.end(1), line, "alias")
    style = (value_node.style or None) if isinstance(value_node, yaml.ScalarNode) else "node"
    return Field(key, data.get(key), start + value_node.start_mark.index, start + value_node.end_mark.index,
                 line, style, _anchor(source, value_node.start_mark.index, value_node.end_mark.index))


def _anchor(source: str, pos: int, end: int) -> str:
    """The ``&name`` among the properties that open the node at ``source[pos:end]``, or ''."""
    anchor = ""
    while (m := _PROPERTY.match(source, pos, end)) is not None:
        anchor = m.group(1) if m.group(1).startswith("&") else anchor
        pos = m.end()
    return anchor


def _unreadable(source: str, offset_line: int, path: Path | None, error: Exception) -> InputError:
    """The error for a value YAML cannot construct (``2026-02-30``, ``!!int "abc"``), at its key's line."""
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        for key_node, value_node in node.value:
            try:
                loader.construct_object(key_node, deep=True)
                loader.construct_object(value_node, deep=True)
            except Exception as e:  # noqa: BLE001 - as in _fields
                text = source[value_node.start_mark.index:value_node.end_mark.index].strip()
                text = " ".join(text.split())
                shown = text if len(text) <= 40 else text[:37] + "..."
                return InputError(f"front matter {key_node.value!r}: cannot read {shown} ({_reason(e)})",
                                  path=path, line=offset_line + key_node.start_mark.line + 1)
    finally:
        loader.dispose()
    mark = getattr(error, "problem_mark", None)
    return InputError(f"front matter cannot be read: {_reason(error)}", path=path,
                      line=offset_line + (mark.line if mark is not None else 0) + 1)


def _reason(error: Exception) -> str:
    """An exception's message on one line."""
    text = getattr(error, "problem", None) or str(error) or type(error).__name__
    return " ".join(text.split())


@lru_cache(maxsize=16384)
def render_value(value: str, style: str | None) -> str:
    """A YAML scalar for ``value`` in the original quoting style where it can hold it.

    >>> render_value('Die "KI"-Wende', '"')
    '"Die \\\\"KI\\\\"-Wende"'
    >>> render_value("Hallo: Welt", None)
    "'Hallo: Welt'"
    """
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style in ('"', "|", ">") and _DOUBLE_QUOTED.fullmatch(value):
        return '"' + value + '"'  # what the emitter writes for text it need not escape
    if style is None and _PLAIN.fullmatch(value) and _resolves_to_text(value):
        return value  # what the emitter writes for text it can leave plain
    if style == '"' or style in ("|", ">"):
        dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9)
    else:
        dumped = yaml.safe_dump(value, allow_unicode=True, width=10**9)
    dumped = dumped.rstrip("\n")
    if dumped.endswith("\n..."):
        dumped = dumped[: -len("\n...")]
    return dumped


#: Text YAML's emitter writes as it is between double quotes (PyYAML ``write_double_quoted``
#: with ``allow_unicode``): printable, and none of ``"``, ``\\``, U+2028, U+2029, U+FEFF;
#: a property test holds it to the emitter. A raw string, so that the escapes of ``[`` and
#: ``]`` reach the pattern (unescaped, ``]`` would end the class early).
_DOUBLE_QUOTED = re.compile(r'[\x20\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*')
#: Text YAML's emitter writes plain, and a block mapping reads back whole, when it also
#: resolves to a string (:func:`_resolves_to_text`): an ASCII letter, then printable
#: characters but line breaks, where a space is followed by a character that is neither
#: white space nor ``#``, and ``:`` by one that is not white space. A subset of what the
#: emitter writes plain (``analyze_scalar``); a property test holds it to the emitter.
_PLAIN = re.compile(r"[A-Za-z](?:[^\s:\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\U0010ffff]"
                    r"|:(?=[^\s])| (?=[^\s#]))*")
#: The resolver of YAML's safe emitter, which writes plain only what reads back as the same type.
_RESOLVER = yaml.SafeDumper(None)


def _resolves_to_text(value: str) -> bool:
    """Whether plain ``value`` is a string to YAML (not ``yes``, ``null``, ``12``, a date)."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _RESOLVER.DEFAULT_SCALAR_TAG


def rewrite_head(article: Article, values: Mapping[str, str], raw: Mapping[str, str] = {}) -> str:
    """The head with new string ``values`` for existing keys and ``raw`` YAML for others.

    A ``raw`` key that exists has its value replaced; otherwise it is appended as a new line.
    An article without front matter gets none: its head (empty, or a byte order mark) stays.

    Anchors and aliases: a rewritten anchored value keeps its ``&name`` before the new
    value, so aliases of it still resolve, to the new value; an alias (``*name``) given a
    value other than the one it will resolve to is replaced by that value, so that key
    alone changes. A key and its alias given the same translation stay anchor and alias.
    """
    if not article.has_front_matter:
        return article.head
    newline = _newline(article.head)
    edits = []
    present = {f.key for f in article.fields}
    for f, text in _rewritten(article, values, raw):
        if f.anchor:
            text = f"{f.anchor} {text}"
        if article.head[f.start:f.end].endswith("\n"):  # block values own their line break
            text += newline
        edits.append((f.start, f.end, text))
    new_lines = "".join(f"{k}: {v}{newline}" for k, v in raw.items() if k not in present)
    if new_lines:
        edits.append((_closing(article), _closing(article), new_lines))
    head = article.head
    for start, end, text in sorted(edits, reverse=True):
        head = head[:start] + text + head[end:]
    return head


def _rewritten(article: Article, values: Mapping[str, str], raw: Mapping[str, str]) -> Iterator[tuple[Field, str]]:
    """The fields :func:`rewrite_head` gives new text, each with that text (without its
    anchor and line break)."""
    for f in article.fields:
        if f.key in values:
            if values[f.key] != _resolved(article, f, values, raw):
                yield f, render_value(values[f.key], f.style if f.style not in ("node", "alias") else None)
        elif f.key in raw:
            yield f, raw[f.key]


def keeps_keys(article: Article, values: Mapping[str, str], raw: Mapping[str, str] = {}) -> bool:
    """True when the head :func:`rewrite_head` writes surely parses with the article's keys,
    as they were; False when only parsing it can tell.

    Sure when it adds no ``raw`` YAML, and writes each new value over the text of a scalar
    (not where an empty value is only implied) that has no anchor (so no alias, and no key,
    names it), as one scalar on one line that YAML reads whole: double-quoted without
    escapes, or in a block mapping plain (:data:`_PLAIN`: a letter first, and no ``: ``,
    `` #`` or line break). Such a scalar ends at its closing quote, or at its line's end or
    comment, so every other node, and every key, reads as before. A property test holds
    this to the parser.
    """
    return not raw and all(f.style in _SCALAR_STYLES and f.end > f.start and not f.anchor
                           and _one_scalar(text, article.flow) for f, text in _rewritten(article, values, raw))


_SCALAR_STYLES = (None, '"', "'", "|", ">")


def _one_scalar(text: str, flow: bool) -> bool:
    """Whether YAML reads ``text`` as one scalar, whole, as a value of a mapping in block
    style (or in flow style when ``flow``); see :func:`keeps_keys`."""
    if len(text) > 1 and text[0] == text[-1] == '"':
        return _DOUBLE_QUOTED.fullmatch(text, 1, len(text) - 1) is not None
    return not flow and _PLAIN.fullmatch(text) is not None


def _newline(head: str) -> str:
    r"""The line ending of a head (its first line's): added lines end the same way.

    >>> _newline("---\r\ntitle: x\r\n---\r\n"), _newline("---\ntitle: x\n---\n")
    ('\r\n', '\n')
    """
    first = head.find("\n")
    return "\r\n" if first > 0 and head[first - 1] == "\r" else "\n"


def _resolved(article: Article, field: Field, values: Mapping[str, str], raw: Mapping[str, str]) -> Any:
    """The value ``field`` will have in the rewritten head if its own text stays.

    That is its value, unless it is an alias of an anchored key that gets a new value.
    """
    if field.style != "alias":
        return field.value
    anchor = "&" + article.head[field.start + 1:field.end]
    source = next((f for f in reversed(article.fields) if f.anchor == anchor and f.start < field.start), None)
    if source is None or source.key not in values and source.key not in raw:
        return field.value
    return values[source.key] if source.key in values else object()  # raw YAML: unknown value


def _closing(article: Article) -> int:
    """Where the closing fence of the front matter starts in the head."""
    skip = len(article.bom)
    front = article.head[skip:]
    return skip + _BOUNDARY.search(front, _BOUNDARY.match(front).end()).start()


#: Values of an embargo key that clearly say no (compared without case and outer blanks).
_FALSE = frozenset({"false", "no", "off", "0"})


def embargoed(metadata: Mapping[str, Any], keys: Sequence[str]) -> bool:
    """True unless every embargo key is absent or clearly false: fail closed.

    Clearly false: ``None`` (absent or empty), ``False``, the number 0, and the strings
    false, no, off and 0 in any case. Anything else embargoes: ``True``, 1, "yes", "true",
    an unknown string (also ""), a date, a list. A single string is one key.

    >>> embargoed({"draft": False}, ["draft"]), embargoed({"draft": " No "}, ["draft"])
    (False, False)
    >>> embargoed({"draft": "maybe"}, ["draft"]), embargoed({"draft": 1}, "draft")
    (True, True)
    """
    if isinstance(keys, str):
        keys = (keys,)
    return not all(_clearly_false(metadata.get(key)) for key in keys)


def _clearly_false(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _FALSE
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 0
    return False
