"""CSL-JSON, the input of citeproc processors (Zotero, Pandoc, citeproc-js, citeproc-py).

Each citable record becomes one CSL item; organisations, people and events are not
works one cites, so they are left out (the command line says so on stderr).  The
output validates against CSL's ``csl-data.json`` schema.

Dates are broken into ``date-parts`` here once, for all three citation formats
(:func:`date_parts`): ``2021-02-09`` → ``[[2021, 2, 9]]``, an interval ``1920/1925``
→ ``[[1920], [1925]]``, an open end ``1920/..`` → ``[[1920], [0]]`` (the convention
citeproc-js and Pandoc read), an open start ``../1925`` → ``{"literal": "–1925"}``,
and ``~``, ``?`` or ``%`` → ``"circa": true``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.dates import date_bounds
from archivist.models import AGENT_KINDS
from archivist.names import split_creators

if TYPE_CHECKING:
    from archivist.exporters.options import ExportOptions

#: The CSL item type of each kind (agents are not cited).  An article is a
#: newspaper article (a dated piece in a newspaper or on a news site) unless it has a
#: volume, issue or pages, which make it a journal article (see :func:`csl_type`).
CSL_TYPES: dict[str, str] = {
    "article": "article-newspaper",
    "web-page": "webpage",
    "listing": "webpage",
    "book": "book",
    "chapter": "chapter",
    "pamphlet": "pamphlet",
    "speech": "speech",
    "letter": "personal_communication",
    "interview": "interview",
    "review": "review",
    "film": "motion_picture",
    "image": "graphic",
    "audio": "song",
    "video": "motion_picture",
    "dataset": "dataset",
    "series": "document",
    "collection": "collection",
    "other": "document",
}
#: Kinds whose publisher is where the work appeared (a newspaper, a web site), so
#: that citation formats show it as the container.
CONTAINER_KINDS = frozenset({"article", "review", "web-page", "listing"})
#: Custom fields (``fields.x``, any case) carried into citations, with their CSL names.
CSL_FIELDS: dict[str, str] = {
    "doi": "DOI", "isbn": "ISBN", "issn": "ISSN", "volume": "volume", "issue": "issue",
    "pages": "page", "place": "publisher-place", "edition": "edition",
}


@dataclass(frozen=True)
class DateParts:
    """An EDTF date broken into numbers.

    ``start`` and ``end`` are ``(year,)``, ``(year, month)`` or ``(year, month, day)``;
    ``None`` is an open end of an interval.  ``end`` is ``None`` and ``interval``
    false for a single date.
    """

    start: tuple[int, ...] | None
    end: tuple[int, ...] | None = None
    interval: bool = False
    approximate: bool = False
    uncertain: bool = False

    @property
    def circa(self) -> bool:
        """Whether CSL's ``circa`` flag applies (approximate or uncertain)."""
        return self.approximate or self.uncertain


def _single(text: str) -> tuple[tuple[int, ...], bool, bool]:
    qualifier = text[-1] if text[-1] in "~?%" else ""
    core = text[:-1] if qualifier else text
    parts = tuple(int(p) for p in core.split("-"))
    return parts, qualifier in ("~", "%"), qualifier in ("?", "%")


