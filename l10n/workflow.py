"""Orchestration over many articles: extract, fill, merge, with I/O at the edges.

Articles stream through one at a time; only texts waiting for a machine draft keep their
catalogs in memory, and every catalog is written as soon as its drafts are in, so a run
stopped by an engine fault keeps everything received and resumes where it stopped. Without
an external engine, chunks of articles go to worker processes, one per core.
"""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

import polib

from . import catalog, markup, merge, pofile
from .catalog import DRAFT, NEEDS_UPDATE, REVIEWED, UNTRANSLATED
from .cache import Cache, digest, read
from .config import Config
from .engines.base import Engine, Job
from .errors import ConfigError, EngineError
from .extract import Segment, Skeleton, extract
from .fsutil import decode, read_bytes, read_text, write_atomic

log = logging.getLogger(__name__)
T = TypeVar("T")


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
    needs: set[str] = field(default_factory=set)
    raw: bytes = b""  # the source as read, for the cache key


@dataclass
class Outcome:
    """What happened to one article in one language."""

    source: Path
    lang: str
    catalog_written: bool
    output_written: bool
    update: catalog.UpdateResult
    stats: catalog.Stats | None  # None: skipped, unchanged since the last run
    published: merge.Outcome | None
    drafted: int = 0
    rejected: int = 0
    sent_chars: int = 0


@dataclass
class Summary:
    """A run's totals: what was sent to the engine and what each article became."""

    outcomes: list[Outcome] = field(default_factory=list)
    sent_segments: int = 0
    sent_chars: int = 0
    rejected: int = 0
    pending_segments: int = 0
    pending_chars: int = 0
    stopped: EngineError | None = None

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
    po, result = catalog.update(
        old, segments, str(config.display(source)), lang, today=today,
        similarity=config.similarity, obsolete_days=-1 if keep_obsolete else config.obsolete_days)
    meta = skeleton.article.metadata
    embargoed = any(meta.get(key) is True for key in config.front_matter.embargo)
    return Prepared(source, lang, skeleton, segments, po, result, embargoed)


def translation_problems(source: str, translation: str, kind: str | None,
                         skeleton: Skeleton) -> list:
    """Markup problems of a translation as it would be published in this article."""
    if translation == source:
        return []  # the source itself: nothing broken, nothing added
    kind = kind or "paragraph"
    published = merge.adapt(source, translation, kind, skeleton.labels)
    if published == source or (_plain(source) and _plain(published)):
        return []  # nothing that markup could break or smuggle in
    refs = tuple(sorted((k, v.get("href", ""), v.get("title", "")) for k, v in skeleton.references.items())
                 ) if "[" in published or "[" in source else ()
    return _check(source, published, kind, refs)


# Characters and words that can make or break markup: a text with none of them is prose.
_MARKUP = re.compile(r"[`*_\[\]<>&\\|{}%$\n]|https?:|www\.|mailto:|script:|data:|^[\s#>+\-=\d]|[ \t]$")


def _plain(text: str) -> bool:
    return _MARKUP.search(text) is None


@lru_cache(maxsize=4096)
def _check(source: str, published: str, kind: str, refs: tuple) -> list:
    """The markup check, remembered: boilerplate repeats across thousands of articles."""
    references = {k: {"href": href, "title": title} for k, href, title in refs}
    return markup.check(source, published, references=references or None, kind=kind)


def usable(po: polib.POFile, policy: str, segments: Sequence[Segment],
           skeleton: Skeleton) -> tuple[dict[str, str], dict[str, str]]:
    """The translations the merger may publish, and the states of those it uses.

    Reviewed entries always, machine drafts under the ``drafts`` policy; never an entry that
    needs update, nor one whose markup check fails (the source text is published instead).
    """
    kinds = {s.text: s.kind for s in segments}
    chosen: dict[str, str] = {}
    states: dict[str, str] = {}
    for e in po:
        if e.obsolete or not e.msgid or not e.msgstr or e.msgid not in kinds:
            continue
        s = catalog.state(e)
        if s == NEEDS_UPDATE or (s == DRAFT and policy != "drafts"):
            continue
        if s == DRAFT and catalog.problems(e):
            continue
        if translation_problems(e.msgid, e.msgstr, kinds[e.msgid], skeleton):
            continue
        chosen[e.msgid] = e.msgstr
        states[e.msgid] = s
    return chosen, states


