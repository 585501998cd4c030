"""Matching: the syntax tree compiled into predicates over stored documents.

The query table in ``test_query.py`` covers the language end to end; these tests build
trees by hand, so that each kind of node is checked without the parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from archivist.query.match import (
    And,
    Dates,
    Everything,
    Field,
    Has,
    Match,
    Node,
    Not,
    Or,
    Rel,
    Text,
    compile_tree,
    exact_key,
    fold,
    relation_vocabulary,
)


class FakeArchive:
    """Just enough of :class:`archivist.store.Archive` for link queries."""

    def __init__(self, links: Iterable[dict[str, str]]) -> None:
        self.links = list(links)

    def link_documents(self) -> Iterable[dict[str, str]]:
        return self.links


DOC: dict[str, Any] = {
    "id": "Weiss-2021", "kind": "article", "title": "Dear Comrades",
    "subtitle": "Novocherkassk", "creators": ["Clara Weiss"], "tags": ["Film", "USSR"],
    "summary": "  ", "fields": {"Kicker": "Żółkiewski and others", "year": 1962},
}


@pytest.mark.parametrize(("text", "folded"), [
    ("Żółkiewski", "zolkiewski"),
    ("Ёжик Йошкар", "ежик иошкар"),
    ("O’Brien — “quoted”", "o'brien - \"quoted\""),
    ("Straße", "strasse"),
    ("ﬁne", "fine"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("text", "key"), [
    ("Dear Comrades", "dear comrades"),
    ("Straße", "strasse"),
    ("Cafe\u0301", "café"),  # composed, so it equals the precomposed spelling
    ("Żółw", "żółw"),  # accents are kept: a whole value is compared as written
])
def test_exact_key(text: str, key: str) -> None:
    assert exact_key(text) == key


@pytest.mark.parametrize(("node", "expected"), [
    (Everything(), True),
    (Text("comrades novo"), False),  # a phrase never spans two fields
    (Text("CLARA"), True),
    (Field("fields.kicker", "zolkiewski"), True),  # a custom name in another case
    (Field("fields.year", "196"), True),  # numbers are searched as text
    (Field("fields.kicker.deeper", "x"), False),
    (Match("tags", "film"), True),
    (Match("tags", "fil"), False),
    (Match("id", "weiss-*"), True),
    (Has("title"), True),
    (Has("summary"), False),  # blank text is missing
    (Has("fields.absent"), False),
    (Not(Has("summary")), True),
    (And((Text("dear"), Text("weiss"), Match("tags", "ussr"))), True),
    (And((Text("dear"), Text("weiss"), Match("tags", "book"))), False),
    (Or((Match("tags", "book"), Text("nothing"), Text("novocherkassk"))), True),
])
def test_each_node(node: Node, expected: bool) -> None:
    assert compile_tree(node)(DOC) is expected


def test_documents_without_cached_dates() -> None:
    in_1923 = compile_tree(Dates("date", "1923-01-01", "1923-12-31"))
    in_1924 = compile_tree(Dates("date", "1924-01-01", "1924-12-31"))
    doc = {"id": "x", "kind": "other", "title": "t", "date": "1923~"}
    assert in_1923(doc) and not in_1924(doc)
    assert not in_1923({"id": "y", "title": "t", "date": "garbage"})


def test_archive_dates_compare_utc_days() -> None:
    added = compile_tree(Dates("added", "2024-05-01", "2024-05-31"))
    assert added({"archive": {"added": "2024-05-31T23:59:59Z"}})
    assert not added({"archive": {"added": "2024-06-01T00:00:00Z"}})
    assert not added({"archive": "not a mapping"})


def test_text_in_hand_made_documents_is_searched_without_failing() -> None:
    doc = {"id": "x", "title": "T", "creators": [1962, None, {"name": "Weiss"}]}
    assert compile_tree(Text("weiss"))(doc)
    assert compile_tree(Text("1962"))(doc)


def test_links_are_read_from_either_end() -> None:
    archive = FakeArchive([{"src": "part", "rel": "part-of", "dst": "Whole"},
                           {"src": "a", "rel": "related", "dst": "b"}])
    part, whole = {"id": "part"}, {"id": "whole"}
    assert compile_tree(Rel("part-of", "whole"), archive)(part)
    assert compile_tree(Rel("has-part", "part"), archive)(whole)
    assert not compile_tree(Rel("part-of", "part"), archive)(whole)
    assert compile_tree(Rel("related", "a"), archive)({"id": "B"})  # symmetric
    assert compile_tree(Rel(None, "part"), archive)(whole)
    assert not compile_tree(Rel(), None)(part)  # without an archive, no links


def test_the_relation_vocabulary_is_the_links_modules() -> None:
    from archivist import links

    canonical, symmetric = relation_vocabulary()
    assert canonical is links.canonical
    assert symmetric == links.SYMMETRIC


def test_an_unknown_node_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="not a query node"):
        compile_tree(Node())
