"""The safe YAML reader: text stays text, hostile input is refused with a position."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.yamlio import MarkedDict, YamlError, dump, load_all

TRICKY = ["no", "yes", "on", "off", "0123", "0755", "1e3", "3.10", "1:20", "0x1F", ".nan",
          ".inf", "2021-02-09", "true", "~x", "12:30:00", "-1", "+1"]


@pytest.mark.parametrize("text", TRICKY)
def test_plain_scalars_stay_the_text_written(text: str) -> None:
    assert load_all(f"title: {text}\n".encode()) == [{"title": text}]


@pytest.mark.parametrize("text", [*TRICKY, "null", "~", ""])
def test_dump_quotes_what_would_otherwise_change(text: str) -> None:
    assert load_all(dump({"title": text})) == [{"title": text}]


def test_plain_null_means_absent_but_quoted_null_is_text() -> None:
    assert load_all(b'a: null\nb: ~\nc:\nd: "null"\n') == [
        {"a": None, "b": None, "c": None, "d": "null"}]


def test_positions_are_remembered() -> None:
    [doc] = load_all(b"a: 1\nbb:\n  c: 2\n")
    assert isinstance(doc, MarkedDict)
    assert doc.position("bb") == (2, 1)
    assert doc["bb"].position() == (3, 3)


def test_streams_and_lists() -> None:
    assert load_all(b"---\na: 1\n---\nb: 2\n") == [{"a": "1"}, {"b": "2"}]
    assert load_all(b"- a: 1\n- a: 2\n") == [[{"a": "1"}, {"a": "2"}]]


@pytest.mark.parametrize(("data", "where", "message"), [
    (b"a: &x 1\nb: *x\n", "f:1:4", "anchors and aliases"),
    (b"a: 1\nb: 2\na: 3\n", "f:3:1", "duplicate key 'a'"),
    (b"a: !!python/object:os.system x\n", "f:1:4", "not allowed"),
    (b"a: !custom x\n", "f:1:4", "not allowed"),
    (b"<<: {a: 1}\n", "f:1:1", "merge keys"),
    (b"a: \xff\n", "f:1:4", "not valid UTF-8"),
    (b"a: b\x07c\n", "f:1:5", "control character"),
    (b"\xff\xfea\x00", "f:1:1", "UTF-16"),
    (b"a: [1, 2\n", "f:2:1", ""),
])
def test_hostile_or_broken_input_is_refused_with_position(data: bytes, where: str,
                                                          message: str) -> None:
    with pytest.raises(YamlError) as err:
        load_all(data, "f")
    assert str(err.value).startswith(where)
    assert message in str(err.value)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(YamlError, match="nesting"):
        load_all(b"[" * 100_000, "f")
    with pytest.raises(YamlError, match="nesting"):
        load_all(b"a: " + b"[" * 70 + b"]" * 70, "f")


def test_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(YamlError, match="over the limit"):
        load_all(b"a: 1\n" * 100, "f", max_size=50)


def test_utf8_bom_is_accepted() -> None:
    assert load_all(b"\xef\xbb\xbfa: 1\n") == [{"a": "1"}]


def test_unicode_is_dumped_as_written() -> None:
    text = dump({"t": "Новочеркасск “Żółć”"})
    assert "Новочеркасск “Żółć”" in text and "\\u" not in text


_values = st.recursive(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                              max_size=8), inner, max_size=3),
    max_leaves=10,
)


@given(_values)
def test_dump_then_load_is_the_identity(value: object) -> None:
    assert load_all(dump(value)) == [value]
