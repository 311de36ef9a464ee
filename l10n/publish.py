"""The publishing core: what of a catalog an article publishes, and why not the rest.

Pure: an English article (skeleton and segments), its catalog and the site's policy in; the
German text and a :class:`Verdict` per entry out. ``merge``, ``translate``, ``check`` and
``review`` all publish through :func:`publish`.

The guarantee is an invariant on the whole output, not a list of cases: the published body,
parsed as a whole, has the English body's structure (:func:`l10n.structure.compare`), and
the front matter parses with the English keys. A translation is chosen by its state and the
policy, judged alone (:func:`l10n.markup.gate`: hygiene, block kind, bare URLs, template tags,
placeholders), and then the
whole article is rendered and compared with the English; while it differs, the translations
that the differences point at (all that one comparison finds) fall back to English. Every
step removes at least one translation and the English article has its own structure, so the
loop ends, and what it publishes always has the English structure, whatever the catalog says.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Callable, Iterable, Mapping, Sequence

import polib

from . import article as articles
from . import anchors, catalog, markup, merge, structure
from .catalog import DRAFT, REVIEWED, UNTRANSLATED
from .config import Config
from .errors import InputError
from .extract import FRONT_MATTER, SINGLE_LINE, Segment, Skeleton
from .links import Links

STRUCTURE = "structure"


@dataclass(frozen=True)
class Verdict:
    """What happened to one catalog entry: its state, whether the article publishes its
    translation, and the problems that made it fall back to English (if any)."""

    state: str
    published: bool
    problems: tuple[markup.Problem, ...] = ()


@dataclass(frozen=True)
class Progress:
    """How much of an article's text is published translated, by source words."""

    words: int
    reviewed: int
    drafts: int

    @property
    def status(self) -> str:
        """``reviewed``, ``draft`` (all translated, some unreviewed), ``partial`` or ``source``."""
        if self.reviewed == self.words:
            return "reviewed"
        if self.reviewed + self.drafts == self.words:
            return "draft"
        return "partial" if self.reviewed + self.drafts else "source"

    @property
    def reviewed_percent(self) -> int:
        """The reviewed share, rounded down: 100 only when everything is reviewed."""
        return catalog.percent(self.reviewed, self.words)


@dataclass(frozen=True)
class Publication:
    """The German article and the verdict on every live entry of the catalog (by msgid).

    ``published``: whether the German file exists at all (:func:`publishes`); ``english``:
    the links to source articles that stay English because their German article is not
    published.
    """

    text: str
    verdicts: Mapping[str, Verdict]
    progress: Progress
    published: bool = True
    english: tuple[str, ...] = ()

    def withheld(self) -> dict[str, Verdict]:
        """Entries whose translation the article does not publish because of a problem."""
        return {msgid: v for msgid, v in self.verdicts.items() if v.problems}


def eligible(state: str, policy: str) -> bool:
    """Whether an entry in ``state`` is published under ``policy`` (``drafts``/``reviewed``)."""
    return state == REVIEWED or (state == DRAFT and policy == "drafts")


def publishes(config: Config, po: polib.POFile | None) -> bool:
    """Whether an article has a German file: once its catalog has a translation the policy
    publishes (a reviewed one, or a machine draft under ``publish = "drafts"``), or always
    with ``english_fallbacks``. Judged on the catalog alone, so that what links to the
    article can know it without rendering it."""
    if config.english_fallbacks:
        return True
    return po is not None and any(
        not e.obsolete and e.msgid and e.msgstr and catalog.is_own(e)
        and eligible(catalog.state(e), config.publish) for e in po)


