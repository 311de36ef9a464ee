"""Settings of a site, read from ``[tool.l10n]`` in its ``pyproject.toml`` and validated."""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
import sys
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

from babel import Locale, UnknownLocaleError

from . import qa
from .anchors import RULES as ANCHOR_RULES
from .errors import ConfigError, InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PUBLISH_POLICIES = ("drafts", "reviewed")
#: Characters no file name of an article may contain: C0 and C1 controls (line breaks,
#: tabs, escapes), Unicode line and paragraph separators, and bidirectional overrides.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class FrontMatterPolicy:
    """What happens to each front-matter key: translate, set, rewrite; every other key is copied."""

    translate: tuple[str, ...] = ("title", "description", "summary")
    set: dict[str, str] = field(default_factory=lambda: {"language": "{lang}"})
    rewrite: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"url": {"/{source}/": "/{lang}/"}})
    embargo: tuple[str, ...] = ("draft",)


@dataclass(frozen=True)
class LinksPolicy:
    """``[tool.l10n.links]``: the site's own URL forms and the key linking a German article
    to its source."""

    forms: tuple[str, ...] | None = None  # templates with {lang}; None: derived from the url rewrite
    translation_key: str = ""             # e.g. "translationKey" (Hugo); "": none


@dataclass(frozen=True)
class Config:
    """A validated site configuration; paths are absolute."""

    root: Path
    source_lang: str = "en"
    target_langs: tuple[str, ...] = ("de",)
    content_dir: Path = Path("content")
    locales_dir: Path = Path("locales")
    publish: str = "drafts"
    front_matter: FrontMatterPolicy = field(default_factory=FrontMatterPolicy)
    state_key: str = "translation"
    obsolete_days: int = 90
    similarity: float = 0.6
    min_reviewed: float | dict[str, float] = 0.0
    deepl: dict[str, Any] = field(default_factory=dict)
    glossary: Path | None = None
    checks: qa.Policy = field(default_factory=qa.Policy)  # its glossary is filled where it is used
    min_translated: float | dict[str, float] = 0.0
    english_fallbacks: bool = False
    links: LinksPolicy = field(default_factory=LinksPolicy)
    #: Shortcode parameters whose values are translated (``{{< figure alt="…" >}}``).
    shortcode_text: tuple[str, ...] = ("alt", "caption", "title")
    #: ``[project] name`` of the site's ``pyproject.toml`` ("" when it has none).
    project: str = ""

    def minimum(self, name: str, lang: str) -> float:
        """A threshold (``min_reviewed``, ``min_translated``) for a language: the one number
        for every language, or the language's entry of a table (0 when it has none)."""
        value = getattr(self, name)
        return value.get(lang, 0.0) if isinstance(value, dict) else value
    anchors: str = "hugo"

    @cached_property
    def source_dir(self) -> Path:
        """The source language's folder (joined once: the configuration is frozen, and every
        article asks for it)."""
        return self.content_dir / self.source_lang

    def target_dir(self, lang: str) -> Path:
        return _folder(self.content_dir, lang)

    def catalog_path(self, article: Path, lang: str) -> Path:
        """``content/en/a/b.md`` -> ``locales/de/a/b.po``."""
        return self.paths(article, lang)[0]

    def output_path(self, article: Path, lang: str) -> Path:
        return self.paths(article, lang)[1]

    def paths(self, article: Path, lang: str) -> tuple[Path, Path]:
        """The article's catalog and output (``content/de/a/b.md``), its path checked once
        (:meth:`relative`)."""
        rel = self.relative(article)
        return (_folder(self.locales_dir, lang) / rel).with_suffix(".po"), self.target_dir(lang) / rel

    def relative(self, article: Path) -> Path:
        """The article's path under the source folder; :class:`InputError` for a file that
        is not one (elsewhere, a link out of the site, a name with control characters)."""
        rel = _under(article, self.source_dir)
        if rel is None:
            raise ConfigError(f"not a source article: expected a file under {self.display(self.source_dir)}",
                              path=self.display(article))
        check_name(self.display(article))
        if (not _plainly_inside(article, rel, self.source_dir)
                and _under(article.resolve(), _resolved(self.source_dir)) is None):
            raise InputError("is a link to a file outside the source folder: not read (it could send "
                             "any file of the machine to a translation service)", path=self.display(article))
        return rel

    def page(self, article: Path) -> str:
        """The article's path under the source folder as written, with ``/`` (its page in the
        site); ValueError where it is not written under it."""
        rel = _nested(article, self.source_dir)
        return (rel if rel is not None else article.relative_to(self.source_dir)).as_posix()

    def display(self, path: Path) -> Path:
        """The path as shown in messages and catalogs: relative to the site root (a relative
        path is taken as shown already: the working folder has nothing to do with the site)."""
        if not path.is_absolute():
            return path
        rel = _under(path, self.root)
        return path if rel is None else rel

    def articles(self) -> list[Path]:
        """Every source article, sorted (each is checked where it is used: :meth:`relative`);
        :class:`ConfigError` when the source folder is missing."""
        if not self.source_dir.is_dir():
            raise ConfigError(f"no such folder: the {self.source_lang!r} articles go there (content_dir "
                              "and source_lang in [tool.l10n] name it)", path=self.display(self.source_dir))
        return sorted(self.source_dir.rglob("*.md"), key=lambda p: p.parts)  # Path's order, tuples compared in C


