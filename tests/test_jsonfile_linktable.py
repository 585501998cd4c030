"""Where an open archive's links are: stored, found, deleted, and those of records going."""

from __future__ import annotations

import pytest
from tinydb import TinyDB

from archivist.errors import RecordInUse
from archivist.store.jsonfile.linktable import LinkTable, as_stored
from archivist.store.jsonfile.reader import LazyTables
from archivist.store.jsonfile.recordtable import SnapshotStorage


def table(*links: tuple[str, str, str]) -> LinkTable:
    storage = SnapshotStorage(LazyTables.whole({"meta": {}, "records": {}, "links": {}}, "a"))
    linked = LinkTable(storage, TinyDB(storage=lambda: storage).table("links", cache_size=0))
    linked.insert(as_stored(*link) for link in links)
    return linked


def test_links_are_stored_as_given_and_numbered_after_the_last() -> None:
    linked = table(("a", "part-of", "b"), ("b", "related", "c"))
    assert list(linked.documents()) == [as_stored("a", "part-of", "b"),
                                        as_stored("b", "related", "c")]
    assert linked.reserve(2) == 3 and linked.reserve(1) == 5  # the one allocator
    assert table().reserve(1) == 1


def test_a_number_is_never_given_twice_within_a_command() -> None:
    linked = table(("a", "part-of", "b"), ("b", "related", "c"))
    linked.delete([as_stored("b", "related", "c")])
    # As TinyDB numbers: one past the highest the table held when first asked.
    assert linked.reserve(1) == 3


def test_deleting_matches_ids_case_insensitively_and_returns_the_stored_links() -> None:
    linked = table(("Ab", "related", "c"), ("ab", "related", "C"), ("x", "related", "c"))
    assert linked.delete([as_stored("AB", "related", "c")], first_only=True) == [
        as_stored("Ab", "related", "c")]
    assert linked.delete([as_stored("ab", "related", "c"), as_stored("q", "related", "r")]
                         ) == [as_stored("ab", "related", "C")]
    assert list(linked.documents()) == [as_stored("x", "related", "c")]
    assert linked.delete([as_stored("x", "part-of", "c")]) == []


def test_links_of_records_going_are_found_or_refused() -> None:
    linked = table(("a", "part-of", "b"), ("b", "related", "c"), ("d", "related", "e"))
    # A link between two records going goes with them.
    assert linked.touching({"a", "b", "c"}, force=False) == [
        as_stored("a", "part-of", "b"), as_stored("b", "related", "c")]
    with pytest.raises(RecordInUse, match=r"^c is linked with b \(b related c\)"):
        linked.touching({"c"}, force=False)
    assert linked.touching({"c"}, force=True) == [as_stored("b", "related", "c")]
    assert linked.touching({"z"}, force=False) == []
