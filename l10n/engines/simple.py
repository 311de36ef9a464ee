"""Engines that need no network: ``none``, ``memory`` and ``pseudo``."""

from __future__ import annotations

import re
from typing import Collection, Sequence

from .. import markup
from .base import BatchResult, Job


class LocalEngine:
    """An engine on this machine: no limits per call, nothing leaves the machine.

    The workflow fills every engine's gaps from the language's memory first (reviewed
    translations of the same text anywhere); what a local engine adds comes after that.
    """

    name = "none"
    external = False
    max_batch = 10**9
    max_batch_chars = 10**12

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> BatchResult:
        return BatchResult.of(["" for _ in jobs])


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
#: A run of word characters: letters, digits and the underscores of ``snake_case``.
_WORD = re.compile(r"\w+")
_ENTITY = re.compile(r"&[#A-Za-z0-9]+;")
#: The padding: a modifier letter, so a padded word is still one word to every parser
#: (``~`` would be strikethrough markup, and it split words).
PAD = "\u02d0"


def pseudo_text(text: str) -> str:
    """Pseudo-localise plain text: accented letters and about 30% more length, added after
    each whole word so that no word is split.

    >>> pseudo_text("Open models use snake_case_name")
    'Öpéñː mödélšːː üšéː šñäké_çäšé_ñäméːːːːː'
    """
    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if not any(c.isalpha() for c in w):
            return w  # numbers stay as they are
        return w.translate(_ACCENTS) + PAD * ((len(w) * 3 + 5) // 10)

    out, pos = [], 0
    for m in _ENTITY.finditer(text):
        out.append(_WORD.sub(word, text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_WORD.sub(word, text[pos:]))
    return "".join(out)


class PseudoEngine(LocalEngine):
    """Deterministic pseudo-localisation that leaves markup, URLs and code untouched.

    A draft that the markup check would refuse is replaced by the source text, so a site
    translated by this engine always passes ``l10n check``.
    """

    name = "pseudo"

    def __init__(self, shortcode_text: Collection[str] = markup.SHORTCODE_TEXT) -> None:
        self.shortcode_text = tuple(shortcode_text)

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> BatchResult:
        return BatchResult.of([self.draft(job.text, self.shortcode_text) for job in jobs])

    @staticmethod
    def draft(text: str, shortcode_text: Collection[str] = markup.SHORTCODE_TEXT) -> str:
        """The pseudo-localised text, link and image titles and the shortcode parameters
        ``shortcode_text`` included; the text itself where the draft would be refused."""
        protected = markup.protect(text, shortcode_text=shortcode_text)
        draft = markup.restore(protected, _pseudo_xml(protected.xml))
        return draft if not markup.check(text, draft, shortcode_text=shortcode_text) else text


_TAG_OR_BRACKET = re.compile(r"(<[^>]*>|\\?[\[\]])")


def _pseudo_xml(xml: str) -> str:
    """Pseudo-localise the text nodes of protected XML, except text in literal brackets:
    ``[label]`` may be a reference the article defines elsewhere, and its label must stay.

    >>> _pseudo_xml('See [Model Card] and <em>more</em>')
    'Šééː [Model Card] äñdː <em>möréː</em>'
    """
    out, depth = [], 0
    for part in _TAG_OR_BRACKET.split(xml):
        if part.startswith("<"):
            out.append(part)
        elif part in ("[", "]"):
            depth = depth + 1 if part == "[" else max(depth - 1, 0)
            out.append(part)
        else:
            out.append(part if depth or part.startswith("\\") else pseudo_text(part))
    return "".join(out)
