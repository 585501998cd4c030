"""RIS export: read back by rispy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import rispy
from hypothesis import given
from hypothesis import strategies as st

from archivist.exporters import ExportOptions
from archivist.exporters.ris import RIS_TYPES, export_ris, reference_type, ris_reference
from archivist.models import AGENT_KINDS, KINDS, record_from_mapping
from tests.conftest import citation_records

DATA = Path(__file__).parent / "data"




RECORDS = citation_records()
TEXT = export_ris(RECORDS, [], ExportOptions())


@pytest.fixture(scope="module")
def refs() -> dict[str, dict[str, Any]]:
    return {ref["id"]: ref for ref in rispy.loads(TEXT)}


def test_rispy_reads_every_citable_record(refs):
    assert set(refs) == {r["id"] for r in RECORDS if r["kind"] not in AGENT_KINDS}


def test_every_line_is_a_tag_and_every_reference_closes():
    lines = TEXT.splitlines()
    for line in lines:
        assert line == "" or re.match(r"^[A-Z][A-Z0-9]  - ", line), line
    assert lines.count("ER  - ") == len(RECORDS) - 3
    assert sum(line.startswith("TY  - ") for line in lines) == len(RECORDS) - 3


def test_every_type_is_one_rispy_knows():
    for kind in KINDS:
        if kind not in AGENT_KINDS:
            assert reference_type({"kind": kind}) in rispy.TYPE_OF_REFERENCE_MAPPING
    assert set(RIS_TYPES.values()) <= set(rispy.TYPE_OF_REFERENCE_MAPPING)


@pytest.mark.parametrize(("record_id", "ris_type"), [
    ("reed-2020-rick-poynors-david", "NEWS"),
    ("journal-article", "JOUR"),
    ("walsh-review", "JOUR"),
    ("wsws-history-of-russia", "ELEC"),
    ("trotsky-1930-istoriya", "BOOK"),
    ("hebbes-chapter", "CHAP"),
    ("trotsky-1923-pamphlet", "PAMP"),
    ("zolkiewski-1927-list", "PCOMM"),
    ("dear-comrades-film", "MPCT"),
    ("novocherkassk-photo", "ART"),
    ("beethoven-eroica", "SOUND"),
    ("van-auken-2019-video", "VIDEO"),
    ("strikes-dataset", "DATA"),
    ("lenin-1920-speech", "GEN"),
    ("hk-interview", "GEN"),
    ("weiss-2020-antisemitism-series", "GEN"),
    ("rci-1920-collection", "GEN"),
    ("specials-other", "GEN"),
])
def test_kinds_map_to_ris_types(refs, record_id, ris_type):
    assert refs[record_id]["type_of_reference"] == ris_type


def test_article_with_two_creators(refs):
    ref = refs["reed-2020-rick-poynors-david"]
    assert ref["authors"] == ["Reed, Kevin", "Walsh, David"]
    assert ref["title"].startswith("Rick Poynor’s David King: Designer, Activist, Visual "
                                   "Historian: An important new work")
    assert ref["secondary_title"] == "World Socialist Web Site"
    assert (ref["year"], ref["date"]) == ("2020", "2020/10/16/")
    assert ref["language"] == "en"
    assert ref["keywords"] == ["art", "film"]


@pytest.mark.parametrize(("record_id", "authors"), [
    ("trotsky-1930-istoriya", ["Троцкий, Лев Давидович"]),
    ("zolkiewski-1927-list", ["Żółkiewski, Stanisław", "Grupa Robotnicza"]),
    ("correspondents-2021-protests", ["our correspondents"]),
    ("wsws-history-of-russia", ["World Socialist Web Site"]),
    ("beethoven-eroica", ["van Beethoven, Ludwig"]),
    ("van-auken-2019-video", ["Van Auken, Bill"]),
    ("strikes-dataset", ["Kevin Reed and David Walsh"]),
])
def test_authors(refs, record_id, authors):
    assert refs[record_id]["authors"] == authors


@pytest.mark.parametrize(("record_id", "year", "date"), [
    ("trotsky-1930-istoriya", "1930", "1930///circa"),
    ("zolkiewski-1927-list", "1927", "1927///uncertain"),
    ("trotsky-1923-pamphlet", "1923", "1923///circa; uncertain"),
    ("rci-1920-collection", "1920", "1920///to 1925"),
    ("weiss-2020-antisemitism-series", "2020", "2020/04/11/to 2020-04-13"),
    ("dear-comrades-film", "2020", "2020///or later"),
    ("novocherkassk-photo", "1962", "1962///or earlier"),
    ("van-auken-2019-video", "2019", "2019/11//"),
])
def test_dates(refs, record_id, year, date):
    assert (refs[record_id]["year"], refs[record_id]["date"]) == (year, date)


def test_other_fields(refs):
    protests = refs["correspondents-2021-protests"]
    assert protests["urls"] == ["https://www.wsws.org/en/articles/2021/01/23/russ-j23.html"
                                "?utm=a_b&x=100%25#top"]
    assert protests["access_date"] == "2021-01-24"
    book = refs["trotsky-1930-istoriya"]
    assert (book["publisher"], book["place_published"]) == ("Гранит", "Берлин")
    chapter = refs["hebbes-chapter"]
    assert (chapter["start_page"], chapter["end_page"]) == ("12", "34")
    journal = refs["journal-article"]
    assert (journal["volume"], journal["number"]) == ("43", "1")
    assert refs["strikes-dataset"]["doi"] == "10.1234/strikes_1905"


def test_text_is_exact_except_line_breaks(refs):
    other = refs["specials-other"]
    assert other["title"] == r"Profits & losses: 100% of $5 #1 on C_x {braces} ~tilde^ \backslash"
    assert other["abstract"] == ("Line one. Line two with an escape \x1b[31m and a bidi "
                                 "\u202e override.")
    assert other["keywords"] == ["a&b", "50%"]


def test_reference_shape():
    record = record_from_mapping({"id": "weiss-2021", "kind": "book", "title": "T",
                                  "creators": ["Clara Weiss"], "date": "2021-02-09",
                                  "publisher": "P"}).to_document()
    assert ris_reference(record) == (
        "TY  - BOOK\nID  - weiss-2021\nAU  - Weiss, Clara\nTI  - T\nPB  - P\nPY  - 2021\n"
        "DA  - 2021/02/09/\nER  - \n")


def test_empty_export_is_empty():
    assert export_ris([], [], ExportOptions()) == ""


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1).filter(str.strip)


@given(title=_text, summary=_text)
def test_a_value_can_never_start_a_tag(title, summary):
    record = {"id": "x", "kind": "book", "title": title, "summary": summary}
    [ref] = rispy.loads(ris_reference(record))
    assert ref["type_of_reference"] == "BOOK"
    assert ref["id"] == "x"
    assert set(ref) <= {"type_of_reference", "id", "title", "abstract"}


def test_suffix_comes_last_as_ris_wants():
    record = {"id": "k", "kind": "speech", "title": "T", "creators": ["Martin Luther King Jr."]}
    [ref] = rispy.loads(ris_reference(record))
    assert ref["authors"] == ["King, Martin Luther, Jr."]
