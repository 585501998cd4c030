"""History entries as people read them."""

from __future__ import annotations

from archivist.history import describe, history_rows


def test_describe_each_kind_of_entry() -> None:
    assert describe({"action": "add", "before": None, "after": {"title": "T"}}) == "added: T"
    assert describe({"action": "rm", "before": {"title": "T"}, "after": None}) == "removed: T"
    assert describe({"action": "set", "before": {"date": "2020", "summary": None},
                     "after": {"date": "2021", "summary": "S"}}) == (
        "date: 2020 → 2021; summary: ∅ → S")
    assert describe({"action": "link", "before": None,
                     "after": {"src": "a", "rel": "part-of", "dst": "b"}}) == "a part-of b"
    assert describe({"action": "verify", "record": None, "before": None,
                     "after": {"ok": 2, "changed": 0}}) == "ok: 2, changed: 0"


def test_long_values_are_shortened_and_controls_escaped() -> None:
    text = describe({"action": "set", "record": "a", "before": {"title": "x" * 100},
                     "after": {"title": "\x1b[2J"}})
    assert "…" in text and "\\x1b[2J" in text and "\x1b" not in text


def test_rows() -> None:
    rows = history_rows([{"change": 3, "time": "2026-01-01T00:00:00Z", "user": "ana",
                          "action": "tag", "record": "a", "before": {"tags": []},
                          "after": {"tags": ["x"]}}])
    assert rows == [["3", "2026-01-01T00:00:00Z", "ana", "tag", "a", "tags: [] → [x]"]]
