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


def write_atomic(path: Path, text: str, *, expected: bytes | None | bool = True) -> bool:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    Readers and an interrupted run see the old file or the new one, never a part. A
    replaced file keeps its permissions; a new one gets the usual ones (0666 less the umask).

    ``expected`` makes the write conditional: the bytes the caller read (``None``: the file
    did not exist). The file is compared again just before the rename, and when it changed
    meanwhile (a translator saved it) nothing is written and :class:`Changed` is raised, so
    the caller can read it again. ``True`` (the default) replaces whatever is there.

    Returns False, touching nothing, when the file already holds exactly this text. A
    file that cannot be written (read-only folder, full disk) raises :class:`InputError`.
    """
    data = text.encode("utf-8")
    try:
        return _write(path, data, expected)
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", path=path) from None


class Changed(Exception):
    """The file changed since it was read; it was not replaced."""


def _write(path: Path, data: bytes, expected: bytes | None | bool) -> bool:
    current = _current(path)
    if expected is not True and current != expected:
        raise Changed(path)
    if current == data:
        return False
    if current is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = None
    else:
        mode = os.stat(path).st_mode & 0o7777
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        if expected is not True and _current(path) != expected:  # saved while we wrote
            raise Changed(path)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


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


def remove(path: Path, *, expected: bytes | None | bool = True) -> bool:
    """Delete ``path`` if it is still ``expected`` (the bytes read; ``True``: whatever it
    holds), else raise :class:`Changed`. False when there is no file; a file that cannot be
    deleted raises :class:`InputError`."""
    try:
        current = _current(path)
        if current is None:
            return False
        if expected is not True and current != expected:
            raise Changed(path)
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as e:
        raise InputError(f"cannot delete: {e.strerror or e}", path=path) from None
