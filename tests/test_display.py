"""Text for people: escaping and the show layout."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.display import (
    cell,
    char_width,
    default_row,
    display_width,
    escape,
    narrow,
    pad,
    shorten,
    show_text,
    table_cell,
    table_cells,
    table_rows,
)
from archivist.models import interchange, record_from_mapping


@pytest.mark.parametrize(("raw", "shown"), [
    ("plain Новочеркасск “quotes”", "plain Новочеркасск “quotes”"),
    ("\x1b[2J", "\\x1b[2J"),
    ("a\nb\tc\r", "a\\x0ab\\x09c\\x0d"),
    ("rtl\u202eevil", "rtl\\u202eevil"),
    ("\u2066iso\u2069", "\\u2066iso\\u2069"),
    ("c1\x9bcsi", "c1\\x9bcsi"),
])
def test_escape(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_cells() -> None:
    assert cell(None) == ""
    assert cell(["a", "b"]) == "a; b"
    assert cell({"k": "v"}) == "k=v"


# Text that the fast path of table_cells must tell apart: spaces at either end, tabs,
# newlines, escapes, bidi overrides, a non-breaking space (not printable, not stripped
# as printable text), wide characters.
_TEXTS = st.text(alphabet=st.sampled_from(
    [" ", "a", "Ż", "東", "\t", "\n", "\x1b", "\u202e", "\xa0", "\u3000", ";", "-"]),
    max_size=5)
_VALUES = st.one_of(st.none(), _TEXTS, st.lists(_TEXTS, max_size=3),
                    st.integers(), st.booleans(), st.dictionaries(_TEXTS, _TEXTS, max_size=2),
                    st.lists(st.one_of(st.none(), st.integers()), max_size=2))


@given(st.one_of(st.lists(st.one_of(st.none(), _TEXTS)),
                 st.lists(st.one_of(st.none(), st.lists(_TEXTS, max_size=3))),
                 st.lists(_VALUES)))
def test_table_cells_draw_a_column_as_table_cell_draws_each_value(values: list[Any]) -> None:
    assert table_cells(values) == [table_cell(value) for value in values]


def test_table_rows_are_drawn_at_render_time_from_plain_values() -> None:
    records = [{"id": "a", "kind": "film", "date": "2021", "creators": [" Ann ", "Bo"],
                "title": "Tab\there \x1b[1mbold"},
               {"id": "b", "kind": "book", "date": None, "creators": None, "title": " Żółw "}]
    columns = [[record.get(key) for record in records]
               for key in ("id", "kind", "date", "creators", "title")]
    assert table_rows(columns) == [default_row(record) for record in records] == [
        ["a", "film", "2021", "Ann ; Bo", "Tab\\x09here \\x1b[1mbold"],
        ["b", "book", "", "", "Żółw"]]


def test_show_text_leaves_out_what_is_missing() -> None:
    record = record_from_mapping({"id": "r", "title": "Russia: masses on the streets",
                                  "kind": "article",
                                  "source": {"path": "sources/001.txt", "size": 10}})
    text = show_text(interchange(record.to_document()),
                     [{"rel": "part-of", "id": "s", "title": "Series"}])
    assert "creators" not in text and "date" not in text
    assert "part-of  s  Series" in text
    assert "fixity:    never checked" in text


@pytest.mark.parametrize(("text", "width"), [
    ("plain", 5),
    ("Новочеркасск “Żółć” — 1962…", 27),
    ("東京", 4),
    ("Ｆｕｌｌ", 8),
    ("한국어", 6),
    ("🚩📚", 4),
    ("e\u0301", 1),
    ("a\u200bb\u200d", 2),
    ("\u1100\u1161\u11a8", 2),
    ("", 0),
])
def test_display_width_counts_terminal_cells(text: str, width: int) -> None:
    assert display_width(text) == width
    assert display_width(pad(text, 10)) == max(10, width)


def test_the_blocks_measured_by_length_are_one_cell_a_character() -> None:
    # display_width skips measuring text made only of these blocks: each of their
    # characters must take one cell.
    for code in range(0x20, 0x2100):
        char = chr(code)
        if narrow(char):
            assert char_width(char) == 1, hex(code)


@pytest.mark.parametrize(("text", "width", "cut"), [
    ("abcdef", 4, "abc…"),
    ("abc", 3, "abc"),
    ("東京タワー", 5, "東京…"),
    ("東京タワー", 6, "東京…"),
    ("🚩🚩🚩", 4, "🚩…"),
    ("e\u0301e\u0301e\u0301", 2, "e\u0301…"),
])
def test_shorten_cuts_to_terminal_cells(text: str, width: int, cut: str) -> None:
    assert shorten(text, width) == cut
    assert display_width(shorten(text, width)) <= width


def _show(fields: dict[str, Any] | None = None, **values: Any) -> str:
    record = record_from_mapping({"id": "r", "title": "T", "kind": "article",
                                  **values, "fields": fields or {}})
    return show_text(interchange(record.to_document()), [])


def test_show_text_never_runs_a_long_label_into_its_value() -> None:
    text = _show({"abbreviation": "NR", "a_very_long_field_name_indeed": "x"},
                 source={"path": "s.txt", "size": 3, "retrieved": "2024-05-01"})
    assert text.splitlines()[:6] == [
        "id:           r",
        "kind:         article",
        "title:        T",
        "abbreviation: NR",
        "a_very_long_field_name_indeed: x",
        "source:       s.txt",
    ]
    assert "  retrieved:  2024-05-01" in text.splitlines()


def test_show_text_prints_nested_fields_as_an_indented_block() -> None:
    text = _show({"merged": {"old-id": {"title": "Dear comrades!", "date": "2021",
                                        "source": {"path": "a.txt", "size": 4}}},
                  "notes": [{"page": "2"}, "plain"]})
    assert ("merged:\n"
            "  old-id:\n"
            "    title: Dear comrades!\n"
            "    date:  2021\n"
            "    source:\n"
            "      path: a.txt\n"
            "      size: 4\n"
            "notes:\n"
            "  -\n"
            "    page: 2\n"
            "  - plain\n") in text + "\n"


def test_show_text_pads_the_id_column_of_links() -> None:
    record = interchange(record_from_mapping({"id": "r", "title": "T"}).to_document())
    text = show_text(record, [
        {"rel": "part-of", "id": "s", "title": "Series"},
        {"rel": "references", "id": "a-much-longer-id", "title": "Other"},
        {"rel": "related", "id": "東京", "title": "Wide"},
        {"rel": "related", "id": "no-title", "title": None},
    ])
    assert ("links:\n"
            "  part-of     s                 Series\n"
            "  references  a-much-longer-id  Other\n"
            "  related     東京              Wide\n"
            "  related     no-title\n") in text + "\n"
