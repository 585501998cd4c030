"""Fixity checks: each result, shared files read once, results stored, one history entry."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist import fixity
from archivist.fixity import (
    FixityResult,
    VerifyReport,
    check_sources,
    record_results,
    report_lines,
    verify,
)
from archivist.models import Record, Source
from archivist.provenance import describe_source
from archivist.store import Archive, memory_archive, open_archive
from archivist.store.jsonfile.archive import JsonArchive
from tests.conftest import fingerprint

TEXT = b"line one\nline two\n"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A folder with two sources beside where the archive file goes."""
    (tmp_path / "a.txt").write_bytes(TEXT)
    (tmp_path / "b.txt").write_bytes(b"other bytes\n")
    return tmp_path


def _add(archive: Archive, record_id: str, path: Path | str) -> None:
    source = describe_source(str(path), archive.path)
    archive.add(Record(id=record_id, title=record_id.title(), source=source))


@pytest.fixture
def location(make_location: Callable[[str], Path | str], home: Path,
             monkeypatch: pytest.MonkeyPatch) -> Path | str:
    """Where the archive goes, on each engine: a file in ``home``, or a database whose
    sources folder is ``home`` (the folder its first write runs in)."""
    monkeypatch.chdir(home)
    return make_location("archive")


@pytest.fixture
def opened(location: Path | str) -> Iterator[Archive]:
    """An open writable archive whose sources are in ``home``, with records a (a.txt)
    and b (b.txt)."""
    home = Path.cwd()
    with open_archive(location, write=True) as archive:
        _add(archive, "a", home / "a.txt")
        _add(archive, "b", home / "b.txt")
        archive.add(Record(id="nosource", title="No source"))
        yield archive


def results(report: VerifyReport) -> dict[str, str]:
    return {item.id: item.result for item in report.results}


def test_all_ok(opened: Archive) -> None:
    report = check_sources(opened, opened.documents())
    assert results(report) == {"a": "ok", "b": "ok"}
    assert report.ok
    assert report.summary() == "verified 2 sources: 2 ok, 0 changed, 0 missing, 0 unreadable"


def test_changed_missing_and_unreadable(opened: Archive, home: Path) -> None:
    (home / "a.txt").write_bytes(TEXT + b"!")
    (home / "b.txt").unlink()
    _add(opened, "c", home / "a.txt")
    (home / "a.txt").unlink()
    (home / "a.txt").mkdir()  # a folder where the file was: unreadable
    (home / "c.txt").write_bytes(b"c")
    _add(opened, "d", home / "c.txt")
    (home / "c.txt").write_bytes(b"C")
    report = check_sources(opened, opened.documents())
    assert results(report) == {"a": "unreadable", "b": "missing", "c": "unreadable",
                               "d": "changed"}
    changed = next(r for r in report.results if r.id == "d")
    assert changed.expected_sha256 == hashlib.sha256(b"c").hexdigest()
    assert changed.found_sha256 == hashlib.sha256(b"C").hexdigest()
    assert (changed.expected_size, changed.found_size) == (1, 1)
    assert report.counts() == {"ok": 0, "changed": 1, "missing": 1, "unreadable": 2}
    assert not report.ok


