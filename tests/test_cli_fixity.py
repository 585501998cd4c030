"""The verify and check commands, and add/set --file as users type them."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke, fingerprint

TEXT = b"Dear Comrades\nA film about Novocherkassk\n"
SHA = hashlib.sha256(TEXT).hexdigest()
Unchanged = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The archive's folder, as the working folder, holding ``film.txt``."""
    (tmp_path / "film.txt").write_bytes(TEXT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add(invoke: Invoke, record_id: str, *options: str) -> None:
    result = invoke("add", "--title", record_id.title(), "--id", record_id, *options)
    assert result.exit_code == 0, result.stderr


def doc(invoke: Invoke, record_id: str) -> dict[str, Any]:
    result = invoke("show", record_id, "--format", "json")
    assert result.exit_code == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@pytest.fixture(params=["json", "postgres"])
def engine_db(request: pytest.FixtureRequest, db: Path, monkeypatch: pytest.MonkeyPatch
              ) -> Path | str:
    """The archive the commands use, on each engine: the test's file, or a database
    (made the archive with ``$ARCHIVIST_DB``)."""
    if request.param == "json":
        return db
    if request.node.get_closest_marker("file_only"):
        pytest.skip("needs the archive file itself")
    url: str = request.getfixturevalue("pg_url")
    monkeypatch.setenv("ARCHIVIST_DB", url)
    return url


@pytest.fixture
def three(invoke: Invoke, home: Path, engine_db: Path | str) -> Iterator[Path]:
    """Records ``film`` and ``same`` on film.txt, ``other`` on other.txt, one without,
    on each engine (the sources folder of a database is ``home``, its first write's)."""
    (home / "other.txt").write_bytes(b"other\n")
    add(invoke, "film", "--file", "film.txt", "--tag", "film")
    add(invoke, "same", "--file", "film.txt")
    add(invoke, "other", "--file", "other.txt")
    add(invoke, "plain")
    yield home


# -- verify ---------------------------------------------------------------------------------

def test_verify_all_ok(invoke: Invoke, three: Path) -> None:
    result = invoke("verify")
    assert result.exit_code == 0
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["film", "ok", "film.txt"], ["same", "ok", "film.txt"], ["other", "ok", "other.txt"]]
    assert result.stderr == ("verified 3 sources: 3 ok, 0 changed, 0 missing, "
                             "0 unreadable\n")


def test_verify_failures_exit_1_and_are_stored(invoke: Invoke, three: Path) -> None:
    (three / "film.txt").write_bytes(TEXT + b"edited")
    (three / "other.txt").unlink()
    result = invoke("verify")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["film", "changed", "film.txt"]
    found = hashlib.sha256(TEXT + b"edited").hexdigest()
    assert lines[1] == (f"    expected sha256 {SHA} size {len(TEXT)}; found sha256 {found} "
                        f"size {len(TEXT) + 6}")
    assert lines[4].split() == ["other", "missing", "other.txt"]
    assert result.stderr == ("Error: verified 3 sources: 0 ok, 2 changed, 1 missing, "
                             "0 unreadable\n")
    fixity = doc(invoke, "film")["archive"]["fixity"]
    assert fixity["result"] == "changed" and fixity["sha256_found"] == found
    assert fixity["checked"].endswith("Z")
    assert doc(invoke, "other")["archive"]["fixity"]["result"] == "missing"
    assert "fixity" not in doc(invoke, "plain")["archive"]
    shown = invoke("show", "film").stdout
    assert f"fixity:    changed at {fixity['checked']}" in shown
    listed = json.loads(invoke("list", "fixity:changed", "--format", "json").stdout)
    assert [r["id"] for r in listed] == ["film", "same"]


def test_show_before_any_check(invoke: Invoke, three: Path) -> None:
    assert "fixity:    never checked" in invoke("show", "film").stdout


def test_verify_unreadable_folder_in_place_of_file(invoke: Invoke, three: Path) -> None:
    (three / "other.txt").unlink()
    (three / "other.txt").mkdir()
    result = invoke("verify", "id:other")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["other  unreadable  other.txt",
                                          "    a folder, not a regular file"]
    assert "1 unreadable" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_verify_unreadable_permission(invoke: Invoke, three: Path) -> None:
    (three / "other.txt").chmod(0)
    try:
        result = invoke("verify", "id:other")
    finally:
        (three / "other.txt").chmod(0o644)
    assert result.exit_code == 1 and "unreadable" in result.stdout


