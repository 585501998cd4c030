"""The history log of an open archive: numbering, writing, reading and what is logged.

``test_store.py`` and ``test_undo.py`` go through :class:`archivist.store.Archive`;
here a :class:`HistoryLog` is built by hand, over a history left as text (as a
command that only adds reads it) or parsed (as ``history`` and ``undo`` read it).
"""

from __future__ import annotations

import gc
import getpass
import json
import re
import time
import weakref
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist import atomic
from archivist.errors import ArchiveCorrupt
from archivist.history import current_user, diff, loggable, utc_now
from archivist.models import Record
from archivist.store import open_archive
from archivist.store.jsonfile import reader, writer
from archivist.store.jsonfile.historylog import HistoryLog

STAMP = {"time": "2025-06-01T12:00:00Z", "user": "ana", "command": "archivist set"}

#: A stored history of two changes: an add, then a link and a set made together.
STORED: dict[str, Any] = {
    "1": {"change": 1, "time": "2025-01-01T00:00:00Z", "user": "bo", "command": "add",
          "action": "add", "record": "a", "before": None, "after": {"id": "a"}},
    "2": {"change": 2, "time": "2025-01-02T00:00:00Z", "user": "bo", "command": "link",
          "action": "link", "record": "b", "before": None,
          "after": {"src": "b", "rel": "part-of", "dst": "A"}},
    "3": {"change": 2, "time": "2025-01-02T00:00:00Z", "user": "bo", "command": "link",
          "action": "set", "record": "c", "before": {"title": "x"}, "after": {"title": "y"}},
}

MakeLog = Callable[..., HistoryLog]


@pytest.fixture(params=["text", "parsed"])
def make_log(request: pytest.FixtureRequest) -> MakeLog:
    """Builds a log over a stored history, kept as text or parsed.

    The meta document holds the counters an archive file stores with its history;
    the callable returned is given the stored table and, optionally, that meta.
    """
    def make(stored: dict[str, Any] | None = None,
             meta: dict[str, Any] | None = None) -> HistoryLog:
        table = json.loads(json.dumps(stored or {}))  # the log's own copy
        if meta is None:
            meta = {"entries": max(map(int, table), default=0),
                    "change": max((e["change"] for e in table.values()), default=0)}
        if request.param == "text":
            text = atomic.join(writer.history_pieces(table))
            return HistoryLog("a.json", lambda: meta, STAMP, text, None)
        return HistoryLog("a.json", lambda: meta, STAMP, None, table)

    return make


def written_table(log: HistoryLog) -> dict[str, Any]:
    """The history table as the next write would store it."""
    table = json.loads(atomic.join(log.pieces()))
    assert isinstance(table, dict)
    return table


def write(log: HistoryLog, meta: dict[str, Any]) -> None:
    """What :meth:`Archive.commit` does around a write: store the counters, then tell
    the log its entries are written."""
    pieces = log.pieces()
    meta.update(entries=log.entries_so_far(), change=log.last_change())
    log.written(pieces, meta["entries"])


# -- utc_now, current_user ---------------------------------------------------------

@pytest.mark.skipif(not hasattr(time, "tzset"), reason="the local zone cannot be set")
def test_utc_now_is_iso_8601_utc_to_the_second() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "XST-05:30")  # POSIX form: a local zone 5:30 east of UTC
        time.tzset()
        try:
            before = datetime.now(timezone.utc).replace(microsecond=0)
            now = utc_now()
            after = datetime.now(timezone.utc)
        finally:
            patch.undo()
            time.tzset()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", now)
    parsed = datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before <= parsed <= after


def test_current_user_is_the_login_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "ana")
    assert current_user() == "ana"


@pytest.mark.parametrize("error", [KeyError, OSError])
def test_current_user_when_the_login_name_cannot_be_told(
        monkeypatch: pytest.MonkeyPatch, error: type[Exception]) -> None:
    def fail() -> str:
        raise error("no such user")

    monkeypatch.setattr(getpass, "getuser", fail)
    monkeypatch.setenv("USER", "bo")
    assert current_user() == "bo"
    monkeypatch.delenv("USER")
    assert current_user() == "unknown"


# -- entries and their numbers -----------------------------------------------------

def test_an_empty_history(make_log: MakeLog) -> None:
    log = make_log()
    assert (log.entries_so_far(), log.last_change()) == (0, 0)
    assert log.history() == []
    assert written_table(log) == {}


