"""Tags across the archive: how many records carry each, and renaming one everywhere.

Tags are compared by :func:`archivist.models.tag_key` (case-folded) and keep the
spelling the archive first gave them (:meth:`archivist.store.Archive.tag_spellings`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from archivist.errors import InvalidRecord
from archivist.models import Record, first_spellings, merge_tags, tag_key

if TYPE_CHECKING:
    from archivist.store import Archive


def tag_counts(archive: Archive) -> list[tuple[str, int]]:
    """Every tag with the number of records carrying it, sorted by tag.

    Read from the engine's summaries when they are current: no record is parsed.
    """
    from archivist.store import IndexUnusable

    index = archive.summaries()
    lists: Iterable[Any] | None = None
    if index is not None:
        try:
            lists = index.column("tags")
        except IndexUnusable:  # damaged summaries: read the records instead
            lists = None
    if lists is None:
        lists = (doc.get("tags") for doc in archive.documents())
    lists = list(lists)
    spelling = first_spellings(lists)
    counts: dict[str, int] = {}
    for tags in lists:
        for tag in tags or ():
            key = tag_key(tag)
            counts[key] = counts.get(key, 0) + 1
    return sorted(((spelling[k], n) for k, n in counts.items()),
                  key=lambda item: (tag_key(item[0]), item[0]))


def rename_tag(archive: Archive, old: str, new: str) -> int:
    """Rename a tag everywhere, merging into ``new`` where a record has both.

    :returns: how many records changed.
    :raises InvalidRecord: when no record carries ``old``.
    """
    old_key = tag_key(old)
    # A rename that only changes case respells the tag; otherwise merge into the
    # spelling NEW already has in the archive.
    target = new if tag_key(new) == old_key else archive.tag_spellings().get(tag_key(new),
                                                                             new)
    renamed_records = []
    for doc in archive.documents():
        tags = doc.get("tags", [])
        if any(tag_key(t) == old_key for t in tags):
            renamed = [target if tag_key(t) == old_key else t for t in tags]
            record = Record.from_document(doc)
            renamed_records.append(record.with_changes(tags=merge_tags((), renamed)))
    archive.update_many(renamed_records, action="tag", respell=False)
    if not renamed_records:
        raise InvalidRecord(f"no record has the tag {old!r}")
    return len(renamed_records)
