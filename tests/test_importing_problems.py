"""The problems of an import: one line each, in the order of their places, up to a limit."""

from __future__ import annotations

import pytest

from archivist.errors import ImportFailed
from archivist.importing.problems import MAX_PROBLEMS, Place, Problems


def test_problems_are_one_line_each_and_listed_up_to_a_limit() -> None:
    problems = Problems()
    problems.raise_if_any()  # nothing to report
    problems.add(Place(0, 1, 1, "f.yaml"), "a\nb\x1b[2J")
    assert problems.items == ["f.yaml:1:1: a\\x0ab\\x1b[2J"]
    for _ in range(MAX_PROBLEMS + 1):
        problems.add(Place(0, 2, 1, "f.yaml"), "again")
    with pytest.raises(ImportFailed) as err:
        problems.raise_if_any()
    assert err.value.problems[-1] == "… and 2 more" and err.value.total == MAX_PROBLEMS + 2


def test_problems_are_listed_by_file_as_given_then_line_whoever_found_them() -> None:
    problems = Problems()
    for rank, line, label in [(1, 3, "b.yaml"), (0, 9, "z.yaml"), (1, 1, "b.yaml"),
                              (0, 2, "z.yaml")]:
        problems.add(Place(rank, line, 1, label), "x")
    assert [p.split(": ")[0] for p in problems.items] == [
        "z.yaml:2:1", "z.yaml:9:1", "b.yaml:1:1", "b.yaml:3:1"]


def test_an_input_that_stopped_is_shown_though_earlier_problems_fill_the_limit() -> None:
    problems = Problems()
    problems.add(Place(1, 9, 1, "b.yaml"), "stopped here", stop=True)
    for line in range(MAX_PROBLEMS + 5):
        problems.add(Place(0, line + 1, 1, "a.yaml"), "wrong")
    with pytest.raises(ImportFailed) as err:
        problems.raise_if_any()
    shown = err.value.problems
    assert len(shown) == MAX_PROBLEMS + 1 and err.value.total == MAX_PROBLEMS + 6
    assert shown[-2] == "b.yaml:9:1: stopped here" and shown[-1] == "… and 6 more"
    assert shown[MAX_PROBLEMS - 2] == f"a.yaml:{MAX_PROBLEMS - 1}:1: wrong"


def test_places_read_as_file_line_column_and_sort_by_input_first() -> None:
    assert str(Place(3, 12, 5, "dir/r.yaml")) == "dir/r.yaml:12:5"
    assert sorted([Place(1, 1, 1, "b"), Place(0, 7, 2, "a"), Place(0, 7, 1, "a")]) == [
        Place(0, 7, 1, "a"), Place(0, 7, 2, "a"), Place(1, 1, 1, "b")]
