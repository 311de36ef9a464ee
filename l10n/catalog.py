"""Catalogs: msgmerge-style update, review states and statistics.

An entry's review state is read from gettext's own marks, so any PO editor can change it:

- untranslated: empty msgstr;
- machine draft: ``fuzzy``, with a ``#. machine translation: ENGINE, DATE, DIGEST`` comment
  whose digest (8 hex digits of the SHA-256 of the draft) still matches the msgstr. A
  comment without a digest, written before l10n recorded one, counts as matching;
- needs update: ``fuzzy`` otherwise: a carried translation with its ``#| msgid``, or a
  machine draft a person edited but has not approved (Weblate's "needs editing");
- reviewed: not fuzzy and not empty.

No engine ever touches a reviewed entry or one that needs update: those are a person's work,
carried as fuzzy with ``#| msgid`` when the English changes. Only l10n's own entries (no
msgctxt, :func:`is_own`) have states that count; others are a tool's, kept as they are.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import polib
from babel import Locale

from .extract import LINK_TITLE, Segment

UNTRANSLATED, DRAFT, NEEDS_UPDATE, REVIEWED = "untranslated", "machine draft", "needs update", "reviewed"
STATES = (REVIEWED, DRAFT, NEEDS_UPDATE, UNTRANSLATED)

MACHINE = "machine translation: "
OBSOLETE_SINCE = "obsolete since: "
_STALE = "markup problem: "  # recorded by earlier versions; :func:`update` removes it
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_own(entry: polib.POEntry) -> bool:
    """Whether ``entry`` is one of l10n's: l10n writes no msgctxt. An entry with one (a tool
    added it) is kept as it is by :func:`update`, gets no machine draft and is not counted."""
    return entry.msgctxt is None


def state(entry: polib.POEntry) -> str:
    """The review state of an entry (see the module docstring)."""
    if not entry.msgstr:
        return UNTRANSLATED
    if "fuzzy" not in entry.flags:
        return REVIEWED
    mark = machine(entry)
    if mark is not None and mark.unedited and not entry.previous_msgid:
        return DRAFT
    return NEEDS_UPDATE


@dataclass(frozen=True)
class Machine:
    """What an entry's ``machine translation:`` comment says."""

    engine: str
    date: date | None  # None: missing or unreadable
    unedited: bool  # the msgstr is still the engine's text (always, for a comment without digest)


def machine(entry: polib.POEntry) -> Machine | None:
    """The machine mark of an entry, or None when no engine wrote it."""
    return _machine(entry.comment, entry.msgstr) if MACHINE in entry.comment else None


@lru_cache(maxsize=65536)
def _machine(comment: str, msgstr: str) -> Machine | None:
    for line in _lines(comment):
        if line.startswith(MACHINE):
            parts = [p.strip() for p in line[len(MACHINE):].split(",")]
            when = parts[1] if len(parts) > 1 else None
            digest = parts[2] if len(parts) > 2 and parts[2] else None
            return Machine(parts[0], _date(when), digest is None or digest == _digest(msgstr))
    return None


