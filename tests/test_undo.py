"""Undo and redo: the inverse of each history action, refusals, walking back and forth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.duplicates import mark_distinct
from archivist.editing import set_values, with_tags, without_tags
from archivist.errors import ChangeConflict
from archivist.links import add_link, remove_link
from archivist.merging import merge
from archivist.models import Record
from archivist.renaming import rename
from archivist.store import Archive, memory_archive, open_archive
from archivist.tagging import rename_tag
from archivist.undo import redo, redoable_changes, undo, undoable_changes
from tests.conftest import edit_behind_archivist, fingerprint


@pytest.fixture
def path(make_location: Callable[[str], Any]) -> Any:
    """An empty archive of each engine (a file, a PostgreSQL schema)."""
    return make_location("undo")


def step(path: Path, action: Callable[[Archive], Any], command: str = "archivist test"
         ) -> Any:
    """Run one command's worth of changes (one change number, one write)."""
    with open_archive(path, write=True, command=command) as archive:
        return action(archive)


def state(path: Path) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """Records (values and archive section) and links, as a comparable snapshot."""
    with open_archive(path) as archive:
        records = {d["id"]: dict(d) for d in archive.documents()}
        links = sorted((d["src"], d["rel"], d["dst"]) for d in archive.link_documents())
    return records, links


def values(path: Path) -> dict[str, Any]:
    """Records without the ``changed`` stamp, which every write moves on."""
    records, links = state(path)
    for doc in records.values():
        doc.get("archive", {}).pop("changed", None)
    return {"order": list(records), "records": records, "links": links}


def do_undo(path: Path, count: int = 1) -> Any:
    return step(path, lambda a: undo(a, count), "archivist undo")


def do_redo(path: Path, count: int = 1) -> Any:
    return step(path, lambda a: redo(a, count), "archivist redo")


def add(path: Path, record_id: str, **extra: Any) -> None:
    step(path, lambda a: a.add(Record(id=record_id, title=extra.pop("title", record_id.upper()),
                                      **extra)))


def hand_edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the archive behind archivist's back (no history entry)."""
    edit_behind_archivist(path, change)


def test_undo_add_removes_the_record_and_logs_the_revert(path: Path) -> None:
    add(path, "a")
    add(path, "b")
    reverted = do_undo(path)
    assert [r.change for r in reverted] == [2]
    assert reverted[0].steps == ("remove b",)
    records, _ = state(path)
    assert list(records) == ["a"]
    with open_archive(path) as archive:
        last = archive.history()[-1]
    assert last["action"] == "rm" and last["reverts"] == 2 and last["change"] == 3


def test_undo_rm_restores_archive_section_and_forced_links(path: Path) -> None:
    add(path, "a", tags=("x",))
    add(path, "b")
    step(path, lambda a: add_link(a, "a", "part-of", "b"))
    step(path, lambda a: a.set_archive_info("a", fixity={"result": "ok"}))
    before = values(path)
    step(path, lambda a: a.remove(["b"], force=True))
    assert list(state(path)[0]) == ["a"]
    do_undo(path)
    assert values(path) == before
    assert state(path)[0]["b"]["archive"]["added_how"] == "archivist test"


def test_undo_set_restores_changed_and_removed_values(path: Path) -> None:
    add(path, "a", date="2020", summary="old")
    before = values(path)
    step(path, lambda a: set_values(a, "a", ["date=2021-05", "summary=", "kicker=K"]))
    doc = state(path)[0]["a"]
    assert doc["date"] == "2021-05" and "summary" not in doc
    do_undo(path)
    assert values(path) == before
    assert state(path)[0]["a"]["_dates"] == ["2020-01-01", "2020-12-31"]


def test_undo_tag_and_untag(path: Path) -> None:
    add(path, "a", tags=("Film",))
    step(path, lambda a: a.update(with_tags(a.get("a"), ["x", "y"]), action="tag"))
    step(path, lambda a: a.update(without_tags(a.get("a"), ["film"]), action="untag"))
    assert state(path)[0]["a"]["tags"] == ["x", "y"]
    do_undo(path)
    assert state(path)[0]["a"]["tags"] == ["Film", "x", "y"]
    do_undo(path)  # further back: the tag
    assert state(path)[0]["a"]["tags"] == ["Film"]
    do_redo(path, 2)
    assert state(path)[0]["a"]["tags"] == ["x", "y"]


