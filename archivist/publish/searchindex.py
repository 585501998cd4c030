"""The search index of a published site, and the folding rules its search uses.

Browsers refuse ``fetch()`` of a local file, so the index is a script
(``search-index.js``) that sets a global, loaded by a ``<script>`` tag from ``file://``
as well as over HTTP.  It holds the texts as written; the page folds them on load with
the rules of :mod:`archivist.folding`, written out here from that module itself (so
the browser's search ignores case and accents exactly as ``archivist list`` does).
"""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

# The module's own tables, read rather than copied, so the two searches cannot drift.
from archivist.folding import _COMBINING, _FOLD_TABLE

#: Separates the fields of an entry's text, so a phrase never spans two (as in
#: :func:`archivist.folding.search_text`).
FIELD_SEPARATOR = "\x1f"


class _Table:
    """Values numbered in the order first seen: names repeated across thousands of
    records (kinds, creators, tags) are held once and referred to by number."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def number(self, value: str) -> int:
        return self.numbers.setdefault(value, len(self.numbers))

    def values(self) -> list[str]:
        return list(self.numbers)


def _entry(doc: Mapping[str, Any], kinds: _Table, creators: _Table, tags: _Table
           ) -> list[Any]:
    """One record: id, title, kind, date, the other words of its subtitle and summary
    (see :func:`other_words`), its creators and its tags (numbers in their tables)."""
    title = str(doc.get("title", ""))
    texts = [doc.get("subtitle"), doc.get("summary")]
    return [doc["id"], title, kinds.number(str(doc.get("kind", "other"))),
            str(doc.get("date") or ""),
            other_words(title, (text for text in texts if isinstance(text, str))),
            [creators.number(name) for name in doc.get("creators", ())],
            [tags.number(tag) for tag in doc.get("tags", ())]]


def other_words(title: str, texts: Iterable[str]) -> str:
    """The words of ``texts`` that the title and earlier texts do not hold already,
    each text's joined by spaces and the texts by :data:`FIELD_SEPARATOR`.

    The search looks for each typed word on its own, and a typed word holds no space,
    so it occurs in a text exactly when it occurs in one of the text's words: a word
    repeated adds nothing, and leaving it out makes the index much smaller.
    """
    seen = set(title.split())
    kept: list[str] = []
    for text in texts:
        words = []
        for word in text.split():
            if word not in seen:
                seen.add(word)
                words.append(word)
        if words:
            kept.append(" ".join(words))
    return FIELD_SEPARATOR.join(kept)


def _script(name: str, value: Any) -> str:
    # U+2028 and U+2029 are escaped for engines older than ES2019, where they end a
    # line inside a string literal; "<" so that no "</script>" or "<!--" in a record
    # can end or hide the script should it ever be inlined into a page.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in "\u2028\u2029<":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return f"window.{name} = {text};\n"


def index_script(records: Iterable[Mapping[str, Any]]) -> str:
    """``search-index.js``: the tables of kinds, creators and tags, and every published
    record as ``[id, title, kind, date, other words, [creators], [tags]]``."""
    kinds, creators, tags = _Table(), _Table(), _Table()
    entries = [_entry(doc, kinds, creators, tags) for doc in records]
    return _script("ARCHIVIST_INDEX", {"kinds": kinds.values(),
                                       "creators": creators.values(),
                                       "tags": tags.values(), "records": entries})


@functools.lru_cache(maxsize=1)
def casefold_exceptions() -> dict[str, str]:
    """Characters whose ``str.casefold`` differs from their lower case (``ß`` → ``ss``),
    among those NFKD leaves whole: JavaScript has ``toLowerCase`` only."""
    found: dict[str, str] = {}
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if char.casefold() != char.lower() and unicodedata.normalize("NFKD", char) == char:
            found[char] = char.casefold()
    return found


def folding_script() -> str:
    """``folding-rules.js``: the rules ``fold.js`` applies, from :mod:`archivist.folding`."""
    return _script("ARCHIVIST_FOLDING", {
        "combining": _COMBINING.pattern,
        "table": _FOLD_TABLE,
        "casefold": casefold_exceptions(),
    })
