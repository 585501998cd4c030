"""grep's library: the lines that match, their numbers, marks and context, on every
engine alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivist.models import Record
from archivist.provenance import describe_source
from archivist.sourcegrep import BadPattern, Line, compile_pattern, grep
from archivist.store import Archive, open_archive
from tests.conftest import write_file

TEXT = "one\nTwo Żółkiewski\nthree\nfour\nfive ZOLKIEWSKI\nsix\n"


@pytest.fixture
def sample(archive: Archive, tmp_path: Path) -> Archive:
    path = write_file(tmp_path / "a.txt", TEXT)
    archive.add(Record(id="whole", title="W", source=describe_source(str(path), archive.path)))
    archive.add(Record(id="part", title="P",
                       source=describe_source(str(path), archive.path, span=(4, 6))))
    archive.add(Record(id="none", title="N"))
    return archive


def test_lines_are_numbered_as_in_the_file_and_marked_where_they_match(
        sample: Archive) -> None:
    result = grep(sample, "zolkiewski")
    assert [(hit.record_id, [line.number for line in hit.lines]) for hit in result.hits] == [
        ("whole", [2, 5]), ("part", [5])]
    assert result.hits[0].lines[0] == Line(2, "Two Żółkiewski", ((4, 14),))
    assert result.without_text == [("none", "no source file")]


def test_context_stays_within_the_span(sample: Archive) -> None:
    [part] = grep(sample, "zolkiewski", ["id:part"], context=5).hits
    assert [(line.number, bool(line.marks)) for line in part.lines] == [
        (4, False), (5, True), (6, False)]


def test_a_regular_expression_keeps_its_case(sample: Archive) -> None:
    hits = grep(sample, r"Z\w+", regex=True).hits
    assert [(hit.record_id, [line.number for line in hit.lines]) for hit in hits] == [
        ("whole", [5]), ("part", [5])]
    assert hits[0].to_dicts()[0]["matches"] == [[5, 15]]


def test_a_phrase_over_two_lines_marks_both(sample: Archive) -> None:
    [whole] = grep(sample, "three four", ["id:whole"]).hits
    assert [(line.number, line.marks) for line in whole.lines] == [(3, ((0, 5),)),
                                                                    (4, ((0, 4),))]


def test_bad_patterns_are_refused() -> None:
    for pattern, regex in (("", False), ("  ", True), ("(", True)):
        with pytest.raises(BadPattern):
            compile_pattern(pattern, regex)


def test_the_literal_every_match_holds_is_found_only_where_it_must_be() -> None:
    import re

    from archivist.sourcegrep import required_literal

    cases = {r"Azar[a-z]+": "Azar", r"Novocherkass\w+": "Novocherkass",
             r"x(ab)c": "x", r"dear comrades": "dear comrades", r"^foo$": "foo",
             r"(?i)Azar": None, r"a|b": None, r"Ż(x)": None, r"\w+": None}
    for pattern, literal in cases.items():
        assert required_literal(re.compile(pattern)) == literal, pattern


def test_a_regular_expression_finds_what_it_did_through_the_texts_sieve(
        tmp_path: Path) -> None:
    import re

    from archivist.sourcegrep import _hit_lines

    lines = ["Ter-Azaryan spoke", "azaryan in lower case", "ZAZARYAN", "nothing here",
             "Żółkiewski and Azar-x", "the end"]
    db = tmp_path / "a.json"
    with open_archive(db, write=True) as archive:
        for n, line in enumerate(lines):
            path = write_file(tmp_path / f"{n}.txt", f"first line\n{line}\nlast\n")
            archive.add(Record(id=f"r{n}", title="T",
                               source=describe_source(str(path), archive.path)))
    patterns = [r"Azar[a-z]+", r"(?i)azar\w*", r"AZAR", r"Azar-", r"Żół\w+", r"^the",
                r"e$", r"line\s", r"first line", r"x+y*"]
    with open_archive(db) as archive:  # the texts are read from ARCHIVE.fts
        for pattern in patterns:
            regex = re.compile(pattern)
            every_line = sorted(
                (f"r{n}", number) for n, line in enumerate(lines)
                for number in _hit_lines(f"first line\n{line}\nlast", "", None, None, regex))
            found = sorted((hit.record_id, line.number)
                           for hit in grep(archive, pattern, regex=True).hits
                           for line in hit.lines)
            assert found == every_line, pattern
