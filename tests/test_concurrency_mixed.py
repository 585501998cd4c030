"""Readers and different writers at once: nothing unparsable is ever seen, nothing is lost.

``tests/test_concurrency.py`` races writers of one kind (``add``); here readers run
beside writers, ``tag`` races ``set`` on one record, and ``import`` races ``add`` and
another ``import``.  Each worker is its own process.  Workers that run many commands
call the command line in-process (the same code path, minus interpreter start-up) so
that the races are tight; the others run ``python -m archivist`` as a user would.

``pytest -m slow`` runs longer variants.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from archivist.cli import cli

#: A child process that runs archivist commands and reports how each went, as JSON.
#: argv: DB MODE COMMANDS_JSON, MODE "inproc" (CliRunner) or "cli" (python -m archivist).
WORKER = r"""
import json, subprocess, sys
from click.testing import CliRunner
from archivist.cli import cli

db, mode, commands = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
runner = CliRunner()
report = []
for args in commands:
    full = ["--db", db, "--lock-timeout", "120", *args]
    if mode == "inproc":
        result = runner.invoke(cli, full)
        code, out, err = result.exit_code, result.stdout, result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback
            err += "".join(traceback.format_exception(result.exception))
    else:
        done = subprocess.run([sys.executable, "-m", "archivist", *full],
                              capture_output=True, text=True)
        code, out, err = done.returncode, done.stdout, done.stderr
    report.append({"args": args, "code": code, "out": out, "err": err})
print(json.dumps(report))
"""

#: A child process that lists the archive as JSON in a loop until a stop file appears.
#: It reports how many reads it made, the record counts it saw, and any bad read.
READER = r"""
import json, os, sys, time
from click.testing import CliRunner
from archivist.cli import cli

db, stop = sys.argv[1], sys.argv[2]
runner = CliRunner()
counts, bad = [], []
while True:
    last = os.path.exists(stop)
    result = runner.invoke(cli, ["--db", db, "list", "--format", "json"])
    try:
        if result.exit_code != 0:
            raise ValueError(f"exit {result.exit_code}: {result.stderr}")
        counts.append(len(json.loads(result.stdout)))
    except Exception as err:
        bad.append(repr(err)[:500])
    if last:
        break
