"""The safe YAML reader: text stays text, hostile input is refused with a position."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist.yamlio import (
    MarkedDict,
    MarkedList,
    YamlError,
    dump,
    dump_all,
    load_all,
    prepare,
    records,
)

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


def test_records_gives_each_item_of_a_sequence_as_soon_as_it_is_read() -> None:
    source, length = prepare(b"- {title: A}\n- plain\n-\n- [x]\n- {title: B}\n- [unclosed\n", "f")
    read = records(source, "f")
    number, first, position, read_to = next(read)  # before the parser meets the error
    assert (number, first, position) == (1, {"title": "A"}, (1, 3))
    assert 0 < read_to <= 12 and isinstance(first, MarkedDict)
    assert first.position("title") == (1, 4)
    rest = []
    with pytest.raises(YamlError) as raised:
        rest.extend(read)
    assert [(value, where) for _, value, where, _ in rest] == [
        ("plain", (2, 3)), (None, (3, 2)), (["x"], (4, 3)), ({"title": "B"}, (5, 3))]
    assert isinstance(rest[2][1], MarkedList)
    assert str(raised.value).startswith("f:7:1: ") and length == 54


def test_records_numbers_documents_and_skips_empty_ones() -> None:
    text = b"title: A\n---\n---\n- {title: B}\n- {title: C}\n--- plain\n"
    source, _ = prepare(text, "f")
    assert [(number, value, where) for number, value, where, _ in records(source)] == [
        (1, {"title": "A"}, (1, 1)), (3, {"title": "B"}, (4, 3)), (3, {"title": "C"}, (5, 3)),
        (4, "plain", (1, 1))]
    # Read whole, the same stream keeps its empty document and its list.
    assert load_all(text) == [{"title": "A"}, None, [{"title": "B"}, {"title": "C"}], "plain"]


def test_prepare_keeps_the_bytes_unless_surrogate_pairs_are_joined() -> None:
    data = "title: Łódź\n".encode()
    assert prepare(data, "f") == (data, 12)
    assert prepare(b"\xef\xbb\xbf" + data, "f") == (data, 12)
    joined, length = prepare(b'{"t": "\\ud83d\\ude00"}', "f")
    assert joined == '{"t": "\\U0001F600"}' and length == 21
    assert [value for _, value, _, _ in records(joined)] == [{"t": "\U0001f600"}]


@pytest.mark.parametrize("text, where", [("a: \ufffe\n", "f:1:4"),
                                         ("x: 1\nb: ok \ufffe\n", "f:2:7")])
def test_a_character_yaml_refuses_is_named_by_line_and_column(text: str, where: str) -> None:
    with pytest.raises(YamlError) as raised:
        load_all(text, "f")
    assert str(raised.value) == f"{where}: character U+FFFE is not allowed in YAML"


@pytest.mark.parametrize("text", ["🚩 flagged", "📚", "books 📚 and 🚩", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𠀀 CJK B",
                                  "🚩\x1b[31m", "🚩: not a key", "- 🚩", "'🚩'", "\"🚩\""])
def test_characters_beyond_the_bmp_are_written_as_they_are(text: str) -> None:
    out = dump({"title": text, text: [text]})
    assert "\\U" not in out
    assert out.count(next(c for c in text if ord(c) > 0xFFFF)) >= 2
    assert load_all(out) == [{"title": text, text: [text]}]


def test_characters_beyond_the_bmp_that_are_not_printable_stay_escaped() -> None:
    out = dump({"t": "tag \U000E0001 and 🚩", "u": "unassigned \U0002FFFE"})
    assert "\\U000E0001" in out and "\\U0002FFFE" in out and "🚩" in out
    assert load_all(out) == [{"t": "tag \U000E0001 and 🚩", "u": "unassigned \U0002FFFE"}]


def test_private_use_characters_and_escape_like_text_are_kept() -> None:
    value = {"t": "\ue000\ue001 🚩 \uf8ff", "path": "C:\\U0001F6A9\\x", "q": "\"\\U0001F4DA\""}
    out = dump(value)
    assert load_all(out) == [value]
    assert "C:\\U0001F6A9\\x" in out and "🚩" in out


def test_dump_all_writes_emoji_as_they_are() -> None:
    out = dump_all([{"a": "🚩"}, {"b": "📚"}])
    assert out == "---\na: 🚩\n---\nb: 📚\n"
    assert load_all(out) == [{"a": "🚩"}, {"b": "📚"}]


# Any character a record may hold (surrogates are refused on input).
_any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=300)
@given(st.dictionaries(_any_text, _any_text | st.lists(_any_text, max_size=3), max_size=4))
def test_any_text_round_trips_and_printable_characters_are_written_as_they_are(
        value: dict[str, object]) -> None:
    out = dump(value)
    assert load_all(out) == [value]
    text = "".join([*value, *(v if isinstance(v, str) else "".join(v)
                              for v in value.values())])
    for char in text:
        if ord(char) > 0xFFFF and char.isprintable():
            assert char in out


# -- strict JSON (a .json file) -------------------------------------------------------


@pytest.mark.parametrize(("text", "where", "problem"), [
    ('{"a": "x",}', (1, 10), "trailing comma is not allowed"),
    ('{"a": "x" /* why */}', (1, 11), "a comment is not allowed"),
    ('{"a": "x"}\n// end\n', (2, 1), "a comment is not allowed"),
    ('{"a": "x"} {"b": "y"}', (1, 12), "unexpected content after document"),
    ('{"a": Infinity}', (1, 7), "unexpected character, expected a JSON value"),
    ('{a: "x"}', (1, 2), "unexpected character, expected a string key"),
    ('{"a": "tab\there"}', (1, 11), "unexpected control character in string"),
    ("  \n", (1, 1), "the file is empty"),
])
def test_strict_json_refuses_what_yaml_would_take_with_its_position(
        text: str, where: tuple[int, int], problem: str) -> None:
    from archivist.yamlio import check_json

    with pytest.raises(YamlError) as err:
        check_json(text, "r.json")
    assert (err.value.line, err.value.column) == where
    assert err.value.problem.startswith(f"not valid JSON: {problem} (a .json file")
    with pytest.raises(YamlError):
        prepare(text.encode(), "r.json", strict_json=True)


def test_strict_json_takes_json_and_leaves_depth_and_text_to_the_yaml_reader() -> None:
    from archivist.yamlio import check_json

    check_json('[{"a": "x\\ud83d\\ude00", "b": [1, 2.5e3, true, null]}]', "r.json")
    check_json("[" * 100_000, "deep.json")  # the YAML reader refuses it by its depth
    source, _ = prepare(b'{"a": "x",}', "r.yaml")  # YAML: lenient as before
    assert [value for _, value, _, _ in records(source)] == [{"a": "x"}]
