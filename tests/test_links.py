"""Link rules: vocabulary, adding and removing links, batch validation for imports."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist.errors import InvalidLink, RecordNotFound
from archivist.links import (
    ACYCLIC,
    RELATION_NAMES,
    RELATIONS,
    SYMMETRIC,
    Link,
    add_link,
    canonical,
    inverse,
    link_summary,
    links_table,
    outgoing_by_record,
    remove_link,
    term,
    validate_new_links,
    views,
)
from archivist.models import Record
from archivist.store import Archive, memory_archive


def make(archive: Archive, *ids: str, kind: str = "other") -> Archive:
    archive.add_many((Record(id=i, title=f"Title of {i}", kind=kind), None) for i in ids)
    return archive


def stored(archive: Archive) -> list[tuple[str, str, str]]:
    return sorted((d["src"], d["rel"], d["dst"]) for d in archive.link_documents())


def history_count(archive: Archive) -> int:
    return len(archive.history())


# -- vocabulary ---------------------------------------------------------------------


def test_every_name_resolves_and_inverts_back() -> None:
    for name in RELATION_NAMES:
        rel, swapped = canonical(name)
        assert rel in RELATIONS
        assert inverse(inverse(name)) == name
        assert term(name).lstrip("^").split(":")[0] in ("dcterms", "prov", "owl")
        assert swapped == (name not in RELATIONS)


def test_canonical_ignores_case_and_spaces() -> None:
    assert canonical(" Has-Part ") == ("part-of", True)
    assert term("HAS-PART") == "dcterms:hasPart"


def test_unknown_relation_lists_valid_and_suggests() -> None:
    with pytest.raises(InvalidLink, match=r"did you mean part-of\?.*valid relations: about"):
        canonical("part-off")


def test_symmetric_relations_are_their_own_inverse() -> None:
    assert {"duplicate-of", "related"} == SYMMETRIC
    assert inverse("related") == "related"


# -- add_link -----------------------------------------------------------------------


def test_add_link_stores_canonical_direction_and_ids(archive: Archive) -> None:
    make(archive, "Article-1", "Series")
    link = add_link(archive, "series", "HAS-PART", "article-1")
    assert link == Link("Article-1", "part-of", "Series")
    assert stored(archive) == [("Article-1", "part-of", "Series")]
    last = archive.history()[-1]
    assert last["action"] == "link"
    assert last["after"] == {"src": "Article-1", "rel": "part-of", "dst": "Series"}


@pytest.mark.parametrize("again", [
    ("a", "part-of", "b"), ("A", "part-of", "B"), ("b", "has-part", "a"),
])
def test_repeat_under_either_name_changes_nothing(archive: Archive,
                                                  again: tuple[str, str, str]) -> None:
    make(archive, "a", "b")
    add_link(archive, "a", "part-of", "b")
    before = history_count(archive)
    assert add_link(archive, *again) is None
    assert stored(archive) == [("a", "part-of", "b")]
    assert history_count(archive) == before


@pytest.mark.parametrize("rel", sorted(SYMMETRIC))
def test_symmetric_repeat_in_either_order(archive: Archive, rel: str) -> None:
    make(archive, "a", "b")
    assert add_link(archive, "a", rel, "b") is not None
    assert add_link(archive, "B", rel, "A") is None
    assert len(stored(archive)) == 1


def test_different_relations_between_same_records_are_allowed(archive: Archive) -> None:
    make(archive, "a", "b")
    add_link(archive, "a", "part-of", "b")
    add_link(archive, "a", "references", "b")
    add_link(archive, "b", "references", "a")
    assert len(stored(archive)) == 3


def test_self_link_refused(archive: Archive) -> None:
    make(archive, "a")
    with pytest.raises(InvalidLink, match="itself"):
        add_link(archive, "a", "related", "A")
    assert stored(archive) == []


def test_missing_end_refused(archive: Archive) -> None:
    make(archive, "a")
    with pytest.raises(RecordNotFound, match="'ghost'"):
        add_link(archive, "a", "part-of", "ghost")
    with pytest.raises(RecordNotFound):
        add_link(archive, "ghost", "part-of", "a")
    assert stored(archive) == []


def test_unknown_relation_refused(archive: Archive) -> None:
    make(archive, "a", "b")
    with pytest.raises(InvalidLink, match="unknown relation"):
        add_link(archive, "a", "contains", "b")


@pytest.mark.parametrize("rel", sorted(ACYCLIC))
def test_direct_cycle_refused(archive: Archive, rel: str) -> None:
    make(archive, "a", "b")
    add_link(archive, "a", rel, "b")
    with pytest.raises(InvalidLink, match="cycle"):
        add_link(archive, "b", rel, "a")
    assert stored(archive) == [("a", rel, "b")]


def test_cycle_through_inverse_name_refused(archive: Archive) -> None:
    make(archive, "a", "b", "c")
    add_link(archive, "a", "precedes", "b")
    add_link(archive, "b", "precedes", "c")
    # "a follows c" is stored as "c precedes a": that closes a → b → c → a.
    with pytest.raises(InvalidLink, match=r"c precedes a would form a cycle.*c → a → b → c"):
        add_link(archive, "a", "follows", "c")


def test_long_chain_cycle_refused_without_recursion() -> None:
    archive = memory_archive()
    n = 5000  # deeper than Python's recursion limit
    ids = [f"r{i}" for i in range(n)]
    make(archive, *ids)
    archive.store_links({"src": ids[i], "rel": "part-of", "dst": ids[i + 1]}
                        for i in range(n - 1))
    with pytest.raises(InvalidLink, match="cycle"):
        add_link(archive, ids[-1], "part-of", ids[0])
    # A link across the chain in the same direction is fine.
    assert add_link(archive, ids[0], "part-of", ids[-1]) is not None


def test_cycles_allowed_for_other_relations(archive: Archive) -> None:
    make(archive, "a", "b", "c")
    add_link(archive, "a", "references", "b")
    add_link(archive, "b", "references", "c")
    assert add_link(archive, "c", "references", "a") is not None


def test_cycles_are_per_relation(archive: Archive) -> None:
    make(archive, "a", "b")
    add_link(archive, "a", "part-of", "b")
    assert add_link(archive, "b", "replaces", "a") is not None


# -- remove_link --------------------------------------------------------------------


def test_remove_link_by_either_name(archive: Archive) -> None:
    make(archive, "a", "b")
    add_link(archive, "a", "part-of", "b")
    assert remove_link(archive, "B", "has-part", "A") == Link("a", "part-of", "b")
    assert stored(archive) == []
    assert archive.history()[-1]["action"] == "unlink"


def test_remove_symmetric_link_in_either_order(archive: Archive) -> None:
    make(archive, "a", "b")
    add_link(archive, "a", "related", "b")
    assert remove_link(archive, "b", "related", "a") == Link("a", "related", "b")


def test_remove_missing_link(archive: Archive) -> None:
    make(archive, "a", "b")
    add_link(archive, "a", "part-of", "b")
    with pytest.raises(InvalidLink, match="there is no link a references b"):
        remove_link(archive, "a", "references", "b")
    with pytest.raises(RecordNotFound):
        remove_link(archive, "a", "references", "ghost")
    assert len(stored(archive)) == 1


# -- reading links ------------------------------------------------------------------


def test_views_and_summary_from_both_ends(archive: Archive) -> None:
    make(archive, "a", "b")
    make(archive, "org", kind="organisation")
    add_link(archive, "a", "part-of", "b")
    add_link(archive, "a", "published-by", "org")
    assert [(v.rel, v.other, v.outgoing) for v in views(archive, "A")] == [
        ("part-of", "b", True), ("published-by", "org", True)]
    assert link_summary(archive, "b") == [{
        "rel": "has-part", "id": "a", "title": "Title of a", "term": "dcterms:hasPart",
        "direction": "in"}]
    assert links_table(archive, "ORG")[0]["rel"] == "publisher-of"
    assert outgoing_by_record(archive) == {
        "a": [{"rel": "part-of", "target": "b"}, {"rel": "published-by", "target": "org"}]}


def test_links_table_of_missing_record(archive: Archive) -> None:
    with pytest.raises(RecordNotFound):
        links_table(archive, "ghost")


# -- validate_new_links (imports) ---------------------------------------------------


def test_batch_targets_among_new_records() -> None:
    archive = make(memory_archive(), "Old")
    links = [("New-1", "part-of", "old"), ("old", "has-part", "new-2"),
             ("new-1", "related", "NEW-2")]
    assert validate_new_links(archive, links, {"New-1", "New-2"}) == [
        Link("New-1", "part-of", "Old"), Link("New-2", "part-of", "Old"),
        Link("New-1", "related", "New-2")]


def test_batch_skips_repeats_of_stored_and_of_itself() -> None:
    archive = make(memory_archive(), "a", "b")
    add_link(archive, "a", "part-of", "b")
    add_link(archive, "a", "related", "b")
    links = [("b", "has-part", "a"), ("b", "related", "a"), ("a", "references", "b"),
             ("A", "references", "B"), ("b", "referenced-by", "a")]
    assert validate_new_links(archive, links, set()) == [Link("a", "references", "b")]


@pytest.mark.parametrize(("links", "message"), [
    ([("a", "contains", "b")], r"link a contains b: unknown relation"),
    ([("a", "part-of", "ghost")], r"link a part-of ghost: no record with id 'ghost'"),
    ([("a", "related", "A")], r"link a related A: a record cannot be linked to itself"),
    ([("a", "part-of", "n"), ("n", "part-of", "a")], r"a part-of n would form a cycle"),
])
def test_batch_rule_breaks_name_the_link(links: list[tuple[str, str, str]],
                                         message: str) -> None:
    archive = make(memory_archive(), "a", "b")
    with pytest.raises(InvalidLink, match=message):
        validate_new_links(archive, links, {"n"})
    assert stored(archive) == []


def test_batch_cycle_through_stored_links() -> None:
    archive = make(memory_archive(), "a", "b", "c")
    add_link(archive, "a", "replaces", "b")
    add_link(archive, "b", "replaces", "c")
    with pytest.raises(InvalidLink, match=r"c replaces n would form a cycle of replaces "
                                          r"links: c → n → a → b → c"):
        validate_new_links(archive, [("c", "replaces", "n"), ("n", "replaces", "a")], {"n"})


def test_stored_cycle_does_not_block_unrelated_links() -> None:
    # An archive edited by hand may hold a cycle; links off it are still accepted.
    archive = make(memory_archive(), "a", "b", "c")
    archive.store_links([{"src": "a", "rel": "part-of", "dst": "b"},
                         {"src": "b", "rel": "part-of", "dst": "a"}])
    assert validate_new_links(archive, [("c", "part-of", "a")], set()) == [
        Link("c", "part-of", "a")]


def test_batch_of_20k_links_is_fast() -> None:
    archive = make(memory_archive(), *(f"old{i}" for i in range(1000)))
    new_ids = {f"new{i}" for i in range(10_000)}
    links = [(f"new{i}", "part-of", f"old{i % 1000}") for i in range(10_000)]
    links += [(f"new{i}", "references", f"new{(i * 7 + 1) % 10_000}") for i in range(10_000)]
    start = time.perf_counter()
    accepted = validate_new_links(archive, links, new_ids)
    elapsed = time.perf_counter() - start
    assert len(accepted) == 20_000
    assert elapsed < 1.0, f"validating 20k links took {elapsed:.2f} s"


def _has_cycle(edges: set[tuple[int, int]]) -> bool:
    """Naive reference: some edge's target reaches its source."""
    succ: dict[int, set[int]] = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    for a, b in edges:
        seen, todo = {b}, [b]
        while todo:
            node = todo.pop()
            if node == a:
                return True
            for nxt in succ.get(node, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return False


edge_lists = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)).filter(
    lambda e: e[0] != e[1]), max_size=12)


