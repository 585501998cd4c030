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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.errors import InvalidLink

if TYPE_CHECKING:
    from archivist.store import Archive

#: canonical name → (inverse name, vocabulary term of the canonical direction).  A term
#: marked ``^`` is read backwards: "a precedes b" is "b prov:wasInfluencedBy a", as the
#: later work is the one influenced; "a merged-into b" is "b prov:wasRevisionOf a".
RELATIONS: dict[str, tuple[str, str]] = {
    "part-of": ("has-part", "dcterms:isPartOf"),
    "version-of": ("has-version", "dcterms:isVersionOf"),
    "replaces": ("replaced-by", "dcterms:replaces"),
    "references": ("referenced-by", "dcterms:references"),
    "derived-from": ("source-of", "prov:wasDerivedFrom"),
    "translation-of": ("translated-as", "prov:wasDerivedFrom"),
    "precedes": ("follows", "^prov:wasInfluencedBy"),
    "about": ("subject-of", "dcterms:subject"),
    "created-by": ("creator-of", "dcterms:creator"),
    "published-by": ("publisher-of", "dcterms:publisher"),
    "member-of": ("has-member", "prov:actedOnBehalfOf"),
    "split-from": ("split-into", "prov:wasDerivedFrom"),
    "merged-into": ("merged-from", "^prov:wasRevisionOf"),
    "duplicate-of": ("duplicate-of", "owl:sameAs"),
    "related": ("related", "dcterms:relation"),
}
#: Terms for the inverse names: the vocabulary's own inverse where it has one, else the
#: canonical term marked ``^`` (read backwards, as in a SPARQL inverse path).
INVERSE_TERMS: dict[str, str] = {
    "has-part": "dcterms:hasPart", "has-version": "dcterms:hasVersion",
    "replaced-by": "dcterms:isReplacedBy", "referenced-by": "dcterms:isReferencedBy",
    "source-of": "prov:hadDerivation", "translated-as": "prov:hadDerivation",
    "follows": "prov:wasInfluencedBy", "subject-of": "^dcterms:subject",
    "creator-of": "^dcterms:creator", "publisher-of": "^dcterms:publisher",
    "has-member": "^prov:actedOnBehalfOf", "split-into": "prov:hadDerivation",
    "merged-from": "prov:wasRevisionOf",
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


@dataclass(frozen=True, order=True, slots=True)
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
    for link in touching(archive, {key}):
        rel = link["rel"]
        if link["src"].lower() == key:
            found.append(LinkView(rel, link["dst"], True, term(rel)))
        if link["dst"].lower() == key:
            name = inverse(rel)
            found.append(LinkView(name, link["src"], False, term(name)))
    return sorted(found, key=lambda v: (v.rel, v.other.lower()))


def touching(archive: Archive, keys: set[str]) -> Iterable[dict[str, str]]:
    """The stored links, or only those with an end among ``keys`` (lowercased ids)
    where the engine finds them itself (``links_touching()``, a database's)."""
    own = getattr(archive, "links_touching", None)
    return archive.link_documents() if own is None else own(keys)


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
    found = views(archive, record_id)
    titles = archive.titles(view.other for view in found)
    for view in found:
        title = titles.get(view.other.lower())
        out.append({"rel": view.rel, "id": view.other, "title": title, "term": view.term,
                    "direction": "out" if view.outgoing else "in"})
    return out


def with_inverse_links(record: dict[str, Any], summary: list[dict[str, Any]]
                       ) -> dict[str, Any]:
    """A record in interchange form with, after its stored ``links``, the links other
    records hold to it under ``inverse_links``: ``{"rel", "target"}`` mappings, the
    relation named as read from this record (``has-part`` for another's ``part-of``).

    :param summary: the record's :func:`link_summary`.
    """
    from archivist.models import INVERSE_LINKS_KEY

    inverse = [{"rel": link["rel"], "target": link["id"]} for link in summary
               if link["direction"] == "in"]
    out: dict[str, Any] = {}
    for key, value in record.items():
        out[key] = value
        if key == "links":
            out[INVERSE_LINKS_KEY] = inverse
    out.setdefault(INVERSE_LINKS_KEY, inverse)
    return out


def links_table(archive: Archive, record_id: str) -> list[dict[str, Any]]:
    """The rows ``archivist links ID`` shows: every link of a record, from its own end.

    Each row holds ``rel`` (the name read from this record), ``id`` and ``title`` of
    the other record, the vocabulary ``term`` and the ``direction`` (``out`` when the
    link is stored from this record, ``in`` otherwise).

    :raises RecordNotFound: when no record has ``record_id``.
    """
    return link_summary(archive, archive.canonical_id(record_id))


# -- the rules ----------------------------------------------------------------------


def _key(src: str, rel: str, dst: str, fold: Callable[[str], str] = str.lower
         ) -> tuple[str, str, str]:
    """The identity of a canonical link: ids case-folded, symmetric ends in order."""
    a, b = fold(src), fold(dst)
    if rel in SYMMETRIC and b < a:
        a, b = b, a
    return a, rel, b


def _stored_keys(archive: Archive) -> set[tuple[str, str, str]]:
    return {_key(doc["src"], doc["rel"], doc["dst"]) for doc in archive.link_documents()}


def _folding() -> Callable[[str], str]:
    """``str.lower`` giving one string for each id, however many links name it: the
    links of a large import hold their ids once."""
    folded: dict[str, str] = {}

    def fold(text: str) -> str:
        found = folded.get(text)
        if found is None:
            found = folded[text] = text.lower()
        return found

    return fold


def _describe(src: str, rel: str, dst: str) -> str:
    return f"{src} {rel} {dst}"


def _adjacency(links: Iterable[tuple[str, str, str]], rel: str) -> dict[str, list[str]]:
    """Successors of each (case-folded) id over the links of one relation."""
    table: dict[str, list[str]] = {}
    fold = _folding()
    for src, link_rel, dst in links:
        if link_rel == rel:
            table.setdefault(fold(src), []).append(fold(dst))
    return table


def _path(adjacency: dict[str, list[str]], start: str, goal: str) -> list[str] | None:
    """The shortest chain of ids from ``start`` to ``goal``, or ``None``.

    A breadth-first search with an explicit queue: chains of any length are followed
    without recursion, so a long series cannot exhaust Python's stack.
    """
    parent: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            chain: list[str] = []
            step: str | None = node
            while step is not None:
                chain.append(step)
                step = parent[step]
            return chain[::-1]
        for nxt in adjacency.get(node, ()):
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return None


def _cycle_error(link: Link, chain: list[str], names: dict[str, str]) -> InvalidLink:
    """The refusal of ``link``, showing the way back from its target to its source."""
    shown = " → ".join(names.get(node, node) for node in [link.src.lower(), *chain])
    return InvalidLink(f"{_describe(link.src, link.rel, link.dst)} would form a cycle of "
                       f"{link.rel} links: {shown}")


def _existing_triples(archive: Archive) -> list[tuple[str, str, str]]:
    return [(doc["src"], doc["rel"], doc["dst"]) for doc in archive.link_documents()]


def add_link(archive: Archive, src: str, rel: str, dst: str) -> Link | None:
    """Link two records, storing the link once in its canonical direction.

    ``rel`` may be either name of a pair (``part-of`` or ``has-part``); ids match
    case-insensitively and are stored as the records spell them.  The link and its
    history entry are written together.

    :returns: the stored :class:`Link`, or ``None`` when that link exists already
        (under either name or, for a symmetric relation, in either order).
    :raises InvalidLink: for an unknown relation, a self link, or a cycle.
    :raises RecordNotFound: when either end does not exist.
    """
    name, swap = canonical(rel)
    a, b = archive.canonical_id(src), archive.canonical_id(dst)
    if swap:
        a, b = b, a
    if a.lower() == b.lower():
        raise InvalidLink(f"a record cannot be linked to itself ({a} {rel} {a})")
    link = Link(a, name, b)
    wanted = _key(a, name, b)
    # One pass over the stored links of this relation only: a `link` in an archive of
    # tens of thousands of links must not cost more than reading it.
    same_rel = [(doc["src"], name, doc["dst"]) for doc in archive.link_documents()
                if doc["rel"] == name]
    if any(_key(*t) == wanted for t in same_rel):
        return None
    if name in ACYCLIC:
        # The new link closes a cycle exactly when its target already leads back to
        # its source along links of the same relation.
        chain = _path(_adjacency(same_rel, name), b.lower(), a.lower())
        if chain is not None:
            names = {i.lower(): i for t in same_rel for i in (t[0], t[2])}
            raise _cycle_error(link, chain, names)
    archive.store_link(a, name, b)
    return link


def remove_link(archive: Archive, src: str, rel: str, dst: str) -> Link:
    """Remove a link, written with either name of its relation, and log it.

    :returns: the link as it was stored.
    :raises InvalidLink: when there is no such link (or the relation is unknown).
    """
    name, swap = canonical(rel)
    a, b = (dst, src) if swap else (src, dst)
    wanted = _key(a, name, b)
    for doc in archive.link_documents():
        if doc["rel"] == name and _key(doc["src"], name, doc["dst"]) == wanted:
            stored = Link(doc["src"], doc["rel"], doc["dst"])
            archive.delete_link(stored.src, stored.rel, stored.dst)
            return stored
    for end in (src, dst):
        archive.canonical_id(end)  # raises RecordNotFound, with the closest id
    raise InvalidLink(f"there is no link {_describe(src, rel, dst)}")


def validate_new_links(archive: Archive, links: list[tuple[str, str, str]],
                       new_ids: set[str]) -> list[Link]:
    """Check many new links at once (an import) and return those to store.

    Each link is ``(source, relation, target)``; its ends may be records of the
    archive or among ``new_ids`` (records being imported with it).  Indexes are built
    once, so tens of thousands of links take a fraction of a second.

    :returns: the canonical links to store, in the order given, without those that
        exist already or repeat an earlier one of the batch.
    :raises InvalidLink: naming the first link that breaks a rule: unknown relation,
        missing end, self link, or a cycle (through stored and new links together).
    """
    new_names = {i.lower(): i for i in new_ids}
    seen = _stored_keys(archive)
    accepted: list[Link] = []
    fold = _folding()

    def resolve(record_id: str, link: tuple[str, str, str]) -> str:
        if record_id in archive:
            return archive.canonical_id(record_id)
        found = new_names.get(record_id.lower())
        if found is None:
            raise InvalidLink(f"link {_describe(*link)}: no record with id {record_id!r} in "
                              "the archive or among the records imported")
        return found

    for link in links:
        src, rel, dst = link
        try:
            name, swap = canonical(rel)
        except InvalidLink as err:
            raise InvalidLink(f"link {_describe(*link)}: {err}") from None
        a, b = resolve(src, link), resolve(dst, link)
        if swap:
            a, b = b, a
        if fold(a) == fold(b):
            raise InvalidLink(f"link {_describe(*link)}: a record cannot be linked to itself")
        key = _key(a, name, b, fold)
        if key in seen:
            continue
        seen.add(key)
        accepted.append(Link(a, name, b))
    del seen, fold
    _check_acyclic(archive, accepted)
    return accepted


def _check_acyclic(archive: Archive, new: list[Link]) -> None:
    """Refuse the first new link that lies on a cycle of an acyclic relation.

    A link lies on a cycle exactly when both its ends are in the same strongly
    connected component of the graph of stored and new links; Tarjan's algorithm finds
    the components in one pass.  A cycle made only of stored links (an archive damaged
    by hand) does not block new links that are not on it.
    """
    rels = {link.rel for link in new} & ACYCLIC
    if not rels:
        return
    stored = _existing_triples(archive)
    names = {i.lower(): i for t in stored for i in (t[0], t[2])}
    for rel in sorted(rels):
        triples = stored + [(link.src, link.rel, link.dst) for link in new]
        adjacency = _adjacency(triples, rel)
        component = _components(adjacency)
        for link in new:
            a, b = link.src.lower(), link.dst.lower()
            if link.rel == rel and a in component and component[a] == component.get(b):
                chain = _path(adjacency, b, a) or [b, a]
                names.update({link.src.lower(): link.src, link.dst.lower(): link.dst})
                raise _cycle_error(link, chain, names)


def _components(adjacency: dict[str, list[str]]) -> dict[str, int]:
    """The strongly connected component of every node (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    component: dict[str, int] = {}
    counter = 0
    for root in list(adjacency):
        if root in index:
            continue
        # Each frame is a node and an iterator over its successors still to visit.
        work = [(root, iter(adjacency.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(adjacency.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
    return component
