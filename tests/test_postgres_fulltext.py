"""The texts of an archive in PostgreSQL: a table written in the command's transaction,
sieved with LIKE (under a trigram index), added to an older archive by a migration."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivist.models import Record
from archivist.store import open_archive, source_texts
from archivist.store.postgres.fulltext import PgTexts
from archivist.store.sourcetexts import SourceText


def text(sha: str, body: str | None) -> SourceText:
    return SourceText(sha * 64, "text" if body else "skipped", body, "")


def test_texts_are_kept_and_sieved(pg_url: str) -> None:
    with open_archive(pg_url, write=True) as archive:
        texts = source_texts(archive)
        assert isinstance(texts, PgTexts) and texts.present
        texts.put([text("a", "Ter-Azaryan 100%"), text("b", "Miftakhov"), text("c", None)])
    with open_archive(pg_url) as archive:
        texts = source_texts(archive)
        assert texts.kinds() == {"a" * 64: "text", "b" * 64: "text", "c" * 64: "skipped"}
        every = {c * 64 for c in "abc"}
        assert [t.sha256[0] for t in texts.candidates(every, ["azar"])] == ["a"]
        assert [t.folded for t in texts.candidates(every, ["100"])] == ["ter-azaryan 100%"]
        assert sorted(t.sha256[0] for t in texts.candidates(every, [])) == ["a", "b"]
        assert list(texts.candidates({"b" * 64}, ["azar"])) == []


def test_a_failed_command_keeps_no_text(pg_url: str) -> None:
    with pytest.raises(RuntimeError), open_archive(pg_url, write=True) as archive:
        source_texts(archive).put([text("a", "word")])
        raise RuntimeError("the command failed")
    with open_archive(pg_url) as archive:
        assert source_texts(archive).kinds() == {}


def test_a_reader_commits_the_texts_it_read(pg_url: str, tmp_path: Path) -> None:
    from archivist.provenance import describe_source
    from archivist.query import parse
    from archivist.query.plan import matching
    from archivist.store.sourcetexts import take_offered

    source = tmp_path / "a.txt"
    source.write_text("Konchalovsky\n", encoding="utf-8")
    with open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="a", title="A", source=describe_source(str(source),
                                                                     archive.path)))
        take_offered()
    with open_archive(pg_url) as archive:
        assert source_texts(archive).kinds() == {}
        assert [doc["id"] for doc in matching(archive, parse("text:konchalovsky"))] == ["a"]
    with open_archive(pg_url) as archive:
        assert list(source_texts(archive).kinds().values()) == ["text"]


def test_the_texts_table_comes_with_schema_3(pg_url: str) -> None:
    import psycopg

    from archivist.store.postgres import schema

    assert schema.SCHEMA_VERSION == 3 and "archivist_texts" in schema.TABLES
    with open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="x", title="X"))
    with psycopg.connect(pg_url) as conn:
        conn.execute("DROP TABLE archivist_texts")
        conn.execute("UPDATE archivist_meta SET value = '2' WHERE key = 'schema'")
    with open_archive(pg_url) as archive:  # a reader of schema 2 keeps texts in memory
        texts = source_texts(archive)
        assert isinstance(texts, PgTexts) and not texts.present and texts.kinds() == {}
    with open_archive(pg_url, write=True) as archive:  # the next writer migrates
        texts = source_texts(archive)
        assert isinstance(texts, PgTexts) and texts.present