def test_undo_tags_rename_restores_every_spelling(path: Path) -> None:
    add(path, "a", tags=("soviet", "film"))
    add(path, "b", tags=("Soviet",))
    before = values(path)
    step(path, lambda a: rename_tag(a, "soviet", "USSR"))
    assert state(path)[0]["b"]["tags"] == ["USSR"]
    do_undo(path)
    assert values(path) == before


def test_undo_link_and_unlink(path: Path) -> None:
    add(path, "a")
    add(path, "b")
    step(path, lambda a: add_link(a, "b", "has-part", "a"))
    assert state(path)[1] == [("a", "part-of", "b")]
    do_undo(path)
    assert state(path)[1] == []
    do_redo(path)
    assert state(path)[1] == [("a", "part-of", "b")]
    step(path, lambda a: remove_link(a, "a", "part-of", "b"))
    do_undo(path)
    assert state(path)[1] == [("a", "part-of", "b")]


def test_undo_merge_restores_everything(path: Path) -> None:
    add(path, "a", tags=("x",), date="2021")
    add(path, "b", tags=("y",), title="Other title", publisher="P")
    add(path, "c")
    step(path, lambda a: add_link(a, "b", "part-of", "c"))
    step(path, lambda a: add_link(a, "a", "related", "b"))
    before = values(path)
    step(path, lambda a: merge(a, "a", ["b"]))
    assert list(state(path)[0]) == ["a", "c"]
    assert state(path)[1] == [("a", "part-of", "c")]
    do_undo(path)
    assert values(path) == before


def test_undo_distinct(path: Path) -> None:
    add(path, "a")
    add(path, "b")
    step(path, lambda a: mark_distinct(a, "a", "b"))
    assert state(path)[0]["b"]["archive"]["distinct"] == ["a"]
    do_undo(path)
    records = state(path)[0]
    assert "distinct" not in records["a"]["archive"]
    assert "distinct" not in records["b"]["archive"]


def test_undo_walks_back_and_redo_walks_forward(path: Path) -> None:
    add(path, "a")
    start = values(path)
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    middle = values(path)
    step(path, lambda a: set_values(a, "a", ["date=2021"]))
    step(path, lambda a: a.update(with_tags(a.get("a"), ["t"]), action="tag"))
    end = values(path)
    assert [r.change for r in do_undo(path)] == [4]
    assert [r.change for r in do_undo(path)] == [3]  # further back, not a redo
    assert [r.change for r in do_undo(path)] == [2]
    assert values(path) == start
    assert [r.change for r in do_redo(path)] == [2]  # forward in the order made
    assert values(path) == middle
    assert [r.change for r in do_redo(path, 2)] == [3, 4]
    assert values(path) == end
    with open_archive(path) as archive:
        marks = [(e["change"], e.get("reverts"), e.get("redoes")) for e in archive.history()
                 if "reverts" in e or "redoes" in e]
        assert redoable_changes(archive) == []
    assert marks == [(5, 4, None), (6, 3, None), (7, 2, None), (8, None, 2), (9, None, 3),
                     (9, None, 4)]


def test_undo_n_and_redo_n(path: Path) -> None:
    add(path, "a")
    start = values(path)
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    step(path, lambda a: set_values(a, "a", ["date=2021"]))
    end = values(path)
    assert [r.change for r in do_undo(path, 3)] == [3, 2, 1]
    assert list(state(path)[0]) == []
    assert [r.change for r in do_redo(path, 2)] == [1, 2]
    assert state(path)[0]["a"]["date"] == "2020"
    do_undo(path)  # what was redone last is undone again
    assert values(path) == start
    do_redo(path, 2)
    assert values(path) == end


