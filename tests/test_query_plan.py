"""Planning: the engine answers what it says it answers, the reference matcher the rest,
and the result is always the reference matcher's."""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.errors import ArchivistError
from archivist.links import add_link
from archivist.models import record_from_mapping
from archivist.query import And, Everything, Field, Match, Node, Not, Or, Text, parse
from archivist.query.match import compile_tree
from archivist.query.plan import Plan, matching, plan, select
from archivist.store import Archive, memory_archive, open_archive, query_engine


class TagsOnly:
    """An engine that answers ``tag:`` terms alone, the way a database would in SQL:
    here by looking at every document itself (it is a test)."""

    keys = frozenset({"id", "tags"})

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.asked: list[Node] = []

    def answers(self, node: Node) -> bool:
        if isinstance(node, Match):
            return node.path == "tags"
        if isinstance(node, Not):
            return self.answers(node.operand)
        if isinstance(node, (And, Or)):
            return all(map(self.answers, node.operands))
        return False

    def select(self, node: Node | None, keys: Collection[str]) -> Any:
        self.asked.append(node if node is not None else Everything())
        predicate = compile_tree(node or Everything())
        chosen = [doc for doc in self.archive.documents() if predicate(doc)]

        class Chosen:
            def __len__(self) -> int:
                return len(chosen)

            def column(self, key: str) -> list[Any]:
                return [doc.get(key) for doc in chosen]

        return Chosen()


