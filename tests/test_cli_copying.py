"""``archivist copy`` on the command line, and the same commands giving the same output
on a file and in PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archivist.cli import cli
from tests.conftest import RECORDS, fingerprint


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_copy_a_file_into_postgres_and_back(pg_url: str, tmp_path: Path) -> None:
    original, back = tmp_path / "a.json", tmp_path / "b.json"
    assert run("--db", str(original), "import", str(RECORDS)).exit_code == 0
    there = run("copy", str(original), pg_url)
    assert there.exit_code == 0, there.stderr
    assert there.stdout == "" and there.stderr.startswith("copied 134 records, 163 links")
    assert run("copy", pg_url, str(back)).exit_code == 0
    exported = [run("--db", str(db), "export", "--format", "json").stdout
                for db in (original, pg_url, back)]
    assert exported[0] == exported[1] == exported[2] and exported[0]


def test_copy_refuses_a_non_empty_target_in_one_line(make_location: Callable[[str], object],
                                                     tmp_path: Path) -> None:
    original = tmp_path / "a.json"
    run("--db", str(original), "add", "--title", "A")
    target = make_location("target")
    assert run("--db", str(target), "add", "--title", "Mine").exit_code == 0
    before = fingerprint(target)  # type: ignore[arg-type]
    beside = sorted(p.name for p in tmp_path.iterdir())
    result = run("copy", str(original), str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "is not empty" in result.stderr
    assert fingerprint(target) == before  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == beside


def test_copy_never_prints_a_password(tmp_path: Path) -> None:
    result = run("copy", str(tmp_path / "a.json"), "postgresql://bob:hunter2@127.0.0.1:1/x")
    assert result.exit_code == 1 and "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_same_commands_give_the_same_output_on_both_engines(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The database's sources folder is the working folder of its first write: the
    # file's folder, here, so source paths are stored alike.
    monkeypatch.chdir(tmp_path)
    # One clock for both runs: `show` prints when a record was added and changed.
    import archivist.history
    import archivist.store.jsonfile.archive
    import archivist.store.postgres.tables

    for module in (archivist.history, archivist.store.jsonfile.archive,
                   archivist.store.postgres.tables):
        monkeypatch.setattr(module, "utc_now", lambda: "2026-01-02T03:04:05Z")
    commands = [
        ["import", str(RECORDS)],
        ["verify"],
        ["list", "tag:lenin", "--sort", "-date"],
        ["show", "cogan-2017-lenins-return-russia"],
        ["tag", "cogan-2017-lenins-return-russia", "Revolution"],
        ["tags"],
        ["links", "cogan-2017-lenins-return-russia"],
        ["rm", "cogan-2017-lenins-return-russia", "--force"],
        ["undo"],
        ["list", "--format", "csv"],
        ["export", "--format", "bibtex"],
        ["check"],
        ["duplicates"],
    ]
    outputs = {}
    for db in (str(tmp_path / "a.json"), pg_url):
        outputs[db] = [(r.exit_code, r.stdout)
                       for r in (run("--db", db, *command) for command in commands)]
    first, second = outputs.values()
    for command, one, other in zip(commands, first, second):
        assert one == other, command
