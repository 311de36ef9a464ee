"""Read PO catalogs with clear errors; write them exactly as GNU ``msgcat`` does.

``dumps`` follows gettext's ``write-po.c`` (page width 79): ``msgcat FILE``
reproduces its output byte for byte.  Strings are wrapped like gettext's
``wrap()``: a new line after each ``\\n``, and long lines broken at the Unicode
line-break opportunities (UAX #14, not only at spaces) that libunistring
computes, measured in display columns.  The break opportunities and character
widths come from libunistring itself, the library msgcat uses, when it can be
loaded (``EXACT_WRAP``); otherwise a fallback breaks after spaces only.

Like msgcat, ``dumps`` drops what gettext does not keep: "fuzzy" on untranslated
entries, obsolete entries without translation, duplicate references, a previous
msgctxt without a previous msgid. One deliberate difference: flags gettext does
not know (a team's own markers) are kept, after the known ones, where msgcat
would drop them; a translator's mark is never lost.

Not mimicked (absent from Markdown catalogs): gettext does not break inside the
format directives of entries flagged ``*-format`` (e.g. ``% d`` with c-format),
and joins a comment line ending in a backslash with the next line.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Sequence

import polib

from l10n.errors import InputError
from l10n.fsutil import read_text

PAGE_WIDTH = 79
_INT_MAX = 2**31 - 1

# libunistring's UC_BREAK_* values.
_UNDEFINED, _PROHIBITED, _POSSIBLE, _MANDATORY, _HYPHENATION, _CR_BEFORE_LF = range(6)

# Format languages in gettext 0.21's order (``format_language[]``): the order of flags.
_FORMATS = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript",
    "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "object-pascal",
    "smalltalk", "qt", "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace",
    "php", "gcc-internal", "gfc-internal", "ycp",
)  # fmt: skip
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v",
            "\\": "\\", '"': '"'}  # fmt: skip


# --------------------------------------------------------------- line breaking


def _load_unistring() -> ctypes.CDLL | None:
    """libunistring, which msgcat uses for line breaking, or None.

    The usual Linux names are tried first: ``find_library`` runs a subprocess.
    """
    for name in ("libunistring.so.5", "libunistring.so.2", None):
        if name is None:
            from ctypes.util import find_library

            name = find_library("unistring")
        if name:
            try:
                return ctypes.CDLL(name)
            except OSError:
                pass
    return None


_LIB = _load_unistring()
EXACT_WRAP = _LIB is not None
"""True when wrapping uses libunistring, as msgcat does, and so matches it exactly."""

if _LIB is not None:
    # The UTF-32 variant gives one value per character (the UTF-8 one, one per byte).
    _lib_breaks = getattr(_LIB, "u32_possible_linebreaks_v2", None) or _LIB.u32_possible_linebreaks
    _lib_breaks.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p]
    _lib_breaks.restype = None
    _LIB.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    _LIB.uc_width.restype = ctypes.c_int


_BUFFER = ctypes.create_string_buffer(4096)


def _possible_breaks(text: str) -> bytearray:
    """UC_BREAK_* before each character of ``text`` (UAX #14 opportunities)."""
    global _BUFFER
    if _LIB is None:  # Fallback: only after spaces.
        return bytearray(_POSSIBLE if i and text[i - 1] == " " != c else _PROHIBITED
                         for i, c in enumerate(text))  # fmt: skip
    if len(text) > len(_BUFFER):
        _BUFFER = ctypes.create_string_buffer(2 * len(text))
    _lib_breaks(text.encode(_UTF32), len(text), b"UTF-8", _BUFFER)
    return bytearray(_BUFFER[:len(text)])  # a char array's slice is bytes


_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"  # the machine's order, no BOM


@lru_cache(maxsize=4096)
def _char_width(c: str) -> int:
    """Display columns of ``c`` (``uc_width``); negative for control characters."""
    if _LIB is not None:
        return _LIB.uc_width(ord(c), b"UTF-8")
    if unicodedata.category(c) in ("Cc",):
        return -1
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def _columns(text: str) -> Sequence[int]:
    """Running display width: ``columns[i]`` is the width of ``text[:i]``."""
    if _NARROW.fullmatch(text):
        return range(len(text) + 1)
    return list(accumulate(map(_columns_of, text), initial=0))


@lru_cache(maxsize=4096)
def _columns_of(c: str) -> int:
    """Columns ``c`` takes in a line: its width, 0 for a control character."""
    return max(_char_width(c), 0)


#: Characters one column wide each (``uc_width``): printable Latin, soft hyphen excepted,
#: typographic quotes, dashes and ellipsis, the euro sign.
_NARROW = re.compile("[\x20-\x7e\xa0-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e\u20ac]*")
#: The :data:`_NARROW` characters a PO string holds as they are: all but the quote and the backslash.
_PLAIN = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e\xa0-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e\u20ac]*")
_OPPORTUNITY = re.compile(b"[\x02\x03\x05]")  # possible, mandatory, CR before LF


