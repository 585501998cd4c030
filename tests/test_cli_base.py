"""Ctrl-C: one line saying whether the archive was changed, and exit 130.

Real processes get a real SIGINT: while they wait for the lock (nothing written yet),
and just after the rename that commits a write (an import's or an add's).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from archivist.cli.base import INTERRUPTED
from archivist.store.jsonfile import lock
from tests.conftest import Invoke, write_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def archivist(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archivist", "--db", str(db), *args]


def files_beside(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.iterdir() if not p.name.endswith(".lock")}


@pytest.fixture
def seeded(invoke: Invoke, db: Path) -> dict[str, bytes]:
    assert invoke("add", "--title", "First", "--id", "first").exit_code == 0
    assert invoke("list").exit_code == 0  # and its index file
    return files_beside(db)


def test_ctrl_c_while_waiting_for_the_lock_changes_nothing(
        db: Path, seeded: dict[str, bytes]) -> None:
    with lock.exclusive_lock(db):
        proc = subprocess.Popen(archivist(db, "--lock-timeout", "60", "add", "--title", "X"),
                                stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        waiting = proc.stderr.readline()  # said once the writer has waited a second
        assert "wait" in waiting, waiting
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == INTERRUPTED == 130
    assert (out, err) == ("", "interrupted; nothing was changed\n")
    assert files_beside(db) == seeded


#: Runs archivist with a SIGINT sent to itself at one moment of the write.
INTERRUPTING = textwrap.dedent("""
    import os, signal, sys
    from archivist import atomic
    from archivist.store.jsonfile import indexkeeper

    def interrupt():
        os.kill(os.getpid(), signal.SIGINT)

    where = sys.argv.pop(1)
    if where == "after-rename":  # the new file is in place; its folder not yet flushed
        flush = atomic.fsync_folder
        def fsync_folder(folder):
            flush(folder)
            interrupt()
        atomic.fsync_folder = fsync_folder
    else:  # the archive is written; its index file is next
        save = indexkeeper.IndexKeeper._save
        def saving(self, *args, **kwargs):
            interrupt()
            return save(self, *args, **kwargs)
        indexkeeper.IndexKeeper._save = saving
    from archivist.cli import cli
    cli(prog_name="archivist")
""")


def interrupted(where: str, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-c", INTERRUPTING, where, "--db", str(db), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("where", ["after-rename", "before-the-index"])
def test_ctrl_c_after_an_import_was_written_says_so(
        invoke: Invoke, db: Path, seeded: dict[str, bytes], tmp_path: Path,
        where: str) -> None:
    records = write_file(tmp_path / "in" / "new.yaml", "".join(
        f"- id: new-{n}\n  title: New {n}\n" for n in range(50)))
    done = interrupted(where, db, "import", str(records))
    assert done.returncode == 130
    assert done.stderr == "interrupted; the import was written\n"
    listed = invoke("list", "--format", "jsonl")
    assert listed.exit_code == 0
    assert len(listed.stdout.splitlines()) == 51
    assert invoke("check").exit_code == 0


def test_ctrl_c_after_an_add_was_written_says_the_change_was(
        invoke: Invoke, db: Path, seeded: dict[str, bytes]) -> None:
    done = interrupted("after-rename", db, "add", "--title", "Second", "--id", "second")
    assert (done.returncode, done.stdout) == (130, "")
    assert done.stderr == "interrupted; the change was written\n"
    assert invoke("show", "second").exit_code == 0


def test_ctrl_c_in_a_reading_command_changes_nothing(
        invoke: Invoke, db: Path, seeded: dict[str, bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import listing

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(listing, "to_interchange", interrupt)
    result = invoke("show", "first")
    assert (result.exit_code, result.stdout) == (130, "")
    assert result.stderr == "interrupted; nothing was changed\n"
    assert files_beside(db) == seeded


def test_ctrl_c_at_a_prompt_is_an_interrupt_and_end_of_input_is_not(
        invoke: Invoke, db: Path, seeded: dict[str, bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import listing

    def prompt(what: type[BaseException]) -> None:
        try:
            raise what
        except (KeyboardInterrupt, EOFError):
            raise click.Abort() from None  # as click.prompt and click.confirm do

    monkeypatch.setattr(listing, "to_interchange", lambda *a: prompt(KeyboardInterrupt))
    result = invoke("show", "first")
    assert (result.exit_code, result.stderr) == (130, "interrupted; nothing was changed\n")
    monkeypatch.setattr(listing, "to_interchange", lambda *a: prompt(EOFError))
    result = invoke("show", "first")
    assert (result.exit_code, result.stderr) == (1, "Aborted!\n")


def test_ctrl_c_while_list_writes_into_a_full_pipe(tmp_path: Path) -> None:
    db = tmp_path / "big.json"
    records = write_file(tmp_path / "big.yaml", "".join(
        f"- id: r-{n}\n  title: Record {n}\n" for n in range(3000)))
    assert subprocess.run(archivist(db, "import", str(records)), capture_output=True,
                          timeout=120).returncode == 0
    before = files_beside(db)
    # Far more than a pipe holds: once the first bytes came, the writer is blocked in
    # the command, waiting for this reader.
    proc = subprocess.Popen(archivist(db, "list", "--format", "json"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.read(1) == b"["
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.decode() == "interrupted; nothing was changed\n"
    assert files_beside(db) == before


def test_library_errors_name_the_option_that_gave_the_value() -> None:
    from archivist.cite import UnknownStyle
    from archivist.cli.base import named_options, translate
    from archivist.errors import InvalidRecord, RecordInUse, UnknownField
    from archivist.importing.problems import CONFLICT_HINT, FORMAT_HINT, SIZE_HINT
    from archivist.listing import EMPTY_COLUMN

    assert translate(UnknownField("x", what="column", where="the columns")).message == (
        "unknown column 'x' in --columns")
    assert translate(UnknownField("x", what="sort key", where="the sort keys")).message == (
        "unknown sort key 'x' in --sort")
    assert translate(UnknownField("x")).message == "unknown field 'x' in the query"
    assert translate(RecordInUse("a", "b", "a cites b")).message.endswith(
        "unlink it first or use --force")
    assert translate(InvalidRecord(EMPTY_COLUMN)).message == "an empty column name in --columns"
    assert named_options(f"f:1:1: a record with id 'x' already exists {CONFLICT_HINT}") == (
        "f:1:1: a record with id 'x' already exists (use --on-conflict skip or update)")
    assert named_options(f"f:1:1: over the limit of 9 {SIZE_HINT}") == (
        "f:1:1: over the limit of 9 (--max-size)")
    assert named_options("f:1:1: the hint (max_size) is not at the end") == (
        "f:1:1: the hint (max_size) is not at the end")
    assert named_options(f"f: not a .bib file {FORMAT_HINT}") == (
        "f: not a .bib file (give --format to read it as one, or - to read standard input)")
    assert named_options("f:1:1: looks like RIS: name the file .ris or set format to 'ris'") == (
        "f:1:1: looks like RIS: name the file .ris or give --format ris")
    assert translate(UnknownStyle("unknown style 'x'; none is close", known_styles=3)).message == (
        "unknown style 'x'; none is close (archivist cite --list-styles shows all 3)")
