"""BibTeX name lists split by BibTeX's own rules."""

from __future__ import annotations

import pytest

from archivist.importing.bibnames import NameError_, is_others, parse_name, split_list


@pytest.mark.parametrize(("written", "stored"), [
    ("Weiss, Clara", "Clara Weiss"),
    ("Clara Weiss", "Clara Weiss"),
    ("van Beethoven, Ludwig", "Ludwig van Beethoven"),
    ("Ludwig van Beethoven", "Ludwig van Beethoven"),
    ("Van Auken, Bill", "Bill Van Auken"),
    ("de la Cruz, María", "María de la Cruz"),
    ("King, Jr., Martin Luther", "Martin Luther King Jr."),
    ("Троцкий, Лев Давидович", "Лев Давидович Троцкий"),
    (r"{\.Z}{\'o}{\l}kiewski, Stanis{\l}aw", "Stanisław Żółkiewski"),
    (r"O'Connor, Patrick", "Patrick O'Connor"),
    ("Trotsky", "Trotsky"),
    ("{Council on Clinical Cardiology}", "Council on Clinical Cardiology"),
    ("{World Socialist Web Site}", "World Socialist Web Site"),
    ("D.~E. Knuth", "D. E. Knuth"),
])
def test_names_are_split_by_bibtex_rules(written: str, stored: str) -> None:
    assert parse_name(written) == stored


def test_and_splits_only_outside_braces() -> None:
    assert split_list("Reed, Kevin and {Barnes and Noble} AND Walsh, David and others") == [
        "Reed, Kevin", "{Barnes and Noble}", "Walsh, David", "others"]
    assert split_list("Anderson, Ann and Sandberg, Carl") == ["Anderson, Ann",
                                                              "Sandberg, Carl"]
    assert is_others(" others ") and not is_others("Others, Jane")


def test_a_name_with_three_commas_is_refused() -> None:
    with pytest.raises(NameError_, match="more than two commas"):
        parse_name("a, b, c, d")