def publish(config: Config, lang: str, skeleton: Skeleton, segments: Sequence[Segment],
            po: polib.POFile, links: Links | None = None, page: str = "") -> Publication:
    """The article for ``lang`` as the catalog ``po`` and the site's policy make it;
    ``links`` localises link destinations to the site (:class:`l10n.links.Links`), and
    Hugo's ``ref`` shortcodes of the article at ``page`` (its path below the content folder)."""
    kinds: dict[str, str] = {}
    for s in segments:
        kinds.setdefault(s.text, s.kind)
    templates = markup.TEMPLATES
    verdicts: dict[str, Verdict] = {}
    chosen: dict[str, str] = {}
    for e in po:
        if e.obsolete or not e.msgid or not catalog.is_own(e) or e.msgid not in kinds:
            continue
        state = catalog.state(e)
        published = merge.adapt(e.msgid, e.msgstr, kinds[e.msgid], skeleton.labels) if e.msgstr else ""
        problems = segment_problems(e.msgid, published, kinds[e.msgid], templates, config.shortcode_text)
        ok = eligible(state, config.publish) and not problems and state != UNTRANSLATED
        verdicts[e.msgid] = Verdict(state, ok, problems)
        if ok:
            chosen[e.msgid] = e.msgstr if links is None or kinds[e.msgid] == FRONT_MATTER else links.rewrite(e.msgstr)
    body = _body(skeleton, segments, chosen, verdicts, links, config.shortcode_text,
                 _Anchors.of(config.anchors, skeleton, segments))
    if links is not None and page:
        body = links.refs(body, page, None if config.anchors == "none" or skeleton.shape is None
                          else _heading_ids(config.anchors, body, skeleton))
    chosen, head_problem = _front_matter_keys(config, lang, skeleton, segments, chosen)
    for msgid in head_problem:
        verdicts[msgid] = Verdict(verdicts[msgid].state, False, (head_problem[msgid],))
    progress = _progress(segments, verdicts)
    head = merge.front_matter(skeleton, segments, chosen, config, lang,
                              _state(progress) if config.state_key else None)
    english = tuple(dict.fromkeys(d for s in segments if s.kind != FRONT_MATTER
                                  for d in links.staying_english(chosen.get(s.text, s.text)))) if links else ()
    return Publication(stamp(head + body, config.state_key), verdicts, progress, publishes(config, po), english)


def _heading_ids(rule: str, body: str, skeleton: Skeleton) -> Callable[[], dict[str, str]]:
    """The id ``rule`` gives each English heading's German heading in ``body`` (it has the
    English headings, in their order), by the English id; worked out when first asked."""
    @cache
    def ids() -> dict[str, str]:
        shape, english = structure.of(body), skeleton.shape
        assert english is not None
        german = anchors.heading_ids(rule, anchors.headings_of(shape.blocks, shape.inlines), skeleton.references)
        return dict(zip(anchors.heading_ids(rule, anchors.headings_of(english.blocks, english.inlines),
                                            skeleton.references), german))
    return ids


def segment_problems(source: str, translation: str, kind: str,
                     templates: re.Pattern[str] | None = markup.TEMPLATES,
                     shortcode_text: tuple[str, ...] = markup.SHORTCODE_TEXT) -> tuple[markup.Problem, ...]:
    """Problems of a translation alone, as the merger would write it into the article
    (:func:`l10n.markup.gate`; the rest is the whole-article comparison's)."""
    if not translation or translation == source:
        return ()
    return _gate(source, translation, kind, templates, tuple(shortcode_text))


@lru_cache(maxsize=65536)
def _gate(source: str, translation: str, kind: str, templates: re.Pattern[str] | None,
          shortcode_text: tuple[str, ...]) -> tuple[markup.Problem, ...]:
    found = markup.gate(source, translation, kind=kind, templates=templates, shortcode_text=shortcode_text)
    if found or kind == FRONT_MATTER:  # refused, so say all that is wrong; or outside the body
        return tuple(markup.check(source, translation, kind=kind, templates=templates,
                                  shortcode_text=shortcode_text) or found)
    return ()


#: Rounds of comparison that blame only what each difference points at; after them, a
#: difference also holds back twice as many following translations each round, so a
#: catalog whose every entry breaks what follows it costs O(log n) rounds, not n.
PRECISE_ROUNDS = 8