def test_a_new_change_discards_the_way_forward(path: Path) -> None:
    add(path, "a")
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    do_undo(path)
    with open_archive(path) as archive:
        assert [c.number for c in redoable_changes(archive)] == [2]
    step(path, lambda a: set_values(a, "a", ["summary=S"]))
    with open_archive(path) as archive:
        assert redoable_changes(archive) == []
        assert [c.number for c in undoable_changes(archive)] == [4, 1]
    with pytest.raises(ChangeConflict, match="nothing to redo"):
        do_redo(path)


def test_a_fixity_check_keeps_the_way_forward(path: Path) -> None:
    add(path, "a")
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    do_undo(path)
    step(path, lambda a: a.log("verify", None, None, {"verified": 0}))
    assert [r.change for r in do_redo(path)] == [2]
    assert state(path)[0]["a"]["date"] == "2020"


def test_undo_and_redo_of_a_removal_and_a_merge(path: Path) -> None:
    add(path, "a", tags=("x",))
    add(path, "b", title="Other", publisher="P")
    add(path, "c")
    step(path, lambda a: add_link(a, "b", "part-of", "c"))
    before = values(path)
    step(path, lambda a: merge(a, "a", ["b"]))
    merged = values(path)
    step(path, lambda a: a.remove(["c"], force=True))
    removed = values(path)
    do_undo(path, 2)
    assert values(path) == before
    do_redo(path)
    assert values(path) == merged
    do_redo(path)
    assert values(path) == removed
    do_undo(path)
    assert values(path) == merged


def test_redo_refusals(path: Path) -> None:
    add(path, "a")
    with pytest.raises(ChangeConflict, match="nothing to redo"):
        do_redo(path)
    do_undo(path)
    with pytest.raises(ChangeConflict, match="nothing left to undo: all 1 change"):
        do_undo(path)
    with pytest.raises(ChangeConflict, match=r"only 1 change\(s\) can be redone, not 2"):
        do_redo(path, 2)
    with pytest.raises(ChangeConflict, match="at least 1"):
        do_redo(path, 0)
    step(path, lambda a: a.add(Record(id="A", title="again"), log=False))
    before = fingerprint(path)
    with pytest.raises(ChangeConflict, match=r"cannot redo change 1 .*the id a has been used"):
        do_redo(path)
    assert fingerprint(path) == before


def test_an_older_undo_of_an_undo_reads_as_a_redo(path: Path) -> None:
    """Histories written when undoing twice was the way to redo."""
    add(path, "a")
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    do_undo(path)  # change 3 reverts 2

    def legacy(archive: Archive) -> None:  # change 4: the old undo of change 3
        archive.log_extra = {"reverts": 3}
        archive.replace_document({**archive.document("a"), "date": "2020"}, action="set")
        archive.log_extra = {}

    step(path, legacy)
    with open_archive(path) as archive:
        assert [c.number for c in undoable_changes(archive)] == [2, 1]
        assert redoable_changes(archive) == []
    do_undo(path)
    assert "date" not in state(path)[0]["a"]
    do_redo(path)
    assert state(path)[0]["a"]["date"] == "2020"


def test_verify_entries_are_skipped(path: Path) -> None:
    add(path, "a")
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    step(path, lambda a: a.log("verify", None, None, {"verified": 1}))
    with open_archive(path) as archive:
        assert [c.number for c in undoable_changes(archive)] == [2, 1]
    reverted = do_undo(path)
    assert reverted[0].change == 2
    assert "date" not in state(path)[0]["a"]