print(json.dumps({"counts": counts, "bad": bad}))
"""


def start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def worker(db: Path, commands: list[list[str]], mode: str = "inproc"
           ) -> subprocess.Popen[str]:
    return start(WORKER, str(db), mode, json.dumps(commands))


def finish(proc: subprocess.Popen[str], timeout: float = 600) -> Any:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return json.loads(out)


def all_succeeded(report: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in report:
        assert "Traceback" not in item["err"], item
        assert item["code"] == 0, item
    return report


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archivist", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=300)


def listed(db: Path) -> list[dict[str, Any]]:
    done = run(db, "list", "--format", "json")
    assert done.returncode == 0, done.stderr
    records: list[dict[str, Any]] = json.loads(done.stdout)
    return records


def records_yaml(prefix: str, count: int) -> str:
    return "".join(f"- id: {prefix}-{n:05d}\n  title: Imported {n}\n  tags: [imported]\n"
                   for n in range(count))


needs_import = pytest.mark.skipif("import" not in cli.commands,
                                  reason="this archivist has no import command")


# -- a reader beside writers -----------------------------------------------------------


def reader_beside_writers(tmp_path: Path, adds: int, renames: int) -> None:
    db = tmp_path / "a.json"
    seed = run(db, "add", "--title", "Seed", "--id", "seed", "--tag", "ping")
    assert seed.returncode == 0, seed.stderr
    stop = tmp_path / "stop"
    reader = start(READER, str(db), str(stop))
    time.sleep(0.3)
    flips = [["tags", "rename", *(("ping", "pong") if n % 2 == 0 else ("pong", "ping"))]
             for n in range(renames)]
    writers = [worker(db, [["add", "--title", f"Record {w} {n}", "--tag", f"w{w}"]
                           for n in range(adds)]) for w in range(2)]
    writers.append(worker(db, flips))
    writers.append(worker(db, [["set", "seed", f"summary=pass {n}", f"kicker={n}"]
                               for n in range(renames)]))
    for proc in writers:
        all_succeeded(finish(proc))
    stop.touch()
    seen = finish(reader)
    assert seen["bad"] == []
    counts = seen["counts"]
    # Writers only add, so a reader can never see fewer records than before.
    assert counts == sorted(counts)
    assert counts[-1] == 1 + 2 * adds
    assert len(counts) > 10, "the reader hardly ran"
    print(f"{len(counts)} reads saw {len(set(counts))} different archives")
    records = listed(db)
    assert len({r["id"] for r in records}) == 1 + 2 * adds
    seed_doc = next(r for r in records if r["id"] == "seed")
    assert seed_doc["summary"] == f"pass {renames - 1}"
    assert seed_doc["tags"] == (["ping"] if renames % 2 == 0 else ["pong"])


def test_a_reader_beside_writers_never_sees_a_broken_archive(tmp_path: Path) -> None:
    reader_beside_writers(tmp_path, adds=40, renames=20)


@pytest.mark.slow
def test_a_reader_beside_writers_for_longer(tmp_path: Path) -> None:
    reader_beside_writers(tmp_path, adds=400, renames=200)


# -- tag racing set on one record ------------------------------------------------------


def tag_races_set(tmp_path: Path, count: int, mode: str) -> None:
    db = tmp_path / "a.json"
    seed = run(db, "add", "--title", "Contested", "--id", "contested")
    assert seed.returncode == 0, seed.stderr
    tagger = worker(db, [["tag", "contested", f"tag-{n}"] for n in range(count)], mode)
    setter = worker(db, [["set", "contested", f"field{n}=value {n}"] for n in range(count)],
                    mode)
    appender = worker(db, [["set", "contested", f"creators+=Creator {n}"]
                           for n in range(count)], mode)
    for proc in (tagger, setter, appender):
        all_succeeded(finish(proc))
    done = run(db, "show", "contested", "--format", "json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    # Every change by every process landed: no update was lost.
    assert sorted(record["tags"]) == sorted(f"tag-{n}" for n in range(count))
    assert record["fields"] == {f"field{n}": f"value {n}" for n in range(count)}
    assert sorted(record["creators"]) == sorted(f"Creator {n}" for n in range(count))
    history = run(db, "history", "contested", "--format", "json")
    assert history.returncode == 0, history.stderr
    # One entry per command, each its own change: 1 add + 3 * count.
    changes = {entry["change"] for entry in json.loads(history.stdout)}
    assert len(changes) == 1 + 3 * count


def test_tag_and_set_racing_on_one_record_both_land(tmp_path: Path) -> None:
    tag_races_set(tmp_path, count=8, mode="cli")


@pytest.mark.slow
def test_tag_and_set_racing_many_times(tmp_path: Path) -> None:
    tag_races_set(tmp_path, count=150, mode="inproc")


# -- import racing add and import ------------------------------------------------------


def import_races_add(tmp_path: Path, imported: int, adds: int) -> None:
    db = tmp_path / "a.json"
    big = tmp_path / "big.yaml"
    big.write_text(records_yaml("imp", imported), encoding="utf-8")
    importer = worker(db, [["import", str(big)]], mode="cli")
    adders = [worker(db, [["add", "--title", f"Added {w} {n}", "--id", f"add-{w}-{n}"]
                          for n in range(adds)]) for w in range(2)]
    all_succeeded(finish(importer))
    for proc in adders:
        all_succeeded(finish(proc))
    ids = [r["id"] for r in listed(db)]
    expected = {f"imp-{n:05d}" for n in range(imported)} | {
        f"add-{w}-{n}" for w in range(2) for n in range(adds)}
    assert len(ids) == len(expected) and set(ids) == expected


@needs_import
def test_import_racing_add_loses_nothing(tmp_path: Path) -> None:
    import_races_add(tmp_path, imported=1000, adds=15)


@pytest.mark.slow
@needs_import
def test_a_large_import_racing_adds(tmp_path: Path) -> None:
    import_races_add(tmp_path, imported=3000, adds=150)


@needs_import
def test_two_imports_of_one_file_racing_add_each_record_once(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    big = tmp_path / "big.yaml"
    big.write_text(records_yaml("imp", 300), encoding="utf-8")
    command = [["import", str(big), "--on-conflict", "skip"]]
    racers = [worker(db, command, mode="cli") for _ in range(3)]
    reports = [all_succeeded(finish(proc)) for proc in racers]
    summaries = [report[0]["err"].strip() for report in reports]
    # One import added everything; the others found every record there and skipped it.
    adding = [s for s in summaries if s.startswith("imported 300 records")]
    assert len(adding) == 1, summaries
    assert sum("skipped 300" in s for s in summaries) == 2, summaries
    ids = [r["id"] for r in listed(db)]
    assert len(ids) == 300 == len(set(ids))