def test_verify_query_and_json(invoke: Invoke, three: Path) -> None:
    (three / "other.txt").write_bytes(b"changed\n")
    result = invoke("verify", "tag:film", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{
        "id": "film", "result": "ok", "path": "film.txt",
        "expected": {"sha256": SHA, "size": len(TEXT)},
        "found": {"sha256": SHA, "size": len(TEXT)}, "detail": None}]
    assert "fixity" not in doc(invoke, "other")["archive"]
    result = invoke("verify", "-f", "json")
    assert result.exit_code == 1
    assert [r["result"] for r in json.loads(result.stdout)] == ["ok", "ok", "changed"]


def test_each_run_is_one_change_in_each_records_history(invoke: Invoke, three: Path) -> None:
    before = json.loads(invoke("history", "--format", "json").stdout)
    (three / "other.txt").unlink()
    invoke("verify")
    after = json.loads(invoke("history", "--format", "json").stdout)
    run = after[: len(after) - len(before)]
    assert {e["change"] for e in run} == {before[0]["change"] + 1}
    assert all(e["action"] == "verify" and e["command"] == "archivist verify" for e in run)
    assert [e["record"] for e in run] == [None, "other", "same", "film"]
    assert run[0]["after"] == {"verified": 3, "ok": 2, "changed": 0, "missing": 1,
                               "unreadable": 0}


def test_history_of_a_record_lists_every_check(invoke: Invoke, three: Path) -> None:
    invoke("verify")
    (three / "film.txt").write_bytes(b"changed\n")
    assert invoke("verify", "id:film").exit_code == 1
    result = invoke("history", "film")
    assert result.exit_code == 0 and result.stderr == ""
    checks = [line for line in result.stdout.splitlines() if "verify" in line]
    assert len(checks) == 2
    assert "fixity: ok → changed (found sha256" in checks[0]
    assert "fixity: ok (first check)" in checks[1]
    entries = json.loads(invoke("history", "film", "--format", "json").stdout)
    assert entries[0]["after"]["sha256"] == hashlib.sha256(b"changed\n").hexdigest()
    # The other records' history has the first run only.
    same = json.loads(invoke("history", "same", "--format", "json").stdout)
    assert [e["action"] for e in same] == ["verify", "add"]


