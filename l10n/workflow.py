"""Orchestration over many articles: plan, fill, write, with I/O at the edges.

A :class:`Run` reads top to bottom:

- **plan** (:meth:`Run.plan`): read an article and its catalog, update the catalog, fill
  what the language's memory knows, and queue each distinct text still to translate once;
- **fill** (:meth:`Run.pump`): send batches to the engine, several at once for an external
  one (``concurrency``); the drafts of each are written into every waiting catalog as it
  comes back, so paid work is durable the moment it arrives, even mid-article, and a run
  stopped by a fault, Ctrl-C or ``kill -9`` resumes without paying again;
- **write** (:meth:`Run.write`): write the catalog and the German article of an article
  whose drafts are all in.

Files change under a run: a catalog is replaced only if it is still the file that was
read; otherwise it is read again and the run's drafts go only into entries still
untranslated there (:meth:`Run.save_catalog`). A German file edited by hand is not
overwritten without ``force``. What is published is :func:`l10n.publish.publish`'s decision.

Without an external engine, chunks of articles go to worker processes, one per core.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import AbstractSet, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

import polib

from . import article as articles
from . import catalog, context, links, pofile, publish
from . import memory as memories
from .catalog import DRAFT, REVIEWED, UNTRANSLATED
from .cache import Cache, digest, read
from .config import Config
from .engines.base import BatchResult, Engine, Job
from .errors import ConfigError, EngineError, InputError, L10nError
from .extract import Segment, Skeleton, extract
from .fsutil import Changed, decode, read_bytes, remove, write_atomic
from .links import Links
from .plural import count

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Attempts to save a catalog that translators keep saving meanwhile.
SAVE_ATTEMPTS = 20


@dataclass
class Prepared:
    """An article in one language after extraction and catalog update, before writing."""

    source: Path
    lang: str
    skeleton: Skeleton
    segments: list[Segment]
    po: polib.POFile
    update: catalog.UpdateResult
    embargoed: bool
    raw: bytes = b""                    # the source as read, for the skip record
    catalog_read: bytes | None = None   # the catalog as read: replaced only while it still is
    old: polib.POFile | None = None     # the catalog as read, parsed
    needs: set[str] = field(default_factory=set)  # texts waiting for the engine
    drafted: int = 0
    links: Links | None = None          # the site's links (None: destinations as written)
    saved: bool = False                 # the catalog was written in this run (drafts as they came)


@dataclass
class Outcome:
    """What happened to one article in one language."""

    source: Path
    lang: str
    catalog_written: bool
    output_written: bool
    update: catalog.UpdateResult
    stats: catalog.Stats | None  # None: skipped, unchanged since the last run
    progress: publish.Progress | None
    drafted: int = 0
    withheld: int = 0            # translations published in English because of a problem
    sent_chars: int = 0
    refused: str | None = None   # why the German file was not written
    removed: bool = False        # the German file was deleted: nothing of it is published


@dataclass
class Summary:
    """A run's totals: what was sent to the engine and what each article became."""

    outcomes: list[Outcome] = field(default_factory=list)
    sent_segments: int = 0
    sent_chars: int = 0
    pending_segments: int = 0   # a dry run's: what would be sent
    pending_chars: int = 0
    waiting_segments: int = 0   # a dry run's: what would wait, over --max-chars
    waiting_chars: int = 0
    stopped: EngineError | None = None
    interrupted: bool = False
    errors: list[L10nError] = field(default_factory=list)  # articles that could not be done
    embargoed: list[Path] = field(default_factory=list)  # articles kept from an external engine
    relinked: list[Path] = field(default_factory=list)  # German files rewritten for their links

    @property
    def withheld(self) -> int:
        return sum(o.withheld for o in self.outcomes)

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.refused]

    def chars_by_article(self) -> dict[Path, int]:
        return {o.source: o.sent_chars for o in self.outcomes if o.sent_chars}


# -- the pure core -----------------------------------------------------------------

def prepare(config: Config, lang: str, source: Path, text: str, old: polib.POFile | None,
            today: date, keep_obsolete: bool = False) -> Prepared:
    """Extract an article and merge its segments into its (possibly missing) catalog.

    ``keep_obsolete`` keeps old obsolete entries whatever their age (for the check, whose
    verdict must not change with the calendar).
    """
    skeleton, segments = extract(text, config.display(source), config.front_matter)
    refuse_clashes(config, skeleton.article, source)
    po, result = _update(config, lang, source, segments, old, today, keep_obsolete)
    embargoed = articles.embargoed(skeleton.article.metadata, config.front_matter.embargo)
    return Prepared(source, lang, skeleton, segments, po, result, embargoed, old=old)


def refuse_clashes(config: Config, doc: articles.Article, source: Path) -> None:
    """Refuse front matter that holds a key l10n writes: ``state_key`` (bad input, this
    article), or ``[tool.l10n.links] translation_key`` holding something other than the
    English slug (the German article could not carry both). Each is this article's bad
    input, refused where it is read, so the other articles are still done."""
    for f in doc.fields:
        if f.key == config.state_key:
            raise InputError(f"the front matter has {f.key!r}, the key l10n records the translation "
                             "state under (state_key): rename one", path=config.display(source), line=f.line)
        if f.key == config.links.translation_key and f.value != doc.metadata.get("slug"):
            raise InputError(f"the front matter has {f.key!r} ({f.value!r}), the key [tool.l10n.links] "
                              "translation_key names for the English slug: choose another translation_key "
                              "in pyproject.toml", path=config.display(source), line=f.line)


def _update(config: Config, lang: str, source: Path, segments: Sequence[Segment],
            old: polib.POFile | None, today: date, keep_obsolete: bool = False
            ) -> tuple[polib.POFile, catalog.UpdateResult]:
    return catalog.update(old, segments, str(config.display(source)), lang, today=today,
                          similarity=config.similarity,
                          obsolete_days=-1 if keep_obsolete else config.obsolete_days)


def publication(config: Config, work: Prepared, po: polib.POFile | None = None) -> publish.Publication:
    """The German article of ``work`` as its catalog (or ``po``) makes it."""
    return publish.publish(config, work.lang, work.skeleton, work.segments, po if po is not None else work.po,
                           work.links, config.page(work.source))


