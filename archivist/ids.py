"""Record ids that people can type: ``weiss-2021-dear-comrades``.

An id is made from the first creator's family name, the year, and the first
significant words of the title, lowercased and transliterated to ASCII (Cyrillic by
the scholarly system without diacritics, Polish and other Latin letters by dropping
accents).  The family name is the one the citation exports and duplicate detection
use (:func:`archivist.names.family_name`): ``Троцкий Лев Давидович`` and ``Лев
Давидович Троцкий`` both give ``trotskii``, and a name kept whole, such as an
organisation's, is used whole.  The same record always yields the same id; a
collision gets a suffix ``-2``, ``-3``…  Ids already given are never changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

from archivist.names import family_name

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "і": "i", "ї": "i", "є": "ie", "ґ": "g", "ў": "u",
}
# Letters that NFKD does not decompose into a base letter plus an accent.
_LATIN = {"ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "þ": "th", "ı": "i"}
_STOPWORDS = frozenset({
    "a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "from", "by", "with",
    "as", "is", "are", "was", "were", "be", "its", "it", "this", "that", "der", "die", "das",
    "und", "von", "la", "le", "les", "de", "des", "du", "et", "el", "los", "las", "y",
})
_WORD = re.compile(r"[a-z0-9]+")
MAX_TITLE_WORDS = 3


def transliterate(text: str) -> str:
    """Lowercase ASCII rendering of ``text`` (``"Новочеркасск"`` → ``"novocherkassk"``)."""
    out: list[str] = []
    for char in text.lower():
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif char in _LATIN:
            out.append(_LATIN[char])
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            out.append("".join(c for c in decomposed if c.isascii()))
    return "".join(out)


def _words(text: str) -> list[str]:
    # Apostrophes join words ("Workers' Power" → "workers power", "don't" → "dont");
    # any other non-letter separates them ("July 31—August 6" → "july 31 august 6").
    text = re.sub(r"['’ʼ]", "", text)
    text = "".join(c if c.isalnum() else " " for c in text)
    return _WORD.findall(transliterate(text))


def surname(creator: str) -> str:
    """The family name of a creator as id words (``Bill Van Auken`` → ``van-auken``).

    See :func:`archivist.names.family_name`: ``Weiss, Clara`` → ``weiss``, ``Polski
    Komitet Wyzwolenia Narodowego`` → ``polski-komitet-wyzwolenia-narodowego``.
    """
    return "-".join(_words(family_name(creator)))


def significant_words(title: str) -> list[str]:
    """The words of a title that an id is made from, stopwords left out.

    A title proper before a colon or dash is preferred when it has at least two
    significant words ("Dear Comrades: Russian film…" → dear, comrades).
    """

    def significant(text: str) -> list[str]:
        found = _words(text)
        return [w for w in found if w not in _STOPWORDS] or found

    proper = re.split(r"\s*[:—–]\s+|\s+-\s+", title, maxsplit=1)[0]
    words = significant(proper)
    return words if len(words) >= 2 else significant(title)


def base_id(title: str, creators: tuple[str, ...] = (), year: str | None = None) -> str:
    """The id a record would get before collisions are considered."""
    parts: list[str] = []
    if creators:
        name = surname(creators[0])
        if name:
            parts.append(name)
    if year:
        parts.append(year)
    significant = significant_words(title)
    parts.extend(significant[:MAX_TITLE_WORDS])
    return "-".join(parts)[:80].strip("-") or "record"


def generate_id(title: str, creators: tuple[str, ...], date: str | None,
                taken: Container[str]) -> str:
    """A new id unique among ``taken`` (lowercased ids already in use).

    :param date: the record's date as written; its first four digits are the year.
    """
    year = None
    if date:
        match = re.search(r"\d{4}", date)
        year = match.group(0) if match else None
    base = base_id(title, creators, year)
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