def test_verify_from_another_working_folder(invoke: Invoke, three: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (three / "sub").mkdir()
    monkeypatch.chdir(three / "sub")
    assert invoke("verify").exit_code == 0


def test_verify_nothing_to_check(invoke: Invoke, db: Path, home: Path) -> None:
    result = invoke("verify")
    assert result.exit_code == 0 and result.stdout == ""
    assert "verified 0 sources" in result.stderr
    assert not db.exists()


def test_verify_bad_query_changes_nothing(invoke: Invoke, three: Path,
                                          engine_db: Path | str) -> None:
    before = fingerprint(engine_db)
    result = invoke("verify", "(tag:film")
    assert result.exit_code == 1 and result.stderr.startswith("Error: bad query")
    assert fingerprint(engine_db) == before


def test_verify_bad_option_is_a_usage_error(invoke: Invoke, three: Path) -> None:
    assert invoke("verify", "--format", "xml").exit_code == 2


# -- add / set --file -----------------------------------------------------------------------

def test_add_file_relative_inside(invoke: Invoke, home: Path) -> None:
    add(invoke, "rel", "--file", "film.txt", "--span", "1:2", "--retrieved", "2021-02-10")
    assert doc(invoke, "rel")["source"] == {"path": "film.txt", "sha256": SHA,
                                           "size": len(TEXT), "span": [1, 2],
                                           "retrieved": "2021-02-10"}


def test_add_file_absolute_inside_is_stored_relative(invoke: Invoke, home: Path) -> None:
    add(invoke, "abs", "--file", str(home / "film.txt"))
    assert doc(invoke, "abs")["source"]["path"] == "film.txt"


def test_add_file_outside_is_stored_absolute(invoke: Invoke, home: Path,
                                             tmp_path_factory: pytest.TempPathFactory,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path_factory.mktemp("outside") / "page.html"
    outside.write_bytes(b"<p>x</p>")
    add(invoke, "out", "--file", str(outside))
    assert doc(invoke, "out")["source"]["path"] == str(outside)
    monkeypatch.chdir(outside.parent)
    add(invoke, "out-rel", "--file", "page.html")
    assert doc(invoke, "out-rel")["source"]["path"] == str(outside)


def test_add_file_symlink_recorded_as_given(invoke: Invoke, home: Path) -> None:
    (home / "latest.txt").symlink_to(home / "film.txt")
    add(invoke, "link", "--file", "latest.txt")
    source = doc(invoke, "link")["source"]
    assert (source["path"], source["sha256"]) == ("latest.txt", SHA)


def test_add_copy_same_bytes_one_copy(invoke: Invoke, home: Path,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("dl") / "film-again.txt"
    outside.write_bytes(TEXT)
    add(invoke, "c1", "--file", "film.txt", "--copy")
    add(invoke, "c2", "--file", str(outside), "--copy")
    assert doc(invoke, "c1")["source"]["path"] == f"sources/{SHA}.txt"
    assert doc(invoke, "c2")["source"]["path"] == f"sources/{SHA}.txt"
    assert [p.name for p in (home / "sources").iterdir()] == [f"{SHA}.txt"]
    outside.unlink()
    assert invoke("verify").exit_code == 0


def test_set_file_replaces_the_source(invoke: Invoke, home: Path) -> None:
    add(invoke, "s")
    (home / "new.txt").write_bytes(b"new\n")
    assert invoke("set", "s", "--file", "new.txt").exit_code == 0
    assert doc(invoke, "s")["source"]["sha256"] == hashlib.sha256(b"new\n").hexdigest()


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is a folder, not a regular file"),
    (lambda p: os.mkfifo(p), "is a FIFO (named pipe), not a regular file"),
    (lambda p: None, "no such file: thing"),
])
def test_add_file_refusals_change_nothing(invoke: Invoke, home: Path, unchanged: Unchanged,
                                          make: Callable[[Path], object], message: str
                                          ) -> None:
    add(invoke, "first")
    make(home / "thing")
    with unchanged():
        result = invoke("add", "--title", "T", "--file", "thing")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {'thing ' if 'no such' not in message else ''}" \
                            f"{message}\n"
    with unchanged():
        assert invoke("set", "first", "--file", "thing").exit_code == 1


def test_add_copy_of_a_fifo_changes_nothing(invoke: Invoke, home: Path,
                                            unchanged: Unchanged) -> None:
    add(invoke, "first")
    os.mkfifo(home / "pipe")
    with unchanged():
        assert invoke("add", "--title", "T", "--file", "pipe", "--copy").exit_code == 1
    assert not (home / "sources").exists()


def test_add_span_past_the_end_changes_nothing(invoke: Invoke, home: Path,
                                               unchanged: Unchanged) -> None:
    add(invoke, "first")
    with unchanged():
        result = invoke("add", "--title", "T", "--file", "film.txt", "--span", "2:3")
    assert result.exit_code == 1
    assert result.stderr == "Error: span 2:3 runs past the end of film.txt (2 lines)\n"


def test_add_non_utf8_file_name_changes_nothing(invoke: Invoke, home: Path,
                                                unchanged: Unchanged) -> None:
    add(invoke, "first")
    raw = os.fsencode(str(home)) + b"/bad\xff.txt"
    with open(raw, "wb") as out:
        out.write(b"x")
    with unchanged():
        result = invoke("add", "--title", "T", "--file", os.fsdecode(raw))
    assert result.exit_code == 1
    assert "is not valid UTF-8" in result.stderr and "bad\\xff.txt" in result.stderr


# -- check ----------------------------------------------------------------------------------

def test_check_ok(invoke: Invoke, three: Path) -> None:
    invoke("link", "film", "related", "other")
    result = invoke("check")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "check: ok (4 records, 1 links)\n"
    assert invoke("check", "--verify").exit_code == 0


def test_check_missing_archive(invoke: Invoke, db: Path) -> None:
    result = invoke("check")
    assert result.exit_code == 0 and "does not exist yet" in result.stderr
    assert not db.exists()


@pytest.mark.file_only
def test_check_reports_problems_and_changes_nothing(invoke: Invoke, three: Path, db: Path,
                                                    unchanged: Unchanged) -> None:
    data = json.loads(db.read_text(encoding="utf-8"))
    data["links"]["1"] = {"src": "film", "rel": "part-of", "dst": "ghost"}
    db.write_text(json.dumps(data), encoding="utf-8")
    (three / "other.txt").write_bytes(b"changed")
    (db.parent / f".{db.name}.1.2.tmp").write_text("{")
    with unchanged():
        plain = invoke("check")
        rehashed = invoke("check", "--verify")
    assert plain.exit_code == rehashed.exit_code == 1
    assert plain.stdout.splitlines() == [
        "link film part-of ghost: dangling, no record 'ghost'",
        f"stray temporary file {db.parent / f'.{db.name}.1.2.tmp'} (left by an interrupted "
        "write; the next change removes it)"]
    assert plain.stderr == "Error: check: found 2 problems in 4 records and 1 links\n"
    assert rehashed.stdout.splitlines()[1].startswith("other: source changed: other.txt")
    assert (db.parent / f".{db.name}.1.2.tmp").exists()


def test_check_damaged_file(invoke: Invoke, db: Path) -> None:
    db.write_text("{nope", encoding="utf-8")
    result = invoke("check")
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {db}:1:")


def test_help_has_examples(invoke: Invoke) -> None:
    for command in ("verify", "check"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Examples:" in result.stdout
