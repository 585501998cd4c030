"""info, history, the choice of archive, shell completion and start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete

from archivist.cli import cli
from tests.conftest import Invoke


def test_info_says_which_archive_and_why(invoke: Invoke, db: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke("info")
    assert f"archive:   {db}" in result.stdout and "$ARCHIVIST_DB" in result.stdout
    assert "does not exist yet" in result.stdout
    other = tmp_path / "other.json"
    invoke("--db", str(other), "add", "--title", "T", "--tag", "x")
    data = json.loads(invoke("--db", str(other), "info", "--format", "json").stdout)
    assert data["chosen_by"] == "--db" and data["records"] == 1 and data["tags"] == 1
    assert data["format"] == 1
    monkeypatch.delenv("ARCHIVIST_DB")
    data = json.loads(invoke("info", "-f", "json").stdout)
    assert data["chosen_by"] == "default" and data["size"] is None
    assert data["archive"] == str(tmp_path / "xdg" / "archivist" / "archive.json")


def test_info_json_gives_numbers_as_numbers_and_identifiers_as_keys(invoke: Invoke,
                                                                   db: Path) -> None:
    invoke("add", "--title", "T")
    result = invoke("info", "--format", "json")
    data = json.loads(result.stdout)
    assert data["size"] == db.stat().st_size and isinstance(data["size"], int)
    assert all(key.isidentifier() for key in data)
    assert all(isinstance(data[key], int) for key in ("format", "records", "tags", "links",
                                                     "history"))
    text = invoke("info").stdout
    assert f"size:      {db.stat().st_size} bytes\n" in text and "chosen by: $ARCHIVIST_DB" in text
    assert f"id:        {data['id']}\n" in text and len(data["id"]) == 36


def test_info_says_an_archive_has_no_id_until_it_is_written(invoke: Invoke) -> None:
    assert "id:        (none yet: the archive gets one at its next change)" in (
        invoke("info").stdout)


def test_default_archive_is_created_on_first_write(invoke: Invoke, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVIST_DB")
    assert invoke("add", "--title", "T").exit_code == 0
    assert (tmp_path / "xdg" / "archivist" / "archive.json").exists()


def test_history_newest_first_with_before_and_after(invoke: Invoke) -> None:
    invoke("add", "--title", "T", "--id", "t", "--date", "2020")
    invoke("set", "t", "date=2021")
    invoke("tag", "t", "x")
    entries = json.loads(invoke("history", "--format", "json").stdout)
    assert [e["action"] for e in entries] == ["tag", "set", "add"]
    assert entries[1]["before"] == {"date": "2020"} and entries[1]["after"] == {"date": "2021"}
    assert entries[1]["command"] == "archivist set t date=2021"
    assert entries[0]["user"] and entries[0]["time"].endswith("Z")
    table = invoke("history", "t", "--limit", "2").stdout
    assert "date: 2020 → 2021" in table and "added" not in table
    result = invoke("history", "nope")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "no history for 'nope'" in result.stderr


def test_a_damaged_archive_is_reported_and_left_alone(invoke: Invoke, db: Path) -> None:
    db.write_text('{"records": {"1": ', "utf-8")
    for args in (["list"], ["add", "--title", "T"], ["info"]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert "not valid JSON" in result.stderr and "Traceback" not in result.stderr
    assert db.read_text("utf-8") == '{"records": {"1": '


def test_completion_of_ids_and_tags(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("add", "--title", "Dear Comrades", "--id", "weiss-2021", "--tag", "Film")
    invoke("add", "--title", "Other", "--id", "north-2014")

    def complete(args: list[str], incomplete: str) -> list[str]:
        completion = ShellComplete(cli, {}, "archivist", "_ARCHIVIST_COMPLETE")
        return [item.value for item in completion.get_completions(args, incomplete)]

    assert complete(["show"], "we") == ["weiss-2021"]
    assert complete(["tag", "weiss-2021"], "fi") == ["Film"]
    assert sorted(complete(["rm"], "")) == ["north-2014", "weiss-2021"]


def test_help_does_not_import_heavy_modules() -> None:
    code = ("import sys, archivist.cli as c;"
            "heavy = {'tinydb', 'yaml', 'tabulate', 'orjson', 'httpx', 'warcio', 'lxml',"
            " 'archivist.capture'} & set(sys.modules);"
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ}).stdout
    assert out.strip() == "[]"


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "archivist", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("archivist, version")


def test_lock_timeout_is_configurable(invoke: Invoke, db: Path) -> None:
    import fcntl

    invoke("add", "--title", "T", "--id", "t")
    before = db.read_bytes()
    with open(f"{db}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = invoke("--lock-timeout", "0.2", "set", "t", "date=2020")
    assert result.exit_code == 1 and "gave up after 0.2 s" in result.stderr
    assert db.read_bytes() == before


def test_history_fits_the_terminal_and_never_cuts_a_record_id(
        invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist.cli import admin
    from archivist.display import display_width

    record_id = "weiss-2019-destroyed-pamphlet"
    invoke("add", "--title", "T", "--id", record_id)
    invoke("set", record_id, "summary=" + "a long summary, " * 10, "kicker=東京物語 " * 5)
    assert max(map(display_width, invoke("history").stdout.splitlines())) > 100
    monkeypatch.setattr(admin, "stdout_width", lambda: 80)
    out = invoke("history").stdout
    lines = out.splitlines()
    assert max(display_width(line) for line in lines) <= 80, out
    assert all(f"  {record_id}  " in line for line in lines[2:]), out
    assert lines[2].endswith("…")