def test_an_entry_carries_the_stamp_and_is_not_logged_yet(make_log: MakeLog) -> None:
    log = make_log(STORED)
    entry = log.entry("set", "a", {"title": "x"}, {"title": "y"}, reverts=2)
    assert entry == {"change": 3, "time": STAMP["time"], "user": "ana",
                     "command": "archivist set", "action": "set", "record": "a",
                     "before": {"title": "x"}, "after": {"title": "y"}, "reverts": 2}
    assert log.new == [] and log.entries_so_far() == 3
    assert written_table(log) == STORED


def test_extra_keys_go_into_every_entry(make_log: MakeLog) -> None:
    log = make_log()
    log.extra = {"reverts": 12}
    log.log_many([("set", "a", None, {"title": "t"}), ("rm", "b", {"id": "b"}, None)])
    assert [entry["reverts"] for _, entry in log.new] == [12, 12]


def test_entries_are_numbered_on_from_the_stored_ones(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many(("tag", record, {"tags": []}, {"tags": ["x"]}) for record in "abc")
    log.append([log.entry("verify", None, None, {"ok": 3})])
    assert [number for number, _ in log.new] == ["4", "5", "6", "7"]
    assert [entry["record"] for _, entry in log.new] == ["a", "b", "c", None]
    assert log.entries_so_far() == 7


def test_one_change_numbers_all_its_entries(make_log: MakeLog) -> None:
    log = make_log(STORED)
    assert log.last_change() == 2  # the newest stored
    log.log_many([("set", "a", None, {"summary": "s"})])
    assert log.last_change() == 3  # counting the one being made
    log.log_many([("rm", "c", {"id": "c"}, None)])
    log.append([log.entry("unlink", "b", STORED["2"]["after"], None)])
    assert {entry["change"] for _, entry in log.new} == {3}
    assert log.last_change() == 3


def test_the_stored_counters_are_trusted_over_an_unparsed_history() -> None:
    # A command that only adds must not parse the whole history to number its entry.
    meta = {"entries": 41, "change": 17}
    text = b'{\n"41": {"change": 17, not parsed}\n}'
    log = HistoryLog("a.json", lambda: meta, STAMP, text, None)
    log.log_many([("add", "z", None, {"id": "z"})])
    assert log.new[0][0] == "42" and log.new[0][1]["change"] == 18
    pieces = atomic.join(log.pieces())
    assert pieces.startswith(text[:-2]) and pieces.endswith(b"\n}")
    assert b'"42": {"change":18,' in pieces


def test_without_stored_counters_they_are_counted(make_log: MakeLog) -> None:
    log = make_log(STORED, meta={})  # an archive written before the counters
    assert (log.entries_so_far(), log.last_change()) == (3, 2)
    log.log_many([("set", "a", None, {"date": "1962"})])
    assert log.new[0][0] == "4" and log.new[0][1]["change"] == 3


# -- writing -----------------------------------------------------------------------

def test_pieces_hold_the_stored_entries_then_the_new(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many([("set", "a", {"title": "x"}, {"title": "y"}),
                  ("rm", "b", {"id": "b"}, None)])
    table = written_table(log)
    assert list(table) == ["1", "2", "3", "4", "5"]
    assert {n: table[n] for n in STORED} == STORED
    assert table["5"] == dict(log.new)["5"]


def test_nothing_logged_writes_the_history_unchanged(make_log: MakeLog) -> None:
    log = make_log(STORED)
    assert written_table(log) == STORED
    log.written(log.pieces(), 3)
    assert written_table(log) == STORED and log.entries_so_far() == 3


def test_once_written_entries_are_stored(make_log: MakeLog) -> None:
    meta: dict[str, Any] = {"entries": 3, "change": 2}
    log = make_log(STORED, meta)
    log.log_many([("set", "a", {"title": "x"}, {"title": "y"})])
    write(log, meta)
    assert log.new == []
    assert (log.entries_so_far(), log.last_change()) == (4, 3)
    assert len(log.stored()) == 4 and log.stored()["4"]["change"] == 3
    # The next command's change gets the next numbers.
    log.log_many([("rm", "a", {"id": "a"}, None)])
    assert log.new[0][0] == "5" and log.new[0][1]["change"] == 4
    write(log, meta)
    assert [e["seq"] for e in log.history()] == [1, 2, 3, 4, 5]
    assert [e["change"] for e in log.history()] == [1, 2, 2, 3, 4]
    assert written_table(log) == {**STORED, "4": log.stored()["4"], "5": log.stored()["5"]}


def test_a_written_unparsed_history_is_the_text_written() -> None:
    meta: dict[str, Any] = {"entries": 0, "change": 0}
    log = HistoryLog("a.json", lambda: meta, STAMP, b"{\n}", None)
    log.log_many([("add", "a", None, {"id": "a"})])
    pieces = log.pieces()
    write(log, meta)
    assert log.text == atomic.join(pieces)
    assert list(json.loads(atomic.join(pieces))) == ["1"]


# -- reading -----------------------------------------------------------------------

def test_history_is_oldest_first_and_numbered(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many([("set", "A", {"title": "y"}, {"title": "z"})])
    entries = log.history()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert [e["action"] for e in entries] == ["add", "link", "set", "set"]
    assert entries[0] == {**STORED["1"], "seq": 1}


def test_history_of_a_record_any_case_with_its_links(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many([("set", "A", {"title": "y"}, {"title": "z"}),
                  ("verify", None, None, {"ok": 1})])
    assert [e["seq"] for e in log.history("a")] == [1, 2, 4]  # 2 links b to A
    assert [e["seq"] for e in log.history("B")] == [2]
    assert [e["seq"] for e in log.history("c")] == [3]
    assert log.history("nobody") == []


def test_brief_entries_get_the_stamp_of_their_change(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many([("verify", "a", {"fixity": None}, {"fixity": "ok"})], brief=True)
    log.log_many([("verify", None, None, {"verified": 1})])
    assert "user" not in log.new[0][1] and "command" not in log.new[0][1]
    check = log.history("a")[-1]
    assert (check["user"], check["command"], check["change"]) == ("ana", "archivist set", 3)


def test_a_brief_entry_alone_in_its_change_stays_as_stored(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many([("verify", "a", None, {"fixity": "ok"})], brief=True)
    assert "user" not in log.history()[-1]


def test_history_of_a_renamed_record_under_either_id(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many([("rename", "d", {"id": "a"}, {"id": "d"})])
    write(log, {})
    log.log_many([("rename", "E", {"id": "D"}, {"id": "E"}),
                  ("set", "e", {"title": "z"}, {"title": "w"})])
    whole = [1, 2, 4, 5, 6]
    assert [e["seq"] for e in log.history("a")] == whole
    assert [e["seq"] for e in log.history("d")] == whole
    assert [e["seq"] for e in log.history("e")] == whole
    assert [e["seq"] for e in log.history("c")] == [3]


def test_history_hands_out_copies(make_log: MakeLog) -> None:
    log = make_log(STORED)
    log.log_many([("set", "a", None, {"title": "t"})])
    for entry in log.history():
        entry["action"] = "changed by a caller"
    assert [e["action"] for e in log.history()] == ["add", "link", "set", "set"]
    assert not any("seq" in entry for entry in written_table(log).values())


@pytest.mark.parametrize("text", [b"[]", b'{"1": {"change": 1}', b"\xff"])
def test_a_damaged_history_is_reported(text: bytes) -> None:
    log = HistoryLog("a.json", dict, STAMP, text, None)
    with pytest.raises(ArchiveCorrupt, match=r"^a\.json"):
        log.history()
    with pytest.raises(ArchiveCorrupt):
        log.stored()


def test_a_deferred_history_is_read_when_first_wanted(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with open_archive(path, write=True) as archive:
        archive.add(Record(id="a", title="A"))
        archive.add(Record(id="b", title="B"))
    log = HistoryLog(str(path), dict, STAMP, None, None,
                     reader.DeferredTables(path).history_parts)
    assert [(e["action"], e["record"]) for e in log.history()] == [("add", "a"), ("add", "b")]
    assert log.entries_so_far() == 2
    log.log_many([("rm", "a", {"id": "a"}, None)])
    assert list(written_table(log)) == ["1", "2", "3"]


def test_a_deferred_missing_file_has_no_history(tmp_path: Path) -> None:
    deferred = reader.DeferredTables(tmp_path / "missing.json")
    log = HistoryLog("missing.json", dict, STAMP, None, None, deferred.history_parts)
    assert log.history() == [] and log.entries_so_far() == 0


def test_a_log_is_freed_as_soon_as_it_is_dropped(make_log: MakeLog) -> None:
    # The log lives as long as its archive; a cycle through it would keep both
    # alive until the garbage collector ran.
    gc.disable()
    try:
        log = make_log(STORED)
        log.log_many([("set", "a", None, {"title": "t"})])
        log.history("a")
        log.written(log.pieces(), 4)
        freed = weakref.ref(log)
        del log
        assert freed() is None
    finally:
        gc.enable()


# -- loggable and diff -------------------------------------------------------------

def test_loggable_drops_private_and_maintained_keys() -> None:
    doc = {"id": "a", "title": "T", "summary": None, "tags": [], "fields": {"_x": 1},
           "archived": "kept", "_search": "t", "_dates": [1], "archive": {"added": "d"}}
    assert loggable(doc) == {"id": "a", "title": "T", "summary": None, "tags": [],
                             "fields": {"_x": 1}, "archived": "kept"}
    assert "_search" in doc and "archive" in doc  # the document is left alone


@pytest.mark.parametrize(("old", "new", "before", "after"), [
    ({"title": "x"}, {"title": "y"}, {"title": "x"}, {"title": "y"}),
    ({"title": "x"}, {"title": "x", "summary": "s"}, {"summary": None}, {"summary": "s"}),
    ({"title": "x", "date": "1962"}, {"title": "x"}, {"date": "1962"}, {"date": None}),
    ({"title": "x", "date": None}, {"title": "x"}, {}, {}),  # None is absent
    ({"fields": {"a": 1, "b": 2}}, {"fields": {"a": 1, "b": 3}},  # a section is whole
     {"fields": {"a": 1, "b": 2}}, {"fields": {"a": 1, "b": 3}}),
    ({"tags": ["a", "b"]}, {"tags": ["b", "a"]}, {"tags": ["a", "b"]}, {"tags": ["b", "a"]}),
    ({"id": "a", "_search": "x", "archive": {"changed": "1"}},
     {"id": "a", "_search": "y", "archive": {"changed": "2"}}, {}, {}),
])
def test_diff(old: dict[str, Any], new: dict[str, Any], before: dict[str, Any],
              after: dict[str, Any]) -> None:
    assert diff(old, new) == (before, after)
    assert diff(new, old) == (after, before)


def test_diff_lists_keys_in_order() -> None:
    before, after = diff({"z": 1, "b": 1, "m": 1}, {"m": 2, "a": 2, "z": 2})
    assert list(before) == list(after) == ["a", "b", "m", "z"]


def test_diff_tells_a_flag_from_a_number() -> None:
    # Python's == takes 1, 1.0 and True for one value; the file does not.
    assert diff({"fields": {"n": 1}}, {"fields": {"n": True}}) == (
        {"fields": {"n": 1}}, {"fields": {"n": True}})
    assert diff({"n": [1]}, {"n": [1.0]}) == ({"n": [1]}, {"n": [1.0]})
    assert diff({"n": [1, {"a": "x"}]}, {"n": (1, {"a": "x"})}) == ({}, {})


KEYS = st.sampled_from(["id", "title", "summary", "tags", "fields", "archive", "archived",
                        "_search", "_dates"]) | st.text(max_size=4)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    | st.floats(allow_nan=False),  # archives hold strict JSON: no NaN
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8)
DOCS = st.dictionaries(KEYS, VALUES, max_size=8)


def _visible(doc: dict[str, Any]) -> dict[str, Any]:
    """What a document shows: its loggable keys that hold a value."""
    return {k: v for k, v in loggable(doc).items() if v is not None}


def _apply(doc: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return _visible({**doc, **values})


@given(DOCS)
def test_a_document_does_not_differ_from_itself(doc: dict[str, Any]) -> None:
    assert diff(doc, doc) == ({}, {})
    assert diff(doc, json.loads(json.dumps(doc))) == ({}, {})


@given(DOCS, DOCS)
def test_diff_redoes_and_undoes_a_change(old: dict[str, Any], new: dict[str, Any]) -> None:
    before, after = diff(old, new)
    assert set(before) == set(after)
    for key in before:
        assert not key.startswith("_") and key != "archive"
        assert before[key] == old.get(key) != after[key] == new.get(key)
    assert _apply(old, after) == _visible(new)  # what undo's redo does
    assert _apply(new, before) == _visible(old)  # what undo does


@given(DOCS)
def test_an_add_logs_what_differs_from_nothing(doc: dict[str, Any]) -> None:
    before, after = diff({}, doc)
    assert after == _visible(doc)
    assert before == dict.fromkeys(after)
    assert loggable(loggable(doc)) == loggable(doc)