def render(config: Config, lang: str, skeleton: Skeleton, segments: Sequence[Segment],
           po: polib.POFile) -> tuple[str, merge.Outcome]:
    """The target article for a catalog, per the publish policy."""
    translations, states = usable(po, config.publish, segments, skeleton)
    words = reviewed = drafts = 0
    for text in {s.text for s in segments}:
        n = len(text.split())
        words += n
        reviewed += n if states.get(text) == REVIEWED else 0
        drafts += n if states.get(text) == DRAFT else 0
    outcome = merge.Outcome(words, reviewed, drafts)
    head = merge.front_matter(skeleton, segments, translations, config, lang, outcome)
    return head + merge.body(skeleton, segments, translations), outcome


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
            if e.obsolete or not e.msgid or not e.msgstr:
                continue
            s = catalog.state(e)
            if s == REVIEWED:
                reviewed.setdefault(e.msgid, e.msgstr)
            elif s == DRAFT and not catalog.problems(e):
                drafts.setdefault((catalog.machine_engine(e) or "", e.msgid), e.msgstr)
    return reviewed, drafts


@dataclass
class Run:
    """One run over articles in one language: extract, optionally fill, optionally merge."""

    config: Config
    lang: str
    today: date
    engine: Engine | None = None
    write_output: bool = True
    dry_run: bool = False
    include_drafts: bool = False
    max_chars: int | None = None
    progress: Callable[[int, int], None] | None = None
    use_cache: bool = True
    save_cache: bool = True
    memory: Callable[[Config, str], tuple[dict, dict]] = memory

    def __post_init__(self) -> None:
        self.summary = Summary()
        self.results: dict[str, str] = {}
        self.reviewed: dict[str, str] = {}
        self.drafts: dict[tuple[str, str], str] = {}
        self.queue: dict[str, Job] = {}
        self.window: list[Prepared] = []
        self._sent_by: dict[str, Path] = {}
        self._chars_for: dict[Path, int] = {}
        self._memory_loaded = False
        self.cache: Cache | None = None
        if self.use_cache and not self.dry_run:
            self.cache = Cache(self.config, *cache_scope(self.lang, self.engine, self.write_output))

    @property
    def filling(self) -> bool:
        return self.engine is not None and self.engine.name != "none"

    def articles(self, sources: Iterable[Path]) -> Summary:
        try:
            for source in sources:
                self._add(source)
                if self._queued_full():
                    self._flush()
            self._flush()
        except EngineError as e:
            self.summary.stopped = e
            self._finish(force=True)
        finally:
            if self.cache is not None and self.save_cache:
                self.cache.save()
        return self.summary

    def _key(self, raw: bytes, po: bytes | None, out: bytes | None) -> str:
        return digest(raw, po, out if self.write_output else b"")

    def _add(self, source: Path) -> None:
        cat = self.config.catalog_path(source, self.lang)
        raw = read_bytes(source)
        rel = str(self.config.display(source))
        if self.cache is not None:
            out = self.config.output_path(source, self.lang)
            done = self.cache.get(rel, self._key(raw, read(cat), read(out) if self.write_output else b""))
            # A record holds until the day an obsolete entry of the catalog is due to go.
            if done is True or (isinstance(done, str) and self.today < date.fromisoformat(done)):
                self.summary.outcomes.append(Outcome(self.config.display(source), self.lang, False, False,
                                                     catalog.UpdateResult(), None, None))
                return
        text = decode(raw, self.config.display(source))
        work = prepare(self.config, self.lang, source, text, load_catalog(cat), self.today)
        work.raw = raw
        if self.filling:
            self._fill_known(work)
            if work.embargoed and self.engine.external and not self.include_drafts:
                log.info("%s: embargoed, not sent to %s", self.config.display(source), self.engine.name)
                work.needs.clear()
            title = next((s.text for s in work.segments if s.key == "title"), None)
            for needed in dict.fromkeys(e.msgid for e in work.po if e.msgid in work.needs):  # in order
                if needed not in self.queue:
                    self.queue[needed] = Job(needed, title)
                    self._sent_by[needed] = source
        self.window.append(work)
        if not work.needs or self.dry_run:
            self._finish()

    @property
    def label(self) -> str:
        assert self.engine is not None
        return label(self.engine)

    def _fill_known(self, work: Prepared) -> None:
        """Fill entries from this run's drafts and the language's memory; note what remains."""
        assert self.engine is not None
        if not _untranslated(work.po):
            return
        if not self._memory_loaded:  # read every catalog only when a text needs it
            self.reviewed, self.drafts = self.memory(self.config, self.lang)
            self._memory_loaded = True
        for e in work.po:
            if e.obsolete or catalog.state(e) != UNTRANSLATED or not e.msgid:
                continue
            if e.msgid in self.reviewed:
                catalog.set_draft(e, self.reviewed[e.msgid], "memory", self.today)
            elif (self.label, e.msgid) in self.drafts:
                catalog.set_draft(e, self.drafts[(self.label, e.msgid)], self.label, self.today)
            elif e.msgid in self.results:
                self._apply(e, self.results[e.msgid], work)
            elif self.engine.name != "memory":
                work.needs.add(e.msgid)

    def _apply(self, entry: polib.POEntry, draft: str, work: Prepared) -> None:
        """Store a draft; one that fails the markup check is kept with its problems named."""
        if not draft:
            return
        assert self.engine is not None
        kind = next((s.kind for s in work.segments if s.text == entry.msgid), None)
        problems = [p.message for p in translation_problems(entry.msgid, draft, kind, work.skeleton)]
        catalog.set_draft(entry, draft, self.label, self.today, problems)

    def _queued_full(self) -> bool:
        assert self.engine is not None or not self.queue
        if not self.queue or self.dry_run:
            return False
        return (len(self.queue) >= self.engine.max_batch or
                sum(len(t) for t in self.queue) >= self.engine.max_batch_chars)

    def _flush(self) -> None:
        """Send the queue in batches; after each batch, finish the articles it completed."""
        if self.dry_run:
            self.summary.pending_segments += len(self.queue)
            self.summary.pending_chars += sum(len(t) for t in self.queue)
            self.queue.clear()
            self._finish(force=True)
            return
        while self.queue:
            batch = self._next_batch()
            chars = sum(len(j.text) for j in batch)
            if self.max_chars is not None and self.summary.sent_chars + chars > self.max_chars:
                raise EngineError(
                    f"stopped before exceeding --max-chars {self.max_chars}: "
                    f"{self.summary.sent_chars} characters sent, {sum(len(t) for t in self.queue)} waiting")
            stopped = None
            try:
                drafts = self.engine.translate(batch, source=self.config.source_lang, target=self.lang)
            except EngineError as e:  # keep the drafts received before the fault
                stopped, got = e, getattr(e, "partial", None) or []
                batch, drafts = [j for j, d in zip(batch, got) if d is not None], [d for d in got if d is not None]
                chars = sum(len(j.text) for j in batch)
            for job, draft in zip(batch, drafts):
                self.results[job.text] = draft
                del self.queue[job.text]
            self.summary.sent_segments += len(batch)
            self.summary.sent_chars += chars
            for job in batch:
                src = self._sent_by.pop(job.text, None)
                if src is not None:
                    self._chars_for[src] = self._chars_for.get(src, 0) + len(job.text)
            if self.progress:
                self.progress(len(batch), chars)
            if stopped is not None:
                raise stopped
            self._finish()
        self._finish(force=True)

    def _next_batch(self) -> list[Job]:
        assert self.engine is not None
        batch, chars = [], 0
        # An engine that takes the context per request gets one context per batch.
        same = getattr(self.engine, "context_per_request", False)
        for job in self.queue.values():
            if same and batch and job.context != batch[0].context:
                continue
            if batch and (len(batch) >= self.engine.max_batch or
                          chars + len(job.text) > self.engine.max_batch_chars):
                break
            batch.append(job)
            chars += len(job.text)
        return batch

    def _finish(self, force: bool = False) -> None:
        """Write the catalogs (and outputs) of articles whose drafts are all in."""
        keep = []
        for work in self.window:
            if not force and any(t not in self.results for t in work.needs):
                keep.append(work)
                continue
            self.summary.outcomes.append(self._write(work))
        self.window = keep

    def _write(self, work: Prepared) -> Outcome:
        drafted = rejected = 0
        for e in work.po:
            if e.msgid in work.needs and e.msgid in self.results and catalog.state(e) == UNTRANSLATED:
                self._apply(e, self.results[e.msgid], work)
                drafted += 1
                rejected += bool(catalog.problems(e))
        self.summary.rejected += rejected
        cat_path = self.config.catalog_path(work.source, self.lang)
        out_path = self.config.output_path(work.source, self.lang)
        text, published = "", None
        if self.write_output:
            text, published = render(self.config, self.lang, work.skeleton, work.segments, work.po)
        wrote_cat = wrote_out = False
        if not self.dry_run:
            po_text = pofile.dumps(work.po)
            wrote_cat = write_atomic(cat_path, po_text)
            if self.write_output:
                wrote_out = write_atomic(out_path, text)
            if self.cache is not None:
                rel = str(self.config.display(work.source))
                complete = not self.filling or not _untranslated(work.po)
                if complete and self.summary.stopped is None:
                    until = catalog.expiry(work.po, self.config.obsolete_days)
                    self.cache.put(rel, self._key(work.raw, po_text.encode(), text.encode()),
                                   until.isoformat() if until else True)
                else:
                    self.cache.forget(rel)
        return Outcome(self.config.display(work.source), self.lang, wrote_cat, wrote_out,
                       work.update, catalog.Stats.of(work.po), published, drafted, rejected,
                       self._chars_for.pop(work.source, 0))