def _digest(text: str) -> str:
    """The short digest of a draft that its machine mark records."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _date(text: str | None) -> date | None:
    """An ISO date, or None for anything else."""
    try:
        return date.fromisoformat(text) if text and _DATE.fullmatch(text) else None
    except ValueError:  # e.g. a 13th month
        return None


def set_draft(entry: polib.POEntry, text: str, engine: str, today: date) -> None:
    """Store a machine draft: fuzzy, marked with the engine and date.

    Raises ``ValueError`` for an entry that is not :func:`is_own`.
    """
    if not is_own(entry):
        raise ValueError(f"no machine draft for an entry with a msgctxt: {entry.msgctxt!r}")
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    entry.previous_msgid = None
    entry.previous_msgctxt = None
    own = [ln for ln in entry.comment.splitlines() if not ln.startswith((MACHINE, _STALE))]
    own.append(f"{MACHINE}{engine}, {today.isoformat()}, {_digest(text)}")
    entry.comment = "\n".join(own)


def _machine_lines(entry: polib.POEntry) -> list[str]:
    """The comment lines :func:`update` carries over from an old entry: the machine mark."""
    return [ln for ln in _lines(entry.comment) if ln.startswith(MACHINE)]


_OWN = ("type: ", MACHINE, OBSOLETE_SINCE, _STALE)


def _lines(comment: str) -> list[str]:
    """The lines of an extracted comment as l10n wrote them: a line that starts none of
    l10n's is joined to the one before, as it is the rest of a line a PO tool broke (polib
    wraps comments at 78 columns, and a machine mark with a long engine label is longer).

    >>> _lines("type: paragraph\\nmachine translation: deepl/prefer_less, 2026-03-01,\\nab12cd34")
    ['type: paragraph', 'machine translation: deepl/prefer_less, 2026-03-01, ab12cd34']
    """
    out: list[str] = []
    for line in comment.splitlines():
        if out and not line.startswith(_OWN) and out[-1].startswith(_OWN):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return out


def _without_stale(entry: polib.POEntry) -> polib.POEntry:
    """``entry`` without the ``markup problem:`` lines earlier versions recorded."""
    if _STALE in entry.comment:
        entry = _copy(entry)
        entry.comment = "\n".join(ln for ln in entry.comment.splitlines() if not ln.startswith(_STALE))
    return entry


@lru_cache(maxsize=None)
def plural_forms(lang: str) -> str:
    """The gettext Plural-Forms of a language, from babel's CLDR data.

    >>> plural_forms("de")
    'nplurals=2; plural=(n != 1);'
    """
    from babel.messages.plurals import get_plural  # only where catalogs are made

    return get_plural(lang).plural_forms


@lru_cache(maxsize=None)
def _english_name(lang: str) -> str:
    return Locale.parse(lang).english_name


def header(lang: str, project: str, now: datetime) -> dict[str, str]:
    """A PO header for ``lang``, built with babel: Language, Plural-Forms, UTF-8."""
    return {
        "Project-Id-Version": project,
        "PO-Revision-Date": now.strftime("%Y-%m-%d %H:%M%z"),
        "Last-Translator": "",
        "Language-Team": _english_name(lang),
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(lang),
    }


_REQUIRED = ("Language", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Plural-Forms")


def new_catalog(lang: str, project: str, now: datetime | None = None) -> polib.POFile:
    po = polib.POFile(wrapwidth=79)
    po.metadata = header(lang, project, now or datetime.now(timezone.utc))
    return po


@dataclass
class UpdateResult:
    """What :func:`update` did, counted per kind of change."""

    added: int = 0
    kept: int = 0
    fuzzy: int = 0
    obsoleted: int = 0
    dropped: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.fuzzy or self.obsoleted or self.dropped)


def _comment_lines(segments: Iterable[Segment]) -> list[str]:
    lines: list[str] = []
    for s in segments:
        if s.key is not None:
            line = f"type: {s.kind}; key: {s.key}"
        elif s.kind == LINK_TITLE:
            line = f"type: link title (the tooltip of links to [{s.section}])"
        elif s.kind == "heading" or not s.section:
            line = f"type: {s.kind}"
        else:
            line = f"type: {s.kind}; section: {s.section}"
        line = " ".join(line.split())  # a comment is one line
        if line not in lines:
            lines.append(line)
    return lines


def update(old: polib.POFile | None, segments: Sequence[Segment], reference: str, lang: str, *,
           today: date, similarity: float = 0.6, obsolete_days: int = 90,
           project: str = "l10n") -> tuple[polib.POFile, UpdateResult]:
    """Merge the article's segments into its catalog, as GNU msgmerge would.

    New texts get empty entries; unchanged ones keep everything a translator put there;
    changed ones borrow the closest old translation (fuzzy, with ``#| msgid``), except machine
    drafts no person edited, which are simply translated again; vanished ones become obsolete
    and are dropped ``obsolete_days`` after that. Entries that are not :func:`is_own` are kept
    as they are, where they are: never merged, made obsolete or dropped. Comments l10n no
    longer writes (``markup problem:``) are removed.
    """
    result = UpdateResult()
    now = datetime.combine(today, datetime.min.time(), timezone.utc)
    po = new_catalog(lang, project, now)
    if old is not None:
        _keep_header(po, old, header(lang, project, now))
    grouped: dict[str, list[Segment]] = {}
    for s in segments:
        grouped.setdefault(s.text, []).append(s)
    own = [e for e in (old or []) if is_own(e)]
    old_live = {e.msgid: e for e in own if not e.obsolete and e.msgid}
    old_dead = {e.msgid: e for e in own if e.obsolete}
    used: set[str] = set()
    live: list[polib.POEntry] = []
    pending: list[polib.POEntry] = []
    for text, group in grouped.items():
        comments = _comment_lines(group)
        prior = old_live.get(text) or old_dead.get(text)
        if prior is not None:
            used.add(text)
            entry = _copy(prior)
            entry.obsolete = False
            entry.comment = "\n".join(comments + _machine_lines(prior))
            entry.occurrences = [(reference, "")]
            result.kept += 1
            if prior.obsolete:
                result.added += 1
        else:
            entry = polib.POEntry(msgid=text, msgstr="", comment="\n".join(comments),
                                  occurrences=[(reference, "")])
            pending.append(entry)
        live.append(entry)
    # Changed texts: the closest unused old entry lends its translation.
    candidates = {k: e for k, e in old_live.items() if k not in used and e.msgstr}
    for entry in pending:
        match = _closest(entry.msgid, candidates, similarity) if candidates else None
        if match is None:
            result.added += 1
            continue
        prior = candidates.pop(match)
        used.add(match)
        if state(prior) == DRAFT:
            result.added += 1
            continue  # an unedited machine draft of old text: translated again, not carried
        result.fuzzy += 1
        entry.msgstr = prior.msgstr
        entry.flags = ["fuzzy"] + [f for f in prior.flags if f != "fuzzy"]
        entry.tcomment = prior.tcomment
        entry.previous_msgid = prior.previous_msgid if state(prior) == NEEDS_UPDATE and prior.previous_msgid else prior.msgid
    po.extend(_placed(live, _anchored(old)))  # new_catalog checks no duplicates: extend is append
    # Vanished texts become obsolete; old obsolete ones age out.
    for e in list(old_live.values()):
        if e.msgid in used:
            continue
        dead = _copy(e)
        dead.obsolete = True
        dead.occurrences = []
        dead.comment = "\n".join([OBSOLETE_SINCE + today.isoformat()] + _machine_lines(e))
        po.append(dead)
        result.obsoleted += 1
    for e in old_dead.values():
        if e.msgid in used or e.msgid in old_live:
            continue
        since = _obsolete_since(e)
        if obsolete_days >= 0 and since is not None and (today - since) > timedelta(days=obsolete_days):
            result.dropped += 1
            continue
        po.append(_without_stale(e))
    for e in old or []:
        if e.obsolete and not is_own(e):
            po.append(_without_stale(e))
    return po, result


def _keep_header(po: polib.POFile, old: polib.POFile, fields: dict[str, str]) -> None:
    """The old header in ``po``, with the required ``fields`` enforced and missing ones added."""
    po.header = old.header
    po.metadata_is_fuzzy = old.metadata_is_fuzzy
    metadata = dict(old.metadata)
    for key, value in fields.items():
        if key in _REQUIRED or key not in metadata:
            metadata[key] = value
    po.metadata = metadata


def _anchored(old: polib.POFile | None) -> list[tuple[str | None, polib.POEntry]]:
    """The live entries that are not :func:`is_own`, each with the msgid of the own entry
    it follows (None: before the first)."""
    anchor, found = None, []
    for e in old or []:
        if e.obsolete:
            continue
        if is_own(e):
            anchor = e.msgid
        else:
            found.append((anchor, _without_stale(e)))
    return found


def _placed(live: list[polib.POEntry], anchored: list[tuple[str | None, polib.POEntry]]) -> list[polib.POEntry]:
    """``live`` with each anchored entry after its anchor as before, or at the end when that is gone."""
    after: dict[str | None, list[polib.POEntry]] = {}
    for anchor, e in anchored:
        after.setdefault(anchor, []).append(e)
    placed = after.pop(None, [])
    for e in live:
        placed.append(e)
        placed.extend(after.pop(e.msgid, []))
    return placed + [e for rest in after.values() for e in rest]


def _copy(entry: polib.POEntry) -> polib.POEntry:
    """A copy with lists of its own, without line number or previous msgid_plural.

    Assigned field by field: polib's constructor takes keywords at three times the cost.
    """
    copy = polib.POEntry()
    copy.msgid, copy.msgstr, copy.msgctxt = entry.msgid, entry.msgstr, entry.msgctxt
    copy.msgid_plural, copy.msgstr_plural = entry.msgid_plural, dict(entry.msgstr_plural)
    copy.comment, copy.tcomment, copy.occurrences = entry.comment, entry.tcomment, list(entry.occurrences)
    copy.flags, copy.previous_msgid, copy.previous_msgctxt = list(entry.flags), entry.previous_msgid, entry.previous_msgctxt
    copy.obsolete = entry.obsolete
    return copy


def _obsolete_since(entry: polib.POEntry) -> date | None:
    for line in _lines(entry.comment):
        if line.startswith(OBSOLETE_SINCE) and (since := _date(line[len(OBSOLETE_SINCE):].strip())):
            return since
    return None


def expiry(po: polib.POFile, obsolete_days: int) -> date | None:
    """The first day on which :func:`update` would drop one of ``po``'s own obsolete entries."""
    if obsolete_days < 0:
        return None
    dates = [since for e in po.obsolete_entries() if is_own(e) and (since := _obsolete_since(e)) is not None]
    return min(dates) + timedelta(days=obsolete_days + 1) if dates else None


def _closest(text: str, candidates: dict[str, polib.POEntry], cutoff: float) -> str | None:
    """The candidate msgid most similar to ``text`` above ``cutoff`` (msgmerge's fuzzy match)."""
    best, best_ratio = None, cutoff
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(text)
    for key in candidates:
        matcher.set_seq1(key)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio or (ratio == best_ratio and best is None):
            best, best_ratio = key, ratio
    return best


@dataclass
class Stats:
    """Entries, words and characters per review state, of the live entries that are :func:`is_own`."""

    entries: dict[str, int]
    words: dict[str, int]
    chars: dict[str, int]

    @classmethod
    def of(cls, po: polib.POFile, known: Mapping[str, str] | None = None) -> "Stats":
        """``known``: the states of ``po``'s entries by msgid, when already worked out."""
        entries = dict.fromkeys(STATES, 0)
        words = dict.fromkeys(STATES, 0)
        chars = dict.fromkeys(STATES, 0)
        for e in po:
            if e.obsolete or not e.msgid or not is_own(e):
                continue
            s = known[e.msgid] if known is not None else state(e)
            entries[s] += 1
            words[s] += len(e.msgid.split())
            chars[s] += len(e.msgid)
        return cls(entries, words, chars)

    @property
    def total_words(self) -> int:
        return sum(self.words.values())

    @property
    def reviewed_percent(self) -> int:
        """The reviewed share in whole percent, as the German front matter records it."""
        return percent(self.words[REVIEWED], self.total_words)

    def share(self, which: str = REVIEWED) -> float:
        """Share of source words in entries of state ``which`` (1.0 for an empty catalog)."""
        total = self.total_words
        return self.words[which] / total if total else 1.0


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole percent, rounded down: 100 only when all of it is
    (a reviewed share of 99.6% is not yet 100); 100 for nothing at all.

    >>> percent(1, 6), percent(995, 1000), percent(0, 0)
    (16, 99, 100)
    """
    return 100 if not whole else (100 * part) // whole