# -- the edges ---------------------------------------------------------------------

def load_catalog(path: Path) -> polib.POFile | None:
    return pofile.load(path) if path.exists() else None


def memory(config: Config, lang: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Every reviewed translation of the language, and every machine draft by engine."""
    reviewed: dict[str, str] = {}
    drafts: dict[tuple[str, str], str] = {}
    root = config.locales_dir / lang
    for path in sorted(root.rglob("*.po")) if root.exists() else ():
        for e in pofile.load(path):
            if e.obsolete or not e.msgid or not e.msgstr or not catalog.is_own(e):
                continue
            s = catalog.state(e)
            if s == REVIEWED:
                reviewed.setdefault(e.msgid, e.msgstr)
            elif s == DRAFT:
                drafts.setdefault((catalog.machine(e).engine, e.msgid), e.msgstr)
    return reviewed, drafts


def site_links(config: Config, lang: str, use_cache: bool = True, jobs: int | None = None) -> Links:
    """What the articles of ``lang`` need to know of the site's links: its URL forms
    (``[tool.l10n.links] forms``, else derived from the ``url`` rewrite and the articles'
    ``url`` values), every source article's address, and which are published in ``lang``
    (:func:`l10n.publish.publishes`, on the catalogs as they are on disk).

    Each article's address comes from its front matter, kept in a record by the hash of its
    source (see :mod:`l10n.cache`); the parts not on record are read on ``jobs`` processes
    (:func:`parallel`). Whether an article is published is worked out from its
    catalog only when something asks (:class:`_Published`): a site's articles link to its
    tags and to few of its own articles, and parsing every catalog first took a cold check
    a tenth of its time.
    """
    # Records of the addresses alone (those named "site" held each article's published
    # state too, keyed by its catalog as well: not read, so never taken for these).
    cache = Cache(config, "addresses", lang) if use_cache else None
    sources = config.articles()
    found: dict[Path, tuple[str | None, str | None]] = {}
    todo = []
    for source in sources:
        if cache is None:
            todo.append(source)
            continue
        part = _site_key(config, lang, source)
        hit = cache.get(str(config.display(source)), part[0]) if part is not None else None
        if hit is not None:
            found[source] = (hit[0], hit[1])
        elif part is not None:
            todo.append(source)
    for chunk in parallel(partial(_site_chunk, config, lang), todo, jobs):
        for source, key, hit in chunk:
            found[source] = hit
            if cache is not None:
                cache.put(str(config.display(source)), key, list(hit))
    if cache is not None:
        cache.save()
    found = {s: found[s] for s in sources if s in found}  # in the site's order, whoever worked
    templates = config.links.forms
    if templates is None:
        urls = [url for url, _ in found.values() if url is not None]
        templates = links.derived_forms(urls, config.front_matter.rewrite.get("url", {}))
    site = Links(links.forms(templates, config.source_lang, lang))
    judge = _Judge(config, lang)
    addresses: dict[str, list[Path]] = {}
    pages: dict[str, list[Path]] = {}
    for source, (url, slug) in found.items():
        page = config.page(source)
        pages[page] = [source]
        address = site.address(url) if url is not None else links.path_address(page, slug)
        if address is not None:
            addresses.setdefault(address, []).append(source)
    return Links(site.pairs, frozenset(addresses), _Published(judge, addresses), frozenset(pages),
                 _Published(judge, pages), config.source_lang)


class _Judge:
    """Whether a source article is published in a language, from its catalog as it is on
    disk, worked out once per process."""

    def __init__(self, config: Config, lang: str) -> None:
        self.config, self.lang, self.known = config, lang, {}

    def __call__(self, source: Path) -> bool:
        if source not in self.known:
            self.known[source] = _publishes(self.config, self.lang, source)
        return self.known[source]


class _Published(Set):
    """The addresses (or pages) of the site with a published article: a set whose members
    are judged when asked about (:class:`_Judge`)."""

    def __init__(self, judge: _Judge, names: dict[str, list[Path]]) -> None:
        self._judge, self._names = judge, names

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(self._judge(s) for s in self._names.get(name, ()))

    def names(self) -> Iterable[str]:
        """Every name of the site, published or not."""
        return self._names.keys()

    def sources(self, name: str) -> list[Path]:
        """The source articles a name stands for."""
        return self._names.get(name, [])

    def __iter__(self) -> Iterator[str]:
        return (name for name, sources in self._names.items() if any(self._judge(s) for s in sources))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"_Published({sorted(self)!r})"


def _site_key(config: Config, lang: str, source: Path) -> tuple[str, bytes] | None:
    """The record key of an article's site part, with the bytes it hashes; None for an
    article that cannot be read (reported where it is processed)."""
    try:
        config.relative(source)  # refuses a link out of the source folder
        raw = read_bytes(source)
    except (InputError, ConfigError):
        return None
    return digest(raw), raw


def _site_chunk(config: Config, lang: str, sources: list[Path]
                ) -> list[tuple[Path, str, tuple[str | None, str | None]]]:
    """One worker's task for :func:`site_links`: (article, record key, part) of each
    readable article."""
    out = []
    for source in sources:
        part = _site_key(config, lang, source)
        if part is not None:
            key, raw = part
            out.append((source, key, _site_part(source, raw)))
    return out


def _site_part(source: Path, raw: bytes) -> tuple[str | None, str | None]:
    """An article's ``url`` (None: none, or unreadable) and ``slug`` (None: none)."""
    try:
        metadata = articles.parse(decode(raw, source)).metadata
    except InputError:
        metadata = {}
    url, slug = metadata.get("url"), metadata.get("slug")
    return (url if isinstance(url, str) else None), (slug if isinstance(slug, str) and slug.strip() else None)


def _publishes(config: Config, lang: str, source: Path) -> bool:
    """Whether the article has a German file (:func:`l10n.publish.publishes`), by its
    catalog as it is on disk; an unreadable or broken catalog publishes nothing."""
    if config.english_fallbacks:
        return publish.publishes(config, None)
    try:
        path = config.catalog_path(source, lang)
        cat = read(path)
        po = pofile.loads(decode(cat, path), path) if cat is not None else None
    except (InputError, ConfigError):
        po = None
    return publish.publishes(config, po)


def write_output(config: Config, work: Prepared, text: str, force: bool = False,
                 published: bool = True) -> tuple[bool, str | None]:
    """Write the German article unless it was edited by hand (or changes while it is
    written); (written, why not). Unless ``published``, delete the file instead (one
    l10n wrote: a file edited by hand is kept the same way)."""
    path = config.output_path(work.source, work.lang)
    current = read(path)
    if not published:
        if current is None:
            return False, None
        if not force and edited_by_hand(config, work, current):
            return False, (f"{config.display(path)} was edited by hand: not removed, although nothing of its "
                           "article is published in this language. Delete it, or rerun with --force")
        try:
            return remove(path, expected=current), None
        except Changed:
            return False, f"{config.display(path)} changed while l10n removed it: kept; rerun"
    if current is not None and current != text.encode("utf-8") and not force \
            and edited_by_hand(config, work, current):
        return False, (f"{config.display(path)} was edited by hand: not overwritten. Move the edit "
                       "into the catalog, or rerun with --force to replace it")
    try:
        return write_atomic(path, text, expected=current), None
    except Changed:
        return False, f"{config.display(path)} changed while l10n wrote it: not overwritten; rerun"


def edited_by_hand(config: Config, work: Prepared, current: bytes) -> bool:
    """Whether a German file holds something l10n did not write: its stamp does not match,
    or, unstamped, it is not what the catalog as read publishes."""
    try:
        text = current.decode("utf-8")
    except UnicodeDecodeError:
        return True
    stamped = publish.edited_by_hand(text, config.state_key)
    if stamped is not None:
        return stamped
    before = work.old if work.old is not None else catalog.new_catalog(work.lang, "l10n")
    return text != publish.unstamp(publication(config, work, before).text, config.state_key)


@dataclass
class Run:
    """One run over articles in one language: plan, fill, write (see the module doc)."""

    config: Config
    lang: str
    today: date
    engine: Engine | None = None
    write_output: bool = True
    dry_run: bool = False
    include_drafts: bool = False
    max_chars: int | None = None
    progress: Callable[[int, int], None] | None = None
    done: Callable[[int], None] | None = None   # called with 1 as each article is finished
    use_cache: bool = True
    save_cache: bool = True
    force: bool = False
    memory: Callable[[Config, str], tuple[dict, dict]] = memory
    links: Links | None = None
    imported: Callable[[Config, str], dict] = memories.imported

    def __post_init__(self) -> None:
        self.summary = Summary()
        self.received: dict[str, str] = {}   # this run's drafts, by source text
        self.queue: dict[str, Job] = {}      # texts to send, each once, in order
        self.waiting: list[Prepared] = []    # articles with texts in the queue
        self._known: tuple[dict, dict] | None = None
        self._imported: dict | None = None
        self._asked_by: dict[str, Path] = {}
        self._chars_for: dict[Path, int] = {}
        self._flying: set[object] = set()    # batches sent, not yet back
        self._in_air: set[str] = set()       # their texts
        self._sent_as: dict[str, str] = {}   # protected text -> the text sent for it
        self._followers: dict[str, list[str]] = {}  # text sent -> texts rebuilt from its reply
        self._following: set[str] = set()
        self._replies: dict[str, str] = {}   # protected text -> the engine's reply
        self._done: queue.Queue = queue.Queue()
        self._reserved = 0                   # characters in flight
        self._over: dict[str, int] = {}      # texts that wait: over --max-chars, with their cost
        self._fault: L10nError | None = None
        self.cache: Cache | None = None
        if self.use_cache and not self.dry_run:
            self.cache = Cache(self.config, *cache_scope(self.lang, self.engine, self.write_output))

    @property
    def filling(self) -> bool:
        return self.engine is not None and self.engine.name != "none"

    @property
    def label(self) -> str:
        assert self.engine is not None
        return label(self.engine, self.lang)

    def articles(self, sources: Iterable[Path]) -> Summary:
        """Plan, fill and write every article; stopped or interrupted, keep what came in."""
        try:
            for source in sources:
                work = self._alone(self.plan, source)
                if work is None:
                    continue
                if work.needs and not self.dry_run:
                    self.waiting.append(work)
                    self.pump(final=False)
                    if self._over:
                        self._write_settled()
                else:
                    self._alone(self.write, work)
            if not self.dry_run:
                self.pump(final=True)
                if self._over:
                    self.summary.stopped = EngineError(
                        f"stopped before exceeding --max-chars {self.max_chars:,}: "
                        f"{count(self.summary.sent_chars, 'character')} sent, "
                        f"{count(sum(self._over.values()), 'character')} waiting in "
                        f"{count(len(self._over), 'text')}")
        except EngineError as e:
            self.summary.stopped = e
        except KeyboardInterrupt:
            self.summary.interrupted = True
            self._land()
        finally:
            try:
                for work in self.waiting:  # partly filled: every draft received is kept
                    self._alone(self.write, work)
                self.waiting = []
            finally:
                if self.cache is not None and self.save_cache:
                    self.cache.save()
        return self.summary

    def _alone(self, step: Callable[[T], object], item: T):  # noqa: ANN202
        """One article's step; bad input or a file that cannot be written is noted, and
        the other articles go on."""
        try:
            return step(item)
        except InputError as e:
            self.summary.errors.append(e)
            if self.done:
                self.done(1)
            return None

    # -- plan

    def plan(self, source: Path) -> Prepared | None:
        """Read and update an article's catalog, fill it from memory and queue the rest;
        None when a record shows nothing changed since the last run."""
        name = self.config.display(source)
        cat_path = self.config.catalog_path(source, self.lang)  # refuses what is no article
        raw = read_bytes(source)
        cat = read(cat_path)
        if self.cache is not None:
            out = read(self.config.output_path(source, self.lang)) if self.write_output else b""
            done = self.cache.get(str(name), self._key(raw, cat, out))
            # A record holds until the day an obsolete entry of the catalog is due to go.
            if done is True or (isinstance(done, str) and self.today < date.fromisoformat(done)):
                self.summary.outcomes.append(Outcome(name, self.lang, False, False,
                                                     catalog.UpdateResult(), None, None))
                log.info("%s [%s]: as the last run left it: skipped", name, self.lang)
                if self.done:
                    self.done(1)
                return None
        old = pofile.loads(decode(cat, cat_path), cat_path) if cat is not None else None
        work = prepare(self.config, self.lang, source, decode(raw, name), old, self.today)
        work.raw, work.catalog_read, work.links = raw, cat, self.links
        u = work.update
        log.info("%s [%s]: extract: %s; catalog: %d new, %d changed, %d obsolete", name, self.lang,
                 count(len(work.segments), "segment"), u.added, u.fuzzy, u.obsoleted)
        if self.filling:
            known = self._fill_known(work)
            if work.embargoed and self.engine.external and not self.include_drafts:
                log.info("%s: embargoed, not sent to %s", name, self.engine.name)
                if work.needs:
                    self.summary.embargoed.append(name)
                work.needs.clear()
            # A text several articles need is sent once, with the first one's context.
            about = context.of(work.segments)
            for text in sorted(work.needs, key=_order(work.po)):
                if text in self.queue or text in self._in_air or text in self._following \
                        or text in self._over:
                    continue
                leader = self._leader(text)
                if leader != text:  # sent as another text: its reply makes this draft too
                    self._followers.setdefault(leader, []).append(text)
                    self._following.add(text)
                    continue
                self.queue[text] = Job(text, about)
                self._asked_by[text] = source
                if self.dry_run:
                    self._would_send(text)
            log.info("%s [%s]: drafts: %s filled from memory and this run, %s for %s", name, self.lang,
                     count(known, "entry", "entries"), count(len(work.needs), "text"), self.engine.name)
        return work

    def _would_send(self, text: str) -> None:
        """Count ``text`` as a dry run's: sent if it fits under ``max_chars`` with what is
        counted before it (whole texts, in the order the run sends them), else waiting."""
        cost = self._cost(text)
        if self.max_chars is not None and self.summary.pending_chars + cost > self.max_chars:
            self.summary.waiting_segments += 1
            self.summary.waiting_chars += cost
        else:
            self.summary.pending_segments += 1
            self.summary.pending_chars += cost

    def _fill_known(self, work: Prepared) -> int:
        """Fill entries from this run's drafts and the language's memory (how many it
        filled); note what remains."""
        if not _untranslated(work.po, self.label):
            return 0
        before = work.drafted
        filled = 0
        if self._known is None:  # read every catalog only when a text needs it
            self._known = self.memory(self.config, self.lang)
            self._imported = self.imported(self.config, self.lang)
        reviewed, drafts = self._known
        for e in work.po:
            if not _open(e, self.label):
                continue
            if e.msgid in reviewed:
                catalog.set_draft(e, reviewed[e.msgid], "memory", self.today)
                filled += 1
            elif e.msgid in self._imported:  # a pair imported from TMX: a draft, never reviewed
                unit = self._imported[e.msgid]
                catalog.set_draft(e, unit.target, memories.label(unit.origin), self.today)
                filled += 1
            elif (self.label, e.msgid) in drafts:
                catalog.set_draft(e, drafts[(self.label, e.msgid)], self.label, self.today)
                filled += 1
            elif e.msgid in self.received or self._rebuilt(e.msgid):
                self._apply(work, e)
            elif self.engine.name != "memory":
                work.needs.add(e.msgid)
        return filled + work.drafted - before

    def _protected(self, text: str) -> str | None:
        """What the engine sends for ``text``, for engines that protect markup first."""
        protect = getattr(self.engine, "protected", None)
        return protect(text) if protect is not None else None

    def _cost(self, text: str) -> int:
        """Characters the engine is sent (and DeepL bills) for ``text``: as the engine counts
        them, else its protected form, else the text."""
        cost = getattr(self.engine, "cost", None)
        if cost is not None:
            return cost(text)
        key = self._protected(text)
        return len(key if key is not None else text)

    def _leader(self, text: str) -> str:
        """The text sent for ``text``: the first queued with the same protected form (two
        segments that differ only in a link target or image source are one to the engine)."""
        key = self._protected(text)
        if key is None:
            return text
        return self._sent_as.setdefault(key, text)

    def _rebuilt(self, text: str) -> bool:
        """Make the draft of ``text`` from an earlier reply to the same protected text."""
        key = self._protected(text)
        reply = self._replies.get(key) if key is not None else None
        if reply is None:
            return False
        self.received[text] = self.engine.rebuild(text, reply)
        return True

    def _key(self, raw: bytes, po: bytes | None, out: bytes | None) -> str:
        site = self.links.fingerprint(raw.decode("utf-8", "replace")) if self.links is not None else b""
        return digest(raw, po, out if self.write_output else b"", site)

    # -- fill

    @property
    def concurrency(self) -> int:
        """Batches in flight at once: an external engine's setting; local engines run here."""
        external = self.engine is not None and self.engine.external
        return max(1, getattr(self.engine, "concurrency", 1)) if external else 1

    def _full(self) -> bool:
        """Enough texts waiting (not yet sent) for a full batch."""
        if not self.queue:
            return False
        return (len(self.queue) >= self.engine.max_batch or
                sum(len(t) for t in self.queue) >= self.engine.max_batch_chars)

    def pump(self, final: bool) -> None:
        """Send batches, up to :attr:`concurrency` at once, and store each as it comes back.

        Returns while more articles could fill the next batch (unless ``final``); raises the
        first fault once every batch in flight is back, so nothing paid for is dropped.
        """
        while True:
            while (self._fault is None and len(self._flying) < self.concurrency and self.queue
                   and (final or self._full())):
                self._launch()
            if not self._flying:
                if self._fault is not None:
                    raise self._fault
                return
            if not final and self._fault is None and len(self._flying) < self.concurrency and not self._full():
                return
            self._receive(*self._done.get())

    def _land(self) -> None:
        """After Ctrl-C: wait for the batches already sent (DeepL bills them) and keep their
        drafts; a second Ctrl-C stops waiting."""
        self.queue.clear()
        try:
            while self._flying:
                self._receive(*self._done.get())
        except KeyboardInterrupt:
            pass

    def _launch(self) -> None:
        batch = self._next_batch()
        if not batch:  # every text left waits: over --max-chars
            return
        chars = sum(self._cost(j.text) for j in batch)
        self._reserved += chars  # in flight: --max-chars counts it already
        for job in batch:
            del self.queue[job.text]
            self._in_air.add(job.text)
        key = object()
        self._flying.add(key)
        if not self.engine.external:  # on this machine: nothing billed, nothing to wait for
            try:
                self._done.put((key, batch, self._translate(batch)))
            except BaseException:
                self._flying.discard(key)
                raise
            return
        threading.Thread(target=lambda: self._done.put((key, batch, self._translate(batch))),
                         daemon=True, name="l10n-batch").start()

    def _translate(self, batch: list[Job]) -> BatchResult | L10nError:
        try:
            return self.engine.translate(batch, source=self.config.source_lang, target=self.lang)
        except L10nError as e:  # e.g. a language the engine does not have
            return e

    def _receive(self, key: object, batch: list[Job], result: BatchResult | L10nError) -> None:
        """Store a batch's drafts in every waiting catalog; note its fault."""
        self._flying.discard(key)
        self._in_air.difference_update(j.text for j in batch)
        self._reserved -= sum(self._cost(j.text) for j in batch)
        if isinstance(result, L10nError):
            result = BatchResult((None,) * len(batch), result)
        fault = result.fault
        got, rebuilt = [], []
        replies = result.replies or (None,) * len(batch)
        for job, draft, reply in zip(batch, result.drafts, replies):
            if draft is None:
                if fault is None:
                    fault = EngineError(f"{self.engine.name} returned no draft for a text")
                continue
            got.append(job.text)
            self.received[job.text] = draft
            if reply is not None:
                self._replies[self._protected(job.text)] = reply
                for text in self._followers.pop(job.text, ()):
                    self.received[text] = self.engine.rebuild(text, reply)
                    self._following.discard(text)
                    rebuilt.append(text)
            asker = self._asked_by.pop(job.text, None)
            if asker is not None:
                self._chars_for[asker] = self._chars_for.get(asker, 0) + self._cost(job.text)
        chars = sum(self._cost(t) for t in got)
        self.summary.sent_segments += len(got)
        self.summary.sent_chars += chars
        if self.progress:
            self.progress(len(got), chars)
        self._store(set(got) | set(rebuilt))
        if fault is not None and self._fault is None:
            self._fault = fault

    def _next_batch(self) -> list[Job]:
        """The next batch, of whole texts that fit under ``max_chars`` with what is sent and
        in flight; a text that does not fit waits (smaller ones after it may still go)."""
        batch, chars, over = [], 0, []
        left = None if self.max_chars is None else self.max_chars - self.summary.sent_chars - self._reserved
        # An engine that takes the context per request gets one context per batch.
        same = getattr(self.engine, "context_per_request", False)
        for job in self.queue.values():
            cost = self._cost(job.text)
            if left is not None and chars + cost > left:  # what is left only shrinks: it waits
                over.append(job.text)
                continue
            if same and batch and job.context != batch[0].context:
                continue
            if batch and (len(batch) >= self.engine.max_batch or
                          chars + cost > self.engine.max_batch_chars):
                break
            batch.append(job)
            chars += cost
        for text in over:
            del self.queue[text]
            self._asked_by.pop(text, None)
            self._over[text] = self._cost(text)
        return batch

    def _waits(self, text: str) -> bool:
        """Whether ``text`` waits for a later run (it, or the text sent for it, is over
        ``max_chars``)."""
        return text in self._over or (text in self._following and self._leader(text) in self._over)

    def _write_settled(self) -> None:
        """Write the waiting articles whose drafts are all in, but for texts over
        ``max_chars``: nothing more will come for them in this run."""
        still = []
        for work in self.waiting:
            if all(t in self.received or self._waits(t) for t in work.needs):
                self._alone(self.write, work)
            else:
                still.append(work)
        self.waiting = still

    def _store(self, texts: set[str]) -> None:
        """Make drafts durable: save every waiting catalog they fill; write the articles
        whose drafts are now all in."""
        still = []
        for work in self.waiting:
            if not work.needs & texts:
                still.append(work)
            elif work.needs <= self.received.keys():
                self._alone(self.write, work)
            elif self._alone(self._save_received, work):
                still.append(work)  # a catalog that cannot be read or written: named, let go
        self.waiting = still

    def _save_received(self, work: Prepared) -> bool:
        self._apply_received(work)
        self.save_catalog(work)
        return True

    def _apply(self, work: Prepared, entry: polib.POEntry) -> None:
        draft = self.received.get(entry.msgid)
        if draft:
            catalog.set_draft(entry, draft, self.label, self.today)
            work.drafted += 1

    def _apply_received(self, work: Prepared) -> None:
        for e in work.po:
            if e.msgid in work.needs and e.msgid in self.received and _open(e, self.label):
                self._apply(work, e)

    # -- write

    def save_catalog(self, work: Prepared) -> bool:
        """Replace the catalog only if it is still the file that was read. When a translator
        saved it meanwhile, start again from their file: update it, put this run's drafts
        into the entries still untranslated there, and try again."""
        path = self.config.catalog_path(work.source, self.lang)
        for _ in range(SAVE_ATTEMPTS):
            text = pofile.dumps(work.po)
            try:
                wrote = write_atomic(path, text, expected=work.catalog_read)
            except Changed:
                current = read(path)
                old = pofile.loads(decode(current, path), path) if current is not None else None
                work.po, work.update = _update(self.config, self.lang, work.source, work.segments,
                                               old, self.today)
                work.catalog_read, work.old = current, old
                if self.filling:
                    self._apply_received(work)
                continue
            work.catalog_read = text.encode("utf-8")
            work.saved = work.saved or wrote
            return wrote
        raise InputError("kept changing while l10n tried to save it; rerun when it is quiet", path=path)

    def write(self, work: Prepared) -> None:
        """Write an article's catalog and German file with every draft received so far."""
        self._write(work)
        if self.done:
            self.done(1)

    def _write(self, work: Prepared) -> None:
        self._apply_received(work)
        outcome = Outcome(self.config.display(work.source), self.lang, False, False, work.update,
                          None, None, work.drafted, sent_chars=self._chars_for.pop(work.source, 0))
        self.summary.outcomes.append(outcome)
        if not self.dry_run:
            outcome.catalog_written = self.save_catalog(work) or work.saved  # may read a translator's save
        outcome.stats = catalog.Stats.of(work.po)
        if self.dry_run:
            return
        out: bytes | None = b""  # the German file as this run leaves it (None: there is none)
        if self.write_output:
            found = publication(self.config, work)
            outcome.progress, outcome.withheld = found.progress, len(found.withheld())
            written, outcome.refused = write_output(self.config, work, found.text, self.force, found.published)
            outcome.output_written, outcome.removed = written and found.published, written and not found.published
            log.info("%s [%s]: merge: %s", outcome.source, self.lang, _merged(outcome, found.published))
            out = found.text.encode() if found.published else None
        if self.cache is not None:
            name = str(self.config.display(work.source))
            complete = not self.filling or not _untranslated(work.po, self.label) or (
                work.embargoed and not self.include_drafts)
            if complete and not outcome.refused and self.summary.stopped is None:
                until = catalog.expiry(work.po, self.config.obsolete_days)
                self.cache.put(name, self._key(work.raw, work.catalog_read, out),
                               until.isoformat() if until else True)
            else:
                self.cache.forget(name)


def label(engine: Engine, lang: str | None = None) -> str:
    """The engine and its settings as recorded in drafts into ``lang``: only drafts of the
    same label are reused (``label_for(lang)`` when the engine has it, e.g. the glossary
    terms of that language)."""
    label_for = getattr(engine, "label_for", None)
    if label_for is not None and lang is not None:
        return label_for(lang)
    return getattr(engine, "label", engine.name)


def cache_scope(lang: str, engine: Engine | None, write_output: bool) -> tuple[str, ...]:
    """What a run's records depend on besides the files: command, language, engine."""
    return ("translate" if write_output else "extract", lang, label(engine, lang) if engine is not None else "none")


def _open(entry: polib.POEntry, label: str | None = None) -> bool:
    """A live entry of l10n's own that an engine may fill: untranslated or, given the
    engine's ``label``, an unedited draft of the same engine made under other settings."""
    if entry.obsolete or not entry.msgid or not catalog.is_own(entry):
        return False
    found = catalog.state(entry)
    return found == UNTRANSLATED or (label is not None and found == DRAFT and _stale(entry, label))


def _stale(entry: polib.POEntry, label: str) -> bool:
    """A draft by the engine of ``label`` (``deepl/...``) under other recorded settings.

    A label without a settings digest (``deepl/prefer_less``, written before settings were
    recorded) says nothing about them: that paid draft is kept, not billed again."""
    mark = catalog.machine(entry)
    engine = label.split("/")[0]
    return (mark is not None and "/" in label and mark.engine != label
            and mark.engine.split("/")[0] == engine and mark.engine.count("/") == label.count("/"))


def _untranslated(po: polib.POFile, label: str | None = None) -> bool:
    """Whether an engine could still add something to this catalog."""
    return any(_open(e, label) for e in po)


def _order(po: polib.POFile) -> Callable[[str], int]:
    position = {e.msgid: i for i, e in enumerate(po)}
    return lambda text: position.get(text, len(position))


def merge_only(config: Config, lang: str, sources: Sequence[Path], jobs: int | None = None,
               force: bool = False, site: Links | None = None, tidy: bool = True,
               done: Callable[[int], None] | None = None) -> Summary:
    """Rebuild target articles from the catalogs as they are, without updating them; delete
    those of articles with nothing published and (``tidy``) those left from deleted articles.
    ``done`` is told how many articles each finished chunk held."""
    summary = Summary()
    site = site if site is not None else site_links(config, lang, jobs=jobs)
    shown = _shown(config, lang, sources) if tidy else {}
    for part in parallel(partial(_merge_chunk, config, lang, force, site), sources, jobs):
        summary.outcomes.extend(part.outcomes)
        summary.errors.extend(part.errors)
        if done:
            done(len(part.outcomes) + len(part.errors))
    if tidy:
        _follow(config, lang, shown, site, jobs, force, summary)
        remove_orphans(config, lang, force, summary)
    return summary


def _merge_chunk(config: Config, lang: str, force: bool, site: Links, sources: list[Path]) -> Summary:
    summary = Summary()
    for source in sources:
        try:
            summary.outcomes.append(_merge_one(config, lang, force, site, source))
        except InputError as e:
            summary.errors.append(e)
    return summary


def _merged(outcome: Outcome, published: bool) -> str:
    """What a merge did to an article's German file, for ``-v``."""
    if outcome.refused:
        return "German file edited by hand: kept"
    if outcome.removed:
        return "German file removed (nothing of it is published)"
    if not published:
        return "nothing published yet: no German file"
    return f"German file {'written' if outcome.output_written else 'unchanged'}"


def _merge_one(config: Config, lang: str, force: bool, site: Links | None, source: Path) -> Outcome:
    config.relative(source)  # refuses what is no article
    text = decode(read_bytes(source), config.display(source))
    skeleton, segments = extract(text, config.display(source), config.front_matter)
    refuse_clashes(config, skeleton.article, source)
    po = load_catalog(config.catalog_path(source, lang)) or catalog.new_catalog(lang, "l10n")
    work = Prepared(source, lang, skeleton, segments, po, catalog.UpdateResult(), False, old=po, links=site)
    found = publication(config, work)
    wrote, refused = write_output(config, work, found.text, force, found.published)
    outcome = Outcome(config.display(source), lang, False, wrote and found.published, catalog.UpdateResult(),
                      catalog.Stats.of(po), found.progress, withheld=len(found.withheld()),
                      refused=refused, removed=wrote and not found.published)
    log.info("%s [%s]: merge: %s", outcome.source, lang, _merged(outcome, found.published))
    return outcome


# -- many articles on several cores ------------------------------------------------

#: Articles per task handed to a worker process: large enough to amortise the hand-over,
#: small enough to balance the load and keep each worker's memory flat.
CHUNK = 64


def run_many(config: Config, lang: str, today: date, sources: Sequence[Path],
             engine: Engine | None = None, jobs: int | None = None, **options) -> Summary:
    """:class:`Run` over ``sources``, on ``jobs`` worker processes where that is safe.

    Work is split only when the engine (if any) is local: an external engine's run stays in
    one process, so that each text is sent once and drafts are written batch by batch.

    Writing German files, articles link to the German articles published when the run
    starts; when the run publishes (or unpublishes) an article, every German file of the
    site is brought up to date at the end (:attr:`Summary.relinked`), and German files
    left from deleted articles are removed (:func:`remove_orphans`).
    """
    if not options.get("write_output", True) or options.get("dry_run"):
        return _run_many(config, lang, today, sources, engine, jobs, **options)
    before = options.pop("links", None) or site_links(config, lang, jobs=jobs)
    shown = _shown(config, lang, sources)
    summary = _run_many(config, lang, today, sources, engine, jobs, links=before, **options)
    if summary.interrupted:
        return summary
    after = site_links(config, lang, jobs=jobs)
    force = options.get("force", False)
    if (before.pairs, before.articles, before.pages) != (after.pairs, after.articles, after.pages):
        _relink(config, lang, _relinked(config, before, after), after, jobs, force, summary)
    else:
        _follow(config, lang, shown, after, jobs, force, summary)
    remove_orphans(config, lang, force, summary)
    return summary


def _shown(config: Config, lang: str, sources: Sequence[Path]) -> dict[str, bool]:
    """Whether each source article's German file is on disk, by its page: the state the
    German files linking to it were written for (its catalog may have changed since)."""
    out = {}
    for source in sources:
        try:
            out[config.page(source)] = config.output_path(source, lang).exists()
        except (ValueError, L10nError):
            continue  # not a source article: refused where it is processed
    return out


def _follow(config: Config, lang: str, shown: Mapping[str, bool], site: Links, jobs: int | None,
            force: bool, summary: Summary) -> None:
    """Bring the German files linking to the articles whose German file came or went (by
    ``shown``, before) up to date with ``site``."""
    toggled = frozenset(page for page, existed in shown.items() if existed != (page in site.published_pages))
    if toggled:
        _relink(config, lang, _relinked(config, _as_shown(site, toggled), site), site, jobs, force, summary)


def _relink(config: Config, lang: str, sources: list[Path], site: Links, jobs: int | None, force: bool,
            summary: Summary) -> None:
    """Merge ``sources`` again for their links, told in ``summary`` (each refusal once)."""
    done = merge_only(config, lang, sources, jobs, force, site, tidy=False)
    said = {o.refused for o in summary.outcomes} | {str(e) for e in summary.errors}
    summary.relinked = [o.source for o in done.outcomes if o.output_written or o.removed]
    summary.outcomes += [o for o in done.outcomes if o.refused and o.refused not in said]
    summary.errors += [e for e in done.errors if str(e) not in said]


def _as_shown(site: Links, toggled: frozenset[str]) -> Links:
    """``site`` with the publication of the ``toggled`` pages, and of their addresses,
    reversed: the site as German files written before they came or went saw it."""
    published, pages = site.published, site.published_pages
    assert isinstance(published, _Published) and isinstance(pages, _Published)  # as site_links makes them
    sources = {s for page in toggled for s in pages.sources(page)}
    addresses = frozenset(a for a in published.names() if sources.intersection(published.sources(a)))
    return replace(site, published=_Toggled(published, addresses), published_pages=_Toggled(pages, toggled))


class _Toggled(Set):
    """A set of names with the membership of ``names`` reversed."""

    def __init__(self, base: AbstractSet[str], names: frozenset[str]) -> None:
        self._base, self._names = base, names

    def __contains__(self, name: object) -> bool:
        return (name in self._base) != (name in self._names)

    def __iter__(self) -> Iterator[str]:
        yield from (n for n in self._base if n not in self._names)
        yield from (n for n in self._names if n not in self._base)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _relinked(config: Config, before: Links, after: Links) -> list[Path]:
    """The articles whose German text may differ between the two states of the site's
    links: those that mention an address whose state changed (:meth:`Links.fingerprint`).
    (An article's own German file follows its own catalog, written in the run itself.)"""
    out = []
    for source in config.articles():
        try:
            text = decode(read_bytes(source), source)
        except InputError:
            continue  # named where the article is processed
        if before.fingerprint(text) != after.fingerprint(text) or before.pairs != after.pairs:
            out.append(source)
    return out


def remove_orphans(config: Config, lang: str, force: bool, summary: Summary) -> None:
    """Delete the German files of source articles that no longer exist, when l10n wrote
    them (their stamp matches); one edited by hand, or without a stamp, is kept unless
    ``force`` and named in ``summary`` as refused."""
    base = config.target_dir(lang)
    if not base.exists():
        return
    # every source there is, a bad one too (it is refused where it is processed): its German
    # file is not an orphan
    known = {s.relative_to(config.source_dir) for s in config.articles()}
    for path in sorted(base.rglob("*.md")):
        rel = path.relative_to(base)
        if rel in known:
            continue
        current = read(path)
        try:
            text = current.decode("utf-8") if current is not None else None
        except UnicodeDecodeError:
            text = ""
        show = config.display(path)
        if text is None:
            continue
        if not force and publish.edited_by_hand(text, config.state_key) is not False:
            summary.outcomes.append(Outcome(show, lang, False, False, catalog.UpdateResult(), None, None,
                                            refused=f"{show} has no source article {config.display(config.source_dir / rel)} "
                                                    "but was edited by hand (or has no stamp): not removed. "
                                                    "Delete it, or rerun with --force"))
            continue
        try:
            if remove(path, expected=current):
                summary.outcomes.append(Outcome(show, lang, False, False, catalog.UpdateResult(), None, None,
                                                removed=True))
        except Changed:
            summary.outcomes.append(Outcome(show, lang, False, False, catalog.UpdateResult(), None, None,
                                            refused=f"{show} changed while l10n removed it: kept; rerun"))
        except InputError as e:
            summary.errors.append(e)


def _run_many(config: Config, lang: str, today: date, sources: Sequence[Path],
              engine: Engine | None = None, jobs: int | None = None, **options) -> Summary:
    local = engine is None or not engine.external
    if not local or options.get("dry_run"):
        return Run(config, lang, today, engine, **options).articles(sources)
    done = options.pop("done", None)  # stays in this process: told as each chunk comes back
    summary = Summary()
    _MEMORY.clear()  # a snapshot per run, never one left from an earlier run in this process
    _IMPORTED.clear()
    cache = Cache(config, *cache_scope(lang, engine, options.get("write_output", True))) \
        if options.get("use_cache", True) else None
    work = partial(_run_chunk, config, lang, today, engine, options)
    try:
        for part, records in parallel(work, sources, jobs):
            summary.outcomes.extend(part.outcomes)
            for name in ("sent_segments", "sent_chars", "pending_segments", "pending_chars",
                         "waiting_segments", "waiting_chars"):
                setattr(summary, name, getattr(summary, name) + getattr(part, name))
            summary.stopped = summary.stopped or part.stopped
            summary.errors.extend(part.errors)
            summary.embargoed.extend(part.embargoed)
            summary.interrupted = summary.interrupted or part.interrupted
            if done:
                done(len(part.outcomes) + len(part.errors))
            if cache is not None:
                for article, record in records.items():
                    if record is None:
                        cache.forget(article)
                    else:
                        cache.put(article, record[0], record[1])
    except KeyboardInterrupt:
        summary.interrupted = True
    if cache is not None:
        cache.save()
    return summary


def parallel(work: Callable[[list[Path]], T], sources: Sequence[Path], jobs: int | None = None) -> Iterator[T]:
    """``work`` over chunks of ``sources``, in order, on ``jobs`` processes (default:
    ``$L10N_JOBS``, else every core). Workers end when this process dies."""
    jobs = jobs if jobs is not None else default_jobs()
    chunks = _chunks(sources, jobs)
    if jobs <= 1 or len(chunks) <= 1:
        yield from map(work, chunks)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_start_worker,
                             initargs=(os.getpid(), work)) as pool:
        yield from pool.map(_work_on, chunks)


