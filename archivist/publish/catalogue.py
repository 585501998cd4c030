"""What a published site shows, gathered from an archive in one pass.

:func:`gather` reads the chosen records, every link touching them, their history and
the facets people browse by (kind, tag, creator, publisher, decade) into a
:class:`Catalogue`: plain values, so that the pages are made without the archive.
Each link is read once and filed under both its ends, named as read from each end.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archivist.dates import date_bounds
from archivist.errors import InvalidRecord
from archivist.folding import exact_key
from archivist.links import inverse
from archivist.models import AGENT_KINDS, tag_key

if TYPE_CHECKING:
    from archivist.store import Archive

#: The facets of the site, as (folder, heading of one value, heading of the list).
FACETS: tuple[tuple[str, str, str], ...] = (
    ("kinds", "Kind", "Kinds"),
    ("tags", "Tag", "Tags"),
    ("creators", "Creator", "Creators"),
    ("publishers", "Publisher", "Publishers"),
    ("decades", "Decade", "Decades"),
)
#: How many of the latest additions the front page lists.
RECENT_COUNT = 20
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class LinkEntry:
    """A link seen from one record: the relation read from it, and the other end."""

    rel: str
    other: str
    #: The other record's title; ``None`` when it has none or is not published.
    title: str | None
    #: Whether the other end is a page of the site (a record the query chose).
    published: bool


@dataclass
class FacetValue:
    """One value of a facet (a tag, say) and the records holding it."""

    label: str
    slug: str
    record_ids: list[str] = field(default_factory=list)


@dataclass
class Catalogue:
    """Everything the pages show: records in order, links, history and facets."""

    title: str
    records: list[dict[str, Any]]
    links: dict[str, list[LinkEntry]]
    history: dict[str, list[dict[str, Any]]]
    facets: dict[str, dict[str, FacetValue]]
    #: Records by lower id, for titles and kinds in lists.
    by_id: dict[str, dict[str, Any]]

    def recent(self, count: int = RECENT_COUNT) -> list[dict[str, Any]]:
        """The latest additions, newest first (records without a time last)."""
        def added(doc: dict[str, Any]) -> str:
            return str(doc.get("archive", {}).get("added") or "")

        ordered = sorted(enumerate(self.records), key=lambda pair: (added(pair[1]), pair[0]),
                         reverse=True)
        return [doc for _, doc in ordered[:count]]

    def facet_slugs(self, doc: Mapping[str, Any]) -> dict[str, list[FacetValue]]:
        """The facet values of one record, by facet folder (for the record page)."""
        found: dict[str, list[FacetValue]] = {}
        for folder, keys in facet_keys(doc).items():
            found[folder] = [self.facets[folder][key] for key in keys]
        return found


def slug(text: str) -> str:
    """A stable file name for a facet value: readable ASCII and a short hash of the
    value, so two values that read alike never share a page."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    readable = _SLUG_JUNK.sub("-", plain).strip("-")[:40].strip("-")
    digest = hashlib.sha256(exact_key(text).encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else digest


def decade_of(date: str | None) -> str | None:
    """The decade a record's date starts in (``1920s``); ``None`` when undated."""
    if not date:
        return None
    try:
        earliest = date_bounds(date)[0]
    except InvalidRecord:
        return None
    year = earliest.lstrip("-")[:4]
    if not year.isdigit() or earliest.startswith("-"):
        return None
    return f"{int(year) // 10 * 10}s"


def facet_keys(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """The keys of a record's facet values, by facet folder, in the record's order."""
    keys: dict[str, list[str]] = {
        "kinds": [str(doc.get("kind", "other"))],
        "tags": [tag_key(tag) for tag in doc.get("tags", ())],
        "creators": [exact_key(name) for name in doc.get("creators", ())],
        "publishers": [exact_key(doc["publisher"])] if doc.get("publisher") else [],
        "decades": [],
    }
    decade = decade_of(doc.get("date"))
    if decade is not None:
        keys["decades"] = [decade]
    return keys


def _facet_labels(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    """The shown values matching :func:`facet_keys`, in the same order."""
    decade = decade_of(doc.get("date"))
    return {
        "kinds": [str(doc.get("kind", "other"))],
        "tags": list(doc.get("tags", ())),
        "creators": list(doc.get("creators", ())),
        "publishers": [doc["publisher"]] if doc.get("publisher") else [],
        "decades": [decade] if decade else [],
    }


def _facets(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, FacetValue]]:
    facets: dict[str, dict[str, FacetValue]] = {folder: {} for folder, _, _ in FACETS}
    for doc in records:
        labels = _facet_labels(doc)
        for folder, keys in facet_keys(doc).items():
            for key, label in zip(keys, labels[folder]):
                value = facets[folder].get(key)
                if value is None:
                    name = key if folder in ("kinds", "decades") else slug(label)
                    value = facets[folder][key] = FacetValue(label, name)
                if not value.record_ids or value.record_ids[-1] != doc["id"]:
                    value.record_ids.append(doc["id"])
    return facets


def _links(archive: Archive, by_id: Mapping[str, Mapping[str, Any]]
           ) -> dict[str, list[LinkEntry]]:
    """Every link of every chosen record, from its own end, sorted by relation."""
    pairs: list[tuple[str, str, str]] = []
    for link in archive.link_documents():
        src, rel, dst = link["src"], link["rel"], link["dst"]
        if src.lower() in by_id:
            pairs.append((src, rel, dst))
        if dst.lower() in by_id:
            pairs.append((dst, inverse(rel), src))
    titles = archive.titles(other for _, _, other in pairs)
    found: dict[str, list[LinkEntry]] = {}
    for own, rel, other in pairs:
        published = other.lower() in by_id
        title = titles.get(other.lower())
        found.setdefault(own.lower(), []).append(
            LinkEntry(rel, other, title if isinstance(title, str) else None, published))
    for entries in found.values():
        entries.sort(key=lambda entry: (entry.rel, entry.other.lower()))
    return found


def _history(archive: Archive, wanted: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each chosen record's history entries (time, user, action, command), oldest first."""
    keys = set(wanted)
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in archive.history():
        record = entry.get("record")
        if isinstance(record, str) and record.lower() in keys:
            found.setdefault(record.lower(), []).append(
                {name: entry.get(name) for name in ("change", "time", "user", "action",
                                                    "command")})
    return found


def gather(archive: Archive, records: Sequence[dict[str, Any]], title: str) -> Catalogue:
    """The catalogue of ``records`` (stored documents of ``archive``), titled ``title``."""
    by_id = {doc["id"].lower(): doc for doc in records}
    return Catalogue(title=title, records=list(records), links=_links(archive, by_id),
                     history=_history(archive, by_id), facets=_facets(records),
                     by_id=by_id)


def is_agent(doc: Mapping[str, Any]) -> bool:
    """Whether a record describes an organisation, a person or an event."""
    return doc.get("kind") in AGENT_KINDS