@dataclass(frozen=True)
class _Anchors:
    """What an article needs to make its links to its own headings follow them into the
    target language: the slug rule, the English headings' ids and, by msgid, the in-page
    links of the segments that have any."""

    rule: str
    english: tuple[str, ...]
    linking: Mapping[str, list[tuple[int, int, str]]]
    defining: bool  # a reference definition names a heading's anchor

    @classmethod
    def of(cls, rule: str, skeleton: Skeleton, segments: Sequence[Segment]) -> _Anchors | None:
        """None when nothing links to a heading of the article (the usual case)."""
        shape = skeleton.shape
        if rule == "none" or shape is None:
            return None
        defined = any(href.startswith("#") for _, href, _ in shape.references)
        if not defined and not any(anchors.links_to_headings(s.text) for s in segments):
            return None
        english = anchors.heading_ids(rule, anchors.headings_of(shape.blocks, shape.inlines), skeleton.references)
        targets = {anchors.href(i) for i in english}
        linking = {}
        for s in segments:
            if s.key is None and anchors.links_to_headings(s.text):
                found = markup.in_page_links(s.text, skeleton.references)
                if any(link in targets for _, _, link in found):
                    linking[s.text] = found
        defining = any(href in targets for _, href, _ in shape.references)
        return cls(rule, tuple(english), linking, defining) if linking or defining else None

    def render(self, skeleton: Skeleton, segments: Sequence[Segment], chosen: Mapping[str, str]
               ) -> tuple[str, dict[int, tuple[int, int]], structure.Shape, anchors.Moves]:
        """:func:`l10n.merge.render` with every in-page link to a heading pointing at the
        heading's id in the rendered article. The ids are foreseen from the headings'
        translations and checked on the rendering; where they differ (a link in a heading
        changes the heading's own id) it is rendered again, a few times at most."""
        german = self.foreseen(skeleton, segments, chosen)
        for _ in range(4):
            moves = anchors.moves(self.english, german)
            published = dict(chosen)
            for msgid, links in self.linking.items():
                current = chosen.get(msgid, msgid)
                source = None
                if current != msgid:  # a translation: its own links, read by the source's
                    source = [link for _, _, link in links]
                    links = markup.in_page_links(current, skeleton.references)
                moved = anchors.rewrite(current, links, moves, source)
                if moved != current:
                    published[msgid] = moved
            text, lines = merge.render(skeleton, segments, published)
            shape = structure.of(text)
            rendered = anchors.heading_ids(self.rule, anchors.headings_of(shape.blocks, shape.inlines),
                                           skeleton.references)
            if rendered == german:
                break
            german = rendered
        moves = anchors.moves(self.english, german)
        if self.defining:
            defined = _follow_definitions(text, shape, moves)
            if defined != text:
                text, shape = defined, structure.of(defined)
        translated = {i: span for i, span in lines.items() if segments[i].text in chosen}
        return text, translated, shape, moves

    @staticmethod
    def follow(skeleton: Skeleton, moves: anchors.Moves) -> Callable[[str], str]:
        """An English inline text with its links to headings as :meth:`render` publishes it."""
        def follow(text: str) -> str:
            return anchors.rewrite(text, markup.in_page_links(text, skeleton.references), moves)
        return follow

    def foreseen(self, skeleton: Skeleton, segments: Sequence[Segment], chosen: Mapping[str, str]) -> list[str]:
        """The German headings' ids as the translations chosen make them, without rendering."""
        shape = skeleton.shape
        assert shape is not None
        headings = []
        for h in anchors.headings_of(shape.blocks, shape.inlines):
            index = skeleton.inline_segments[h.inline] if h.inline < len(skeleton.inline_segments) else None
            if index is not None and segments[index].text in chosen:
                segment = segments[index]
                h = anchors.Heading(merge.adapt(segment.text, chosen[segment.text], segment.kind, skeleton.labels))
            headings.append(h)
        return anchors.heading_ids(self.rule, headings, skeleton.references)


#: The destination of a link reference definition that starts on its line (group 2).
_DEFINED = re.compile(r"([ \t>]*\[(?:[^\[\]\\]|\\.)+\]:[ \t]*)(<[^<>\n]*>|[^\s<]\S*)")


def _follow_definitions(body: str, shape: structure.Shape, moves: anchors.Moves) -> str:
    """``body`` with each reference definition of a heading's anchor (``[x]: #intro``)
    pointing at the heading's German anchor; a definition whose destination is not on the
    line of its label stays as it is."""
    lines = body.split("\n")
    for label, href, _ in shape.references:
        fragment = moves.forward.get(href)
        line = shape.reference_lines.get(label)
        if fragment is None or anchors.href(fragment) == href or line is None or line >= len(lines):
            continue
        found = _DEFINED.match(lines[line])
        if found is not None:
            written = anchors.written(fragment)
            lines[line] = found.group(1) + written + lines[line][found.end():]
    return "\n".join(lines)


