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


def test_a_check_shows_its_result_and_the_one_before() -> None:
    def check(before: object, after: dict[str, object]) -> str:
        return describe({"action": "verify", "record": "a", "before": before, "after": after})

    assert check({"fixity": None}, {"fixity": "ok"}) == "fixity: ok (first check)"
    assert check({"fixity": "ok"}, {"fixity": "ok"}) == "fixity: ok"
    assert check({"fixity": "ok"}, {"fixity": "changed", "sha256": "91c2" * 16}) == (
        "fixity: ok → changed (found sha256 91c291c291c2…)")
    assert check({"fixity": "changed"}, {"fixity": "missing"}) == "fixity: changed → missing"


def test_reverts_show_as_undo_and_redo() -> None:
    restore = {"change": 3, "time": "t", "user": "ana", "action": "add", "record": "x",
               "before": None, "after": {"title": "X"}, "reverts": 2}
    again = {**restore, "change": 4, "action": "rm", "before": {"title": "X"}, "after": None,
             "reverts": None, "redoes": 2}
    plain = {**restore, "reverts": None}
    assert history_rows([restore, again, plain]) == [
        ["3", "t", "ana", "undo #2", "x", "restored: X"],
        ["4", "t", "ana", "redo #2", "x", "removed: X"],
        ["3", "t", "ana", "add", "x", "added: X"]]


def test_a_revert_of_a_link_says_what_it_did_to_the_link() -> None:
    link = {"src": "a", "rel": "part-of", "dst": "b"}
    assert describe({"action": "link", "after": link, "before": None, "reverts": 4}) == (
        "link a part-of b")
    assert describe({"action": "unlink", "before": link, "after": None, "redoes": 4}) == (
        "unlink a part-of b")


def test_rename_reads_as_the_old_and_new_id() -> None:
    assert describe({"action": "rename", "record": "b", "before": {"id": "a"},
                     "after": {"id": "b"}}) == "id: a → b"
