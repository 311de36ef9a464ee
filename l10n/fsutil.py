"""File helpers: read text strictly, write atomically and only when content changed."""

from __future__ import annotations

import os
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

    Readers and an interrupted run see the old file or the new one, never a part. A
    replaced file keeps its permissions; a new one gets the usual ones (0666 less the umask).

    Returns False, touching nothing, when the file already holds exactly this text.
    """
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
            mode = os.stat(f.fileno()).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def _temporary(path: Path) -> tuple[int, Path]:
    """A new hidden file beside ``path``, created exclusively with the default permissions."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    n = 0
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{n}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # left by an interrupted run of a process with this id
            n += 1