@pytest.mark.parametrize("setup, message", [
    # An added record changed behind history's back.
    (lambda p: (add(p, "a"), hand_edit(p, lambda d: d["records"]["1"].update(title="Z"))),
     "a has been changed since it was added"),
    # A value changed since the set that is being undone.
    (lambda p: (add(p, "a"), step(p, lambda a: set_values(a, "a", ["date=2020"])),
                hand_edit(p, lambda d: d["records"]["1"].update(date="1999"))),
     "a's date has been changed since"),
    # The id of a removed record is in use again.
    (lambda p: (add(p, "a"), step(p, lambda a: a.remove(["a"])),
                step(p, lambda a: a.add(Record(id="A", title="new"), log=False))),
     "the id a has been used again since"),
    # One end of an unlinked link is gone, so the link cannot be made again.
    (lambda p: (add(p, "a"), add(p, "b"), step(p, lambda a: add_link(a, "a", "related", "b")),
                step(p, lambda a: remove_link(a, "a", "related", "b")),
                hand_edit(p, lambda d: d["records"].pop("2"))),
     "b is gone"),
    # A link that no longer exists cannot be removed.
    (lambda p: (add(p, "a"), add(p, "b"), step(p, lambda a: add_link(a, "a", "related", "b")),
                hand_edit(p, lambda d: d["links"].clear())),
     "the link a related b no longer exists"),
    # An added record that was linked since (by hand) would lose the link.
    (lambda p: (add(p, "b"), add(p, "a"),
                hand_edit(p, lambda d: d["links"].update(
                    {"1": {"src": "a", "rel": "related", "dst": "b"}}))),
     "a has been linked since"),
])
def test_refusals_change_nothing(path: Path, setup: Any, message: str) -> None:
    setup(path)
    before = fingerprint(path)
    with pytest.raises(ChangeConflict, match=message):
        do_undo(path)
    assert fingerprint(path) == before


def test_undo_n_is_all_or_nothing(path: Path) -> None:
    add(path, "a")
    step(path, lambda a: set_values(a, "a", ["date=2020"]))
    hand_edit(path, lambda d: d["records"]["1"].update(title="hand"))
    before = fingerprint(path)
    with pytest.raises(ChangeConflict, match="cannot undo change 1"):
        do_undo(path, 2)
    assert fingerprint(path) == before


def test_nothing_or_too_little_to_undo(path: Path) -> None:
    with open_archive(path, write=True) as archive, \
            pytest.raises(ChangeConflict, match="nothing to undo"):
        undo(archive)
    add(path, "a")
    with pytest.raises(ChangeConflict, match="only 1 change"):
        do_undo(path, 2)
    with pytest.raises(ChangeConflict, match="at least 1"):
        do_undo(path, 0)


def test_unknown_actions_are_refused(path: Path) -> None:
    add(path, "a")
    step(path, lambda a: a.log("teleport", None, None, None))
    with pytest.raises(ChangeConflict, match="does not know how to undo 'teleport'"):
        do_undo(path)


OPERATIONS = st.lists(st.sampled_from(
    ["set", "tag", "untag", "link", "unlink", "rm", "add", "merge", "distinct", "rename"]),
    min_size=1, max_size=6)


def _apply(archive: Archive, operation: str, n: int) -> None:
    ids = archive.ids()
    if operation == "add":
        archive.add(Record(id=f"n{n}", title="New", tags=("t",)))
    elif not ids:
        return
    elif operation == "set":
        set_values(archive, ids[0], [f"date=20{n:02d}", "summary=s" if n % 2 else "summary="])
    elif operation == "tag":
        archive.update(with_tags(archive.get(ids[-1]), [f"T{n}", "t"]), action="tag")
    elif operation == "untag" and archive.get(ids[0]).tags:
        archive.update(without_tags(archive.get(ids[0]), [archive.get(ids[0]).tags[0]]),
                       action="untag")
    elif operation == "link" and len(ids) > 1:
        add_link(archive, ids[0], "related", ids[-1])
    elif operation == "unlink":
        for link in list(archive.link_documents())[:1]:
            remove_link(archive, link["src"], link["rel"], link["dst"])
    elif operation == "rm":
        archive.remove([ids[-1]], force=True)
    elif operation == "merge" and len(ids) > 1:
        merge(archive, ids[0], [ids[1]])
    elif operation == "distinct" and len(ids) > 1:
        mark_distinct(archive, ids[0], ids[-1])
    elif operation == "rename":
        rename(archive, ids[0], f"r{n}")


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_undoing_every_change_restores_the_start(make_location: Callable[[str], Any],
                                                  operations: list[str]) -> None:
    path = make_location(f"prop{abs(hash(tuple(operations)))}")
    if isinstance(path, Path):
        path.unlink(missing_ok=True)
    add(path, "a", tags=("t",), date="2000")
    add(path, "b", creators=("C",))
    add(path, "c")
    step(path, lambda a: add_link(a, "a", "part-of", "b"))
    start = values(path)
    with open_archive(path) as archive:
        first = len(undoable_changes(archive))
    for n, operation in enumerate(operations):
        step(path, lambda a, op=operation, n=n: _apply(a, op, n))
    with open_archive(path) as archive:
        count = len(undoable_changes(archive)) - first
    end = values(path)
    if count:
        do_undo(path, count)
    assert values(path) == start
    if count:
        do_redo(path, count)
        assert values(path) == end
        for _ in range(count):  # one at a time, back to the start again
            do_undo(path)
        assert values(path) == start


