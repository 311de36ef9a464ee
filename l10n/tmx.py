"""TMX 1.4b, the translation-memory format CAT tools and agencies exchange: write and read.

Pure functions over bytes, with the standard library's XML: :func:`dumps` writes one
translation unit (``<tu>``) per pair, source and target each a ``<tuv xml:lang>`` with its
``<seg>``; :func:`loads` reads the pairs of one language direction from any TMX 1.1-1.4
file, and invalid XML is one :class:`~l10n.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from xml.parsers.expat import ErrorString

from .errors import InputError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The property that records where an imported pair came from.
ORIGIN = "x-l10n-origin"
#: Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Unit:
    """One translation pair: ``source`` in the source language, ``target`` in ``lang``."""

    source: str
    target: str
    lang: str
    origin: str | None = None  # where an imported pair came from (a file name)


def tmx_lang(code: str) -> str:
    """A babel code as TMX writes languages (RFC 3066).

    >>> tmx_lang("pt_BR")
    'pt-BR'
    """
    return code.replace("_", "-")


def matches(found: str, wanted: str) -> bool:
    """Whether a ``xml:lang`` of a file is the language ``wanted`` (a babel code): the same
    code in any case, or a regional variant of a language without region.

    >>> [matches(x, "de") for x in ("de", "DE-de", "de-AT", "fr")]
    [True, True, True, False]
    >>> [matches(x, "pt_BR") for x in ("pt-br", "pt", "pt-PT")]
    [True, False, False]
    """
    found, wanted = tmx_lang(found).lower(), tmx_lang(wanted).lower()
    return found == wanted or ("-" not in wanted and found.split("-")[0] == wanted)


def writable(unit: Unit) -> bool:
    """Whether XML can hold the pair (no control characters but tab and line breaks)."""
    return not (_NOT_XML.search(unit.source) or _NOT_XML.search(unit.target))


def dumps(units: Iterable[Unit], source_lang: str, tool_version: str = "") -> bytes:
    """TMX 1.4b of ``units`` (each must be :func:`writable`), UTF-8, as CAT tools read it."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(root, "header", {
        "creationtool": "l10n", "creationtoolversion": tool_version or "unknown",
        "datatype": "plaintext", "segtype": "block", "adminlang": "en",
        "srclang": tmx_lang(source_lang), "o-tmf": "PO"})
    body = ET.SubElement(root, "body")
    for unit in units:
        tu = ET.SubElement(body, "tu")
        if unit.origin:
            ET.SubElement(tu, "prop", type=ORIGIN).text = unit.origin
        for lang, text in ((source_lang, unit.source), (unit.lang, unit.target)):
            tuv = ET.SubElement(tu, "tuv", {XML_LANG: tmx_lang(lang)})
            ET.SubElement(tuv, "seg").text = text
    ET.indent(root)
    xml = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
            + xml + "\n").encode("utf-8")


def loads(data: bytes, source_lang: str, langs: Iterable[str], path: Path | None = None) -> list[Unit]:
    """The pairs from ``source_lang`` to each of ``langs`` in a TMX file, in its order.

    A ``<tu>`` gives one pair per target language it has a non-empty ``<seg>`` for; the
    text of a segment is all of its text, inline codes (``<bpt>``, ``<ph>`` ...) included,
    as they hold the original's markup. Raises :class:`InputError` for what is not TMX.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        line, column = e.position
        raise InputError(f"not valid XML: {ErrorString(e.code)} (column {column + 1})",
                         path=path, line=line) from e
    if root.tag != "tmx" or root.find("body") is None:
        raise InputError(f"not a TMX file: the document is <{root.tag}>, expected <tmx> with a <body>",
                         path=path, line=1)
    langs = list(langs)
    units: list[Unit] = []
    for tu in root.iter("tu"):
        origin = next((p.text for p in tu.findall("prop") if p.get("type") == ORIGIN and p.text), None)
        segs: list[tuple[str, str]] = []
        for tuv in tu.findall("tuv"):
            lang, seg = tuv.get(XML_LANG) or tuv.get("lang"), tuv.find("seg")
            if lang and seg is not None:
                segs.append((lang, "".join(seg.itertext())))
        source = next((text for lang, text in segs if matches(lang, source_lang)), None)
        if not source:
            continue
        for want in langs:
            target = next((text for lang, text in segs if matches(lang, want)), None)
            if target:
                units.append(Unit(source, target, want, origin))
    return units