def date_parts(text: str | None) -> DateParts | None:
    """Break a record's date (as :mod:`archivist.dates` accepts it) into numbers.

    :returns: ``None`` for an undated record.
    :raises InvalidRecord: for a date that is not valid (stored dates always are).
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    date_bounds(text)
    if "/" not in text:
        parts, approx, unsure = _single(text)
        return DateParts(parts, approximate=approx, uncertain=unsure)
    first, _, last = text.partition("/")
    approx = unsure = False
    ends: list[tuple[int, ...] | None] = []
    for side in (first, last):
        if side == "..":
            ends.append(None)
            continue
        parts, a, u = _single(side)
        ends.append(parts)
        approx, unsure = approx or a, unsure or u
    return DateParts(ends[0], ends[1], interval=True, approximate=approx, uncertain=unsure)


def csl_date(text: str | None) -> dict[str, Any] | None:
    """The CSL date object of a record's date, or ``None`` when undated."""
    parts = date_parts(text)
    if parts is None:
        return None
    out: dict[str, Any]
    if parts.interval and parts.start is None:
        # [[0], [1925]] is read as "year 0 to 1925" by some processors; a literal
        # prints right everywhere.
        end = parts.end or ()
        out = {"literal": "–" + "-".join(f"{n:02d}" if i else str(n)
                                         for i, n in enumerate(end))}
    elif parts.interval:
        out = {"date-parts": [list(parts.start or (0,)), list(parts.end or (0,))]}
    else:
        out = {"date-parts": [list(parts.start or ())]}
    if parts.circa:
        out["circa"] = True
    return out


def field_texts(record: dict[str, Any]) -> dict[str, str]:
    """The record's custom fields that hold text, by case-folded name (``DOI`` → ``doi``)."""
    fields = record.get("fields")
    if not fields:
        return {}
    return {key.casefold(): value for key, value in fields.items()
            if isinstance(value, str) and value.strip()}


def journal_article(record: dict[str, Any], texts: dict[str, str] | None = None) -> bool:
    """Whether an article has a volume, issue or pages: then it is a journal article.

    :param texts: :func:`field_texts` of the record, when already at hand.
    """
    if record.get("kind") != "article":
        return False
    texts = field_texts(record) if texts is None else texts
    return any(name in texts for name in ("volume", "issue", "pages"))


def csl_type(record: dict[str, Any], texts: dict[str, str] | None = None) -> str:
    """The CSL item type of a record (``document`` for any kind without its own)."""
    if journal_article(record, texts):
        return "article-journal"
    return CSL_TYPES.get(record.get("kind") or "other", "document")


def citable(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records that describe works one can cite (not organisations, people, events)."""
    return [r for r in records if r.get("kind") not in AGENT_KINDS]


def csl_item(record: dict[str, Any]) -> dict[str, Any]:
    """One record (interchange form or stored document) as a CSL-JSON item."""
    kind = record.get("kind") or "other"
    title = record["title"]
    if record.get("subtitle"):
        title = f"{title}: {record['subtitle']}"
    texts = field_texts(record)
    item: dict[str, Any] = {"id": record["id"], "type": csl_type(record, texts),
                            "title": title}
    authors: list[dict[str, str]] = []
    for creator in split_creators(record.get("creators"), kind):
        if creator.family is None:
            authors.append({"literal": creator.written})
            continue
        person = {"family": creator.family}
        if creator.given:
            person["given"] = creator.given
        if creator.particle:
            person["non-dropping-particle"] = creator.particle
        if creator.suffix:
            person["suffix"] = creator.suffix
        authors.append(person)
    if authors:
        item["author"] = authors
    issued = csl_date(record.get("date"))
    if issued is not None:
        item["issued"] = issued
    if record.get("publisher"):
        where = "container-title" if kind in CONTAINER_KINDS else "publisher"
        item[where] = record["publisher"]
    for key, csl_key in (("language", "language"), ("url", "URL"), ("summary", "abstract")):
        if record.get(key):
            item[csl_key] = record[key]
    retrieved = (record.get("source") or {}).get("retrieved")
    if retrieved and record.get("url"):
        accessed = csl_date(retrieved)
        if accessed is not None:
            item["accessed"] = accessed
    if record.get("tags"):
        item["keyword"] = ", ".join(record["tags"])
    for field, csl_name in CSL_FIELDS.items():
        if field in texts:
            item[csl_name] = texts[field]
    return item


def export_csl(records: Sequence[dict[str, Any]], columns: Sequence[str],
               options: ExportOptions) -> str:
    """A CSL-JSON array of the citable records (``columns`` is ignored)."""
    import orjson

    items = [csl_item(r) for r in citable(records)]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode() + "\n"
