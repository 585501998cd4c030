"""The archive survives failures at every step of a write, and ``kill -9`` at any moment.

Two kinds of evidence:

* **Injected failures.**  The atomic writer's calls (``os.open``, ``os.write``,
  ``os.fsync``, ``os.close``, ``os.replace`` and the folder fsync) are made to fail, one
  step at a time, with ``ENOSPC`` and ``EIO``, while a real command runs.  Before the
  rename the archive must be byte-identical to the old one; after it (a failed folder
  fsync) the new archive is in place and loads, and the command still says that the
  write may not be durable.  Either way: exit 1, one line on stderr, no temporary file.
* **SIGKILL.**  Real ``python -m archivist`` writers (``add``, a large ``import``,
  ``tags rename``) are killed at random moments.  Afterwards the archive loads and is
  exactly the old or the new state, the lock does not block the next writer, and a
  stray temporary file is ignored by readers, listed by ``check`` and removed by the
  next write.

``pytest -m slow`` runs the kill trials 200 times instead of about 20.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archivist import atomic
from archivist.cli import cli
from archivist.store.jsonfile import lock, summaryindex
from tests.conftest import Invoke

FROZEN_NOW = "2024-05-01T12:00:00Z"
ERRNOS = {"ENOSPC": errno.ENOSPC, "EIO": errno.EIO}
#: What each errno reads as in the one-line message.
REASONS = {"ENOSPC": "the disk is full", "EIO": os.strerror(errno.EIO)}

# -- injected failures -----------------------------------------------------------------


class FaultyOs:
    """Stands in for :mod:`os` inside :mod:`archivist.atomic`, failing at one step.

    Only calls on the temporary file (or the rename) fail; the lock file and everything
    else go through to the real :mod:`os`.

    :param step: ``open``, ``write`` (half the bytes are written, then the next call
        fails), ``short`` (every write is short but succeeds), ``fsync``, ``close``,
        ``replace``, or ``interrupt`` (Ctrl-C during the fsync).
    """

    def __init__(self, step: str, code: int) -> None:
        self.step = step
        self.code = code
        self.tmp_fd: int | None = None
        self.wrote_half = False
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def _fail(self, call: str) -> None:
        self.failed = True
        raise OSError(self.code, os.strerror(self.code), call)

    def open(self, path: Any, flags: int, mode: int = 0o777) -> int:
        is_tmp = str(path).endswith(".tmp")
        if is_tmp and self.step == "open":
            self._fail("open")
        fd = os.open(path, flags, mode)
        if is_tmp:
            self.tmp_fd = fd
        return fd

    def write(self, fd: int, data: Any) -> int:
        if fd == self.tmp_fd and self.step in ("write", "short"):
            if self.step == "write" and self.wrote_half:
                self._fail("write")
            self.wrote_half = True
            # A short write: the caller must go on with the rest.
            return os.write(fd, bytes(data[: max(1, len(data) // 2)]))
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        if fd == self.tmp_fd and self.step == "fsync":
            self._fail("fsync")
        if fd == self.tmp_fd and self.step == "interrupt":
            self.failed = True
            raise KeyboardInterrupt
        os.fsync(fd)

    def close(self, fd: int) -> None:
        os.close(fd)
        if fd == self.tmp_fd and self.step == "close":
            # close(2) may report a delayed write error (NFS, some FUSE file systems).
            self._fail("close")

    def replace(self, src: Any, dst: Any) -> None:
        if self.step == "replace":
            self._fail("rename")
        os.replace(src, dst)


@dataclass
class Scenario:
    """A command to break, and how to check the state it should leave."""

    name: str
    args: list[str]
    #: Files the command needs, written beside the archive: name → text.
    files: dict[str, str] = field(default_factory=dict)


SEED = [
    ["add", "--title", "Dear Comrades", "--id", "dear-comrades", "--kind", "film",
     "--tag", "film", "--tag", "stalinism"],
    ["add", "--title", "Novocherkassk 1962", "--id", "novo", "--tag", "stalinism"],
    ["add", "--title", "Spare record", "--id", "spare", "--tag", "film"],
]

SCENARIOS = [
    Scenario("add", ["add", "--title", "Новочеркасск", "--id", "new-one", "--tag", "Film"]),
    Scenario("set", ["set", "novo", "title=Novocherkassk, June 1962", "summary=Strike",
                     "kicker=Cinema"]),
    Scenario("tags-rename", ["tags", "rename", "stalinism", "soviet-history"]),
    Scenario("rm", ["rm", "spare"]),
    Scenario("import", ["import", "{dir}/more.yaml"],
             {"more.yaml": "- id: imported-a\n  title: Imported A\n  tags: [film]\n"
                           "- id: imported-b\n  title: Imported B\n"}),
]
STEPS = ["open", "write", "fsync", "close", "replace"]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every timestamp the same, so two runs of a command write the same bytes."""
    monkeypatch.setattr("archivist.store.jsonfile.archive.utc_now", lambda: FROZEN_NOW)


