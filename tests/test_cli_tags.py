"""tag, untag, tags and tags rename."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke


def tags_of(invoke: Invoke, record_id: str) -> list[str]:
    data = json.loads(invoke("show", record_id, "--format", "json").stdout)
    tags: list[str] = data["tags"]
    return tags


def test_tag_untag_and_counts(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "Film")
    invoke("add", "--title", "B", "--id", "b")
    assert invoke("tag", "b", "FILM", "Stalinism", "film").exit_code == 0
    assert tags_of(invoke, "b") == ["Film", "Stalinism"]
    assert invoke("untag", "b", "stalinism").exit_code == 0
    assert tags_of(invoke, "b") == ["Film"]
    result = invoke("tags")
    assert result.stdout.splitlines()[2:] == ["Film   2"]
    assert json.loads(invoke("tags", "--format", "json").stdout) == [
        {"tag": "Film", "count": 2}]


def test_tag_refusals_change_nothing(invoke: Invoke, unchanged: Any) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "x")
    with unchanged():
        assert invoke("tag", "nope", "x").exit_code == 1
        assert invoke("tag", "a", "  ").exit_code == 1
        assert invoke("tag", "a", "bad\x1bescape").exit_code == 1
        result = invoke("untag", "a", "absent")
        assert result.exit_code == 1 and "has no tag 'absent'" in result.stderr
        assert invoke("tag", "a").exit_code == 2


def test_rename_merges_into_an_existing_tag(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "USSR", "--tag", "soviet")
    invoke("add", "--title", "B", "--id", "b", "--tag", "Soviet")
    result = invoke("tags", "rename", "SOVIET", "ussr")
    assert result.exit_code == 0
    assert "2 record(s)" in result.stderr
    assert tags_of(invoke, "a") == ["USSR"]
    assert tags_of(invoke, "b") == ["USSR"]


def test_rename_of_an_unknown_tag_changes_nothing(invoke: Invoke, unchanged: Any) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "x")
    with unchanged():
        result = invoke("tags", "rename", "nope", "y")
    assert result.exit_code == 1 and "no record has the tag 'nope'" in result.stderr


def test_tags_table_escapes_but_json_carries_exactly(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "rtl\u202etag")
    assert "\\u202e" in invoke("tags").stdout
    assert json.loads(invoke("tags", "-f", "json").stdout)[0]["tag"] == "rtl\u202etag"


def test_rename_can_change_only_the_case(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "stalinism")
    invoke("add", "--title", "B", "--id", "b", "--tag", "Stalinism", "--tag", "x")
    assert invoke("tags", "rename", "stalinism", "Stalinism").exit_code == 0
    assert tags_of(invoke, "a") == ["Stalinism"]
    assert tags_of(invoke, "b") == ["Stalinism", "x"]
    assert json.loads(invoke("tags", "-f", "json").stdout)[0] == {"tag": "Stalinism",
                                                                  "count": 2}


# -- bulk edits: tag and untag --where QUERY -----------------------------------------------


def films(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--kind", "film", "--tag", "Film")
    invoke("add", "--title", "B", "--id", "b", "--kind", "film", "--tag", "cinema")
    invoke("add", "--title", "C", "--id", "c", "--kind", "book")


def history_json(invoke: Invoke) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(
        invoke("history", "--format", "json").stdout)
    return entries


def test_tag_where_changes_every_match_in_one_change(invoke: Invoke, db: Path) -> None:
    films(invoke)
    before = db.read_bytes()
    result = invoke("tag", "--where", "kind:film", "cinema", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'a: tags +"cinema"',
        "changed 1 of the 2 records the query selects, in one change (`archivist undo` "
        "reverts it)"]
    assert [tags_of(invoke, i) for i in "abc"] == [["Film", "cinema"], ["cinema"], []]
    assert invoke("tag", "--where", "kind:film OR kind:book", "FILM", "-y").exit_code == 0
    assert [tags_of(invoke, i) for i in "abc"] == [["Film", "cinema"], ["cinema", "Film"],
                                                  ["Film"]]
    tagged = [e for e in history_json(invoke) if e["action"] == "tag"]
    assert len(tagged) == 3 and len({e["change"] for e in tagged}) == 2
    assert invoke("undo").exit_code == 0
    assert invoke("undo").exit_code == 0
    assert [tags_of(invoke, i) for i in "abc"] == [["Film"], ["cinema"], []]
    assert len(db.read_bytes()) > len(before)


def test_untag_where_passes_over_records_without_the_tag(invoke: Invoke) -> None:
    films(invoke)
    result = invoke("untag", "--where", "kind:film", "film", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == 'a: tags -"Film"'
    assert [tags_of(invoke, i) for i in "ab"] == [[], ["cinema"]]


def test_where_without_yes_off_a_terminal_is_refused(invoke: Invoke, db: Path) -> None:
    from archivist.store.jsonfile.summaryindex import index_path

    films(invoke)
    invoke("list")  # the index file is current
    archive, index = db.read_bytes(), index_path(db).read_bytes()
    for args in (["tag", "--where", "kind:film", "x"], ["untag", "--where", "kind:film", "x"],
                 ["set", "--where", "kind:film", "language=en"]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert result.stderr == (f"Error: {args[0]} --where changes many records: give "
                                 "--yes to change them without asking (stdin is not a "
                                 "terminal); nothing was changed\n")
    assert db.read_bytes() == archive and index_path(db).read_bytes() == index


def test_where_asks_at_a_terminal(invoke: Invoke, unchanged: Any, db: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist.store.jsonfile.summaryindex import index_path

    films(invoke)
    index_path(db).unlink()
    monkeypatch.setattr("archivist.cli.tags.stdin_is_terminal", lambda: True)
    with unchanged():
        result = invoke("tag", "--where", "kind:film", "new", input="n\n")
    assert result.exit_code == 1
    assert not index_path(db).exists()  # declined: no file beside the archive changes
    assert result.stderr.splitlines() == ['a: tags +"new"', 'b: tags +"new"',
                                          "Change 2 records? [y/N]: n",
                                          "Error: not confirmed; nothing was changed"]
    result = invoke("tag", "--where", "kind:film", "new", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert [tags_of(invoke, i) for i in "ab"] == [["Film", "new"], ["cinema", "new"]]


def test_a_change_made_while_the_user_confirms_is_not_overwritten(
        invoke: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    from archivist.editing import with_tags
    from archivist.store import open_archive

    films(invoke)
    monkeypatch.setattr("archivist.cli.tags.stdin_is_terminal", lambda: True)

    def meanwhile(*_: Any, **__: Any) -> bool:
        with open_archive(db, write=True) as archive:
            archive.update(with_tags(archive.get("b"), ["other"]), action="tag")
        return True

    monkeypatch.setattr(click, "confirm", meanwhile)
    result = invoke("tag", "--where", "kind:film", "new")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: the records the query selects were changed by another command while you "
        "confirmed; nothing was changed (run the command again)")
    assert [tags_of(invoke, i) for i in "ab"] == [["Film"], ["cinema", "other"]]


def test_where_matching_nothing_says_so_and_exits_0(invoke: Invoke, unchanged: Any) -> None:
    films(invoke)
    with unchanged():
        result = invoke("tag", "--where", "kind:letter", "x", "--yes")
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == "no record matches 'kind:letter'; nothing was changed\n"
        result = invoke("tag", "--where", "id:a", "film", "--yes")
        assert result.exit_code == 0
        assert result.stderr == "1 record match 'id:a'; none would change\n"


def test_where_lines_are_escaped(invoke: Invoke) -> None:
    films(invoke)
    result = invoke("tag", "--where", "id:a", "rtl\u202etag", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == 'a: tags +"rtl\\u202etag"'
    assert tags_of(invoke, "a") == ["Film", "rtl\u202etag"]
    result = invoke("set", "--where", "id:a", "summary=\x9b2J\x1b[0m", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == 'a: summary (none) → "\\x9b2J\\u001b[0m"'


def test_where_takes_a_query_that_starts_with_a_minus(invoke: Invoke) -> None:
    films(invoke)
    assert invoke("tag", "--where", "-kind:film", "paper", "-y").exit_code == 0
    assert [tags_of(invoke, i) for i in "abc"] == [["Film"], ["cinema"], ["paper"]]


def test_where_refusals_change_nothing(invoke: Invoke, unchanged: Any) -> None:
    films(invoke)
    with unchanged():
        for args, code, message in [
            (["tag", "--where", "kind:film", "-y"], 2, "Missing argument"),
            (["tag", "a", "x", "--yes"], 2, "--yes goes with --where"),
            (["tag", "--where", "(kind:film", "x", "-y"], 1, "bad query"),
            (["tag", "--where", " ", "x", "-y"], 1, "--where needs a query"),
            (["untag", "--where", "kind:film", "bad\x1bescape", "-y"], 1, "control"),
        ]:
            result = invoke(*args)
            assert result.exit_code == code, args
            assert message in result.stderr, args
