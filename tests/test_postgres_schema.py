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
