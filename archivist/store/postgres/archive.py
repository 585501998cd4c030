"""The archive in PostgreSQL: every command one transaction, every change a statement.

A command reads what it asks for (a record, the ids, the documents in order) and
writes each change as it makes it, inside one transaction: a clean exit commits it,
an exception rolls it back, so a failed command changes nothing.  Writers take the
archive's advisory lock before their first read (:mod:`.opening`), so two writers
never both work from the same old state: no update is lost between processes or
machines, as with the file engine's lock.  The link rules the database can hold
(both ends exist, unique, no self-link) are constraints of its tables
(:mod:`.schema`); the rest stays in :mod:`archivist.links`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from archivist.errors import DuplicateRecord, RecordInUse, RecordNotFound
from archivist.folding import exact_key
from archivist.history import loggable
from archivist.models import Record, first_spellings, merge_tags, tag_key
from archivist.store.postgres.fulltext import PgTexts
from archivist.store.postgres.queries import PgQueries, query_row, typed_assignments
from archivist.store.postgres.schema import SCHEMA_VERSION
from archivist.store.postgres.tables import (
    ARCHIVE_NAME,
    RECORD_COLUMNS,
    PgTables,
    as_json,
    record_row,
)
from archivist.store.recordrules import RecordRules
from archivist.store.sourcetexts import to_write

# Replacing a document rewrites the query columns computed from it.
_REPLACE = ("UPDATE archivist_records SET key = %s, doc = %s::json, "
            f"{typed_assignments('%s')} WHERE key = %s")


class _Taken:
    """The lowercased ids in use, asked one at a time (for :func:`generate_id`)."""

    def __init__(self, has: Callable[[str], bool]) -> None:
        self._has = has

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._has(key)


class PgArchive(PgTables, RecordRules):
    """An open archive in a PostgreSQL database, for one command (one transaction).

    The links, history and transaction are :class:`.tables.PgTables`'; the records
    are here.
    """

    def query_engine(self) -> PgQueries | None:
        """What the server answers of a query in SQL (nothing, over tables older than
        the query columns: a reader of them matches the documents instead)."""
        if self.version is None or self.version < 2:
            return None
        return PgQueries(self._cur)

    #: The text of the source files, once asked for (:meth:`source_texts`).
    _texts: PgTexts | None = None

    # -- reading records ----------------------------------------------------------

    def __len__(self) -> int:
        return int(self._value("SELECT count(*) FROM archivist_records"))

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and self._has_key(record_id.lower())

    def _has_key(self, key: str) -> bool:
        if key in self._docs:
            return True
        return bool(self._value("SELECT 1 FROM archivist_records WHERE key = %s", (key,)))

    def documents(self) -> list[dict[str, Any]]:
        """Every stored record document, in the order added (do not mutate them)."""
        rows = self._rows("SELECT key, doc FROM archivist_records ORDER BY pos")
        self._docs.update(rows)
        return [doc for _, doc in rows]

    def ids(self) -> list[str]:
        """Every record id, in the order added."""
        return [row[0] for row in
                self._rows("SELECT doc->>'id' FROM archivist_records ORDER BY pos")]

    def document(self, record_id: str) -> dict[str, Any]:
        """The stored document of a record (do not mutate it).

        :raises RecordNotFound: when no record has that id.
        """
        key = record_id.lower()
        doc = self._docs.get(key)
        if doc is None:
            doc = self._value("SELECT doc FROM archivist_records WHERE key = %s", (key,))
            if doc is None:
                raise RecordNotFound(record_id, self._closest_id(record_id))
            self._docs[key] = doc
        return doc

    def _closest_id(self, record_id: str) -> str | None:
        from archivist.suggest import closest

        keys = [row[0] for row in self._rows("SELECT key FROM archivist_records")]
        key = closest(record_id.lower(), keys, cutoff=0.8)
        return None if key is None else str(self.document(key)["id"])

    def titles(self, record_ids: Iterable[str]) -> dict[str, Any]:
        """The title of each record (by lower id; ``None`` for one without); unknown ids
        are left out."""
        wanted = sorted({record_id.lower() for record_id in record_ids})
        return dict(self._rows("SELECT key, doc->'title' FROM archivist_records "
                               "WHERE key = ANY(%s)", (wanted,)))

    # -- tags -----------------------------------------------------------------------

    def tag_spellings(self) -> dict[str, str]:
        """Each tag's case-folded key mapped to the spelling first given in the archive."""
        if self._spellings is None:
            rows = self._rows("SELECT doc->'tags' FROM archivist_records ORDER BY pos")
            self._spellings = first_spellings(row[0] for row in rows)
        return dict(self._spellings)

    def canonical_tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        """Each tag spelled as the archive first spelled it: looked up a tag at a time
        in the query columns, instead of reading every record's tags (``add``)."""
        tags = tuple(tags)
        known = None if self._spellings is not None else self._spellings_of(tags)
        if known is None:
            return super().canonical_tags(tags)
        return merge_tags((), (known.get(tag_key(t), t) for t in tags))

    def _spellings_of(self, tags: tuple[str, ...]) -> dict[str, str] | None:
        """The first spelling of each of ``tags`` the archive holds, by :func:`tag_key`
        (``None`` when the query columns cannot tell)."""
        if self.version is None or self.version < 2 or len(tags) > 20:
            return None
        found: dict[str, str] = {}
        for tag in tags:
            key, whole = tag_key(tag), exact_key(tag)
            if "\x00" in whole or "\x1f" in whole:
                return None
            # Tags alike by tag_key are alike by exact_key: the first record holding
            # this exact_key holds the first spelling, unless it is composed otherwise.
            first = self._value("SELECT brief->'tags' FROM archivist_records "
                                "WHERE exact @> %s::jsonb ORDER BY pos LIMIT 1",
                                (as_json({"tags": [whole]}),))
            if first is None:
                continue
            spelling = next((t for t in first if isinstance(t, str) and tag_key(t) == key),
                            None)
            if spelling is None:
                return None
            found[key] = spelling
        return found

    # -- adding records -----------------------------------------------------------

    def new_id(self, title: str, creators: tuple[str, ...] = (), date: str | None = None
               ) -> str:
        """A fresh id for a record with these values (see :mod:`archivist.ids`)."""
        from archivist.ids import generate_id  # only a command adding records needs it

        return generate_id(title, creators, date, _Taken(self._has_key))

    def _added_info(self, how: Any) -> dict[str, Any]:
        return {"added": self._now, "added_by": self.user,
                "added_how": how if how is not None else self.command, "changed": self._now}

    def _insert(self, docs: Sequence[dict[str, Any]]) -> None:
        """Store new documents at the end of the order (their ids checked free)."""
        if not docs:
            return
        pos = self._next("pos", "SELECT max(pos) FROM archivist_records", len(docs))
        doc_id = self._next("doc_id", "SELECT max(doc_id) FROM archivist_records", len(docs))
        self._copy(RECORD_COLUMNS, (record_row(pos + n, doc_id + n, d)
                                     for n, d in enumerate(docs)))
        for doc in docs:
            self._docs[doc["id"].lower()] = doc
            if self._spellings is not None:
                first_spellings([doc.get("tags")], self._spellings)

    def add(self, record: Record, how: Any = None, *, log: bool = True) -> Record:
        """Add a new record, stamping when, how and by whom it entered the archive.

        :raises DuplicateRecord: when the id is taken (case-insensitively).
        """
        if record.id in self:
            raise DuplicateRecord(record.id)
        record = record.with_changes(tags=self.canonical_tags(record.tags),
                                     archive=self._added_info(how))
        doc = record.to_document()
        self._insert([doc])
        if log:
            self.log("add", record.id, None, loggable(doc))
        return record

    def add_many(self, records: Iterable[tuple[Record, Any]]) -> list[Record]:
        """Add many records in one pass (imports); see :meth:`add` for each."""
        spelling = self.tag_spellings()
        added: list[Record] = []
        new: set[str] = set()
        for record, how in records:
            key = record.id.lower()
            if key in new or key in self:
                raise DuplicateRecord(record.id)
            new.add(key)
            tags = merge_tags((), (spelling.setdefault(tag_key(t), t) for t in record.tags))
            added.append(record.with_changes(tags=tags, archive=self._added_info(how)))
        docs = [record.to_document() for record in added]
        self._insert(docs)
        self.log_many(("add", d["id"], None, loggable(d)) for d in docs)
        return added

    def add_and_write(self, records: Callable[[], Iterable[tuple[Record, Any]]], count: int,
                      links: Sequence[tuple[str, str, str]]) -> None:
        """Add ``count`` checked records and ``links``; they are written with the
        command's transaction."""
        added = self.add_many(records())
        if len(added) != count:
            raise RuntimeError(f"{len(added)} records given, {count} announced")
        self.store_links({"src": src, "rel": rel, "dst": dst} for src, rel, dst in links)

    # -- changing records -----------------------------------------------------------

    def _replace(self, documents: Mapping[str, dict[str, Any]]) -> None:
        """Replace stored documents (by lowercased id) with new ones, which may have
        another id (a rename)."""
        if not documents:
            return
        self._cur.executemany(_REPLACE, [(doc["id"].lower(), as_json(doc), *query_row(doc), key)
                                         for key, doc in documents.items()])
        for key, doc in documents.items():
            self._docs.pop(key, None)
            self._docs[doc["id"].lower()] = doc
        self._spellings = None
        self._changed = True

    def set_archive_info(self, record_id: str, **values: Any) -> None:
        """Update the maintained ``archive`` section (e.g. the last fixity check)."""
        self.set_archive_infos({record_id: values})

    def set_archive_infos(self, values: dict[str, dict[str, Any]]) -> None:
        """:meth:`set_archive_info` for many records (id → values)."""
        changed = {}
        for record_id, info in values.items():
            doc = self.document(record_id)
            changed[record_id.lower()] = {**doc, "archive": {**doc.get("archive", {}), **info}}
        self._replace(changed)

    def drop_archive_info(self, record_id: str, *keys: str) -> None:
        """Remove keys from the maintained ``archive`` section (those absent are ignored)."""
        doc = self.document(record_id)
        info = {k: v for k, v in doc.get("archive", {}).items() if k not in keys}
        self._replace({record_id.lower(): {**doc, "archive": info}})

    def restore(self, doc: dict[str, Any], position: int | None = None) -> None:
        """Re-insert a removed record exactly as it was, ``archive`` section included."""
        self.restore_many([(doc, position)])

    def restore_many(self, items: Sequence[tuple[dict[str, Any], int | None]]) -> None:
        """Re-insert removed records, each at its logged place (applied one after
        another), each logged as ``add`` with its archive section.

        :raises DuplicateRecord: when an id is taken (case-insensitively).
        """
        docs = [Record.from_document(doc).to_document() for doc, _ in items]
        for doc in docs:
            if doc["id"] in self:
                raise DuplicateRecord(doc["id"])
        for doc, (_, position) in zip(docs, items):
            self._put_back(doc, position)
        self._spellings = None
        self._append(self._entry("add", d["id"], None, loggable(d),
                                 archive=d.get("archive", {})) for d in docs)

    def _put_back(self, doc: dict[str, Any], position: int | None) -> None:
        """Insert ``doc`` at ``position`` in the order (``None``: at the end)."""
        at = None if position is None else self._value(
            "SELECT pos FROM archivist_records ORDER BY pos OFFSET %s LIMIT 1", (position,))
        if at is None:
            self._insert([doc])
            return
        self._cur.execute("UPDATE archivist_records SET pos = pos + 1 WHERE pos >= %s", (at,))
        self._counters.pop("pos", None)
        doc_id = self._next("doc_id", "SELECT max(doc_id) FROM archivist_records")
        self._copy(RECORD_COLUMNS, [record_row(at, doc_id, doc)])
        self._docs[doc["id"].lower()] = doc

    def change_id(self, record_id: str, new_id: str) -> int:
        """Rename a record and its links, unlogged; returns how many links moved."""
        old = self.document(record_id)
        stored_id, info = old["id"], {**old.get("archive", {}), "changed": self._now}
        key, new_key = stored_id.lower(), new_id.lower()
        self._replace({key: {**old, "id": new_id, "archive": info}})
        moved = self._rows(
            "UPDATE archivist_links SET "
            "src = CASE WHEN src_key = %(old)s THEN %(new)s ELSE src END, "
            "dst = CASE WHEN dst_key = %(old)s THEN %(new)s ELSE dst END, "
            "src_key = CASE WHEN src_key = %(old)s THEN %(key)s ELSE src_key END, "
            "dst_key = CASE WHEN dst_key = %(old)s THEN %(key)s ELSE dst_key END "
            "WHERE src_key = %(old)s OR dst_key = %(old)s RETURNING n",
            {"old": key, "new": new_id, "key": new_key})  # type: ignore[arg-type]
        return len(moved)

    def remove(self, record_ids: Iterable[str], *, force: bool = False) -> list[str]:
        """Remove records; with ``force``, their links go too.

        :raises RecordInUse: when other records are linked to one of them, naming them.
        :returns: the ids removed, as stored.
        """
        ids = [self.canonical_id(i) for i in record_ids]
        keys = sorted({i.lower() for i in ids})
        doomed = self._touching(keys, force=force)
        self.delete_links(doomed)
        # Each record's place among those still there goes into history, so that undo
        # (restoring in reverse) puts it back where it was.
        places = dict(self._rows(
            "SELECT key, (SELECT count(*) FROM archivist_records b WHERE b.pos < a.pos) "
            "FROM archivist_records a WHERE key = ANY(%s)", (keys,)))
        placed = sorted(ids, key=lambda i: int(places[i.lower()]))
        entries = []
        for count, record_id in enumerate(placed):
            doc = self.document(record_id)
            entries.append(self._entry("rm", record_id, loggable(doc), None,
                                       archive=doc.get("archive", {}),
                                       position=int(places[record_id.lower()]) - count))
        self._append(entries)
        self._cur.execute("DELETE FROM archivist_records WHERE key = ANY(%s)", (keys,))
        for key in keys:
            self._docs.pop(key, None)
        self._spellings = None
        self._changed = True
        return ids

    def _touching(self, keys: list[str], *, force: bool) -> list[dict[str, str]]:
        """The links of records about to be removed (``keys`` lowercased).

        :raises RecordInUse: unless ``force``, when one links such a record with one
            that stays.
        """
        gone = set(keys)
        found = []
        for src, rel, dst in self._rows(
                "SELECT src, rel, dst FROM archivist_links WHERE src_key = ANY(%(k)s) "
                "OR dst_key = ANY(%(k)s) ORDER BY n", {"k": keys}):  # type: ignore[arg-type]
            inside = (src.lower() in gone, dst.lower() in gone)
            if not force and not all(inside):
                record, other = (src, dst) if inside[0] else (dst, src)
                raise RecordInUse(record, other, f"{src} {rel} {dst}")
            found.append({"src": src, "rel": rel, "dst": dst})
        return found

    def source_texts(self) -> PgTexts:
        """The text of the source files (:mod:`.fulltext`), read when first asked."""
        if self._texts is None:
            self._texts = PgTexts(self._cur)
        return self._texts

    def save_texts(self) -> bool:
        """Insert the texts extracted by this command; whether there were any."""
        texts = to_write(self._texts, self.source_texts)
        if texts is not None and texts.flush():
            self._changed = True
            return True
        return False

    def remember_sources(self, folder: str) -> None:
        """Make ``folder`` the one relative source paths start from (``copy``)."""
        self._cur.execute("UPDATE archivist_meta SET value = %s::json WHERE key = 'sources'",
                          (as_json(folder),))
        self.sources = folder
        self.path = Path(folder) / ARCHIVE_NAME
        self._changed = True

    # -- info ------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The engine, server, database and sources folder, then the counts."""
        from archivist.tagging import tag_counts

        return {"id": self.archive_id, **self._facts, "sources": self.sources,
                "format": SCHEMA_VERSION, "records": len(self),
                "tags": len(tag_counts(self)),
                "links": int(self._value("SELECT count(*) FROM archivist_links")),
                "history": int(self._value("SELECT count(*) FROM archivist_history"))}