@settings(max_examples=150, deadline=None)
@given(edge_lists)
def test_batch_refuses_exactly_the_cyclic_sets(edges: list[tuple[int, int]]) -> None:
    archive = memory_archive()
    links = [(f"r{a}", "part-of", f"r{b}") for a, b in edges]
    new_ids = {f"r{i}" for i in range(7)}
    if _has_cycle(set(edges)):
        with pytest.raises(InvalidLink, match="cycle"):
            validate_new_links(archive, links, new_ids)
    else:
        accepted = validate_new_links(archive, links, new_ids)
        assert {(link.src, link.dst) for link in accepted} == {
            (f"r{a}", f"r{b}") for a, b in edges}


@settings(max_examples=100, deadline=None)
@given(edge_lists)
def test_adding_one_by_one_never_stores_a_cycle(edges: list[tuple[int, int]]) -> None:
    archive = make(memory_archive(), *(f"r{i}" for i in range(7)))
    kept: set[tuple[int, int]] = set()
    for a, b in edges:
        try:
            if add_link(archive, f"r{a}", "precedes", f"r{b}") is not None:
                kept.add((a, b))
        except InvalidLink:
            assert _has_cycle(kept | {(a, b)})
    assert not _has_cycle(kept)
    assert len(stored(archive)) == len(kept)
