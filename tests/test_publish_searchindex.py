"""The search index of a published site (archivist.publish.searchindex)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from archivist.folding import _COMBINING, _FOLD_TABLE
from archivist.publish.searchindex import (
    casefold_exceptions,
    folding_script,
    index_script,
    other_words,
)


def _value(script: str) -> object:
    name, _, value = script.partition(" = ")
    assert name.startswith("window.") and value.endswith(";\n")
    return json.loads(value[:-2])


def test_the_index_holds_each_record_with_tables_for_repeated_names() -> None:
    docs = [{"id": "a", "title": "Dear Comrades", "kind": "film", "date": "2020",
             "creators": ["Andrei Konchalovsky"], "tags": ["film", "ussr"],
             "summary": "Comrades in Novocherkassk, Novocherkassk again"},
            {"id": "b", "title": "B\u2028", "tags": ["film"]}]
    index = _value(index_script(docs))
    assert index == {
        "kinds": ["film", "other"], "creators": ["Andrei Konchalovsky"],
        "tags": ["film", "ussr"],
        "records": [["a", "Dear Comrades", 0, "2020", "in Novocherkassk, Novocherkassk again",
                     [0], [0, 1]],
                    ["b", "B\u2028", 1, "", "", [], [0]]]}
    assert "\u2028" not in index_script(docs)


words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.text(max_size=20), st.lists(st.text(max_size=40), max_size=4), words)
def test_dropping_repeated_words_changes_no_search(title: str, texts: list[str],
                                                   word: str) -> None:
    # A typed word holds no space: it is found in the reduced text exactly when it is
    # found in the full one (each compared field by field, as the page does).
    typed = "".join(word.split())
    full = [title, *texts]
    reduced = [title, *other_words(title, texts).split("\x1f")]
    assert any(typed in text for text in full) == any(typed in text for text in reduced)


def test_the_folding_rules_are_archivists_own() -> None:
    rules = _value(folding_script())
    assert isinstance(rules, dict)
    assert rules["combining"] == _COMBINING.pattern and rules["table"] == _FOLD_TABLE
    assert rules["casefold"]["ß"] == "ss" and rules["casefold"]["ς"] == "σ"
    assert "A" not in casefold_exceptions()