def _body(skeleton: Skeleton, segments: Sequence[Segment], chosen: dict[str, str],
          verdicts: dict[str, Verdict], links: Links | None,
          shortcode_text: tuple[str, ...] = markup.SHORTCODE_TEXT,
          anchored: _Anchors | None = None) -> str:
    """Render, compare with the English structure, and fall back until they agree; every
    difference found in one comparison costs its translations at once."""
    rounds = 0
    while True:
        rounds += 1
        follow, moved = None, None
        if anchored is None:
            text, lines = merge.render(skeleton, segments, chosen)
            shape = None
        else:
            text, lines, shape, moves = anchored.render(skeleton, segments, chosen)
            follow, moved = anchored.follow(skeleton, moves), moves.hrefs
        if not lines or skeleton.shape is None:
            return text
        slots = _Slots(segments, lines)
        allowed = links.allowed if links is not None else None
        found = list(structure.breaks(skeleton.shape, shape or structure.of(text), slots.source_line,
                                      allowed, follow, moved))
        if not found:
            return text
        blamed: set[str] = set()
        for brk in found:
            where = f" (German line {brk.line + 1 + skeleton.article.body_line})" if brk.line is not None else ""
            problem = markup.Problem(STRUCTURE, brk.message + where)
            culprits = _culprits(brk, skeleton, segments, slots, chosen)
            for index in culprits:
                segment = segments[index]
                published = merge.adapt(segment.text, chosen.get(segment.text, ""), segment.kind, skeleton.labels)
                _withhold(segment.text, _diagnosis(segment, published, skeleton, problem, allowed, shortcode_text),
                          chosen, verdicts, blamed)
        if rounds > PRECISE_ROUNDS:
            after = slots.indices.index(culprits[-1]) + 1
            problem = markup.Problem(STRUCTURE, f"held back after {rounds} structure differences in a row, "
                                                f"the last just before it{where}")
            for index in slots.indices[after:after + 2 ** (rounds - PRECISE_ROUNDS)]:
                _withhold(segments[index].text, (problem,), chosen, verdicts, blamed)


def _withhold(msgid: str, problems: tuple[markup.Problem, ...], chosen: dict[str, str],
              verdicts: dict[str, Verdict], blamed: set[str]) -> None:
    """Publish ``msgid`` in English for ``problems``, once per round."""
    if msgid in blamed:
        return
    blamed.add(msgid)
    chosen.pop(msgid, None)
    v = verdicts[msgid]
    verdicts[msgid] = Verdict(v.state, False, v.problems + problems)


def _diagnosis(segment: Segment, published: str, skeleton: Skeleton, problem: markup.Problem,
               allowed: Callable[[str], Iterable[str]] | None = None,
               shortcode_text: tuple[str, ...] = markup.SHORTCODE_TEXT) -> tuple[markup.Problem, ...]:
    """Why a translation broke the article, as precisely as can be said: the full inline
    check of the segment (a changed link target, added raw HTML ...) where it names
    something, else the structural difference itself. Only run for a culprit."""
    references = {label: {"href": href, "title": title} for label, href, title in skeleton.shape.references}
    detail = markup.check(segment.text, published, references or None, kind=segment.kind,
                          allowed=allowed, shortcode_text=shortcode_text) if published else []
    return tuple(detail) or (problem,)


class _Slots:
    """The translated slots of a rendering in document order: their first and last line in
    the German body, and how many lines more than the English the German has before and
    after each."""

    def __init__(self, segments: Sequence[Segment], lines: Mapping[int, tuple[int, int]]) -> None:
        self.lines = lines
        self.indices = list(lines)
        self.firsts = [first for first, _ in lines.values()]
        self.lasts = [last for _, last in lines.values()]
        self.shifts: list[tuple[int, int]] = []
        shift = 0
        for index, (first, last) in lines.items():
            before = shift
            if segments[index].kind not in SINGLE_LINE:
                shift += last - first - segments[index].text.count("\n")
            self.shifts.append((before, shift))

    def source_line(self, line: int) -> int | None:
        """The English line of a German one, None within translated text."""
        k = bisect_right(self.firsts, line) - 1
        if k < 0:
            return line
        if line == self.firsts[k]:
            return line - self.shifts[k][0]
        return None if line <= self.lasts[k] else line - self.shifts[k][1]

    def at(self, line: int) -> list[int]:
        """The slots whose lines hold ``line``, or else the last one that starts before it."""
        k = bisect_right(self.firsts, line)
        hit = []
        for j in range(k - 1, -1, -1):
            if self.lasts[j] < line:
                break
            hit.append(self.indices[j])
        if hit or not k:
            return hit[::-1]
        return [self.indices[bisect_left(self.firsts, self.firsts[k - 1])]]


