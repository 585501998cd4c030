"""Where an open archive's records are, and how one is found, added or changed.

:class:`archivist.store.Archive` says what a change means (ids, tags, history); this
module says where it lands.  The records table is either

* parsed: a TinyDB table over the snapshot read (:class:`SnapshotStorage`), or
* unparsed: the file's text (:class:`.reader.LazyTables`), while the
  index file (:mod:`.summaryindex`) is current.  Then ids and tag spellings come
  from the index, new records are appended to the text, and a record is read and
  rewritten as its one line.

With :mod:`archivist.store` and :mod:`.linktable`, the only modules that touch
TinyDB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Table

from archivist.errors import DuplicateRecord, RecordNotFound
from archivist.models import first_spellings
from archivist.store.interface import IndexUnusable
from archivist.store.jsonfile import reader, summaryindex
from archivist.store.jsonfile.indexkeeper import IdIndex, IndexKeeper


class DocIds:
    """The one allocator of document ids, for records and links alike: a new document
    gets one past the highest id its table holds (as TinyDB numbers them), and the
    next ones count on from there.

    It keeps no reference to its table: a cycle through the table that owns it would
    keep every parsed record alive until the garbage collector ran (at 100,000
    records, 15% of ``set --where`` and of ``export``, at exit).
    """

    def __init__(self) -> None:
        self._next: int | None = None

    def take(self, count: int, highest: Callable[[], int]) -> int:
        """The first of ``count`` fresh document ids; ``highest()`` tells the highest
        document id the table holds now (0 when empty), asked the first time only."""
        if self._next is None:
            self._next = highest() + 1
        first = self._next
        self._next += count
        return first


def new_archive_id() -> str:
    """A fresh archive id: a random UUID, so two archives never share one."""
    import uuid

    return str(uuid.uuid4())


def highest_doc_id(table: Mapping[str, Any]) -> int:
    """The highest document id of a parsed table (0 when it is empty)."""
    return max(map(int, table), default=0)


class SnapshotStorage(Storage):
    """A TinyDB storage over a dictionary read once; writes stay in memory until commit.

    TinyDB's own ``JSONStorage`` re-reads and rewrites the whole file on every
    operation; this one lets a command make many changes and write them in one go.
    """

    def __init__(self, data: reader.LazyTables) -> None:
        self.data = data
        self.dirty = False
        self.made_id: str | None = None  # an id made here, until the file holds it

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        # TinyDB hands back the tables it read (this same object), changed.
        self.dirty = True

    def close(self) -> None:
        pass

    def meta(self) -> dict[str, Any]:
        """The ``meta`` table's one document (empty when missing or damaged)."""
        meta = self.data["meta"].get("1")
        return meta if isinstance(meta, dict) else {}

    def archive_id(self) -> str | None:
        """The archive's own id: made at its first write (:meth:`meta_to_write`), then
        kept in the meta table (``None`` for an archive not written since ids came)."""
        stored = self.made_id or self.meta().get("id")
        return stored if isinstance(stored, str) and stored else None

    def meta_to_write(self, entries: int, change: int) -> dict[str, Any]:
        """The meta document to write: the format, ``entries`` history entries and
        ``change`` changes, and the archive's id (made now when it has none)."""
        self.made_id = self.archive_id() or new_archive_id()
        return {"format": reader.FORMAT_VERSION, "entries": entries, "change": change,
                "id": self.made_id}

    def raw(self, table: str) -> dict[str, Any]:
        """A table's documents by document id, as the snapshot holds them (created
        empty when missing)."""
        tables: dict[str, Any] = self.data
        try:
            result: dict[str, Any] = tables[table]
        except KeyError:
            result = tables.setdefault(table, {})
        return result


