"""The atomic writer and the archive lock."""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from archivist import atomic
from archivist.errors import ArchiveCorrupt, ArchivistError, LockTimeout
from archivist.store.jsonfile import lock


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"old")
    atomic.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert atomic.stray_temp_files(target) == []


def test_failure_before_replace_keeps_the_old_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"old")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ArchivistError, match="disk is full"):
        atomic.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert atomic.stray_temp_files(target) == []


def test_stray_temp_files_are_found_and_removed(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    stray = tmp_path / ".a.json.123.456.tmp"
    stray.write_bytes(b"half")
    (tmp_path / ".other.json.1.tmp").write_bytes(b"")
    assert atomic.stray_temp_files(target) == [stray]
    assert atomic.remove_stray_temp_files(target) == [stray]
    assert not stray.exists()


def test_loads_is_strict() -> None:
    assert atomic.loads(b'{"a": [1]}') == {"a": [1]}
    for bad in (b"NaN", b'{"a": Infinity}', b"{'a': 1}"):
        with pytest.raises(ArchiveCorrupt):
            atomic.loads(bad)


def test_dumps_keeps_unicode_readable() -> None:
    assert "Новочеркасск".encode() in atomic.dumps({"t": "Новочеркасск"})


def test_lock_waits_says_so_and_times_out(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    messages: list[str] = []
    release = threading.Event()

    def hold() -> None:
        with lock.exclusive_lock(target):
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    start = time.monotonic()
    with pytest.raises(LockTimeout, match=r"gave up after 1\.5 s"), \
            lock.exclusive_lock(target, timeout=1.5, on_wait=messages.append):
        pass
    assert time.monotonic() - start >= 1.5
    assert messages and "waiting for another archivist process" in messages[0]
    release.set()
    holder.join()
    with lock.exclusive_lock(target, timeout=1):
        pass


def test_a_region_of_a_file_cut_short_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"0123456789")
    with open(path, "rb") as file:
        region = atomic.Region(file, 2, 6)
        assert region.read() == b"234567" and bytes(region[1:-1]) == b"3456"
        path.write_bytes(b"0123")  # cut short in place, as an editor might
        with pytest.raises(ArchiveCorrupt, match="changed while archivist was reading"):
            region.read()


def _advice(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    calls: list[tuple[int, int, int]] = []

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_DONTNEED
        calls.append((fd, offset, length))

    monkeypatch.setattr(os, "posix_fadvise", advise)
    monkeypatch.setattr(atomic, "WRITEBACK_EVERY", 100)
    return calls


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_writeback_is_started_every_few_bytes_across_pieces_and_regions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "old.json"
    old.write_bytes(bytes(range(256)) * 2)
    calls = _advice(monkeypatch)
    target = tmp_path / "new.json"
    with old.open("rb") as file:
        pieces: list[atomic.Piece] = [b"a" * 60, b"b" * 60, atomic.Region(file, 10, 350),
                                      memoryview(b"c" * 30)]
        atomic.atomic_write_bytes(target, pieces)
    assert target.read_bytes() == b"a" * 60 + b"b" * 60 + old.read_bytes()[10:360] + b"c" * 30
    # Each advice covers what was written since the last, with nothing skipped…
    # (the last 80 bytes are left to fsync), and the region was copied 100 bytes at a
    # time, so that its advice kept pace.
    assert [(offset, length) for _, offset, length in calls] == [
        (0, 120), (120, 100), (220, 100), (320, 100)]


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_refused_writeback_advice_changes_nothing_but_speed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(fd: int, offset: int, length: int, advice: int) -> None:
        raise OSError(errno.ESPIPE, "no advice taken here")

    monkeypatch.setattr(os, "posix_fadvise", refuse)
    monkeypatch.setattr(atomic, "WRITEBACK_EVERY", 10)
    target = tmp_path / "a.json"
    atomic.atomic_write_bytes(target, [b"x" * 25, b"y" * 25])
    assert target.read_bytes() == b"x" * 25 + b"y" * 25
    monkeypatch.delattr(os, "posix_fadvise")
    atomic.atomic_write_bytes(target, b"z" * 40)
    assert target.read_bytes() == b"z" * 40
    assert atomic.stray_temp_files(target) == []


def test_a_file_system_that_copies_nothing_is_copied_through_python(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "old.json"
    source.write_bytes(b"0123456789" * 10)
    monkeypatch.setattr(os, "copy_file_range", lambda *args: 0, raising=False)
    target = tmp_path / "new.json"
    with source.open("rb") as file:
        atomic.atomic_write_bytes(target, [b"<", atomic.Region(file, 5, 50), b">"])
    assert target.read_bytes() == b"<" + (b"0123456789" * 10)[5:55] + b">"


def test_a_region_cut_short_before_its_copy_is_refused_and_changes_nothing(
        tmp_path: Path) -> None:
    source = tmp_path / "a.json"
    source.write_bytes(b"0123456789" * 10)
    target = tmp_path / "new.json"
    target.write_bytes(b"old")
    with source.open("rb") as file:
        region = atomic.Region(file, 5, 90)
        source.write_bytes(b"0123")  # cut short in place by another program
        with pytest.raises(ArchiveCorrupt, match="shorter now"):
            atomic.atomic_write_bytes(target, [region])
    assert target.read_bytes() == b"old"
    assert atomic.stray_temp_files(target) == []


def test_a_refusal_just_before_the_replace_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"old")

    def refuse() -> None:
        raise ArchiveCorrupt("changed meanwhile")

    with pytest.raises(ArchiveCorrupt, match="changed meanwhile"):
        atomic.atomic_write_bytes(target, b"new", before_replace=refuse)
    assert target.read_bytes() == b"old" and atomic.stray_temp_files(target) == []


def test_a_lock_file_made_for_a_command_that_changed_nothing_goes_again(
        tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    with lock.exclusive_lock(target):
        assert lock.lock_path(target).exists()
    assert not lock.lock_path(target).exists()
    with lock.exclusive_lock(target):
        target.write_bytes(b"{}")  # the command wrote the archive: the lock file stays
    assert lock.lock_path(target).exists()
    with lock.exclusive_lock(target):
        pass  # made by someone else: it stays too
    assert lock.lock_path(target).exists()


def test_a_writer_waiting_on_a_lock_file_that_goes_locks_the_new_one(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    first_holds, second_holds, release = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with lock.exclusive_lock(target):
            first_holds.set()
            time.sleep(0.2)  # the second one opens the file and waits on it

    def second() -> None:
        first_holds.wait(5)
        with lock.exclusive_lock(target, timeout=5):
            second_holds.set()
            release.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert second_holds.wait(5)
    # The first removed its file as it left; the second holds the file there now, so a
    # third writer must wait for it.
    assert lock.lock_path(target).exists()
    with pytest.raises(LockTimeout), lock.exclusive_lock(target, timeout=0.2):
        pass
    release.set()
    for thread in threads:
        thread.join()
