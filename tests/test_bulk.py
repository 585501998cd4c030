"""Bulk edits over a query: planning, applying in one change, describing, refusing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist import bulk
from archivist.bulk import Edit
from archivist.editing import apply_assignments, with_tags
from archivist.errors import ChangeConflict, InvalidRecord, QuerySyntaxError
from archivist.models import Record, record_from_mapping
from archivist.store import Archive, memory_archive, open_archive
from archivist.undo import undo


def rec(record_id: str, **values: Any) -> Record:
    return record_from_mapping({"id": record_id, "title": f"Title {record_id}", **values})


def fill(archive: Archive) -> None:
    archive.add(rec("a", kind="film", tags=["Film"], publisher="wsws"))
    archive.add(rec("b", kind="film", tags=["cinema"], publisher="WSWS.org"))
    archive.add(rec("c", kind="book", tags=["film", "x"], publisher="Verso"))
    archive.add(rec("d", kind="film", creators=["Clara Weiss"]))


def test_plan_holds_only_the_records_that_change(archive: Archive) -> None:
    fill(archive)
    planned = bulk.plan(archive, "kind:film", Edit("tag", ("cinema",)))
    assert planned.matched == 3
    assert [p.record.id for p in planned.changes] == ["a", "d"]
    assert planned.changes[0].before == {"tags": ["Film"]}
    assert planned.changes[0].after == {"tags": ["Film", "cinema"]}
    # Nothing is changed by planning.
    assert archive.get("a").tags == ("Film",)


def test_a_tag_is_spelled_as_the_archive_first_spelled_it(archive: Archive) -> None:
    fill(archive)
    planned = bulk.plan(archive, "kind:book OR id:d", Edit("tag", ("FILM", "New", "new")))
    # c was given "film", and spelled "Film" by the archive when added.
    assert [p.record.tags for p in planned.changes] == [("Film", "x", "New"),
                                                       ("Film", "New")]


def test_untag_passes_over_records_without_the_tag(archive: Archive) -> None:
    fill(archive)
    planned = bulk.plan(archive, "kind:film", Edit("untag", ("FILM", "absent")))
    assert [p.record.id for p in planned.changes] == ["a"]
    assert planned.changes[0].record.tags == ()


def test_set_over_a_query(archive: Archive) -> None:
    fill(archive)
    edit = Edit("set", ("publisher=World Socialist Web Site", "tags-=cinema",
                        "creators+=David North"))
    planned = bulk.plan(archive, "publisher:wsws", edit)
    assert planned.matched == 2
    assert [(p.record.id, p.record.publisher, p.record.tags, p.record.creators)
            for p in planned.changes] == [
        ("a", "World Socialist Web Site", ("Film",), ("David North",)),
        ("b", "World Socialist Web Site", (), ("David North",))]


def test_apply_is_one_change_that_one_undo_reverts(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with open_archive(path, write=True) as archive:
        fill(archive)
    before = path.read_bytes()
    with open_archive(path) as archive:
        shown = [archive.document(i) for i in "abcd"]
    with open_archive(path, write=True) as archive:
        planned = bulk.plan(archive, "kind:film", Edit("set", ("language=en",)))
        assert bulk.apply(archive, planned) == 3
    with open_archive(path) as archive:
        entries = [e for e in archive.history() if e["action"] == "set"]
        assert [e["record"] for e in entries] == ["a", "b", "d"]
        assert len({e["change"] for e in entries}) == 1
        assert [archive.get(i).language for i in "abcd"] == ["en", "en", None, "en"]
    with open_archive(path, write=True) as archive:
        [reverted] = undo(archive)
        assert reverted.change == entries[0]["change"]
    with open_archive(path) as archive:
        assert [archive.document(i) | {"archive": None} for i in "abcd"] == [
            doc | {"archive": None} for doc in shown]
    assert len(path.read_bytes()) > len(before)  # the history grew, nothing else


def test_nothing_matches_or_nothing_changes(archive: Archive) -> None:
    fill(archive)
    assert bulk.plan(archive, "kind:letter", Edit("tag", ("x",))).matched == 0
    planned = bulk.plan(archive, "kind:book", Edit("tag", ("X",)))
    assert (planned.matched, planned.changes) == (1, ())


@pytest.mark.parametrize(("edit", "message"), [
    (Edit("set", ("id=x",)), "cannot set id"),
    (Edit("set", ("novalue",)), "KEY=VALUE"),
    (Edit("tag", ("  ",)), "blank"),
    (Edit("tag", ()), "at least one"),
    (Edit("rm", ("x",)), "unknown bulk edit"),
    (Edit("set", ("tags=a,b",)), "tags+=a tags+=b"),
])
def test_refusals(archive: Archive, edit: Edit, message: str) -> None:
    fill(archive)
    with pytest.raises(InvalidRecord, match=message):
        bulk.plan(archive, "kind:film", edit)


def test_an_edit_that_breaks_a_record_names_it(archive: Archive) -> None:
    fill(archive)
    with pytest.raises(InvalidRecord, match=r"^a: bad date"):
        bulk.plan(archive, "kind:film", Edit("set", ("date=2021-13",)))
    with pytest.raises(InvalidRecord, match=r"^a: publisher holds one value"):
        bulk.plan(archive, "kind:film", Edit("set", ("publisher+=x",)))


def test_a_blank_or_bad_query_is_refused(archive: Archive) -> None:
    fill(archive)
    with pytest.raises(InvalidRecord, match="needs a query"):
        bulk.plan(archive, "  ", Edit("tag", ("x",)))
    with pytest.raises(QuerySyntaxError):
        bulk.plan(archive, "(kind:film", Edit("tag", ("x",)))


def test_a_query_of_several_words_reads_as_list_reads_it(archive: Archive) -> None:
    fill(archive)
    selected = bulk.plan(archive, "kind:film -tag:cinema", Edit("tag", ("y",)))
    assert [p.record.id for p in selected.changes] == ["a", "d"]
    phrase = bulk.plan(archive, "title:Title a", Edit("tag", ("y",)))
    assert [p.record.id for p in phrase.changes] == ["a"]


def test_a_confirmed_plan_is_refused_when_the_records_changed(archive: Archive) -> None:
    fill(archive)
    confirmed = bulk.plan(archive, "kind:film", Edit("tag", ("cinema",)))
    archive.update(with_tags(archive.get("d"), ["cinema"]), action="tag")
    with pytest.raises(ChangeConflict, match="while you confirmed"):
        bulk.apply_confirmed(archive, confirmed)
    assert archive.get("a").tags == ("Film",)
    again = bulk.plan(archive, "kind:film", Edit("tag", ("cinema",)))
    assert bulk.apply_confirmed(archive, again).same_as(again)
    assert archive.get("a").tags == ("Film", "cinema")


def test_describe_shows_each_change_escaped() -> None:
    planned = bulk.Planned(rec("a"), {"publisher": "wsws", "tags": ["Film"],
                                      "fields": {"k": "v", "same": 1}, "date": None},
                           {"publisher": "W\x1b[2J\u202e", "tags": ["cinema"],
                            "fields": {"same": 1, "n": ["x"]}, "date": "2021"})
    assert bulk.describe(planned) == (
        'a: date (none) → "2021"; fields.k "v" → (none); fields.n +"x"; '
        'publisher "wsws" → "W\\u001b[2J\\u202e"; tags +"cinema" -"Film"')


tag_lists = st.lists(st.sampled_from(["film", "Film", "x", "Łódź", "new"]), max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tag_lists, min_size=1, max_size=5), tag_lists.filter(bool),
       st.booleans())
def test_a_bulk_edit_gives_what_editing_one_by_one_gives(records: list[list[str]],
                                                         tags: list[str], as_set: bool
                                                         ) -> None:
    ids = [f"r{n}" for n in range(len(records))]
    one, many = memory_archive(), memory_archive()
    for target in (one, many):
        for record_id, have in zip(ids, records):
            target.add(rec(record_id, tags=have))
    for record_id in ids:
        record = one.get(record_id)
        changed = (apply_assignments(record, [f"tags+={t}" for t in tags]) if as_set
                   else with_tags(record, tags))
        one.update(changed, action="tag")
    edit = Edit("set", tuple(f"tags+={t}" for t in tags)) if as_set else Edit(
        "tag", tuple(tags))
    bulk.apply(many, bulk.plan(many, "id:r*", edit))
    assert [many.get(i).tags for i in ids] == [one.get(i).tags for i in ids]
