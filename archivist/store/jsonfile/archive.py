"""The archive: one JSON file, read once and written at most once per command.

The file holds four tables: ``meta`` (format, counters, the archive's id), ``records``
(see :mod:`archivist.models`), ``links`` (``src``, ``rel``, ``dst``, each once, in its
canonical direction) and ``history`` (the append-only log of every change).  This
module, :mod:`.recordtable` and :mod:`.linktable` are the only ones that touch TinyDB.
A writer holds the lock (:mod:`.lock`) from before its read until after its durable
write, so no two processes both read the same old state.

While the index file (:mod:`.summaryindex`) is current, a table TinyDB never asked for
stays text (:class:`.reader.LazyTables`): ``add`` appends to it, ``show``, ``set`` and
``tag`` parse and rewrite only their lines, and :mod:`.indexkeeper` keeps the index in
step.  The file is written one way, :meth:`JsonArchive._write`; an import passes it
its lines as it makes them (:meth:`JsonArchive.add_and_write`).  Speed mechanisms are
kept only where they win 10% on a benchmark target; each module gives its figures.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB

from archivist import atomic
from archivist.errors import ArchiveCorrupt, DuplicateRecord, InvalidRecord
from archivist.history import current_user, loggable, utc_now
from archivist.ids import generate_id
from archivist.models import Record, merge_tags, tag_key
from archivist.store.jsonfile import lock, reader, summaryindex, writer
from archivist.store.jsonfile.historylog import HistoryLog
from archivist.store.jsonfile.indexkeeper import IndexKeeper, RowSink
from archivist.store.jsonfile.linktable import LinkTable, as_stored
from archivist.store.jsonfile.reader import FORMAT_VERSION
from archivist.store.jsonfile.recordtable import RecordTable, SnapshotStorage
from archivist.store.recordrules import RecordRules

if TYPE_CHECKING:
    from archivist.store.jsonfile.textcache import TextCache


class JsonArchive(RecordRules):
    """An open archive: records, links and history, with one read and one write.

    Use :meth:`open` as a context manager; a writable archive commits on a clean exit
    and discards every change when the block raises, so a failed command changes
    nothing.  ``Archive()`` with no path is an in-memory archive (for tests and
    previews), which never touches a disk.
    """

    def __init__(self, path: Path | None = None, data: dict[str, Any] | None = None, *,
                 exists: bool = False, command: str = "archivist", user: str | None = None,
                 tables: reader.LazyTables | None = None,
                 index: summaryindex.Index | None = None,
                 source: summaryindex.Identity | None = None,
                 layout: list[int] | None = None) -> None:
        """:param data: the tables of an archive made in memory (for tests and previews);
        :param tables: or the tables as read from the file at ``path``."""
        self.path = path
        self.exists = exists
        self.command = command
        self.user = user or current_user()
        if tables is None:
            tables = reader.LazyTables.whole(reader.validate_layout(data or {}, "archive"),
                                             "archive")
        self._attach(tables, index, source, layout)

    def _attach(self, tables: reader.LazyTables, index: summaryindex.Index | None,
                source: summaryindex.Identity | None, layout: list[int] | None) -> None:
        """Take ``tables`` as the archive's tables, as read from the file."""
        path, command = self.path, self.command
        self._storage = SnapshotStorage(tables)
        self._db = TinyDB(storage=lambda: self._storage)
        self._records = self._db.table("records", cache_size=0)
        self._links = self._db.table("links", cache_size=0)
        self._now = utc_now()
        # Nothing the log holds refers back to the archive: a reference cycle would
        # keep every parsed record alive until the garbage collector ran (half a
        # second at 100,000 records, at exit).
        storage = self._storage
        self._log = HistoryLog(str(path), storage.meta,
                               {"time": self._now, "user": self.user, "command": command},
                               None, None, tables.history_parts)
        # The index file (summaryindex): the summaries of the records as read,
        # the identity of the file they were read from, and the documents changed since.
        self._indexing = IndexKeeper(path, index, source, layout)
        self._table = RecordTable(self._storage, self._records, self._indexing)
        self._linked = LinkTable(self._storage, self._links)
        self._texts: TextCache | None = None

    @property
    def log_extra(self) -> dict[str, Any]:
        """Keys added to every history entry, e.g. ``{"reverts": 12}`` while undoing."""
        return self._log.extra

    @log_extra.setter
    def log_extra(self, extra: dict[str, Any]) -> None:
        self._log.extra = extra

    # -- opening and committing ---------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, *, write: bool = False, command: str = "archivist",
             lock_timeout: float = lock.DEFAULT_LOCK_TIMEOUT,
             on_wait: Callable[[str], None] | None = None, write_index: bool = True
             ) -> Iterator[JsonArchive]:
        """Open the archive file at ``path`` for one command.

        :param write: take the lock before reading, and commit on a clean exit.
        :param write_index: when reading, index an archive read whole (not in dry runs).
        :param command: the command line, recorded in history and provenance.
        :raises ArchiveCorrupt: when the file is damaged (it is never rewritten then).
        :raises LockTimeout: when another writer holds the lock too long.
        """
        if not write:
            source = summaryindex.file_identity(path)
            index = summaryindex.load(path, source) if source is not None else None
            if index is not None:
                # The archive itself is read only if the command wants more than the
                # summaries (see summaryindex).
                indexed = cls(path, tables=reader.DeferredTables(path, source, index.layout),
                              exists=True, command=command, index=index, source=source)
                yield indexed
                if write_index:
                    indexed.save_texts()
                return
            read = reader.read(path)
            archive = cls(path, tables=read.tables, exists=read.exists, command=command,
                          source=read.identity, layout=read.layout)
            yield archive
            if write_index:
                archive.save_index()
                archive.save_texts()
            return
        if not path.parent.is_dir():
            raise InvalidRecord(f"the folder of {path} does not exist")
        with lock.exclusive_lock(path, lock_timeout, on_wait):
            loaded: list[summaryindex.Index | None] = [None]

            def layout_for(source: summaryindex.Identity) -> list[int] | None:
                loaded[0] = summaryindex.load(path, source)
                return None if loaded[0] is None else loaded[0].layout

            read = reader.read(path, layout_for=layout_for)
            index = loaded[0] if read.identity else None
            archive = cls(path, tables=read.tables, exists=read.exists, command=command,
                          index=index, source=read.identity)
            yield archive
            archive.commit()
            archive.save_texts()

    def source_texts(self) -> TextCache:
        """The text of the source files (:mod:`.textcache`), opened when first asked."""
        if self._texts is None:
            from archivist.store.jsonfile.textcache import TextCache  # sqlite3: only now

            self._texts = TextCache(self.path)
        return self._texts

    def save_texts(self) -> None:
        """Write the texts extracted by this command, once it has succeeded."""
        if self._texts is None and "archivist.store.sourcetexts" not in sys.modules:
            # Nothing was offered (offering imports it): a write without a source file
            # does not pay for importing it (it compiles a Unicode pattern).
            return
        from archivist.store.sourcetexts import to_write

        texts = to_write(self._texts, self.source_texts)
        if texts is not None:
            texts.flush()

    @property
    def dirty(self) -> bool:
        """Whether anything changed since the archive was read."""
        return self._storage.dirty or bool(self._log.new)

    def commit(self) -> None:
        """Write every change in one atomic write (nothing happens when nothing changed)."""
        if not self.dirty or self.path is None:
            return
        entries = self._log.entries_so_far()
        history = self._log.pieces()
        layout = self._write(entries, self._log.last_change(), history)
        self._log.written(history, entries)
        replaced = self._storage.data.settle("records")
        self._indexing.written(self._raw("records") if self._table.parsed() else None,
                               layout, replaced)
        self._storage.dirty = False
        self.exists = True

    @property
    def archive_id(self) -> str | None:  # (see SnapshotStorage.archive_id)
        return self._storage.archive_id()

    def _write(self, entries: int, change: int, history: list[writer.Text],
               tails: Mapping[str, Iterable[bytes]] | None = None) -> list[int]:
        """The one write of the archive file: every table as it is now, the meta table
        counting ``entries`` history entries and ``change`` changes, and the lines of
        ``tails`` appended to their tables as they are written (see :func:`.writer.encode`).
        The bytes written are let go before the index is summarised (after an import
        of 10,000 records, they and the new history entries are half of the peak
        memory).

        :returns: where the tables start in the file written.
        """
        assert self.path is not None
        tables = self._storage.data
        tables["meta"] = {"1": self._storage.meta_to_write(entries, change)}
        encoded = writer.encode(tables["meta"], tables.pieces("records"),
                                tables.pieces("links"), history, tails)
        atomic.atomic_write_bytes(self.path, encoded, before_replace=self._unchanged_on_disk)
        atomic.remove_stray_temp_files(self.path)
        return encoded.layout

    def _unchanged_on_disk(self) -> None:
        """Refuse to write when the file is no longer the one read: a program other
        than archivist (which takes the lock) rewrote or removed it since, and the
        parts of it copied unread would mix two files."""
        read = self._indexing.source
        if self.path is not None and read is not None and (
                summaryindex.file_identity(self.path) != read):
            raise ArchiveCorrupt(f"{self.path} was changed by another program while "
                                 "archivist worked on it; nothing was changed (run the "
                                 "command again)")

    def snapshot(self) -> dict[str, Any]:
        """Every table as the file holds them once committed (history parsed)."""
        meta = self._storage.meta_to_write(self._log.entries_so_far(), self._log.last_change())
        return {"meta": {"1": meta}, "records": self._raw("records"),
                "links": self._raw("links"),
                "history": {**self._log.stored(), **dict(self._log.new)}}

    def fill(self, tables: dict[str, Any]) -> None:
        """Fill this empty archive with another's :meth:`snapshot`, exactly (``copy``):
        document ids, order, link and entry numbers, and the archive's own id."""
        data = {name: dict(tables.get(name, {})) for name in ("records", "links", "history")}
        kept = {k: v for k, v in tables.get("meta", {}).get("1", {}).items() if k == "id"}
        data["meta"] = {"1": {"format": FORMAT_VERSION, **kept}}
        self._attach(reader.LazyTables.whole(reader.validate_layout(data, "archive"),
                                             "archive"), None, None, None)
        self._storage.dirty = True

    # -- the index file (summaryindex) -----------------------------------

    def summaries(self) -> summaryindex.Index | None:
        """The index file's summaries of the records, when it is current and no record
        changed since it was read (``None`` otherwise)."""
        return self._indexing.current(self._storage.dirty)

    def save_index(self) -> None:
        """Write the index file of an archive read whole and left unchanged."""
        if not self.dirty and self._table.parsed():
            self._indexing.read_whole(self._raw("records"))

    def _raw(self, table: str) -> dict[str, Any]:
        return self._storage.raw(table)

    # -- reading records ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._table.ids)

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and record_id.lower() in self._table.ids

    def documents(self) -> Iterable[dict[str, Any]]:
        """Every stored record document, in the order added (the fast path for lists)."""
        return self._raw("records").values()

    def ids(self) -> list[str]:
        """Every record id, in the order added."""
        return [doc["id"] for doc in self.documents()]

    def document(self, record_id: str) -> dict[str, Any]:
        """The stored document of a record (do not mutate it).

        :raises RecordNotFound: when no record has that id.
        """
        return self._table.document(record_id)

    def titles(self, record_ids: Iterable[str]) -> dict[str, Any]:
        """The title of each record (by lower id; ``None`` for a record without one),
        from the index file when it is current.  Unknown ids are left out."""
        return self._table.titles({record_id.lower() for record_id in record_ids},
                                  self.summaries())

    # -- changing records ---------------------------------------------------------

    def new_id(self, title: str, creators: tuple[str, ...] = (), date: str | None = None
               ) -> str:
        """A fresh id for a record with these values (see :mod:`archivist.ids`)."""
        return generate_id(title, creators, date, self._table.ids)

    def add(self, record: Record, how: Any = None, *, log: bool = True) -> Record:
        """Add a new record, stamping when, how and by whom it entered the archive.

        :param how: the provenance of the addition (default: the command line).
        :raises DuplicateRecord: when the id is taken (case-insensitively).
        """
        if record.id.lower() in self._table.ids:
            raise DuplicateRecord(record.id)
        record = record.with_changes(tags=self.canonical_tags(record.tags),
                                     archive=self._added_info(how))
        doc = record.to_document()
        [doc_id] = self._table.insert([doc])
        self._table.ids[record.id.lower()] = doc_id
        if log:
            self.log("add", record.id, None, loggable(doc))
        return record

    def add_many(self, records: Iterable[tuple[Record, Any]]) -> list[Record]:
        """Add many records in one pass (imports); see :meth:`add` for each."""
        added: list[Record] = []
        docs: list[dict[str, Any]] = []
        # Spellings read once (not once per record) and grown with the batch, so a
        # large import stays linear and its records spell a new tag alike.
        spelling = self.tag_spellings()
        for record, how in records:
            if record.id.lower() in self._table.ids:
                raise DuplicateRecord(record.id)
            record = self._added(record, how, spelling)
            self._table.ids[record.id.lower()] = -1
            added.append(record)
            docs.append(record.to_document())
        doc_ids = self._table.insert(docs)
        for record, doc_id in zip(added, doc_ids):
            self._table.ids[record.id.lower()] = doc_id
        self._log.log_many(("add", r.id, None, loggable(d)) for r, d in zip(added, docs))
        return added

    def _added_info(self, how: Any) -> dict[str, Any]:
        """The ``archive`` section of a record added now (see :meth:`add`)."""
        return {"added": self._now, "added_by": self.user,
                "added_how": how if how is not None else self.command, "changed": self._now}

    def _added(self, record: Record, how: Any, spelling: dict[str, str]) -> Record:
        """``record`` as one of many added now: each tag spelled as the archive, or else
        the batch (``spelling`` grows with it), first spelled it."""
        tags = merge_tags((), (spelling.setdefault(tag_key(t), t) for t in record.tags))
        return record.with_changes(tags=tags, archive=self._added_info(how))

    def add_and_write(self, records: Callable[[], Iterable[tuple[Record, Any]]], count: int,
                      links: Sequence[tuple[str, str, str]]) -> None:
        """Add ``count`` records and ``links`` (``(src, rel, dst)``, checked) and write
        now, making each document and history entry only as it is written (the one
        write, :meth:`_write`, with tails): an import's 10,000 records are never in
        memory together.  ``records()`` gives the same records with their provenance
        each time it is called: for the records table, then for the history.  Tags are
        spelled as :meth:`add_many` spells them.  The archive is read again from the
        file when next asked.  One in memory or changed already is changed as by
        :meth:`add_many` and :meth:`store_links`, and written by :meth:`commit`.

        :raises DuplicateRecord: when an id is taken (nothing is written then).
        """
        if not count and not links:
            return
        if self.path is None or self.dirty:
            self.add_many(records())
            self.store_links(as_stored(*link) for link in links)
            return
        # A table nothing is added to is not parsed: it is written back as it was read.
        first = self._table.reserve(count) if count else 0
        first_entry = self._log.entries_so_far() + 1
        rows = self._indexing.appending(
            (lambda: self._raw("records")) if count or self._table.parsed() else None)
        # The first spelling in the archive, then in the batch, wins: both passes spell
        # the tags alike.
        spelling = self.tag_spellings() if count else {}

        def documents() -> Iterator[tuple[str, dict[str, Any]]]:
            for number, (record, how) in enumerate(records(), start=first):
                yield str(number), self._added(record, how, spelling).to_document()

        def history_lines() -> Iterator[bytes]:
            entries = itertools.chain(
                (("add", doc["id"], None, loggable(doc)) for _, doc in
                 (documents() if count else ())),
                (("link", src, None, as_stored(src, rel, dst)) for src, rel, dst in links))
            for number, entry in enumerate(entries, start=first_entry):
                yield writer.line(str(number), self._log.entry(*entry))

        tails: dict[str, Iterable[bytes]] = {"history": history_lines()}
        if count:
            tails["records"] = self._record_lines(documents(), count, rows)
        if links:
            first_link = self._linked.reserve(len(links))
            tails["links"] = (writer.line(str(number), as_stored(*link)) for number, link
                              in enumerate(links, start=first_link))
        layout = self._write(first_entry - 1 + count + len(links), self._log.next_change(),
                             self._log.pieces(), tails)
        self._indexing.written_with_rows(rows, layout)
        self.exists = True
        indexing = self._indexing
        self._attach(reader.DeferredTables(self.path, indexing.source, indexing.layout),
                     indexing.index, indexing.source, indexing.layout)

    def _record_lines(self, documents: Iterable[tuple[str, dict[str, Any]]], count: int,
                      rows: RowSink) -> Iterator[bytes]:
        """The lines of ``count`` new records, each summarised into ``rows`` as it goes.

        :raises DuplicateRecord: when an id is taken, in the archive or the batch.
        """
        new: set[str] = set()
        given = 0
        for doc_id, doc in documents:
            given, key = given + 1, doc["id"].lower()
            if key in self._table.ids or key in new:
                raise DuplicateRecord(doc["id"])
            new.add(key)
            rows.append(summaryindex.summary_row(doc_id, doc))
            yield writer.line(doc_id, doc)
        if given != count:
            raise RuntimeError(f"{given} records given, {count} announced")

    def _replace(self, documents: Mapping[str, dict[str, Any]]) -> None:
        self._table.replace(documents)

    def set_archive_info(self, record_id: str, **values: Any) -> None:
        """Update the maintained ``archive`` section (e.g. the last fixity check)."""
        self.set_archive_infos({record_id: values})

    def set_archive_infos(self, values: dict[str, dict[str, Any]]) -> None:
        """:meth:`set_archive_info` for many records (id → values) in one pass.

        TinyDB rebuilds its table on every update, so one call per record would make
        ``verify`` quadratic in the number of records.
        """
        self._table.update_archive({record_id.lower(): info
                                    for record_id, info in values.items()})

    def drop_archive_info(self, record_id: str, *keys: str) -> None:
        """Remove keys from the maintained ``archive`` section (those absent are ignored)."""
        self._table.drop_archive(record_id.lower(), keys)

    def restore(self, doc: dict[str, Any], position: int | None = None) -> None:
        """Re-insert a removed record exactly as it was, ``archive`` section included.

        :param position: its place in the order added, as ``rm`` logged it.
        :raises DuplicateRecord: when the id is taken (case-insensitively).
        """
        self.restore_many([(doc, position)])

    def restore_many(self, items: Sequence[tuple[dict[str, Any], int | None]]) -> None:
        """Re-insert removed records, each at its logged place, in one pass (undo of ``rm``).

        Each is logged as ``add`` with its archive section beside it.  Places apply in
        the order given, as if the records were put back one after another.

        :raises DuplicateRecord: when an id is taken (case-insensitively).
        """
        # Rebuilt through Record so that the private date cache is current.
        docs = [Record.from_document(doc).to_document() for doc, _ in items]
        self._table.put_back(docs, [position for _, position in items])
        self._log.append(
            self._log.entry("add", d["id"], None, loggable(d), archive=d.get("archive", {}))
            for d in docs)

    def change_id(self, record_id: str, new_id: str) -> int:
        """Rename a record and its links, unlogged; see :func:`archivist.renaming.rename`."""
        old = self.document(record_id)
        stored_id, info = old["id"], {**old.get("archive", {}), "changed": self._now}
        self._table.replace({stored_id.lower(): {**old, "id": new_id, "archive": info}})
        return self._linked.rename(stored_id, new_id)

    def remove(self, record_ids: Iterable[str], *, force: bool = False) -> list[str]:
        """Remove records; with ``force``, their links go too.

        :raises RecordInUse: when other records are linked to one of them, naming them.
        :returns: the ids removed, as stored.
        """
        ids = [self.canonical_id(i) for i in record_ids]
        doomed = self._linked.touching({i.lower() for i in ids}, force=force)
        self._log.log_many(("unlink", link["src"], link, None)
                           for link in self._linked.delete(doomed))
        # The archive section and the place in the order go into history too, so that
        # undo (restoring in reverse) puts each record back as it was.  Logged in the
        # order of the table, a record's place among those still there is its place
        # minus the number logged before it.
        order = {str(doc["id"]).lower(): n for n, doc in enumerate(self.documents())}
        placed = sorted(ids, key=lambda i: order[i.lower()])
        entries = []
        for count, record_id in enumerate(placed):
            doc = self.document(record_id)
            entries.append(self._log.entry("rm", record_id, loggable(doc), None,
                                       archive=doc.get("archive", {}),
                                       position=order[record_id.lower()] - count))
        self._log.append(entries)
        self._table.remove(ids)
        return ids

    # -- tags -----------------------------------------------------------------------

    def tag_spellings(self) -> dict[str, str]:
        """Each tag's case-folded key mapped to the spelling first given in the archive."""
        return self._table.tag_spellings()

    # -- links (raw storage; the rules live in archivist.links) -------------------

    def link_documents(self) -> Iterable[dict[str, Any]]:
        """Every stored link as ``{"src", "rel", "dst"}``."""
        return self._linked.documents()

    def store_link(self, src: str, rel: str, dst: str) -> None:
        """Store a link as given (callers check the rules first) and log it."""
        self.store_links([as_stored(src, rel, dst)])

    def store_links(self, links: Iterable[Mapping[str, str]]) -> None:
        """Store many links in one pass (imports), logging each."""
        self._log.log_many(("link", link["src"], None, link)
                           for link in self._linked.insert(links))

    def delete_links(self, links: Iterable[dict[str, str]]) -> int:
        """Delete many stored links in one pass, logging each; returns how many were found."""
        deleted = self._linked.delete(links)
        self._log.log_many(("unlink", link["src"], link, None) for link in deleted)
        return len(deleted)

    def delete_link(self, src: str, rel: str, dst: str) -> bool:
        """Delete a stored link; ``False`` when there was none."""
        deleted = self._linked.delete([as_stored(src, rel, dst)], first_only=True)
        self._log.log_many(("unlink", link["src"], link, None) for link in deleted)
        return bool(deleted)

    # -- history (historylog) ---------------------------------------------

    def log(self, action: str, record_id: str | None, before: Any, after: Any,
            **extra: Any) -> None:
        """Append one entry to the history (written with the change it describes)."""
        self._log.append([self._log.entry(action, record_id, before, after, **extra)])

    def log_many(self, entries: Iterable[tuple[str, str | None, Any, Any]], *,
                 brief: bool = False) -> None:
        """Append many history entries in one pass (``brief``: see :meth:`HistoryLog.brief`)."""
        self._log.log_many(entries, brief=brief)

    def history(self, record_id: str | None = None) -> list[dict[str, Any]]:
        """History entries, oldest first; only those of ``record_id`` when given.

        :raises ArchiveCorrupt: when the stored history is damaged.
        """
        return self._log.history(record_id)

    def history_items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every entry by number, oldest first, as stored, parsed one at a time."""
        return self._log.items()

    def info(self) -> dict[str, Any]:
        """Counts and format version, for ``archivist info``."""
        from archivist.tagging import tag_counts

        return {"id": self.archive_id, "format": FORMAT_VERSION, "records": len(self),
                "tags": len(tag_counts(self)), "links": len(self._raw("links")),
                "history": self._log.entries_so_far()}
