"""Tags across the archive: counts (from the records or the index file) and renames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archivist.errors import InvalidRecord
from archivist.models import Record, record_from_mapping
from archivist.store import Archive, open_archive
from archivist.tagging import rename_tag, tag_counts


def rec(record_id: str, **values: Any) -> Record:
    return record_from_mapping({"id": record_id, "title": f"Title {record_id}", **values})


def test_counts_keep_the_first_spelling_and_sort_by_folded_tag(archive: Archive) -> None:
    archive.add(rec("a", tags=["Film"]))
    archive.add(rec("b", tags=["FILM", "new", "Ärzte"]))
    assert tag_counts(archive) == [("Film", 2), ("new", 1), ("Ärzte", 1)]


def test_counts_read_from_the_index_file_match_the_records(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with open_archive(path, write=True) as archive:
        archive.add(rec("a", tags=["Film", "Łódź"]))
        archive.add(rec("b", tags=["film"]))
        archive.add(rec("c"))
    with open_archive(path) as archive:
        assert archive.summaries() is not None  # the index file answers
        from_index = tag_counts(archive)
    (path.with_name(path.name + ".index")).unlink()
    with open_archive(path) as archive:
        assert archive.summaries() is None
        assert tag_counts(archive) == from_index == [("Film", 2), ("Łódź", 1)]


def test_rename_merges_case_insensitively(archive: Archive) -> None:
    archive.add(rec("a", tags=["ussr", "USSR-history"]))
    archive.add(rec("b", tags=["Soviet Union", "ussr"]))
    assert rename_tag(archive, "soviet union", "USSR") == 1
    assert archive.get("b").tags == ("ussr",)


def test_rename_of_case_only_respells(archive: Archive) -> None:
    archive.add(rec("a", tags=["ussr"]))
    assert rename_tag(archive, "ussr", "USSR") == 1
    assert archive.get("a").tags == ("USSR",)


def test_rename_of_an_unknown_tag_is_refused(archive: Archive) -> None:
    archive.add(rec("a", tags=["film"]))
    with pytest.raises(InvalidRecord, match="no record has the tag 'book'"):
        rename_tag(archive, "book", "books")