class RecordTable:
    """The records of one open archive, parsed or not.

    :param storage: the snapshot of the file's tables.
    :param records: the TinyDB table over its records.
    :param indexing: the index file's bookkeeping for this archive.
    """

    def __init__(self, storage: SnapshotStorage, records: Table,
                 indexing: IndexKeeper) -> None:
        self._storage = storage
        self._records = records
        self._indexing = indexing
        self._ids: IdIndex | None = None
        self._doc_ids = DocIds()

    @property
    def ids(self) -> IdIndex:
        """Lowercased id → TinyDB document id, built on first use.

        ``list`` and ``export`` walk the documents and never look a record up, so
        they do not pay for it (80 ms at 100,000 records); ``add`` asks whether an id
        is taken from the index file's text (:class:`.indexkeeper.IdIndex`).
        """
        if self._ids is None:
            index = self.unparsed_summaries()
            if index is not None:
                summaries, storage = index, self._storage

                def build() -> dict[str, int]:
                    try:
                        return dict(zip(summaries.column(summaryindex.ID_KEY),
                                        summaries.column(summaryindex.DOC_KEY)))
                    except IndexUnusable:  # a damaged index file: read the records
                        return _ids_of(storage.raw("records"))

                self._ids = IdIndex(build, summaries.has_key, summaries.doc_id_of)
            else:
                self._ids = IdIndex.of(_ids_of(self._storage.raw("records")))
        return self._ids

    def parsed(self) -> bool:
        """Whether the records table was parsed."""
        return "records" in self._storage.data

    def unparsed_summaries(self) -> summaryindex.Index | None:
        """The index, when the records table is still unparsed text it summarises.

        Then ``add`` learns the ids and tags from the index, and appends to the text,
        without parsing a single record.
        """
        # A reader reads the archive (DeferredTables) after the index: another process
        # may have written it in between.
        if self.parsed() or not self._storage.data.as_expected:
            return None
        return self._indexing.checked()

    def unparsed_tables(self) -> reader.LazyTables | None:
        """The tables, when records may be read, changed and added one line at a time
        (see :meth:`unparsed_summaries`)."""
        return None if self.unparsed_summaries() is None else self._storage.data

    def _highest_doc_id(self) -> int:
        index = self.unparsed_summaries()
        if index is not None:
            return max(index.column(summaryindex.DOC_KEY), default=0)
        return highest_doc_id(self._storage.raw("records"))

    def reserve(self, count: int) -> int:
        """The first of ``count`` fresh document ids (:class:`DocIds`)."""
        return self._doc_ids.take(count, self._highest_doc_id)

    def insert(self, docs: list[dict[str, Any]]) -> list[int]:
        """Store new record documents at the end of the table; their document ids."""
        first = self.reserve(len(docs))
        pairs = [(str(first + n), doc) for n, doc in enumerate(docs)]
        tables = self.unparsed_tables()
        if tables is None:
            self._storage.raw("records").update(pairs)
            self._indexing.changed(doc_id for doc_id, _ in pairs)
        else:
            tables.append("records", pairs)
            self._indexing.append(pairs)
        self._storage.dirty = True
        return [first + n for n in range(len(docs))]

    def titles(self, wanted: set[str], index: summaryindex.Index | None) -> dict[str, Any]:
        """The title of each record whose lower id is ``wanted`` (``None`` for one
        without), from ``index`` when given and sound.  Unknown ids are left out."""
        if index is not None:
            try:
                return {key: title for key, title in zip(index.column(summaryindex.ID_KEY),
                                                         index.column("title"))
                        if key in wanted}
            except IndexUnusable:  # a damaged index file: read the records
                pass
        return {key: self.document(key).get("title") for key in wanted if key in self.ids}

    def tag_spellings(self) -> dict[str, str]:
        """Each tag's case-folded key mapped to the spelling first given in the archive."""
        index = self.unparsed_summaries()
        if index is not None:
            tag_lists: Iterable[Any] = (doc.get("tags") for _, doc in self._indexing.appended)
            spelling = index.tag_spellings()
        else:
            records = self._storage.raw("records").values()
            tag_lists, spelling = (doc.get("tags") for doc in records), {}
        return first_spellings(tag_lists, spelling)

    def replace(self, documents: Mapping[str, dict[str, Any]]) -> None:
        """Replace the stored documents of records (by lowercased id) with new ones,
        which may have another id (a rename)."""
        def replace_values(doc: MutableMapping[Any, Any]) -> None:
            new = documents[str(doc["id"]).lower()]
            doc.clear()
            doc.update(new)

        doc_ids = [self.ids[key] for key in documents]
        self.update(replace_values, doc_ids)
        for key, doc_id in zip(documents, doc_ids):
            new_key = str(documents[key]["id"]).lower()
            if new_key != key:
                del self.ids[key]
                self.ids[new_key] = doc_id

    def update_archive(self, values: Mapping[str, dict[str, Any]]) -> None:
        """Add ``values`` (by lowercased id) to records' maintained ``archive`` sections."""
        def change(doc: MutableMapping[Any, Any]) -> None:
            doc["archive"] = {**doc.get("archive", {}), **values[str(doc["id"]).lower()]}

        self.update(change, [self.ids[key] for key in values])

    def drop_archive(self, key: str, names: Iterable[str]) -> None:
        """Remove ``names`` from the ``archive`` section of the record with lowercased id
        ``key`` (those absent are ignored)."""
        dropped = set(names)

        def change(doc: MutableMapping[Any, Any]) -> None:
            doc["archive"] = {k: v for k, v in doc.get("archive", {}).items()
                              if k not in dropped}

        self.update(change, [self.ids[key]])

    def put_back(self, docs: list[dict[str, Any]], positions: Sequence[int | None]
                 ) -> list[int]:
        """Insert documents, each at its place in the order of the table (``None``: at
        the end), places applied one after another; their document ids.

        :raises DuplicateRecord: when an id is taken (case-insensitively).
        """
        for doc in docs:
            if doc["id"].lower() in self.ids:
                raise DuplicateRecord(doc["id"])
            self.ids[doc["id"].lower()] = -1
        table = self._storage.raw("records")
        first = self.reserve(len(docs))
        doc_ids = [first + n for n in range(len(docs))]
        table.update((str(doc_id), doc) for doc_id, doc in zip(doc_ids, docs))
        self._storage.dirty = True
        for doc, doc_id in zip(docs, doc_ids):
            self.ids[doc["id"].lower()] = doc_id
        self._indexing.changed(doc_ids)
        if any(position is not None for position in positions):
            # Records list in the order of the table: put each back where it was.
            new = {str(n) for n in doc_ids}
            keys = [k for k in table if k not in new]
            for position, doc_id in zip(positions, doc_ids):
                keys.insert(len(keys) if position is None else position, str(doc_id))
            ordered = {k: table[k] for k in keys}
            table.clear()
            table.update(ordered)
        return doc_ids

    def remove(self, record_ids: Sequence[str]) -> None:
        """Remove the records with these ids (as stored)."""
        doc_ids = [self.ids.pop(record_id.lower()) for record_id in record_ids]
        self._records.remove(doc_ids=doc_ids)
        self._indexing.changed(doc_ids)

    def document(self, record_id: str) -> dict[str, Any]:
        """The stored document of a record (do not mutate it).

        :raises RecordNotFound: when no record has that id.
        """
        doc_id = self.ids.get(record_id.lower())
        if doc_id is None:
            raise RecordNotFound(record_id, self.closest_id(record_id))
        tables = self.unparsed_tables()
        if tables is not None:
            found = tables.document("records", str(doc_id))
            if found is not None:
                return found
        doc: dict[str, Any] = self._storage.raw("records")[str(doc_id)]
        return doc

    def closest_id(self, record_id: str) -> str | None:
        """The stored id most like ``record_id`` (a typing slip), or ``None``.

        Only a failed lookup asks, so reading every id here costs ``show`` nothing.
        """
        from archivist.suggest import closest

        # Ids are long and alike (family-year-title): only a near miss is a hint.
        key = closest(record_id.lower(), self.ids, cutoff=0.8)
        return None if key is None else str(self.document(key)["id"])

    def update(self, change: Callable[[MutableMapping[Any, Any]], None],
               doc_ids: list[int]) -> None:
        """Change stored documents in place (one line each when the table is unparsed)."""
        tables = self.unparsed_tables()
        if tables is None:
            self._records.update(change, doc_ids=doc_ids)
        else:
            docs = [tables.document("records", str(doc_id)) for doc_id in doc_ids]
            if any(doc is None for doc in docs):  # index and file disagree: parse it
                self._records.update(change, doc_ids=doc_ids)
            else:
                for doc_id, doc in zip(doc_ids, docs):
                    assert doc is not None
                    change(doc)
                    tables.replace("records", str(doc_id))
                self._storage.dirty = True
        self._indexing.changed(doc_ids)


def _ids_of(records: dict[str, Any]) -> dict[str, int]:
    return {str(doc["id"]).lower(): int(doc_id) for doc_id, doc in records.items()}
