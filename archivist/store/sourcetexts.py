"""The text of source files as an engine keeps it: a cache, keyed by SHA-256.

Every engine keeps the text of each distinct source file once (:class:`SourceText`)
in an index of its own: the JSON-file engine in an SQLite FTS5 database beside the
archive (:mod:`.jsonfile.textcache`), PostgreSQL in a table with a trigram index
(:mod:`.postgres.fulltext`).  What it answers (:class:`SourceTexts`) is only a first
sieve: the texts that may contain every word of a search.  Whether they do, and on
which lines, is decided by :mod:`archivist.fulltext` for every engine alike, so all give
the same answers.

Texts are written only when the command succeeds: with the archive's commit, or, for a
command that only reads, at its clean end.  Texts extracted while a source was
described (:func:`offer`, from :func:`archivist.provenance.describe_source`) are
written by the next archive to commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from archivist.folding import fold

#: A version of how texts are kept and folded: a cache of another version is rebuilt.
TEXTS_VERSION = "3"
#: A word of a search inside more indexed pieces of text than this sieves nothing.
MAX_WORD_VARIANTS = 2000
# The texts offered but not yet written, by SHA-256; kept few (a large import writes
# them with its commit, and the oldest would only be extracted again at a search).
_MAX_OFFERED = 20000
_OFFERED: dict[str, SourceText] = {}

#: What a search reads of each text: the text as extracted (``grep --regex``), the
#: folded text (``text:``), or both (``grep``); an engine may give more.
Parts = Literal["text", "folded", "both"]


class TextsDamaged(Exception):
    """The kept texts turned out damaged while being read: the caller reads the files
    again (the engine no longer reads what it keeps).  Never shown to a user."""


@dataclass(frozen=True)
class SourceText:
    """The text of one source file, or why it has none.

    :param kind: ``text``, ``html``, ``warc``, ``pdf``, or ``skipped``.
    :param text: the lines, joined by ``\\n`` (``None`` when skipped).
    :param note: how it was read, or why it was skipped.
    """

    sha256: str
    kind: str
    text: str | None
    note: str = ""
    #: The text folded (:func:`folded_text`), when the engine kept it so.
    folded: str | None = None

    def folded_text(self) -> str | None:
        """The text as searches compare it."""
        if self.folded is not None or self.text is None:
            return self.folded
        return folded_text(self.text)


class SourceTexts(Protocol):
    """The texts an engine keeps, with the first sieve of a search."""

    def kinds(self) -> dict[str, str]:
        """The kind of every text kept, by SHA-256."""

    def put(self, texts: Iterable[SourceText]) -> None:
        """Keep these texts (written with the command's success)."""

    def candidates(self, sha256s: Collection[str], words: Collection[str],
                   parts: Parts = "both") -> Iterator[SourceText]:
        """The texts among ``sha256s`` whose folded text may hold every one of ``words``
        (folded, each a run of letters and digits), and maybe others; every text of
        ``sha256s`` when ``words`` is empty; ``parts`` says which of their texts the
        search reads (the others may be left out: ``None``).

        :raises TextsDamaged: when what the engine keeps cannot be read.
        """


def offer(text: SourceText) -> None:
    """Keep a text extracted while its file was described, for the next commit."""
    if len(_OFFERED) >= _MAX_OFFERED:
        _OFFERED.pop(next(iter(_OFFERED)))
    _OFFERED[text.sha256] = text


def take_offered() -> list[SourceText]:
    """The texts offered so far, no longer kept here (an engine writes them)."""
    taken = list(_OFFERED.values())
    _OFFERED.clear()
    return taken


_Texts = TypeVar("_Texts", bound="PendingTexts")


def to_write(opened: _Texts | None, opener: Callable[[], _Texts]) -> _Texts | None:
    """An engine's texts with the offered ones put in, to write at its commit; ``None``
    when there is nothing to write (no text offered, the texts never opened)."""
    offered = take_offered()
    if not offered and opened is None:
        return None
    texts = opener()
    texts.put(offered)
    return texts


# Runs of letters, digits and private-use characters: the characters FTS5's unicode61
# tokenizer keeps in a word (categories L*, N* and Co).
_WORD = re.compile(r"(?:[^\W_]|[\ue000-\uf8ff\U000f0000-\U0010fffd])+")


def pieces_of(folded: str) -> set[str]:
    """The distinct pieces of folded text between white space (each holds words)."""
    return set(folded.split())


def words_in(piece: str, word: str) -> set[str]:
    """The words of ``piece`` that hold ``word``."""
    return {found for found in _WORD.findall(piece) if word in found}


def folded_text(text: str) -> str:
    """The text of a source as searches compare it: folded, with as many lines as
    ``text`` (folding keeps line ends; a line is folded alone if it did not)."""
    folded = fold(text)
    if folded.count("\n") == text.count("\n"):
        return folded
    return "\n".join(fold(line) for line in text.split("\n"))


def search_words(needle: str) -> list[str]:
    """The words a text must hold (each inside one of its words) to contain ``needle``."""
    return _WORD.findall(fold(needle))


class PendingTexts:
    """Texts kept in memory until the command succeeds, searched by scanning them."""

    def __init__(self) -> None:
        self.pending: dict[str, SourceText] = {}

    def put(self, texts: Iterable[SourceText]) -> None:
        for text in texts:
            self.pending[text.sha256] = text

    def pending_candidates(self, sha256s: Collection[str], words: Collection[str]
                           ) -> Iterator[SourceText]:
        for sha, text in list(self.pending.items()):
            if sha in sha256s and text.text is not None:
                if text.folded is None:  # folded once, for the search and the write
                    text = SourceText(sha, text.kind, text.text, text.note,
                                      folded_text(text.text))
                    self.pending[sha] = text
                folded = text.folded or ""
                if all(word in folded for word in words):
                    yield text


class MemoryTexts(PendingTexts):
    """The texts of an archive in memory, never written."""

    def kinds(self) -> dict[str, str]:
        return {sha: text.kind for sha, text in self.pending.items()}

    def candidates(self, sha256s: Collection[str], words: Collection[str],
                   parts: Parts = "both") -> Iterator[SourceText]:
        return self.pending_candidates(sha256s, words)