@pytest.fixture
def seeded(invoke: Invoke, db: Path, frozen: None) -> bytes:
    """The archive of :data:`SEED`, as bytes."""
    for args in SEED:
        result = invoke(*args)
        assert result.exit_code == 0, result.stderr
    return db.read_bytes()


def run_scenario(invoke: Invoke, scenario: Scenario, db: Path) -> Any:
    for name, text in scenario.files.items():
        (db.parent / name).write_text(text, encoding="utf-8")
    args = [arg.replace("{dir}", str(db.parent)) for arg in scenario.args]
    return invoke(*args)


def expected_new_state(invoke: Invoke, scenario: Scenario, db: Path, old: bytes) -> bytes:
    """What the command writes when nothing fails (then the old archive is put back)."""
    result = run_scenario(invoke, scenario, db)
    assert result.exit_code == 0, result.stderr
    new = db.read_bytes()
    assert new != old
    db.write_bytes(old)
    return new


def leftovers(db: Path) -> list[str]:
    """Files beside the archive other than the archive, its lock, index and the inputs."""
    return sorted(p.name for p in db.parent.iterdir()
                  if p.name not in (db.name, lock.lock_path(db).name,
                                    summaryindex.index_path(db).name)
                  and not p.name.endswith(".yaml") and p.name != "xdg")


def assert_one_line_error(result: Any) -> str:
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return str(lines[0])


needs_import = pytest.mark.skipif("import" not in cli.commands,
                                  reason="this archivist has no import command")


def scenario_params() -> Iterator[Any]:
    for scenario in SCENARIOS:
        marks = [needs_import] if scenario.name == "import" else []
        yield pytest.param(scenario, id=scenario.name, marks=marks)


@pytest.mark.parametrize("code", sorted(ERRNOS))
@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("scenario", list(scenario_params()))
def test_a_failure_before_the_rename_leaves_the_old_archive(
        invoke: Invoke, db: Path, seeded: bytes, monkeypatch: pytest.MonkeyPatch,
        scenario: Scenario, step: str, code: str) -> None:
    faulty = FaultyOs(step, ERRNOS[code])
    monkeypatch.setattr(atomic, "os", faulty)
    result = run_scenario(invoke, scenario, db)
    assert faulty.failed, "the fault was never reached"
    line = assert_one_line_error(result)
    assert line == f"Error: could not write {db}: {REASONS[code]}; nothing was changed"
    assert db.read_bytes() == seeded
    assert leftovers(db) == []
    monkeypatch.undo()
    # The lock went with the failed command: the next one does not wait at all.
    after = invoke("--lock-timeout", "0", "add", "--title", "Next")
    assert after.exit_code == 0, after.stderr


