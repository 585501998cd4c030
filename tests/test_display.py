"""Text for people: escaping and the show layout."""

from __future__ import annotations

import pytest

from archivist.display import cell, escape, show_text
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


def test_show_text_leaves_out_what_is_missing() -> None:
    record = record_from_mapping({"id": "r", "title": "Russia: masses on the streets",
                                  "kind": "article",
                                  "source": {"path": "sources/001.txt", "size": 10}})
    text = show_text(interchange(record.to_document()),
                     [{"rel": "part-of", "id": "s", "title": "Series"}])
    assert "creators" not in text and "date" not in text
    assert "part-of  s  Series" in text
    assert "fixity:    never checked" in text
