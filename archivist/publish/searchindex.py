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


def entry(doc: Mapping[str, Any]) -> list[str]:
    """One record in the index: id, title, kind, date and the other searched texts
    (subtitle, creators, summary, tags) joined by :data:`FIELD_SEPARATOR`."""
    texts = [doc.get("subtitle"), *doc.get("creators", ()), doc.get("summary"),
             *doc.get("tags", ())]
    return [doc["id"], str(doc.get("title", "")), str(doc.get("kind", "other")),
            str(doc.get("date") or ""),
            FIELD_SEPARATOR.join(text for text in texts if isinstance(text, str) and text)]


def _script(name: str, value: Any) -> str:
    # U+2028 and U+2029 are escaped for engines older than ES2019, where they end a
    # line inside a string literal.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.{name} = {text};\n"


def index_script(records: Iterable[Mapping[str, Any]]) -> str:
    """``search-index.js``: every published record's :func:`entry`."""
    return _script("ARCHIVIST_INDEX", [entry(doc) for doc in records])


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
