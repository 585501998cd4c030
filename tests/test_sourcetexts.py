"""What every engine's text store shares: words, folding, texts offered for the commit."""

from __future__ import annotations

from archivist.store.sourcetexts import (
    MemoryTexts,
    SourceText,
    folded_text,
    offer,
    pieces_of,
    search_words,
    take_offered,
    words_in,
)


def test_a_search_needs_its_folded_words() -> None:
    assert search_words("Ter-Azaryan’s «Zółkiewski» 1962") == [
        "ter", "azaryan", "s", "zolkiewski", "1962"]
    assert search_words("--") == []
    assert pieces_of("dear comrades, dear") == {"dear", "comrades,"}
    assert words_in("ter-azaryan,", "aza") == {"azaryan"}


def test_folding_keeps_the_lines() -> None:
    assert folded_text("Ёжик\nÉTÉ") == "ежик\nete"
    text = SourceText("a" * 64, "text", "Żółw")
    assert text.folded_text() == "zolw"
    assert SourceText("b" * 64, "skipped", None).folded_text() is None


def test_texts_offered_are_taken_once() -> None:
    take_offered()
    offer(SourceText("a" * 64, "text", "x"))
    offer(SourceText("a" * 64, "text", "x"))
    assert [text.sha256 for text in take_offered()] == ["a" * 64]
    assert take_offered() == []


def test_texts_in_memory_are_sieved_by_scanning() -> None:
    texts = MemoryTexts()
    texts.put([SourceText("a" * 64, "text", "Azaryan"), SourceText("b" * 64, "skipped", None)])
    assert texts.kinds() == {"a" * 64: "text", "b" * 64: "skipped"}
    assert [t.sha256 for t in texts.candidates({"a" * 64, "b" * 64}, ["azar"])] == ["a" * 64]
    assert list(texts.candidates({"b" * 64}, [])) == []
