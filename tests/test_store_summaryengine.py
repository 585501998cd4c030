"""Queries answered from an engine's summaries: which nodes, and the rows they select."""

from __future__ import annotations

from typing import Any

import pytest

from archivist.folding import SEARCH_KEY
from archivist.models import DATES_KEY
from archivist.query import parse
from archivist.store.summaryengine import SummaryEngine

KEYS = ("id", "kind", "title", "subtitle", "creators", "date", "publisher", "language",
        "tags", DATES_KEY)


class Columns:
    """Summaries held as plain columns (the :class:`archivist.store.Summaries` shape)."""

    keys = KEYS

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.read: list[str] = []

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        self.read.append(name)
        return [row.get(name) for row in self.rows]

    def documents(self, keys: Any) -> list[dict[str, Any]]:
        raise AssertionError("the engine reads columns")


ROWS = [
    {"id": "a", "kind": "film", "title": "Dear Comrades", "tags": ["Film"],
     SEARCH_KEY: "dear comrades", "date": "2021", DATES_KEY: ["2021-01-01", "2021-12-31"]},
    {"id": "b", "kind": "book", "title": "Żółw", "tags": None, SEARCH_KEY: "zolw"},
    {"id": "c", "kind": "article", "title": "Strike", "tags": ["film", "łódź"],
     SEARCH_KEY: "strike"},
]


def engine(links: list[dict[str, str]] | None = None) -> SummaryEngine:
    return SummaryEngine(Columns(ROWS), lambda: links or [])


def test_the_columns_a_query_reads() -> None:
    answers = engine()
    assert answers.columns(parse("tag:film")) == {"tags"}
    assert answers.columns(parse("dear comrades")) == {SEARCH_KEY}
    assert answers.columns(parse("rel:references OR linked:x")) == {"id"}
    assert answers.columns(parse("date:2021 -kind:book")) == {"date", DATES_KEY, "kind"}
    for query in ("fixity:ok", "added:2026", "changed:..2020", "fields.kicker:x",
                  "kicker:x", "source.path:x", "has:source", "tag:film fixity:never",
                  "-(film OR archive.added_by:x)", "summary:x", "url:x"):
        assert answers.columns(parse(query)) is None, query
        assert not answers.answers(parse(query)), query


def test_select_reads_only_the_columns_the_query_needs() -> None:
    answers = engine()
    summaries = answers._summaries
    assert isinstance(summaries, Columns)
    rows = answers.select(parse("tag:film -kind:book"), {"id", "title"})
    assert summaries.read == ["kind", "tags"]
    assert list(rows.column("id")) == ["a", "c"] and len(rows) == 2
    assert list(answers.select(None, {"id"}).column("id")) == ["a", "b", "c"]
    assert list(answers.select(parse("zolw OR strike"), {"id"}).column("id")) == ["b", "c"]
    assert list(answers.select(parse("NOT (tag:x OR NOT tag:x)"), {"id"}).column("id")) == []


def test_links_come_from_the_archive() -> None:
    answers = engine([{"src": "a", "rel": "references", "dst": "c"}])
    assert list(answers.select(parse("linked:c"), {"id"}).column("id")) == ["a"]
    assert list(answers.select(parse("has:links"), {"id"}).column("id")) == ["a", "c"]


def test_a_node_it_cannot_answer_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot answer"):
        engine().select(parse("kicker:x"), {"id"})
