"""The script that builds the sample archive in records/ from the seed listings."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import load_script

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_sample_records.py"


msr: ModuleType = load_script(SCRIPT, "make_sample_records")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Clara Weiss, 9 February 2021", (("Clara Weiss",), "2021-02-09")),
        ("By Sandy English and James Macdonald, 3 December 2020",
         (("Sandy English", "James Macdonald"), "2020-12-03")),
        ("By A. One, B. Two and C. Three, 1 May 2018", (("A. One", "B. Two", "C. Three"),
                                                         "2018-05-01")),
        ("By our correspondents, 12 November 2019", (("our correspondents",), "2019-11-12")),
        ("11 January 2021", ((), "2021-01-11")),
        ("This week in history: January 11-17", None),
        ("Part two", None),
    ],
)
def test_parse_dateline(line: str, expected: object) -> None:
    assert msr.parse_dateline(line) == expected


LISTING = """Topic page

Author of Ten Days That Shook the World

100 years since US socialist journalist John Reed’s death

By Sandy English and James Macdonald, 3 December 2020

John Reed’s life became devoted to documenting the struggles of the oppressed.

zzz999 John Reed 100 years since his death

2 December 2020

Brendan McGeever’s Antisemitism and the Russian Revolution

Part two

By Clara Weiss, 13 April 2020

This is the second part of a two-part review.

Leaders of the Russian Revolution

Nikolai Muralov (1877-1937)

Part One: Early years through the Civil War

By Clara Weiss, 21 November 2017
"""


def test_parse_listing_entries_and_lines() -> None:
    heading, entries = msr.parse_listing(LISTING)
    assert heading == "Topic page"
    assert [(e.first_line, e.last_line) for e in entries] == [(3, 9), (11, 13), (15, 21),
                                                               (23, 29)]
    reed, internal, part, muralov = entries
    assert reed.kicker == "Author of Ten Days That Shook the World"
    assert reed.title == "100 years since US socialist journalist John Reed’s death"
    assert reed.subtitle is None
    assert reed.creators == ("Sandy English", "James Macdonald")
    assert reed.summary.startswith("John Reed’s life")
    # A dateline alone: no author, no summary, and the next heading is not taken for one.
    assert (internal.title, internal.creators, internal.date, internal.summary) == (
        "zzz999 John Reed 100 years since his death", (), "2020-12-02", None)
    assert (part.kicker, part.subtitle) == (None, "Part two")
    assert (muralov.kicker, muralov.title, muralov.subtitle) == (
        "Leaders of the Russian Revolution", "Nikolai Muralov (1877-1937)",
        "Part One: Early years through the Civil War")
    assert muralov.summary is None


def test_parse_listing_refuses_a_heading_it_cannot_read() -> None:
    text = "Page\n\nOne\n\nTwo\n\nThree\n\nFour\n\nFive\n\n1 May 2020\n"
    with pytest.raises(ValueError, match="line 13"):
        msr.parse_listing(text)


TAG_PAGE = """Workers Group

Protests in HK: a talk with the 'Workers Group'

An interview with a collective based in Hong Kong.

List otwarty do delegacji (1927)


List zaadresowany do delegacji robotniczych w 1927 r.

Bolshevik opposition to Lenin: G. T. Miasnikov and the Workers' Group - Paul Avrich

Gavril Miasnikov, centre, with other Bolsheviks.

Paul Avrich's article from 1984 about G.T. Miasnikov and the Workers' Group

Lenin, Also - Ante Ciliga

Chapter 9 of Book 3."""


def test_parse_tag_page() -> None:
    heading, entries = msr.parse_tag_page(TAG_PAGE)
    assert heading == "Workers Group"
    assert [(e.title, e.creators, e.first_line, e.last_line) for e in entries] == [
        ("Protests in HK: a talk with the 'Workers Group'", (), 3, 5),
        ("List otwarty do delegacji (1927)", (), 7, 10),
        ("Bolshevik opposition to Lenin: G. T. Miasnikov and the Workers' Group",
         ("Paul Avrich",), 12, 16),
        ("Lenin, Also", ("Ante Ciliga",), 18, 20),
    ]
    avrich = entries[2]
    assert avrich.extra_lines == ("Gavril Miasnikov, centre, with other Bolsheviks.",)
    assert avrich.summary.startswith("Paul Avrich's article from 1984")


def test_ids() -> None:
    assert msr.transliterate("Марксисткая тенденция") == "marksistkaia tendentsiia"
    assert msr.words("July 31—August 6: Władysław’s") == ["july", "31", "august", "6",
                                                          "wladyslaws"]
    assert msr.surname("Bill Van Auken") == "van-auken"
    assert msr.base_id("weiss", "2021", "Dear Comrades: Russian film about") == (
        "weiss-2021-dear-comrades")
    keys = [
        ("weiss", "2019", "Destroyed 1923 pamphlet on Red Army", ""),
        ("weiss", "2019", "Destroyed 1923 pamphlet on Red Army", ""),
        ("wsws", "2020", "December 14-20: one", ""),
        ("wsws", "2020", "December 14-20: two", ""),
    ]
    assert msr.assign_ids(keys) == [
        "weiss-2019-destroyed-1923-pamphlet", "weiss-2019-destroyed-1923-pamphlet-2",
        "wsws-2020-december-14-20", "wsws-2020-december-14-20-2",
    ]


def test_yaml_output_reads_back_as_written() -> None:
    yaml = pytest.importorskip("yaml")
    record = {"id": "x-1", "kind": "article", "title": "“no” — 2021-02-09: Zа наших",
              "creators": ["our correspondents"], "date": "2021",
              "links": [{"rel": "part-of", "target": "y"}],
              "source": {"path": "sources/a.txt", "span": [3, 7]}, "fields": {"n": "0123"}}
    text = msr.dump_records([record], "header")
    assert "\\u" not in text and "Zа наших" in text
    assert yaml.safe_load(text) == [record]


def test_sample_records_are_up_to_date_and_valid() -> None:
    """records/ holds what the script writes, and every record and link checks out."""
    pytest.importorskip("yaml")
    assert msr.main(["--check"]) == 0
