"""The sync check: do sources, catalogs and target articles agree, and is every translation safe?

It changes no file. Each problem names a file, a 1-based line, a stable code and the fix.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import polib

from . import catalog, glossary, pofile, publish, qa, workflow
from .catalog import DRAFT, NEEDS_UPDATE, REVIEWED
from .cache import Cache, digest, read
from .config import Config, printable
from .errors import L10nError
from .fsutil import read_text
from .links import Links, fragment
from .plural import count

ERROR, WARNING, INFO = "error", "warning", "info"
_HEADERS = {"Language": None, "Plural-Forms": None, "Content-Type": "text/plain; charset=UTF-8"}


@dataclass(frozen=True)
class Problem:
    """One finding; ``severity`` is ``error``, ``warning`` or ``info`` (never fails a check)."""

    file: str
    line: int
    code: str
    message: str
    severity: str = ERROR

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    problems: list[Problem]
    articles: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


def run(config: Config, langs: Iterable[str], strict: bool = False, today: date | None = None,
        use_cache: bool = True, jobs: int | None = None,
        done: Callable[[int], None] | None = None) -> Report:
    """Check every article of the site in every language, on every core; ``done`` is told
    how many articles (per language) each step finished.

    An article whose source, catalog and output hash as they did when a previous check found
    them is not checked again: its findings are replayed (see :mod:`l10n.cache`).
    """
    problems: list[Problem] = []
    sources = config.articles()
    today = today or date.today()
    for lang in langs:
        cache = Cache(config, "check", lang) if use_cache else None
        site = workflow.site_links(config, lang, use_cache, jobs)
        found: dict[Path, dict] = {}
        keys: dict[Path, str] = {}
        terms = read(config.glossary) if config.glossary is not None else None
        for source in sources:
            if cache is not None:
                raw = read(source)
                try:
                    cat, out = map(read, config.paths(source, lang))
                except L10nError:
                    continue  # no article (a bad name, a link out): reported by its check, never cached
                keys[source] = digest(raw, cat, out, terms,
                                      site.fingerprint((raw or b"").decode("utf-8", "replace")))
                hit = cache.get(str(config.display(source)), keys[source])
                if hit is not None:
                    found[source] = hit
        todo = [s for s in sources if s not in found]
        if done:
            done(len(sources) - len(todo))
        for part in workflow.parallel(partial(_check_chunk, config, lang, today, site), todo, jobs):
            for source, dicts in part:
                found[source] = dicts
                if cache is not None and source in keys:
                    cache.put(str(config.display(source)), keys[source], dicts)
            if done:
                done(len(part))
        severity = ERROR if strict else WARNING
        for source in sources:
            problems.extend(Problem(**{**p, "severity": severity}) if p["code"] in _POLICY else Problem(**p)
                            for p in found[source]["problems"])
        uses = _differing([u for source in sources for u in found[source]["uses"]], config)
        problems.extend(Problem(u.catalog, u.line, f.code, f.message, f.severity)
                        for u, f in qa.consistency(uses, policy(config, lang)))
        problems.extend(orphans(config, lang, sources))
        if cache is not None:
            cache.save()
    return Report(problems, len(sources))


_POLICY = {"machine-draft", "needs-update"}


def _check_chunk(config: Config, lang: str, today: date, site: Links | None,
                 sources: list[Path]) -> list[tuple[Path, dict]]:
    """Findings per article, as recorded: policy problems as warnings (``--strict`` upgrades),
    and the reviewed translations, which the site-wide consistency check compares."""
    out = []
    for s in sources:
        uses: list[qa.Use] = []
        problems = [p.as_dict() for p in article(config, lang, s, today, site, uses)]
        out.append((s, {"problems": problems, "uses": [
            [_short(u.source), _short(u.translation), u.catalog, u.line, sorted(u.silence)] for u in uses]}))
    return out


def _short(text: str) -> str:
    """A text's fingerprint: records keep these, not the texts, to stay small."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _differing(recorded: list[list], config: Config) -> list[qa.Use]:
    """The reviewed translations whose English has another translation somewhere, with their
    texts read again from their catalogs (records hold only fingerprints)."""
    seen: dict[str, set[str]] = {}
    for source, translation, *_ in recorded:
        seen.setdefault(source, set()).add(translation)
    suspects = [r for r in recorded if len(seen[r[0]]) > 1]
    texts: dict[tuple[str, int], tuple[str, str]] = {}
    for name in sorted({r[2] for r in suspects}):
        try:
            po = pofile.load(config.root / name)
        except L10nError:
            continue  # reported by the article's own check
        texts.update(((name, e.linenum), (e.msgid, e.msgstr)) for e in po if not e.obsolete)
    return [qa.Use(*texts[(name, line)], name, line, frozenset(silence))
            for _s, _t, name, line, silence in suspects if (name, line) in texts]


