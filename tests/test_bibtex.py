"""BibTeX export: read back by bibtexparser and pybtex."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pybtex.database
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.exporters import ExportOptions
from archivist.exporters.bibtex import (
    bibtex_entry,
    bibtex_name,
    entry_type,
    escape,
    export_bibtex,
    langid_of,
)
from archivist.models import AGENT_KINDS, record_from_mapping
from tests.conftest import citation_records

DATA = Path(__file__).parent / "data"




RECORDS = citation_records()
TEXT = export_bibtex(RECORDS, [], ExportOptions())
_UNESCAPE = {r"\textbackslash{}": "\\", r"\textasciitilde{}": "~",
             r"\textasciicircum{}": "^", r"\&": "&", r"\%": "%", r"\$": "$", r"\#": "#",
             r"\_": "_", r"\{": "{", r"\}": "}"}
_ESCAPED = re.compile("|".join(re.escape(k) for k in _UNESCAPE))


def unescape(text: str) -> str:
    """Undo :func:`escape` as TeX would read it."""
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group()], text)


@pytest.fixture(scope="module")
def entries() -> dict[str, dict[str, str]]:
    parsed = bibtexparser.loads(TEXT)
    return {entry["ID"]: entry for entry in parsed.entries}


def test_bibtexparser_reads_every_citable_record(entries):
    assert set(entries) == {r["id"] for r in RECORDS if r["kind"] not in AGENT_KINDS}


def test_pybtex_reads_it_too():
    bib = pybtex.database.parse_string(TEXT, "bibtex")
    assert len(bib.entries) == len(RECORDS) - 3


@pytest.mark.parametrize(("record_id", "etype"), [
    ("reed-2020-rick-poynors-david", "article"),
    ("walsh-review", "article"),
    ("trotsky-1930-istoriya", "book"),
    ("hebbes-chapter", "incollection"),
    ("trotsky-1923-pamphlet", "booklet"),
    ("wsws-history-of-russia", "misc"),
    ("lenin-1920-speech", "misc"),
    ("dear-comrades-film", "misc"),
    ("specials-other", "misc"),
])
def test_entry_types(entries, record_id, etype):
    assert entries[record_id]["ENTRYTYPE"] == etype


def test_article_with_two_creators(entries):
    entry = entries["reed-2020-rick-poynors-david"]
    assert entry["author"] == "Reed, Kevin and Walsh, David"
    assert entry["title"] == "Rick Poynor’s David King: Designer, Activist, Visual Historian"
    assert entry["subtitle"].startswith("An important new work")
    assert entry["journal"] == "World Socialist Web Site"
    assert (entry["date"], entry["year"], entry["month"]) == ("2020-10-16", "2020", "10")
    assert entry["langid"] == "english"
    assert entry["keywords"] == "art, film"


def test_names_as_pybtex_reads_them():
    bib = pybtex.database.parse_string(TEXT, "bibtex")

    def people(key: str) -> list[tuple[str, str, str]]:
        return [(" ".join(p.first_names + p.middle_names), " ".join(p.prelast_names),
                 " ".join(p.last_names)) for p in bib.entries[key].persons["author"]]

    assert people("trotsky-1930-istoriya") == [("Лев Давидович", "", "Троцкий")]
    assert people("zolkiewski-1927-list") == [("Stanisław", "", "Żółkiewski"),
                                              ("", "", "{Grupa Robotnicza}")]
    assert people("correspondents-2021-protests") == [("", "", "{our correspondents}")]
    assert people("wsws-history-of-russia") == [("", "", "{World Socialist Web Site}")]
    assert people("strikes-dataset") == [("", "", "{Kevin Reed and David Walsh}")]
    assert people("beethoven-eroica") == [("Ludwig", "van", "Beethoven")]
    assert people("van-auken-2019-video") == [("Bill", "", "Van Auken")]
    assert people("hebbes-chapter") == [("Ian", "", "Hebbes")]


@pytest.mark.parametrize(("record_id", "date", "year", "month"), [
    ("trotsky-1930-istoriya", "1930~", "1930", None),
    ("zolkiewski-1927-list", "1927?", "1927", None),
    ("trotsky-1923-pamphlet", "1923%", "1923", None),
    ("rci-1920-collection", "1920/1925", "1920--1925", None),
    ("weiss-2020-antisemitism-series", "2020-04-11/2020-04-13", "2020", "4"),
    ("dear-comrades-film", "2020/..", "2020--", None),
    ("novocherkassk-photo", "../1962", "--1962", None),
    ("van-auken-2019-video", "2019-11", "2019", "11"),
])
def test_dates(entries, record_id, date, year, month):
    entry = entries[record_id]
    assert (entry["date"], entry["year"], entry.get("month")) == (date, year, month)


def test_special_characters_are_escaped_and_read_back(entries):
    entry = entries["specials-other"]
    assert entry["title"] == (r"Profits \& losses: 100\% of \$5 \#1 on C\_x \{braces\} "
                              r"\textasciitilde{}tilde\textasciicircum{} \textbackslash{}backslash")
    assert unescape(entry["title"]) == RECORDS[17]["title"]
    assert entry["keywords"] == r"a\&b, 50\%"


def test_unicode_is_kept_as_written(entries):
    assert entries["trotsky-1930-istoriya"]["title"] == "История русской революции"
    assert entries["zolkiewski-1927-list"]["langid"] == "polish"
    assert "\\" not in entries["zolkiewski-1927-list"]["title"]


def test_publisher_lands_where_each_type_reads_it(entries):
    assert entries["trotsky-1930-istoriya"]["publisher"] == "Гранит"
    assert entries["trotsky-1930-istoriya"]["location"] == "Берлин"
    assert entries["trotsky-1923-pamphlet"]["howpublished"] == "New Park"
    assert entries["wsws-history-of-russia"]["howpublished"] == "World Socialist Web Site"
    assert entries["hebbes-chapter"]["pages"] == "12-34"
    journal = entries["journal-article"]
    assert (journal["journal"], journal["volume"], journal["number"]) == (
        "Russian Review", "43", "1")


def test_urls_are_verbatim(entries):
    entry = entries["correspondents-2021-protests"]
    assert entry["url"] == ("https://www.wsws.org/en/articles/2021/01/23/russ-j23.html"
                            "?utm=a_b&x=100%25#top")
    assert entry["urldate"] == "2021-01-24"
    assert "url" not in entries["specials-other"]


def test_entry_shape():
    record = record_from_mapping({"id": "weiss-2021", "kind": "article", "title": "T",
                                  "creators": ["Clara Weiss"], "date": "2021-02-09",
                                  "publisher": "WSWS"}).to_document()
    assert bibtex_entry(record) == (
        "@article{weiss-2021,\n"
        "  author = {Weiss, Clara},\n"
        "  title = {T},\n"
        "  journal = {WSWS},\n"
        "  date = {2021-02-09},\n"
        "  year = {2021},\n"
        "  month = {2}\n"
        "}\n")


def test_helpers():
    assert entry_type("book") == "book"
    assert entry_type("dataset") == "misc"
    assert entry_type(None) == "misc"
    assert bibtex_name("article", []) is None
    assert bibtex_name("organisation", ["Clara Weiss"]) == "{Clara Weiss}"
    assert bibtex_name("article", ["C_x & Co"]) == r"{C\_x \& Co}"
    assert langid_of("en-GB") == "british"
    assert langid_of("ru-RU") == "russian"
    assert langid_of("xx") is None
    assert langid_of(None) is None


def test_empty_export_is_empty():
    assert export_bibtex([], [], ExportOptions()) == ""


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_escape_round_trips_and_balances_braces(text):
    escaped = escape(text)
    assert unescape(escaped) == text
    # Every brace left unescaped is one of ours, and they balance.
    depth = 0
    for match in re.finditer(r"\\[{}]|[{}]", escaped):
        if match.group() in "{}":
            depth += 1 if match.group() == "{" else -1
            assert depth >= 0
    assert depth == 0
    assert not re.search(r"(?<!\\)[&%$#_]", escaped)


@given(st.lists(st.text(st.characters(whitelist_categories=("Lu", "Ll", "Zs", "Po")),
                        min_size=1), min_size=1, max_size=3))
def test_any_creators_parse_as_that_many_people(creators):
    creators = [" ".join(c.split()) for c in creators]
    if not all(creators):
        return
    record = {"id": "k", "kind": "book", "title": "T", "creators": creators}
    bib = pybtex.database.parse_string(bibtex_entry(record), "bibtex")
    assert len(bib.entries["k"].persons["author"]) == len(creators)


def test_suffix_as_bibtex_reads_it():
    record = {"id": "k", "kind": "speech", "title": "T", "creators": ["Martin Luther King Jr."]}
    assert "author = {King, Jr., Martin Luther}" in bibtex_entry(record)
    [person] = pybtex.database.parse_string(bibtex_entry(record), "bibtex"
                                            ).entries["k"].persons["author"]
    assert (person.last_names, person.lineage_names, person.first_names) == (
        ["King"], ["Jr."], ["Martin"])


@pytest.mark.parametrize("creator, author", [
    ("Троцкий Лев Давидович", "Троцкий, Лев Давидович"),
    ("Троцкий Л. Д.", "Троцкий, Л. Д."),
    ("Ульянов В. И.", "Ульянов, В. И."),
    ("Miasnikov G. T.", "Miasnikov, G. T."),
])
def test_family_first_names_as_pybtex_reads_them(creator, author):
    record = {"id": "k", "kind": "book", "title": "T", "creators": [creator]}
    assert f"author = {{{author}}}" in bibtex_entry(record)
    [person] = pybtex.database.parse_string(bibtex_entry(record), "bibtex"
                                            ).entries["k"].persons["author"]
    assert " ".join(person.last_names) == author.split(",")[0]


def test_an_imported_record_is_exported_under_its_citation_key() -> None:
    from archivist.exporters.bibtex import bibtex_entry

    record = {"id": "trotsky-1930", "kind": "book", "title": "My Life",
              "fields": {"citekey": "Trotsky:1930"}}
    assert bibtex_entry(record).startswith("@book{Trotsky:1930,\n")
    record["fields"] = {"citekey": "has space"}
    assert bibtex_entry(record).startswith("@book{trotsky-1930,\n")
