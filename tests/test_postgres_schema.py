"""The tables of an archive in PostgreSQL: versioned, newer refused, link rules held."""

from __future__ import annotations

import psycopg
import pytest

from archivist.errors import ArchiveCorrupt, ArchivistError
from archivist.models import Record
from archivist.store import open_archive
from archivist.store.postgres.schema import SCHEMA_VERSION


def make(url: str) -> None:
    with open_archive(url, write=True) as archive:
        archive.add_many([(Record(id="A", title="A"), None), (Record(id="b", title="B"), None)])


def test_the_tables_carry_their_version(pg_url: str) -> None:
    make(pg_url)
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT value FROM archivist_meta WHERE key = 'schema'").fetchone()
    assert row is not None and row[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused_and_left_untouched(pg_url: str) -> None:
    make(pg_url)
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE archivist_meta SET value = '99' WHERE key = 'schema'")
    for write in (False, True):
        with pytest.raises(ArchiveCorrupt, match=r"newer archivist \(schema 99\)"), \
                open_archive(pg_url, write=write):
            pass
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM archivist_records").fetchone() == (2,)


def test_ids_are_unique_case_insensitively_by_constraint(pg_url: str) -> None:
    make(pg_url)
    with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO archivist_records VALUES ('a', 9, 9, '{\"id\": \"a\"}')")


@pytest.mark.parametrize(("src", "dst"), [("A", "a"), ("a", "missing")])
def test_the_database_refuses_a_self_link_or_a_missing_end(pg_url: str, src: str,
                                                           dst: str) -> None:
    make(pg_url)
    with pytest.raises(ArchivistError, match="refused the change"), \
            open_archive(pg_url, write=True) as archive:
        archive.store_link(src, "related", dst)
    with open_archive(pg_url) as archive:
        assert list(archive.link_documents()) == [] and len(archive.history()) == 2


def test_a_link_is_stored_once(pg_url: str) -> None:
    make(pg_url)
    with pytest.raises(ArchivistError, match="refused the change"), \
            open_archive(pg_url, write=True) as archive:
        archive.store_link("A", "related", "b")
        archive.store_link("a", "related", "B")


def _schema_1(url: str, docs: list[dict[str, object]]) -> None:
    """Tables as an archivist of schema 1 made them, holding ``docs``."""
    import orjson

    from archivist.store.postgres.schema import CREATE_V1

    with psycopg.connect(url) as conn:
        for statement in CREATE_V1:
            conn.execute(statement)  # type: ignore[arg-type]
        conn.execute("INSERT INTO archivist_meta (key, value) VALUES ('schema', '1'), "
                     "('sources', '\"/tmp\"')")
        for n, doc in enumerate(docs, 1):
            conn.execute("INSERT INTO archivist_records VALUES (%s, %s, %s, %s)",
                         (str(doc["id"]).lower(), n, n, orjson.dumps(doc).decode()))


def _version(url: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT value FROM archivist_meta WHERE key = 'schema'").fetchone()
    return None if row is None else row[0]


def test_schema_1_is_read_as_it_is_and_migrated_on_the_first_write(pg_url: str) -> None:
    from archivist.query import parse
    from archivist.query.plan import matching
    from archivist.store import query_engine

    docs = [Record(id="Film-1", title="Żółw", tags=("Film",), date="1962~").to_document(),
            Record(id="book-2", title="Zolw book", date="1920/1925").to_document()]
    _schema_1(pg_url, docs)
    queries = {"zolw": ["Film-1", "book-2"], "tag:film": ["Film-1"],
               "date:1962 OR date:1924": ["Film-1", "book-2"], "-tag:film": ["book-2"]}
    with open_archive(pg_url) as archive:
        assert query_engine(archive) is None  # no query columns yet: documents matched
        for text, expected in queries.items():
            assert [d["id"] for d in matching(archive, parse(text))] == expected, text
    assert _version(pg_url) == 1  # a reader changes nothing
    with open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="c", title="C"))
    queries["-tag:film"].append("c")
    assert _version(pg_url) == SCHEMA_VERSION == 3  # query columns, then source texts
    with open_archive(pg_url) as archive:
        engine = query_engine(archive)
        assert engine is not None and engine.answers(parse("zolw tag:film date:1962"))
        for text, expected in queries.items():
            assert [d["id"] for d in matching(archive, parse(text))] == expected, text


def test_a_failed_first_write_leaves_schema_1_as_it_was(pg_url: str) -> None:
    from archivist.errors import DuplicateRecord
    from tests.conftest import fingerprint

    _schema_1(pg_url, [Record(id="a", title="A").to_document()])
    before = fingerprint(pg_url)
    with pytest.raises(DuplicateRecord), open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="A", title="again"))
    assert _version(pg_url) == 1  # the migration went with the failed command
    assert fingerprint(pg_url) == before
    with psycopg.connect(pg_url) as conn:
        columns = {row[0] for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'archivist_records' AND table_schema = current_schema()")}
    assert columns == {"key", "pos", "doc_id", "doc"}