_POLICIES: dict[tuple, qa.Policy] = {}


def policy(config: Config, lang: str) -> qa.Policy:
    """The site's QA policy for ``lang``, with the glossary's terms (parsed once per content)."""
    terms = read(config.glossary) if config.glossary is not None else None
    key = (config.glossary, terms, repr(config.checks), lang)
    if key not in _POLICIES:
        entries = glossary.load(config.glossary).entries(lang) if config.glossary is not None else {}
        _POLICIES.clear()  # one site and glossary at a time
        _POLICIES[key] = replace(config.checks, glossary=entries, lang=lang)
    return _POLICIES[key]


def findings(entry: polib.POEntry, rules: qa.Policy, state: str | None = None) -> list[qa.Finding]:
    """The QA findings on one entry: every translation, machine drafts included, except the
    ``pseudo`` engine's (not German, only a trial of the pipeline). ``state``: the entry's,
    when already known."""
    if entry.obsolete or not entry.msgid or not entry.msgstr or not catalog.is_own(entry):
        return []
    mark = catalog.machine(entry)
    if mark is not None and mark.engine == "pseudo" and (state or catalog.state(entry)) == DRAFT:
        return []
    return qa.check(entry.msgid, entry.msgstr, rules, qa.silenced(entry.flags, entry.tcomment))


def entry_findings(po: polib.POFile, rules: qa.Policy) -> Iterator[tuple[polib.POEntry, list[qa.Finding]]]:
    """The QA findings on every entry of a catalog that has some."""
    for e in po:
        found = findings(e, rules)
        if found:
            yield e, found


def qa_problems(show: str, po: polib.POFile, rules: qa.Policy,
                known: Mapping[str, str] | None = None) -> Iterator[Problem]:
    """The QA findings of a catalog as problems at their entries' lines, and a warning for
    each silencer that names no check. A silencer on a fuzzy entry waits for its review;
    a finding it would silence says so. ``known``: :func:`states`, when already known."""
    for e in po:
        if e.obsolete:
            continue
        for message in qa.unknown_silencers(e.flags, e.tcomment):
            yield Problem(show, e.linenum, "unknown-silencer", message, WARNING)
        s = known.get(e.msgid) if known is not None and catalog.is_own(e) else None
        found = findings(e, rules, s)
        if not found:
            continue
        s = s or catalog.state(e)
        where = "" if s == REVIEWED else f" ({s})"
        waiting = set(qa.silencers(e.flags, e.tcomment)) if s != REVIEWED else set()
        for f in found:
            hint = (f"; its ignore-{f.code} counts once the entry is reviewed (not fuzzy)"
                    if f.code in waiting else "")
            yield Problem(show, e.linenum, f.code, f"{f.message}{where}{hint}", f.severity)


