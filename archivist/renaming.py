"""Giving a record another id, everywhere the archive keeps it.

``rename OLD NEW`` changes, in one write:

* the record's own id (its values, ``archive`` section and place in the order stay;
  ``changed`` is stamped);
* every link that names it, stored on whichever end (the links of other records to
  it included);
* the ``archive.distinct`` lists of the records it was declared distinct from
  (:func:`archivist.duplicates.mark_distinct` keeps the pair on both).

Ids in ``fields.merged`` and ``fields.merged_from`` are left as they are: they name
records merged away, which no longer exist, and an id used again since names another
record.

The history is append-only, so it is not rewritten: the rename is one ``rename``
entry, ``before: {"id": OLD}``, ``after: {"id": NEW}``.  ``history`` of either id
follows the record through it (:func:`archivist.history.aliases`), and ``undo``
renames back (:mod:`archivist.undo`).  Changes made under the old id can still be
undone: undo walks back through the rename first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.errors import DuplicateRecord, InvalidRecord

if TYPE_CHECKING:
    from archivist.store import Archive


@dataclass(frozen=True)
class Renamed:
    """What a rename did: the ids, how many links now name the record by its new id,
    and the records whose ``distinct`` lists were changed."""

    old: str
    new: str
    links: int
    distinct: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping for JSON output."""
        return {"old": self.old, "new": self.new, "links": self.links,
                "distinct": list(self.distinct)}

    def summary(self) -> str:
        """``renamed OLD to NEW (2 link(s) re-pointed, 1 distinct list(s) changed)``."""
        return (f"renamed {self.old} to {self.new} ({self.links} link(s) re-pointed, "
                f"{len(self.distinct)} distinct list(s) changed)")


def check_new_id(archive: Archive, record_id: str, new_id: str) -> str:
    """``new_id`` if the record stored as ``record_id`` may take it.

    A change of case only is allowed; the same id, an invalid one, or one another
    record has (compared case-insensitively) is not.

    :raises InvalidRecord: when it is not a valid id, or the record's id already.
    :raises DuplicateRecord: when another record has it.
    """
    from archivist.models import check_id

    new_id = check_id(new_id)
    if new_id == record_id:
        raise InvalidRecord(f"{record_id} already has the id {new_id}; nothing was changed")
    if new_id.lower() != record_id.lower() and new_id in archive:
        raise DuplicateRecord(archive.canonical_id(new_id))
    return new_id


def rename(archive: Archive, old: str, new: str) -> Renamed:
    """Give the record ``old`` (any case) the id ``new`` in an open archive (see the
    module docs), logging one ``rename`` entry.

    :raises RecordNotFound: when no record has the id ``old``.
    :raises InvalidRecord: when ``new`` is not a valid id, or is the record's id.
    :raises DuplicateRecord: when another record has the id ``new``.
    """
    from archivist.duplicates import distinct_of

    record_id = archive.canonical_id(old)
    new_id = check_new_id(archive, record_id, new)
    partners = distinct_of(archive.document(record_id))
    links = archive.change_id(record_id, new_id)
    key = record_id.lower()
    changed: dict[str, dict[str, Any]] = {}
    for partner in partners:
        if partner not in archive:
            continue  # removed before: undo brings it back only after renaming back
        listed = distinct_of(archive.document(partner))
        if any(i.lower() == key for i in listed):
            changed[archive.canonical_id(partner)] = {
                "distinct": [new_id if i.lower() == key else i for i in listed]}
    if changed:
        archive.set_archive_infos(changed)
    archive.log("rename", new_id, {"id": record_id}, {"id": new_id})
    return Renamed(record_id, new_id, links, tuple(changed))
