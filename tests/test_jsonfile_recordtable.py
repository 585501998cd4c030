"""Where an open archive's records are: a parsed TinyDB table, or the file's lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

from archivist.errors import DuplicateRecord, RecordNotFound
from archivist.models import Record
from archivist.store import open_archive
from archivist.store.jsonfile.indexkeeper import IndexKeeper
from archivist.store.jsonfile.recordtable import RecordTable, SnapshotStorage
from tests.conftest import refuse_parsing_records


def parsed_table(docs: dict[str, dict[str, Any]]) -> tuple[RecordTable, SnapshotStorage]:
    storage = SnapshotStorage({"meta": {}, "records": docs, "links": {}})
    db = TinyDB(storage=lambda: storage)
    table = RecordTable(storage, db.table("records", cache_size=0),
                        IndexKeeper(None, None, None, None))
    return table, storage


def test_the_snapshot_gives_its_meta_and_creates_missing_tables() -> None:
    storage = SnapshotStorage({"meta": {"1": {"format": 1}}})
    assert storage.meta() == {"format": 1}
    assert storage.raw("links") == {} and "links" in storage.data
    assert SnapshotStorage({"meta": {"1": "damaged"}}).meta() == {}


def test_a_parsed_table_finds_adds_and_changes_records_by_id_in_any_case() -> None:
    table, storage = parsed_table({"1": {"id": "Alpha", "title": "A"}})
    assert table.parsed() and table.unparsed_tables() is None
    assert table.document("ALPHA") == {"id": "Alpha", "title": "A"}
    [doc_id] = table.insert([{"id": "beta", "title": "B"}])
    table.ids["beta"] = doc_id
    assert doc_id == 2 and table.document("Beta")["title"] == "B"

    def retitle(doc: Any) -> None:
        doc["title"] = "Changed"

    table.update(retitle, [1])
    assert storage.raw("records")["1"]["title"] == "Changed" and storage.dirty
    with pytest.raises(RecordNotFound):
        table.document("gamma")


def test_an_unparsed_table_reads_and_changes_one_line(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.json"
    with open_archive(db, write=True) as archive:
        for n in range(3):
            archive.add(Record(id=f"r{n}", title=f"Title {n}"))
    refuse_parsing_records(monkeypatch)
    with open_archive(db, write=True) as archive:
        table = archive._table
        assert not table.parsed() and table.unparsed_tables() is not None
        assert table.document("R1")["title"] == "Title 1"
        assert "r2" in table.ids and "r9" not in table.ids

        def retitle(doc: Any) -> None:
            doc["title"] = "Changed"

        table.update(retitle, [table.ids["r1"]])
    monkeypatch.undo()
    with open_archive(db) as archive:
        assert [r.title for r in archive.records()] == ["Title 0", "Changed", "Title 2"]


def _doc(record_id: str, tags: list[str] | None = None) -> dict[str, Any]:
    return Record(id=record_id, title=f"Title {record_id}",
                  tags=tuple(tags or ())).to_document()


def test_records_put_back_go_to_their_places_one_after_another() -> None:
    table, storage = parsed_table({"1": _doc("a"), "2": _doc("b"), "3": _doc("c")})
    doc_ids = table.put_back([_doc("x"), _doc("y"), _doc("z")], [0, None, 2])
    assert doc_ids == [4, 5, 6]
    assert [d["id"] for d in storage.raw("records").values()] == ["x", "a", "z", "b", "c",
                                                                   "y"]
    assert table.ids["y"] == 5
    with pytest.raises(DuplicateRecord):
        table.put_back([_doc("q"), _doc("Q")], [None, None])


def test_records_removed_leave_the_table_and_the_ids() -> None:
    table, storage = parsed_table({"1": _doc("a"), "2": _doc("B")})
    table.remove(["B"])
    assert list(storage.raw("records")) == ["1"] and "b" not in table.ids


def test_titles_and_tag_spellings_come_from_the_records_without_an_index() -> None:
    table, _ = parsed_table({"1": _doc("a", ["Film"]), "2": _doc("b", ["FILM", "x"])})
    assert table.titles({"a", "b", "nope"}, None) == {"a": "Title a", "b": "Title b"}
    assert table.tag_spellings() == {"film": "Film", "x": "x"}


def test_documents_are_replaced_and_their_archive_sections_changed_by_id() -> None:
    table, storage = parsed_table({"1": _doc("A"), "2": _doc("b")})
    table.replace({"a": {**_doc("A"), "title": "New"}})
    table.update_archive({"a": {"fixity": "ok"}, "b": {"fixity": "missing", "x": 1}})
    table.drop_archive("b", ["x", "absent"])
    docs = storage.raw("records")
    assert docs["1"]["title"] == "New" and docs["1"]["archive"] == {"fixity": "ok"}
    assert docs["2"]["archive"] == {"fixity": "missing"} and docs["2"]["title"] == "Title b"


def test_an_unknown_id_names_the_closest_without_parsing_the_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.json"
    with open_archive(db, write=True) as archive:
        archive.add(Record(id="Weiss-2021-Dear-Comrades", title="A"))
        archive.add(Record(id="weiss-2020-other", title="B"))
    with open_archive(db) as archive:
        list(archive.documents())  # the index file is written when the archive is left
    refuse_parsing_records(monkeypatch)
    with open_archive(db) as archive:
        with pytest.raises(RecordNotFound) as caught:
            archive.document("weiss-2021-dear-comrade")
        assert caught.value.closest == "Weiss-2021-Dear-Comrades"
        assert str(caught.value) == ("no record with id 'weiss-2021-dear-comrade'; did "
                                     "you mean 'Weiss-2021-Dear-Comrades'?")
        with pytest.raises(RecordNotFound) as caught:
            archive.document("nothing-like-it")
        assert caught.value.closest is None


def test_an_archive_is_freed_as_soon_as_it_is_dropped(tmp_path: Path) -> None:
    # A reference cycle (the allocator holding its table, say) would keep every parsed
    # record alive until the garbage collector ran: seconds at exit on a large archive.
    import gc
    import weakref

    path = tmp_path / "a.json"
    with open_archive(path, write=True) as archive:
        archive.add_many((Record(id=f"r{n}", title="T"), None) for n in range(3))
        archive.store_link("r0", "part-of", "r1")
    gc.disable()
    try:
        with open_archive(path, write=True) as archive:
            archive.add(Record(id="new", title="N"))
            archive.store_link("new", "part-of", "r1")
            tables = weakref.ref(archive._table)  # type: ignore[attr-defined]
            links = weakref.ref(archive._linked)  # type: ignore[attr-defined]
        del archive
        assert tables() is None and links() is None
    finally:
        gc.enable()