def label(engine: Engine) -> str:
    """The engine and its settings as recorded in drafts: only drafts of the same label are
    reused (a draft made with another formality or glossary is not)."""
    return getattr(engine, "label", engine.name)


def cache_scope(lang: str, engine: Engine | None, write_output: bool) -> tuple[str, ...]:
    """What a run's records depend on besides the files: command, language, engine."""
    return ("translate" if write_output else "extract", lang, label(engine) if engine is not None else "none")


def _untranslated(po: polib.POFile) -> bool:
    """Whether an engine could still add something to this catalog."""
    return any(catalog.state(e) == UNTRANSLATED for e in po if e.msgid and not e.obsolete)


def merge_only(config: Config, lang: str, sources: Sequence[Path], jobs: int | None = None) -> Iterator[Outcome]:
    """Rebuild target articles from the catalogs as they are, without updating them."""
    for part in parallel(partial(_merge_chunk, config, lang), sources, jobs):
        yield from part


def _merge_chunk(config: Config, lang: str, sources: list[Path]) -> list[Outcome]:
    out = []
    for source in sources:
        text = read_text(source)
        skeleton, segments = extract(text, config.display(source), config.front_matter)
        po = load_catalog(config.catalog_path(source, lang)) or catalog.new_catalog(lang, "l10n")
        merged, published = render(config, lang, skeleton, segments, po)
        wrote = write_atomic(config.output_path(source, lang), merged)
        out.append(Outcome(config.display(source), lang, False, wrote, catalog.UpdateResult(),
                           catalog.Stats.of(po), published))
    return out


