"""Choosing, ordering and reading out records: columns, sorting, selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist import listing
from archivist.errors import InvalidRecord, QuerySyntaxError
from archivist.listing import (
    check_columns,
    column_value,
    select,
    sort_documents,
    sort_text,
    to_interchange,
)
from archivist.models import DATES_KEY, record_from_mapping
from archivist.store import Archive, IndexUnusable, memory_archive, open_archive


def doc(**values) -> dict:
    """A stored document (with its cached date bounds), validated like any record."""
    return record_from_mapping(values).to_document()


DOCS = [
    doc(id="a", title="Beta", date="2021-02-09", creators=["Clara Weiss"], tags=["film"]),
    doc(id="b", title="alpha", date="2021", creators=["Andrea Peters"]),
    doc(id="c", title="Gamma", creators=["Clara Weiss"], tags=["Navalny", "film"]),
    doc(id="d", title="Delta", date="1920/1925", source={"path": "sources/d.txt", "size": 9}),
    doc(id="e", title="Żółw", date="1923~", kicker="Film review"),
    doc(id="f", title="Zebra", date="2021-02-09", creators=["Bill Van Auken"]),
]


def ids(docs: list[dict]) -> list[str]:
    return [d["id"] for d in docs]


@pytest.mark.parametrize(("spec", "expected"), [
    (None, ["a", "b", "c", "d", "e", "f"]),
    ("", ["a", "b", "c", "d", "e", "f"]),
    ("title", ["b", "a", "d", "c", "f", "e"]),
    ("-title", ["e", "f", "c", "d", "a", "b"]),
    # dates by their earliest day; a year starts before any day in it, ties by the latest
    ("date", ["d", "e", "b", "a", "f", "c"]),
    # missing values last in both directions; ties keep the order added
    ("-date", ["a", "f", "b", "e", "d", "c"]),
    ("-date,title", ["a", "f", "b", "e", "d", "c"]),
    ("-date,-title", ["f", "a", "b", "e", "d", "c"]),
    ("creators,title", ["b", "f", "a", "c", "d", "e"]),
    ("-creators,title", ["a", "c", "f", "b", "d", "e"]),
    ("tags", ["a", "c", "b", "d", "e", "f"]),
    ("kicker", ["e", "a", "b", "c", "d", "f"]),
    ("-fields.kicker", ["e", "a", "b", "c", "d", "f"]),
    ("source.size", ["d", "a", "b", "c", "e", "f"]),
    (" -date , title ", ["a", "f", "b", "e", "d", "c"]),
])
def test_sort(spec, expected):
    assert ids(sort_documents(list(DOCS), spec)) == expected


@pytest.mark.parametrize("spec", [",", "date,", "-", "date,,title", "-,title"])
def test_bad_sort_specs(spec):
    with pytest.raises(InvalidRecord, match="bad sort key"):
        sort_documents(list(DOCS), spec)


def test_sort_ignores_accents_and_case_first():
    docs = [doc(id=str(i), title=t) for i, t in enumerate(["zoo", "Żółw", "Zebra", "zebra",
                                                           "Äpfel", "apple", "ёж", "Ель"])]
    titles = [d["title"] for d in sort_documents(docs, "title")]
    assert titles == ["Äpfel", "apple", "Zebra", "zebra", "zoo", "Żółw", "ёж", "Ель"]
    assert sort_text("Żółw") == ("zołw", "żółw")


def test_sort_works_on_interchange_forms_too():
    archive = memory_archive()
    for d in DOCS:
        archive.add(record_from_mapping(d))
    forms = to_interchange(archive, archive.documents())
    assert ids(sort_documents(forms, "-date")) == ["a", "f", "b", "e", "d", "c"]


@given(st.lists(st.sampled_from([None, "1920", "1920-05", "1920-05-01", "1920~",
                                 "1919/1921", "../1920", "1920/..", "2021-02-09"]),
                max_size=8),
       st.booleans())
def test_missing_dates_always_last_and_order_is_by_earliest_day(dates, descending):
    docs = [doc(id=f"r{i}", title="t", date=d) for i, d in enumerate(dates)]
    out = sort_documents(docs, "-date" if descending else "date")
    present = [d for d in out if "date" in d]
    assert out[len(present):] == [d for d in docs if "date" not in d]
    earliest = [d["_dates"][0] for d in present]
    assert earliest == sorted(earliest, reverse=descending)


# -- columns -----------------------------------------------------------------------


@pytest.mark.parametrize(("column", "value"), [
    ("tags", ["Navalny", "film"]),
    ("creators", ["Clara Weiss"]),
    ("title", "Gamma"),
    ("date", None),
    ("summary", None),
    ("nothing", None),
    ("fields.nothing.deeper", None),
])
def test_column_values(column, value):
    assert column_value(DOCS[2], column) == value


def test_columns_reach_into_sections():
    record = doc(id="x", title="T", source={"path": "sources/x.txt", "size": 3},
                 kicker="Film", nested={"a": {"b": "deep"}})
    assert column_value(record, "source.path") == "sources/x.txt"
    assert column_value(record, "source.size") == 3
    assert column_value(record, "fields.kicker") == "Film"
    assert column_value(record, "kicker") == "Film"
    assert column_value(record, "fields.nested.a.b") == "deep"
    assert column_value(record, "source.nothing") is None


def test_maintained_names_read_the_archive_section():
    archive = memory_archive()
    archive.add(record_from_mapping({"id": "x", "title": "T"}))
    record = archive.document("x")
    assert column_value(record, "added") == record["archive"]["added"]
    assert column_value(record, "changed") == record["archive"]["changed"]
    assert column_value(record, "added_by") == archive.user
    assert column_value(record, "archive.added") == record["archive"]["added"]
    assert column_value(record, "fixity") is None


def test_check_columns():
    assert check_columns(["id", " title ", "fields.x"]) == ["id", "title", "fields.x"]
    with pytest.raises(InvalidRecord, match="empty column"):
        check_columns(["id", " "])


# -- select ------------------------------------------------------------------------


@pytest.fixture
def archive() -> Archive:
    archive = memory_archive()
    for d in DOCS:
        archive.add(record_from_mapping(d))
    return archive


def test_select_all_sorted_and_limited(archive):
    assert ids(select(archive)) == ["a", "b", "c", "d", "e", "f"]
    assert ids(select(archive, sort="-date", limit=3)) == ["a", "f", "b"]
    assert ids(select(archive, limit=0)) == []
    assert ids(select(archive, ["", "  "])) == ["a", "b", "c", "d", "e", "f"]


def test_select_with_a_query(archive):
    assert ids(select(archive, ["tag:film"], sort="title")) == ["a", "c"]
    assert ids(select(archive, ["creator:weiss", "-tag:navalny"])) == ["a"]


def test_select_refuses_bad_input(archive):
    with pytest.raises(InvalidRecord, match="negative"):
        select(archive, limit=-1)
    with pytest.raises(QuerySyntaxError):
        select(archive, ["(tag:film"])


def test_to_interchange_adds_links(archive):
    archive.store_link("c", "references", "a")
    [form] = to_interchange(archive, [archive.document("c")])
    assert form["id"] == "c"
    assert form["links"] == [{"rel": "references", "target": "a"}]
    assert set(form) >= {"fields", "source", "archive", "subtitle"}


def test_the_keys_a_sort_reads() -> None:
    assert listing.sort_keys("-date,title") == {"date", DATES_KEY, "title"}
    assert listing.sort_keys(" kind , -id ") == {"kind", "id"}
    assert listing.sort_keys("url,-tags") == {"url", "tags"}
    for spec in ("added", "-changed", "fields.kicker", "kicker", "title,shelf", ",", "-",
                 "date,,title"):
        assert listing.sort_keys(spec) is None, spec


def test_select_refuses_unknown_names_with_the_closest(archive):
    from archivist.errors import UnknownField

    with pytest.raises(UnknownField, match=r"'tittle' in the query; did you mean 'title'"):
        select(archive, ["tittle:beta"])
    with pytest.raises(UnknownField, match=r"'kiker' in the query; did you mean 'kicker'"):
        select(archive, ["-kiker:film"])
    with pytest.raises(UnknownField, match=r"'titel' in the sort keys; did you mean 'title'"):
        select(archive, sort="-date,titel")
    assert ids(select(archive, ["kicker:review"], sort="-kicker")) == ["e"]


def test_a_users_error_on_the_index_path_is_raised_not_retried(tmp_path, monkeypatch):
    # IndexUnusable means damaged summaries: the archive is read instead; a user's
    # error must reach the user.
    db = tmp_path / "a.json"
    with open_archive(db, write=True) as opened:
        for d in DOCS:
            opened.add(record_from_mapping(d))
    with open_archive(db) as opened:
        list(opened.documents())  # the index file is written when the archive is left
    with open_archive(db) as opened:
        assert opened.summaries() is not None
        assert len(listing.select_summaries(opened, ["tag:film"])) == 2
        with pytest.raises(InvalidRecord, match="negative"):
            listing.select_summaries(opened, limit=-1)

        def damaged(*args):
            raise IndexUnusable("damaged column")

        monkeypatch.setattr(opened.summaries(), "column", damaged)
        assert listing.select_summaries(opened, ["tag:film"]) is None
        assert listing.select_summaries(opened) is None
        assert ids(listing.select(opened, ["tag:film"])) == ["a", "c"]


def _forged(index: Path, version: int) -> None:
    """Rewrite an index file as format 9 held it: a ``_cells`` column of drawn rows
    after the others (here drawn wrong, so that reading them would show)."""
    header, *columns = index.read_bytes().split(b"\n")[:-1]
    head = json.loads(header)
    count = len(json.loads(columns[0]))
    cells = json.dumps(["forged\tcell\t\t\tWRONG"] * count).encode()
    head.update(index=version, columns=[*head["columns"], "_cells"],
                lengths=[*head["lengths"], len(cells)])
    index.write_bytes(b"\n".join([json.dumps(head).encode(), *columns, cells, b""]))


@pytest.mark.parametrize("version", [9, 10])
def test_an_index_of_the_old_format_is_ignored_and_rebuilt(tmp_path: Path,
                                                           version: int) -> None:
    db = tmp_path / "a.json"
    with open_archive(db, write=True) as opened:
        for d in DOCS:
            opened.add(record_from_mapping(d))
    with open_archive(db) as opened:
        list(opened.documents())  # the index file is written when the archive is left
    index = db.with_name(db.name + ".index")
    with open_archive(db) as opened:
        expected = listing.select_summaries(opened, sort="title")
    assert expected is not None and expected[0] == ["b", "other", "2021", "Andrea Peters", "alpha"]
    _forged(index, version)
    with open_archive(db) as opened:
        assert opened.summaries() is None  # never misread
        assert listing.select_summaries(opened, sort="title") is None
        assert [doc["id"] for doc in listing.select(opened, sort="title")] == [
            row[0] for row in expected]
    assert json.loads(index.read_bytes().split(b"\n")[0])["index"] == 10  # rebuilt
    assert b"_cells" not in index.read_bytes()
    with open_archive(db) as opened:
        assert listing.select_summaries(opened, sort="title") == expected
