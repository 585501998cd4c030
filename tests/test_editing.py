"""set assignments, the edit round trip, tagging helpers and spans."""

from __future__ import annotations

import pytest

from archivist.editing import (
    apply_assignments,
    edit_text,
    field_assignments,
    parse_assignment,
    parse_edit,
    parse_span,
    with_tags,
    without_tags,
)
from archivist.errors import InvalidRecord
from archivist.models import record_from_mapping
from archivist.yamlio import YamlError

BASE = record_from_mapping({"id": "t", "title": "T", "creators": ["A B"], "tags": ["Film"],
                            "fields": {"kicker": "K"}})


@pytest.mark.parametrize(("text", "key", "op", "value"), [
    ("date=2021", "date", "=", "2021"),
    ("summary=", "summary", "=", ""),
    ("tags+=x", "tags", "+=", "x"),
    ("tags-=x", "tags", "-=", "x"),
    ("title=a=b", "title", "=", "a=b"),
    ("fields.note=n", "fields.note", "=", "n"),
    ("creators+=Clara Weiss", "creators", "+=", "Clara Weiss"),
])
def test_parse_assignment(text: str, key: str, op: str, value: str) -> None:
    item = parse_assignment(text)
    assert (item.key, item.op, item.value) == (key, op, value)


@pytest.mark.parametrize("text", ["novalue", "=x", "+=x", "-x=1"])
def test_malformed_assignments(text: str) -> None:
    with pytest.raises(InvalidRecord):
        parse_assignment(text)


def test_apply_assignments() -> None:
    record = apply_assignments(BASE, ["creators-=A B", "creators+=C", "tags+=film",
                                      "tags+=new", "kicker=", "kind=book", "creators+=D"])
    assert record.creators == ("C", "D")
    assert record.tags == ("Film", "new")
    assert record.fields == {}
    assert record.kind == "book"


def test_setting_a_list_field_replaces_it_and_empty_clears_it() -> None:
    assert apply_assignments(BASE, ["creators=Solo"]).creators == ("Solo",)
    assert apply_assignments(BASE, ["creators="]).creators == ()


def test_kind_removed_falls_back_to_other() -> None:
    assert apply_assignments(apply_assignments(BASE, ["kind=book"]), ["kind="]).kind == "other"


def test_field_assignments_refuse_schema_and_reserved_keys() -> None:
    assert field_assignments(["a=1", "fields.b=2", "c="]) == {"a": "1", "b": "2"}
    with pytest.raises(InvalidRecord, match="--title"):
        field_assignments(["title=x"])
    with pytest.raises(InvalidRecord, match="maintained"):
        field_assignments(["fixity=x"])


def test_edit_text_round_trips_unchanged() -> None:
    text = edit_text(BASE)
    assert text.startswith("# Edit the record")
    assert parse_edit(text, BASE) is None


def test_parse_edit_detects_changes_and_refuses_bad_input() -> None:
    changed = parse_edit("title: New\nkicker: K\n", BASE)
    assert changed is not None and changed.title == "New" and changed.creators == ()
    with pytest.raises(InvalidRecord, match="id cannot be changed"):
        parse_edit("id: other\ntitle: T\n", BASE)
    with pytest.raises(YamlError, match="one mapping"):
        parse_edit("- a\n- b\n", BASE)
    with pytest.raises(InvalidRecord, match="archivist link"):
        parse_edit("title: T\nlinks: []\n", BASE)


def test_tag_helpers() -> None:
    assert with_tags(BASE, ["FILM", "x"]).tags == ("Film", "x")
    assert without_tags(BASE, ["film"]).tags == ()
    with pytest.raises(InvalidRecord, match="has no tag"):
        without_tags(BASE, ["absent"])


@pytest.mark.parametrize(("text", "expected"), [("5:9", (5, 9)), ("7", (7, 7)),
                                                (None, None)])
def test_parse_span(text: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_span(text) == expected


@pytest.mark.parametrize("text", ["9:5", "0:3", "a:b", "1-3", ""])
def test_bad_spans(text: str) -> None:
    with pytest.raises(InvalidRecord, match="span"):
        parse_span(text)
