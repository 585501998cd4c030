"""Folding text for loose matching, shared by queries, the index file and duplicates.

Matching ignores case, accents and typography: :func:`fold` reduces text to the form
compared, :func:`exact_key` to the form whole values are compared in, and
:func:`search_text` gives the folded text of a record that bare words search.  This
module is small and imports little, so that ``add`` can summarise a record for the
index the storage keeps (:class:`archivist.store.Summaries`) without loading the query
language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

# Combining marks left by NFKD: accents, the breve of й and the diaeresis of ё.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Letters NFKD does not decompose, and typographic punctuation, folded to plain forms
# (str.translate with a mapping would be several times slower).
_FOLD_TABLE = {
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
    "«": '"', "»": '"', "‐": "-", "‑": "-", "–": "-", "—": "-",
}
_FOLD_SPECIAL = re.compile("[" + "".join(_FOLD_TABLE) + "]")


def fold(text: str) -> str:
    """Text reduced for loose matching: case-folded, accents and typography removed."""
    if text.isascii():  # O(1) in CPython, and true of most text: skip the slow path
        return text.lower()
    # Case-folded after NFKD, not before: compatibility characters decompose into
    # capitals (mathematical bold 𝐃 → D, ™ → TM), which would never match a query.
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text).casefold())
    for char in set(_FOLD_SPECIAL.findall(text)):  # few: cheaper than a sub() callback
        text = text.replace(char, _FOLD_TABLE[char])
    return text


def exact_key(text: str) -> str:
    """Text reduced for whole-value comparison: case-folded and composed (NFC)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text.casefold())



def all_texts(value: Any) -> Sequence[str]:
    """Every text (and number, as text) inside a field value."""
    if isinstance(value, str):
        return (value,)
    found: list[str] = []
    if value is not None:
        _collect(value, found)
    return found


def _collect(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, str):
                found.append(item)
            else:
                _collect(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        found.append(str(value))


#: The key under which a summary document (:class:`archivist.store.Summaries`) carries
#: its :func:`search_text` ready made.
SEARCH_KEY = "_search"


def search_text(doc: Mapping[str, Any]) -> str:
    """The folded text of a document that bare words search (title, subtitle, summary
    and creators).

    Fields are joined by a separator no query can hold, so a phrase never spans two.
    """
    # TEXT_SEARCH_FIELDS, unrolled: this runs once per document and query.
    parts = [doc.get("title"), doc.get("subtitle"), doc.get("summary")]
    creators = doc.get("creators")
    if isinstance(creators, list):
        parts += creators
    else:
        parts.append(creators)
    try:
        text = "\x1f".join(filter(None, parts))
    except TypeError:  # something other than text, in a hand-made document
        text = "\x1f".join(all_texts(parts))
    return text.lower() if text.isascii() else fold(text)