def _culprits(found: structure.Break, skeleton: Skeleton, segments: Sequence[Segment],
              slots: _Slots, chosen: Mapping[str, str]) -> list[int]:
    """The translated segments a structural difference points at (never none)."""
    if found.inline is not None:
        index = skeleton.inline_segments[found.inline] if found.inline < len(skeleton.inline_segments) else None
        if index is not None and index in slots.lines:
            return [index]
    if found.labels:
        defining = [i for i in slots.lines if _DEFINITION.search(chosen.get(segments[i].text, ""))]
        if defining:
            return defining
    if found.line is not None:
        hit = slots.at(found.line)
        if hit:
            return hit
    return slots.indices[:1]


#: A line that may open a link reference definition: what a translation that adds or changes
#: one must hold (a definition the English has comes from no translation).
_DEFINITION = re.compile(r"(?m)^[ \t>]*\[(?:[^\[\]\\]|\\.)+\]:")


def _front_matter_keys(config: Config, lang: str, skeleton: Skeleton, segments: Sequence[Segment],
                       chosen: dict[str, str]) -> tuple[dict[str, str], dict[str, markup.Problem]]:
    """The translations whose front matter parses with the English keys; the others' problem.
    The head is parsed only when :func:`l10n.article.keeps_keys` cannot tell without it."""
    doc = skeleton.article
    translated = [s for s in segments if s.key is not None and s.text in chosen]
    if not doc.head or not translated:
        return chosen, {}
    values, raw = merge.head_values(skeleton, segments, chosen, config, lang, None)
    if articles.keeps_keys(doc, values, raw):
        return chosen, {}
    head = articles.rewrite_head(doc, values, raw)
    try:
        keys = [f.key for f in articles.parse(head).fields]
    except InputError as e:
        message = f"the German front matter would not parse ({e.message})"
    else:
        wanted = [f.key for f in doc.fields]
        if keys[:len(wanted)] == wanted:
            return chosen, {}
        message = "the German front matter would not have the English keys"
    kept = {k: v for k, v in chosen.items() if k not in {s.text for s in translated}}
    return kept, {s.text: markup.Problem(STRUCTURE, message) for s in translated}


def _progress(segments: Sequence[Segment], verdicts: Mapping[str, Verdict]) -> Progress:
    words = reviewed = drafts = 0
    for text in {s.text for s in segments}:
        n = len(text.split())
        words += n
        v = verdicts.get(text)
        if v is not None and v.published:
            reviewed += n if v.state == REVIEWED else 0
            drafts += n if v.state != REVIEWED else 0
    return Progress(words, reviewed, drafts)


def _state(progress: Progress) -> str:
    return f"{{status: {progress.status}, reviewed: {progress.reviewed_percent}}}"


# -- the stamp: which German files l10n wrote --------------------------------------------

_STAMP = ", digest: "
_STAMPED = re.compile(r", digest: ([0-9a-f]{16})\}")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def stamp(text: str, state_key: str) -> str:
    """``text`` with a digest of itself added to its translation state, so that a later run
    can tell a file l10n wrote from one edited by hand (:func:`edited_by_hand`).

    >>> t = stamp("---\\ntitle: x\\ntranslation: {status: draft, reviewed: 0}\\n---\\nBody\\n", "translation")
    >>> t.splitlines()[2]
    'translation: {status: draft, reviewed: 0, digest: 1bbf799a75f5d202}'
    >>> edited_by_hand(t, "translation"), edited_by_hand(t.replace("Body", "Bod"), "translation")
    (False, True)
    """
    if not state_key:
        return text
    marker = f"\n{state_key}: {{status: "
    at = text.find(marker)
    end = text.find("}", at) if at >= 0 else -1
    if end < 0:
        return text
    return text[:end] + _STAMP + _digest(text) + text[end:]


def edited_by_hand(text: str, state_key: str) -> bool | None:
    """True if a German file's stamp does not match its text; None if it has no stamp."""
    found = _stamp_of(text, state_key)
    if found is None:
        return None
    return _digest(_without(text, found)) != found.group(1)


def unstamp(text: str, state_key: str) -> str:
    """``text`` without the stamp :func:`stamp` added."""
    found = _stamp_of(text, state_key)
    return text if found is None else _without(text, found)


def _stamp_of(text: str, state_key: str) -> re.Match[str] | None:
    """The stamp in the translation state of ``text``, if it has one."""
    at = text.find(f"\n{state_key}: {{status: ") if state_key else -1
    return _STAMPED.search(text, at) if at >= 0 else None


def _without(text: str, stamp: re.Match[str]) -> str:
    return text[:stamp.start()] + "}" + text[stamp.end():]
