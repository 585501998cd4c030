"""The exporter registry and the formats ``list`` writes: table, csv, tsv, json, jsonl, yaml."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
import tabulate
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist.display import display_width
from archivist.errors import InvalidRecord
from archivist.exporters import (
    CITATION_EXPORTERS,
    DEFAULT_COLUMNS,
    EXPORT_EXPORTERS,
    EXPORT_FORMATS,
    EXPORTERS,
    ExportOptions,
    export,
    export_csv,
    export_json,
    export_jsonl,
    export_table,
    export_tsv,
    export_yaml,
    neutralise,
    render,
    simple_table,
    split_items,
    unneutralise,
)
from archivist.exporters.tables import tabulated
from archivist.models import interchange, record_from_mapping
from archivist.store import Archive, memory_archive
from archivist.yamlio import load_all

OPTIONS = ExportOptions()


def doc(**values) -> dict:
    """A stored document from interchange values (validated like any record)."""
    return record_from_mapping(values).to_document()


RECORDS = [
    interchange(doc(id="weiss-2021", kind="article", title="Dear Comrades",
                    creators=["Clara Weiss", "Andrea Peters"], date="2021-02-09",
                    tags=["film", "Stalinism"], publisher="World Socialist Web Site",
                    source={"path": "sources/a.txt", "size": 12}, kicker="Film review")),
    interchange(doc(id="trotsky-1930", kind="book", title="История русской революции",
                    creators=["Лев Троцкий"], date="1930~", language="ru")),
    interchange(doc(id="list-1927", kind="letter", title="List otwarty do delegacji",
                    date="1927", language="pl", summary="Żółw\nw dwóch liniach")),
]


# -- the registry ------------------------------------------------------------------


def test_list_formats_stay_as_they_were():
    assert list(EXPORTERS) == ["table", "csv", "tsv", "json", "jsonl", "yaml"]


def test_export_offers_list_formats_plus_citations_and_bagit():
    assert list(EXPORT_EXPORTERS) == [*EXPORTERS, "bibtex", "csl-json", "ris"]
    assert (*EXPORT_EXPORTERS, "jsonld", "turtle", "bagit") == EXPORT_FORMATS
    assert set(CITATION_EXPORTERS) == {"bibtex", "csl-json", "ris"}


def test_cli_format_choices_match_the_registry():
    from archivist.cli.exporting import EXPORT_FORMATS as CLI_FORMATS
    from archivist.cli.records import LIST_FORMATS

    assert CLI_FORMATS == EXPORT_FORMATS
    assert tuple(LIST_FORMATS) == tuple(EXPORTERS)


@pytest.fixture
def filled() -> Archive:
    archive = memory_archive()
    archive.add(record_from_mapping({"id": "weiss-2021", "kind": "article",
                                     "title": "Dear Comrades", "creators": ["Clara Weiss"],
                                     "date": "2021-02-09"}))
    archive.add(record_from_mapping({"id": "wsws", "kind": "organisation",
                                     "title": "World Socialist Web Site"}))
    return archive


def test_render_refuses_export_only_formats(filled):
    with pytest.raises(InvalidRecord, match="unknown format 'bibtex'"):
        render(filled, fmt="bibtex")
    with pytest.raises(InvalidRecord, match="unknown format 'nope'"):
        export(filled, fmt="nope")
    with pytest.raises(InvalidRecord, match="unknown table format 'nope'"):
        render(filled, fmt="table", options=ExportOptions(table_format="nope"))


def test_export_leaves_agents_out_of_citations_and_says_which(filled):
    result = export(filled, fmt="csl-json")
    assert [item["id"] for item in json.loads(result.text)] == ["weiss-2021"]
    assert (result.count, result.skipped) == (1, ("wsws",))
    result = export(filled, fmt="json")
    assert (result.count, result.skipped) == (2, ())


def test_export_and_render_agree_on_list_formats(filled):
    for fmt in EXPORTERS:
        assert export(filled, fmt=fmt).text == render(filled, fmt=fmt)


# -- table -------------------------------------------------------------------------


def test_table_golden():
    assert export_table(RECORDS, ["id", "date", "creators", "title"], OPTIONS) == (
        "id            date        creators                    title\n"
        "------------  ----------  --------------------------  -------------------------\n"
        "weiss-2021    2021-02-09  Clara Weiss; Andrea Peters  Dear Comrades\n"
        "trotsky-1930  1930~       Лев Троцкий                 История русской революции\n"
        "list-1927     1927                                    List otwarty do delegacji\n")


def test_table_without_headers_is_the_bare_rows():
    out = export_table(RECORDS, ["id", "kind"], ExportOptions(headers=False))
    assert out == "weiss-2021    article\ntrotsky-1930  book\nlist-1927     letter\n"
    assert export_table(RECORDS, ["id"], ExportOptions(headers=False)).split() == [
        "weiss-2021", "trotsky-1930", "list-1927"]


@pytest.mark.parametrize("style", ["github", "grid", "pipe", "html", "latex", "rst",
                                   "orgtbl", "plain"])
def test_any_tabulate_style(style):
    out = export_table(RECORDS, ["id", "title"], ExportOptions(table_format=style))
    expected = tabulate.tabulate([[r["id"], r["title"]] for r in RECORDS],
                                 headers=["id", "title"], tablefmt=style,
                                 disable_numparse=True)
    assert out == expected + "\n"


def test_table_columns_reach_into_sections_and_fields():
    out = export_table(RECORDS[:1], ["tags", "creators", "fields.kicker", "kicker",
                                     "source.path", "source.size"], OPTIONS)
    assert re.split(r"\s{2,}", out.splitlines()[2]) == [
        "film; Stalinism", "Clara Weiss; Andrea Peters", "Film review", "Film review",
        "sources/a.txt", "12"]


@pytest.mark.parametrize(("text", "shown"), [
    ("red \x1b[31malert\x1b[0m", "red \\x1b[31malert\\x1b[0m"),
    ("two\nlines", "two\\x0alines"),
    ("tab\there", "tab\\x09here"),
    ("bell\x07", "bell\\x07"),
    ("c1 \x9b", "c1 \\x9b"),
    ("abc\u202edcba", "abc\\u202edcba"),
    ("isolate \u2067x\u2069", "isolate \\u2067x\\u2069"),
    ("Żółw ёж “quoted”", "Żółw ёж “quoted”"),
])
def test_table_shows_control_escape_and_bidi_characters_escaped(text, shown):
    record = interchange(doc(id="x", title=text))
    for style in ("simple", "github"):
        out = export_table([record], ["title"], ExportOptions(table_format=style))
        assert shown in out
        assert out.count("\n") == out.rstrip("\n").count("\n") + 1
        assert not any(c in out for c in "\x1b\x07\x9b\u202e\u2067")


def test_shorten_to_the_terminal_width():
    record = interchange(doc(id="long", title="T" * 200, creators=["Clara Weiss"]))
    out = export_table([record], list(DEFAULT_COLUMNS), ExportOptions(max_width=80))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[2].endswith("…")
    assert "Clara Weiss" in lines[2]
    whole = export_table([record], list(DEFAULT_COLUMNS), OPTIONS)
    assert "T" * 200 in whole


def test_shorten_never_cuts_an_id():
    long_id = "weiss-2019-destroyed-1923-pamphlet-on-red-army-2"
    records = [interchange(doc(id=long_id, kind="article", date="2019-06-27",
                               creators=["Clara Weiss", "Andrea Peters"],
                               title="Destroyed 1923 pamphlet on Red Army " * 3)),
               interchange(doc(id="short", title="東京" * 30, creators=["黒澤明"]))]
    for width in (80, 60, 20):
        out = export_table(records, list(DEFAULT_COLUMNS), ExportOptions(max_width=width))
        rows = out.splitlines()[2:]
        assert rows[0].startswith(long_id + "  ") and rows[1].startswith("short  ")
        if width == 80:
            assert max(display_width(line) for line in out.splitlines()) <= 80
            assert rows[0].endswith("…") and rows[1].endswith("…")


def test_shorten_does_its_best_on_a_very_narrow_terminal():
    record = interchange(doc(id="long", title="T" * 200, creators=["Clara Weiss"]))
    out = export_table([record], list(DEFAULT_COLUMNS), ExportOptions(max_width=20))
    assert max(len(line) for line in out.splitlines()) < 60


@pytest.mark.parametrize("style", ["simple", "github", "grid", "plain"])
def test_columns_line_up_in_terminal_cells(style):
    records = [interchange(doc(id="a", title="東京タワー", creators=["黒澤明"], mark="m1")),
               interchange(doc(id="bb", title="🚩 flagged 📚", creators=["Ce\u0301line"],
                               mark="m2")),
               interchange(doc(id="ccc", title="plain", creators=["Weiss"], mark="m3"))]
    out = export_table(records, ["id", "creators", "title", "mark"],
                       ExportOptions(table_format=style))
    rows = [line.rstrip(" |") for line in out.splitlines() if re.search(r" m[123]\b", line)]
    assert len(rows) == 3
    # The last column starts in the same cell on every row.
    assert len({display_width(row) for row in rows}) == 1, out
    if style in ("github", "grid"):
        assert len({display_width(line) for line in out.splitlines()}) == 1, out


def test_shorten_leaves_fitting_tables_alone():
    out = export_table(RECORDS, ["id", "title"], ExportOptions(max_width=200))
    assert out == export_table(RECORDS, ["id", "title"], OPTIONS)


def test_empty_table():
    assert export_table([], ["id", "title"], OPTIONS) == "id    title\n----  -------\n"
    assert export_table([], ["id"], ExportOptions(headers=False)) == ""


_cell = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                max_size=12).map(str.strip)


@settings(max_examples=300)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(_cell, min_size=n, max_size=n),
    st.lists(st.lists(_cell, min_size=n, max_size=n), max_size=5))), st.booleans())
def test_simple_table_is_tabulates_simple_byte_for_byte(table, with_headers):
    # Without headers, the bare rows: tabulate's plain style.
    headers, rows = table
    ours = simple_table(rows, headers if with_headers else None)
    theirs = tabulated(rows, headers if with_headers else None,
                       "simple" if with_headers else "plain")
    assert ours == theirs


# -- csv and tsv -------------------------------------------------------------------


def test_csv_reads_back():
    out = export_csv(RECORDS, ["id", "creators", "title", "summary", "fields.kicker"], OPTIONS)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "creators", "title", "summary", "fields.kicker"]
    assert rows[1] == ["weiss-2021", "Clara Weiss; Andrea Peters", "Dear Comrades", "",
                       "Film review"]
    assert rows[3][3] == "Żółw\nw dwóch liniach"


def test_tsv_reads_back_and_headers_can_go():
    out = export_tsv(RECORDS, ["id", "date"], ExportOptions(headers=False))
    assert list(csv.reader(io.StringIO(out), delimiter="\t")) == [
        ["weiss-2021", "2021-02-09"], ["trotsky-1930", "1930~"], ["list-1927", "1927"]]


def test_csv_writes_mappings_as_json():
    out = export_csv(RECORDS[:1], ["source"], ExportOptions(headers=False))
    assert json.loads(next(csv.reader(io.StringIO(out)))[0]) == {"path": "sources/a.txt",
                                                                  "size": 12}


@pytest.mark.parametrize(("value", "written"), [
    ("=1+2", "'=1+2"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tindented", "'\tindented"),
    ("\rcarriage", "'\rcarriage"),
    ("\r=cmd", "'\r=cmd"),
    ("\n=cmd", "'\n=cmd"),
    ("  =cmd", "'  =cmd"),
    ("\r\n \n@cmd", "'\r\n \n@cmd"),
    ("\n\tx", "'\n\tx"),
    ("-12", "-12"),
    ("+3.5", "+3.5"),
    ("-1e3", "-1e3"),
    ("-inf", "'-inf"),
    ("-1_000", "'-1_000"),
    ("'=1", "''=1"),
    ("'Tis", "'Tis"),
    ("'-12", "'-12"),
    ("plain = text", "plain = text"),
    ("two\nlines", "two\nlines"),
    ("", ""),
])
def test_formula_starts_are_neutralised(value, written):
    assert neutralise(value) == written
    assert unneutralise(written) == value


def test_a_formula_after_any_whitespace_is_neutralised_in_a_csv_cell():
    import sys

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    out = export_csv([{"id": "x", "title": f"{w}=cmd"} for w in spaces], ["title"],
                     ExportOptions(headers=False))
    assert [row[0] for row in _read(out, ",")] == [f"'{w}=cmd" for w in spaces]


_FORMULA = re.compile(r"[\t\r]|\s*[=+\-@]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _starts_a_formula(cell: str) -> bool:
    return bool(_FORMULA.match(cell)) and not _PLAIN_NUMBER.fullmatch(cell)


def _read(out: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out, newline=""), delimiter=delimiter))


# Any text a record can hold: no NUL and no lone surrogates (refused on input); list
# items are never empty (a blank tag or creator is refused).
_hostile = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
                   | st.sampled_from("\r\n\t ,;\"'=+-@\\"), max_size=25)


@settings(max_examples=300)
@given(_hostile, st.lists(_hostile.filter(bool), max_size=4), st.sampled_from([(export_csv, ","),
                                                                  (export_tsv, "\t")]))
def test_any_text_reads_back_as_one_cell_and_never_as_a_formula(text, items, format_):
    exporter, delimiter = format_
    record = {"id": "x", "title": text, "tags": items, "summary": "after"}
    out = exporter([record, record], ["id", "title", "tags", "summary"], OPTIONS)
    rows = _read(out, delimiter)
    assert rows[0] == ["id", "title", "tags", "summary"]
    assert len(rows) == 3
    for row in rows[1:]:
        assert len(row) == 4 and row[0] == "x" and row[3] == "after"
        assert unneutralise(row[1]) == text
        assert split_items(unneutralise(row[2])) == items
        assert not any(_starts_a_formula(cell) for cell in row)


def test_a_carriage_return_is_quoted_and_cannot_start_a_row():
    record = {"id": "x", "title": "Innocent\r=HYPERLINK(\"http://evil\")", "date": "2021"}
    for exporter, delimiter in ((export_csv, ","), (export_tsv, "\t")):
        out = exporter([record], ["title", "date"], ExportOptions(headers=False))
        assert out == f'"Innocent\r=HYPERLINK(""http://evil"")"{delimiter}2021\n'
        assert _read(out, delimiter) == [[record["title"], "2021"]]


def test_every_cell_with_a_line_break_delimiter_or_quote_is_quoted():
    values = ["a\rb", "a\nb", "a\r\nb", "a,b", "a\tb", 'a"b']
    for exporter, delimiter in ((export_csv, ","), (export_tsv, "\t")):
        out = exporter([{"id": "x", "fields": {f"v{i}": v for i, v in enumerate(values)}}],
                     [f"v{i}" for i in range(len(values))], ExportOptions(headers=False))
        cells = _read(out, delimiter)[0]
        assert cells == values
        for value in values:
            if delimiter in value or any(c in value for c in '\r\n"'):
                assert '"' + value.replace('"', '""') + '"' in out


def test_list_items_holding_the_separator_read_back_as_one_item():
    record = {"id": "x", "creators": ["Weiss; Clara", "North, David"],
              "tags": ["a;b", "back\\slash", "end;", "plain"]}
    out = export_csv([record], ["creators", "tags"], ExportOptions(headers=False))
    [[creators, tags]] = _read(out, ",")
    assert creators == "Weiss\\; Clara; North, David"
    assert tags == "a\\;b; back\\\\slash; end\\;; plain"
    assert split_items(creators) == record["creators"]
    assert split_items(tags) == record["tags"]
    assert split_items("") == []


def test_csv_writes_lists_of_mappings_as_json():
    record = {"id": "x", "links": [{"rel": "part-of", "target": "y"}]}
    out = export_csv([record], ["links"], ExportOptions(headers=False))
    assert json.loads(_read(out, ",")[0][0]) == record["links"]


def test_csv_and_tsv_neutralise_cells_but_not_numbers():
    record = interchange(doc(id="x", title="=HYPERLINK(\"http://evil\")", tags=["-5", "@me"],
                             volume="-12"))
    for exporter, delimiter in ((export_csv, ","), (export_tsv, "\t")):
        out = exporter([record], ["title", "tags", "volume"], ExportOptions(headers=False))
        [row] = list(csv.reader(io.StringIO(out), delimiter=delimiter))
        # "-5; @me" is not a number, so it is neutralised; "-12" is.
        assert row == ["'=HYPERLINK(\"http://evil\")", "'-5; @me", "-12"]


def test_csv_carries_control_characters_exactly():
    record = interchange(doc(id="x", title="a\x1bb\u202ec"))
    out = export_csv([record], ["title"], ExportOptions(headers=False))
    assert next(csv.reader(io.StringIO(out))) == ["a\x1bb\u202ec"]


# -- json, jsonl, yaml -------------------------------------------------------------


def test_json_is_the_interchange_form():
    out = export_json(RECORDS, ["id"], OPTIONS)
    assert json.loads(out) == RECORDS
    assert "История" in out  # UTF-8, not \u escapes
    assert export_json([], [], OPTIONS) == "[]\n"


def test_jsonl_is_one_object_a_line():
    out = export_jsonl(RECORDS, [], OPTIONS)
    assert [json.loads(line) for line in out.splitlines()] == RECORDS
    assert export_jsonl([], [], OPTIONS) == ""


def test_yaml_reads_back_as_the_same_text():
    out = export_yaml(RECORDS, [], OPTIONS)
    [loaded] = load_all(out, "out.yaml")
    for back, record in zip(loaded, RECORDS):
        assert back["id"] == record["id"]
        assert back["title"] == record["title"]
        assert back["date"] == record["date"]
        assert back["creators"] == record["creators"]
    assert export_yaml([], [], OPTIONS) == "[]\n"


def test_machine_formats_carry_control_characters_exactly():
    record = interchange(doc(id="x", title="a\x1b[31mb\u202ec\x07"))
    assert json.loads(export_json([record], [], OPTIONS))[0]["title"] == record["title"]
    assert json.loads(export_jsonl([record], [], OPTIONS))["title"] == record["title"]
    [loaded] = load_all(export_yaml([record], [], OPTIONS), "x.yaml")
    assert loaded[0]["title"] == record["title"]


@given(st.lists(st.lists(st.dictionaries(st.sampled_from(["a", "b"]),
                                         st.integers(-10**6, 10**6) | st.text(max_size=3),
                                         max_size=2),
                         max_size=3), max_size=4))
def test_json_arrays_of_batches_join_to_the_array_of_them_all(
        batches: list[list[dict[str, Any]]]) -> None:
    import orjson

    from archivist.exporters import _json_array

    joined = b"".join(_json_array(orjson.dumps(batch, option=orjson.OPT_INDENT_2)
                                  for batch in batches))
    every = [item for batch in batches for item in batch]
    assert joined == orjson.dumps(every, option=orjson.OPT_INDENT_2)
