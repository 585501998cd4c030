"""Writing the archive file's tables: one document per line, in pieces, or made as written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archivist import atomic
from archivist.errors import ArchivistError
from archivist.store.jsonfile import reader, writer
from tests.test_jsonfile_reader import make


def test_lines_come_in_pieces_that_join_to_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "LINES_PER_PIECE", 2)
    items = [(str(n), {"id": f"r{n}", "title": "Łódź"}) for n in range(5)]
    pieces = writer.lines(items)
    assert len(pieces) == 3
    whole = b",\n".join(json.dumps(k).encode() + b": " + json.dumps(
        d, ensure_ascii=False, separators=(",", ":")).encode() for k, d in items)
    assert b"".join(pieces) == whole
    assert writer.lines([]) == [b""]
    table = b"".join(writer.table(dict(items)))
    assert json.loads(table) == {k: d for k, d in items}



def _doc(n: int) -> dict[str, object]:
    return {"id": f"r{n}", "title": "Łódź — “quoted”"}


@pytest.mark.parametrize("per_piece", [2, 1000])
@pytest.mark.parametrize(("old", "new"), [(0, 0), (0, 1), (0, 5), (3, 0), (3, 1), (3, 4)])
def test_appending_lines_as_written_gives_the_bytes_encoding_them_gives(
        monkeypatch: pytest.MonkeyPatch, per_piece: int, old: int, new: int) -> None:
    monkeypatch.setattr(writer, "LINES_PER_PIECE", per_piece)
    table = {str(n): _doc(n) for n in range(1, old + 1)}
    added = [(str(n), _doc(n)) for n in range(old + 1, old + new + 1)]
    history = writer.history_pieces({"1": {"action": "add"}})
    meta = {"1": {"format": 1}}
    streamed = writer.encode(meta, writer.table(table), writer.table({}), history, {
        "records": (writer.line(key, doc) for key, doc in added),
        "links": iter(()),
        "history": (writer.line(str(n), {"n": n}) for n in range(2, new + 2))})
    written = list(streamed)
    expected = writer.encode(
        meta, writer.table({**table, **dict(added)}), writer.table({}),
        writer.history_pieces({"1": {"action": "add"},
                               **{str(n): {"n": n} for n in range(2, new + 2)}}))
    whole = b"".join(map(bytes, expected))
    assert b"".join(map(bytes, written)) == whole
    assert streamed.layout == expected.layout == [
        whole.index(mark) for mark in (writer.RECORDS_MARK, writer.LINKS_MARK,
                                       writer.HISTORY_MARK)]


def test_appending_to_a_table_left_in_the_file_copies_it_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    make(path, "a", "b")
    monkeypatch.setattr(atomic, "MAP_FROM", 0)
    read = reader.read(path)
    assert read.history_text is not None
    tables = read.tables
    streamed = writer.encode(tables["meta"], tables.pieces("records"), tables.pieces("links"),
                             [read.history_text],
                             {"history": iter([writer.line("9", {"action": "test"})])})
    pieces = list(streamed)
    assert any(isinstance(piece, atomic.Region) for piece in pieces)
    data = json.loads(b"".join(map(bytes, pieces)))
    assert list(data["history"])[-1] == "9" and len(data["records"]) == 2


def test_a_line_that_cannot_be_json_is_refused() -> None:
    with pytest.raises(ArchivistError, match="cannot write this as JSON"):
        writer.line("1", {"bad": object()})
    assert list(writer.chunks([])) == []
