"""Reading strictly and writing atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from l10n.errors import InputError
from l10n.fsutil import Changed, read_text, write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert write_atomic(tmp_path / "de" / "a.md", "Hallo\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "de" / "a.md") == 0o644  # readable by a web server, not 0600
    assert (tmp_path / "de" / "a.md").read_bytes() == b"Hallo\n"


def test_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.po"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    assert write_atomic(path, "new\n")
    assert _mode(path) == 0o640
    assert path.read_text(encoding="utf-8") == "new\n"


def test_unchanged_text_touches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("same\n", encoding="utf-8")
    os.utime(path, (1_000_000, 1_000_000))
    assert not write_atomic(path, "same\n")
    assert path.stat().st_mtime == 1_000_000


def test_no_temporary_file_is_left(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    stale = tmp_path / f".a.md.{os.getpid()}-0.tmp"  # from an interrupted run with this id
    stale.write_text("partial", encoding="utf-8")
    write_atomic(path, "one\n")
    write_atomic(path, "two\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [stale.name, "a.md"]
    assert stale.read_text(encoding="utf-8") == "partial"
    assert path.read_text(encoding="utf-8") == "two\n"


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    path.write_text("old\n", encoding="utf-8")

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(InputError, match="a.md: cannot write: No space left on device"):
        write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"one\ntwo \xff\n")
    with pytest.raises(InputError) as e:
        read_text(path)
    assert e.value.line == 2 and "0xff" in str(e.value)


def test_conditional_write_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "x.po"
    path.write_text("read\n", encoding="utf-8")
    read = path.read_bytes()
    path.write_text("saved by a translator\n", encoding="utf-8")
    with pytest.raises(Changed):
        write_atomic(path, "ours\n", expected=read)
    assert path.read_text(encoding="utf-8") == "saved by a translator\n"
    assert write_atomic(path, "ours\n", expected=path.read_bytes())
    assert path.read_text(encoding="utf-8") == "ours\n"
    with pytest.raises(Changed):  # expected absent, but it exists
        write_atomic(path, "again\n", expected=None)
    assert [p.name for p in tmp_path.iterdir()] == ["x.po"]


def test_unwritable_place_is_one_line_naming_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "de"
    blocker.write_text("a file where a folder should be\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"de/a.md: cannot write: ") as info:
        write_atomic(blocker / "a.md", "x\n")
    assert "\n" not in str(info.value)
