"""Dates as archivists write them: a subset of EDTF levels 0 and 1.

Accepted forms (stored exactly as written; each yields its earliest and latest day):

=================  ==========================  =========================
written            meaning                     earliest .. latest
=================  ==========================  =========================
``2021``           a year                      2021-01-01 .. 2021-12-31
``2021-02``        a month                     2021-02-01 .. 2021-02-28
``2021-02-09``     a day                       2021-02-09 .. 2021-02-09
``1923~``          approximately 1923          1923-01-01 .. 1923-12-31
``1923?``          uncertain                   1923-01-01 .. 1923-12-31
``1923%``          approximate and uncertain   1923-01-01 .. 1923-12-31
``1920/1925``      an interval                 1920-01-01 .. 1925-12-31
``../1925``        open start                  0001-01-01 .. 1925-12-31
``1920/..``        open end                    1920-01-01 .. 9999-12-31
=================  ==========================  =========================

Impossible dates (``2021-02-30``, ``2021-13``) and intervals that end before they start
are refused with :class:`~archivist.errors.InvalidRecord`.
"""

from __future__ import annotations

import calendar
import re

from archivist.errors import InvalidRecord

#: The earliest and latest days an open interval end stands for.
OPEN_START = "0001-01-01"
OPEN_END = "9999-12-31"

_SINGLE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?$")


def _single_bounds(text: str, whole: str) -> tuple[str, str]:
    match = _SINGLE.match(text)
    if match is None:
        raise InvalidRecord(
            f"bad date {whole!r}: use YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by "
            "~ (approximate), ? (uncertain) or %, or an interval A/B with .. for an open end"
        )
    year_s, month_s, day_s, _qualifier = match.groups()
    year = int(year_s)
    if year == 0:
        raise InvalidRecord(f"bad date {whole!r}: there is no year 0000")
    if month_s is None:
        return f"{year_s}-01-01", f"{year_s}-12-31"
    month = int(month_s)
    if not 1 <= month <= 12:
        raise InvalidRecord(f"bad date {whole!r}: there is no month {month_s}")
    last_day = calendar.monthrange(year, month)[1]
    if day_s is None:
        return f"{year_s}-{month_s}-01", f"{year_s}-{month_s}-{last_day:02d}"
    day = int(day_s)
    if not 1 <= day <= last_day:
        raise InvalidRecord(f"bad date {whole!r}: {year_s}-{month_s} has no day {day_s}")
    return text[:10], text[:10]


def date_bounds(text: str) -> tuple[str, str]:
    """Return the earliest and latest ISO day that the EDTF date ``text`` stands for.

    :param text: a date as written by the user, e.g. ``"1920/1925"``.
    :returns: ``(earliest, latest)`` as ``YYYY-MM-DD`` strings, which sort as dates.
    :raises InvalidRecord: when the text is not an accepted or possible date.
    """
    text = text.strip()
    if "/" not in text:
        return _single_bounds(text, text)
    start, _, end = text.partition("/")
    if "/" in end:
        raise InvalidRecord(f"bad date {text!r}: an interval has one '/'")
    if start == ".." and end == "..":
        raise InvalidRecord(f"bad date {text!r}: an interval needs at least one known end")
    earliest = OPEN_START if start == ".." else _single_bounds(start, text)[0]
    latest = OPEN_END if end == ".." else _single_bounds(end, text)[1]
    if earliest > latest:
        raise InvalidRecord(f"bad date {text!r}: the interval ends before it starts")
    return earliest, latest


def validate_date(text: str) -> str:
    """Check ``text`` is an accepted date and return it stripped, otherwise unchanged.

    :raises InvalidRecord: as :func:`date_bounds`.
    """
    date_bounds(text)
    return text.strip()