def _fit(possible: bytearray, columns: Sequence[int], found: tuple[list[int], Sequence[int]] | None,
         width: int, start: int) -> list[int]:
    """Where to break so that lines fit ``width``: the greedy filling of libunistring's
    ``u8_width_linebreaks``, ``start`` columns being taken on the first line.

    Each line ends at the last opportunity that fits; a piece wider than a line stands
    alone. Found by bisection over the opportunities (``found``, from :func:`_positions`,
    worked out here if None), or for text one column per character, where a column is an
    index, by searching ``possible`` itself (:func:`_fit_narrow`).
    """
    if _MANDATORY in possible or _CR_BEFORE_LF in possible:  # a line break character
        return _fit_walking(possible, columns, width, start)
    if isinstance(columns, range):
        return _fit_narrow(possible, columns[-1], width, start)
    where, at = found if found is not None else _positions(possible, columns)
    breaks: list[int] = []
    total, base, k = columns[-1], -start, 0  # base: the column where the line begins
    while total - base > width and k < len(where):
        j = max(bisect_right(at, base + width, k) - 1, k)
        breaks.append(where[j])
        base, k = at[j], j + 1
    return breaks


def _fit_narrow(possible: bytearray, total: int, width: int, start: int) -> list[int]:
    """:func:`_fit` for text without line-break characters whose every character is one
    column wide: each line ends at the last opportunity that fits, else at the first one."""
    breaks: list[int] = []
    base, low = -start, 0  # base: the column where the line begins; low: the first candidate
    while total - base > width:
        end = base + width + 1
        j = possible.rfind(_POSSIBLE, low, end) if end > low else -1
        if j < 0:
            j = possible.find(_POSSIBLE, low)
            if j < 0:
                break
        breaks.append(j)
        base, low = j, j + 1
    return breaks


def _positions(possible: bytearray, columns: Sequence[int]) -> tuple[list[int], Sequence[int]]:
    """The break opportunities and the column at each."""
    where = [m.start() for m in _OPPORTUNITY.finditer(possible)]
    return where, where if isinstance(columns, range) else [columns[i] for i in where]


def _fit_walking(possible: bytearray, columns: Sequence[int], width: int, start: int) -> list[int]:
    """:func:`_fit` for text with line-break characters (which start a line at column 0):
    a walk over every opportunity."""
    breaks: list[int] = []
    last, last_column, piece, cursor = None, start, 0, 0
    for m in _OPPORTUNITY.finditer(possible):
        i = m.start()
        piece += columns[i] - columns[cursor]
        cursor = i
        if last is not None and last_column + piece > width:  # an atomic piece ends here
            breaks.append(last)
            last_column = 0
        if possible[i] != _POSSIBLE:  # a line break character: column 0 again
            last, last_column, piece, cursor = None, 0, 0, i + 1
        else:
            last, last_column, piece = i, last_column + piece, 0
    piece += columns[-1] - columns[cursor]
    if last is not None and last_column + piece > width:
        breaks.append(last)
    return breaks


