"""RIS, the tagged format that EndNote, Zotero, Mendeley and most library catalogues read.

One record per ``TY  - `` … ``ER  - `` block.  RIS is line based, so a line break
inside a value (a summary's paragraphs) is written as a space: a value can never start
a new tag.  Organisations, people and events are not cited and are left out.

Dates: ``PY`` is the year; ``DA`` is ``YYYY/MM/DD/other`` where *other* says what RIS
cannot: ``circa``, ``uncertain``, ``to 1925`` for an interval, ``or later`` /
``or earlier`` for an open end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from archivist.exporters.csl import (
    CONTAINER_KINDS,
    citable,
    date_parts,
    field_texts,
    journal_article,
)
from archivist.names import split_creators

if TYPE_CHECKING:
    from archivist.exporters.options import ExportOptions

#: The RIS reference type of each kind (agents are not cited); an article with a
#: volume, issue or pages is a journal article, ``JOUR``.
RIS_TYPES: dict[str, str] = {
    "article": "NEWS",
    "review": "JOUR",
    "web-page": "ELEC",
    "listing": "ELEC",
    "book": "BOOK",
    "chapter": "CHAP",
    "pamphlet": "PAMP",
    "letter": "PCOMM",
    "film": "MPCT",
    "image": "ART",
    "audio": "SOUND",
    "video": "VIDEO",
    "dataset": "DATA",
}
#: Custom fields (``fields.x``, any case) carried into references, with their tags.
RIS_FIELDS: dict[str, str] = {
    "doi": "DO", "isbn": "SN", "volume": "VL", "issue": "IS", "place": "CY",
    "edition": "ET",
}
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def reference_type(record: dict[str, Any], texts: dict[str, str] | None = None) -> str:
    """The RIS type of a record (``GEN``, generic, for any kind without its own)."""
    if journal_article(record, texts):
        return "JOUR"
    return RIS_TYPES.get(record.get("kind") or "other", "GEN")


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def _ris_date(text: str | None) -> tuple[str | None, str | None]:
    """``(PY, DA)`` for a record's date."""
    parts = date_parts(text)
    if parts is None:
        return None, None
    notes = []
    if parts.approximate:
        notes.append("circa")
    if parts.uncertain:
        notes.append("uncertain")
    main = parts.start
    if parts.interval:
        if parts.start is None:
            main = parts.end
            notes.append("or earlier")
        elif parts.end is None:
            notes.append("or later")
        else:
            notes.append("to " + "-".join(f"{n:02d}" if i else str(n)
                                          for i, n in enumerate(parts.end)))
    assert main is not None  # an interval has at least one known end
    year = f"{main[0]:04d}"
    month = f"{main[1]:02d}" if len(main) > 1 else ""
    day = f"{main[2]:02d}" if len(main) > 2 else ""
    return year, f"{year}/{month}/{day}/{'; '.join(notes)}"


def ris_reference(record: dict[str, Any]) -> str:
    """One record (interchange form or stored document) as a RIS reference."""
    kind = record.get("kind") or "other"
    texts = field_texts(record)
    lines: list[tuple[str, str]] = [("TY", reference_type(record, texts)),
                                    ("ID", record["id"])]
    for name in split_creators(record.get("creators"), kind):
        lines.append(("AU", name.inverted(suffix_last=True)))
    title = record["title"]
    if record.get("subtitle"):
        title = f"{title}: {record['subtitle']}"
    lines.append(("TI", title))
    if record.get("publisher"):
        lines.append(("T2" if kind in CONTAINER_KINDS else "PB", record["publisher"]))
    year, da = _ris_date(record.get("date"))
    if year:
        lines.append(("PY", year))
    if da:
        lines.append(("DA", da))
    for field, tag in RIS_FIELDS.items():
        if field in texts:
            lines.append((tag, texts[field]))
    pages = texts.get("pages")
    if pages:
        first, _, last = pages.partition("-")
        lines.append(("SP", first.strip()))
        if last.strip("- "):
            lines.append(("EP", last.strip("- ")))
    if record.get("language"):
        lines.append(("LA", record["language"]))
    if record.get("url"):
        lines.append(("UR", record["url"]))
        retrieved = (record.get("source") or {}).get("retrieved")
        if retrieved:
            lines.append(("Y2", retrieved))
    if record.get("summary"):
        lines.append(("AB", record["summary"]))
    for tag in record.get("tags") or ():
        lines.append(("KW", tag))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines)


def export_ris(records: Sequence[dict[str, Any]], columns: Sequence[str],
               options: ExportOptions) -> str:
    """RIS references of the citable records, one blank line apart (``columns`` ignored)."""
    return "\n".join(ris_reference(r) for r in citable(records))