def article(config: Config, lang: str, source: Path, today: date, site: Links | None = None,
            uses: list[qa.Use] | None = None) -> Iterator[Problem]:
    """The problems of one article in one language (review-policy ones as warnings), and
    what of it stays English (as information); ``site``: the site's links
    (:func:`l10n.workflow.site_links`). The reviewed translations of its catalog are added
    to ``uses``."""
    show = lambda p: printable(str(config.display(p)))  # noqa: E731
    try:
        cat_path, out_path = config.paths(source, lang)
        text = read_text(source)
        po_text = read_text(cat_path) if cat_path.exists() else None
        old = pofile.loads(po_text, cat_path) if po_text is not None else None
        prepared = workflow.prepare(config, lang, source, text, old, today, keep_obsolete=True)
    except L10nError as e:
        code = "invalid-catalog" if e.path is not None and e.path.suffix == ".po" else "invalid-input"
        yield Problem(show(e.path or source), e.line or 1, code, e.message)
        return
    shown = show(cat_path)
    if old is None:
        yield Problem(show(source), 1, "missing-catalog",
                      f"no catalog {shown}: run `l10n translate` or `l10n extract`")
    else:
        yield from _stale_catalog(config, source, cat_path, prepared, old, po_text)
        yield from catalog_problems(shown, cat_path, old, lang)
    prepared.links = site
    found = workflow.publication(config, prepared, old if old is not None else prepared.po)
    if old is not None:
        known = states(old, found)
        yield from translation_problems(shown, old, found, config, lang, known)
        yield from qa_problems(shown, old, policy(config, lang), known)
        if uses is not None:
            uses.extend(qa.Use(e.msgid, e.msgstr, shown, e.linenum, qa.silenced(e.flags, e.tcomment))
                        for e in old if not e.obsolete and e.msgid and catalog.is_own(e)
                        and known[e.msgid] == REVIEWED)
    yield from _information(shown if old is not None else show(source), found)
    expected = found.text
    try:
        stored = read(out_path)
    except L10nError as e:
        yield Problem(show(out_path), 1, "invalid-output", f"{e.message}: remove it and run `l10n merge`")
        return
    if not found.published:
        if stored is not None:
            yield Problem(show(out_path), 1, "unpublished-output",
                          f"nothing of its article is published in {lang} yet: run `l10n merge` to remove it "
                          "(with --force if it was edited by hand)")
    elif stored is None:
        yield Problem(show(out_path), 1, "missing-output", f"{show(out_path)} is missing: run `l10n merge`")
    else:
        actual = stored.decode("utf-8", errors="replace")
        if actual != expected:
            line = _first_difference(actual, expected)
            yield Problem(show(out_path), line, "stale-output",
                          f"differs from what `l10n merge` writes (first at line {line}): run `l10n merge`"
                          " (edit the catalog, not the article)")


def states(po: polib.POFile, found: publish.Publication) -> dict[str, str]:
    """The state of every live entry of ``po`` that is :func:`l10n.catalog.is_own`, by msgid
    (unique among them: reading refuses a duplicate): the one publishing ``po`` found
    (``found``) for an entry of the article, worked out for the others."""
    verdicts = found.verdicts
    return {e.msgid: v.state if (v := verdicts.get(e.msgid)) is not None else catalog.state(e)
            for e in po if not e.obsolete and e.msgid and catalog.is_own(e)}


def _stale_catalog(config: Config, source: Path, cat_path: Path, prepared: workflow.Prepared,
                   old: polib.POFile, old_text: str) -> Iterator[Problem]:
    """Whether the catalog is what ``l10n extract`` writes: its entries (an error when not)
    and then its layout (a warning: a PO editor's wrapping loses nothing, and the next
    command that writes the catalog puts it back in gettext's layout).

    The common case, a catalog as l10n wrote it, costs one serialisation; the entries are
    compared (no string wrapped) only when the bytes differ.
    """
    if not prepared.update.changed:
        if pofile.dumps(prepared.po) == old_text:
            return
        if _same_header(prepared.po, old) and pofile.same_entries(prepared.po, old):
            yield Problem(str(config.display(cat_path)), 1, "catalog-layout",
                          "same entries as `l10n extract` writes, in another layout (a PO editor's "
                          "line wrapping, file references): `l10n extract` rewrites it in gettext's "
                          "layout, losing nothing", WARNING)
            return
    known = {e.msgid for e in old if not e.obsolete}
    wanted = {s.text for s in prepared.segments}
    show = str(config.display(source))
    new = [s for s in prepared.segments if s.text not in known]
    for s in new:
        yield Problem(show, s.line, "stale-catalog",
                      f"{s.kind} not in the catalog (new or changed): run `l10n translate` or `l10n extract`")
    gone = [e for e in old if not e.obsolete and e.msgid and e.msgid not in wanted]
    for e in gone:
        yield Problem(str(config.display(cat_path)), e.linenum, "stale-catalog",
                      "entry no longer in the source article: run `l10n extract`")
    if not new and not gone:
        yield Problem(str(config.display(cat_path)), 1, "stale-catalog",
                      "catalog differs from what `l10n extract` writes (header, comments, flags or "
                      "order of entries): run `l10n extract`")


def _same_header(a: polib.POFile, b: polib.POFile) -> bool:
    """The same header fields and comment; the order of the fields is the file's own."""
    return dict(a.metadata) == dict(b.metadata) and " ".join((a.header or "").split()) == \
        " ".join((b.header or "").split()) and bool(a.metadata_is_fuzzy) == bool(b.metadata_is_fuzzy)


