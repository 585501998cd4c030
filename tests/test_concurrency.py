"""Several archivist processes on one archive: no update is lost, readers never see damage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ADDER = """
import subprocess, sys
db, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    out = subprocess.run([sys.executable, "-m", "archivist", "--db", db, "--lock-timeout",
                          "300", "add", "--title", f"Record {worker} {i}", "--tag",
                          f"w{worker}"],
                         capture_output=True, text=True)
    if out.returncode == 0:
        print(out.stdout.strip(), flush=True)
    else:
        print("FAILED", out.stderr.strip(), file=sys.stderr, flush=True)
"""


def run_adders(db: Path, workers: int, count: int) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", ADDER, str(db), str(w), str(count)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(workers)]
    printed: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0
        assert "FAILED" not in err, err
        printed.extend(out.split())
    return printed


def list_ids(db: Path) -> list[str]:
    out = subprocess.run([sys.executable, "-m", "archivist", "--db", str(db), "list",
                          "--format", "json"], capture_output=True, text=True, check=True)
    return [r["id"] for r in json.loads(out.stdout)]


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    printed = run_adders(db, workers=2, count=15)
    ids = list_ids(db)
    assert len(ids) == 30 and len(set(ids)) == 30
    assert sorted(printed) == sorted(ids)


@pytest.mark.slow
def test_four_processes_times_250_adds(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    printed = run_adders(db, workers=4, count=250)
    ids = list_ids(db)
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert sorted(printed) == sorted(ids)


def test_a_waiting_writer_says_so(tmp_path: Path) -> None:
    import fcntl

    db = tmp_path / "a.json"
    env = {**os.environ}
    with open(f"{db}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        proc = subprocess.Popen([sys.executable, "-m", "archivist", "--db", str(db), "add",
                                 "--title", "T"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            proc.wait(timeout=1.8)
        except subprocess.TimeoutExpired:
            pass
        assert proc.returncode is None, "the writer did not wait for the lock"
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "waiting for another archivist process" in err
    assert out.strip() == "t"


def test_a_killed_writer_leaves_no_lock_behind(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time; h = open(sys.argv[1], 'w'); "
        "fcntl.flock(h, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"),
        f"{db}.lock"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    out = subprocess.run([sys.executable, "-m", "archivist", "--db", str(db),
                          "--lock-timeout", "2", "add", "--title", "After"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
