"""Engines that need no network: ``none``, ``memory`` and ``pseudo``."""

from __future__ import annotations

import re
from typing import Sequence

from .. import markup
from .base import Job


class LocalEngine:
    """An engine on this machine: no limits per call, nothing leaves the machine.

    The workflow fills every engine's gaps from the language's memory first (reviewed
    translations of the same text anywhere); what a local engine adds comes after that.
    """

    name = "none"
    external = False
    max_batch = 10**9
    max_batch_chars = 10**12

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> list[str]:
        return ["" for _ in jobs]


class NoEngine(LocalEngine):
    """Translates nothing: catalogs are updated, German falls back to English."""


class MemoryEngine(LocalEngine):
    """Exact matches from the reviewed entries of every catalog of the language, and nothing
    else (the workflow's memory step is all it does)."""

    name = "memory"


_ACCENTS = str.maketrans(
    "aeiouyAEIOUYcCnNsSzZ",
    "äéîöüÿÄÉÎÖÜŸçÇñÑšŠžŽ",
)
_WORD = re.compile(r"[A-Za-z]+")
_ENTITY = re.compile(r"&[#A-Za-z0-9]+;")


def pseudo_text(text: str) -> str:
    """Pseudo-localise plain text: accented letters and about 30% more length.

    >>> pseudo_text("Open models")
    'Öpéñ~ mödéls~~'
    """
    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        return w.translate(_ACCENTS) + "~" * ((len(w) * 3 + 5) // 10)

    out, pos = [], 0
    for m in _ENTITY.finditer(text):
        out.append(_WORD.sub(word, text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_WORD.sub(word, text[pos:]))
    return "".join(out)


_TEXT_NODE = re.compile(r"(?<=>)[^<]+|^[^<]+")


class PseudoEngine(LocalEngine):
    """Deterministic pseudo-localisation that leaves markup, URLs and code untouched."""

    name = "pseudo"

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> list[str]:
        out = []
        for job in jobs:
            protected = markup.protect(job.text)
            xml = _TEXT_NODE.sub(lambda m: pseudo_text(m.group(0)), protected.xml)
            out.append(markup.restore(protected, xml))
        return out
