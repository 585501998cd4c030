"""The integrity check on archive files damaged by hand, one kind of problem at a time."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from archivist.errors import ArchiveCorrupt
from archivist.integrity import IntegrityReport, check_archive, check_file, check_tables
from archivist.store import open_archive

TIME = "2024-05-01T10:00:00Z"


def rec(record_id: str, **values: Any) -> dict[str, Any]:
    return {"id": record_id, "kind": "other", "title": record_id.title(), **values}


def link(src: str, rel: str, dst: str) -> dict[str, str]:
    return {"src": src, "rel": rel, "dst": dst}


def entry(change: Any, **values: Any) -> dict[str, Any]:
    return {"change": change, "time": TIME, "user": "u", "command": "archivist add",
            "action": "add", "record": None, "before": None, "after": None, **values}


def tables(records: Sequence[Any] = (), links: Sequence[Any] = (),
           history: Sequence[Any] = ()) -> dict[str, Any]:
    def numbered(items: Any) -> dict[str, Any]:
        return {str(i): item for i, item in enumerate(items, 1)}

    return {"meta": {"1": {"format": 1}}, "records": numbered(records),
            "links": numbered(links), "history": numbered(history)}


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def problems(data: dict[str, Any], path: Path | None = None, **options: Any) -> list[str]:
    return check_tables(data, path, **options).problems


def test_a_sound_archive_is_ok(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_bytes(b"s")
    sha = hashlib.sha256(b"s").hexdigest()
    data = tables([rec("a", source={"path": "s.txt", "sha256": sha, "size": 1}), rec("b"),
                   rec("c")],
                  [link("a", "part-of", "b"), link("b", "part-of", "c"),
                   link("a", "related", "c")],
                  [entry(1), entry(1), entry(2)])
    report, exists = check_file(write(tmp_path / "archive.json", data), verify=True)
    assert exists and report.ok, report.problems
    assert report.summary() == "check: ok (3 records, 3 links)"


def test_each_engine_checks_its_archive_alike(make_location: Callable[[str], Path | str],
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Sources resolve against the file's folder or the database's first write's folder:
    # both are tmp_path here, so both engines report the same lines.
    monkeypatch.chdir(tmp_path)
    location = make_location("archive")
    data = tables([rec("a", source={"path": "gone.txt", "sha256": "0" * 64, "size": 1}),
                   rec("b")],
                  [link("a", "part-of", "b"), link("b", "part-of", "a")], [entry(1)])
    with open_archive(location, write=True) as archive:
        archive.fill(data)
    report, exists = check_archive(location, verify=True)
    assert exists and not report.ok
    assert report.problems == [
        "cycle in part-of: a → b → a", "a: source missing: gone.txt"], report.problems
    assert check_archive(make_location("none"))[1] is False


def test_a_missing_archive_is_an_empty_ok_one(tmp_path: Path) -> None:
    report, exists = check_file(tmp_path / "none.json")
    assert report.ok and not exists
    assert not (tmp_path / "none.json").exists()


def test_a_file_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    (tmp_path / "archive.json").write_text('{"records": {', encoding="utf-8")
    with pytest.raises(ArchiveCorrupt, match=r"archive.json:1:\d+"):
        check_file(tmp_path / "archive.json")


@pytest.mark.parametrize("record, expected", [
    (rec("a", kind="novel"), "a: invalid record: unknown kind 'novel'"),
    (rec("a", date="2021-13-01"), "a: invalid record: "),
    (rec("a", title=""), "a: invalid record: title cannot be blank"),
    (rec("bad id!"), "bad id!: invalid record: bad id"),
    (rec("a", source={"path": "x", "sha256": "zz"}), "a: invalid record: source.sha256"),
    (rec("a", source="x.txt"), "a: invalid record: "),
    (rec("a", fields={"added": "x"}), "a: invalid record: 'added' is maintained"),
    ({"kind": "other", "title": "No id"}, "record #1: has no id"),
    (["not", "a", "record"], "record #1: not a record (a JSON list)"),
    (rec("a", archive="text"), "a: its archive section is not a mapping"),
])
def test_invalid_records(record: Any, expected: str) -> None:
    found = problems(tables([record]))
    assert any(p.startswith(expected) for p in found), found


def test_ids_unique_ignoring_case() -> None:
    found = problems(tables([rec("Weiss-2021"), rec("other"), rec("weiss-2021")]))
    assert found == ["Weiss-2021: id used by 2 records (ids are compared ignoring case): "
                     "Weiss-2021, weiss-2021"]


@pytest.mark.parametrize("bad, expected", [
    (link("a", "part-of", "ghost"), "link a part-of ghost: dangling, no record 'ghost'"),
    (link("ghost", "part-of", "a"), "link ghost part-of a: dangling, no record 'ghost'"),
    (link("a", "related", "A"), "link a related A: a record linked to itself"),
    (link("a", "has-part", "b"), "link a has-part b: stored under the inverse name; it "
                                 "should be b part-of a"),
    (link("a", "Part-Of", "b"), "link a Part-Of b: the relation is spelled 'part-of'"),
    (link("a", "likes", "b"), "link a likes b: unknown relation 'likes'"),
    ({"src": "a", "rel": "part-of"}, "link #1: malformed (needs src, rel and dst text)"),
    ("a part-of b", "link #1: malformed"),
])
def test_bad_links(bad: Any, expected: str) -> None:
    found = problems(tables([rec("a"), rec("b")], [bad]))
    assert any(p.startswith(expected) for p in found), found


def test_duplicate_links_including_symmetric_and_case() -> None:
    found = problems(tables(
        [rec("a"), rec("b")],
        [link("a", "part-of", "b"), link("A", "part-of", "B"),
         link("a", "related", "b"), link("b", "related", "a"),
         link("a", "references", "b"), link("b", "references", "a")]))
    assert found == ["link A part-of B: stored more than once",
                     "link b related a: stored more than once"]


@pytest.mark.parametrize("rel", ["part-of", "replaces", "precedes"])
def test_cycles_are_found_with_their_path(rel: str) -> None:
    found = problems(tables(
        [rec("a"), rec("b"), rec("c"), rec("d")],
        [link("a", rel, "b"), link("b", rel, "c"), link("c", rel, "a"),
         link("c", rel, "d")]))
    assert found == [f"cycle in {rel}: a → b → c → a"]


def test_two_cycles_reported_separately_and_other_relations_may_loop() -> None:
    found = problems(tables(
        [rec("a"), rec("b"), rec("x"), rec("y")],
        [link("a", "part-of", "b"), link("b", "part-of", "a"),
         link("x", "replaces", "y"), link("y", "replaces", "x"),
         link("a", "references", "x"), link("x", "references", "a")]))
    assert found == ["cycle in part-of: a → b → a", "cycle in replaces: x → y → x"]


def test_a_long_chain_and_a_long_cycle_do_not_exhaust_the_stack() -> None:
    n = 5000
    records = [rec(f"r{i}") for i in range(n)]
    chain = [link(f"r{i}", "part-of", f"r{i + 1}") for i in range(n - 1)]
    assert problems(tables(records, chain)) == []
    looped = problems(tables(records, [*chain, link(f"r{n - 1}", "part-of", "r0")]))
    assert len(looped) == 1 and looped[0].startswith("cycle in part-of: r0 → r1 → ")


def test_missing_and_unreadable_sources(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")
    data = tables([rec("a", source={"path": "gone.txt"}),
                   rec("b", source={"path": "folder"}),
                   rec("c", source={"path": "pipe"})])
    found = problems(data, tmp_path / "archive.json")
    assert found == ["a: source missing: gone.txt",
                     "b: source unreadable: folder (a folder, not a regular file)",
                     "c: source unreadable: pipe (a FIFO (named pipe), not a regular file)"]


def test_verify_option_rehashes(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_bytes(b"changed")
    sha = hashlib.sha256(b"original").hexdigest()
    data = tables([rec("a", source={"path": "s.txt", "sha256": sha, "size": 8}),
                   rec("b", source={"path": "gone.txt", "sha256": sha})])
    assert problems(data, tmp_path / "archive.json") == ["b: source missing: gone.txt"]
    found = problems(data, tmp_path / "archive.json", verify=True)
    assert found[0].startswith(f"a: source changed: s.txt (expected sha256 {sha}, found ")
    assert found[1] == "b: source missing: gone.txt"


@pytest.mark.parametrize("history, expected", [
    ([entry(1), {"change": 2, "action": "add"}], ["history #2: has no time"]),
    ([{"time": TIME}], ["history #1: has no change, action"]),
    ([entry(2), entry(3), entry(1)],
     ["history #3: change 1 comes after change 3 (change numbers must not go down)"]),
    ([entry("7")], ["history #1: change number '7' is not a whole number"]),
    (["text"], ["history #1: not a history entry"]),
])
def test_history_problems(history: list[Any], expected: list[str]) -> None:
    assert problems(tables(history=history)) == expected


def test_history_order_follows_numeric_keys() -> None:
    data = tables()
    data["history"] = {"10": entry(10), "9": entry(9), "2": entry(2)}
    assert problems(data) == []


def test_stray_temp_files_are_listed(tmp_path: Path) -> None:
    path = write(tmp_path / "archive.json", tables([rec("a")]))
    (tmp_path / ".archive.json.123.456.tmp").write_text("{")
    (tmp_path / ".other.json.1.tmp").write_text("{")
    report, _ = check_file(path)
    assert report.problems == [
        f"stray temporary file {tmp_path / '.archive.json.123.456.tmp'} (left by an "
        "interrupted write; the next change removes it)"]


def test_check_never_writes(tmp_path: Path) -> None:
    data = tables([rec("a"), rec("A")], [link("a", "part-of", "ghost")])
    path = write(tmp_path / "archive.json", data)
    (tmp_path / ".archive.json.1.2.tmp").write_text("{")
    before, stamp = path.read_bytes(), path.stat().st_mtime_ns
    report, _ = check_file(path, verify=True)
    assert len(report.problems) == 3
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stamp
    assert (tmp_path / ".archive.json.1.2.tmp").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".archive.json.1.2.tmp",
                                                           "archive.json"]


def test_check_reads_the_archive_file_once_without_an_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist.store.jsonfile import reader

    path = write(tmp_path / "archive.json", tables([rec("a")]))
    reads: list[Path] = []
    real_read = reader.read

    def counted(where: Path, **kwargs: Any) -> Any:
        reads.append(where)
        return real_read(where, **kwargs)

    monkeypatch.setattr(reader, "read", counted)
    report, exists = check_file(path)
    assert exists and report.problems == []
    assert reads == [path]


def test_summary_counts_problems() -> None:
    report = IntegrityReport(records=3, links=1, problems=["x"])
    assert report.summary() == "check: found 1 problem in 3 records and 1 links"
    assert not report.ok


def test_terminal_escapes_in_damaged_values_are_neutralised() -> None:
    found = problems(tables([rec("a")], [link("a", "part-of", "gh\x1b[31most")]))
    assert found == ["link a part-of gh\\x1b[31most: dangling, no record "
                     "'gh\\\\x1b[31most'"]
