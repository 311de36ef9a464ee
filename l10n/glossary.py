"""The site's glossary: a CSV of terms (source term, target term[, language]).

Each row maps a source term to the term translators want in the target language; a term
mapped to itself stays as written (brand and product names). A third column restricts a
row to one target language; rows without it apply to every target language. A first row
``source,target[,lang]`` is taken as a header, and rows starting with ``#`` are comments.

On DeepL the whole file is one multilingual glossary, edited in place when the file
changes (see :mod:`l10n.engines.deepl`). A language column must name a target language of
the site; variants of one language (``pt-BR``, ``pt-PT``) share one DeepL dictionary, so
their terms must agree (:meth:`Glossary.disagreement`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .errors import ConfigError, InputError
from .fsutil import read_text

_HEADER = ({"source", "source term", "term"}, {"target", "target term", "translation"})


@dataclass(frozen=True)
class Glossary:
    """Terms per target language (``None``: every target language)."""

    path: Path
    rows: tuple[tuple[str, str, str | None, int], ...]  # source, target, lang, line

    def entries(self, lang: str) -> dict[str, str]:
        """The terms for one target language, in file order (language rows win)."""
        out: dict[str, str] = {}
        for source, target, only, _line in self.rows:
            if only is None:
                out.setdefault(source, target)
        for source, target, only, _line in self.rows:
            if only is not None and _same_lang(only, lang):
                out[source] = target
        return out


    def line(self, lang: str, source: str) -> int | None:
        """The line of the row that gives ``source``'s term in ``lang`` (None: no row does)."""
        rows = [r for r in self.rows if r[0] == source and (r[2] is None or _same_lang(r[2], lang))]
        own = [r for r in rows if r[2] is not None]
        return (own or rows or [(None, None, None, None)])[0][3]

    def disagreement(self, a: str, b: str) -> InputError | None:
        """The error when languages ``a`` and ``b``, which share one DeepL dictionary (variants
        of one language), have different terms; None when they agree."""
        terms_a, terms_b = self.entries(a), self.entries(b)
        if terms_a == terms_b:
            return None
        source = next(s for s, _t, _l, _n in self.rows if terms_a.get(s) != terms_b.get(s))
        lines = {lang: self.line(lang, source) for lang in (a, b)}
        said = [f"{terms[source]!r} for {lang} (line {lines[lang]})" if source in terms else f"none for {lang}"
                for lang, terms in ((a, terms_a), (b, terms_b))]
        return InputError(f"term {source!r} has {said[0]} but {said[1]}: {a} and {b} are variants of one "
                          "language, and a DeepL glossary has one dictionary per language, not per "
                          "variant; give both the same term", path=self.path,
                          line=max(n for n in lines.values() if n is not None))


def _same_lang(a: str, b: str) -> bool:
    return a.replace("-", "_").lower() == b.replace("-", "_").lower()


def load(path: Path, targets: Sequence[str] | None = None) -> Glossary:
    """Read and validate the CSV, naming the line at fault; with ``targets``, a row for
    another language is an error too."""
    if not path.is_file():
        raise ConfigError("glossary file not found: create it (rows of source term, target term) "
                          "or remove 'glossary' from [tool.l10n]", path=path)
    text = read_text(path)
    rows: list[tuple[str, str, str | None, int]] = []
    seen: dict[tuple[str, str | None], int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not rows and not seen and len(cells) >= 2 and cells[0].lower() in _HEADER[0] \
                and cells[1].lower() in _HEADER[1]:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1] or len(cells) > 3:
            raise InputError("a glossary row needs a source term and a target term "
                             "(and optionally a language)", path=path, line=line)
        for term in cells[:2]:
            if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029" for ch in term):
                raise InputError(f"term {term!r} contains a control character", path=path, line=line)
        only = cells[2] if len(cells) == 3 and cells[2] else None
        if only is not None and targets is not None and not any(_same_lang(only, t) for t in targets):
            raise InputError(f"row for {only!r}, which is not a target language (target_langs: "
                             f"{', '.join(targets)}): correct the language, or add it to target_langs",
                             path=path, line=line)
        key = (cells[0], only.replace("-", "_").lower() if only else None)
        if key in seen:
            raise InputError(f"term {cells[0]!r} is already defined on line {seen[key]}",
                             path=path, line=line)
        seen[key] = line
        rows.append((cells[0], cells[1], only, line))
    return Glossary(path, tuple(rows))