#: A worker's task, given once when the worker starts (:func:`_start_worker`).
_WORK: Callable[[list[Path]], object] | None = None


def _start_worker(parent: int, work: Callable[[list[Path]], object]) -> None:
    """In a worker: keep ``work`` and guard against being orphaned. The task reaches each
    worker once (inherited by a forked worker, pickled once by a spawned one), not with
    every chunk: it holds the site's links, a megabyte and more on a large site, whose
    pickling per chunk made a check's cost grow with the square of the site."""
    global _WORK
    _WORK = work
    _orphan_guard(parent)


def _work_on(sources: list[Path]) -> object:
    assert _WORK is not None
    return _WORK(sources)


def _chunks(sources: Sequence[Path], jobs: int) -> list[list[Path]]:
    """``sources`` in chunks of :data:`CHUNK`, smaller towards the end (down to an eighth
    of it), so that the workers finish at about the same time: the last chunk handed out
    is not a whole one while the other workers wait.

    >>> [len(c) for c in _chunks([Path(str(i)) for i in range(150)], 2)]
    [18, 16, 14, 12, 11, 9, 8, 8, 8, 8, 8, 8, 8, 8, 6]
    """
    out: list[list[Path]] = []
    i = 0
    while i < len(sources):
        size = max(1, min(CHUNK, max(CHUNK // 8, (len(sources) - i) // (4 * jobs))))
        out.append(list(sources[i:i + size]))
        i += size
    return out


def _orphan_guard(parent: int) -> None:
    """In a worker: end when the parent process is gone (even after ``kill -9``), instead
    of waiting for ever on a pipe nobody will write to."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="l10n-orphan-guard").start()


def default_jobs() -> int:
    """Worker processes to use: ``$L10N_JOBS`` (1 runs everything in this process), else one
    per core."""
    value = os.environ.get("L10N_JOBS", "").strip()
    if not value:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"L10N_JOBS must be a whole number of processes, 1 or more (not {value!r})")
    return int(value)


def _run_chunk(config: Config, lang: str, today: date, engine: Engine | None, options: dict,
               sources: list[Path]) -> tuple[Summary, dict[str, list | None]]:
    """One worker's task: a Run over a chunk, returning its cache records instead of saving."""
    run = Run(config, lang, today, engine, save_cache=False, memory=_memory_once,
              imported=_imported_once, **options)
    summary = run.articles(sources)
    records: dict[str, list | None] = {}
    if run.cache is not None:
        for source in sources:
            name = str(config.display(source))
            records[name] = run.cache.records.get(name)
    return summary, records


_MEMORY: dict[tuple[Path, str], tuple[dict, dict]] = {}


def _memory_once(config: Config, lang: str) -> tuple[dict, dict]:
    """The language's memory, read once per process: workers get many chunks of one run.

    A snapshot is enough for local engines: the run adds no reviewed entries, and a draft
    of theirs costs nothing to make again.
    """
    key = (config.locales_dir, lang)
    if key not in _MEMORY:
        _MEMORY[key] = memory(config, lang)
    return _MEMORY[key]


_IMPORTED: dict[tuple[Path, str], dict] = {}


def _imported_once(config: Config, lang: str) -> dict:
    """The language's imported memory, read once per process (as :func:`_memory_once`)."""
    key = (config.locales_dir, lang)
    if key not in _IMPORTED:
        _IMPORTED[key] = memories.imported(config, lang)
    return _IMPORTED[key]


def _context():  # noqa: ANN202 - a multiprocessing context
    """``fork`` where the platform has it (no re-import per worker), else the default."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
