"""Settings of a site, read from ``[tool.l10n]`` in its ``pyproject.toml`` and validated."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from .errors import ConfigError, InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PUBLISH_POLICIES = ("drafts", "reviewed")


@dataclass(frozen=True)
class FrontMatterPolicy:
    """What happens to each front-matter key: translate, set, rewrite; every other key is copied."""

    translate: tuple[str, ...] = ("title", "description", "summary")
    set: dict[str, str] = field(default_factory=lambda: {"language": "{lang}"})
    rewrite: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"url": {"/{source}/": "/{lang}/"}})
    embargo: tuple[str, ...] = ("draft",)


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
    min_reviewed: float = 0.0
    deepl: dict[str, Any] = field(default_factory=dict)
    glossary: Path | None = None

    @property
    def source_dir(self) -> Path:
        return self.content_dir / self.source_lang

    def target_dir(self, lang: str) -> Path:
        return self.content_dir / lang

    def catalog_path(self, article: Path, lang: str) -> Path:
        """``content/en/a/b.md`` -> ``locales/de/a/b.po``."""
        return (self.locales_dir / lang / self.relative(article)).with_suffix(".po")

    def output_path(self, article: Path, lang: str) -> Path:
        return self.target_dir(lang) / self.relative(article)

    def relative(self, article: Path) -> Path:
        rel = _under(article, self.source_dir)
        if rel is None:
            raise ConfigError(f"not a source article: expected a file under {self.display(self.source_dir)}",
                              path=self.display(article))
        return rel

    def display(self, path: Path) -> Path:
        """The path as shown in messages and catalogs: relative to the site root."""
        rel = _under(path, self.root)
        return path if rel is None else rel

    def articles(self) -> list[Path]:
        """Every source article, sorted."""
        return sorted(self.source_dir.rglob("*.md"))


def _under(path: Path, base: Path) -> Path | None:
    """``path`` relative to ``base``, or None; links resolved only when the plain paths do not nest."""
    try:
        rel = path.relative_to(base)  # the usual case, without touching the disk
        if ".." not in rel.parts:
            return rel
    except ValueError:
        pass
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


def load(root: Path) -> Config:
    """Read and validate ``root/pyproject.toml``'s ``[tool.l10n]`` table."""
    path = root / "pyproject.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError("no pyproject.toml: create one with [tool.l10n] target_langs = [\"de\"]",
                          path=path) from e
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"invalid TOML: {e}", path=path) from e
    table = raw.get("tool", {}).get("l10n")
    if table is None:
        raise ConfigError("no [tool.l10n] table: add one with target_langs = [\"de\"]", path=path)
    return from_table(table, root, path)


_KEYS = {"source_lang", "target_langs", "content_dir", "locales_dir", "publish", "front_matter",
         "state_key", "obsolete_days", "similarity", "min_reviewed", "deepl", "glossary"}


def from_table(table: dict[str, Any], root: Path, path: Path | None = None) -> Config:
    """Build a :class:`Config` from the parsed table, naming the key at fault."""
    def bad(msg: str) -> ConfigError:
        return ConfigError(f"[tool.l10n] {msg}", path=path)

    unknown = set(table) - _KEYS
    if unknown:
        raise bad(f"unknown key {sorted(unknown)[0]!r}; known keys: {', '.join(sorted(_KEYS))}")
    targets = table.get("target_langs")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise bad("target_langs must be a non-empty list of language codes, e.g. [\"de\"]")
    source = language(str(table.get("source_lang", "en")), where="source_lang")
    langs = tuple(language(t, where="target language") for t in targets)
    if source in langs:
        raise bad(f"target_langs contains the source language {source!r}")
    publish = table.get("publish", "drafts")
    if publish not in PUBLISH_POLICIES:
        raise bad(f"publish must be one of {', '.join(PUBLISH_POLICIES)}, not {publish!r}")
    fm = table.get("front_matter", {})
    if not isinstance(fm, dict):
        raise bad("front_matter must be a table")
    defaults = FrontMatterPolicy()
    policy = FrontMatterPolicy(
        translate=tuple(fm.get("translate", defaults.translate)),
        set=dict(fm.get("set", defaults.set)),
        rewrite={k: dict(v) for k, v in fm.get("rewrite", defaults.rewrite).items()},
        embargo=tuple(fm.get("embargo", defaults.embargo)),
    )
    try:
        similarity = float(table.get("similarity", 0.6))
        min_reviewed = float(table.get("min_reviewed", 0.0))
        obsolete_days = int(table.get("obsolete_days", 90))
    except (TypeError, ValueError) as e:
        raise bad(f"similarity, min_reviewed and obsolete_days must be numbers ({e})") from e
    glossary = table.get("glossary")
    root = root.resolve()
    return Config(
        root=root,
        source_lang=source,
        target_langs=langs,
        content_dir=root / table.get("content_dir", "content"),
        locales_dir=root / table.get("locales_dir", "locales"),
        publish=publish,
        front_matter=policy,
        state_key=str(table.get("state_key", "translation")),
        obsolete_days=obsolete_days,
        similarity=similarity,
        min_reviewed=min_reviewed,
        deepl=dict(table.get("deepl", {})),
        glossary=root / glossary if glossary else None,
    )
