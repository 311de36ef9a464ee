"""Translation memory out of and into the site, as TMX (see :mod:`l10n.tmx`).

- :func:`export`: every reviewed pair of the catalogs of a language;
- :func:`import_file`: pairs of a TMX file kept in ``locales/<lang>/memory.tmx`` (the
  site's imported memory, committed like the catalogs), each with the file it came from;
- :func:`imported`: that memory, for the workflow's memory step, which makes its pairs
  drafts (fuzzy, marked ``memory: tmx FILE``), never reviewed translations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Sequence

from . import catalog, pofile, tmx
from .config import Config
from .errors import InputError
from .fsutil import read_bytes, write_atomic

#: The imported memory of a language, beside its catalogs.
FILE = "memory.tmx"


def path(config: Config, lang: str) -> Path:
    return config.locales_dir / lang / FILE


def label(origin: str | None) -> str:
    """The engine recorded in the machine mark of a draft from imported memory.

    >>> label("agency 2026, batch 3.tmx")
    'memory: tmx agency 2026 batch 3.tmx'
    """
    return "memory: tmx " + (origin or "unknown").replace(",", "")


def reviewed(config: Config, lang: str) -> list[tmx.Unit]:
    """Every distinct reviewed pair of the language's catalogs, in the order of the files."""
    root = config.locales_dir / lang
    seen: set[tuple[str, str]] = set()
    units = []
    for po_path in sorted(root.rglob("*.po")) if root.exists() else ():
        for e in pofile.load(po_path):
            if (e.obsolete or not e.msgid or not catalog.is_own(e)
                    or catalog.state(e) != catalog.REVIEWED or (e.msgid, e.msgstr) in seen):
                continue
            seen.add((e.msgid, e.msgstr))
            units.append(tmx.Unit(e.msgid, e.msgstr, lang))
    return units


@dataclass
class Exported:
    written: dict[str, int] = field(default_factory=dict)  # pairs per language
    skipped: int = 0  # pairs with characters XML cannot hold


def export(config: Config, langs: Sequence[str], target: Path) -> Exported:
    """Write every reviewed pair of ``langs`` to ``target`` as one TMX 1.4b file."""
    result = Exported()
    units = []
    for lang in langs:
        found = reviewed(config, lang)
        ok = [u for u in found if tmx.writable(u)]
        result.written[lang] = len(ok)
        result.skipped += len(found) - len(ok)
        units += ok
    write_atomic(target, tmx.dumps(units, config.source_lang, _version()).decode("utf-8"))
    return result


@dataclass
class Imported:
    added: dict[str, int] = field(default_factory=dict)  # new pairs per language
    known: dict[str, int] = field(default_factory=dict)  # pairs the memory already had


def import_file(config: Config, langs: Sequence[str], source: Path) -> Imported:
    """Add the pairs of the TMX file ``source`` for ``langs`` to the site's imported memory.

    Nothing is written for a file that cannot be read. Pairs already there are kept with
    their first origin.
    """
    units = tmx.loads(read_bytes(source), config.source_lang, langs, source)
    if not units:
        raise InputError(f"no translation unit from {config.source_lang} to {', '.join(langs)} "
                         "(the languages of the file's <tuv xml:lang>)", path=source)
    result = Imported()
    for lang in langs:
        stored = _stored(config, lang)
        have = {(u.source, u.target) for u in stored}
        new = []
        for u in units:
            if u.lang == lang and (u.source, u.target) not in have and tmx.writable(u):
                have.add((u.source, u.target))
                new.append(tmx.Unit(u.source, u.target, lang, u.origin or source.name))
        result.added[lang] = len(new)
        result.known[lang] = sum(u.lang == lang for u in units) - len(new)
        if new:
            write_atomic(path(config, lang),
                         tmx.dumps(stored + new, config.source_lang, _version()).decode("utf-8"))
    return result


def imported(config: Config, lang: str) -> dict[str, tmx.Unit]:
    """The imported memory of a language: the first pair for each source text."""
    out: dict[str, tmx.Unit] = {}
    for u in _stored(config, lang):
        out.setdefault(u.source, u)
    return out


def _stored(config: Config, lang: str) -> list[tmx.Unit]:
    where = path(config, lang)
    if not where.exists():
        return []
    return tmx.loads(read_bytes(where), config.source_lang, [lang], config.display(where))


def _version() -> str:
    try:
        return version("l10n")
    except PackageNotFoundError:  # run from a source tree
        return "unknown"
