"""Fixity: re-hash the archived sources and say whether they are still what was recorded.

:func:`check_sources` only reads files; :func:`record_results` stores what it found
on each record (the ``archive.fixity`` section) and logs the run as one change: an
entry in each checked record's history with its result (and the one before), then
one entry with the run's counts.  :func:`verify` does both for the records a query
selects.  A file that several records share is hashed once.

A record's result is one of:

``ok``
    the file is there and its SHA-256 (and size) are the ones recorded;
``changed``
    the file is there but its bytes differ (or no hash was ever recorded);
``missing``
    nothing is at the recorded path (or a symlink there dangles);
``unreadable``
    something is there but cannot be read as a file: permission denied, a folder,
    a FIFO, a device, an I/O error.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archivist.provenance import NotRegularFile, hash_descriptor, open_regular, resolve_stored

if TYPE_CHECKING:
    from archivist.store import Archive

#: Every result a fixity check can give, in the order summaries list them.
RESULTS: tuple[str, ...] = ("ok", "changed", "missing", "unreadable")


class Progress(Protocol):
    """Something that shows how many bytes have been hashed (a progress bar)."""

    def start(self, total: int) -> None:
        """Called once, with the number of bytes about to be read."""

    def advance(self, n: int) -> None:
        """Called after each chunk of ``n`` bytes."""

    def finish(self) -> None:
        """Called once, when every file has been read."""


@dataclass(frozen=True)
class FileState:
    """What reading one file found: a result, and the hash and size when it was read."""

    result: str
    sha256: str | None = None
    size: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class FixityResult:
    """The fixity of one record's source.

    :param path: the path as stored on the record.
    :param detail: why a file is unreadable, or why ``changed`` had nothing to compare.
    :param previous: the record's result from the check before (``None``: never checked).
    """

    id: str
    result: str
    path: str
    expected_sha256: str | None
    expected_size: int | None
    found_sha256: str | None = None
    found_size: int | None = None
    detail: str | None = None
    previous: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``verify --format json``."""
        return {"id": self.id, "result": self.result, "path": self.path,
                "expected": {"sha256": self.expected_sha256, "size": self.expected_size},
                "found": {"sha256": self.found_sha256, "size": self.found_size},
                "detail": self.detail}


