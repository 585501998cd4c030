"""The record schema: validation rules and conversions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.errors import InvalidRecord
from archivist.models import (
    KINDS,
    Record,
    check_id,
    check_tag,
    first_spellings,
    interchange,
    merge_tags,
    record_from_mapping,
)


def test_minimal_record_defaults_to_kind_other() -> None:
    record = record_from_mapping({"id": "a", "title": "T"})
    assert record.kind == "other"
    assert record.creators == () and record.date is None


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidRecord) as err:
        record_from_mapping({"id": "a", "title": "T", "kind": "novel"})
    assert "unknown kind 'novel'" in str(err.value)
    for kind in KINDS:
        assert kind in str(err.value)


@pytest.mark.parametrize("bad", ["has space", "-starts-with-dash", "semi;colon", "é", "a/b",
                                 "$(rm)", "", "x" * 200, "quote'"])
def test_awkward_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidRecord, match="id"):
        check_id(bad)


@pytest.mark.parametrize("good", ["a", "weiss-2021-dear-comrades", "1927-list", "v1.2_x"])
def test_typable_ids_are_accepted(good: str) -> None:
    assert check_id(good) == good


def test_a_single_creator_string_becomes_a_list() -> None:
    record = record_from_mapping({"id": "a", "title": "T", "creators": "Clara Weiss"})
    assert record.creators == ("Clara Weiss",)


def test_tags_are_deduplicated_case_insensitively_keeping_first_spelling() -> None:
    record = record_from_mapping({"id": "a", "title": "T", "tags": ["Film", "film", "FILM",
                                                                    "stalinism"]})
    assert record.tags == ("Film", "stalinism")


@pytest.mark.parametrize("bad", ["", "   ", "a\x1bb", "tab\there"])
def test_blank_or_control_tags_are_refused(bad: str) -> None:
    with pytest.raises(InvalidRecord):
        check_tag(bad)


@pytest.mark.parametrize("key", ["added", "added_by", "added_how", "changed", "fixity"])
def test_reserved_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidRecord, match="maintained by archivist"):
        record_from_mapping({"id": "a", "title": "T", key: "x"})
    with pytest.raises(InvalidRecord, match="maintained by archivist"):
        record_from_mapping({"id": "a", "title": "T", "fields": {key: "x"}})


def test_unknown_keys_land_in_fields_and_null_means_absent() -> None:
    record = record_from_mapping({"id": "a", "title": "T", "kicker": "Film review",
                                  "subtitle": None, "fields": {"x": {"y": ["1", "2"]}}})
    assert record.fields == {"kicker": "Film review", "x": {"y": ["1", "2"]}}
    assert record.subtitle is None


@pytest.mark.parametrize("bad", ["nul\x00here", "lone \ud800 surrogate"])
def test_text_that_cannot_round_trip_is_refused(bad: str) -> None:
    with pytest.raises(InvalidRecord):
        record_from_mapping({"id": "a", "title": bad})


def test_title_is_required_and_not_blank() -> None:
    with pytest.raises(InvalidRecord, match="title"):
        record_from_mapping({"id": "a"})
    with pytest.raises(InvalidRecord, match="title"):
        record_from_mapping({"id": "a", "title": "  "})


@pytest.mark.parametrize("source", [
    "just a string", {"sha256": "0" * 64}, {"path": "x", "sha256": "nothex"},
    {"path": "x", "span": [9, 5]}, {"path": "x", "span": [0, 1]}, {"path": "x", "size": -1},
    {"path": "x", "colour": "red"}, {"path": "x", "retrieved": "2021-13"},
])
def test_bad_source_shapes_are_refused(source: Any) -> None:
    with pytest.raises(InvalidRecord, match="source"):
        record_from_mapping({"id": "a", "title": "T", "source": source})


def test_source_numbers_written_as_text_are_read() -> None:
    record = record_from_mapping({"id": "a", "title": "T",
                                  "source": {"path": "s.txt", "size": "10", "span": ["5", "9"]}})
    assert record.source is not None
    assert record.source.size == 10 and record.source.span == (5, 9)


def test_interchange_has_every_key_with_none_for_absence() -> None:
    doc = record_from_mapping({"id": "a", "title": "T"}).to_document()
    data = interchange(doc)
    assert data["subtitle"] is None and data["creators"] == [] and data["links"] == []
    assert "_dates" not in data


def test_documents_cache_the_date_bounds() -> None:
    doc = record_from_mapping({"id": "a", "title": "T", "date": "1920/1925"}).to_document()
    assert doc["_dates"] == ["1920-01-01", "1925-12-31"]


def test_merge_tags_is_idempotent() -> None:
    once = merge_tags(("a",), ("B", "b", "A"))
    assert merge_tags(once, ("B", "b", "A")) == once == ("a", "B")


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
_record = st.builds(
    lambda title, creators, tags, date, fields: record_from_mapping(
        {"id": "r1", "title": title, "creators": creators, "tags": tags, "date": date,
         "fields": fields}),
    _text.filter(str.strip), st.lists(_text.filter(str.strip).map(str.strip), max_size=3),
    st.lists(_text.filter(str.strip), max_size=3),
    st.sampled_from([None, "2021", "1923~", "1920/1925", "2021-02-09"]),
    st.dictionaries(st.sampled_from(["kicker", "note", "written"]), _text, max_size=2),
)


@given(_record)
def test_record_document_round_trip_is_the_identity(record: Record) -> None:
    assert Record.from_document(record.to_document()) == record


@given(_record)
def test_interchange_validates_back_to_the_same_record(record: Record) -> None:
    again = record_from_mapping(interchange(record.to_document(), with_archive=False))
    assert again == record


@pytest.mark.parametrize("fields", [False, "text", ["a"], 0])
def test_fields_must_be_a_mapping(fields: Any) -> None:
    with pytest.raises(InvalidRecord, match="fields must be a mapping"):
        record_from_mapping({"id": "a", "title": "T", "fields": fields})


def test_first_spellings_keep_the_first_of_each_folded_tag() -> None:
    lists = [["Film", "ussr"], None, ["FILM", "Straße"], [], ["STRASSE", "new"]]
    assert first_spellings(lists) == {"film": "Film", "ussr": "ussr", "strasse": "Straße",
                                      "new": "new"}
    assert first_spellings([["film"]], {"film": "Film"}) == {"film": "Film"}


@given(st.sampled_from(KINDS), st.sampled_from([str.upper, str.title, str.lower]))
def test_a_kind_is_taken_in_any_case_and_stored_as_the_schema_spells_it(
        kind: str, case: Any) -> None:
    record = record_from_mapping({"id": "a", "title": "A", "kind": f" {case(kind)} "})
    assert record.kind == kind
    with pytest.raises(InvalidRecord, match="unknown kind 'Bok'"):
        record_from_mapping({"id": "a", "title": "A", "kind": "Bok"})