def catalog_problems(show: str, path: Path, po: polib.POFile, lang: str) -> Iterator[Problem]:
    """Header problems of a parsed catalog (a duplicate entry fails reading it)."""
    expected = dict(_HEADERS, **{"Language": lang, "Plural-Forms": catalog.plural_forms(lang)})
    for key, value in expected.items():
        found = po.metadata.get(key)
        if found is None:
            yield Problem(show, 1, "catalog-header", f"header field {key!r} is missing: run `l10n extract`")
        elif found.strip() != value:
            yield Problem(show, 1, "catalog-header",
                          f"header field {key!r} is {found!r}, expected {value!r}: run `l10n extract`")


def _information(show: str, found: publish.Publication) -> Iterator[Problem]:
    """What of the article readers of the language still get in English."""
    p = found.progress
    left = p.words - p.reviewed - p.drafts
    if left:
        where = "published in English" if found.published else "no German article until something is translated"
        yield Problem(show, 1, "untranslated", f"{_percent(left, p.words)} of words untranslated ({where})", INFO)
    for destination in found.english:
        why = ("it names a heading, whose id in the German article differs" if fragment(destination)
               else "its German article is not published")
        yield Problem(show, 1, "english-link", f"the link to {destination} stays English: {why}", INFO)


def _percent(part: int, whole: int) -> str:
    """A share as a percentage that is 0 or 100 only when it is exactly that.

    >>> _percent(1, 1000), _percent(999, 1000), _percent(1, 4)
    ('1%', '99%', '25%')
    """
    value = 100 * part / whole if whole else 0
    shown = round(value)
    if part and shown == 0:
        shown = 1
    if part < whole and shown == 100:
        shown = 99
    return f"{shown}%"


def translation_problems(show: str, po: polib.POFile, found: publish.Publication, config: Config,
                         lang: str | None = None, known: Mapping[str, str] | None = None) -> Iterator[Problem]:
    """Why translations are published in English, and the review-policy problems; ``known``:
    :func:`states`, when already known."""
    withheld = found.withheld()
    for e in po:
        verdict = withheld.get(e.msgid)
        if verdict is None or e.obsolete or not e.msgid or not catalog.is_own(e):
            continue
        for p in verdict.problems:
            yield Problem(show, e.linenum, p.code, f"{p.message}: fix the translation "
                          "(published in English until then)")
    stats = catalog.Stats.of(po, known)  # its entries per state are the ones counted here
    for s, code in ((DRAFT, "machine-draft"), (NEEDS_UPDATE, "needs-update")):
        if n := stats.entries[s]:
            yield Problem(show, 1, code, f"{n} {'entries' if n > 1 else 'entry'} "
                          f"{s}: review in a PO editor and clear the fuzzy flag", WARNING)
    share = stats.share()
    required = config.minimum("min_reviewed", lang) if lang else config.min_reviewed
    if share < required:
        yield Problem(show, 1, "below-threshold", f"{share:.0%} of words reviewed, the site requires {required:.0%}")
    p = found.progress
    translated = (p.reviewed + p.drafts) / p.words if p.words else 1.0
    required = config.minimum("min_translated", lang) if lang else 0.0
    if translated < required:
        yield Problem(show, 1, "below-threshold",
                      f"{translated:.0%} of words published translated, the site requires {required:.0%}")


def orphans(config: Config, lang: str, sources: list[Path]) -> Iterator[Problem]:
    """Catalogs and target articles whose source article no longer exists, and pages of
    the target language in Hugo's other content formats without a source page."""
    known = {_below(s, config.source_dir) for s in sources}  # bad ones too: reported elsewhere
    catalogs, target = config.locales_dir / lang, config.target_dir(lang)
    files = list(target.rglob("*")) if target.exists() else []
    pairs = ((catalogs, list(catalogs.rglob("*.po")) if catalogs.exists() else [], ".po", "orphan-catalog"),
             (target, [p for p in files if p.name.endswith(".md")], ".md", "orphan-output"))
    for base, paths, suffix, code in pairs:
        found = [p for p in paths if _below(p, base, suffix, ".md") not in known]
        for path in sorted(found, key=lambda p: p.parts):  # Path's own order, tuples compared in C
            rel = path.relative_to(base).with_suffix(".md")
            yield Problem(str(config.display(path)), 1, code,
                          f"no source article {config.display(config.source_dir / rel)}: "
                          + ("run `l10n merge` to remove it" if code == "orphan-output" else "delete this file"))
    pages = [p for p in files if p.suffix in _OTHER_FORMATS and p.is_file()
             and not (config.source_dir / p.relative_to(target)).exists() and not _in_bundle(p, target)]
    for path in sorted(pages, key=lambda p: p.parts):
        yield Problem(str(config.display(path)), 1, "orphan-output",
                      f"a page in a format l10n does not write ({path.suffix}), with no source page "
                      f"{config.display(config.source_dir / path.relative_to(target))}: delete this file")