@lru_cache(maxsize=8)
def _resolved(folder: Path) -> Path:
    """A site folder's real path, resolved once per process (each article's own path is
    resolved where it is used)."""
    return folder.resolve()


def check_name(path: Path) -> Path:
    """``path``, or :class:`InputError` when it has a line break or another control character.

    Such a name would break the one-line messages and the ``#:`` lines of catalogs; the error
    shows it escaped.

    >>> check_name(Path("content/en/a.md")).name
    'a.md'
    >>> check_name(Path("content/en/a\\nb.md"))
    Traceback (most recent call last):
    l10n.errors.InputError: file name 'content/en/a\\nb.md' contains a control character (such as a line break): rename the file
    """
    if _CONTROL.search(str(path)):
        raise InputError(f"file name {str(path)!r} contains a control character (such as a line break): "
                         "rename the file")
    return path


def printable(text: str) -> str:
    """``text`` with control characters escaped, to show a file name on one line.

    >>> printable("content/en/a\\x1bb.md"), printable("content/en/ü.md")
    ('content/en/a\\\\x1bb.md', 'content/en/ü.md')
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text) if _CONTROL.search(text) else text


@lru_cache(maxsize=65536, typed=True)
def _nested(path: Path, base: Path) -> Path | None:
    """``path`` relative to ``base`` as the two are written, or None (not below it, or ``..``
    in the way): a pure function of the two, worked out once for the paths of an article,
    which are shown and placed several times."""
    try:
        rel = path.relative_to(base)
    except ValueError:
        return None
    return rel if ".." not in rel.parts else None


def _plainly_inside(article: Path, rel: Path, folder: Path) -> bool:
    """Whether ``article`` is written as ``folder`` and ``rel`` and no part of ``rel`` is a
    symbolic link (``os.lstat``, one per part): then its real path is ``rel`` in the real
    path of ``folder``, as resolving it part by part (every part of ``folder`` too) finds.
    False where that is not sure (a missing part, say)."""
    path = str(folder)
    for part in rel.parts:
        path = os.path.join(path, part)
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
    return path == str(article)


@lru_cache(maxsize=256, typed=True)
def _folder(base: Path, name: str) -> Path:
    """``base / name``, a language's folder: joined once (a pure function of the two)."""
    return base / name


def _under(path: Path, base: Path) -> Path | None:
    """``path`` relative to ``base``, or None; links resolved only when the plain paths do not nest."""
    rel = _nested(path, base)  # the usual case, without touching the disk
    if rel is not None:
        return rel
    try:
        return path.resolve().relative_to(base.resolve())
    except ValueError:
        return None