@lru_cache(maxsize=8192)
def _wrap(prefix: str, keyword: str, value: str, wrap: bool = True) -> str:
    """The lines (joined) of ``keyword "value"`` as gettext's ``wrap()`` writes them
    (non-indented style).

    Remembered: headings and boilerplate repeat across thousands of catalogs.
    """
    width = (PAGE_WIDTH if wrap else _INT_MAX) - 2 - len(prefix)  # prefix and both quotes
    text, cuts = _layout(keyword, value, width)
    if cuts is None:
        return f'{prefix}{keyword} "{text}"'
    pieces = [text[a:b] for a, b in pairwise((0, *cuts, len(text)))]
    return f'{prefix}{keyword} ""\n{prefix}"' + f'"\n{prefix}"'.join(pieces) + '"'


def _layout(keyword: str, value: str, width: int) -> tuple[str, tuple[int, ...] | None]:
    """``value`` escaped, and where its lines end in ``width`` columns: None when it stays on
    the keyword's line, else the cuts of the lines after an empty ``keyword ""`` line.

    A new line follows each ``\\n``. A string of several lines starts with an empty one, so
    its lines are filled from column 0.
    """
    start = len(keyword) + 1  # columns taken before the opening quote
    if "\n" not in value[:-1]:  # one portion
        text, columns = _measured(value)
        if not text or start + columns[-1] <= width:
            return text, None
        possible = _opportunities(text, value.endswith("\n"))
        found = None if isinstance(columns, range) else _positions(possible, columns)
        breaks = _fit(possible, columns, found, width, 0)
        # Filled from column `start`, a string breaks somewhere if filled from column 0 it
        # does (its first line has less room): that filling is needed only when this has no break.
        if breaks or start > width or _fit(possible, columns, found, width, start):
            return text, tuple(breaks)
        return text, None
    texts: list[str] = []
    cuts: list[int] = []
    offset = 0
    for portion in _PORTION.findall(value):
        text, columns = _measured(portion)
        possible = _opportunities(text, portion.endswith("\n"))
        cuts += [offset + b for b in _fit(possible, columns, None, width, 0)]
        offset += len(text)
        cuts.append(offset)
        texts.append(text)
    return "".join(texts), tuple(cuts[:-1])


_PORTION = re.compile(r"[^\n]*\n|[^\n]+")  # up to and with each "\n"


def _measured(portion: str) -> tuple[str, Sequence[int]]:
    """``portion`` escaped, and its running display width (:func:`_columns`)."""
    if _plain(portion):  # nothing to escape, a column a character
        return portion, range(len(portion) + 1)
    text = _escape(portion)
    return text, _columns(text)


def _plain(text: str) -> bool:
    """Whether :data:`_PLAIN` matches all of ``text``; for ASCII, without a regular expression."""
    if text.isascii():
        return text.isprintable() and '"' not in text and "\\" not in text
    return _PLAIN.fullmatch(text) is not None


def _escape(text: str) -> str:
    return _ESCAPE.sub(_escaped, text)


def _escaped(m: re.Match[str]) -> str:
    return _ESCAPED[m.group(0)]


def _opportunities(text: str, newline: bool) -> bytearray:
    """:func:`_possible_breaks` of an escaped string: never inside an escape sequence, nor
    before the ``\\n`` that ends it (``newline``)."""
    possible = _possible_breaks(text)
    if "\\" in text:
        for m in _ESCAPE_OUT.finditer(text):
            possible[m.start() + 1] = _PROHIBITED
    if newline:
        possible[len(text) - 2] = _PROHIBITED
    return possible


_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_ESCAPED = {c: "\\" + e for c, e in _ESCAPES.items()}
_ESCAPE_OUT = re.compile(r"\\.")


# --------------------------------------------------------------------- writing


