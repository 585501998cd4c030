"""Every query form answers the same on PostgreSQL as on the JSON file (the sample
archive of tests/test_cli_query.py, copied into a database)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archivist.cli import cli
from archivist.store.copying import copy_archive
from tests import pgserver
from tests.test_cli_query import FORMS, sample  # noqa: F401  (the sample fixture)


@pytest.fixture(scope="module")
def copied(sample: Path, pg_server: Any) -> Iterator[str]:  # noqa: F811
    if pg_server is None:
        pgserver.missing(pgserver.START_FAILURE)
    for url in pgserver.fresh_schema(pg_server, "query_sample"):
        copy_archive(sample, url)
        yield url


def listed(db: str, *query: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", db, "list", "--format", "jsonl", *query])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("form", FORMS)
def test_every_query_form_answers_alike(sample: Path, copied: str,  # noqa: F811
                                        form: str) -> None:
    on_file = listed(str(sample), *shlex.split(form))
    assert on_file[0] == 0
    assert listed(copied, *shlex.split(form)) == on_file


@pytest.mark.parametrize("options", [["--sort", "-date", "--limit", "20"],
                                     ["--sort", "title,id"], ["--limit", "0"]])
def test_sort_and_limit_alike(sample: Path, copied: str,  # noqa: F811
                              options: list[str]) -> None:
    assert listed(copied, *options) == listed(str(sample), *options)


# -- the query table of tests/test_query_parser.py, on every engine ----------------------

from archivist.query import parse  # noqa: E402
from archivist.query.plan import matching, select  # noqa: E402
from archivist.store import Archive, memory_archive, open_archive, query_engine  # noqa: E402
from archivist.store.postgres.queries import PgQueries, sorting, where  # noqa: E402
from tests.test_query_parser import DOCS, LINKS, ROWS  # noqa: E402

#: Queries whose every node the database answers in SQL (the issue's list).
IN_SQL = ["novocherkassk", '"dear comrades!"', "zolkiewski", "елкин петр", "tag:film",
          "tag:hist*", "kind:book", "id:*weiss*", "lang:ru", "language:en*",
          "creator:trotsky", "creator:=leon*", "publisher:osrodek", "title:=clara*",
          "date:1924", "date:..1920", "date:2019..", "-date:..9999", "added:2023",
          "changed:2024-06..", "has:summary", "missing:tags", "has:links",
          "rel:part-of:wsws-history-of-russia", "rel:referenced-by", "linked:film-1962",
          "kind:book OR (kind:film -date:1962)", "NOT (tag:film OR tag:history) has:tags"]


def _tables() -> dict[str, Any]:
    return {"meta": {"1": {}}, "records": {str(n): doc for n, doc in enumerate(DOCS, 1)},
            "links": {str(n): link for n, link in enumerate(LINKS, 1)}, "history": {}}


@pytest.fixture(scope="module", params=["memory", "json", "postgres"])
def table_archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[Archive]:
    """The query table's records and links, on each engine, committed and read again
    (so that the JSON file's index and the database's SQL answer)."""
    if request.param == "memory":
        yield memory_archive(_tables())
        return
    if request.param == "json":
        location: str = str(tmp_path_factory.mktemp("table") / "archive.json")
        schema = None
    else:
        server = request.getfixturevalue("pg_server")
        if server is None:
            pgserver.missing(pgserver.START_FAILURE)
        schema = pgserver.fresh_schema(server, "query_table")
        location = next(schema)
    with open_archive(location, write=True) as archive:
        archive.fill(_tables())
    with open_archive(location) as archive:
        if request.param == "json":
            archive.save_index()  # type: ignore[attr-defined]
    with open_archive(location) as archive:
        yield archive
    if schema is not None:
        next(schema, None)


@pytest.mark.parametrize(("text", "expected"), ROWS, ids=[row[0] or "<empty>" for row in ROWS])
def test_the_query_table_on_every_engine(table_archive: Archive, text: str,
                                         expected: set[str]) -> None:
    tree = parse(text)
    found = [doc["id"] for doc in matching(table_archive, tree)]
    assert set(found) == expected
    assert found == [doc["id"] for doc in DOCS if doc["id"] in expected]  # order added
    selection = select(table_archive, tree, {"id", "title"})
    if selection is not None:
        assert list(selection.column("id")) == found


def test_the_database_answers_the_issues_queries_in_sql(table_archive: Archive) -> None:
    engine = query_engine(table_archive)
    if not isinstance(engine, PgQueries):
        pytest.skip("a database's engine")
    for text in IN_SQL:
        assert engine.answers(parse(text)), text
    for text in ("kicker:wojna", "source.path:sources/", "fixity:ok", "has:fields.kicker",
                 "summary:=x", "added_by:ola"):
        assert not engine.answers(parse(text)), text


def test_what_sql_cannot_answer_is_matched_on_the_documents_it_selected(
        table_archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    if not isinstance(query_engine(table_archive), PgQueries):
        pytest.skip("a database's engine")
    # Every document is never read: only those the SQL part selected.
    monkeypatch.setattr(type(table_archive), "documents", lambda self: pytest.fail("read all"))
    found = matching(table_archive, parse("kind:book kicker:wojna"))
    assert [doc["id"] for doc in found] == ["pl-klushino"]


def test_values_are_parameters_never_pasted_into_the_sql() -> None:
    sql, params = where(parse("tag:\"x'); DROP TABLE archivist_records; --\" o'brien"))
    assert "DROP" not in sql and "brien" not in sql
    assert any("drop table" in str(param) for param in params)


def test_sorting_by_dates_only() -> None:
    assert sorting("-date") == ("(earliest IS NULL), earliest DESC, latest DESC, pos")
    assert sorting(None) == "pos"
    for spec in ("title", "-date,title", "--date"):
        with pytest.raises(ValueError, match="cannot sort"):
            sorting(spec)


@pytest.mark.parametrize("options", [["--sort", "-date", "--limit", "3"],
                                     ["--sort", "date"], ["--limit", "2"],
                                     ["tag:film", "--sort", "-date", "--limit", "1"]])
def test_sort_and_limit_are_pushed_down_and_agree(sample: Path, copied: str,  # noqa: F811
                                                  options: list[str]) -> None:
    table = CliRunner().invoke(cli, ["--db", copied, "list", *options])
    assert table.exit_code == 0
    assert table.stdout == CliRunner().invoke(cli, ["--db", str(sample), "list",
                                                    *options]).stdout


def test_the_query_columns_follow_every_change(pg_url: str) -> None:
    from archivist.models import Record
    from archivist.query.match import compile_tree
    from archivist.undo import undo

    with open_archive(pg_url, write=True) as archive:
        archive.add_many([(Record(id="a", title="Łódź", tags=("old",), date="1950"), None),
                          (Record(id="b", title="Other", date="2001"), None)])
        archive.store_link("a", "related", "b")
    with open_archive(pg_url, write=True) as archive:
        archive.update(archive.get("a").with_changes(tags=("new",), date="1960/1970"))
        archive.set_archive_info("b", added="1999-01-01T00:00:00Z")
        archive.change_id("b", "B2")
    with open_archive(pg_url, write=True) as archive:
        archive.remove(["a"], force=True)
    with open_archive(pg_url, write=True) as archive:
        undo(archive)
    with open_archive(pg_url) as archive:
        docs = archive.documents()
        for text in ("lodz", "tag:new", "tag:old", "date:1965", "date:1950", "added:1999",
                     "id:b2", "linked:b2", "has:links", "-tag:new"):
            tree = parse(text)
            reference = [d["id"] for d in docs if compile_tree(tree, archive)(d)]
            assert query_engine(archive).answers(tree), text  # type: ignore[union-attr]
            assert [d["id"] for d in matching(archive, tree)] == reference, text
        assert [d["id"] for d in matching(archive, parse("tag:new date:1965"))] == ["a"]


@pytest.mark.parametrize("given", [["film"], ["FILM", "Łódź"], ["ŁÓDŹ"], ["new"],
                                   ["Lo\u0301dz"], ["lódz"]])
def test_tags_are_respelled_from_the_query_columns_as_from_every_record(
        pg_url: str, given: list[str]) -> None:
    from archivist.models import Record

    first = [("a", ("Film", "Łódź")), ("b", ("film", "lódz")), ("c", ("Lo\u0301dz",))]
    with open_archive(pg_url, write=True) as archive:
        for record_id, tags in first:
            archive.add(Record(id=record_id, title=record_id, tags=tags))
    with open_archive(pg_url) as archive:
        expected = memory_archive(archive.snapshot()).canonical_tags(given)
        assert archive.canonical_tags(given) == expected


@pytest.mark.parametrize("words", [["tag:film", "-kind:book", "date:1900..2030"],
                                   ["tag:film", "--format", "jsonl"],
                                   ["--sort", "-date", "--limit", "2"],
                                   ["dear", "tag:film", "--format", "csv"]])
def test_a_query_answered_in_sql_reads_no_other_record(
        copied: str, monkeypatch: pytest.MonkeyPatch, words: list[str]) -> None:
    from archivist.store.postgres.archive import PgArchive

    monkeypatch.setattr(PgArchive, "documents", lambda self: pytest.fail("read every record"))
    monkeypatch.setattr(PgArchive, "link_documents", lambda self: pytest.fail("read every link"))
    result = CliRunner().invoke(cli, ["--db", copied, "list", *words])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()


@pytest.mark.parametrize("text", ["rel:derived-from", "rel:derived-from:żółw",
                                  "rel:source-of:ŻÓŁW", "linked:żółw", "rel:part-of:żółw",
                                  "-rel:derived-from", "rel:has-part:B"])
def test_relations_and_ids_lowercase_as_the_matcher_does(pg_url: str, text: str) -> None:
    # Names stored in capitals (a hand-edited archive copied in: a Turkish locale's
    # lower() makes I a dotless i) and ids outside ASCII: the SQL answer is the
    # matcher's, whatever the server's locale.
    docs = [{"id": "żółw", "kind": "other", "title": "Ż"},
            {"id": "a", "kind": "other", "title": "A"},
            {"id": "b", "kind": "other", "title": "B"}]
    links = [{"src": "a", "rel": "DERIVED-FROM", "dst": "Żółw"},
             {"src": "b", "rel": "Part-Of", "dst": "żółw"}]
    tables = {"meta": {"1": {}}, "records": {str(n): d for n, d in enumerate(docs, 1)},
              "links": {str(n): k for n, k in enumerate(links, 1)}, "history": {}}
    with open_archive(pg_url, write=True) as archive:
        archive.fill(tables)
    tree = parse(text)
    with open_archive(pg_url) as archive:
        engine = query_engine(archive)
        assert isinstance(engine, PgQueries) and engine.answers(tree)
        in_sql = [doc["id"] for doc in matching(archive, tree)]
    reference = [doc["id"] for doc in matching(memory_archive(tables), tree)]
    assert in_sql == reference


def test_relation_names_lowercase_alike_in_a_turkish_locale(pg_url: str) -> None:
    import psycopg

    from archivist.store.postgres.queries import _LOWER_REL

    with psycopg.connect(pg_url) as conn:
        turkish = conn.execute("SELECT count(*) FROM pg_collation "
                               "WHERE collname = 'tr-TR-x-icu'").fetchone()
        if not turkish or not turkish[0]:
            pytest.skip("the server has no ICU collations")
        # lower() would give "derıved-from" here; str.lower() gives "derived-from".
        sql = _LOWER_REL.replace("l.rel", "(%s::text COLLATE \"tr-TR-x-icu\")")
        row = conn.execute(f"SELECT {sql}", ["DERIVED-FROM"]).fetchone()
        assert row == ("derived-from",)
