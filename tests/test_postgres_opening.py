"""Opening an archive in PostgreSQL: one transaction per command, writers one after
another (no update lost between processes), the tables made by the first write."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from archivist.editing import with_tags
from archivist.errors import LockTimeout
from archivist.models import Record
from archivist.store import open_archive, version_of

ADDER = """
import sys
from archivist.models import Record
from archivist.store import open_archive
url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    with open_archive(url, write=True, command=f"worker {worker}") as archive:
        record = Record(id=archive.new_id(f"Record {worker} {i}"), title=f"Record {worker} {i}")
        print(archive.add(record).id, flush=True)
"""

TAGGER = """
import sys
from archivist.editing import with_tags
from archivist.store import open_archive
url, tag = sys.argv[1], sys.argv[2]
with open_archive(url, write=True) as archive:
    archive.update(with_tags(archive.get("shared"), [tag]), action="tag")
"""


def run_all(script: str, argument_lists: list[list[str]]) -> list[str]:
    """Run ``script`` once per argument list, all at once; what they printed."""
    procs = [subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for args in argument_lists]
    printed: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        printed.extend(out.split())
    return printed


def test_eight_processes_times_25_adds_lose_nothing(pg_url: str) -> None:
    printed = run_all(ADDER, [[pg_url, str(w), "25"] for w in range(8)])
    with open_archive(pg_url) as archive:
        ids = archive.ids()
        history = archive.history()
    assert len(ids) == 200 and sorted(ids) == sorted(printed)
    assert len(history) == 200
    # Each command is one change, numbered one after another.
    assert sorted(e["change"] for e in history) == list(range(1, 201))


def test_eight_processes_tagging_one_record_keep_every_tag(pg_url: str) -> None:
    with open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="shared", title="Shared"))
    run_all(TAGGER, [[pg_url, f"tag{n}"] for n in range(8)])
    with open_archive(pg_url) as archive:
        assert sorted(archive.get("shared").tags) == [f"tag{n}" for n in range(8)]


def test_the_first_write_makes_the_tables_and_a_failed_one_does_not(pg_url: str) -> None:
    with open_archive(pg_url) as archive:
        assert not archive.exists and len(archive) == 0 and archive.history() == []
    assert version_of(pg_url) is None
    with pytest.raises(RuntimeError), open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="a", title="A"))
        raise RuntimeError("the command fails")
    assert version_of(pg_url) is None
    with open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="a", title="A"))
    with open_archive(pg_url) as archive:
        assert archive.exists and archive.ids() == ["a"]
    assert version_of(pg_url) is not None


def test_a_failed_command_changes_nothing(pg_url: str) -> None:
    with open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="a", title="A"))
    before = version_of(pg_url)
    with pytest.raises(RuntimeError), open_archive(pg_url, write=True) as archive:
        archive.update(with_tags(archive.get("a"), ["x"]))
        archive.add(Record(id="b", title="B"))
        raise RuntimeError("the command fails")
    with open_archive(pg_url) as archive:
        assert archive.ids() == ["a"] and archive.get("a").tags == ()
        assert len(archive.history()) == 1
    assert version_of(pg_url) == before


def test_a_reader_sees_one_state_throughout(pg_url: str) -> None:
    with open_archive(pg_url, write=True) as archive:
        archive.add(Record(id="a", title="A"))
    with open_archive(pg_url) as reader:
        assert reader.ids() == ["a"]
        with open_archive(pg_url, write=True) as writer:
            writer.add(Record(id="b", title="B"))
        assert reader.ids() == ["a"] and "b" not in reader


def test_a_writer_waits_for_another_and_says_so_once(pg_url: str) -> None:
    told: list[str] = []
    with open_archive(pg_url, write=True) as first:
        first.add(Record(id="a", title="A"))

        def second() -> None:
            with open_archive(pg_url, write=True, on_wait=told.append) as archive:
                archive.add(Record(id="b", title="B"))

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive()
    thread.join(10)
    assert len(told) == 1 and "waiting for another archivist process" in told[0]
    with open_archive(pg_url) as archive:
        assert archive.ids() == ["a", "b"]


def test_a_writer_gives_up_after_the_lock_timeout(pg_url: str) -> None:
    with open_archive(pg_url, write=True) as first:
        first.add(Record(id="a", title="A"))
        started = time.monotonic()
        with pytest.raises(LockTimeout, match=r"gave up after 0\.5 s"), \
                open_archive(pg_url, write=True, lock_timeout=0.5):
            pass
        assert time.monotonic() - started < 5
