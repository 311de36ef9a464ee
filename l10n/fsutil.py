"""File helpers: read text strictly, write atomically and only when content changed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def read_text(path: Path) -> str:
    """Read UTF-8 text exactly as stored (no newline translation).

    A file that is not UTF-8 raises :class:`InputError` naming the line of the first bad byte.
    """
    return decode(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or :class:`InputError` saying why they cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InputError("no such file", path=path) from e
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from e


def decode(data: bytes, path: Path) -> str:
    """Bytes of a file as UTF-8 text, or :class:`InputError` naming the line of the bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[e.start]:02x}); save the file as UTF-8",
                         path=path, line=line) from e


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    Readers and an interrupted run see the old file or the new one, never a part.

    Returns False, touching nothing, when the file already holds exactly this text.
    """
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