def _in_bundle(path: Path, top: Path) -> bool:
    """Whether ``path`` lies in a leaf bundle below ``top`` (a folder with an ``index`` page),
    whose files Hugo publishes as the page's resources, not as pages."""
    folder = path.parent
    while folder != top and top in folder.parents:
        if any(f != path and f.is_file() for f in (folder / ("index" + s) for s in (".md", *_OTHER_FORMATS))):
            return True
        folder = folder.parent
    return False


#: Hugo's content formats besides Markdown's ``.md``: files it publishes as pages.
_OTHER_FORMATS = frozenset({".mdown", ".markdown", ".html", ".htm", ".asciidoc", ".adoc", ".ad", ".rest",
                            ".rst", ".mmark", ".org", ".pandoc", ".pdc"})


def _below(path: Path, base: Path, suffix: str = "", new: str = "") -> str:
    """``str(path.relative_to(base).with_suffix(new))`` for a path ``rglob`` found below
    ``base`` ending in ``suffix``, by slicing strings: Path objects cost most of
    :func:`orphans` on a large site. A name that starts with a dot, whose suffix pathlib
    reads otherwise, goes through pathlib."""
    text, start = str(path), len(str(base)) + 1
    if not text.startswith(str(base)) or text[start - 1:start] != os.sep or \
            path.name.startswith(".") or not text.endswith(suffix):
        rel = path.relative_to(base)
        return str(rel.with_suffix(new) if suffix else rel)
    return text[start:len(text) - len(suffix)] + new


def _first_difference(actual: str, expected: str) -> int:
    a, b = actual.splitlines(), expected.splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i + 1
    return min(len(a), len(b)) + 1


# -- output ------------------------------------------------------------------------

def as_json(report: Report) -> dict:
    return {"ok": report.ok, "problems": [
        {"file": p.file, "line": p.line, "code": p.code, "message": p.message, "severity": p.severity}
        for p in report.problems]}


def as_github(report: Report) -> str:
    """GitHub workflow commands, escaped as GitHub's runner unescapes them: ``%``, CR and
    LF everywhere, and ``:`` and ``,`` in properties, so a file name cannot spoof them."""
    def data(s: str) -> str:
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(s: str) -> str:
        return data(s).replace(":", "%3A").replace(",", "%2C")

    kinds = {INFO: "notice"}  # GitHub's name for information
    return "\n".join(f"::{kinds.get(p.severity, p.severity)} file={prop(p.file)},line={p.line},"
                     f"title={prop(p.code)}::{data(p.message)}" for p in report.problems)


def as_text(report: Report, color: bool = False) -> str:
    def paint(s: str, code: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if color else s

    lines = []
    by_file: dict[str, list[Problem]] = {}
    for p in report.problems:
        by_file.setdefault(p.file, []).append(p)
    for file, problems in by_file.items():
        lines.append(paint(file, "1"))
        for p in sorted(problems, key=lambda p: p.line):
            sev = paint(p.severity, {ERROR: "31", WARNING: "33"}.get(p.severity, "36"))
            lines.append(f"  {p.line}: {sev} [{p.code}] {p.message}")
    errors = len(report.errors)
    warnings = sum(p.severity == WARNING for p in report.problems)
    infos = len(report.problems) - errors - warnings
    verdict = paint("in sync", "32") if report.ok else paint("out of sync", "31")
    notes = f", {count(infos, 'note')}" if infos else ""
    lines.append(f"{verdict}: {count(report.articles, 'article')}, {count(errors, 'error')}, "
                 f"{count(warnings, 'warning')}{notes}")
    return "\n".join(lines)