def language(code: str, *, where: str = "language") -> str:
    """Validate a language code with babel and return it in gettext form.

    >>> language("de"), language("pt-BR")
    ('de', 'pt_BR')
    """
    try:
        return str(Locale.parse(code.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError) as e:
        raise ConfigError(f"unknown {where} {code!r}: use a code such as 'de', 'fr' or 'pt_BR'") from e


def find_root(start: Path) -> Path:
    """The nearest folder from ``start`` upwards whose ``pyproject.toml`` has a ``[tool.l10n]``
    table, as git and ruff find theirs; a ``pyproject.toml`` without one is passed by, one
    that cannot be read is taken (:func:`load` then names its fault)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        path = folder / "pyproject.toml"
        if not path.is_file():
            continue
        try:
            tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return folder
        if isinstance(tool, dict) and "l10n" in tool:
            return folder
    raise ConfigError(f"no pyproject.toml with [tool.l10n] in {start} or any folder above it: "
                      "create one with [tool.l10n] target_langs = [\"de\"], or give --root DIR")


def load(root: Path) -> Config:
    """Read and validate ``root/pyproject.toml``'s ``[tool.l10n]`` table."""
    path = root / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError("no pyproject.toml: create one with [tool.l10n] target_langs = [\"de\"]",
                          path=path) from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read: {e}", path=path) from e
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"at line (\d+)", str(e))
        raise InputError(f"invalid TOML: {e}", path=path, line=int(line.group(1)) if line else None) from e
    reader = _Reader(path, text)
    tool = reader.table(("tool",), raw.get("tool", {}))
    table = tool.get("l10n")
    if table is None:
        raise ConfigError("no [tool.l10n] table: add one with target_langs = [\"de\"]", path=path)
    project = raw.get("project", {})
    name = project.get("name", "") if isinstance(project, dict) else ""
    return from_table(table, root, path, text=text, project=name if isinstance(name, str) else "")


#: The keys of ``[tool.l10n]``; ``front_matter`` and ``deepl`` are tables with keys of their own.
KEYS = ("source_lang", "target_langs", "content_dir", "locales_dir", "publish", "front_matter",
        "state_key", "obsolete_days", "similarity", "min_reviewed", "deepl", "glossary", "checks",
        "min_translated", "english_fallbacks", "links", "shortcode_text", "anchors")
#: ``[tool.l10n.checks]``: a severity per check code, the register and the quotation marks.
CHECKS_KEYS = qa.CODES + ("register", "quote_style")
LINKS_KEYS = ("forms", "translation_key")
FRONT_MATTER_KEYS = tuple(f.name for f in fields(FrontMatterPolicy))
#: ``[tool.l10n.deepl]``: the keyword arguments of ``l10n.engines.deepl.Settings``.
DEEPL_KEYS = ("formality", "context", "retries", "timeout", "tag_handling_version",
              "preserve_formatting", "model_type", "target_codes", "concurrency",
              "custom_instructions", "style_id", "glossary_name")
#: DeepL's ``model_type`` values.
MODEL_TYPES = ("prefer_quality_optimized", "quality_optimized", "latency_optimized")
#: DeepL's limits on ``custom_instructions``: how many, and characters each.
MAX_INSTRUCTIONS, MAX_INSTRUCTION_CHARS = 10, 300
FORMALITIES = ("default", "more", "less", "prefer_more", "prefer_less")
_TABLE = ("tool", "l10n")
_DEEPL_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4})?")
_PARAMETER = re.compile(r"[A-Za-z_][\w-]*", re.ASCII)


