"""Merging duplicate records into one, without losing anything.

``merge KEEP OTHER…`` folds each OTHER record into KEEP, in the order given:

* tags and creators are united, KEEP's first: tags case-insensitively, creators by
  person (:func:`archivist.names.same_person`: ``Троцкий Лев Давидович`` is ``Лев
  Давидович Троцкий``, ``Weiss, Clara`` is ``Clara Weiss``, ``L. Trotsky`` is
  ``Leon Trotsky``), so one person is one creator, spelt as KEEP spells them; the
  spellings of OTHER so folded in are kept under ``fields.merged.<other-id>.creators``;
* a value KEEP lacks is taken from the first OTHER that has it (a ``kind`` of
  ``other``, the default, counts as lacking); where both have a value and they
  differ, KEEP's stays and OTHER's is kept in KEEP's custom fields, under
  ``fields.merged.<other-id>.<key>`` (custom fields of OTHER that clash with KEEP's
  under ``fields.merged.<other-id>.fields.<key>``);
* ``fields.merged.<other-id>.provenance`` keeps when, by whom and how OTHER entered
  the archive, and ``fields.merged_from`` lists every id merged in (including those
  merged into OTHER before);
* OTHER's links are re-pointed to KEEP; a link that would join KEEP to itself, or
  repeat one KEEP has, is dropped;
* the OTHER records are removed.

It is one change in history (``unlink``/``link`` for the links, ``merge`` for KEEP's
values, ``rm`` for each OTHER), written in one go, so ``archivist undo`` takes the
whole merge back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archivist.errors import InvalidLink, InvalidRecord
from archivist.models import DEFAULT_KIND, Record, check_fields_value, merge_tags
from archivist.names import fold_name, same_person

if TYPE_CHECKING:
    from archivist.store import Archive

#: Single values compared and filled, in interchange order.
VALUE_KEYS: tuple[str, ...] = (
    "kind", "title", "subtitle", "date", "publisher", "language", "url", "summary", "source",
)
#: Custom fields that merging maintains.
MERGED_KEY = "merged"
MERGED_FROM_KEY = "merged_from"


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: the merged record, the ids folded in and what became of links.

    ``repointed`` are the links as stored after the merge, ``dropped`` the original
    links that were not kept (they would have been self-links or repeats).
    """

    record: Record
    merged: tuple[str, ...]
    repointed: tuple[dict[str, str], ...] = ()
    dropped: tuple[dict[str, str], ...] = ()
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping for JSON output."""
        return {"keep": self.record.id, "merged": list(self.merged),
                "repointed": list(self.repointed), "dropped": list(self.dropped),
                "conflicts": self.conflicts}


def unite_creators(creators: list[str], theirs: Iterable[str]) -> list[str]:
    """Add to ``creators`` each of ``theirs`` that is not one of them already.

    One of ``theirs`` is taken for a creator already there when it is spelt the same
    (folded), else when it is :func:`archivist.names.same_person` as exactly one of
    them; each creator there stands for at most one of ``theirs`` (two people of one
    record stay two).  Any other is added at the end.

    :returns: the spellings of ``theirs`` taken for a creator spelt otherwise.
    """
    respelt: list[str] = []
    claimed: set[int] = set()
    for creator in theirs:
        free = [i for i in range(len(creators)) if i not in claimed]
        spelt = [i for i in free if fold_name(creators[i]) == fold_name(creator)]
        alike = spelt or [i for i in free if same_person(creators[i], creator)]
        if spelt or len(alike) == 1:
            claimed.add(alike[0])
            if creators[alike[0]] != creator:
                respelt.append(creator)
        else:
            # Nobody, or several who could be this person: a creator of their own.
            claimed.add(len(creators))
            creators.append(creator)
    return respelt


def _values(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_") and k != "archive"}


def merged_document(keep: dict[str, Any], others: Sequence[dict[str, Any]]
                    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """KEEP's document with ``others`` folded in (see the module docs).

    :returns: the merged values (no ``archive`` section) and, for each OTHER id, the
        values of OTHER that differed from KEEP's and were kept in ``fields.merged``.
    :raises InvalidRecord: when KEEP's ``fields.merged`` is not a mapping.
    """
    doc = _values(keep)
    fields: dict[str, Any] = dict(doc.get("fields") or {})
    merged = fields.get(MERGED_KEY, {})
    if not isinstance(merged, dict):
        raise InvalidRecord(f"{keep['id']} has a custom field {MERGED_KEY!r} that is not a "
                            "mapping; rename it before merging")
    merged = dict(merged)
    merged_from = [str(i) for i in fields.get(MERGED_FROM_KEY) or []]
    creators = list(doc.get("creators") or [])
    tags: tuple[str, ...] = tuple(doc.get("tags") or ())
    conflicts: dict[str, dict[str, Any]] = {}
    for other in others:
        merged_from.append(other["id"])
        clash: dict[str, Any] = {}
        for key in VALUE_KEYS:
            mine, theirs = doc.get(key), other.get(key)
            if key == "kind":
                mine = None if mine == DEFAULT_KIND else mine
                theirs = None if theirs == DEFAULT_KIND else theirs
            if theirs is None:
                continue
            if mine is None:
                doc[key] = theirs
            elif mine != theirs:
                clash[key] = theirs
        respelt = unite_creators(creators, other.get("creators") or ())
        if respelt:
            clash["creators"] = respelt
        tags = merge_tags(tags, other.get("tags") or ())
        for key, value in (other.get("fields") or {}).items():
            if key == MERGED_KEY and isinstance(value, dict):
                for earlier, info in value.items():
                    merged.setdefault(earlier, info)
            elif key == MERGED_FROM_KEY and isinstance(value, list):
                merged_from.extend(str(i) for i in value)
            elif key not in fields:
                fields[key] = value
            elif fields[key] != value:
                clash.setdefault("fields", {})[key] = value
        if clash:
            conflicts[other["id"]] = clash
        section = other.get("archive") or {}
        provenance = {k: section[k] for k in ("added", "added_by", "added_how")
                      if section.get(k) is not None}
        merged[other["id"]] = {**clash, **({"provenance": provenance} if provenance else {})}
    if creators:
        doc["creators"] = creators
    if tags:
        doc["tags"] = list(tags)
    fields[MERGED_KEY] = merged
    fields[MERGED_FROM_KEY] = list(dict.fromkeys(merged_from))
    # Numbers in a source or a provenance become text, as every custom field is.
    doc["fields"] = check_fields_value(fields, "fields")
    return doc, conflicts


def _key(src: str, rel: str, dst: str) -> tuple[str, str, str]:
    from archivist.links import SYMMETRIC

    a, b = src.lower(), dst.lower()
    if rel in SYMMETRIC and b < a:
        a, b = b, a
    return a, rel, b


def _reaches(links: Iterable[tuple[str, str, str]], rel: str, start: str, goal: str) -> bool:
    """Whether ``goal`` can be reached from ``start`` along links of ``rel``."""
    successors: dict[str, list[str]] = {}
    for a, r, b in links:
        if r == rel:
            successors.setdefault(a, []).append(b)
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt in successors.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def plan_links(archive: Archive, keep: str, others: Iterable[str]
               ) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    """The link changes a merge makes: ``(remove, add, dropped)``.

    :raises InvalidLink: when a re-pointed link would close a ``part-of`` cycle.
    """
    from archivist.links import ACYCLIC

    going = {o.lower() for o in others}
    remove: list[dict[str, str]] = []
    staying: list[tuple[str, str, str]] = []
    for link in archive.link_documents():
        if link["src"].lower() in going or link["dst"].lower() in going:
            remove.append(dict(link))
        else:
            staying.append((link["src"], link["rel"], link["dst"]))
    taken = {_key(*t) for t in staying}
    add: list[dict[str, str]] = []
    dropped: list[dict[str, str]] = []
    for link in remove:
        src = keep if link["src"].lower() in going else link["src"]
        dst = keep if link["dst"].lower() in going else link["dst"]
        key = _key(src, link["rel"], dst)
        if src.lower() == dst.lower() or key in taken:
            dropped.append(link)
            continue
        taken.add(key)
        add.append({"src": src, "rel": link["rel"], "dst": dst})
    final = [(a.lower(), r, b.lower()) for a, r, b in staying] + [
        (n["src"].lower(), n["rel"], n["dst"].lower()) for n in add]
    for new in add:
        if new["rel"] in ACYCLIC and _reaches(final, new["rel"], new["dst"].lower(),
                                              new["src"].lower()):
            raise InvalidLink(f"merging would make a cycle of {new['rel']} links through "
                              f"{new['src']} {new['rel']} {new['dst']}; unlink one first")
    return remove, add, dropped


def merge(archive: Archive, keep: str, others: Sequence[str]) -> MergeResult:
    """Merge ``others`` into ``keep`` in an open archive (see the module docs).

    :raises RecordNotFound: when an id names no record.
    :raises InvalidRecord: when KEEP is among OTHERS, an id is given twice, or none is.
    :raises InvalidLink: when re-pointed links would form a ``part-of`` cycle.
    """
    keep_id = archive.canonical_id(keep)
    other_ids = [archive.canonical_id(o) for o in others]
    if not other_ids:
        raise InvalidRecord("give at least one record to merge into " + keep_id)
    seen: set[str] = set()
    for other in other_ids:
        if other.lower() == keep_id.lower():
            raise InvalidRecord(f"{keep_id} is the record kept; it cannot also be merged "
                                "into itself")
        if other.lower() in seen:
            raise InvalidRecord(f"{other} is given twice")
        seen.add(other.lower())
    doc, conflicts = merged_document(archive.document(keep_id),
                                     [archive.document(o) for o in other_ids])
    remove, add, dropped = plan_links(archive, keep_id, other_ids)
    # Links first, so the OTHER records can then be removed without --force; the
    # order also lets undo restore the records before it links them again.
    archive.delete_links(remove)
    archive.store_links(add)
    record = Record.from_document({**doc, "archive": archive.document(keep_id).get("archive",
                                                                                   {})})
    updated = archive.update(record, action="merge")
    archive.remove(other_ids)
    return MergeResult(updated, tuple(other_ids), tuple(add), tuple(dropped), conflicts)