@pytest.mark.parametrize("code", sorted(ERRNOS))
@pytest.mark.parametrize("scenario", list(scenario_params()))
def test_a_failed_folder_fsync_leaves_the_new_archive_and_says_so(
        invoke: Invoke, db: Path, seeded: bytes, monkeypatch: pytest.MonkeyPatch,
        scenario: Scenario, code: str) -> None:
    new = expected_new_state(invoke, scenario, db, seeded)
    calls: list[Path] = []

    def failing_folder_fsync(folder: Path) -> None:
        calls.append(folder)
        raise OSError(ERRNOS[code], os.strerror(ERRNOS[code]))

    monkeypatch.setattr(atomic, "fsync_folder", failing_folder_fsync)
    result = run_scenario(invoke, scenario, db)
    assert calls == [db.parent]
    line = assert_one_line_error(result)
    # The rename has happened: saying "nothing was changed" would be false.
    assert line.startswith(f"Error: wrote {db}, but could not flush its folder to disk")
    assert REASONS[code] in line and "the change is in place" in line
    assert "nothing was changed" not in line
    assert db.read_bytes() == new
    assert leftovers(db) == []
    monkeypatch.undo()
    listed = invoke("list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert isinstance(json.loads(listed.stdout), list)


@pytest.mark.parametrize("scenario", list(scenario_params()))
def test_short_writes_are_completed(invoke: Invoke, db: Path, seeded: bytes,
                                    monkeypatch: pytest.MonkeyPatch,
                                    scenario: Scenario) -> None:
    new = expected_new_state(invoke, scenario, db, seeded)
    monkeypatch.setattr(atomic, "os", FaultyOs("short", 0))
    result = run_scenario(invoke, scenario, db)
    assert result.exit_code == 0, result.stderr
    assert db.read_bytes() == new
    assert leftovers(db) == []


def test_ctrl_c_during_the_write_leaves_the_old_archive_and_no_temp_file(
        invoke: Invoke, db: Path, seeded: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "os", FaultyOs("interrupt", 0))
    result = invoke(*SCENARIOS[0].args)
    assert result.exit_code == 130
    assert result.stderr == "interrupted; nothing was changed\n"
    assert db.read_bytes() == seeded
    assert leftovers(db) == []


def test_the_first_write_failing_creates_no_archive(invoke: Invoke, db: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "os", FaultyOs("replace", errno.EIO))
    result = invoke("add", "--title", "First")
    assert_one_line_error(result)
    assert not db.exists()
    assert leftovers(db) == []


def test_a_failing_export_file_leaves_no_partial_file(invoke: Invoke, db: Path, seeded: bytes,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if "export" not in cli.commands:
        pytest.skip("this archivist has no export command")
    out = tmp_path / "out" / "records.json"
    out.parent.mkdir()
    out.write_bytes(b"previous export\n")
    monkeypatch.setattr(atomic, "os", FaultyOs("fsync", errno.ENOSPC))
    result = invoke("export", "--format", "json", "-o", str(out))
    line = assert_one_line_error(result)
    assert "the disk is full" in line
    assert out.read_bytes() == b"previous export\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["records.json"]


# -- kill -9 ---------------------------------------------------------------------------

#: Records in the archive that the killed writers start from.
BASE_RECORDS = 300
#: Records in the large import.
IMPORT_RECORDS = 3000


def archivist_cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archivist", "--db", str(db), "--lock-timeout", "20", *args]


def import_available() -> bool:
    probe = subprocess.run([sys.executable, "-m", "archivist", "import", "--help"],
                           capture_output=True, timeout=60)
    return probe.returncode == 0


def records_yaml(prefix: str, count: int, tags: str) -> str:
    return "".join(f"- id: {prefix}-{n:05d}\n  title: Record {n} «{prefix}»\n"
                   f"  creators: [Author {n % 40}]\n  date: '{1900 + n % 120}'\n"
                   f"  tags: [{tags}]\n" for n in range(count))


def state(db: Path) -> Any:
    """What must be exactly old or new: records (values, order), links, history actions.

    Times and command lines (which name the trial's folder) are left out.
    """
    if not db.exists():
        return None
    data = json.loads(db.read_bytes())
    records = [{k: v for k, v in doc.items() if k != "archive"}
               for doc in data["records"].values()]
    history = [(entry["action"], entry["record"], entry["change"])
               for entry in data["history"].values()]
    return records, list(data["links"].values()), history


@dataclass
class KillScenario:
    """A writer to kill: its arguments, and the states before and after it."""

    name: str
    args: list[str]
    base: bytes | None
    before: Any = None
    after: Any = None
    #: How long the writer runs when it is not killed, in seconds.
    duration: float = 0.0


@dataclass
class Tally:
    """How the trials ended, reported at the end (and used to prove coverage)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


class KillLab:
    """Builds the starting archives once, then runs kill trials in fresh folders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()
        self.trial = 0
        self.scenarios: dict[str, KillScenario] = {}
        self.has_import = import_available()
        base_db = root / "base" / "archive.json"
        base_db.parent.mkdir()
        self.load(base_db, records_yaml("base", BASE_RECORDS, "bulk, old"))
        base = base_db.read_bytes()
        self.scenarios["first-add"] = KillScenario(
            "first-add", ["add", "--title", "The very first record"], None)
        self.scenarios["add"] = KillScenario(
            "add", ["add", "--title", "One more record", "--tag", "extra"], base)
        self.scenarios["tags-rename"] = KillScenario(
            "tags-rename", ["tags", "rename", "bulk", "renamed"], base)
        if self.has_import:
            big = root / "big.yaml"
            big.write_text(records_yaml("imp", IMPORT_RECORDS, "imported"), encoding="utf-8")
            self.scenarios["import"] = KillScenario("import", ["import", str(big)], base)
        for scenario in self.scenarios.values():
            self.measure(scenario)

    def load(self, db: Path, text: str) -> None:
        """Fill ``db`` through the library (works with or without an import command)."""
        from archivist.models import record_from_mapping
        from archivist.store import open_archive
        from archivist.yamlio import load_all

        with open_archive(db, write=True, command="archivist import base.yaml") as archive:
            docs = load_all(text)[0]
            archive.add_many((record_from_mapping(doc), None) for doc in docs)

    def fresh(self, scenario: KillScenario) -> Path:
        self.trial += 1
        folder = self.root / f"trial-{self.trial}"
        folder.mkdir()
        db = folder / "archive.json"
        if scenario.base is not None:
            db.write_bytes(scenario.base)
        return db

    def measure(self, scenario: KillScenario) -> None:
        """Run the writer once unkilled: its duration, and the states before and after."""
        db = self.fresh(scenario)
        scenario.before = state(db)
        start = time.monotonic()
        done = subprocess.run(archivist_cmd(db, *scenario.args), capture_output=True,
                              text=True, timeout=300)
        scenario.duration = time.monotonic() - start
        assert done.returncode == 0, done.stderr
        scenario.after = state(db)
        assert scenario.after != scenario.before

    def cli(self, db: Path, *args: str) -> Any:
        return self.runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)

    def kill_trial(self, scenario: KillScenario, rng: random.Random, tally: Tally) -> None:
        db = self.fresh(scenario)
        proc = subprocess.Popen(archivist_cmd(db, *scenario.args), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        how = "at-temp-file" if rng.random() < 0.4 else "random"
        if how == "random":
            # Random moments over the writer's whole life, at least 0-300 ms.
            time.sleep(rng.uniform(0, max(0.3, scenario.duration * 1.2)))
        else:
            # Aim at the write itself: kill within a few ms of the temp file appearing.
            prefix = atomic.temp_prefix(db)
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                if any(name.startswith(prefix) for name in os.listdir(db.parent)):
                    time.sleep(rng.uniform(0, 0.004))
                    break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        where = f"{scenario.name} trial in {db.parent} ({how})"
        self.check_after_kill(scenario, db, where, tally)

    def check_after_kill(self, scenario: KillScenario, db: Path, where: str,
                         tally: Tally) -> None:
        strays = atomic.stray_temp_files(db)
        now = state(db)
        # Exactly the old or the new state, never anything in between.
        if now == scenario.before:
            outcome = "old"
        elif now == scenario.after:
            outcome = "new"
        else:
            pytest.fail(f"{where}: the archive is neither the old nor the new state")
        tally.add(f"{scenario.name}:{outcome}" + (":stray-temp" if strays else ""))
        # Readers load it (a missing archive reads as empty) and ignore stray files.
        listed = self.cli(db, "list", "--format", "json")
        assert listed.exit_code == 0, f"{where}: {listed.stderr}"
        assert len(json.loads(listed.stdout)) == (0 if now is None else len(now[0]))
        if "check" in cli.commands:
            checked = self.cli(db, "check")
            if strays:
                assert checked.exit_code == 1, where
                for stray in strays:
                    assert stray.name in checked.stdout + checked.stderr, where
            else:
                assert checked.exit_code == 0, f"{where}: {checked.stdout}{checked.stderr}"
        # No stale lock: the next writer gets in at once, and cleans up.
        after = self.cli(db, "--lock-timeout", "5", "add", "--title", "After the kill")
        assert after.exit_code == 0, f"{where}: {after.stderr}"
        assert atomic.stray_temp_files(db) == [], where
        assert len(state(db)[0]) == (0 if now is None else len(now[0])) + 1
        shutil.rmtree(db.parent)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> KillLab:
    return KillLab(tmp_path_factory.mktemp("kill"))


def run_trials(lab: KillLab, name: str, trials: int) -> Tally:
    if name not in lab.scenarios:
        pytest.skip("this archivist has no import command")
    seed = int(os.environ.get("ARCHIVIST_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    tally = Tally()
    for _ in range(trials):
        lab.kill_trial(lab.scenarios[name], rng, tally)
    print(f"{name}: seed {seed}, {dict(sorted(tally.counts.items()))}")
    return tally


# About 20 trials in all by default; the writers take 0.2-1.5 s each.
@pytest.mark.parametrize(("name", "trials"), [("first-add", 5), ("add", 5),
                                              ("tags-rename", 6), ("import", 4)])
def test_kill_9_leaves_the_old_or_the_new_archive(lab: KillLab, name: str,
                                                  trials: int) -> None:
    run_trials(lab, name, trials)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["first-add", "add", "tags-rename", "import"])
def test_kill_9_many_times(lab: KillLab, name: str) -> None:
    tally = run_trials(lab, name, 50)
    # Two hundred kills should catch writers on both sides of the rename.
    outcomes = {key.split(":")[1] for key in tally.counts}
    assert outcomes == {"old", "new"}, tally.counts


@pytest.mark.parametrize("name", ["add", "first-add"])
def test_a_stray_temp_file_is_ignored_listed_and_cleaned(lab: KillLab, name: str) -> None:
    """What a writer killed mid-write leaves behind, made by hand to be certain."""
    scenario = lab.scenarios[name]
    db = lab.fresh(scenario)
    stray = db.parent / f"{atomic.temp_prefix(db)}99999.1.tmp"
    stray.write_bytes((scenario.base or b'{"records": {"1": {"id": "half')[:5000])
    lab.check_after_kill(scenario, db, f"hand-made stray ({name})", Tally())