def test_undo_rm_of_several_records_keeps_their_order(path: Path) -> None:
    for record_id in "abcd":
        add(path, record_id)
    before = values(path)
    step(path, lambda a: a.remove(["c", "a"]))
    assert values(path)["order"] == ["b", "d"]
    do_undo(path)
    assert values(path) == before
    assert values(path)["order"] == ["a", "b", "c", "d"]


def test_store_helpers_used_by_undo() -> None:
    from archivist.errors import DuplicateRecord

    archive = memory_archive()
    for record_id in "abc":
        archive.add(Record(id=record_id, title=record_id))
    archive.restore({"id": "z", "title": "Z", "archive": {"added": "2020-01-01T00:00:00Z"}}, 1)
    assert archive.ids() == ["a", "z", "b", "c"]
    assert archive.document("z")["archive"] == {"added": "2020-01-01T00:00:00Z"}
    assert archive.history()[-1]["archive"] == {"added": "2020-01-01T00:00:00Z"}
    with pytest.raises(DuplicateRecord):
        archive.restore({"id": "A", "title": "again"})
    archive.store_links([{"src": "a", "rel": "related", "dst": "b"},
                         {"src": "b", "rel": "part-of", "dst": "c"}])
    assert archive.delete_links([{"src": "A", "rel": "related", "dst": "B"},
                                 {"src": "x", "rel": "related", "dst": "y"}]) == 1
    assert [d["rel"] for d in archive.link_documents()] == ["part-of"]
    archive.set_archive_info("a", distinct=["b"], other=1)
    archive.drop_archive_info("a", "distinct", "absent")
    assert "distinct" not in archive.document("a")["archive"]
    assert archive.document("a")["archive"]["other"] == 1


@pytest.mark.file_only
def test_a_bulk_edit_is_undone_in_one_replacement(path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist.store.jsonfile.recordtable import RecordTable

    step(path, lambda a: a.add_many((Record(id=f"r{n}", title="T", tags=("Old",)), None)
                                    for n in range(50)))
    before = values(path)
    step(path, lambda a: a.update_many([with_tags(r, ["new"]) for r in a.records()],
                                       action="tag"))
    calls: list[int] = []
    original = RecordTable.replace

    def counted(self: RecordTable, documents: Any) -> None:
        calls.append(len(documents))
        original(self, documents)

    monkeypatch.setattr(RecordTable, "replace", counted)
    [reverted] = do_undo(path)
    assert calls == [50]  # not 50 replacements, each rebuilding the table
    assert reverted.steps == ("tag 50 records: r49, r48, r47, … (tags)",)
    assert values(path) == before
    calls.clear()
    do_redo(path)
    assert calls == [50]


def test_a_record_changed_twice_in_one_change(path: Path) -> None:
    add(path, "a", date="2000")
    add(path, "b")
    before = values(path)

    def twice(archive: Archive) -> None:
        set_values(archive, "a", ["date=2001"])
        set_values(archive, "b", ["date=2001"])
        set_values(archive, "a", ["date=2002"])

    step(path, twice)
    do_undo(path)
    assert values(path) == before
