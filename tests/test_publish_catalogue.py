"""What a published site shows, gathered from an archive (archivist.publish.catalogue)."""

from __future__ import annotations

from archivist.models import record_from_mapping
from archivist.publish.catalogue import decade_of, gather, slug
from archivist.store import Archive, memory_archive


def _archive() -> Archive:
    archive = memory_archive()
    archive.add_many([
        (record_from_mapping({"id": "series", "title": "Series", "kind": "series",
                              "tags": ["Film"], "date": "1923~"}), None),
        (record_from_mapping({"id": "part", "title": "Part", "tags": ["film", "x"],
                              "creators": ["Łukasz", "Lukasz"], "publisher": "P"}), None),
        (record_from_mapping({"id": "other", "title": "Other"}), None),
    ])
    archive.store_link("part", "part-of", "series")
    archive.store_link("other", "related", "part")
    return archive


def test_slugs_are_stable_readable_and_apart() -> None:
    assert slug("Clara Weiss") == slug("Clara Weiss")
    assert slug("Clara Weiss").startswith("clara-weiss-")
    assert slug("Łukasz") != slug("Lukasz")
    assert slug("Троцкий").isascii() and len(slug("Троцкий")) == 8
    assert slug("FILM") == slug("film")  # values compared as archivist compares them


def test_decades_come_from_the_earliest_day() -> None:
    assert decade_of("1923~") == "1920s"
    assert decade_of("1919/1925") == "1910s"
    assert decade_of("2025-05-22") == "2020s"
    assert decade_of(None) is None
    assert decade_of("not a date") is None


def test_links_are_filed_under_both_ends_named_from_each() -> None:
    archive = _archive()
    catalogue = gather(archive, list(archive.documents()), "T")
    assert [(e.rel, e.other) for e in catalogue.links["series"]] == [("has-part", "part")]
    assert [(e.rel, e.other) for e in catalogue.links["part"]] == [
        ("part-of", "series"), ("related", "other")]


def test_a_link_to_a_record_left_out_is_marked_unpublished() -> None:
    archive = _archive()
    docs = [doc for doc in archive.documents() if doc["id"] == "part"]
    catalogue = gather(archive, docs, "T")
    entries = catalogue.links["part"]
    assert [(e.other, e.title, e.published) for e in entries] == [
        ("series", "Series", False), ("other", "Other", False)]
    assert "series" not in catalogue.links


def test_facets_merge_case_but_not_accents() -> None:
    archive = _archive()
    catalogue = gather(archive, list(archive.documents()), "T")
    tags = catalogue.facets["tags"]
    assert sorted(value.label for value in tags.values()) == ["Film", "x"]
    assert tags["film"].record_ids == ["series", "part"]
    assert len(catalogue.facets["creators"]) == 2
    assert list(catalogue.facets["decades"]) == ["1920s"]
    assert sorted(catalogue.facets["kinds"]) == ["other", "series"]


def test_history_and_recent_additions() -> None:
    archive = _archive()
    catalogue = gather(archive, list(archive.documents()), "T")
    assert catalogue.history["part"][0]["action"] == "add"
    assert [doc["id"] for doc in catalogue.recent(2)] == ["other", "part"]