@dataclass
class VerifyReport:
    """Every record's result from one run, with when the run was made."""

    checked: str
    results: list[FixityResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records got each result (every result present, zeros included)."""
        counts = dict.fromkeys(RESULTS, 0)
        for item in self.results:
            counts[item.result] += 1
        return counts

    @property
    def ok(self) -> bool:
        """Whether every source checked was ok (true when there was none)."""
        return all(item.result == "ok" for item in self.results)

    def summary(self) -> str:
        """``verified N sources: X ok, Y changed, Z missing, W unreadable``."""
        counts = self.counts()
        noun = "source" if len(self.results) == 1 else "sources"
        parts = ", ".join(f"{counts[name]} {name}" for name in RESULTS)
        return f"verified {len(self.results)} {noun}: {parts}"


def read_state(path: Path, progress: Progress | None = None) -> FileState:
    """Hash the file at ``path`` and classify what happened (never raises for I/O)."""
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return FileState("missing")
    except NotADirectoryError:
        return FileState("missing", detail="a part of the path is not a folder")
    except NotRegularFile as err:
        return FileState("unreadable", detail=f"{err.strerror}, not a regular file")
    except OSError as err:
        return FileState("unreadable", detail=err.strerror or str(err))
    try:
        found = hash_descriptor(fd, progress=None if progress is None else progress.advance)
    except OSError as err:
        return FileState("unreadable", detail=err.strerror or str(err))
    finally:
        os.close(fd)
    return FileState("read", found.sha256, found.size)


def _judge(record_id: str, source: dict[str, Any], state: FileState,
           previous: str | None = None) -> FixityResult:
    expected_sha, expected_size = source.get("sha256"), source.get("size")
    base = FixityResult(id=record_id, result=state.result, path=str(source["path"]),
                        expected_sha256=expected_sha, expected_size=expected_size,
                        detail=state.detail, previous=previous)
    if state.result != "read":
        return base
    found = {"found_sha256": state.sha256, "found_size": state.size}
    if expected_sha is None:
        return FixityResult(**{**base.__dict__, **found, "result": "changed",
                               "detail": "no sha256 was recorded to compare with"})
    same = expected_sha == state.sha256 and expected_size in (None, state.size)
    return FixityResult(**{**base.__dict__, **found, "result": "ok" if same else "changed"})


def _planned_bytes(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def check_sources(archive: Archive, docs: Iterable[dict[str, Any]], *,
                  progress: Progress | None = None) -> VerifyReport:
    """Re-hash the source of every record in ``docs`` that has one (reads only).

    Relative source paths start at the archive file's folder.  Each distinct file is
    read once, however many records share it.

    :param docs: stored documents (or interchange forms) to check, e.g. from
        :func:`archivist.listing.select`.
    """
    from archivist.history import utc_now

    report = VerifyReport(checked=utc_now())
    wanted: list[tuple[str, dict[str, Any], Path, str | None]] = []
    for doc in docs:
        source = doc.get("source")
        if isinstance(source, dict) and source.get("path"):
            wanted.append((str(doc["id"]), source,
                           resolve_stored(str(source["path"]), archive.path),
                           _last_result(doc)))
    # The same file reached by two spellings (a/../b, a symlink) is still read once.
    keys = {path: os.path.realpath(path) for _, _, path, _ in wanted}
    distinct = {key: path for path, key in keys.items()}
    if progress is not None:
        progress.start(_planned_bytes(distinct.values()))
    states: dict[str, FileState] = {}
    try:
        for record_id, source, path, previous in wanted:
            key = keys[path]
            if key not in states:
                states[key] = read_state(path, progress)
            report.results.append(_judge(record_id, source, states[key], previous))
    finally:
        if progress is not None:
            progress.finish()
    return report


def _last_result(doc: dict[str, Any]) -> str | None:
    """The result of a record's last check, as stored on it (``None``: never checked)."""
    fixity = (doc.get("archive") or {}).get("fixity")
    result = fixity.get("result") if isinstance(fixity, dict) else None
    return result if isinstance(result, str) else None


def check_entry(item: FixityResult) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """The history entry of one record's check, as ``(action, record, before, after)``:
    ``{"fixity": result}`` before and after, with the hash found when it differs.

    A run over 10,000 records logs 10,000 of these, so they hold nothing else, and
    are stored without the user and command (the JSON engine's brief entries).
    """
    after: dict[str, Any] = {"fixity": item.result}
    if item.result == "changed" and item.found_sha256 is not None:
        after["sha256"] = item.found_sha256
    return "verify", item.id, {"fixity": item.previous}, after


def record_results(archive: Archive, report: VerifyReport) -> None:
    """Store each result on its record and log the run as one change: an entry for
    each record checked (:func:`check_entry`), then one with the run's counts.

    Nothing is written when no record was checked.
    """
    if not report.results:
        return
    archive.set_archive_infos({
        item.id: {"fixity": {"checked": report.checked, "result": item.result,
                             "sha256_found": item.found_sha256}}
        for item in report.results})
    counts: dict[str, Any] = report.counts()
    # The run's own entry carries who ran it and the command; each record's entry,
    # one of thousands, only its result (history fills the rest in).
    archive.log_many(map(check_entry, report.results), brief=True)
    archive.log("verify", None, None, {"verified": len(report.results), **counts})


def verify(archive: Archive, query: Sequence[str] = (), *,
           progress: Progress | None = None) -> VerifyReport:
    """Check the sources of the records ``query`` selects (all when empty) and store
    the results on them.

    The results are stored whatever they are; the caller decides what a failure
    means (the command line exits 1 after the archive is written).

    :raises QuerySyntaxError: when the query does not parse.
    """
    from archivist.fulltext import reindex_changed
    from archivist.listing import select

    report = check_sources(archive, select(archive, query), progress=progress)
    record_results(archive, report)
    # A changed file is searched as it is now (archivist.fulltext.located): its text
    # is read now, and kept with the results.
    reindex_changed(archive, {item.found_sha256: item.path for item in report.results
                              if item.result == "changed" and item.found_sha256})
    return report


def report_lines(report: VerifyReport) -> list[str]:
    """The ``ID  RESULT  PATH`` lines, columns aligned, with an indented detail line for
    a changed or unreadable source.  Text is escaped for the terminal."""
    from archivist.display import escape

    width = max((len(item.id) for item in report.results), default=0)
    lines = []
    for item in report.results:
        lines.append(f"{escape(item.id):<{width}}  {item.result:<10}  {escape(item.path)}")
        if item.result == "changed":
            lines.append(f"    expected sha256 {item.expected_sha256 or '(none)'} size "
                         f"{_size(item.expected_size)}; found sha256 {item.found_sha256} "
                         f"size {_size(item.found_size)}")
        elif item.result == "unreadable" and item.detail:
            lines.append(f"    {escape(item.detail)}")
    return lines


def _size(value: int | None) -> str:
    return "(unknown)" if value is None else str(value)
