"""Engines that need no network: ``none``, ``memory`` and ``pseudo``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .. import markup
from .base import Job


@dataclass
class NoEngine:
    """Translates nothing: catalogs are updated, German falls back to English."""

    name: str = "none"
    external: bool = False
    max_batch: int = 10**9
    max_batch_chars: int = 10**12

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> list[str]:
        return ["" for _ in jobs]


@dataclass
class MemoryEngine:
    """Exact matches from the reviewed entries of every catalog of the language."""

    memory: Mapping[str, str] = field(default_factory=dict)
    name: str = "memory"
    external: bool = False
    max_batch: int = 10**9
    max_batch_chars: int = 10**12

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> list[str]:
        return [self.memory.get(job.text, "") for job in jobs]


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


@dataclass
class PseudoEngine:
    """Deterministic pseudo-localisation that leaves markup, URLs and code untouched."""

    name: str = "pseudo"
    external: bool = False
    max_batch: int = 10**9
    max_batch_chars: int = 10**12

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> list[str]:
        out = []
        for job in jobs:
            protected = markup.protect(job.text)
            xml = _TEXT_NODE.sub(lambda m: pseudo_text(m.group(0)), protected.xml)
            out.append(markup.restore(protected, xml))
        return out
