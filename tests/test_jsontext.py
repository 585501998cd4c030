"""JSON as archivist prints and exports it."""

from __future__ import annotations

import orjson
import pytest

from archivist.errors import ArchivistError
from archivist.jsontext import json_bytes, json_text


def test_json_is_indented_utf8_and_ends_in_one_newline() -> None:
    value = {"title": "Новочеркасск 🚩", "tags": ["a", "b"], "n": 1}
    assert json_bytes(value) == orjson.dumps(
        value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    assert json_text(value) == ('{\n  "title": "Новочеркасск 🚩",\n  "tags": [\n    "a",\n'
                                '    "b"\n  ],\n  "n": 1\n}\n')
    assert json_text([]) == "[]\n"


def test_what_json_cannot_carry_is_an_archivist_error_not_a_traceback() -> None:
    with pytest.raises(ArchivistError, match="cannot write this as JSON"):
        json_text({"title": "\udc80"})
