"""Folding text for loose matching: fold, exact_key, all_texts and search_text.

Queries (``test_query_parser.py``, ``test_query_match.py``) and the index file exercise these
through their callers; here each promise of :mod:`archivist.folding` is checked on
its own.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.folding import SEARCH_KEY, all_texts, exact_key, fold, search_text

#: The separator search_text puts between fields (the index file stores it as is).
SEP = "\x1f"

# Typographic punctuation the module folds to plain forms.
TYPOGRAPHY = "‘’‚‛“”„‟«»‐‑–—"
# Letters of the scripts titles and names are mostly written in: Latin with its
# accents and extensions, Greek, Cyrillic (up to U+052F), plus typography.
LETTERS = st.characters(min_codepoint=0x20, max_codepoint=0x52F,
                        exclude_categories=("Cc", "Cs")) | st.sampled_from(TYPOGRAPHY)
# Accents: the combining diacritical marks, less U+0345, the Greek iota subscript,
# which case folding turns into the letter iota (``ᾳ`` folds to ``αι``).
ACCENTS = st.characters(min_codepoint=0x300, max_codepoint=0x36F).filter(
    lambda c: c != "\u0345")


def _no_compatibility_form(char: str) -> bool:
    return unicodedata.normalize("NFKD", char) == unicodedata.normalize("NFD", char)


# -- fold --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "folded"), [
    ("", ""),
    ("Dear Comrades", "dear comrades"),
    ("O'Brien - \"quoted\" (1962)!", "o'brien - \"quoted\" (1962)!"),  # ASCII kept
    ("Żółkiewski", "zolkiewski"),
    ("ŁÓDŹ", "lodz"),  # ł has no decomposition: folded by the table
    ("Straße", "strasse"),
    ("STRASSE", "strasse"),
    ("Café", "cafe"),
    ("Cafe\u0301", "cafe"),  # a combining accent, as typed on some systems
    ("Ёжик", "ежик"),  # the diaeresis of ё
    ("Йошкар-Ола", "иошкар-ола"),  # the breve of й
    ("Οδυσσεύς", "οδυσσευσ"),  # final sigma and tonos
    ("ΟΔΥΣΣΕΥΣ", "οδυσσευσ"),
    ("İstanbul ıspanak", "istanbul ispanak"),
    ("Øresund Đorđević Ħal Æsir Œuvre Þór", "oresund dordevic hal aesir oeuvre thor"),
    ("ﬁne", "fine"),  # ligature, by compatibility decomposition
    ("‘a’ ‚b‛", "'a' 'b'"),
    ("“a” „b‟ «c»", '"a" "b" "c"'),
    ("a‐b‑c–d—e", "a-b-c-d-e"),
    ("Vi\u1ec7t Nam", "viet nam"),  # two stacked accents
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text())
def test_fold_ignores_case(text: str) -> None:
    assert fold(text.upper()) == fold(text) == fold(text.lower())


@given(st.text())
def test_fold_ignores_how_accents_are_encoded(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(
        unicodedata.normalize("NFC", text))


@given(st.lists(st.tuples(st.characters(categories=("Lu", "Ll"), max_codepoint=0x52F),
                          st.lists(ACCENTS, max_size=3)), max_size=12))
def test_fold_removes_accents(letters: list[tuple[str, list[str]]]) -> None:
    bare = "".join(letter for letter, _ in letters)
    accented = "".join(letter + "".join(marks) for letter, marks in letters)
    assert fold(accented) == fold(bare)
    assert fold(unicodedata.normalize("NFC", accented)) == fold(bare)


@given(st.text(LETTERS.filter(_no_compatibility_form)))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(LETTERS.filter(_no_compatibility_form)))
def test_folded_latin_greek_and_cyrillic_keep_no_accent_or_capital(text: str) -> None:
    folded = fold(text)
    assert not any("\u0300" <= char <= "\u036f" for char in folded)
    assert not any(char in TYPOGRAPHY for char in folded)
    assert folded == folded.lower()


@given(st.text(st.characters(max_codepoint=0x7F)))
def test_the_ascii_shortcut_agrees_with_the_full_path(text: str) -> None:
    # ASCII text skips normalisation; with one accented letter added it takes the
    # full path, and must fold the same.
    assert fold(text + "É") == fold(text) + "e"
    assert exact_key(text + "É") == exact_key(text) + "é"


@pytest.mark.parametrize("text", [
    "𝐃𝐞𝐚𝐫 𝐂𝐨𝐦𝐫𝐚𝐝𝐞𝐬",  # mathematical bold, common in text pasted from social media
    "Acme™",
    "ℂ",
    "㎒",
    "ᴬ",
    "ϲ",  # lunate sigma folds to final sigma, which fold() itself turns into σ
])
def test_fold_is_idempotent_on_compatibility_letters(text: str) -> None:
    # They decompose into capitals (𝐃 → D, ™ → TM), folded too.
    assert fold(fold(text)) == fold(text)
    assert fold(text) == fold(text).casefold()


def test_a_title_in_mathematical_bold_is_found_by_plain_words() -> None:
    assert fold("𝐃𝐞𝐚𝐫 𝐂𝐨𝐦𝐫𝐚𝐝𝐞𝐬") == fold("DEAR comrades") == "dear comrades"


# -- exact_key ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "key"), [
    ("", ""),
    ("Dear Comrades", "dear comrades"),
    ("DEAR COMRADES", "dear comrades"),
    ("Straße", "strasse"),
    ("Cafe\u0301", "café"),
    ("CAFÉ", "café"),
    ("ŁÓDŹ", "łódź"),
])
def test_exact_key(text: str, key: str) -> None:
    assert exact_key(text) == key
    assert unicodedata.is_normalized("NFC", exact_key(text))


@pytest.mark.parametrize(("one", "other"), [
    ("café", "cafe"),
    ("Żółw", "Zolw"),
    ("O’Brien", "O'Brien"),
    ("a–b", "a-b"),
])
def test_exact_key_keeps_accents_and_typography(one: str, other: str) -> None:
    assert exact_key(one) != exact_key(other)
    assert fold(one) == fold(other)


@given(st.text())
def test_exact_key_ignores_composition(text: str) -> None:
    key = exact_key(text)
    assert exact_key(unicodedata.normalize("NFD", text)) == key
    assert exact_key(unicodedata.normalize("NFC", text)) == key
    assert exact_key(key) == key
    assert unicodedata.is_normalized("NFC", key)


# The dotless ı is a letter of its own: its capital I folds to a dotted i.
@given(st.text(LETTERS.filter(lambda c: c != "ı")))
def test_exact_key_ignores_case(text: str) -> None:
    assert exact_key(text.upper()) == exact_key(text) == exact_key(text.lower())


@given(st.text())
def test_values_equal_exactly_are_equal_loosely(text: str) -> None:
    assert fold(exact_key(text)) == fold(text)


# -- all_texts ---------------------------------------------------------------------

@pytest.mark.parametrize(("value", "texts"), [
    ("Weiss", ["Weiss"]),
    (None, []),
    (1962, ["1962"]),
    (2.5, ["2.5"]),
    (True, []),  # a flag is not a number
    ([], []),
    (["a", 1, None, False, ["b", [2.5]]], ["a", "1", "b", "2.5"]),
    (("a", "b"), ["a", "b"]),
    ({"name": "Weiss", "year": 1962, "more": {"note": "n"}}, ["Weiss", "1962", "n"]),
])
def test_all_texts(value: Any, texts: list[str]) -> None:
    assert list(all_texts(value)) == texts


def test_all_texts_skips_the_keys_of_a_mapping() -> None:
    assert list(all_texts({"hidden": "shown"})) == ["shown"]


Leaves = tuple[Any, list[str]]


def _leaf(value: Any) -> Leaves:
    return value, [] if value is None or isinstance(value, bool) else [str(value)]


def _nest(children: st.SearchStrategy[Leaves]) -> st.SearchStrategy[Leaves]:
    as_list = st.lists(children, max_size=4).map(
        lambda items: ([v for v, _ in items], [t for _, ts in items for t in ts]))
    as_dict = st.dictionaries(st.text(max_size=3), children, max_size=4).map(
        lambda items: ({k: v for k, (v, _) in items.items()},
                       [t for _, ts in items.values() for t in ts]))
    return as_list | as_dict


# A nested value built together with the texts it holds, in order.
NESTED = st.recursive(
    (st.none() | st.booleans() | st.text() | st.integers()
     | st.floats(allow_nan=False, allow_infinity=False)).map(_leaf),
    _nest, max_leaves=20)


@given(NESTED)
def test_all_texts_finds_every_text_and_number_in_order(nested: Leaves) -> None:
    value, texts = nested
    assert list(all_texts(value)) == texts


# -- search_text -------------------------------------------------------------------

#: A stored document with a distinct word in every field.
DOC: dict[str, Any] = {
    "id": "idword", "kind": "kindword", "title": "Dear Comrades",
    "subtitle": "Novocherkassk", "creators": ["Clara Weiss", "Żółkiewski"],
    "date": "1962", "publisher": "publisherword", "language": "languageword",
    "url": "https://urlword.example", "summary": "A film", "tags": ["tagword"],
    "source": {"path": "pathword.html", "sha256": "shaword"},
    "fields": {"kicker": "fieldword"}, "archive": {"added_by": "archiveword"},
    "_dates": "privateword",
}


def test_search_text_holds_title_subtitle_summary_and_creators_in_order() -> None:
    assert search_text(DOC).split(SEP) == [
        "dear comrades", "novocherkassk", "a film", "clara weiss", "zolkiewski"]


@pytest.mark.parametrize("word", [
    "idword", "kindword", "1962", "publisherword", "languageword", "urlword", "tagword",
    "pathword", "shaword", "fieldword", "archiveword", "privateword", "kicker", "source",
])
def test_search_text_leaves_other_fields_out(word: str) -> None:
    assert word not in search_text(DOC)


def test_a_phrase_never_spans_two_fields() -> None:
    text = search_text({"title": "Dear", "subtitle": "Comrades", "creators": ["a", "b"]})
    assert "dear" in text and "comrades" in text
    assert "dear comrades" not in text and "a b" not in text


@pytest.mark.parametrize(("doc", "text"), [
    ({}, ""),
    ({"id": "x", "title": "T", "subtitle": None, "summary": "", "creators": []}, "t"),
    ({"title": "T", "creators": "Weiss"}, f"t{SEP}weiss"),  # hand made: one name
    ({"title": "T", "creators": ("A", "B")}, f"t{SEP}a{SEP}b"),
    ({"title": 1984, "creators": [None, "Orwell", {"name": "Blair"}, 3]},
     f"1984{SEP}orwell{SEP}blair{SEP}3"),
    ({"title": "ÉTÉ", "summary": "Łódź"}, f"ete{SEP}lodz"),
])
def test_search_text_of_sparse_and_hand_made_documents(doc: dict[str, Any],
                                                        text: str) -> None:
    assert search_text(doc) == text


OPTIONAL_TEXT = st.none() | st.text()


@given(st.fixed_dictionaries({"title": st.text(min_size=1)}, optional={
    "subtitle": OPTIONAL_TEXT, "summary": OPTIONAL_TEXT,
    "creators": st.lists(st.text(), max_size=3), "tags": st.lists(st.text(), max_size=3),
    "fields": st.dictionaries(st.text(max_size=3), st.text(), max_size=3)}))
def test_search_text_is_the_folded_text_fields(doc: dict[str, Any]) -> None:
    text = search_text(doc)
    assert fold(doc["title"]) in text
    parts = [doc["title"], doc.get("subtitle"), doc.get("summary"), *doc.get("creators", [])]
    assert text == SEP.join(fold(part) for part in parts if part)


def test_search_key_is_private() -> None:
    # The summary documents of the index file carry the search text under this key;
    # a leading underscore keeps it out of history and of what users see.
    assert SEARCH_KEY == "_search"
