"""Known field names: the schema's at once, the records' own only when asked about."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.errors import UnknownField
from archivist.fieldcheck import (
    SCHEMA_KEYS,
    KnownNames,
    check_column_names,
    check_query_fields,
    check_sort_names,
    column_path,
)
from archivist.models import RESERVED_KEYS, record_from_mapping
from archivist.query import ALIASES, QUERY_NAMES
from archivist.store import Archive, memory_archive


class Unread:
    """An archive whose records must not be read."""

    def documents(self) -> Any:
        raise AssertionError("the records were read")


@pytest.fixture
def archive() -> Archive:
    archive = memory_archive()
    archive.add(record_from_mapping({"id": "a", "title": "A", "kicker": "x",
                                     "Mood": "grim"}))
    archive.add(record_from_mapping({"id": "b", "title": "B",
                                     "source": {"path": "b.txt"}}))
    archive.set_archive_info("b", distinct=["a"], checked_by="ana")
    return archive


@pytest.mark.parametrize("query", [
    "dear comrades", "tag:film", "-tag:film", "kind:Article date:1920..1930",
    "Title:x creator:weiss lang:en id:a-*", "fixity:ok added:2024 changed:..2024",
    "has:url missing:date has:links has:source has:fields", "rel:references linked:a",
    "source.path:x source.sha256:y", "added_by:ana archive.added_how:import",
    "(tag:a OR tag:b) -kind:review",
])
def test_schema_names_never_read_the_records(query: str) -> None:
    check_query_fields(Unread(), query)


@pytest.mark.parametrize("columns", [
    "id,kind,date,creators,title", "tags,links,source,fields,archive",
    "added,added_by,added_how,changed,fixity", "source.path,archive.fixity.result"])
def test_schema_columns_never_read_the_records(columns: str) -> None:
    check_column_names(Unread(), columns)
    check_sort_names(Unread(), ",".join(f"-{c}" for c in columns.split(",")))


def test_names_the_records_hold_are_known(archive: Archive) -> None:
    check_query_fields(archive, "kicker:x KICKER:x fields.kicker:x fields.mood:grim "
                                "has:Mood archive.checked_by:ana")
    check_column_names(archive, ["kicker", "fields.kicker", "Mood", "archive.checked_by"])
    check_sort_names(archive, "-kicker,Mood")


@pytest.mark.parametrize(("query", "message"), [
    ("tittle:x", "unknown field 'tittle' in the query; did you mean 'title'?"),
    ("kiker:x", "unknown field 'kiker' in the query; did you mean 'kicker'?"),
    ("missing:mod", "unknown field 'mod' in the query; did you mean 'Mood'?"),
    ("a OR -(b fields.kickr:x)",
     "unknown field 'fields.kickr' in the query; did you mean 'fields.kicker'?"),
    ("archive.checkd_by:x",
     "unknown field 'archive.checkd_by' in the query; did you mean 'archive.checked_by'?"),
    ("source.paths:x", "unknown field 'source.paths' in the query; did you mean "
                       "'source.path'?"),
    ("title.main:x", "unknown field 'title.main' in the query; did you mean 'title'?"),
    ("qqq:x", "unknown field 'qqq' in the query: the schema has no such field and no "
              "record holds it"),
])
def test_an_unknown_query_field_names_the_closest(archive: Archive, query: str,
                                                  message: str) -> None:
    with pytest.raises(UnknownField) as caught:
        check_query_fields(archive, query)
    assert str(caught.value) == message


def test_columns_and_sort_keys_are_exact_as_they_are_read(archive: Archive) -> None:
    with pytest.raises(UnknownField, match=r"^unknown column 'KICKER' in the columns; "
                                           r"did you mean 'kicker'\?$"):
        check_column_names(archive, "id, KICKER")
    with pytest.raises(UnknownField, match=r"^unknown sort key 'Title' in the sort keys; "
                                           r"did you mean 'title'\?$"):
        check_sort_names(archive, "-date,-Title")
    check_column_names(archive, "id,,title")  # an empty name is check_columns' to refuse


def test_column_paths() -> None:
    assert column_path("title") == "title"
    assert column_path("added") == "archive.added"
    assert column_path("fixity") == "archive.fixity.result"
    assert column_path("source.path") == "source.path"
    assert column_path("kicker") == "fields.kicker"
    assert column_path("kicker.sub") == "fields.kicker.sub"


def test_the_records_are_read_only_until_one_holds_the_name(
        monkeypatch: pytest.MonkeyPatch) -> None:
    archive = memory_archive()
    for n in range(50):
        extra = {"kicker": "x"} if n == 0 else {"Mood": "grim"} if n == 2 else {}
        archive.add(record_from_mapping({"id": f"r{n}", "title": "T", **extra}))
    read: list[str] = []
    documents = archive.documents

    def counted() -> Any:
        for doc in documents():
            read.append(doc["id"])
            yield doc

    monkeypatch.setattr(archive, "documents", counted)
    known = KnownNames(archive)

    def reading(path: str, any_case: bool) -> tuple[bool, int]:
        read.clear()
        return known.knows(path, any_case=any_case), len(read)

    assert reading("fields.kicker", False) == (True, 1)
    assert reading("fields.mood", True) == (True, 3)
    assert reading("fields.mood", False) == (False, 50)
    assert reading("fields.nothing", True) == (False, 50)
    assert reading("source.path", True) == (True, 0)


NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda n: n not in SCHEMA_KEYS | RESERVED_KEYS | set(ALIASES) | set(QUERY_NAMES)
    | {"date", "added", "changed", "fixity", "distinct"})


@given(NAMES, st.sampled_from([str.lower, str.upper, str.title]))
def test_any_name_a_record_holds_is_known_to_queries_in_any_case_and_columns_exactly(
        name: str, case: Any) -> None:
    archive = memory_archive()
    archive.add(record_from_mapping({"id": "a", "title": "A", name: "v"}))
    check_query_fields(archive, f"{case(name)}:v has:{case(name)} fields.{name}:v")
    check_column_names(archive, [name, f"fields.{name}"])
    with pytest.raises(UnknownField):
        check_query_fields(archive, f"{name}x:v")
