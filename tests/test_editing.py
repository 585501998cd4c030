"""set assignments, the edit round trip, tagging helpers and spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivist.editing import (
    EditFile,
    apply_assignments,
    apply_edit_file,
    edit_text,
    parse_assignment,
    parse_edit,
    parse_span,
    save_edit,
    with_tags,
    without_tags,
)
from archivist.errors import InvalidRecord
from archivist.models import record_from_mapping
from archivist.yamlio import YamlError

BASE = record_from_mapping({"id": "t", "title": "T", "creators": ["A B"], "tags": ["Film"],
                            "fields": {"kicker": "K"}})


@pytest.mark.parametrize(("text", "key", "op", "value"), [
    ("date=2021", "date", "=", "2021"),
    ("summary=", "summary", "=", ""),
    ("tags+=x", "tags", "+=", "x"),
    ("tags-=x", "tags", "-=", "x"),
    ("title=a=b", "title", "=", "a=b"),
    ("fields.note=n", "fields.note", "=", "n"),
    ("creators+=Clara Weiss", "creators", "+=", "Clara Weiss"),
])
def test_parse_assignment(text: str, key: str, op: str, value: str) -> None:
    item = parse_assignment(text)
    assert (item.key, item.op, item.value) == (key, op, value)


@pytest.mark.parametrize("text", ["novalue", "=x", "+=x", "-x=1"])
def test_malformed_assignments(text: str) -> None:
    with pytest.raises(InvalidRecord):
        parse_assignment(text)


def test_apply_assignments() -> None:
    record = apply_assignments(BASE, ["creators-=A B", "creators+=C", "tags+=film",
                                      "tags+=new", "kicker=", "kind=book", "creators+=D"])
    assert record.creators == ("C", "D")
    assert record.tags == ("Film", "new")
    assert record.fields == {}
    assert record.kind == "book"


def test_setting_a_list_field_replaces_it_and_empty_clears_it() -> None:
    assert apply_assignments(BASE, ["creators=Solo"]).creators == ("Solo",)
    assert apply_assignments(BASE, ["creators="]).creators == ()


def test_kind_removed_falls_back_to_other() -> None:
    assert apply_assignments(apply_assignments(BASE, ["kind=book"]), ["kind="]).kind == "other"


def test_edit_text_round_trips_unchanged() -> None:
    text = edit_text(BASE)
    assert text.startswith("# Edit the record")
    assert parse_edit(text, BASE) is None


def test_parse_edit_detects_changes_and_refuses_bad_input() -> None:
    changed = parse_edit("title: New\nkicker: K\n", BASE)
    assert changed is not None and changed.title == "New" and changed.creators == ()
    with pytest.raises(InvalidRecord, match="id cannot be changed"):
        parse_edit("id: other\ntitle: T\n", BASE)
    with pytest.raises(YamlError, match="one mapping"):
        parse_edit("- a\n- b\n", BASE)
    with pytest.raises(InvalidRecord, match="archivist link"):
        parse_edit("title: T\nlinks: []\n", BASE)


def test_tag_helpers() -> None:
    assert with_tags(BASE, ["FILM", "x"]).tags == ("Film", "x")
    assert without_tags(BASE, ["film"]).tags == ()
    with pytest.raises(InvalidRecord, match="has no tag"):
        without_tags(BASE, ["absent"])


@pytest.mark.parametrize(("text", "expected"), [("5:9", (5, 9)), ("7", (7, 7)),
                                                (None, None)])
def test_parse_span(text: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_span(text) == expected


@pytest.mark.parametrize("text", ["9:5", "0:3", "a:b", "1-3", ""])
def test_bad_spans(text: str) -> None:
    with pytest.raises(InvalidRecord, match="span"):
        parse_span(text)


def test_list_assignments_replace_once_then_add() -> None:
    assert apply_assignments(BASE, ["tags=a", "tags=b"]).tags == ("a", "b")
    assert apply_assignments(BASE, ["tags=", "tags=c"]).tags == ("c",)
    assert apply_assignments(BASE, ["creators=X", "creators=Weiss, Clara"]).creators == (
        "X", "Weiss, Clara")
    # A value the list holds already is not added twice.
    assert apply_assignments(BASE, ["creators+=A B", "tags+=FILM"]) == BASE


@pytest.mark.parametrize(("text", "advice"), [
    ("tags=a,b", "tags=a tags=b to replace the tags, tags+=a tags+=b to add them"),
    ("tags+=a, b c", "tags+=a 'tags+=b c' (or `archivist tag ID a 'b c'`)"),
])
def test_a_comma_in_a_tag_assignment_is_refused_with_advice(text: str, advice: str) -> None:
    with pytest.raises(InvalidRecord, match="would make one tag") as caught:
        apply_assignments(BASE, [text])
    assert str(caught.value).endswith(advice)


def test_minus_of_a_missing_value_may_be_passed_over() -> None:
    with pytest.raises(InvalidRecord, match="no value 'absent'"):
        apply_assignments(BASE, ["tags-=absent"])
    assert apply_assignments(BASE, ["tags-=absent", "creators-=Nobody"],
                             missing_ok=True) == BASE
    assert apply_assignments(BASE, ["tags-=FILM"], missing_ok=True).tags == ()


def test_edit_text_lists_every_field_and_round_trips() -> None:
    text = edit_text(BASE)
    for line in ("subtitle: null", "date: null", "publisher: null", "url: null",
                 "summary: null", "source: null", "kind: other", "fields:\n  kicker: K"):
        assert f"\n{line}\n" in text, line
    bare = record_from_mapping({"id": "t", "title": "T"})
    assert "creators: []\n" in edit_text(bare) and "tags: []\n" in edit_text(bare)
    assert "fields: {}\n" in edit_text(bare)
    assert parse_edit(edit_text(bare), bare) is None
    filled = parse_edit(edit_text(bare).replace("date: null", "date: 2021-02"), bare)
    assert filled is not None and filled.date == "2021-02"


def test_an_edit_file_is_kept_until_removed(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    file = EditFile.create(BASE)
    assert file.path.parent.parent == tmp_path
    assert file.path.name == "t.yaml" and file.path.read_text("utf-8") == file.text
    assert not file.changed()
    file.path.write_bytes(b"title: \xff\n")
    assert file.changed()
    with pytest.raises(YamlError, match=r"t\.yaml"):
        file.read()
    file.remove()
    assert not file.path.parent.exists()
    file.remove()  # twice is harmless


def test_save_edit_refuses_a_record_changed_meanwhile(tmp_path: Path) -> None:
    from archivist.errors import ChangeConflict
    from archivist.store import memory_archive

    archive = memory_archive()
    archive.add(BASE)
    original = archive.get("t")
    archive.update(original.with_changes(summary="by another command"))
    edited = original.with_changes(title="Mine")
    kept = tmp_path / "t.yaml"
    # Where the edit is kept ends the message: how to apply it is the command line's.
    with pytest.raises(ChangeConflict, match=f"kept in {kept}$"):
        save_edit(archive, original, edited, kept)
    assert archive.get("t").title == "T"
    archive.remove(["t"])
    with pytest.raises(ChangeConflict, match="was removed"):
        save_edit(archive, original, edited, kept)


def test_apply_edit_file(tmp_path: Path) -> None:
    from archivist.store import memory_archive

    archive = memory_archive()
    archive.add(BASE)
    path = tmp_path / "t.yaml"
    path.write_text(edit_text(archive.get("t")), encoding="utf-8")
    assert apply_edit_file(archive, "T", path) is None
    path.write_text(edit_text(archive.get("t")).replace("summary: null", "summary: S"),
                    encoding="utf-8")
    changed = apply_edit_file(archive, "t", path)
    assert changed is not None and archive.get("t").summary == "S"
    path.write_text("title: T\ntitle: U\n", encoding="utf-8")
    with pytest.raises(YamlError, match=f"{path}:2:1: duplicate key"):
        apply_edit_file(archive, "t", path)


def test_add_record_takes_a_source_already_described() -> None:
    from archivist.editing import NewRecord, add_record
    from archivist.models import Source
    from archivist.store import memory_archive

    archive = memory_archive()
    source = Source(path="crawl.warc", sha256="a" * 64, size=10, retrieved="2021-02-09")
    record = add_record(archive, NewRecord(values={"title": "Page"}, fields={},
                                           source=source))
    assert archive.get(record.id).source == source
