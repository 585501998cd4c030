"""EDTF subset: what is accepted, what each date spans, what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.dates import date_bounds, validate_date
from archivist.errors import InvalidRecord


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2021", "2021-01-01", "2021-12-31"),
        ("2021-02", "2021-02-01", "2021-02-28"),
        ("2020-02", "2020-02-01", "2020-02-29"),
        ("2021-02-09", "2021-02-09", "2021-02-09"),
        ("1923~", "1923-01-01", "1923-12-31"),
        ("1923?", "1923-01-01", "1923-12-31"),
        ("1923%", "1923-01-01", "1923-12-31"),
        ("1962-06-02?", "1962-06-02", "1962-06-02"),
        ("1920/1925", "1920-01-01", "1925-12-31"),
        ("2024/2025-05-22", "2024-01-01", "2025-05-22"),
        ("../1925", "0001-01-01", "1925-12-31"),
        ("1920/..", "1920-01-01", "9999-12-31"),
        ("1917~/1918?", "1917-01-01", "1918-12-31"),
        (" 2021 ", "2021-01-01", "2021-12-31"),
    ],
)
def test_accepted_dates_and_their_bounds(text: str, earliest: str, latest: str) -> None:
    assert date_bounds(text) == (earliest, latest)


@pytest.mark.parametrize(
    "text",
    ["2021-02-30", "2021-13", "2021-00", "2021-02-00", "0000", "21", "2021/02/09",
     "../..", "1925/1920", "2021-2-9", "yesterday", "", "2021~~", "2021/", "/2021",
     "2021-02-09T10:00", "1920/1921/1922"],
)
def test_impossible_or_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidRecord, match="bad date"):
        date_bounds(text)


def test_validate_keeps_the_text_written() -> None:
    assert validate_date("1923~") == "1923~"


@given(st.dates())
def test_every_real_day_is_its_own_bound(day: object) -> None:
    text = str(day)
    if text.startswith("0000"):
        return
    assert date_bounds(text) == (text, text)


@given(st.text(max_size=20))
def test_any_text_is_either_a_date_or_refused(text: str) -> None:
    try:
        earliest, latest = date_bounds(text)
    except InvalidRecord:
        return
    assert earliest <= latest
