"""What every engine does the same way with records, written once.

An engine keeps documents; how an update is stamped, which tags are respelled and what
goes into history do not depend on where the documents are kept.  :class:`RecordRules`
holds those rules over a few primitives each engine implements: :meth:`document`,
:meth:`documents`, :meth:`tag_spellings`, :meth:`log`, :meth:`log_many` and
:meth:`_replace`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from archivist.history import diff
from archivist.models import Record, merge_tags, tag_key

Entry = tuple[str, "str | None", Any, Any]


class RecordRules:
    """The engine-independent half of an :class:`~archivist.store.Archive`."""

    #: The time every change of this command is stamped with.
    _now: str

    # -- the primitives each engine implements ------------------------------------------

    def document(self, record_id: str) -> dict[str, Any]:
        """The stored document of a record (do not mutate it)."""
        raise NotImplementedError

    def documents(self) -> Iterable[dict[str, Any]]:
        """Every stored record document, in the order added."""
        raise NotImplementedError

    def tag_spellings(self) -> dict[str, str]:
        """Each tag's case-folded key mapped to the spelling first given."""
        raise NotImplementedError

    def log(self, action: str, record_id: str | None, before: Any, after: Any,
            **extra: Any) -> None:
        """Append one entry to the history."""
        raise NotImplementedError

    def log_many(self, entries: Iterable[Entry], *, brief: bool = False) -> None:
        """Append many history entries in one pass."""
        raise NotImplementedError

    def _replace(self, documents: Mapping[str, dict[str, Any]]) -> None:
        """Replace stored documents (by lowercased id) with new ones."""
        raise NotImplementedError

    # -- the rules ----------------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        """Every record, in the order added."""
        return (Record.from_document(doc) for doc in self.documents())

    def canonical_id(self, record_id: str) -> str:
        """The id as stored, for an id given in any case.

        :raises RecordNotFound: when no record has that id.
        """
        return str(self.document(record_id)["id"])

    def get(self, record_id: str) -> Record:
        """The record with ``record_id`` (matched case-insensitively).

        :raises RecordNotFound: when there is none.
        """
        return Record.from_document(self.document(record_id))

    def canonical_tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        """Spell each tag as the archive first spelled it, if it already exists."""
        tags = tuple(tags)
        if not tags:
            return ()
        spelling = self.tag_spellings()
        return merge_tags((), (spelling.get(tag_key(t), t) for t in tags))

    def update(self, record: Record, *, action: str = "set", respell: bool = True) -> Record:
        """Replace a record's values (same id), logging the fields that changed.

        :param respell: spell tags as the archive first spelled them (off for a rename).
        """
        return self.update_many([record], action=action, respell=respell)[0]

    def update_many(self, records: Iterable[Record], *, action: str = "set",
                    respell: bool = True) -> list[Record]:
        """:meth:`update` for many records, replaced at once: the ``archive`` section is
        kept, with ``changed`` stamped now; nothing is logged when no value changed."""
        replacements: dict[str, dict[str, Any]] = {}
        results: list[Record] = []
        entries: list[Entry] = []
        for record in records:
            old = self.document(record.id)
            info = dict(old.get("archive", {}))
            info.update(record.archive)
            for key in ("added", "added_by", "added_how"):
                if key in old.get("archive", {}):
                    info[key] = old["archive"][key]
            tags = self.canonical_tags(record.tags) if respell else record.tags
            new = record.with_changes(id=old["id"], tags=tags, archive=info).to_document()
            before, after = diff(old, new)
            if not before and not after:
                results.append(Record.from_document(old))
                continue
            info["changed"] = self._now
            new["archive"] = info
            replacements[old["id"].lower()] = new
            entries.append((action, old["id"], before, after))
            results.append(Record.from_document(new))
        if replacements:
            self._replace(replacements)
            self.log_many(entries)
        return results

    def replace_document(self, doc: dict[str, Any], *, action: str) -> None:
        """Replace a record's values with ``doc`` as given, logging what changed.

        Unlike :meth:`update`, tags keep their spelling (undo must restore them
        exactly); the stored ``archive`` section is kept, with ``changed`` stamped.
        """
        old = self.document(doc["id"])
        new = Record.from_document(doc).to_document()
        new["archive"] = {**old.get("archive", {}), "changed": self._now}
        before, after = diff(old, new)
        if not before and not after:
            return
        self._replace({old["id"].lower(): new})
        self.log(action, old["id"], before, after)