# -- many articles on several cores ------------------------------------------------

#: Articles per task handed to a worker process: large enough to amortise the hand-over,
#: small enough to balance the load and keep each worker's memory flat.
CHUNK = 64


def run_many(config: Config, lang: str, today: date, sources: Sequence[Path],
             engine: Engine | None = None, jobs: int | None = None, **options) -> Summary:
    """:class:`Run` over ``sources``, on ``jobs`` worker processes where that is safe.

    Work is split only when the engine (if any) is local: an external engine's run stays in
    one process, so that each text is sent once and drafts are written batch by batch.
    """
    local = engine is None or not engine.external
    if not local or options.get("dry_run"):
        return Run(config, lang, today, engine, **options).articles(sources)
    summary = Summary()
    _MEMORY.clear()  # a snapshot per run, never one left from an earlier run in this process
    cache = Cache(config, *cache_scope(lang, engine, options.get("write_output", True))) \
        if options.get("use_cache", True) else None
    work = partial(_run_chunk, config, lang, today, engine, options)
    for part, records in parallel(work, sources, jobs):
        summary.outcomes.extend(part.outcomes)
        for name in ("sent_segments", "sent_chars", "rejected", "pending_segments", "pending_chars"):
            setattr(summary, name, getattr(summary, name) + getattr(part, name))
        summary.stopped = summary.stopped or part.stopped
        if cache is not None:
            for article, record in records.items():
                if record is None:
                    cache.forget(article)
                else:
                    cache.put(article, *record)
    if cache is not None:
        cache.save()
    return summary


def parallel(work: Callable[[list[Path]], T], sources: Sequence[Path], jobs: int | None = None) -> Iterator[T]:
    """``work`` over chunks of ``sources``, in order, on ``jobs`` processes (default:
    ``$L10N_JOBS``, else every core)."""
    jobs = jobs if jobs is not None else default_jobs()
    chunks = [list(sources[i:i + CHUNK]) for i in range(0, len(sources), CHUNK)]
    if jobs <= 1 or len(chunks) <= 1:
        yield from map(work, chunks)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context()) as pool:
        yield from pool.map(work, chunks)


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
    run = Run(config, lang, today, engine, save_cache=False, memory=_memory_once, **options)
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


def _context():  # noqa: ANN202 - a multiprocessing context
    """``fork`` where the platform has it (no re-import per worker), else the default."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