class DatabaseArchive:
    """An archive whose engine answers queries itself (``query_engine()``)."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive
        self.engine = TagsOnly(archive)

    def query_engine(self) -> TagsOnly:
        return self.engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)


def test_a_plan_splits_a_conjunction_between_engine_and_reference() -> None:
    engine = TagsOnly(memory_archive())
    tag, word = Match("tags", "film"), Text("dear")
    assert plan(tag, engine) == Plan(tag, None)
    assert plan(word, engine) == Plan(None, word)
    assert plan(And((tag, word)), engine) == Plan(tag, word)
    both = And((tag, Not(Match("tags", "x")), word, Field("title", "a")))
    assert plan(both, engine) == Plan(And((tag, Not(Match("tags", "x")))),
                                      And((word, Field("title", "a"))))
    # An OR with a term the engine cannot answer needs every document.
    assert plan(Or((tag, word)), engine) == Plan(None, Or((tag, word)))
    assert plan(tag, None) == Plan(None, tag)


def _archive(values: list[dict[str, Any]]) -> Archive:
    archive = memory_archive()
    for number, value in enumerate(values):
        archive.add(record_from_mapping({"id": f"doc-{number}", **value}))
    return archive


def test_an_engine_of_its_own_is_asked_and_agrees_with_the_reference() -> None:
    base = _archive([{"title": "dear film", "tags": ["film"]},
                     {"title": "dear book", "tags": ["book"]},
                     {"title": "other", "tags": ["film"]}])
    archive = DatabaseArchive(base)
    tree = parse("tag:film dear")
    assert [doc["id"] for doc in matching(archive, tree)] == ["doc-0"]  # type: ignore[arg-type]
    assert archive.engine.asked == [Match("tags", "film")]
    selection = select(archive, parse("tag:film"), {"id"})  # type: ignore[arg-type]
    assert selection is not None and list(selection.column("id")) == ["doc-0", "doc-2"]
    assert select(archive, tree, {"id"}) is None  # type: ignore[arg-type]
    assert select(archive, parse("tag:film"), {"title"}) is None  # type: ignore[arg-type]


def test_an_archive_without_current_summaries_matches_every_document() -> None:
    archive = _archive([{"title": "film", "tags": ["film"]}, {"title": "book"}])
    assert query_engine(archive) is None
    assert select(archive, parse("tag:film"), {"id"}) is None
    assert [doc["id"] for doc in matching(archive, parse("tag:film"))] == ["doc-0"]


# -- the property: for random queries over random records, plans agree with the reference

WORDS = ["film", "Film", "żółw", "Łódź", "ежик", "dear", "comrades", " strike "]
ATOMS = ["film", '"dear comrades"', "zolw", "ежик", "lodz", "tag:film", "tag:fi*",
         "tag:łódź", "-tag:books", "kind:article", "-kind:book", "date:2021",
         "date:1920..1925", "date:..1930", "creator:weiss", 'title:="film*"',
         "title:strike", "has:date", "missing:date", "has:creators", "lang:pl", "id:doc-*",
         "rel:related", "linked:doc-0", "has:links", "publisher:press", "subtitle:two",
         # terms the summaries cannot answer: matched on whole documents
         "kicker:review", "fields.kicker:news", "has:source", "added:..1999", "fixity:never",
         "summary:strike", "url:example"]

record_values = st.fixed_dictionaries(
    {"title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)},
    optional={
        "kind": st.sampled_from(["article", "book", "film", "other"]),
        "date": st.sampled_from(["2021", "2021-02-09", "1920/1925", "1923~", "../1930"]),
        "creators": st.lists(st.sampled_from(["Clara Weiss", "Anna Łęcka", "Юрий"]),
                             max_size=2, unique=True),
        "tags": st.lists(st.sampled_from(["film", "FILM", "łódź", "books"]), max_size=3),
        "language": st.sampled_from(["en", "pl"]),
        "publisher": st.sampled_from(["Mehring Press", "Książka"]),
        "subtitle": st.sampled_from(["Part two", "Część"]),
        "summary": st.sampled_from(["a strike", "none"]),
        "url": st.sampled_from(["https://example.org/a"]),
        "kicker": st.sampled_from(["review", "news"]),
    })
queries = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" ".join),
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} OR {pair[1]})"),
        inner.map(lambda term: f"NOT {term}"),
    ),
    max_leaves=5,
)


_EXAMPLES = itertools.count()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(values=st.lists(record_values, min_size=1, max_size=7),
       links=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(
           ["related", "part-of", "references"]), st.integers(0, 6)), max_size=4),
       texts=st.lists(queries, min_size=1, max_size=4))
def test_planned_results_equal_the_reference_matchers(
        make_location: Callable[[str], Path | str], values: list[dict[str, Any]],
        links: list[tuple[int, str, int]], texts: list[str]) -> None:
    location = make_location(f"plan{next(_EXAMPLES)}")
    with _stored(location, values, links) as path, open_archive(path) as archive:
        engine = query_engine(archive)
        assert engine is not None  # the index file answers, or the database in SQL
        every = list(archive.documents())
        for text in texts:
            tree = parse(text)
            reference = [doc["id"] for doc in every if compile_tree(tree, archive)(doc)]
            assert [doc["id"] for doc in matching(archive, tree)] == reference, text
            selection = select(archive, tree, {"id", "title"})
            assert (selection is None) == (not engine.answers(tree)), text
            if selection is not None:
                assert list(selection.column("id")) == reference, text
                assert len(selection) == len(reference)


@contextlib.contextmanager
def _stored(location: Path | str, values: list[dict[str, Any]],
            links: Iterable[tuple[int, str, int]]) -> Iterator[Path | str]:
    """An archive of these records and links at ``location`` (of either engine), with
    its index file written (a file) or its query columns (a database)."""
    with contextlib.ExitStack() as stack:
        if isinstance(location, Path):
            location = Path(stack.enter_context(tempfile.TemporaryDirectory())) / location.name
        path = location
        ids = [f"doc-{n}" for n in range(len(values))]
        with open_archive(path, write=True, command="archivist test") as archive:
            for record_id, value in zip(ids, values):
                archive.add(record_from_mapping({**value, "id": record_id}))
            for src, rel, dst in links:
                if src < len(ids) and dst < len(ids):
                    try:
                        add_link(archive, ids[src], rel, ids[dst])
                    except ArchivistError:  # a self link or a cycle: not this test's
                        pass
        yield path
