"""Articles: front matter split from the body, parsed with positions, rewritten in place.

Front-matter values are replaced inside their original lines, so every key that does not
change keeps its bytes (quoting, comments, key order), which keeps German diffs small.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml
from frontmatter.default_handlers import YAMLHandler

from .errors import InputError

_BOUNDARY = YAMLHandler.FM_BOUNDARY
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
    style: str | None  # yaml scalar style: None (plain), '"', "'", '|', '>'; or 'node' for collections


@dataclass(frozen=True)
class Article:
    """A source file split into ``head`` (front matter with its fences) and ``body``."""

    head: str
    body: str
    fields: tuple[Field, ...]

    @property
    def body_line(self) -> int:
        """0-based line offset of the body in the file."""
        return self.head.count("\n")

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def metadata(self) -> dict[str, Any]:
        return {f.key: f.value for f in self.fields}


def parse(text: str, path: Path | None = None) -> Article:
    """Split and parse an article; broken YAML raises :class:`InputError` with its line."""
    if not text.startswith("---"):
        return Article("", text, ())
    first = _BOUNDARY.match(text)
    if first is None:
        return Article("", text, ())
    closing = _BOUNDARY.search(text, first.end())
    if closing is None:
        raise InputError("front matter has no closing '---' line", path=path, line=1)
    end = closing.end()
    if text.startswith("\r\n", end):
        end += 2
    elif text.startswith("\n", end):
        end += 1
    head = text[:end]
    yaml_start = first.end() + 1
    return Article(head, text[end:], _fields(head, yaml_start, closing.start(), path))


def _fields(head: str, start: int, stop: int, path: Path | None) -> tuple[Field, ...]:
    source = head[start:stop]
    offset_line = head.count("\n", 0, start)
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        mark = getattr(e, "problem_mark", None)
        if mark is None or "end of stream" in problem:  # an unclosed quote: where it opened
            mark = getattr(e, "context_mark", None) or mark
        line = offset_line + mark.line + 1 if mark is not None else 1
        raise InputError(f"broken YAML front matter: {problem}", path=path, line=line) from e
    finally:
        loader.dispose()
    if node is None:
        return ()
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        raise InputError("front matter is not a mapping of keys to values", path=path,
                         line=offset_line + 1)
    fields = []
    for key_node, value_node in node.value:
        key = key_node.value
        style = (value_node.style or None) if isinstance(value_node, yaml.ScalarNode) else "node"
        fields.append(Field(key, data.get(key), start + value_node.start_mark.index,
                            start + value_node.end_mark.index,
                            offset_line + key_node.start_mark.line + 1, style))
    return tuple(fields)


def render_value(value: str, style: str | None) -> str:
    """A YAML scalar for ``value`` in the original quoting style where it can hold it.

    >>> render_value('Die "KI"-Wende', '"')
    '"Die \\\\"KI\\\\"-Wende"'
    >>> render_value("Hallo: Welt", None)
    "'Hallo: Welt'"
    """
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style == '"' or style in ("|", ">"):
        dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9)
    else:
        dumped = yaml.safe_dump(value, allow_unicode=True, width=10**9)
    dumped = dumped.rstrip("\n")
    if dumped.endswith("\n..."):
        dumped = dumped[: -len("\n...")]
    return dumped


def rewrite_head(article: Article, values: Mapping[str, str], raw: Mapping[str, str] = {}) -> str:
    """The head with new string ``values`` for existing keys and ``raw`` YAML for others.

    A ``raw`` key that exists has its value replaced; otherwise it is appended as a new line.
    """
    edits = []
    present = {f.key for f in article.fields}
    for f in article.fields:
        if f.key in values:
            if values[f.key] == f.value:
                continue
            text = render_value(values[f.key], f.style if f.style != "node" else None)
        elif f.key in raw:
            text = raw[f.key]
        else:
            continue
        if article.head[f.start:f.end].endswith("\n"):  # block values own their line break
            text += "\n"
        edits.append((f.start, f.end, text))
    new_lines = "".join(f"{k}: {v}\n" for k, v in raw.items() if k not in present)
    if not article.head:
        return "---\n" + new_lines + "---\n" if new_lines else ""
    head = article.head
    for start, end, text in sorted(edits, reverse=True):
        head = head[:start] + text + head[end:]
    if new_lines:
        closing = _BOUNDARY.search(head, _BOUNDARY.match(head).end())
        head = head[: closing.start()] + new_lines + head[closing.start():]
    return head


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
