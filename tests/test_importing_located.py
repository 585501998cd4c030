"""Located records, and structured names in the form archivist stores them."""

from __future__ import annotations

import pytest

from archivist.importing.located import located, person, usable_key


@pytest.mark.parametrize(("parts", "stored"), [
    (("Weiss", "Clara"), "Clara Weiss"),
    (("Beethoven", "Ludwig", "van"), "Ludwig van Beethoven"),
    (("van Beethoven", "Ludwig"), "Ludwig van Beethoven"),
    (("King", "Martin", "", "Jr."), "Martin King Jr."),
    (("Trotsky",), "Trotsky"),
    (("Beethoven", "Ludwig Van"), "Beethoven, Ludwig Van"),
    (("Mao", "Zedong 2"), "Zedong 2 Mao"),
])
def test_names_take_the_form_the_name_rule_splits_back(parts: tuple[str, ...],
                                                       stored: str) -> None:
    assert person(*parts) == stored


def test_a_located_record_keeps_its_places_and_lines() -> None:
    item = located({"title": "T", "date": None}, (3, 1), {"title": (4, 3)}, span=(3, 9),
                   from_key=True)
    assert dict(item) == {"title": "T"}
    assert item.position() == (3, 1) and item.position("title") == (4, 3)
    assert item.span == (3, 9) and item.from_key


def test_a_citation_key_is_an_id_only_when_valid() -> None:
    assert usable_key("weiss2020") == "weiss2020"
    assert usable_key("Weiss:2020") is None and usable_key("10.1/x y") is None
