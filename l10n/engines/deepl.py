"""The DeepL engine: markup-safe, cost-aware machine drafts through the official client.

Each text is protected with :func:`l10n.markup.protect` (inline Markdown becomes XML tags,
untranslatable spans ``<x id="N"/>`` placeholders, link targets stay home), sent with
``tag_handling="xml"``, and rebuilt with :func:`l10n.markup.restore`; what is published of
a draft is then decided by :mod:`l10n.publish`.

Requests: one per context (the article's title and lead, see :mod:`l10n.context`, which
DeepL takes per request and does not bill), at most :data:`MAX_TEXTS` texts and
:data:`BODY_BUDGET` bytes of JSON each (the API takes 128 KiB).
Faults of the API become one-line :class:`~l10n.errors.EngineError` messages that never
contain the key; a call returns a :class:`~l10n.engines.base.BatchResult` with the drafts
received before a fault, so the workflow keeps them and a rerun sends only the rest.

Every request is bounded as a whole by ``timeout`` (a server that answers one byte a
second cannot hold a run), and retried here, not by the client, ``retries`` times on 429,
5xx, connection faults and timeouts, with exponential backoff.

Before any text is sent, :meth:`DeepLEngine.prepare` checks with calls DeepL does not bill
what the account must accept (languages, style rule lists, the glossary's pairs and name).

The glossary CSV becomes one multilingual (v3) glossary on DeepL, named ``glossary_name``
(default ``l10n <[project] name>``), with a dictionary per configured target language: it is
created once, its id kept in ``locales/deepl-glossary.json``, and later runs replace only the
dictionaries whose terms changed. A glossary of that name whose id is not recorded is not
l10n's: it is never edited or deleted.

Settings (``[tool.l10n.deepl]``, all optional)::

    formality = "prefer_less"      # default, more, less, prefer_more, prefer_less
    context = true                 # send the article's title and lead as context (not billed)
    model_type = "prefer_quality_optimized"   # quality_optimized, latency_optimized, "" (API default)
    custom_instructions = []       # at most 10 of at most 300 characters (DE, EN, ES, FR, IT, JA, KO, ZH)
    style_id = ""                  # a style rule list of the account (Pro), or {de = "...", fr = "..."}
    glossary_name = ""             # the glossary's name on DeepL (default: "l10n <[project] name>")
    concurrency = 4                # requests in flight at once (1: one after another)
    retries = 5                    # retries for 429, 5xx, timeouts (default: the client's, 5)
    timeout = 30.0                 # seconds for each whole request (default 30)
    tag_handling_version = "v2"    # DeepL's tag handling algorithm ("" for the account default)
    preserve_formatting = true     # keep leading/trailing punctuation and case as in the source
    target_codes = {en = "EN-GB"}  # override the DeepL code of a target language

The settings that shape a draft (formality, context, model_type, custom_instructions,
style_id, tag_handling_version, preserve_formatting, target_codes) and the glossary's terms
for the language are part of :meth:`DeepLEngine.label_for`, recorded in each draft: an unedited
draft made under other settings is drafted again; reviewed and edited entries never are.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import deepl
import deepl.http_client as _http
from babel import Locale, UnknownLocaleError
from deepl.api_data import MultilingualGlossaryDictionaryEntries

from .. import glossary as glossaries
from .. import markup
from ..config import Config, key_line
from ..errors import ConfigError, EngineError, L10nError
from ..fsutil import write_atomic
from ..plural import count
from .base import BatchResult, Job

log = logging.getLogger(__name__)

#: Texts per request (the API's limit).
MAX_TEXTS = 50
#: Bytes of JSON for one request's texts and context: half the API's 128 KiB, so the
#: rest of the body (options, glossary id) never matters.
BODY_BUDGET = 64 * 1024
#: Style rule lists asked for per page.
STYLE_PAGE = 25
#: Seconds for a whole request when the settings name none.
DEFAULT_TIMEOUT = 30.0

# DeepL target codes for a language without region or script (the API's own defaults
# for the deprecated bare codes) and for scripts and regions DeepL names otherwise.
_TARGET_DEFAULTS = {"EN": "EN-US", "PT": "PT-PT", "ZH": "ZH-HANS"}
_SCRIPTS = {("ZH", "HANS"): "ZH-HANS", ("ZH", "HANT"): "ZH-HANT"}
_ALIASES = {"NO": "NB"}  # babel's "no" is Norwegian Bokmål, DeepL's NB
#: Target languages (and their variants) that take ``custom_instructions`` (DeepL's list).
INSTRUCTION_LANGS = frozenset({"DE", "EN", "ES", "FR", "IT", "JA", "KO", "ZH"})


def source_code(lang: str) -> str:
    """DeepL's source code for a babel-style language: the base language only.

    >>> [source_code(x) for x in ("en", "en_GB", "pt_BR", "zh_Hant", "no")]
    ['EN', 'EN', 'PT', 'ZH', 'NB']
    """
    base = _locale(lang).language.upper()
    return _ALIASES.get(base, base)


def target_codes(lang: str, overrides: Mapping[str, str] | None = None) -> list[str]:
    """DeepL target codes for a babel-style language, best first (checked by the caller).

    >>> target_codes("de"), target_codes("en"), target_codes("en_GB"), target_codes("pt")
    (['DE'], ['EN-US', 'EN'], ['EN-GB', 'EN-US', 'EN'], ['PT-PT', 'PT'])
    >>> target_codes("pt_BR"), target_codes("zh"), target_codes("zh_TW")
    (['PT-BR', 'PT-PT', 'PT'], ['ZH-HANS', 'ZH'], ['ZH-HANT', 'ZH-HANS', 'ZH'])
    >>> target_codes("de_AT"), target_codes("en", {"en": "en-gb"})
    (['DE-AT', 'DE'], ['EN-GB'])
    """
    if overrides and lang in overrides:
        return [str(overrides[lang]).upper()]
    loc = _locale(lang)
    base = _ALIASES.get(loc.language.upper(), loc.language.upper())
    out = []
    if loc.script and (base, loc.script.upper()) in _SCRIPTS:
        out.append(_SCRIPTS[(base, loc.script.upper())])
    elif loc.territory:
        out.append(f"{base}-{loc.territory.upper()}")
    out += [_TARGET_DEFAULTS.get(base, base), base]
    return list(dict.fromkeys(out))


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as e:
        raise ConfigError(f"unknown language {lang!r}") from e


# -- settings ------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """``[tool.l10n.deepl]`` as :func:`l10n.config.load` validated it (see the module docstring)."""

    formality: str = "prefer_less"
    context: bool = True
    retries: int | None = None
    timeout: float | None = None
    tag_handling_version: str = "v2"
    preserve_formatting: bool = True
    model_type: str = "prefer_quality_optimized"
    target_codes: dict[str, str] = field(default_factory=dict)
    concurrency: int = 4
    custom_instructions: tuple[str, ...] = ()
    style_id: str | Mapping[str, str] = ""  # one for the one target language, or one per language
    glossary_name: str = ""

    def style_for(self, lang: str) -> str:
        """The style rule list for drafts into ``lang`` ("" for none).

        >>> Settings(style_id="s-1").style_for("de"), Settings(style_id={"fr": "s-2"}).style_for("de")
        ('s-1', '')
        """
        return self.style_id if isinstance(self.style_id, str) else self.style_id.get(lang, "")

    def shaping(self, target: str | None = None) -> dict[str, Any]:
        """The settings that shape a draft into ``target`` (not how requests travel): a
        language's label holds its own style rule list only."""
        style: Any = self.style_for(target) if target is not None or isinstance(self.style_id, str) \
            else dict(sorted(self.style_id.items()))
        return {"formality": self.formality, "context": CONTEXT_KIND if self.context else "",
                "model_type": self.model_type, "custom_instructions": list(self.custom_instructions),
                "style_id": style, "tag_handling_version": self.tag_handling_version,
                "preserve_formatting": self.preserve_formatting,
                "target_codes": dict(sorted(self.target_codes.items()))}


