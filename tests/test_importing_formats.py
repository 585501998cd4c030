"""Recognising inputs that are not archivist records: what they look like."""

from __future__ import annotations

import pytest

from archivist.importing.formats import mapping_lookalike, text_lookalike


@pytest.mark.parametrize(("head", "format_"), [
    (b"@article{weiss2021,\n  title = {T}\n}\n", "BibTeX"),
    (b"\xef\xbb\xbf\n% exported\n%\n  @Book ( key, title = {T} )", "BibTeX"),
    (b"TY  - JOUR\nTI  - Dear Comrades\nER  - \n", "RIS"),
    (b"\n\nTY  - BOOK\n", "RIS"),
])
def test_bibtex_and_ris_are_recognised_by_their_start(head: bytes, format_: str) -> None:
    message = text_lookalike(head)
    assert message is not None and message.startswith(f"looks like {format_} (")
    assert message.endswith(f"set format to '{format_.lower()}'")


@pytest.mark.parametrize("head", [
    b"id: a\ntitle: T\n", b'{"title": "@article{x}"}', b"- title: TY  - JOUR\n",
    b"title: T  # @article{x}\n", b"", b"# TY  - JOUR\n",
])
def test_records_are_not_taken_for_another_format(head: bytes) -> None:
    assert text_lookalike(head) is None


@pytest.mark.parametrize("item", [
    {"type": "book", "title": "T", "issued": {"date-parts": [[2021]]}},
    {"id": "x", "type": "article-journal", "title": "T", "author": [{"family": "W"}]},
])
def test_a_csl_json_item_is_recognised(item: dict[str, object]) -> None:
    assert mapping_lookalike(item) == (
        "looks like CSL-JSON (items with `type` and `issued`/`author`): name the file "
        ".json or set format to 'csl-json'")


@pytest.mark.parametrize("record", [
    {"title": "T"},
    {"title": "T", "type": "memo"},  # a field of the user's own
    {"title": "T", "type": "memo", "author": "me", "kind": "letter"},  # kind: a record
    {"id": "a", "items": [{"title": "T"}]},
    {},
])
def test_records_are_not_taken_for_something_else(record: dict[str, object]) -> None:
    assert mapping_lookalike(record) is None


def test_a_mapping_with_no_key_of_a_record_says_so_and_where_records_may_be() -> None:
    assert mapping_lookalike({"name": "x", "version": "1"}) == (
        "looks like a mapping that is not a record: none of its keys (name, version) is a "
        "record's (id, title, kind, creators, …)")
    message = mapping_lookalike({f"k{n}": "v" for n in range(7)} | {"data": [{"a": 1}]})
    assert message is not None and "(k0, k1, k2, k3, k4, …)" in message
    assert message.endswith("; if its records are the list under 'data', import that list")
