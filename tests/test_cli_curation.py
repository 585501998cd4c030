"""undo, duplicates and merge on the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from archivist import atomic
from tests.conftest import Invoke


def show(invoke: Invoke, record_id: str) -> dict[str, Any]:
    result = invoke("show", record_id, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def listing(invoke: Invoke) -> list[dict[str, Any]]:
    """Every record without the ``changed`` stamp (undo moves it on)."""
    records: list[dict[str, Any]] = json.loads(invoke("list", "--format", "json").stdout)
    for record in records:
        record["archive"].pop("changed", None)
    return records


def ok(invoke: Invoke, *args: str) -> Any:
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def two(invoke: Invoke) -> None:
    ok(invoke, "add", "--title", "Dear Comrades", "--id", "a", "--creator", "Clara Weiss",
       "--date", "2021-02-09", "--tag", "film", "--kind", "article")
    ok(invoke, "add", "--title", "Dear comrades!", "--id", "b", "--creator", "Weiss, Clara",
       "--date", "2021", "--tag", "Stalinism", "--publisher", "WSWS", "--kind", "article")


# -- undo ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("add", "--title", "C", "--id", "c"),
    ("rm", "b"),
    ("set", "a", "date=2020", "summary=Changed", "kicker=K"),
    ("tag", "a", "new", "Film"),
    ("untag", "a", "film"),
    ("link", "a", "related", "b"),
    ("tags", "rename", "film", "Cinema"),
    ("merge", "a", "b"),
    ("duplicates", "--distinct", "a", "b"),
])
def test_undo_reverts_each_command(invoke: Invoke, two: None, command: tuple[str, ...]
                                   ) -> None:
    before = listing(invoke)
    ok(invoke, *command)
    assert listing(invoke) != before
    result = ok(invoke, "undo")
    assert result.stderr.startswith("reverted change 3 (archivist ")
    assert listing(invoke) == before


def test_undo_rm_force_restores_links_and_provenance(invoke: Invoke, two: None) -> None:
    ok(invoke, "link", "a", "part-of", "b")
    added = show(invoke, "b")["archive"]
    ok(invoke, "rm", "b", "--force")
    ok(invoke, "undo")
    assert show(invoke, "a")["links"] == [{"rel": "part-of", "target": "b"}]
    restored = show(invoke, "b")["archive"]
    assert restored == added


def test_undo_merge_restores_the_other_record_and_links(invoke: Invoke, two: None) -> None:
    ok(invoke, "add", "--title", "Series", "--id", "s", "--kind", "series")
    ok(invoke, "link", "b", "part-of", "s")
    before = listing(invoke)
    ok(invoke, "merge", "a", "b")
    assert [r["id"] for r in listing(invoke)] == ["a", "s"]
    ok(invoke, "undo")
    assert listing(invoke) == before


def test_undo_n_and_json(invoke: Invoke, two: None) -> None:
    start = listing(invoke)
    ok(invoke, "set", "a", "date=2020")
    ok(invoke, "tag", "b", "x")
    result = ok(invoke, "undo", "2", "--format", "json")
    data = json.loads(result.stdout)
    assert [c["change"] for c in data] == [4, 3]
    assert data[0]["steps"] == ["tag b: tags"]
    assert listing(invoke) == start
    history = json.loads(ok(invoke, "history", "--format", "json").stdout)
    assert [(e["change"], e.get("reverts")) for e in history[:3]] == [
        (5, 3), (5, 4), (4, None)]


def test_undo_three_times_walks_back_three_changes(invoke: Invoke, two: None) -> None:
    states = [listing(invoke)]
    for command in (("set", "a", "date=2020"), ("tag", "b", "x"), ("untag", "a", "film")):
        ok(invoke, *command)
        states.append(listing(invoke))
    for back in range(1, 4):
        result = ok(invoke, "undo")
        assert result.stdout == ""
        assert result.stderr.startswith(f"reverted change {6 - back} (archivist ")
        assert listing(invoke) == states[-1 - back]
    for forward in range(1, 4):
        result = ok(invoke, "redo")
        assert result.stdout == ""
        assert result.stderr.startswith(f"redid change {2 + forward} (archivist ")
        assert listing(invoke) == states[forward]
    result = invoke("redo")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("Error: there is nothing to redo: no change has been undone "
                             "since the last change\n")


def test_a_new_change_after_undo_discards_redo(invoke: Invoke, db: Path, two: None,
                                               unchanged: Any) -> None:
    ok(invoke, "set", "a", "date=2020")
    ok(invoke, "undo")
    ok(invoke, "tag", "a", "new")
    with unchanged():
        result = invoke("redo")
    assert result.exit_code == 1 and "nothing to redo" in result.stderr


def test_redo_n_dry_run_and_json(invoke: Invoke, two: None, unchanged: Any) -> None:
    ok(invoke, "set", "a", "date=2020")
    ok(invoke, "tag", "b", "x")
    end = listing(invoke)
    ok(invoke, "undo", "2")
    with unchanged():
        result = ok(invoke, "redo", "2", "--dry-run")
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "would redo change 3 (archivist set a date=2020): set a: date",
        "would redo change 4 (archivist tag b x): tag b: tags"]
    data = json.loads(ok(invoke, "redo", "2", "--format", "json").stdout)
    assert [(c["change"], c["steps"]) for c in data] == [
        (3, ["set a: date"]), (4, ["tag b: tags"])]
    assert listing(invoke) == end
    with unchanged():
        result = invoke("redo")
        assert result.exit_code == 1 and "nothing to redo" in result.stderr
        assert invoke("redo", "0").exit_code == 2
        assert invoke("redo", "x").exit_code == 2


def test_redo_refused_when_the_archive_moved_on(invoke: Invoke, db: Path, two: None,
                                               unchanged: Any) -> None:
    ok(invoke, "set", "a", "date=2020")
    ok(invoke, "undo")
    _edit_db(db, "a", date="1999")  # changed behind history's back
    with unchanged():
        result = invoke("redo")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("Error: cannot redo change 3 (archivist set a date=2020): a's "
                             "date has been changed since; nothing was changed\n")


def test_history_shows_reverts_as_undo_and_redo(invoke: Invoke, two: None) -> None:
    ok(invoke, "rm", "b", "--force")
    ok(invoke, "undo")
    ok(invoke, "redo")
    result = ok(invoke, "history", "b")
    rows = [line for line in result.stdout.splitlines() if " b " in f" {line} "]
    assert len(rows) == 4
    assert "redo #3" in rows[0] and "removed: Dear comrades!" in rows[0]
    assert "undo #3" in rows[1] and "restored: Dear comrades!" in rows[1]
    assert " rm " in rows[2] and "undo" not in rows[2]
    assert " add " in rows[3] and "added: Dear comrades!" in rows[3]


def test_dry_run_changes_nothing(invoke: Invoke, two: None, unchanged: Any) -> None:
    with unchanged():
        result = ok(invoke, "undo", "2", "--dry-run")
    assert result.stdout.splitlines() == [
        "would revert change 2 (archivist add --title 'Dear comrades!' --id b --creator "
        "'Weiss, Clara' --date 2021 --tag Stalinism --publisher WSWS --kind article): "
        "remove b",
        "would revert change 1 (archivist add --title 'Dear Comrades' --id a --creator "
        "'Clara Weiss' --date 2021-02-09 --tag film --kind article): remove a"]


def _edit_db(db: Path, record_id: str, **values: Any) -> None:
    data = atomic.loads(db.read_bytes())
    for doc in data["records"].values():
        if doc["id"] == record_id:
            doc.update(values)
    db.write_bytes(atomic.dumps(data))


def test_undo_refusals_change_nothing(invoke: Invoke, db: Path, two: None,
                                      unchanged: Any) -> None:
    ok(invoke, "set", "a", "date=2020")
    _edit_db(db, "a", date="1999")  # changed behind history's back
    with unchanged():
        result = invoke("undo")
    assert result.exit_code == 1
    assert result.stderr == ("Error: cannot undo change 3 (archivist set a date=2020): "
                             "a's date has been changed since; nothing was changed\n")
    with unchanged():
        result = invoke("undo", "9")
    assert result.exit_code == 1 and "only 3 change(s) can be undone" in result.stderr
    with unchanged():
        assert invoke("undo", "0").exit_code == 2
        assert invoke("undo", "x").exit_code == 2


def test_undo_with_an_empty_history(invoke: Invoke, db: Path) -> None:
    result = invoke("undo")
    assert result.exit_code == 1 and "nothing to undo" in result.stderr
    assert not db.exists()


# -- duplicates ------------------------------------------------------------------------------


def test_duplicates_table_and_json(invoke: Invoke, two: None) -> None:
    ok(invoke, "add", "--title", "Other", "--id", "c", "--url", "https://www.x.org/p/")
    ok(invoke, "add", "--title", "Else", "--id", "d", "--url", "https://x.org/p#top")
    table = ok(invoke, "duplicates").stdout.splitlines()
    assert table[0].split() == ["group", "score", "kind", "reason", "id", "date", "title"]
    assert len(table) == 6
    data = json.loads(ok(invoke, "duplicates", "--format", "json").stdout)
    assert [(g["ids"], g["kind"], g["score"]) for g in data] == [
        (["c", "d"], "exact", 1.0), (["a", "b"], "likely", 0.9)]
    assert data[1]["records"][1] == {"id": "b", "title": "Dear comrades!", "date": "2021",
                                     "creators": ["Weiss, Clara"]}
    only = json.loads(ok(invoke, "duplicates", "title:dear", "-f", "json").stdout)
    assert [g["ids"] for g in only] == [["a", "b"]]


def test_no_duplicates(invoke: Invoke, two: None) -> None:
    result = ok(invoke, "duplicates", "id:a")
    assert result.stdout == "" and "no duplicates found" in result.stderr
    assert json.loads(ok(invoke, "duplicates", "id:a", "-f", "json").stdout) == []


def test_distinct_persists_and_is_logged(invoke: Invoke, two: None) -> None:
    result = ok(invoke, "distinct", "a", "B")
    assert result.stdout == "" and result.stderr == "a and B are now marked distinct\n"
    assert json.loads(ok(invoke, "duplicates", "-f", "json").stdout) == []
    assert show(invoke, "a")["archive"]["distinct"] == ["b"]
    history = json.loads(ok(invoke, "history", "--format", "json").stdout)
    assert [(e["action"], e["record"]) for e in history[:2]] == [
        ("distinct", "b"), ("distinct", "a")]
    again = ok(invoke, "distinct", "b", "a")
    assert "already marked distinct" in again.stderr


def test_distinct_is_undone_by_undo(invoke: Invoke, two: None) -> None:
    ok(invoke, "distinct", "a", "b")
    ok(invoke, "undo")
    assert "distinct" not in show(invoke, "a")["archive"]
    assert len(json.loads(ok(invoke, "duplicates", "-f", "json").stdout)) == 1


def test_the_old_spelling_of_distinct_works_with_a_note(invoke: Invoke, two: None) -> None:
    result = ok(invoke, "duplicates", "--distinct", "a", "b")
    assert result.stderr.splitlines() == [
        "note: `duplicates --distinct A B` is now `archivist distinct A B`",
        "a and b are now marked distinct"]
    assert show(invoke, "a")["archive"]["distinct"] == ["b"]


def test_distinct_refusals_change_nothing(invoke: Invoke, two: None, unchanged: Any) -> None:
    with unchanged():
        for command in (["distinct"], ["duplicates", "--distinct"]):
            result = invoke(*command, "a", "nope")
            assert result.exit_code == 1 and "no record with id 'nope'" in result.stderr
            result = invoke(*command, "a", "A")
            assert result.exit_code == 1 and "distinct from itself" in result.stderr
        assert invoke("distinct", "a").exit_code == 2
        assert invoke("duplicates", "--distinct", "a", "b", "tag:x").exit_code == 2
        assert invoke("duplicates", "--distinct", "a").exit_code == 2


# -- merge --------------------------------------------------------------------------------


def test_merge_unions_and_keeps_conflicts(invoke: Invoke, two: None) -> None:
    result = ok(invoke, "merge", "a", "b")
    assert result.stdout == ""
    assert result.stderr == "merged b into a (0 link(s) re-pointed, 0 dropped)\n"
    record = show(invoke, "a")
    assert record["tags"] == ["film", "Stalinism"]
    # One person in two spellings is one creator, spelt as the record kept spells her.
    assert record["creators"] == ["Clara Weiss"]
    assert record["fields"]["merged"]["b"]["creators"] == ["Weiss, Clara"]
    assert record["publisher"] == "WSWS" and record["date"] == "2021-02-09"
    assert record["fields"]["merged"]["b"]["date"] == "2021"
    assert record["fields"]["merged_from"] == ["b"]
    assert invoke("show", "b").exit_code == 1


def test_merge_dry_run(invoke: Invoke, two: None, unchanged: Any) -> None:
    with unchanged():
        data = json.loads(ok(invoke, "merge", "a", "b", "--dry-run", "-f", "json").stdout)
        text = ok(invoke, "merge", "a", "b", "--dry-run").stdout
        yaml_text = ok(invoke, "merge", "a", "b", "--dry-run", "--format", "yaml").stdout
    assert data["merged"] == ["b"] and data["record"]["publisher"] == "WSWS"
    assert data["conflicts"] == {"b": {"title": "Dear comrades!", "date": "2021",
                                       "creators": ["Weiss, Clara"]}}
    assert re.search(r"^publisher: +WSWS$", text, re.MULTILINE)
    assert "merged:\n  b:\n    title: " in text
    assert "merged_from:" in yaml_text


@pytest.mark.parametrize("args, code, message", [
    (("merge", "a", "nope"), 1, "no record with id 'nope'"),
    (("merge", "nope", "a"), 1, "no record with id 'nope'"),
    (("merge", "a", "b", "A"), 1, "cannot also be merged into itself"),
    (("merge", "a", "b", "b"), 1, "given twice"),
    (("merge", "a"), 2, "Missing argument"),
])
def test_merge_refusals_change_nothing(invoke: Invoke, two: None, unchanged: Any,
                                       args: tuple[str, ...], code: int, message: str) -> None:
    with unchanged():
        result = invoke(*args)
    assert result.exit_code == code and message in result.stderr


def test_help_has_examples(invoke: Invoke) -> None:
    for command in ("undo", "redo", "rename", "duplicates", "merge"):
        assert "Examples:" in ok(invoke, command, "--help").stdout


# -- rename -------------------------------------------------------------------------------


def folder(db: Path) -> dict[str, bytes]:
    """Every file beside the archive (the archive and its index included), by name."""
    return {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}


def test_rename_prints_the_new_id_and_what_happened(invoke: Invoke, two: None) -> None:
    ok(invoke, "link", "a", "related", "b")
    ok(invoke, "duplicates", "--distinct", "a", "b")
    result = ok(invoke, "rename", "b", "weiss-2021-dear-comrades-2")
    assert result.stdout == "weiss-2021-dear-comrades-2\n"
    assert result.stderr == ("renamed b to weiss-2021-dear-comrades-2 (1 link(s) re-pointed, "
                             "1 distinct list(s) changed)\n")
    assert show(invoke, "a")["links"] == [
        {"rel": "related", "target": "weiss-2021-dear-comrades-2"}]
    assert show(invoke, "a")["archive"]["distinct"] == ["weiss-2021-dear-comrades-2"]
    assert show(invoke, "weiss-2021-dear-comrades-2")["title"] == "Dear comrades!"
    assert invoke("show", "b").exit_code == 1


def test_history_under_either_id_and_undo_renames_back(invoke: Invoke, two: None) -> None:
    ok(invoke, "set", "b", "date=2021-02")
    ok(invoke, "rename", "b", "c")
    ok(invoke, "set", "c", "summary=S")
    by_old = json.loads(ok(invoke, "history", "b", "--format", "json").stdout)
    by_new = json.loads(ok(invoke, "history", "c", "--format", "json").stdout)
    assert by_old == by_new
    assert [(e["action"], e["record"]) for e in by_new] == [
        ("set", "c"), ("rename", "c"), ("set", "b"), ("add", "b")]
    table = ok(invoke, "history", "b").stdout
    assert "id: b → c" in table and "date: 2021 → 2021-02" in table
    result = ok(invoke, "undo", "2")
    assert result.stderr.splitlines()[1] == (
        "reverted change 4 (archivist rename b c): rename c to b")
    assert show(invoke, "b")["date"] == "2021-02" and show(invoke, "b")["summary"] is None
    ok(invoke, "undo")  # the set made under the old id, before the rename
    assert show(invoke, "b")["date"] == "2021"


@pytest.mark.parametrize("args, message", [
    (("rename", "b", "A"), "Error: a record with id 'a' already exists\n"),
    (("rename", "b", "b"), "Error: b already has the id b; nothing was changed\n"),
    (("rename", "b", "bad id"), "Error: bad id 'bad id': use ASCII letters, digits, '-', '_' "
                                "and '.', starting with a letter or digit (at most 128 "
                                "characters)\n"),
    (("rename", "zzz", "c"), None),
])
def test_rename_refusals_change_nothing(invoke: Invoke, db: Path, two: None,
                                        args: tuple[str, ...], message: str | None) -> None:
    invoke("list")  # the index file is written, and must stay as it is
    before = folder(db)
    result = invoke(*args)
    assert folder(db) == before
    assert result.exit_code == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    if message is None:
        assert result.stderr.startswith("Error: no record with id 'zzz'")
    else:
        assert result.stderr == message


def test_rename_usage_errors(invoke: Invoke, db: Path, two: None) -> None:
    before = folder(db)
    assert invoke("rename", "a").exit_code == 2
    assert invoke("rename").exit_code == 2
    assert folder(db) == before


def test_redo_refusal_leaves_every_file(invoke: Invoke, db: Path, two: None) -> None:
    invoke("list")
    before = folder(db)
    result = invoke("redo")
    assert result.exit_code == 1 and folder(db) == before


def test_duplicates_table_fits_the_terminal_and_never_cuts_an_id(
        invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist.cli import curation
    from archivist.display import display_width

    long_a = "weiss-2021-dear-comrades-russian-film-review"
    title = "Dear Comrades: Russian film about the 1962 Novocherkassk massacre"
    for record_id, date in ((long_a, "2021-02-09"), (long_a + "-2", "2021")):
        ok(invoke, "add", "--title", title, "--id", record_id, "--creator", "Clara Weiss",
           "--date", date, "--kind", "article")
    whole = invoke("duplicates").stdout
    assert title in whole
    monkeypatch.setattr(curation, "stdout_width", lambda: 100)
    out = invoke("duplicates").stdout
    lines = out.splitlines()
    assert max(display_width(line) for line in lines) <= 100, out
    assert [line.split()[:2] for line in lines[2:]] == [["1", "0.90"], ["1", "0.90"]]
    assert f"  {long_a}  " in lines[2] and f"  {long_a}-2  " in lines[3]
    assert title not in out and "…" in lines[2]