def from_table(table: Any, root: Path, path: Path | None = None, *, text: str | None = None,
               project: str = "") -> Config:
    """Build a :class:`Config` from the parsed ``[tool.l10n]`` table.

    Every key is checked for spelling and type; a mistake raises :class:`ConfigError` naming
    the dotted key and, when ``text`` (the file's text, else read from ``path``) shows it,
    its line.
    """
    r = _Reader(path, text)
    table = r.table(_TABLE, table, KEYS)

    def key(name: str) -> tuple[str, ...]:
        return _TABLE + (name,)

    targets = r.strings(key("target_langs"), table.get("target_langs", []), example='["de"]')
    if not targets:
        raise r.error(key("target_langs"), "must be a non-empty list of language codes, e.g. [\"de\"]")
    source = r.language(key("source_lang"), table.get("source_lang", "en"), "source language")
    langs = tuple(r.language(key("target_langs"), t, "target language") for t in targets)
    for i, lang in enumerate(langs):
        if lang == source:
            raise r.error(key("target_langs"), f"contains the source language {source!r}")
        if lang in langs[:i]:
            raise r.error(key("target_langs"), f"lists {lang!r} twice")
    root = root.resolve()
    state_key = r.string(key("state_key"), table.get("state_key", "translation"))
    links_policy = _links(r, key("links"), table.get("links", {}))
    if links_policy.translation_key and links_policy.translation_key == state_key:
        raise r.error(key("links") + ("translation_key",),
                      f"is {state_key!r}, the key l10n records the translation state under (state_key): "
                      "name another key")
    glossary = r.string(key("glossary"), table.get("glossary", ""))
    if glossary and not (root / glossary).is_file():
        raise r.error(key("glossary"), f"names no file: {glossary!r} is not in the site")
    return Config(
        root=root,
        source_lang=source,
        target_langs=langs,
        content_dir=root / r.folder(key("content_dir"), table.get("content_dir", "content")),
        locales_dir=root / r.folder(key("locales_dir"), table.get("locales_dir", "locales")),
        publish=r.string(key("publish"), table.get("publish", "drafts"), PUBLISH_POLICIES),
        front_matter=_front_matter(r, key("front_matter"), table.get("front_matter", {})),
        state_key=state_key,
        obsolete_days=r.integer(key("obsolete_days"), table.get("obsolete_days", 90), low=-1),
        similarity=r.number(key("similarity"), table.get("similarity", 0.6), low=0, high=1),
        min_reviewed=_shares(r, key("min_reviewed"), table.get("min_reviewed", 0.0), langs),
        deepl=_deepl(r, key("deepl"), table.get("deepl", {}), langs),
        glossary=root / glossary if glossary else None,
        checks=_checks(r, key("checks"), table.get("checks", {})),
        min_translated=_shares(r, key("min_translated"), table.get("min_translated", 0.0), langs),
        english_fallbacks=r.boolean(key("english_fallbacks"), table.get("english_fallbacks", False)),
        links=links_policy,
        shortcode_text=_parameters(r, key("shortcode_text"),
                                   table.get("shortcode_text", list(Config.shortcode_text))),
        anchors=r.string(key("anchors"), table.get("anchors", "hugo"), ANCHOR_RULES),
        project=project.strip(),
    )


def _checks(r: _Reader, key: tuple[str, ...], value: Any) -> qa.Policy:
    """``[tool.l10n.checks]``: ``CODE = "error" | "warning" | "off"``, ``register``, ``quote_style``."""
    table = r.table(key, value, CHECKS_KEYS)
    severities = dict(qa.DEFAULTS)
    for code in qa.CODES:
        if code in table:
            severities[code] = r.string(key + (code,), table[code], qa.SEVERITIES)
    register = r.string(key + ("register",), table["register"], qa.REGISTERS) if "register" in table else None
    quotes = r.string(key + ("quote_style",), table["quote_style"], qa.QUOTE_STYLES) if "quote_style" in table else None
    return qa.Policy(severities, register, quotes)


def _shares(r: _Reader, key: tuple[str, ...], value: Any, langs: Sequence[str]) -> float | dict[str, float]:
    """A share from 0 to 1 for every language, or a table of them by language, each one
    of ``langs`` (a threshold for a language never translated would never apply)."""
    if not isinstance(value, dict):
        return r.number(key, value, low=0, high=1)
    return {lang: r.number(key + (name,), share, low=0, high=1)
            for lang, name, share in _per_target(r, key, value, langs, ": a threshold for it would never apply",
                                                 written=True)}


def _per_target(r: _Reader, key: tuple[str, ...], table: dict, targets: Sequence[str],
                why: str = "", written: bool = False) -> Iterator[tuple[str, str, Any]]:
    """(language code, key as written, value) of a table keyed by target language; a key
    that is no target language is an error at its line, naming the language as its code
    (or as ``written``)."""
    for name, value in table.items():
        lang = r.language(key + (name,), name, "language")
        if lang not in targets:
            raise r.error(key + (name,), f"names {name if written else lang!r}, which is not in target_langs "
                                         f"({', '.join(targets)}){why}")
        yield lang, name, value


