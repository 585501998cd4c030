"""Where an open archive's links are, and how they are stored, found and deleted.

:class:`archivist.store.Archive` logs each change; :mod:`archivist.links` holds the
rules (relations, directions, cycles).  With :mod:`archivist.store` and
:mod:`.recordtable`, the only modules that touch TinyDB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping

from tinydb.table import Table

from archivist.errors import RecordInUse
from archivist.store.jsonfile.recordtable import DocIds, SnapshotStorage, highest_doc_id

#: A link as the table holds it: ``{"src", "rel", "dst"}``.
StoredLink = dict[str, str]


def _key(link: Mapping[str, str]) -> tuple[str, str, str]:
    return link["src"].lower(), link["rel"], link["dst"].lower()


class LinkTable:
    """The links of one open archive.

    :param storage: the snapshot of the file's tables.
    :param links: the TinyDB table over its links.
    """

    def __init__(self, storage: SnapshotStorage, links: Table) -> None:
        self._storage = storage
        self._links = links
        self._doc_ids = DocIds()

    def documents(self) -> Iterable[StoredLink]:
        """Every stored link."""
        return self._storage.raw("links").values()

    def reserve(self, count: int) -> int:
        """The first of ``count`` fresh document ids (:class:`.recordtable.DocIds`)."""
        return self._doc_ids.take(count, lambda: highest_doc_id(self._storage.raw("links")))

    def insert(self, links: Iterable[Mapping[str, str]]) -> list[StoredLink]:
        """Store links as given (callers check the rules first); the links stored."""
        stored = [dict(link) for link in links]
        if stored:
            first = self.reserve(len(stored))
            self._storage.raw("links").update(
                (str(first + n), dict(link)) for n, link in enumerate(stored))
            self._storage.dirty = True
        return stored

    def delete(self, links: Iterable[Mapping[str, str]], *, first_only: bool = False
               ) -> list[StoredLink]:
        """Delete the stored links that are ``links`` (ids compared case-insensitively);
        with ``first_only``, only the first found.  The links deleted, as stored."""
        wanted = {_key(link) for link in links}
        found: list[tuple[int, StoredLink]] = []
        for link_id, link in self._storage.raw("links").items():
            if _key(link) in wanted:
                found.append((int(link_id), link))
                if first_only:
                    break
        if found:
            self._links.remove(doc_ids=[n for n, _ in found])
        return [dict(link) for _, link in found]

    def rename(self, old: str, new: str) -> int:
        """Make every stored link of the record ``old`` (any case) name it ``new``; the
        number of links changed."""
        key = old.lower()

        def change(link: MutableMapping[str, str]) -> None:
            for end in ("src", "dst"):
                if link[end].lower() == key:
                    link[end] = new

        doc_ids = [int(n) for n, link in self._storage.raw("links").items()
                   if key in (link["src"].lower(), link["dst"].lower())]
        if doc_ids:
            self._links.update(change, doc_ids=doc_ids)
        return len(doc_ids)

    def touching(self, record_ids: set[str], *, force: bool) -> list[StoredLink]:
        """The links of records about to be removed (``record_ids`` case-folded).

        :raises RecordInUse: unless ``force``, when one links such a record with a
            record that stays.
        """
        found: list[StoredLink] = []
        for link in self.documents():
            src, dst = link["src"].lower(), link["dst"].lower()
            if src in record_ids or dst in record_ids:
                if not force and not (src in record_ids and dst in record_ids):
                    record, other = (link["src"], link["dst"]) if src in record_ids else (
                        link["dst"], link["src"])
                    raise RecordInUse(record, other,
                                      f"{link['src']} {link['rel']} {link['dst']}")
                found.append(link)
        return found


def as_stored(src: str, rel: str, dst: str) -> StoredLink:
    """The stored form of a link."""
    return {"src": src, "rel": rel, "dst": dst}