#: What the context holds, recorded in the label: another choice drafts again.
CONTEXT_KIND = "title+lead"


def from_environment(config: Config) -> "DeepLEngine":
    """The engine for a site: key from ``DEEPL_AUTH_KEY``, address from ``DEEPL_SERVER_URL``."""
    key = os.environ.get("DEEPL_AUTH_KEY", "").strip()
    if not key:
        raise ConfigError("DEEPL_AUTH_KEY is not set: export DEEPL_AUTH_KEY=<your DeepL API key> "
                          "(free keys end in ':fx'), or choose --engine memory")
    settings = Settings(**config.deepl)
    if not settings.glossary_name:
        settings = replace(settings, glossary_name=default_glossary_name(config))
    terms = glossaries.load(config.glossary, config.target_langs) if config.glossary is not None else None
    return DeepLEngine(key, server_url=os.environ.get("DEEPL_SERVER_URL", "").strip() or None,
                       settings=settings, glossary=terms, targets=config.target_langs,
                       shortcode_text=config.shortcode_text,
                       glossary_record=config.locales_dir / GLOSSARY_RECORD,
                       settings_file=config.root / "pyproject.toml")


#: The file, in the locales folder, that names the glossary l10n made on DeepL.
GLOSSARY_RECORD = "deepl-glossary.json"


