"""A record of work already done, keyed by the content of the files involved.

A rerun skips an article only when its source, catalog and output still hash to what the
last run saw: a hand-edited German file or catalog changes its hash and is processed again.
Nothing is trusted by date or size. The records live outside the site, in
``$L10N_CACHE_DIR`` or ``$XDG_CACHE_HOME/l10n`` (``~/.cache/l10n``), one folder per site,
so that ``l10n check`` changes no file of the site; they are safe to delete.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .fsutil import write_atomic



def folder(root: Path) -> Path:
    """Where the records of the site at ``root`` are kept."""
    base = os.environ.get("L10N_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "l10n")
    site = hashlib.blake2b(str(root.resolve()).encode("utf-8"), digest_size=8).hexdigest()
    return Path(base) / site


def digest(*parts: bytes | None) -> str:
    """One hash over several files' bytes (``None``: the file does not exist).

    >>> digest(b"a", None) != digest(b"a", b"")
    True
    """
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        if part is None:
            h.update(b"\x00missing")
        else:
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
    return h.hexdigest()


def read(path: Path) -> bytes | None:
    """A file's bytes; None when there is no such file (or its folder is not a folder)."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _fingerprint(config: Config, *scope: str) -> str:
    """What else the results depend on: the tool's version, the settings, the scope."""
    settings = {f.name: getattr(config, f.name) for f in fields(config) if f.name != "root"}
    settings["front_matter"] = asdict(config.front_matter) if is_dataclass(config.front_matter) else None
    text = json.dumps([__version__, scope, settings], sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class Cache:
    """Per-article records for one command and language."""

    def __init__(self, config: Config, *scope: str):
        name = "-".join(s.replace("/", "_") for s in scope)
        self.path = folder(config.root) / f"{name}.json"
        self.fingerprint = _fingerprint(config, *scope)
        self.records: dict[str, Any] = {}
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("fingerprint") == self.fingerprint:
                self.records = data.get("articles", {})
        except (OSError, ValueError, AttributeError):
            pass  # no record, or an unreadable one: everything is done again

    def get(self, article: str, key: str) -> Any:
        record = self.records.get(article)
        return record[1] if record and record[0] == key else None

    def put(self, article: str, key: str, value: Any) -> None:
        if self.records.get(article) != [key, value]:
            self.records[article] = [key, value]
            self.changed = True

    def forget(self, article: str) -> None:
        if self.records.pop(article, None) is not None:
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        text = json.dumps({"fingerprint": self.fingerprint, "articles": self.records},
                          sort_keys=True, separators=(",", ":"))
        try:
            write_atomic(self.path, text)
        except OSError:
            pass  # a read-only tree: the cache only saves time
        self.changed = False
