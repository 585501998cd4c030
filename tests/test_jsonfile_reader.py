"""The file layout: one document per line, history last and parsed only when needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archivist import atomic
from archivist.errors import ArchiveCorrupt
from archivist.models import record_from_mapping
from archivist.store import open_archive
from archivist.store.jsonfile import reader, writer
from tests.conftest import Invoke, refuse_parsing_records


def make(path: Path, *ids: str) -> None:
    with open_archive(path, write=True) as archive:
        for record_id in ids:
            archive.add(record_from_mapping({"id": record_id, "title": f"Title {record_id}"}))


def test_layout_is_one_document_per_line_with_history_last(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    make(path, "a", "b")
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert lines[1].startswith('"meta": {"1":{"format":1,"entries":2,"change":1,"id":"')
    assert lines[2] == '"records": {'
    assert lines[3].startswith('"1": {"id":"a"')
    assert '"history": {' in lines
    assert lines.index('"history": {') > lines.index('"links": {')
    data = json.loads(path.read_text("utf-8"))
    assert set(data) == {"meta", "records", "links", "history"}


def test_reading_leaves_the_history_as_text(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    make(path, "a")
    read = reader.read(path)
    assert read.history_text is not None and b'"action":"add"' in bytes(read.history_text)
    assert "history" not in read.tables
    full = reader.read(path, with_history=True)
    assert full.history_text is None and len(full.tables["history"]) == 1


def test_appending_history_equals_writing_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    make(path, "a")
    make(path, "b", "c")
    with open_archive(path) as archive:
        assert [e["record"] for e in archive.history()] == ["a", "b", "c"]
        assert [e["seq"] for e in archive.history()] == [1, 2, 3]
        assert [e["change"] for e in archive.history()] == [1, 2, 2]
    data = json.loads(path.read_bytes())
    assert list(data["history"]) == ["1", "2", "3"]
    assert data["meta"]["1"]["entries"] == 3 and data["meta"]["1"]["change"] == 2


def test_writers_that_only_append_never_parse_the_history(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    make(path, "a")

    def refuse(*_: object) -> None:
        raise AssertionError("the history was parsed")

    monkeypatch.setattr(reader, "parse_history", refuse)
    make(path, "b")
    with open_archive(path) as archive:
        assert archive.ids() == ["a", "b"]


def test_a_file_in_another_layout_is_read_whole_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    make(path, "a")
    data = json.loads(path.read_bytes())
    del data["meta"]["1"]["entries"]
    path.write_text(json.dumps(data, indent=4, ensure_ascii=False), "utf-8")
    assert reader.read(path).history_text is None
    make(path, "b")
    assert path.read_text("utf-8").splitlines()[1].startswith('"meta": {"1":{"format":1,'
                                                             '"entries":2')
    with open_archive(path) as archive:
        assert [e["record"] for e in archive.history()] == ["a", "b"]


def test_empty_history_and_first_entries(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    pieces = writer.encode({"1": {"format": 1, "entries": 0, "change": 0}}, writer.table({}),
                           writer.table({}), writer.history_pieces({}))
    path.write_bytes(b"".join(map(bytes, pieces)))
    assert bytes(reader.read(path).history_text or b"") == b"{\n}"
    make(path, "a")
    assert json.loads(path.read_bytes())["history"]["1"]["record"] == "a"


def test_damaged_history_is_reported_where_it_is_read(tmp_path: Path, invoke: Invoke,
                                                      db: Path) -> None:
    make(db, "a")
    text = db.read_text("utf-8").replace('"action":"add"', '"action":"add",,')
    db.write_text(text, "utf-8")
    assert invoke("list", "--format", "json").exit_code == 0
    result = invoke("history")
    assert result.exit_code == 1 and "its history" in result.stderr
    assert "not valid JSON" in result.stderr
    result = invoke("check")
    assert result.exit_code == 1


def test_read_archive_file_reports_damage(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b'{\n"meta": {"1": {"format": 1}},\n"records": {\n}')
    with pytest.raises(ArchiveCorrupt, match="not valid JSON"):
        reader.read(path)


def test_tables_are_parsed_only_when_used_and_written_back_as_read(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    make(path, "a", "b")
    with open_archive(path, write=True) as archive:
        archive.store_link("a", "related", "b")
    links_text = reader.read(path).tables.texts["links"]  # type: ignore[attr-defined]
    with open_archive(path, write=True) as archive:
        archive.add(record_from_mapping({"id": "c", "title": "C"}))
        assert "links" not in archive._storage.data
    assert links_text in path.read_bytes()
    with open_archive(path) as archive:
        assert [link["dst"] for link in archive.link_documents()] == ["b"]


def test_damage_in_a_lazy_table_is_reported_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    make(path, "a", "b")
    text = path.read_text("utf-8").replace('"title":"Title b"', '"title":"Title b",,')
    path.write_text(text, "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if ",," in row)
    with pytest.raises(ArchiveCorrupt, match=rf"a\.json:{line}:"), open_archive(path) as archive:
        archive.ids()


# -- one document at a time, without parsing the table ---------------------------------


def lazy_records(path: Path, *ids: str) -> reader.LazyTables:
    make(path, *ids)
    tables = reader.read(path).tables
    assert isinstance(tables, reader.LazyTables)
    return tables


@pytest.mark.parametrize("changed", [["1"], ["2"], ["3"], ["1", "3"], ["3", "1", "2"]])
@pytest.mark.parametrize("appended", [False, True])
def test_documents_replaced_line_by_line_give_the_table_parsing_would(
        tmp_path: Path, changed: list[str], appended: bool) -> None:
    tables = lazy_records(tmp_path / "a.json", "a", "b", "c")
    for doc_id in changed:
        doc = tables.document("records", doc_id)
        assert doc is not None
        doc["title"] = f"New “{doc_id}”\\"
        tables.replace("records", doc_id)
    if appended:
        tables.append("records", [("4", {"id": "d", "title": "D"})])
    assert "records" not in tables  # nothing parsed the table
    text = atomic.join(tables.pieces("records"))
    fresh = reader.read(tmp_path / "a.json").tables
    assert isinstance(fresh, reader.LazyTables)
    expected = json.loads(bytes(fresh.texts["records"]))
    for doc_id in changed:
        expected[doc_id]["title"] = f"New “{doc_id}”\\"
    if appended:
        expected["4"] = {"id": "d", "title": "D"}
    assert json.loads(text) == expected
    assert text.count(b"\n") == len(expected) + 1  # still one document per line


def test_a_document_read_by_line_is_the_one_a_later_parse_holds(tmp_path: Path) -> None:
    tables = lazy_records(tmp_path / "a.json", "a", "b")
    doc = tables.document("records", "2")
    assert doc is not None and doc["id"] == "b"
    doc["title"] = "Changed"
    tables.replace("records", "2")
    assert tables["records"]["2"] is doc  # parsing keeps the object callers hold
    assert tables.document("records", "9") is None


def test_set_on_an_indexed_archive_parses_one_line(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    make(path, "a", "b", "c")
    refuse_parsing_records(monkeypatch)
    with open_archive(path, write=True) as archive:
        record = archive.get("b")
        archive.update(record.with_changes(title="Bee"))
        assert archive.get("B").title == "Bee"
    monkeypatch.undo()
    data = json.loads(path.read_text("utf-8"))
    assert [doc["title"] for doc in data["records"].values()] == ["Title a", "Bee", "Title c"]
    assert data["history"][max(data["history"], key=int)]["after"] == {"title": "Bee"}


def test_a_mapped_archive_leaves_links_and_history_as_regions_of_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    make(path, "a", "b", "c")
    before = path.read_bytes()
    monkeypatch.setattr(atomic, "MAP_FROM", 0)
    read = reader.read(path)
    assert isinstance(read.history_text, atomic.Region)
    assert isinstance(read.tables, reader.LazyTables)
    assert isinstance(read.tables.texts["links"], atomic.Region)
    assert not isinstance(read.tables.texts["records"], atomic.Region)
    # A write copies them from the file as it was read.
    with open_archive(path, write=True) as archive:
        archive.add(record_from_mapping({"title": "D", "id": "d"}))
    data = json.loads(path.read_bytes())
    assert list(data["history"].values())[:3] == list(json.loads(before)["history"].values())
    assert [r["id"] for r in data["records"].values()] == ["a", "b", "c", "d"]


def test_one_record_of_an_indexed_archive_is_found_without_reading_the_table(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    make(path, "a", "b", "c")
    real_read = atomic.Region.read
    read: list[int] = []

    def counting_read(self: atomic.Region) -> bytes:
        read.append(len(self))
        return real_read(self)

    monkeypatch.setattr(atomic.Region, "read", counting_read)
    refuse_parsing_records(monkeypatch)
    with open_archive(path, write=True) as archive:
        assert archive.get("B").title == "Title b"
        archive.update(archive.get("b").with_changes(title="Changed"))
    # Only the few bytes that check the layout: the record's line is found in the
    # mapped file, and the rest copied by the kernel.
    assert read and max(read) <= 2
    monkeypatch.undo()
    with open_archive(path) as archive:
        assert [r.title for r in archive.records()] == ["Title a", "Changed", "Title c"]


def test_a_window_is_not_made_on_a_file_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"0123456789")
    with path.open("rb") as file:
        window = reader._Window.of(atomic.Region(file, 2, 6))
        assert window is not None and len(window) == 6
        assert window.find(b"45") == 2 and window.find(b"9") == -1 and window[1:3] == b"34"
        assert reader._Window.of(atomic.Region(file, 5, 20)) is None
        assert reader._Window.of(atomic.Region(file, 5, 0)) is None


def test_history_text_is_read_an_entry_at_a_time_across_chunks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    table = {str(n): {"action": "add", "record": f"r{n}", "after": {"title": "Ё\n\"}," * n}}
             for n in range(1, 40)}
    text = b"{\n" + b",\n".join(writer.line(k, v) for k, v in table.items()) + b"\n}"
    for chunk in (7, 64, 1 << 22):
        monkeypatch.setattr(reader, "HISTORY_CHUNK", chunk)
        assert dict(reader.history_entries(memoryview(text), "a.json")) == table
        assert list(reader.history_entries(text, "a.json")) == list(table.items())
    assert list(reader.history_entries(b"{\n}", "a.json")) == []
    with pytest.raises(ArchiveCorrupt, match=r"a\.json: .*'history' is damaged"):
        list(reader.history_entries(text.replace(b'"r7"', b'"r7'), "a.json"))
