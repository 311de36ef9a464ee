"""A record of work already done, keyed by the content of the files involved.

A rerun skips an article only when its source, catalog and output still hash to what the
last run saw: a hand-edited German file or catalog changes its hash and is processed again.
Nothing is trusted by date or size. A record is only a shortcut to a verdict it can prove:
it holds the hash of the files it vouches for, it is valid only for the code and the
configuration that made it (:func:`code_digest`, the settings), and it is signed with a
secret of this user (HMAC), so a record edited by hand or written by another version is
ignored. The records live outside the site, in ``$L10N_CACHE_DIR`` or
``$XDG_CACHE_HOME/l10n`` (``~/.cache/l10n``), one folder per site, so that ``l10n check``
changes no file of the site; they are safe to delete. A cache restored from somewhere
untrusted (a CI cache) carries its own secret: use ``l10n check --no-cache`` there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from functools import lru_cache
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .errors import InputError, L10nError
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
    """A file's bytes; None when there is no such file (or its folder is not a folder);
    :class:`InputError` when it cannot be read (a folder, no permission)."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path=path) from None


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of l10n's own code and the versions of the libraries that read Markdown and
    PO files: a record made by other code proves nothing."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("markdown-it-py", "polib", "PyYAML", "babel", "deepl"):
        try:
            h.update(f"{dist}={version(dist)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{dist}=-\0".encode())
    return h.hexdigest()


def _fingerprint(config: Config, *scope: str) -> str:
    """What else the results depend on: the code, the settings, the scope."""
    settings = {f.name: getattr(config, f.name) for f in fields(config) if f.name != "root"}
    settings["front_matter"] = asdict(config.front_matter) if is_dataclass(config.front_matter) else None
    text = json.dumps([__version__, code_digest(), scope, settings], sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _secret(base: Path) -> bytes | None:
    """This user's key for signing records, made on first use (None: cannot be kept)."""
    path = base / "secret"
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(os.urandom(32).hex())
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


class Cache:
    """Per-article records for one command and language."""

    def __init__(self, config: Config, *scope: str):
        name = "-".join(s.replace("/", "_") for s in scope)
        self.path = folder(config.root) / f"{name}.json"
        self.fingerprint = _fingerprint(config, *scope)
        self.secret = _secret(self.path.parent.parent)
        self.records: dict[str, Any] = {}
        self.changed = False
        if self.secret is None:
            return  # nowhere to keep a key: no record can be trusted, none is kept
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("fingerprint") == self.fingerprint:
                self.records = {a: r for a, r in data.get("articles", {}).items()
                                if isinstance(r, list) and len(r) == 3 and hmac.compare_digest(
                                    str(r[2]), self._sign(a, r[0], r[1]))}
        except (OSError, ValueError, AttributeError, TypeError):
            pass  # no record, or an unreadable one: everything is done again

    def _sign(self, article: str, key: str, value: Any) -> str:
        message = json.dumps([self.fingerprint, article, key, value], sort_keys=True)
        return hmac.new(self.secret or b"", message.encode("utf-8"), hashlib.sha256).hexdigest()

    def get(self, article: str, key: str) -> Any:
        record = self.records.get(article)
        return record[1] if record and record[0] == key else None

    def put(self, article: str, key: str, value: Any) -> None:
        if self.secret is None:
            return
        record = [key, value, self._sign(article, key, value)]
        if self.records.get(article) != record:
            self.records[article] = record
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
        except L10nError:
            pass  # a read-only cache folder: the cache only saves time
        self.changed = False
