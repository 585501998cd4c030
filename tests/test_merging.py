"""Merging records: unions, conflicts kept, links re-pointed, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.errors import InvalidLink, InvalidRecord, RecordNotFound
from archivist.links import add_link
from archivist.merging import merge, merged_document
from archivist.models import Record, Source
from archivist.store import Archive, memory_archive

SHA = "c" * 64


def links(archive: Archive) -> list[tuple[str, str, str]]:
    return sorted((d["src"], d["rel"], d["dst"]) for d in archive.link_documents())


@pytest.fixture
def pair() -> Archive:
    archive = memory_archive(command="archivist test")
    archive.add(Record(id="keep", title="Dear Comrades", kind="article",
                       creators=("Clara Weiss",), date="2021-02-09", tags=("Film",),
                       fields={"kicker": "Film review", "note": "mine"}))
    archive.add(Record(id="other", title="Dear comrades!", kind="web-page",
                       creators=("clara weiss", "David North"), date="2021-02-09",
                       publisher="WSWS", tags=("film", "Stalinism"),
                       source=Source(path="sources/x.txt", sha256=SHA, size=12, span=(5, 9)),
                       fields={"note": "theirs", "extra": "kept"}),
                how={"file": "seeds.yaml", "sha256": SHA})
    return archive


def test_merged_document_unions_fills_and_keeps_conflicts(pair: Archive) -> None:
    doc, conflicts = merged_document(pair.document("keep"), [pair.document("other")])
    assert doc["creators"] == ["Clara Weiss", "David North"]
    assert doc["tags"] == ["Film", "Stalinism"]
    assert doc["publisher"] == "WSWS"
    assert doc["source"]["span"] == [5, 9]
    assert doc["title"] == "Dear Comrades" and doc["kind"] == "article"
    assert conflicts == {"other": {"title": "Dear comrades!", "kind": "web-page",
                                   "creators": ["clara weiss"], "fields": {"note": "theirs"}}}
    fields = doc["fields"]
    assert fields["kicker"] == "Film review" and fields["extra"] == "kept"
    assert fields["note"] == "mine"
    merged = fields["merged"]["other"]
    assert merged["title"] == "Dear comrades!" and merged["fields"] == {"note": "theirs"}
    assert merged["provenance"]["added_how"] == {"file": "seeds.yaml", "sha256": SHA}
    assert fields["merged_from"] == ["other"]


def test_merge_writes_one_change_and_removes_the_other(pair: Archive) -> None:
    result = merge(pair, "KEEP", ["Other"])
    assert result.merged == ("other",)
    assert pair.ids() == ["keep"]
    record = pair.get("keep")
    assert record.fields["merged_from"] == ["other"]
    assert record.archive["added_how"] == "archivist test"
    entries = pair.history()[-2:]
    assert [(e["action"], e["record"]) for e in entries] == [("merge", "keep"), ("rm", "other")]
    assert len({e["change"] for e in pair.history()[-2:]}) == 1
    assert entries[1]["archive"]["added_how"] == {"file": "seeds.yaml", "sha256": SHA}


@pytest.mark.parametrize("mine, theirs, united, respelt", [
    # one person in two spellings: one creator, spelt as KEEP spells them
    (["Лев Давидович Троцкий"], ["Троцкий Лев Давидович"], ["Лев Давидович Троцкий"],
     ["Троцкий Лев Давидович"]),
    (["Троцкий Лев Давидович"], ["Лев Троцкий"], ["Троцкий Лев Давидович"], ["Лев Троцкий"]),
    (["Троцкий Л. Д."], ["Лев Давидович Троцкий"], ["Троцкий Л. Д."],
     ["Лев Давидович Троцкий"]),
    (["Clara Weiss"], ["Weiss, Clara"], ["Clara Weiss"], ["Weiss, Clara"]),
    (["Clara Weiss"], ["C. Weiss"], ["Clara Weiss"], ["C. Weiss"]),
    (["Ludwig van Beethoven"], ["van Beethoven, Ludwig"], ["Ludwig van Beethoven"],
     ["van Beethoven, Ludwig"]),
    (["Polski Komitet Wyzwolenia Narodowego"], ["polski komitet wyzwolenia narodowego"],
     ["Polski Komitet Wyzwolenia Narodowego"], ["polski komitet wyzwolenia narodowego"]),
    (["Clara Weiss"], ["Clara Weiss"], ["Clara Weiss"], []),
    # different people stay apart
    (["Clara Weiss"], ["Anna Weiss"], ["Clara Weiss", "Anna Weiss"], []),
    (["Лев Давидович Троцкий"], ["Троцкий Сергей Львович"],
     ["Лев Давидович Троцкий", "Троцкий Сергей Львович"], []),
    # two people of one record stay two, each taken for the one they match
    (["Clara Weiss", "Anna Weiss"], ["Weiss, Anna", "Weiss, Clara"],
     ["Clara Weiss", "Anna Weiss"], ["Weiss, Anna", "Weiss, Clara"]),
    (["C. Weiss"], ["Clara Weiss", "Charles Weiss"], ["C. Weiss", "Charles Weiss"],
     ["Clara Weiss"]),
    # a spelling that could be either of two: a creator of its own, nothing guessed
    (["Clara Weiss", "Charles Weiss"], ["C. Weiss"], ["Clara Weiss", "Charles Weiss",
                                                      "C. Weiss"], []),
])
def test_creators_are_united_by_person(mine: list[str], theirs: list[str],
                                       united: list[str], respelt: list[str]) -> None:
    doc, conflicts = merged_document({"id": "k", "title": "T", "creators": mine},
                                     [{"id": "o", "title": "T", "creators": theirs}])
    assert doc["creators"] == united
    assert conflicts.get("o", {}).get("creators", []) == respelt
    assert doc["fields"]["merged"]["o"].get("creators", []) == respelt


def test_a_merged_person_is_one_author_in_bibtex() -> None:
    from archivist.exporters.bibtex import bibtex_entry

    archive = memory_archive()
    archive.add(Record(id="keep", title="История русской революции", kind="book",
                       creators=("Лев Давидович Троцкий",), date="1930"))
    archive.add(Record(id="other", title="История русской революции", kind="book",
                       creators=("Троцкий Лев Давидович",), date="1930"))
    merge(archive, "keep", ["other"])
    entry = bibtex_entry(archive.document("keep"))
    assert "author = {Троцкий, Лев Давидович}," in entry
    assert archive.get("keep").fields["merged"]["other"]["creators"] == [
        "Троцкий Лев Давидович"]


@given(st.lists(st.sampled_from(["Clara Weiss", "Лев Давидович Троцкий", "G. T. Miasnikov",
                                 "Ludwig van Beethoven", "Martin Luther King Jr.",
                                 "World Socialist Web Site", "Bill Van Auken"]),
                min_size=1, max_size=4, unique=True))
def test_any_other_forms_of_the_same_people_add_no_creator(people: list[str]) -> None:
    from archivist.names import split_name

    others = [split_name(p).inverted() for p in reversed(people)]
    doc, _ = merged_document({"id": "k", "title": "T", "creators": people},
                             [{"id": "o", "title": "T", "creators": others}])
    assert doc["creators"] == people


def test_kind_other_counts_as_missing() -> None:
    keep = {"id": "k", "title": "T", "kind": "other"}
    doc, conflicts = merged_document(keep, [{"id": "o", "title": "T", "kind": "book"}])
    assert doc["kind"] == "book" and conflicts == {}
    doc, conflicts = merged_document({**keep, "kind": "book"},
                                     [{"id": "o", "title": "T", "kind": "other"}])
    assert doc["kind"] == "book" and conflicts == {}


def test_links_are_repointed_without_self_links_or_repeats() -> None:
    archive = memory_archive()
    for record_id in ("keep", "o1", "o2", "series", "agent"):
        archive.add(Record(id=record_id, title=record_id))
    add_link(archive, "o1", "duplicate-of", "keep")     # becomes a self-link: dropped
    add_link(archive, "keep", "part-of", "series")
    add_link(archive, "o1", "part-of", "series")        # repeats keep's: dropped
    add_link(archive, "o2", "created-by", "agent")      # re-pointed
    add_link(archive, "o1", "related", "o2")            # between two merged: dropped
    add_link(archive, "agent", "related", "o2")         # re-pointed, ends kept in order
    result = merge(archive, "keep", ["o1", "o2"])
    assert links(archive) == [("agent", "related", "keep"), ("keep", "created-by", "agent"),
                              ("keep", "part-of", "series")]
    assert len(result.repointed) == 2 and len(result.dropped) == 3
    assert archive.get("keep").fields["merged_from"] == ["o1", "o2"]


def test_merging_a_record_merged_before_keeps_the_chain() -> None:
    archive = memory_archive()
    for record_id in ("a", "b", "c"):
        archive.add(Record(id=record_id, title="Same", summary=record_id))
    merge(archive, "b", ["c"])
    merge(archive, "a", ["b"])
    fields = archive.get("a").fields
    assert fields["merged_from"] == ["b", "c"]
    assert fields["merged"]["c"]["summary"] == "c"
    assert fields["merged"]["b"]["summary"] == "b"


def test_a_merge_that_would_make_a_part_of_cycle_is_refused() -> None:
    archive = memory_archive()
    for record_id in ("keep", "other", "middle"):
        archive.add(Record(id=record_id, title=record_id))
    add_link(archive, "keep", "part-of", "middle")
    add_link(archive, "middle", "part-of", "other")
    with pytest.raises(InvalidLink, match="cycle of part-of"):
        merge(archive, "keep", ["other"])


@pytest.mark.parametrize("keep, others, error, message", [
    ("nope", ["other"], RecordNotFound, "nope"),
    ("keep", ["nope"], RecordNotFound, "nope"),
    ("keep", ["other", "KEEP"], InvalidRecord, "cannot also be merged"),
    ("keep", ["other", "OTHER"], InvalidRecord, "given twice"),
    ("keep", [], InvalidRecord, "at least one"),
])
def test_refusals(pair: Archive, keep: str, others: list[str], error: type[Exception],
                  message: str) -> None:
    before = len(pair.history())
    with pytest.raises(error, match=message):
        merge(pair, keep, others)
    assert len(pair.history()) == before and pair.ids() == ["keep", "other"]


def test_a_custom_merged_field_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(InvalidRecord, match="not a mapping"):
        merged_document({"id": "k", "title": "T", "fields": {"merged": "yes"}},
                        [{"id": "o", "title": "T"}])


def test_result_to_dict(pair: Any) -> None:
    data = merge(pair, "keep", ["other"]).to_dict()
    assert data["keep"] == "keep" and data["merged"] == ["other"]
    assert data["conflicts"]["other"]["kind"] == "web-page"