def test_fifo_in_place_of_the_file_is_unreadable_and_does_not_block(opened: Archive,
                                                                    home: Path) -> None:
    (home / "a.txt").unlink()
    os.mkfifo(home / "a.txt")
    report = check_sources(opened, opened.documents())
    item = next(r for r in report.results if r.id == "a")
    assert item.result == "unreadable"
    assert "FIFO" in (item.detail or "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_is_unreadable(opened: Archive, home: Path) -> None:
    (home / "a.txt").chmod(0)
    try:
        assert results(check_sources(opened, opened.documents()))["a"] == "unreadable"
    finally:
        (home / "a.txt").chmod(0o644)


def test_size_mismatch_is_changed(home: Path) -> None:
    archive = JsonArchive(home / "archive.json")
    sha = hashlib.sha256(TEXT).hexdigest()
    archive.add(Record(id="a", title="A", source=Source("a.txt", sha, len(TEXT) + 1)))
    assert results(check_sources(archive, archive.documents())) == {"a": "changed"}


def test_no_recorded_hash_is_changed_with_a_reason(home: Path) -> None:
    archive = JsonArchive(home / "archive.json")
    archive.add(Record(id="a", title="A", source=Source("a.txt")))
    (item,) = check_sources(archive, archive.documents()).results
    assert item.result == "changed"
    assert "no sha256" in (item.detail or "")


def test_relative_paths_resolve_against_the_archive_folder(opened: Archive, home: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert opened.document("a")["source"]["path"] == "a.txt"
    assert check_sources(opened, opened.documents()).ok


def test_a_shared_file_is_hashed_once(opened: Archive, home: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _add(opened, "again", home / "a.txt")
    (home / "alias.txt").symlink_to(home / "a.txt")
    _add(opened, "alias", home / "alias.txt")
    calls: list[Path] = []
    real = fixity.read_state

    def counting(path: Path, progress: object = None) -> fixity.FileState:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(fixity, "read_state", counting)
    report = check_sources(opened, opened.documents())
    assert results(report) == {"a": "ok", "b": "ok", "again": "ok", "alias": "ok"}
    assert len(calls) == 2


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.seen = 0
        self.finished = False

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, n: int) -> None:
        self.seen += n

    def finish(self) -> None:
        self.finished = True


def test_progress_counts_bytes(opened: Archive) -> None:
    progress = Recorder()
    check_sources(opened, opened.documents(), progress=progress)
    expected = len(TEXT) + len(b"other bytes\n")
    assert progress.total == progress.seen == expected
    assert progress.finished


def test_results_are_stored_and_logged_in_each_records_history(
        home: Path, location: Path | str) -> None:
    with open_archive(location, write=True) as archive:
        _add(archive, "a", home / "a.txt")
        _add(archive, "b", home / "b.txt")
    (home / "b.txt").unlink()
    with open_archive(location, write=True) as archive:
        before = len(archive.history())
        report = verify(archive)
    with open_archive(location) as archive:
        a, b = archive.document("a"), archive.document("b")
        history = archive.history()
    assert a["archive"]["fixity"] == {"checked": report.checked, "result": "ok",
                                      "sha256_found": hashlib.sha256(TEXT).hexdigest()}
    assert b["archive"]["fixity"] == {"checked": report.checked, "result": "missing",
                                      "sha256_found": None}
    # One change: an entry per record checked, then the run's counts.
    run = history[before:]
    assert {entry["change"] for entry in run} == {history[-1]["change"]}
    assert [(e["action"], e["record"], e["before"], e["after"]) for e in run] == [
        ("verify", "a", {"fixity": None}, {"fixity": "ok"}),
        ("verify", "b", {"fixity": None}, {"fixity": "missing"}),
        ("verify", None, None, {"verified": 2, "ok": 1, "changed": 0, "missing": 1,
                                "unreadable": 0})]


def test_a_check_logs_the_result_before_and_the_hash_found(
        home: Path, location: Path | str) -> None:
    with open_archive(location, write=True) as archive:
        _add(archive, "a", home / "a.txt")
    with open_archive(location, write=True) as archive:
        verify(archive)
    (home / "a.txt").write_bytes(b"tampered\n")
    with open_archive(location, write=True) as archive:
        verify(archive)
        entry = archive.history("a")[-1]
    assert entry["before"] == {"fixity": "ok"}
    assert entry["after"] == {"fixity": "changed",
                              "sha256": hashlib.sha256(b"tampered\n").hexdigest()}


def test_each_records_entry_is_stored_without_the_stamp_of_the_run(
        home: Path, location: Path | str) -> None:
    with open_archive(location, write=True) as archive:
        _add(archive, "a", home / "a.txt")
    with open_archive(location, write=True, command="archivist verify") as archive:
        verify(archive)
    with open_archive(location) as archive:
        stored = archive.snapshot()["history"]
    check, run = stored["2"], stored["3"]
    assert set(check) == {"change", "time", "action", "record", "before", "after"}
    assert run["command"] == "archivist verify" and run["record"] is None
    with open_archive(location) as archive:
        [entry] = [e for e in archive.history("a") if e["action"] == "verify"]
    assert (entry["user"], entry["command"]) == (run["user"], "archivist verify")


def test_check_entry_is_compact() -> None:
    item = FixityResult(id="a", result="ok", path="a.txt", expected_sha256="0" * 64,
                        expected_size=3, found_sha256="0" * 64, found_size=3, previous="ok")
    assert fixity.check_entry(item) == ("verify", "a", {"fixity": "ok"}, {"fixity": "ok"})


def test_verify_selects_by_query(opened: Archive) -> None:
    report = verify(opened, ["id:a"])
    assert results(report) == {"a": "ok"}
    assert "fixity" not in opened.document("b").get("archive", {})


def test_nothing_to_check_writes_nothing(
        home: Path, location: Path | str) -> None:
    with open_archive(location, write=True) as archive:
        archive.add(Record(id="x", title="X"))
    before = fingerprint(location)
    with open_archive(location, write=True) as archive:
        report = verify(archive)
        assert not archive.dirty
    assert report.results == [] and report.ok
    assert fingerprint(location) == before


def test_record_results_with_no_results_is_a_no_op() -> None:
    archive = memory_archive()
    record_results(archive, VerifyReport(checked="2024-01-01T00:00:00Z"))
    assert archive.history() == []


def test_report_lines_align_and_explain() -> None:
    report = VerifyReport(checked="t", results=[
        FixityResult("short", "ok", "a.txt", "aa", 1, "aa", 1),
        FixityResult("a-longer-id", "changed", "b.txt", "bb", 2, "cc", 3),
        FixityResult("x", "unreadable", "dir", "dd", 4, detail="a folder, not a regular file"),
        FixityResult("y\x1b", "missing", "gone\n.txt", "ee", 5),
    ])
    lines = report_lines(report)
    assert lines[0] == "short        ok          a.txt"
    assert lines[1] == "a-longer-id  changed     b.txt"
    assert lines[2] == "    expected sha256 bb size 2; found sha256 cc size 3"
    assert lines[3].split() == ["x", "unreadable", "dir"]
    assert lines[4] == "    a folder, not a regular file"
    assert lines[5].split() == ["y\\x1b", "missing", "gone\\x0a.txt"]


def test_result_json_form() -> None:
    item = FixityResult("a", "changed", "a.txt", "aa", 1, "bb", 2)
    assert item.to_dict() == {"id": "a", "result": "changed", "path": "a.txt",
                              "expected": {"sha256": "aa", "size": 1},
                              "found": {"sha256": "bb", "size": 2}, "detail": None}


SMALL = bytes(range(256)) * 2


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, len(SMALL) - 1), flip=st.integers(1, 255))
def test_any_flipped_byte_is_detected(tmp_path_factory: pytest.TempPathFactory,
                                      position: int, flip: int) -> None:
    home = tmp_path_factory.mktemp("flip")
    (home / "s.bin").write_bytes(SMALL)
    archive = JsonArchive(home / "archive.json")
    _add(archive, "s", home / "s.bin")
    assert check_sources(archive, archive.documents()).ok
    damaged = bytearray(SMALL)
    damaged[position] ^= flip
    (home / "s.bin").write_bytes(bytes(damaged))
    (item,) = check_sources(archive, archive.documents()).results
    assert item.result == "changed"
    shutil.rmtree(home)