def _links(r: _Reader, key: tuple[str, ...], value: Any) -> LinksPolicy:
    """``[tool.l10n.links]``: URL prefix templates that must hold ``{lang}``, and a key name."""
    table = r.table(key, value, LINKS_KEYS)
    forms = None
    if "forms" in table:
        forms = r.strings(key + ("forms",), table["forms"], example='["/{lang}/"]')
        for form in forms:
            r.template(key + ("forms",), form)
            if "{lang}" not in form:
                raise r.error(key + ("forms",), f"must hold {{lang}} in each form, as in \"/{{lang}}/\", "
                                                f"not {form!r}")
    name = r.string(key + ("translation_key",), table.get("translation_key", ""))
    if _CONTROL.search(name) or ":" in name or name != name.strip():
        raise r.error(key + ("translation_key",), f"must be a plain front-matter key, not {name!r}")
    return LinksPolicy(forms, name)


def _parameters(r: _Reader, key: tuple[str, ...], value: Any) -> tuple[str, ...]:
    """Names of shortcode parameters, as Hugo writes them (``alt``, ``data-caption``)."""
    names = r.strings(key, value, example='["alt", "caption", "title"]')
    for name in names:
        if not _PARAMETER.fullmatch(name):
            raise r.error(key, f"must name shortcode parameters (letters, digits, _ and -), not {name!r}")
    return names


def _front_matter(r: _Reader, key: tuple[str, ...], value: Any) -> FrontMatterPolicy:
    """``[tool.l10n.front_matter]``: lists of keys, and templates that may use {lang} and {source}."""
    table = r.table(key, value, FRONT_MATTER_KEYS)
    defaults = FrontMatterPolicy()
    sets = r.table(key + ("set",), table.get("set", defaults.set))
    rewrites = r.table(key + ("rewrite",), table.get("rewrite", defaults.rewrite))
    return FrontMatterPolicy(
        translate=r.strings(key + ("translate",), table.get("translate", list(defaults.translate))),
        set={k: r.template(key + ("set", k), v) for k, v in sets.items()},
        rewrite={name: _rules(r, key + ("rewrite", name), rules) for name, rules in rewrites.items()},
        embargo=r.strings(key + ("embargo",), table.get("embargo", list(defaults.embargo))),
    )


def _rules(r: _Reader, key: tuple[str, ...], value: Any) -> dict[str, str]:
    """One key's rewrite rules: a table of old text = new text, both templates."""
    return {r.template(key + (old,), old): r.template(key + (old,), new)
            for old, new in r.table(key, value).items()}


def _deepl(r: _Reader, key: tuple[str, ...], value: Any, targets: Sequence[str] = ("de",)) -> dict[str, Any]:
    """``[tool.l10n.deepl]``: the keys given, checked and normalised (see :data:`DEEPL_KEYS`)."""
    table = r.table(key, value, DEEPL_KEYS)
    settings: dict[str, Any] = {}
    for name, item in table.items():
        k = key + (name,)
        if name == "formality":
            settings[name] = r.string(k, item, FORMALITIES)
        elif name in ("context", "preserve_formatting"):
            settings[name] = r.boolean(k, item)
        elif name == "retries":
            settings[name] = r.integer(k, item, low=0)
        elif name == "concurrency":
            settings[name] = r.integer(k, item, low=1)
        elif name == "timeout":
            settings[name] = r.number(k, item, low=0, high=3600, positive=True)  # seconds: an hour at most
        elif name == "model_type":  # "": the API's default (latency_optimized)
            settings[name] = item if item == "" else r.string(k, item, MODEL_TYPES)
        elif name == "custom_instructions":
            settings[name] = _instructions(r, k, item)
        elif name == "style_id":
            settings[name] = _styles(r, k, item, targets)
        elif name == "glossary_name":
            settings[name] = _line(r, k, item)
        elif name == "target_codes":
            codes = r.table(k, item)
            settings[name] = {r.language(k + (lang,), lang, "language"): r.deepl_code(k + (lang,), code)
                              for lang, code in codes.items()}
        else:
            settings[name] = r.string(k, item)
    if settings.get("model_type") == "latency_optimized":
        for name in ("custom_instructions", "style_id"):
            if settings.get(name):
                raise r.error(key + ("model_type",), f"cannot be \"latency_optimized\" with {name}: "
                              "DeepL serves those with quality-optimized models only")
    return settings


