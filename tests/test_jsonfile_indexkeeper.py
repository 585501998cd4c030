"""The bookkeeping of one command's index: :class:`IdIndex` and :class:`IndexKeeper`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.models import Record, record_from_mapping
from archivist.store import Archive, open_archive
from archivist.store.jsonfile import summaryindex
from archivist.store.jsonfile.indexkeeper import IdIndex, IndexKeeper


def counting(ids: dict[str, int]) -> tuple[IdIndex, list[str], list[int]]:
    """An IdIndex over ``ids`` that counts its builds and records its probes."""
    probes: list[str] = []
    builds: list[int] = []

    def build() -> dict[str, int]:
        builds.append(1)
        return dict(ids)

    def probe(key: str) -> bool:
        probes.append(key)
        return key in ids

    return IdIndex(build, probe), probes, builds


def test_a_few_questions_are_probed_without_building_the_map() -> None:
    index, probes, builds = counting({"a": 1, "b": 2})
    assert "a" in index and "zz" not in index
    index["c"] = 3
    assert "c" in index  # added since: answered without a probe
    assert probes == ["a", "zz"] and builds == []


def test_past_the_probe_limit_the_map_is_built_once_with_what_was_added() -> None:
    index, probes, builds = counting({"a": 1})
    index["new"] = -1
    for _ in range(IdIndex.PROBES):
        assert "a" in index
    assert builds == []
    assert "a" in index and "missing" not in index and "new" in index
    assert builds == [1] and len(probes) == IdIndex.PROBES
    index["new"] = 7
    assert dict(index) == {"a": 1, "new": 7} and len(index) == 2


def test_everything_but_membership_builds_the_map() -> None:
    index, _, builds = counting({"a": 1, "b": 2})
    index["c"] = 3
    assert index["b"] == 2 and builds == [1]
    del index["a"]
    assert "a" not in index and sorted(index) == ["b", "c"] and index.pop("c") == 3


def test_a_few_lookups_are_located_without_building_the_map() -> None:
    ids = {"a": 10, "b": 20}
    builds: list[int] = []

    def build() -> dict[str, int]:
        builds.append(1)
        return dict(ids)

    index = IdIndex(build, ids.__contains__, ids.get)
    index["new"] = 30
    assert (index["b"], index.get("a"), index.get("zz"), index["new"]) == (20, 10, None, 30)
    with pytest.raises(KeyError):
        index["missing"]
    assert builds == []
    for _ in range(IdIndex.PROBES):
        index.get("a")
    assert index["b"] == 20 and builds == [1]


def test_a_map_built_already_never_probes() -> None:
    index = IdIndex.of({"a": 1})
    assert "a" in index and "b" not in index and index.get("a") == 1


@given(st.dictionaries(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,6}", fullmatch=True),
                       st.integers(0, 99), max_size=8),
       st.lists(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,6}", fullmatch=True), max_size=20))
def test_probed_answers_are_the_built_answers(ids: dict[str, int], asked: list[str]) -> None:
    probed, _, _ = counting(ids)
    built = IdIndex.of(dict(ids))
    assert [key in probed for key in asked] == [key in built for key in asked]


def test_the_keeper_drops_an_index_whose_ids_do_not_match_its_documents(
        tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    with open_archive(db, write=True) as archive:
        for title in ("One", "Two", "Three"):
            archive.add(archive_record(archive, title))
    index = summaryindex.load(db)
    assert index is not None
    keeper = IndexKeeper(db, index, summaryindex.file_identity(db), None)
    assert keeper.checked() is index
    # The same index with one id fewer than documents: not to be trusted.
    damaged = summaryindex.Index({**index._texts, summaryindex.ID_KEY: b'["one","two"]'})
    keeper = IndexKeeper(db, damaged, summaryindex.file_identity(db), None)
    assert keeper.checked() is None
    assert not summaryindex.index_path(db).exists()


def archive_record(archive: Archive, title: str) -> Record:
    return record_from_mapping({"title": title}, default_id=archive.new_id(title, (), None))


@pytest.mark.parametrize("text, sound", [
    (b'["one","two","three"]', True),
    (b'["one","two"]', False),                 # an id fewer
    (b'["one","two","three","four"]', False),  # an id more
    (b'["one","two" "three"]', False),         # a comma lost
    (b'["one","t\\"wo","three"]', False),      # an escape: not an id archivist writes
    (b'["one",2,"three"]', False),             # not text
    (b'[]', False),
    (b'["one", "two", "three"]', False),       # valid JSON, but not as archivist writes it
    (b'["one","t\x01o","three"]', False),     # a damaged byte
    (b'["one","TWO","three"]', False),         # not lowercased
    (b'["one","tw\xc3\xb6","three"]', False),  # not an id archivist accepts
])
def test_the_id_column_text_is_checked_without_parsing(text: bytes, sound: bool) -> None:
    index = summaryindex.Index({summaryindex.DOC_KEY: b"[1,2,3]", summaryindex.ID_KEY: text})
    assert index.keys_sound() is sound
    assert summaryindex.ID_KEY not in index._columns


def test_an_empty_id_column_is_sound_for_no_documents() -> None:
    empty = {summaryindex.DOC_KEY: b"[]", summaryindex.ID_KEY: b"[]"}
    assert summaryindex.Index(empty).keys_sound()
    assert summaryindex.Index({}).keys_sound()


def test_records_appended_by_a_write_reach_the_index_as_rows_or_as_new_columns(
        tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}")
    doc = record_from_mapping({"id": "A", "title": "T"}).to_document()
    new = IndexKeeper(path, None, None, None)
    columns = summaryindex.ColumnsWriter({})
    columns.append(summaryindex.summary_row("1", doc))
    new.written_with_rows(columns, [0, 1, 2])
    assert new.index is not None and new.index.rows() == summaryindex.build({"1": doc}).rows()
    loaded = summaryindex.load(path)
    assert loaded is not None and len(loaded) == 1
    kept = IndexKeeper(path, loaded, new.source, [0, 1, 2])
    rows = kept.appending(None)
    rows.append(summaryindex.summary_row("2", {**doc, "id": "B"}))
    kept.written_with_rows(rows, [0, 1, 2])
    assert kept.index is not None and kept.index.column(summaryindex.ID_KEY) == ["a", "b"]
