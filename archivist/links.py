"""Typed links between records: the relation vocabulary and how links are seen.

A link is stored once, in its relation's canonical direction (the first name of each
pair below), and shown from both ends: ``A part-of B`` is stored as written, while
``B has-part A`` is stored as ``A part-of B`` too.  ``duplicate-of`` and ``related``
are symmetric.  Each relation maps to a Dublin Core or PROV-O term.

The rules (DESIGN.md "Links"): both ends exist, a record does not link to itself, the
same link is stored once whatever name or direction it was written with, and
``part-of``, ``replaces`` and ``precedes`` never form a cycle, however long.  Every
function here checks them before anything is stored, so a refused link changes
nothing.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.errors import InvalidLink, RecordNotFound

if TYPE_CHECKING:
    from archivist.store import Archive

#: canonical name → (inverse name, vocabulary term of the canonical direction)
RELATIONS: dict[str, tuple[str, str]] = {
    "part-of": ("has-part", "dcterms:isPartOf"),
    "version-of": ("has-version", "dcterms:isVersionOf"),
    "replaces": ("replaced-by", "dcterms:replaces"),
    "references": ("referenced-by", "dcterms:references"),
    "derived-from": ("source-of", "prov:wasDerivedFrom"),
    "translation-of": ("translated-as", "prov:wasDerivedFrom"),
    "precedes": ("follows", "prov:wasInfluencedBy"),
    "about": ("subject-of", "dcterms:subject"),
    "created-by": ("creator-of", "dcterms:creator"),
    "published-by": ("publisher-of", "dcterms:publisher"),
    "member-of": ("has-member", "prov:actedOnBehalfOf"),
    "split-from": ("split-into", "prov:wasDerivedFrom"),
    "merged-into": ("merged-from", "prov:wasRevisionOf"),
    "duplicate-of": ("duplicate-of", "owl:sameAs"),
    "related": ("related", "dcterms:relation"),
}
#: Terms for the inverse names, where the vocabulary has one.
INVERSE_TERMS: dict[str, str] = {
    "has-part": "dcterms:hasPart", "has-version": "dcterms:hasVersion",
    "replaced-by": "dcterms:isReplacedBy", "referenced-by": "dcterms:isReferencedBy",
    "source-of": "prov:hadDerivation", "translated-as": "prov:hadDerivation",
    "follows": "prov:wasInfluencedBy", "subject-of": "dcterms:isSubjectOf",
    "creator-of": "prov:wasAttributedTo", "publisher-of": "dcterms:publisher",
    "has-member": "prov:actedOnBehalfOf", "split-into": "prov:hadDerivation",
    "merged-from": "prov:hadRevision",
}
SYMMETRIC = frozenset(name for name, (inverse, _) in RELATIONS.items() if name == inverse)
_INVERSE_OF = {inverse: name for name, (inverse, _) in RELATIONS.items()}
#: Every name a user may write, sorted.
RELATION_NAMES: tuple[str, ...] = tuple(sorted(set(RELATIONS) | set(_INVERSE_OF)))
#: Relations that may never lead from a record back to itself, through any chain.
ACYCLIC = frozenset({"part-of", "replaces", "precedes"})


def canonical(name: str) -> tuple[str, bool]:
    """The canonical relation for ``name`` and whether the ends must be swapped.

    :raises InvalidLink: for an unknown name, listing the valid ones and the closest.
    """
    key = name.strip().lower()
    if key in RELATIONS:
        return key, False
    if key in _INVERSE_OF:
        return _INVERSE_OF[key], True
    close = difflib.get_close_matches(key, RELATION_NAMES, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise InvalidLink(
        f"unknown relation {name!r}{hint}; valid relations: {', '.join(RELATION_NAMES)}"
    )


def inverse(name: str) -> str:
    """The name of ``name``'s relation seen from the other end."""
    rel, flipped = canonical(name)
    return rel if flipped else RELATIONS[rel][0]


def term(name: str) -> str:
    """The Dublin Core / PROV-O term of a relation name."""
    rel, flipped = canonical(name)
    if flipped:
        return INVERSE_TERMS.get(name.strip().lower(), RELATIONS[rel][1])
    return RELATIONS[rel][1]


@dataclass(frozen=True, order=True)
class Link:
    """A stored link ``src rel dst`` (``rel`` canonical).  Equality covers all three."""

    src: str
    rel: str
    dst: str

    def as_dict(self) -> dict[str, str]:
        """The stored form ``{"src", "rel", "dst"}``."""
        return {"src": self.src, "rel": self.rel, "dst": self.dst}


@dataclass(frozen=True)
class LinkView:
    """A link as seen from one of its ends: ``rel`` is the name read from that end."""

    rel: str
    other: str
    outgoing: bool
    term: str


def views(archive: Archive, record_id: str) -> list[LinkView]:
    """Every link of a record, from its own end, grouped by relation then other id."""
    key = record_id.lower()
    found: list[LinkView] = []
    for link in archive.link_documents():
        rel = link["rel"]
        if link["src"].lower() == key:
            found.append(LinkView(rel, link["dst"], True, term(rel)))
        if link["dst"].lower() == key:
            name = inverse(rel)
            found.append(LinkView(name, link["src"], False, term(name)))
    return sorted(found, key=lambda v: (v.rel, v.other.lower()))


def outgoing_by_record(archive: Archive) -> dict[str, list[dict[str, str]]]:
    """Each record's stored links as interchange ``{"rel", "target"}`` lists, by lower id."""
    table: dict[str, list[dict[str, str]]] = {}
    for link in archive.link_documents():
        table.setdefault(link["src"].lower(), []).append(
            {"rel": link["rel"], "target": link["dst"]})
    return table


def link_summary(archive: Archive, record_id: str) -> list[dict[str, Any]]:
    """The links of a record for display: relation, other id, its title, the term."""
    out = []
    for view in views(archive, record_id):
        try:
            title = archive.document(view.other).get("title")
        except KeyError:
            title = None
        out.append({"rel": view.rel, "id": view.other, "title": title, "term": view.term,
                    "direction": "out" if view.outgoing else "in"})
    return out