def _comment_lines(marker: str, text: str) -> str:
    """``# text`` lines (joined), one per line of ``text`` (not empty); an empty line gives a
    bare marker."""
    return "\n".join([f"{marker} {line}" if line else marker for line in text.split("\n")])


@lru_cache(maxsize=1024)
def _reference_lines(occurrences: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """``#:`` lines: "./" stripped, duplicates dropped, wrapped at 79 bytes like gettext.

    Remembered: every entry of an article has the same reference.
    """
    refs: list[str] = []
    for path, line in occurrences:
        while path.startswith("./"):
            path = path[2:]
        line = str(line) if line is not None else ""
        ref = f"{path}:{int(line)}" if line.isdigit() else f"{path}:{line}" if line else path
        if ref not in refs:
            refs.append(ref)
    if not refs:
        return ()
    lines, current, column = [], "#:", 2
    for ref in refs:
        size = len(ref.encode()) + 1
        if column > 2 and column + size > PAGE_WIDTH:
            lines.append(current)
            current, column = "#:", 2
        current += " " + ref
        column += size
    return (*lines, current)


@lru_cache(maxsize=1024)
def _read_flags(flags: tuple[str, ...]) -> tuple[bool, tuple[str, ...], bool]:
    """(fuzzy, other flags as gettext writes them, no-wrap) from polib flags, like gettext
    reads them. Remembered: a few combinations of flags make every catalog."""
    tokens = iter(t for t in re.split(r"[\n \t\r\f\v,]+", ",".join(flags)) if t)
    fuzzy, formats, span, wrap, unknown = False, {}, None, None, []
    for token in tokens:
        kind, lang = "yes", token.removesuffix("-format")
        for prefix in ("no-", "possible-", "impossible-"):
            if lang.startswith(prefix):
                kind, lang = prefix[:-1], lang[len(prefix):]
                break
        if token == "fuzzy":
            fuzzy = True
        elif token.endswith("-format") and lang in _FORMATS:
            formats[lang] = kind
        elif token == "range:":
            m = re.match(r"(\d+)\.\.(\d+)", next(tokens, ""))
            if m and int(m[1]) <= int(m[2]):
                span = f"range: {int(m[1])}..{int(m[2])}"
        elif token in ("wrap", "no-wrap"):
            wrap = token == "wrap"
        elif not token.endswith("-format") and token not in unknown:
            unknown.append(token)
    out = [f"{'no-' if formats[lang] == 'no' else ''}{lang}-format"
           for lang in _FORMATS if formats.get(lang, "impossible") != "impossible"] if formats else []  # fmt: skip
    out += [span] if span else []
    out += ["no-wrap"] if wrap is False else []
    return fuzzy, tuple(out + unknown), wrap is False


def _msgstrs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(keyword, text) pairs of the translation."""
    if not entry.msgid_plural:
        return [("msgstr", entry.msgstr)]
    plural = entry.msgstr_plural or {0: "", 1: ""}
    return [(f"msgstr[{i}]", plural[i]) for i in sorted(plural)]


def _entry_text(entry: polib.POEntry) -> str:
    """The lines (joined) of one entry, obsolete or not, without the separating blank line."""
    obsolete = bool(entry.obsolete)
    msgstrs = _msgstrs(entry)
    fuzzy, flags, no_wrap = _read_flags(tuple(entry.flags)) if entry.flags else (False, (), False)
    lines = [_comment_lines("#", entry.tcomment)] if entry.tcomment else []
    if entry.comment:
        lines.append(_comment_lines("#.", entry.comment))
    if entry.occurrences:
        lines += _reference_lines(tuple(entry.occurrences))
    if obsolete:  # only "fuzzy" survives, and no-wrap is forgotten
        flags, no_wrap = (("fuzzy",) if fuzzy else ()), False
    elif fuzzy and msgstrs[0][1]:
        flags = ("fuzzy", *flags)
    if flags:
        lines.append("#, " + ", ".join(flags))
    wrap = not no_wrap
    prev_prefix, prefix = ("#~| ", "#~ ") if obsolete else ("#| ", "")
    if entry.previous_msgid is not None:  # PO syntax has no previous msgctxt without a msgid
        for keyword, value in (("msgctxt", entry.previous_msgctxt), ("msgid", entry.previous_msgid),
                               ("msgid_plural", entry.previous_msgid_plural)):  # fmt: skip
            if value is not None:
                lines.append(_wrap(prev_prefix, keyword, value, wrap))
    if entry.msgctxt is not None:
        lines.append(_wrap(prefix, "msgctxt", entry.msgctxt, wrap))
    if entry.msgid is not None:
        lines.append(_wrap(prefix, "msgid", entry.msgid, wrap))
    if entry.msgid_plural:
        lines.append(_wrap(prefix, "msgid_plural", entry.msgid_plural, wrap))
    for keyword, value in msgstrs:
        if value is not None:
            lines.append(_wrap(prefix, keyword, value, wrap))
    return "\n".join(lines)


def _header_entry(po: polib.POFile) -> polib.POEntry | None:
    """The header as an entry (msgid ""), or None when the catalog has no header at all."""
    fuzzy = po.metadata_is_fuzzy
    flags = list(fuzzy) if isinstance(fuzzy, list) else ["fuzzy"] if fuzzy else []
    msgstr = "".join(f"{key}: {value}\n" for key, value in po.metadata.items())
    if not (msgstr or po.header or flags):
        return None
    return polib.POEntry(msgid="", msgstr=msgstr, tcomment=po.header, flags=flags)


def _written(po: polib.POFile) -> list[polib.POEntry]:
    """The entries ``msgcat`` writes, in its order: live ones, then obsolete ones with a translation."""
    return [e for e in po if not e.obsolete] + [e for e in po if e.obsolete and _msgstrs(e)[0][1]]


def dumps(po: polib.POFile) -> str:
    """Serialise ``po`` exactly as ``msgcat`` (width 79) writes it: header, entries, obsolete ones."""
    header = _header_entry(po)
    entries = ([header] if header else []) + _written(po)
    # Each entry has a msgid line; a blank line between entries.
    return "\n\n".join([_entry_text(e) for e in entries]) + "\n" if entries else ""


def same_entries(a: polib.POFile, b: polib.POFile) -> bool:
    """Whether ``a`` and ``b`` hold the same entries, live and obsolete, as :func:`dumps` writes
    them: msgctxt, msgid, msgstr, flags, comments and previous msgid, in the same order.

    The header, references, line numbers and the layout of a file do not count, nor what
    :func:`dumps` drops (an obsolete entry without translation, "fuzzy" on an empty msgstr).
    Comments count by their words: where their lines break is layout (polib wraps comments
    longer than a line; gettext never does).  Cheap: no string is wrapped.
    """
    written_a, written_b = _written(a), _written(b)
    return len(written_a) == len(written_b) and all(
        _contents(x) == _contents(y) for x, y in zip(written_a, written_b))


def _contents(entry: polib.POEntry) -> tuple:
    """What of ``entry`` :func:`dumps` writes, without references and layout."""
    obsolete = bool(entry.obsolete)
    msgstrs = _msgstrs(entry)
    fuzzy, flags, _ = _read_flags(tuple(entry.flags)) if entry.flags else (False, (), False)
    if obsolete:
        flags = ["fuzzy"] if fuzzy else []
    elif fuzzy and msgstrs[0][1]:
        flags = ["fuzzy", *flags]
    previous = (entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural) \
        if entry.previous_msgid is not None else None
    return (obsolete, _words(entry.tcomment), _words(entry.comment), tuple(flags), previous,
            entry.msgctxt, entry.msgid, entry.msgid_plural or None, tuple(msgstrs))


def _words(comment: str | None) -> str:
    return " ".join(comment.split()) if comment else ""


# --------------------------------------------------------------------- reading

_STRING_LINE = re.compile(
    r'(?P<prefix>#~\|?|#\|)?\s*(?:(?P<keyword>msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s*)?(?P<string>".*)'
)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _check_lines(lines: list[str], path: Path | None) -> None:
    """Catch what polib silently accepts: broken strings and a msgid without msgstr."""
    pending = None  # line of a msgid still waiting for its msgstr
    for number, line in enumerate(lines, 1):
        if '"' not in line:
            continue
        m = _STRING_LINE.fullmatch(line.strip())
        if m is None:
            continue
        if not _STRING.fullmatch(m["string"]):
            raise InputError("unterminated string or stray quote", path=path, line=number)
        keyword = m["keyword"] or ""
        if m["prefix"] not in (None, "#~") or not keyword:
            continue
        if keyword in ("msgctxt", "msgid") and pending:
            raise InputError("msgid without msgstr", path=path, line=pending)
        pending = number if keyword == "msgid" else None if keyword.startswith("msgstr") else pending
    if pending:
        raise InputError("msgid without msgstr at end of file (truncated?)", path=path, line=pending)


_OBSOLETE_PREVIOUS = re.compile(r"^(\s*)#~\|")

# -- the fast path: files in gettext's own layout -------------------------------------
#
# Catalogs written by us, msgcat, msgmerge or a PO editor keeping gettext's layout use a
# handful of line shapes. Those are read here, several times faster than polib's general
# state machine and with the same result (a property test holds the two together);
# anything else (header comments, odd spacing, "#~|" lines) goes to polib.

_KEYWORD = re.compile(r'(#~ |#\| )?(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d)\])?)? ?"((?:[^"\\]|\\.)*)"')
_UNESCAPE = re.compile(r'\\(\\|n|t|r|v|b|f|")')
_UNESCAPED = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "b": "\b", "f": "\f", "\\": "\\", '"': '"'}


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], text) if "\\" in text else text


def _parse_gettext_layout(lines: list[str]) -> polib.POFile | None:
    """The catalog, when every line has one of gettext's shapes; else None."""
    po = polib.POFile(wrapwidth=PAGE_WIDTH)
    entry: polib.POEntry | None = None
    field: str | None = None  # the string field continuation lines extend
    plural = 0  # the index of the msgstr[n] a "plural" field extends
    read = 0  # the number of the last line read (a string's continuation lines are read with it)
    for number, line in enumerate(lines, 1):
        if number <= read or not line:
            continue
        kind = line[:2]
        if kind in _COMMENTS:
            if entry is None or field in ("msgstr", "plural"):  # a new entry starts here
                if entry is None and kind == "# ":
                    return None  # header comments: polib's rules
                entry, field = _new(po, number), None
            elif field is not None:
                return None  # a comment inside an entry's strings: polib's rules (an error)
            if kind == "#.":
                text = line[3:]
                entry.comment = entry.comment + "\n" + text if entry.comment else text
                if text != text.strip():
                    return None
            elif kind == "#:":
                for ref in line[3:].split():
                    fil, _, num = ref.rpartition(":")
                    entry.occurrences.append((fil, num) if fil and num.isdigit() else (ref, ""))
            elif kind == "#,":
                entry.flags += [f.strip() for f in line[3:].split(",")]
            else:
                entry.tcomment = entry.tcomment + "\n" + line[2:] if entry.tcomment else line[2:]
                if line != line.strip() or entry.tcomment.startswith(" "):
                    return None
            continue
        parsed = _string_line(line)  # a well-formed string, or polib's path says what is wrong
        if parsed is None:
            return None
        prefix, keyword, index, value = parsed
        if keyword is None:  # a continuation line apart from its keyword's line
            if entry is None or field is None or (prefix or "") != _prefix_of(entry, field):
                return None
            _extend(entry, field, plural, value)
            continue
        opening = _OPENING[prefix]  # the field's continuation lines, read with it
        if number < len(lines) and lines[number].startswith(opening):  # lines[number]: the next line
            value, read = _continued(lines, number, opening, value)
        if prefix == "#| ":
            if entry is None or field in ("msgstr", "plural"):
                entry, field = _new(po, number), None
            if keyword.startswith("msgstr"):
                return None
            setattr(entry, f"previous_{keyword}", value)
            field = f"previous_{keyword}"
            continue
        if keyword in ("msgctxt", "msgid"):
            if entry is None or field in ("msgstr", "plural"):  # the last entry is complete
                entry, field = _new(po, number), None
            elif not (field is None or field.startswith("previous")
                      or (keyword == "msgid" and field == "msgctxt")):
                return None
            entry.obsolete = prefix == "#~ "
        else:  # msgid_plural, msgstr, msgstr[n] continue the entry
            allowed = ("msgid",) if keyword == "msgid_plural" else \
                ("msgid", "msgid_plural") if index is None else ("msgid", "msgid_plural", "plural")
            if entry is None or field not in allowed or bool(entry.obsolete) != (prefix == "#~ "):
                return None
        if index is not None:
            plural = int(index)
            entry.msgstr_plural[plural] = value
            field = "plural"
        else:
            setattr(entry, keyword, value)
            field = keyword
    if entry is not None and field not in ("msgstr", "plural"):
        return None  # a file ending inside an entry: polib says what is wrong
    if any(e.msgid == "" for e in po[1:]):
        return None  # a header that is not first: polib's rules
    if po and po[0].msgid == "" and not po[0].msgctxt:
        header = po[0]
        po.remove(header)
        po.metadata_is_fuzzy = header.flags
        key = None
        for msg in header.msgstr.splitlines():
            k, sep, val = msg.partition(":")
            if sep:
                key = k
                po.metadata[key] = val.strip()
            elif key is not None:
                po.metadata[key] += "\n" + msg.strip()
    return po


_COMMENTS = frozenset(("#", "# ", "#.", "#:", "#,"))  # the comment lines read here: line[:2]
_PREFIXES = ("#~ ", "#| ")
_OPENING = {None: '"', "#~ ": '#~ "', "#| ": '#| "'}  # how a continuation line begins
_BODY = re.compile(r'(?:[^"\\]|\\.)*')


def _string_line(line: str) -> tuple[str | None, str | None, str | None, str] | None:
    """``(prefix, keyword, plural index, value)`` of a string line, or None.

    Plain string operations for the common shapes; the regular expression only for the rest.
    """
    prefix = None
    if line[:3] in _PREFIXES:
        prefix, line = line[:3], line[3:]
    if line[:1] == '"':
        keyword, body = None, line
    else:
        keyword, _, body = line.partition(" ")
        if keyword not in ("msgid", "msgstr", "msgctxt", "msgid_plural"):
            m = _KEYWORD.fullmatch((prefix or "") + line)
            return (*m.groups()[:3], _unescape(m.group(4))) if m else None
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        return None
    inner = body[1:-1]
    if ('"' in inner or "\\" in inner) and not _BODY.fullmatch(inner):
        return None
    return prefix, keyword, None, _unescape(inner)


def _continued(lines: list[str], i: int, opening: str, value: str) -> tuple[str, int]:
    """``value`` with the lines from ``lines[i]`` on that continue it (well-formed strings
    beginning with ``opening``), and the number of the last of them (``lines[i]`` is line
    ``i + 1``): the lines :func:`_parse_gettext_layout` would add one at a time."""
    cut, end, size = len(opening), i, len(lines)
    pieces = []
    while end < size:  # by index: islice(lines, i) would step over the first i lines
        line = lines[end]
        inner = line[cut:-1]
        if not line.startswith(opening) or line[-1] != '"' or len(line) == cut or \
                (('"' in inner or "\\" in inner) and not _BODY.fullmatch(inner)):
            break  # the field's end, or not a well-formed string: the loop says what is wrong
        pieces.append(inner)
        end += 1
    # Each line holds whole escape sequences: unescaping them together is unescaping each.
    return value + _unescape("".join(pieces)), end


def _new(po: polib.POFile, number: int) -> polib.POEntry:
    entry = polib.POEntry()  # then assigned: polib's keyword constructor is dear
    entry.linenum = number
    po.append(entry)
    return entry


def _prefix_of(entry: polib.POEntry, field: str) -> str:
    if field.startswith("previous"):
        return "#| "
    return "#~ " if entry.obsolete else ""


def _extend(entry: polib.POEntry, field: str, plural: int, value: str) -> None:
    if field == "plural":
        entry.msgstr_plural[plural] += value
    else:
        setattr(entry, field, getattr(entry, field) + value)


def _check_duplicates(po: polib.POFile, lines: list[str], path: Path | None) -> None:
    """msgfmt's "duplicate message definition": two live entries with one msgctxt and msgid.

    Both places are named by their ``msgid`` line.
    """
    first: dict[tuple[str | None, str], int] = {}
    for entry in po:
        if entry.obsolete:
            continue
        key = (entry.msgctxt, entry.msgid)
        if key not in first:
            first[key] = entry.linenum or 1
            continue
        line = _msgid_line(lines, first[key])
        where = f"{path}:{line}" if path is not None else f"line {line}"
        raise InputError(f"duplicate message definition...; {where}: "
                         "...this is the location of the first definition",
                         path=path, line=_msgid_line(lines, entry.linenum or 1))


def _msgid_line(lines: list[str], start: int) -> int:
    """The number of the first ``msgid`` line from line ``start`` (where an entry begins) on."""
    for number in range(start, len(lines) + 1):
        if lines[number - 1].lstrip().startswith("msgid"):
            return number
    return start


_NEWLINE = re.compile(r"\r\n|\r|\n")


def loads(text: str, path: Path | None = None) -> polib.POFile:
    """Parse PO ``text``; ``path`` only names it in errors.  Raises ``InputError``.

    Beyond what polib checks: broken strings, a msgid without msgstr, and two live entries
    with the same msgctxt and msgid (msgfmt's "duplicate message definition").
    """
    text = text.removeprefix("\ufeff")
    lines = _NEWLINE.split(text) if "\r" in text else text.split("\n")
    po = _parse_gettext_layout(lines)
    if po is not None:
        _check_duplicates(po, lines, path)
        po.fpath = str(path) if path is not None else None
        return po
    _check_lines(lines, path)
    po = _parse_with_polib(lines, path)
    _check_duplicates(po, lines, path)
    po.fpath = str(path) if path is not None else None
    return po


def _parse_with_polib(lines: list[str], path: Path | None = None) -> polib.POFile:
    """Parse ``lines`` with polib's general reader, through its public ``polib.pofile``.

    polib is handed a temporary file, not the text: it splits a string at every character
    ``str.splitlines`` knows (U+2028, U+0085 ...), which are text inside a PO string, and it
    opens a string that happens to name an existing file. A file is read by lines like gettext.
    """
    # polib skips "#~|" lines; read them as "#|" so obsolete entries keep their previous msgid.
    text = "\n".join(_OBSOLETE_PREVIOUS.sub(r"\1#|", line) if "#~|" in line else line for line in lines)
    fd, name = tempfile.mkstemp(suffix=".po", prefix="l10n-")
    try:
        with open(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return polib.pofile(name, encoding="utf-8", wrapwidth=PAGE_WIDTH)
    except OSError as e:  # polib: "Syntax error in po file X(line N): detail"
        m = re.search(r"\(line (\d+)\)(?::\s*(.*))?", str(e))
        if m is None:
            raise InputError(f"cannot parse: {e}", path=path) from e
        raise InputError("PO syntax error" + (f": {m[2]}" if m[2] else ""), path=path,
                         line=int(m[1])) from e
    finally:
        os.unlink(name)


def load(path: Path) -> polib.POFile:
    """Read the UTF-8 PO file at ``path``.  Raises ``InputError`` with the path and line."""
    return loads(read_text(path), path)