def default_glossary_name(config: Config) -> str:
    """``l10n <[project] name>``, else ``l10n <site folder>``."""
    return " ".join(f"l10n {config.project or config.root.resolve().name}".split())


# -- the engine ----------------------------------------------------------------------

class DeepLEngine:
    """The Engine protocol over ``deepl.Translator`` (see the module docstring).

    Counters for the summary: ``requests`` (translate requests answered),
    ``billed_characters`` (as DeepL reports them), ``skipped`` (texts with nothing to
    translate, answered without a request).
    """

    name = "deepl"
    external = True
    max_batch = MAX_TEXTS
    #: Source characters per workflow batch; requests are split further by JSON size.
    max_batch_chars = 20_000
    #: The workflow keeps one context per batch, so that a batch is one request
    #: (set from the ``context`` setting).
    context_per_request = True

    def __init__(self, auth_key: str, *, server_url: str | None = None,
                 settings: Settings | None = None, glossary: glossaries.Glossary | None = None,
                 targets: Sequence[str] = (), shortcode_text: Sequence[str] = markup.SHORTCODE_TEXT,
                 glossary_record: Path | None = None, settings_file: Path | None = None):
        self.settings = settings or Settings()
        #: Where the id of the glossary this engine made is kept (see :meth:`prepare`):
        #: without it, no glossary on the account counts as l10n's.
        self.glossary_record = glossary_record
        self.settings_file = settings_file
        #: Every target language of the site: the glossary has a dictionary for each.
        self.targets = tuple(targets)
        self.shortcode_text = tuple(shortcode_text)
        self.context_per_request = self.settings.context
        self.glossary = glossary
        self.server_url = server_url
        self._secrets = tuple(s for s in {auth_key, auth_key.strip()} if s)
        if self.settings.style_id and deepl.auth_key_is_free_account(auth_key.strip()):
            raise ConfigError("style_id needs a DeepL API Pro key: style rules are not available to "
                              "free keys (ending in ':fx'); remove [tool.l10n.deepl] style_id")
        # The client's documented module settings: this engine retries, so that the timeout
        # bounds each whole request, and the client itself does not.
        self._retries = _http.max_network_retries if self.settings.retries is None else self.settings.retries
        self._client_defaults = _http.max_network_retries, _http.min_connection_timeout
        _http.max_network_retries = 0
        _http.min_connection_timeout = self.settings.timeout or DEFAULT_TIMEOUT
        try:
            self._translator = deepl.DeepLClient(auth_key, server_url=server_url)
        except ValueError as e:
            raise ConfigError(f"DEEPL_AUTH_KEY or DEEPL_SERVER_URL is unusable: {self._scrub(str(e))}") from None
        try:
            from importlib.metadata import version
            self._translator.set_app_info("l10n", version("l10n"))
        except Exception:  # noqa: BLE001 - app info is a courtesy
            pass
        self._languages: tuple[set[str], dict[str, bool | None]] | None = None
        self._pairs: dict[tuple[str, str], tuple[str, str]] = {}
        self._glossaries: dict[str, tuple[str | None, frozenset[str]]] = {}  # source -> id, targets
        self.requests = 0
        self.billed_characters = 0
        self.skipped = 0
        self.concurrency = self.settings.concurrency
        self._lock = threading.Lock()
        self._setup = threading.Lock()
        self._resume_at = 0.0  # shared backoff: no request starts before this moment

    @property
    def label(self) -> str:
        """The label of drafts into the site's first target language (see :meth:`label_for`)."""
        return self.label_for(self.targets[0] if self.targets else None)

    def label_for(self, target: str | None) -> str:
        """Engine and settings as recorded in drafts into ``target``, e.g.
        ``deepl/prefer_less/1a2b3c4d5e6f``: the formality, then a digest of every setting
        that shapes a draft (:meth:`Settings.shaping`) and of the glossary's terms for that
        language (every row when None).

        Drafts are reused only under the same label: other settings translate again.
        """
        shaping = self.settings.shaping(target)
        if self.glossary is not None:
            terms = (self.glossary.entries(target).items() if target is not None else
                     ((s, f"{t}\t{lang or ''}") for s, t, lang, _ in self.glossary.rows))
            shaping["glossary"] = sorted(terms)
        data = json.dumps(shaping, sort_keys=True, ensure_ascii=False)
        return f"deepl/{self.settings.formality}/{hashlib.sha256(data.encode('utf-8')).hexdigest()[:12]}"

    def __repr__(self) -> str:  # never the key
        return f"DeepLEngine(server_url={self.server_url!r}, settings={self.settings!r})"

    # -- the protocol

    def translate(self, jobs: Sequence[Job], *, source: str, target: str) -> BatchResult:
        """One draft per job, in order; after a fault, the drafts received before it."""
        if not jobs:
            return BatchResult(())
        with self._setup:  # languages and glossary: looked up once, whatever runs in parallel
            src, tgt = self.codes(source, target)
            glossary_id = self.glossary_id(source, target)
        protected = [_protect(job.text, self.shortcode_text) for job in jobs]
        drafts: list[str | None] = [None] * len(jobs)
        replies: list[str | None] = [None] * len(jobs)
        for i, p in enumerate(protected):
            if not _has_words(p.xml):  # numbers, code, URLs only: nothing to translate
                drafts[i], replies[i] = markup.restore(p, p.xml), p.xml
                with self._lock:
                    self.skipped += 1
        pending = [i for i, d in enumerate(drafts) if d is None]
        options = self._options(glossary_id, self.settings.style_for(target))
        for context, indices in self._requests(jobs, protected, pending):
            try:
                results = self._call(self._translator.translate_text,
                                     [protected[i].xml for i in indices],
                                     source_lang=src, target_lang=tgt, context=context, **options)
                texts = _texts(results, len(indices))
            except EngineError as e:
                return BatchResult(tuple(drafts), e, tuple(replies))
            with self._lock:
                self.requests += 1
                self.billed_characters += sum(int(getattr(r, "billed_characters", 0) or 0) for r in results)
            for i, text in zip(indices, texts):
                drafts[i], replies[i] = markup.restore(protected[i], text), text
        return BatchResult(tuple(drafts), None, tuple(replies))

    def protected(self, text: str) -> str:
        """What is sent for ``text``: texts alike here are sent once (see ``Protecting``)."""
        return _protect(text, self.shortcode_text).xml

    def cost(self, text: str) -> int:
        """Characters DeepL bills for ``text``: the text of its protected form, tags left out
        (DeepL does not bill markup when ``tag_handling`` is set); none when it has no words
        (such a text is answered here, without a request)."""
        xml = _protect(text).xml
        return billable(xml) if _has_words(xml) else 0

    def rebuild(self, text: str, reply: str) -> str:
        """The draft of ``text`` from the reply to a text with the same protected form."""
        return markup.restore(_protect(text, self.shortcode_text), reply)

    def _options(self, glossary_id: str | None, style_id: str) -> dict[str, Any]:
        s = self.settings
        options: dict[str, Any] = {k: v for k, v in markup.DEEPL_OPTIONS.items()
                                   if not (isinstance(v, list) and not v)}
        options["formality"] = s.formality
        if s.tag_handling_version:
            options["tag_handling_version"] = s.tag_handling_version
        if s.preserve_formatting:
            options["preserve_formatting"] = True
        if s.model_type:
            options["model_type"] = s.model_type
        if s.custom_instructions:
            options["custom_instructions"] = list(s.custom_instructions)
        if style_id:
            options["style_rule"] = style_id  # sent as style_id
        if glossary_id:
            options["glossary"] = glossary_id
        return options

    def _requests(self, jobs: Sequence[Job], protected: Sequence[markup.Protected],
                  pending: Sequence[int]) -> Iterator[tuple[str | None, list[int]]]:
        """Requests as (context, indices): one context each, within the API's limits."""
        groups: dict[str | None, list[int]] = {}
        for i in pending:
            context = (jobs[i].context or None) if self.settings.context else None
            groups.setdefault(context, []).append(i)
        for context, indices in groups.items():
            base = len(json.dumps(context)) if context else 0
            chunk: list[int] = []
            size = base
            for i in indices:
                n = len(json.dumps(protected[i].xml)) + 2
                if chunk and (len(chunk) >= MAX_TEXTS or size + n > BODY_BUDGET):
                    yield context, chunk
                    chunk, size = [], base
                chunk.append(i)
                size += n
            if chunk:
                yield context, chunk

    # -- languages, glossary, usage

    def codes(self, source: str, target: str) -> tuple[str, str]:
        """DeepL's codes for a pair, checked against ``/v2/languages`` (fetched once)."""
        if (source, target) in self._pairs:
            return self._pairs[(source, target)]
        sources, targets = self._supported()
        src = source_code(source)
        if src not in sources:
            raise ConfigError(f"DeepL does not translate from {source!r} (DeepL code {src}); "
                              "choose another engine or source_lang")
        candidates = target_codes(target, self.settings.target_codes)
        tgt = next((c for c in candidates if c in targets), None)
        if tgt is None:
            raise ConfigError(f"DeepL does not translate into {target!r} (tried "
                              f"{', '.join(candidates)}); set [tool.l10n.deepl] target_codes, "
                              "or translate it with --engine memory")
        if self.settings.formality in ("more", "less") and targets.get(tgt) is False:
            raise ConfigError(f"DeepL has no formality for {tgt}: set [tool.l10n.deepl] formality = "
                              f"\"prefer_{self.settings.formality}\"")
        if self.settings.custom_instructions and tgt.split("-")[0] not in INSTRUCTION_LANGS:
            raise ConfigError(f"DeepL takes custom_instructions only for {', '.join(sorted(INSTRUCTION_LANGS))}, "
                              f"not {tgt}: remove [tool.l10n.deepl] custom_instructions or translate "
                              f"{target!r} with another engine")
        self._pairs[(source, target)] = (src, tgt)
        return src, tgt

    def _supported(self) -> tuple[set[str], dict[str, bool | None]]:
        if self._languages is None:
            sources = self._call(self._translator.get_source_languages)
            targets = self._call(self._translator.get_target_languages)
            self._languages = ({lang.code.upper() for lang in sources},
                               {lang.code.upper(): lang.supports_formality for lang in targets})
        return self._languages

    def prepare(self, source: str, targets: Sequence[str], *, sync: bool = True) -> None:
        """Check, before any text is sent, what DeepL must accept for a run from ``source``
        into ``targets``, with calls that bill nothing: the language pairs, each style rule
        list (on the account, in the target's language), and the glossary (its language
        pairs, and a name that is l10n's or free); with ``sync``, the glossary is then made
        or brought up to date with the CSV. A problem is one :class:`ConfigError`."""
        with self._setup:
            for target in targets:
                self.codes(source, target)
            self._check_styles(targets)
            if self.glossary is not None and source not in self._glossaries:
                found = self._sync_glossary(source, tuple(targets), write=sync)
                if sync:
                    self._glossaries[source] = found

    def _check_styles(self, targets: Sequence[str]) -> None:
        """Every ``style_id`` names a style rule list of the account in its target's language."""
        wanted = {t: self.settings.style_for(t) for t in targets if self.settings.style_for(t)}
        if not wanted:
            return
        rules = self._style_rules()
        for target, style in wanted.items():
            key = ("style_id",) if isinstance(self.settings.style_id, str) else ("style_id", target)
            rule = rules.get(style)
            if rule is None:
                raise self._setting_error(key, f"{style!r} is not a style rule list of this DeepL account "
                                               "(see https://www.deepl.com/custom-rules): correct it")
            have, want = str(rule.language or "").split("-")[0].upper(), _glossary_code(
                target, self.settings.target_codes).upper()
            if have != want:
                raise self._setting_error(key, f"{style!r} is a style rule list for {have}, not for "
                                               f"{target!r} (DeepL {want}): name a list in {want}")

    def _style_rules(self) -> dict[str, Any]:
        """The account's style rule lists by id (every page)."""
        rules: dict[str, Any] = {}
        for page in range(1000):
            got = self._call(self._translator.get_all_style_rules, page=page, page_size=STYLE_PAGE)
            new = {r.style_id: r for r in got if r.style_id not in rules}
            rules.update(new)
            if len(got) < STYLE_PAGE or not new:
                break
        return rules

    def _setting_error(self, key: Sequence[str], message: str) -> ConfigError:
        """``pyproject.toml:LINE: tool.l10n.deepl.KEY message``."""
        full = ("tool", "l10n", "deepl", *key)
        line = None
        if self.settings_file is not None:
            try:
                line = key_line(self.settings_file.read_text(encoding="utf-8"), full)
            except (OSError, UnicodeDecodeError):
                pass
        return ConfigError(f"{'.'.join(full)} {message}", path=self.settings_file, line=line)

    def glossary_id(self, source: str, target: str) -> str | None:
        """The site's DeepL glossary if it has a dictionary for the pair (see the module
        docstring); brought up to date with the CSV on the first call for a source language."""
        if self.glossary is None:
            return None
        if source not in self._glossaries:
            self._glossaries[source] = self._sync_glossary(source, (target,))
        found, pairs = self._glossaries[source]
        return found if _glossary_code(target, self.settings.target_codes) in pairs else None

    def _dictionaries(self, targets: Sequence[str]) -> dict[str, dict[str, str]]:
        """The glossary's terms by DeepL dictionary (target language code): variants of a
        language share one, and must agree."""
        assert self.glossary is not None
        wanted: dict[str, dict[str, str]] = {}
        first: dict[str, str] = {}
        for lang in dict.fromkeys(self.targets + tuple(targets)):
            code = _glossary_code(lang, self.settings.target_codes)
            if code in first:
                problem = self.glossary.disagreement(first[code], lang)
                if problem is not None:
                    raise problem
                continue
            first[code] = lang
            entries = self.glossary.entries(lang)
            if entries:
                wanted[code] = entries
        return wanted

    def _sync_glossary(self, source: str, targets: Sequence[str], write: bool = True
                       ) -> tuple[str | None, frozenset[str]]:
        """Create the multilingual glossary, or replace the dictionaries whose terms changed
        and delete those whose language has no terms left; (id, target codes). Only the
        glossary l10n made (its id is in :attr:`glossary_record`) is ever edited; without
        ``write``, only checked."""
        assert self.glossary is not None
        src = source_code(source).lower()
        wanted = self._dictionaries(targets)
        name = self.settings.glossary_name or "l10n"
        try:
            if wanted:
                self._check_glossary_pairs(src, wanted, targets)
            listed = self._call(self._translator.list_multilingual_glossaries)
            found = self._ours(listed, name)
            if not write:
                return None, frozenset()
            if found is None:
                if not wanted:
                    return None, frozenset()
                made = self._call(self._translator.create_multilingual_glossary, name,
                                  [MultilingualGlossaryDictionaryEntries(src, t, e) for t, e in wanted.items()],
                                  creating_glossary=True)
                self._record(made.glossary_id, name)
                log.info("glossary %r created on DeepL", name)
                return made.glossary_id, frozenset(wanted)
            if found.name != name:
                self._call(self._translator.update_multilingual_glossary_name, found.glossary_id, name)
                self._record(found.glossary_id, name)
            have = {d.target_lang.lower() for d in found.dictionaries if d.source_lang.lower() == src}
            for tgt, entries in wanted.items():
                if tgt in have and self._glossary_entries(found.glossary_id, src, tgt) == entries:
                    continue
                self._call(self._translator.replace_multilingual_glossary_dictionary, found.glossary_id,
                           MultilingualGlossaryDictionaryEntries(src, tgt, entries), creating_glossary=True)
                log.info("glossary %r: %s>%s terms replaced", name, src, tgt)
            for tgt in sorted(have - wanted.keys()):
                self._call(self._translator.delete_multilingual_glossary_dictionary, found.glossary_id,
                           source_lang=src, target_lang=tgt)
            return found.glossary_id, frozenset(wanted)
        except ValueError as e:
            raise ConfigError(f"glossary: {self._scrub(str(e))}", path=self.glossary.path) from None

    def _check_glossary_pairs(self, src: str, wanted: Mapping[str, dict[str, str]],
                              targets: Sequence[str]) -> None:
        """Every dictionary's language pair is one DeepL makes glossaries for."""
        assert self.glossary is not None
        pairs = {(p.source_lang.lower(), p.target_lang.lower())
                 for p in self._call(self._translator.get_glossary_languages)}
        for code, entries in wanted.items():
            if (src, code) not in pairs:
                lang = next((t for t in dict.fromkeys(self.targets + tuple(targets))
                             if _glossary_code(t, self.settings.target_codes) == code), code)
                raise ConfigError(f"DeepL has no glossaries from {src.upper()} into {code.upper()}: remove "
                                  f"the terms for {lang!r}, or translate it without the glossary",
                                  path=self.glossary.path, line=self.glossary.line(lang, next(iter(entries))))

    def _ours(self, listed: Sequence[Any], name: str) -> Any:
        """The glossary l10n made (named in the record), or None; a :class:`ConfigError` when
        the account holds another glossary of that name, which l10n never edits or deletes."""
        made = self._recorded()
        ours = next((g for g in listed if made is not None and g.glossary_id == made), None)
        other = next((g for g in listed if g.name == name and g is not ours), None)
        if other is not None:
            raise self._setting_error(("glossary_name",), (
                f"is {name!r}, the name of a glossary on the DeepL account that l10n did not make "
                f"(its id is not in {self._shown(self.glossary_record)}): l10n never edits or deletes "
                "it; set another glossary_name"))
        return ours

    def _recorded(self) -> str | None:
        """The id in :attr:`glossary_record`, if any."""
        path = self.glossary_record
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise ConfigError(f"is not a glossary record l10n wrote ({type(e).__name__}); restore it "
                              "from git, or delete it to have l10n make a new glossary", path=path) from None
        made = data.get("glossary_id") if isinstance(data, dict) else None
        return made if isinstance(made, str) and made else None

    def _record(self, glossary_id: str, name: str) -> None:
        """Keep the id of the glossary l10n made (committed with the catalogs; no secret)."""
        if self.glossary_record is None:
            return
        text = json.dumps({"glossary_id": glossary_id, "name": name,
                           "about": "the DeepL glossary l10n made from the glossary CSV and edits "
                                    "in place; l10n touches no other glossary"},
                          indent=2, ensure_ascii=False) + "\n"
        self.glossary_record.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_atomic(self.glossary_record, text)
        except OSError as e:
            raise ConfigError(f"cannot be written ({e.strerror or e}); the glossary {name!r} is on DeepL, "
                              "with id " + glossary_id, path=self.glossary_record) from None

    def _shown(self, path: Path | None) -> str:
        if path is None:
            return "a record"
        root = self.settings_file.parent if self.settings_file is not None else None
        try:
            return str(path.relative_to(root)) if root is not None else path.name
        except ValueError:
            return str(path)

    def _glossary_entries(self, glossary_id: str, src: str, tgt: str) -> dict[str, str]:
        reply = self._call(self._translator.get_multilingual_glossary_entries, glossary_id, src, tgt)
        found = next((d.entries for d in reply.dictionaries), {})
        return deepl.convert_tsv_to_dict(found) if isinstance(found, str) else dict(found)

    def usage(self) -> tuple[int | None, int | None]:
        """Characters used and the limit of the billing period (None: unknown, unlimited).
        Asked once, without retries: it is information, not work."""
        detail = self._call(self._translator.get_usage, retries=0).character
        return detail.count, detail.limit

    def close(self) -> None:
        """Close the client's HTTP session and give the client its settings back."""
        self._translator.close()
        _http.max_network_retries, _http.min_connection_timeout = self._client_defaults

    def __enter__(self) -> "DeepLEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls and faults

    #: Seconds before the first retry, doubled after each up to :attr:`BACKOFF_MAX`.
    BACKOFF = 1.0
    BACKOFF_MAX = 60.0

    def _call(self, fn: Any, *args: Any, creating_glossary: bool = False, retries: int | None = None,
              **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` on the client, each attempt bounded by the timeout and
        retried here (``retries``, else the setting) on faults that may pass; any fault
        becomes one line."""
        retries = self.retries if retries is None else retries
        delay = self.BACKOFF
        for attempt in range(retries + 1):
            self._wait_turn()
            try:
                return _bounded(fn, args, kwargs, self.settings.timeout or DEFAULT_TIMEOUT)
            except deepl.DeepLException as e:
                timed_out = isinstance(e, deepl.ConnectionException) and _network_reason(str(e)) == "timed out"
                if attempt == retries and timed_out:  # the client's own socket timeout came first
                    raise self._unanswered(retries) from None
                if attempt == retries or not _passing(e):
                    raise self._fault(e, retries, creating_glossary) from None
            except _TimedOut:
                if attempt == retries:
                    raise self._unanswered(retries) from None
            except Exception as e:  # noqa: BLE001 - a reply the client could not read
                raise EngineError(f"DeepL sent a reply that cannot be read ({type(e).__name__}: "
                                  f"{self._scrub(str(e))[:200]})") from None
            self._back_off(delay)
            delay = min(delay * 2, self.BACKOFF_MAX)
        raise AssertionError("unreachable")

    def _unanswered(self, retries: int) -> EngineError:
        return EngineError(f"DeepL did not answer within {self.settings.timeout or DEFAULT_TIMEOUT:g} "
                           f"seconds, {count(retries + 1, 'time')}; rerun later")

    def _back_off(self, seconds: float) -> None:
        """After a fault that may pass, every request of this engine waits, not only the
        one that met it: requests run in parallel, and DeepL's 429 means all of them."""
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    def _wait_turn(self) -> None:
        while True:
            with self._lock:
                wait = self._resume_at - time.monotonic()
            if wait <= 0:
                return
            time.sleep(wait)

    @property
    def retries(self) -> int:
        """Retries after a fault that may pass: the setting, else the client's default."""
        return self._retries

    def _fault(self, e: deepl.DeepLException, retries: int, glossary: bool = False) -> L10nError:
        """One line for the error, without key or traceback."""
        status = getattr(e, "http_status_code", None)
        detail = self._scrub(_server_message(str(e)))
        said = f": {detail}" if detail else ""
        if isinstance(e, deepl.QuotaExceededException):
            msg = "DeepL quota exceeded for this billing period (HTTP 456); raise the limit or wait for the next period"
        elif isinstance(e, deepl.AuthorizationException):
            msg = ("DeepL rejected the authentication key (HTTP 403): check DEEPL_AUTH_KEY "
                   "(free keys end in ':fx') and DEEPL_SERVER_URL")
        elif isinstance(e, deepl.TooManyRequestsException) or status == 429:
            msg = f"DeepL kept answering 429 Too Many Requests after {retries} retries; wait a while and rerun"
        elif isinstance(e, deepl.ConnectionException):
            msg = f"cannot reach DeepL at {self._address()} after {retries} retries: {_network_reason(str(e))}"
        elif glossary and status == 400:
            return ConfigError(f"DeepL refused the glossary (HTTP 400){said}",
                               path=self.glossary.path if self.glossary else None)
        elif status == 400:
            msg = f"DeepL rejected the request (HTTP 400){said}"
        elif status == 413:
            msg = "DeepL rejected a request as too large (HTTP 413)"
        elif status is not None and status >= 500:
            msg = f"DeepL server error (HTTP {status}) persisted after {retries} retries; rerun later"
        elif status is not None:
            msg = f"DeepL answered HTTP {status}{said}"
        else:
            msg = f"DeepL client error: {self._scrub(str(e))}"
        return EngineError(" ".join(msg.split()))

    def _address(self) -> str:
        return self.server_url or getattr(self._translator, "server_url", None) or "the DeepL API"

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return re.sub(r"DeepL-Auth-Key\s+\S+", "DeepL-Auth-Key ***", " ".join(text.split()))


def _glossary_code(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    """DeepL's glossary code for a target language: its base language, lower case.

    >>> _glossary_code("pt_BR"), _glossary_code("en", {"en": "EN-GB"})
    ('pt', 'en')
    """
    return target_codes(lang, overrides)[0].split("-")[0].lower()


@lru_cache(maxsize=65536)
def _protect(text: str, shortcode_text: tuple[str, ...] = markup.SHORTCODE_TEXT) -> markup.Protected:
    """A text as sent (remembered: a run asks for it when it plans, sends, dedups and
    rebuilds; ``Protected`` is immutable)."""
    return markup.protect(text, references=markup.stand_in_references(text), shortcode_text=shortcode_text)


class _TimedOut(Exception):
    """A request did not end within the timeout."""


def _bounded(fn: Any, args: tuple, kwargs: dict, timeout: float) -> Any:
    """``fn(*args, **kwargs)`` in a daemon thread, given ``timeout`` seconds in all.

    The client's own timeouts bound each read, not the request: a server that sends one
    byte a second would hold it for ever. A call that overruns is left to end on its own
    (its thread never keeps the process alive). Ctrl-C interrupts the wait.
    """
    box: list = []

    def call() -> None:
        try:
            box.append((True, fn(*args, **kwargs)))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            box.append((False, e))

    done = threading.Thread(target=call, daemon=True, name="l10n-deepl")
    done.start()
    done.join(timeout)
    if not box:
        raise _TimedOut()
    ok, value = box[0]
    if not ok:
        raise value
    return value


def _passing(e: deepl.DeepLException) -> bool:
    """Faults a later attempt may not meet: rate limits, server errors, the network."""
    status = getattr(e, "http_status_code", None)
    return (isinstance(e, (deepl.TooManyRequestsException, deepl.ConnectionException))
            or status == 429 or (status is not None and status >= 500))


def _texts(results: Any, sent: int) -> list[str]:
    """The translated texts of a reply, or a one-line fault when the reply is malformed."""
    results = results if isinstance(results, list) else [results]
    if len(results) != sent:
        raise EngineError(f"DeepL answered {count(len(results), 'text')} for {sent} sent")
    texts = [getattr(r, "text", None) for r in results]
    if not all(isinstance(t, str) for t in texts):
        raise EngineError("DeepL sent a malformed reply (a translation without text); rerun later")
    return texts


def _server_message(text: str) -> str:
    """The server's own message in a client exception (", message: ..."), if any."""
    m = re.search(r", message: (.*?)(?:, detail: .*)?$", text, re.S)
    return m.group(1).strip() if m else ""


def _network_reason(text: str) -> str:
    """A short cause for a connection failure ("Connection refused", "timed out")."""
    m = re.search(r"\[Errno -?\d+\] ([^'\"()\]]+)", text)
    if m:
        return m.group(1).strip()
    if "timed out" in text.lower() or "timeout" in text.lower():
        return "timed out"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "connection closed by the server"
    return "connection failed"


_TAGS = re.compile(r"<[^<>]*>")


def billable(xml: str) -> int:
    """Characters DeepL bills for an XML text: its text nodes, entities read, tags not counted.

    >>> billable('Read <a id="1">the paper</a> &amp; more<x id="2"/>.')  # 'Read the paper & more.'
    22
    """
    return len(html.unescape(_TAGS.sub("", xml)))


def _has_words(xml: str) -> bool:
    """True if the XML has letters outside placeholders (something to translate)."""
    return any(ch.isalpha() for ch in _TAGS.sub("", re.sub(r"&\w+;|&#\w+;", "", xml)))
