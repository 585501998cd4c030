"""BibTeX for LaTeX, written for biblatex/biber (UTF-8, EDTF dates) and readable by BibTeX.

The citation key is the key the record was imported with (``fields.citekey``), else
the record's id (ids are ASCII letters, digits, ``-``, ``_``, ``.``, so every id is a
valid key).  Text keeps its Unicode as written, since biber and
biblatex read UTF-8; only the characters TeX would obey are escaped (``& % $ # _ { } ~ ^
\\``).  Organisations, people and events are not cited and are left out.

Dates: ``date`` carries the EDTF date as written (biblatex reads EDTF levels 0 and 1:
``1923~``, ``1920/1925``, ``1920/..``), and ``year``/``month`` are added for classic
BibTeX styles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from archivist.exporters.csl import (
    CONTAINER_KINDS,
    DateParts,
    citable,
    date_parts,
    field_texts,
)
from archivist.names import split_creators

if TYPE_CHECKING:
    from archivist.exporters.options import ExportOptions

#: The entry type of each kind (agents are not cited).
BIBTEX_TYPES: dict[str, str] = {
    "article": "article",
    "review": "article",
    "book": "book",
    "chapter": "incollection",
    "pamphlet": "booklet",
}
#: Custom fields (``fields.x``, any case) carried into entries.
BIBTEX_FIELDS: dict[str, str] = {
    "doi": "doi", "isbn": "isbn", "issn": "issn", "volume": "volume", "issue": "number",
    "pages": "pages", "place": "location", "edition": "edition",
}
_SPECIAL = re.compile(r"[\\&%$#_{}~^]")
# A key BibTeX and biber read back as written.
_KEY = re.compile(r"^[^\s,{}()=\"#%'\\~]+$")
_REPLACEMENT = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# biblatex's langid takes babel's language names; codes without one are left out
# rather than break a document that loads babel.
BABEL_NAMES: dict[str, str] = {
    "en": "english", "en-gb": "british", "en-us": "american", "ru": "russian",
    "pl": "polish", "uk": "ukrainian", "be": "belarusian", "de": "ngerman",
    "fr": "french", "es": "spanish", "it": "italian", "pt": "portuguese", "nl": "dutch",
    "cs": "czech", "sk": "slovak", "sv": "swedish", "da": "danish", "fi": "finnish",
    "hu": "magyar", "el": "greek", "tr": "turkish", "bg": "bulgarian", "sr": "serbian",
    "hr": "croatian", "sl": "slovene", "ro": "romanian", "lt": "lithuanian",
    "lv": "latvian", "et": "estonian", "ca": "catalan", "la": "latin", "he": "hebrew",
}
# A URL field is read verbatim by biblatex, so TeX escapes would become part of the
# address; only what would unbalance the braces is percent-encoded.
_URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C"}


def escape(text: str) -> str:
    """``text`` with TeX's special characters escaped; Unicode is kept as is."""
    return _SPECIAL.sub(lambda m: _REPLACEMENT[m.group()], text)


def _url(text: str) -> str:
    return "".join(_URL_UNSAFE.get(c, c) for c in text)


def langid_of(language: str | None) -> str | None:
    """biblatex's ``langid`` for a language code (``en`` → ``english``), if known."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-")
    return BABEL_NAMES.get(code) or BABEL_NAMES.get(code.split("-")[0])


def citation_key(record: dict[str, Any]) -> str:
    """The entry key: the key the record was imported with (``fields.citekey``), when
    BibTeX can read it back, else the record's id."""
    key = (record.get("fields") or {}).get("citekey")
    if isinstance(key, str) and _KEY.match(key):
        return key
    return str(record["id"])


def entry_type(kind: str | None) -> str:
    """The BibTeX entry type of a kind (``misc`` for any kind without its own)."""
    return BIBTEX_TYPES.get(kind or "other", "misc")


def bibtex_name(record_kind: str | None, creators: Sequence[str] | None) -> str | None:
    """The ``author`` field: split names as ``Family, Given``, the rest in braces."""
    names = []
    for name in split_creators(creators, record_kind):
        if name.family is None:
            # Braces make BibTeX take the whole as one family name, never splitting
            # "World Socialist Web Site" or reading "and" as a separator.
            names.append("{" + escape(name.written) + "}")
        else:
            names.append(escape(name.inverted()))
    return " and ".join(names) or None


def _year(parts: DateParts | None) -> str | None:
    if parts is None:
        return None
    start = parts.start[0] if parts.start else None
    end = parts.end[0] if parts.end else None
    if not parts.interval:
        return str(start)
    if start == end:
        return str(start)
    return f"{start or ''}--{end or ''}"


def _month(parts: DateParts | None) -> str | None:
    if parts is None or parts.start is None or len(parts.start) < 2:
        return None
    if parts.interval and (parts.end is None or parts.end[:2] != parts.start[:2]):
        return None
    return str(parts.start[1])


def bibtex_entry(record: dict[str, Any]) -> str:
    """One record (interchange form or stored document) as a BibTeX entry."""
    kind = record.get("kind") or "other"
    fields: list[tuple[str, str]] = []
    author = bibtex_name(kind, record.get("creators"))
    if author:
        fields.append(("author", author))
    fields.append(("title", escape(record["title"])))
    if record.get("subtitle"):
        fields.append(("subtitle", escape(record["subtitle"])))
    if record.get("publisher"):
        etype = entry_type(kind)
        if kind in CONTAINER_KINDS and etype == "article":
            where = "journal"
        elif etype in ("misc", "booklet"):
            where = "howpublished"
        else:
            where = "publisher"
        fields.append((where, escape(record["publisher"])))
    date = record.get("date")
    if date:
        parts = date_parts(date)
        # Raw, not escaped: biber parses the EDTF itself, and a validated date holds
        # only digits and "-/.~?%", none of which can unbalance the entry.
        fields.append(("date", date.strip()))
        year, month = _year(parts), _month(parts)
        if year:
            fields.append(("year", year))
        if month:
            fields.append(("month", month))
    texts = field_texts(record)
    for field, name in BIBTEX_FIELDS.items():
        if field in texts:
            fields.append((name, escape(texts[field])))
    if record.get("url"):
        fields.append(("url", _url(record["url"])))
        retrieved = (record.get("source") or {}).get("retrieved")
        if retrieved:
            fields.append(("urldate", retrieved.strip()))
    langid = langid_of(record.get("language"))
    if langid:
        fields.append(("langid", langid))
    if record.get("summary"):
        fields.append(("abstract", escape(record["summary"])))
    if record.get("tags"):
        fields.append(("keywords", escape(", ".join(record["tags"]))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type(kind)}{{{citation_key(record)},\n{body}\n}}\n"


def export_bibtex(records: Sequence[dict[str, Any]], columns: Sequence[str],
                  options: ExportOptions) -> str:
    """BibTeX entries of the citable records, one blank line apart (``columns`` ignored)."""
    return "\n".join(bibtex_entry(r) for r in citable(records))
