"""Renaming a record: every place its id is kept, refusals, history and undo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.duplicates import distinct_of, mark_distinct
from archivist.editing import set_values
from archivist.errors import ChangeConflict, DuplicateRecord, InvalidRecord, RecordNotFound
from archivist.links import add_link
from archivist.merging import merge
from archivist.models import ID_PATTERN, Record
from archivist.renaming import rename
from archivist.store import Archive, open_archive
from archivist.undo import redo, undo


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """An archive of a, b, c: a part-of c, b related a, a and b declared distinct."""
    db = tmp_path / "rename.json"
    with open_archive(db, write=True) as archive:
        for record_id in "abc":
            archive.add(Record(id=record_id, title=record_id.upper()))
    with open_archive(db, write=True) as archive:
        add_link(archive, "a", "part-of", "c")
        add_link(archive, "b", "related", "a")
        mark_distinct(archive, "a", "b")
    return db


def step(path: Path, action: Callable[[Archive], Any]) -> Any:
    with open_archive(path, write=True, command="archivist test") as archive:
        return action(archive)


def snapshot(path: Path) -> dict[str, Any]:
    """Records (without the ``changed`` stamp) in order, and links."""
    with open_archive(path) as archive:
        records = [dict(doc) for doc in archive.documents()]
        links = sorted((d["src"], d["rel"], d["dst"]) for d in archive.link_documents())
    for doc in records:
        doc["archive"] = {k: v for k, v in doc["archive"].items() if k != "changed"}
    return {"records": records, "links": links}


def test_rename_changes_the_id_everywhere(path: Path) -> None:
    before = snapshot(path)
    done = step(path, lambda a: rename(a, "A", "weiss-2021"))
    assert (done.old, done.new, done.links, done.distinct) == ("a", "weiss-2021", 2, ("b",))
    after = snapshot(path)
    assert [doc["id"] for doc in after["records"]] == ["weiss-2021", "b", "c"]
    assert after["links"] == [("b", "related", "weiss-2021"), ("weiss-2021", "part-of", "c")]
    renamed, b = after["records"][0], after["records"][1]
    assert distinct_of(b) == ["weiss-2021"] and distinct_of(renamed) == ["b"]
    # Its values, and when and how it was added, stay.
    old = before["records"][0]
    assert {**renamed, "id": "a"} == old
    with open_archive(path) as archive:
        assert "a" not in archive and "WEISS-2021" in archive
        assert archive.get("weiss-2021").title == "A"
        entry = archive.history()[-1]
    assert (entry["action"], entry["record"], entry["before"], entry["after"]) == (
        "rename", "weiss-2021", {"id": "a"}, {"id": "weiss-2021"})


def test_a_change_of_case_only(path: Path) -> None:
    step(path, lambda a: rename(a, "a", "A"))
    assert snapshot(path)["records"][0]["id"] == "A"
    assert ("b", "related", "A") in snapshot(path)["links"]


@pytest.mark.parametrize("old, new, error, message", [
    ("a", "b", DuplicateRecord, "a record with id 'b' already exists"),
    ("a", "B", DuplicateRecord, "a record with id 'b' already exists"),
    ("a", "a", InvalidRecord, "a already has the id a"),
    ("a", "-bad", InvalidRecord, "bad id '-bad'"),
    ("a", "has space", InvalidRecord, "bad id 'has space'"),
    ("a", "x" * 129, InvalidRecord, "at most 128 characters"),
    ("nope", "new", RecordNotFound, "no record with id 'nope'"),
])
def test_refusals_change_nothing(path: Path, old: str, new: str, error: type[Exception],
                                 message: str) -> None:
    before = path.read_bytes()
    with pytest.raises(error, match=message):
        step(path, lambda a: rename(a, old, new))
    assert path.read_bytes() == before


def test_history_knows_the_record_by_both_ids(path: Path) -> None:
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    step(path, lambda a: rename(a, "a", "d"))
    step(path, lambda a: set_values(a, "d", ["date=2021"]))
    with open_archive(path) as archive:
        by_old = archive.history("a")
        by_new = archive.history("D")
        other = archive.history("c")
    assert by_old == by_new
    assert [e["action"] for e in by_old] == [
        "add", "link", "link", "distinct", "set", "rename", "set"]
    assert [e["action"] for e in other] == ["add", "link"]


def test_undo_renames_back_and_redo_again(path: Path) -> None:
    before = snapshot(path)
    step(path, lambda a: rename(a, "a", "d"))
    renamed = snapshot(path)
    [reverted] = step(path, undo)
    assert reverted.steps == ("rename d to a",)
    assert snapshot(path) == before
    step(path, redo)
    assert snapshot(path) == renamed


def test_changes_made_under_the_old_id_are_undone_after_the_rename(path: Path) -> None:
    before = snapshot(path)
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    step(path, lambda a: add_link(a, "a", "related", "c"))
    step(path, lambda a: rename(a, "a", "d"))
    step(path, lambda a: set_values(a, "d", ["summary=S"]))
    step(path, lambda a: undo(a, 4))
    assert snapshot(path) == before
    step(path, lambda a: redo(a, 4))
    with open_archive(path) as archive:
        doc = archive.document("d")
    assert (doc["date"], doc["summary"]) == ("2020", "S")


def test_undo_of_a_rename_refused_when_the_old_id_is_taken_again(path: Path) -> None:
    step(path, lambda a: rename(a, "a", "d"))
    step(path, lambda a: a.add(Record(id="A", title="new"), log=False))
    before = path.read_bytes()
    with pytest.raises(ChangeConflict, match="the id a has been used again since"):
        step(path, undo)
    assert path.read_bytes() == before


def test_merged_info_names_the_records_merged_away(path: Path) -> None:
    step(path, lambda a: merge(a, "c", ["b"]))
    step(path, lambda a: rename(a, "c", "keep"))
    with open_archive(path) as archive:
        fields = archive.document("keep")["fields"]
    assert fields["merged_from"] == ["b"] and list(fields["merged"]) == ["b"]


def test_rename_rewrites_one_line_and_keeps_the_index(path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import assert_index_current, refuse_parsing_records

    with open_archive(path) as archive:  # a read writes the index
        archive.ids()
    refuse_parsing_records(monkeypatch)
    step(path, lambda a: rename(a, "b", "e"))
    monkeypatch.undo()
    assert_index_current(path)
    with open_archive(path) as archive:
        assert "e" in archive and "b" not in archive
        assert archive.get("e").title == "B"


ids = st.from_regex(ID_PATTERN, fullmatch=True).filter(lambda i: i.lower() not in "abc")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(ids, min_size=1, max_size=4, unique_by=str.lower))
def test_renames_undone_restore_the_start(tmp_path: Path, names: list[str]) -> None:
    db = tmp_path / f"prop-{abs(hash(tuple(names)))}.json"
    db.unlink(missing_ok=True)
    with open_archive(db, write=True) as archive:
        for record_id in "abc":
            archive.add(Record(id=record_id, title=record_id))
        add_link(archive, "a", "part-of", "b")
        mark_distinct(archive, "a", "c")
    start = snapshot(db)
    current = "a"
    for name in names:
        step(db, lambda a, old=current, new=name: rename(a, old, new))
        current = name
    assert snapshot(db)["links"] == [(current, "part-of", "b")]
    step(db, lambda a: undo(a, len(names)))
    assert snapshot(db) == start