def _line(r: _Reader, key: tuple[str, ...], value: Any) -> str:
    """One line of text ("" for none)."""
    text = r.string(key, value)
    if (text and not text.strip()) or _CONTROL.search(text):
        raise r.error(key, f"must be one line of text (\"\" for none), not {text!r}")
    return text


def _styles(r: _Reader, key: tuple[str, ...], value: Any, targets: Sequence[str]) -> str | dict[str, str]:
    """``style_id``: a style rule list belongs to one language on DeepL, so a string serves a
    site with one target language, and a table ``{de = "...", fr = "..."}`` names one per
    target language (a language left out gets none)."""
    if isinstance(value, dict):
        return {code: item for code, name, item in _per_target(r, key, value, targets)
                if _line(r, key + (name,), item)}
    if not isinstance(value, str):
        raise r.error(key, f"must be a string or a table of one per language, e.g. "
                           f"{{de = \"...\"}}, not {_describe(value)}")
    style = _line(r, key, value)
    if style and len(targets) > 1:
        table = ", ".join(f'{t} = "..."' for t in targets)
        raise r.error(key, f"is one style rule list, and a style rule list belongs to one language, "
                           f"but target_langs has {len(targets)}: name one per language, "
                           f"style_id = {{{table}}}")
    return style


def _instructions(r: _Reader, key: tuple[str, ...], value: Any) -> tuple[str, ...]:
    """At most 10 instructions of at most 300 characters each (DeepL's limits)."""
    items = r.strings(key, value, example='["Use the Oxford comma."]')
    if len(items) > MAX_INSTRUCTIONS:
        raise r.error(key, f"may hold at most {MAX_INSTRUCTIONS} instructions (DeepL's limit), not {len(items)}")
    for i, item in enumerate(items, 1):
        if not item.strip():
            raise r.error(key, f"has an empty instruction (number {i})")
        if len(item) > MAX_INSTRUCTION_CHARS:
            raise r.error(key, f"instruction {i} has {len(item)} characters; DeepL takes at most "
                               f"{MAX_INSTRUCTION_CHARS}")
    return items


# -- reading keys ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Reader:
    """Typed reads of parsed TOML values; a wrong one is a :class:`ConfigError` at its key."""

    path: Path | None = None
    text: str | None = None

    def error(self, key: Sequence[str], message: str) -> ConfigError:
        """``pyproject.toml:LINE: tool.l10n.KEY message``."""
        text = self.text
        if text is None and self.path is not None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None
        line = key_line(text, key) if text else None
        return ConfigError(f"{dotted(key)} {message}", path=self.path, line=line)

    def table(self, key: Sequence[str], value: Any, known: Sequence[str] | None = None) -> dict[str, Any]:
        """A table; with ``known``, every key of it must be one of those."""
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {_describe(value)}")
        for name in value:
            if known is not None and name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise self.error(tuple(key) + (name,),
                                 f"is not a setting: {hint}known keys: {', '.join(sorted(known))}")
        return value

    def string(self, key: Sequence[str], value: Any, choices: Sequence[str] | None = None) -> str:
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {_describe(value)}")
        if choices is not None and value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def strings(self, key: Sequence[str], value: Any, example: str = '["title"]') -> tuple[str, ...]:
        """A list of strings, e.g. ``["title", "summary"]``."""
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of strings, e.g. {example}, not {_describe(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.error(key, f"must be a list of strings, e.g. {example}, but has {_describe(item)}")
        return tuple(value)

    def folder(self, key: Sequence[str], value: Any) -> str:
        """A folder name relative to the site root."""
        folder = self.string(key, value)
        inside = not Path(folder).is_absolute() and ".." not in Path(folder).parts
        if not folder.strip() or _CONTROL.search(folder) or not inside:
            raise self.error(key, f"must name a folder inside the site, relative to its root, not {folder!r}")
        return folder

    def template(self, key: Sequence[str], value: Any) -> str:
        """A string that may use ``{lang}`` and ``{source}`` (the target and source language)."""
        template = self.string(key, value)
        try:
            template.format(lang="de", source="en")
        except (KeyError, IndexError, ValueError, AttributeError) as e:
            raise self.error(key, f"may use only {{lang}} and {{source}} in braces, not {template!r} "
                                  f"({type(e).__name__}: {e})") from e
        return template

    def boolean(self, key: Sequence[str], value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {_describe(value)}")
        return value

    def integer(self, key: Sequence[str], value: Any, *, low: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"must be a whole number, not {_describe(value)}")
        if value < low:
            raise self.error(key, f"must be {low} or more, not {value}")
        return value

    def number(self, key: Sequence[str], value: Any, *, low: float, high: float = math.inf,
               positive: bool = False) -> float:
        """A finite number from ``low`` to ``high``; above ``low`` when ``positive``."""
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self.error(key, f"must be a number, not {_describe(value)}")
        if not (low <= value <= high) or not math.isfinite(value) or (positive and value == low):
            at_most = "" if high == math.inf else f" and at most {high}"
            bounds = f"more than {low}{at_most}" if positive else (
                f"{low} or more" if high == math.inf else f"from {low} to {high}")
            raise self.error(key, f"must be {bounds}, not {value}")
        return float(value)

    def language(self, key: Sequence[str], value: Any, where: str) -> str:
        """A language code (see :func:`language`)."""
        try:
            return language(self.string(key, value), where=where)
        except ConfigError as e:
            if e.path is not None:
                raise
            raise self.error(key, f"has an {e.message}") from e

    def deepl_code(self, key: Sequence[str], value: Any) -> str:
        """A DeepL language code such as ``EN-GB``."""
        code = self.string(key, value)
        if not _DEEPL_CODE.fullmatch(code):
            raise self.error(key, f"must be a DeepL language code such as \"EN-GB\", not {code!r}")
        return code


def _describe(value: Any) -> str:
    """A TOML value's kind for messages: ``a string ('title')``, ``a table``."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}.get(
        type(value), "a date or time")
    shown = repr(value) if not isinstance(value, bool) else str(value).lower()
    return f"{kind} ({shown if len(shown) <= 40 else shown[:37] + '...'})"


# -- keys in the file -----------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_PATH = rf"{_PART}(?:[ \t]*\.[ \t]*{_PART})*"
_HEADER = re.compile(rf"[ \t]*\[\[?[ \t]*({_PATH})[ \t]*\]")
_ASSIGN = re.compile(rf"[ \t]*({_PATH})[ \t]*=")


def dotted(key: Sequence[str]) -> str:
    """A key path as TOML writes it.

    >>> dotted(("tool", "l10n", "front_matter", "rewrite", "url", "/{source}/"))
    'tool.l10n.front_matter.rewrite.url."/{source}/"'
    """
    return ".".join(p if _BARE.fullmatch(p) else json.dumps(p, ensure_ascii=False) for p in key)


def key_line(text: str, key: Sequence[str]) -> int | None:
    """The line of ``text`` (TOML) that sets ``key``, else that of its closest enclosing table.

    A scan of table headers and ``key =`` lines, not a TOML parser: a hint for messages,
    None when nothing encloses the key.

    >>> text = '[tool.l10n]\\ntarget_langs = ["de"]\\n\\n[tool.l10n.front_matter]\\nrewrite = {url = "x"}\\n'
    >>> key_line(text, ("tool", "l10n", "target_langs")), key_line(text, ("tool", "l10n", "front_matter", "rewrite", "url"))
    (2, 5)
    """
    key = tuple(key)
    table: tuple[str, ...] = ()
    best, best_length = None, 0
    string: str | None = None  # the delimiter of a multi-line string being skipped
    for number, line in enumerate(text.split("\n"), 1):
        if string is not None:
            if line.count(string) % 2:
                string = None
            continue
        header = _HEADER.match(line)
        assign = None if header else _ASSIGN.match(line)
        if header:
            table = found = _parts(header.group(1))
        elif assign:
            found = table + _parts(assign.group(1))
        else:
            found = None
        if found == key:
            return number
        if found and len(found) > best_length and key[:len(found)] == found:
            best, best_length = number, len(found)
        string = next((d for d in ('"""', "\'\'\'") if line.count(d) % 2), None)
    return best


def _parts(path: str) -> tuple[str, ...]:
    """``a."b.c"`` -> ``("a", "b.c")``."""
    parts = []
    for part in re.findall(_PART, path):
        if part.startswith('"'):
            try:
                part = json.loads(part)
            except ValueError:
                part = part[1:-1]
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)
