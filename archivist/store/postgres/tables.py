"""The transaction, links and history of an archive in PostgreSQL, and its tables whole.

:class:`PgTables` is the part of :class:`.archive.PgArchive` that is not about
records: numbering, the links table, the history log, and the snapshot and fill that
``archivist copy`` moves an archive with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from archivist.history import aliases, current_user, mentions, utc_now
from archivist.store.postgres.queries import QUERY_COLUMNS, query_row
from archivist.store.postgres.schema import SCHEMA_VERSION

#: The name under the sources folder that stands for the archive as its ``path``: the
#: provenance of a record stores and resolves source paths against ``path.parent``.
ARCHIVE_NAME = "postgresql-archive"

RECORD_COLUMNS = (f"COPY archivist_records (key, pos, doc_id, doc, {', '.join(QUERY_COLUMNS)}) "
                  "FROM STDIN")
_LINK_COLUMNS = "COPY archivist_links (n, src, rel, dst, src_key, dst_key) FROM STDIN"
_HISTORY_COLUMNS = "COPY archivist_history (seq, entry) FROM STDIN"
#: History entries :meth:`PgTables.history_items` fetches at a time.
HISTORY_BATCH = 5000


def as_json(value: Any) -> str:
    """``value`` as JSON text, as the tables store it."""
    return orjson.dumps(value).decode()


def record_row(pos: int, doc_id: int, doc: dict[str, Any]) -> tuple[Any, ...]:
    """A record's row as :data:`RECORD_COLUMNS` writes it: the document and the
    query columns computed from it."""
    return (doc["id"].lower(), pos, doc_id, as_json(doc), *query_row(doc))


class PgTables:
    """The transaction, links and history of an open archive in PostgreSQL.

    :param cursor: a cursor of the command's connection, its transaction begun (and the
        lock taken, for a writer).
    :param exists: whether the tables existed before this command.
    :param sources: the folder relative source paths start from.
    :param facts: what ``info`` reports of the server (engine, version, database).
    :param version: the schema version of the tables (a reader may find an old one).
    """

    def __init__(self, cursor: Any, *, exists: bool, command: str, sources: str,
                 user: str | None = None, facts: dict[str, Any] | None = None,
                 version: int | None = SCHEMA_VERSION) -> None:
        self.version = version
        self.path: Path | None = Path(sources) / ARCHIVE_NAME
        self.exists = exists
        self.command = command
        self.user = user or current_user()
        self.sources = sources
        self._cur = cursor
        self._facts = facts or {}
        self._now = utc_now()
        self._extra: dict[str, Any] = {}
        self._docs: dict[str, dict[str, Any]] = {}
        self._spellings: dict[str, str] | None = None
        self._counters: dict[str, int] = {}
        self._change: int | None = None
        self._changed = False

    # -- the transaction ----------------------------------------------------------

    @property
    def log_extra(self) -> dict[str, Any]:
        """Keys added to every history entry, e.g. ``{"reverts": 12}`` while undoing."""
        return self._extra

    @log_extra.setter
    def log_extra(self, extra: dict[str, Any]) -> None:
        self._extra = extra

    @property
    def dirty(self) -> bool:
        """Whether anything changed since the transaction began."""
        return self._changed

    def commit(self) -> None:
        """Commit the command's transaction (nothing happens when nothing changed)."""
        if not self._changed:
            return
        if self._change is not None:
            self._cur.execute(
                "INSERT INTO archivist_meta (key, value) VALUES ('change', %s::json) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(self._change),))
        self._cur.connection.commit()
        self._changed = False
        self._change = None
        self.exists = True

    @property
    def archive_id(self) -> str | None:
        """The archive's own id, made with its tables (``None`` before its first write)."""
        stored = self._value("SELECT value FROM archivist_meta WHERE key = 'id'")
        return stored if isinstance(stored, str) and stored else None

    def summaries(self) -> None:
        """No summaries are kept beside the records: listing reads the documents."""
        return None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        self._cur.execute(sql, params)
        return list(self._cur.fetchall())

    def _value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self._cur.execute(sql, params)
        row = self._cur.fetchone()
        return None if row is None else row[0]

    def _next(self, counter: str, sql: str, count: int = 1) -> int:
        """The first of ``count`` new numbers of a table (positions, document ids…)."""
        if counter not in self._counters:
            self._counters[counter] = int(self._value(sql) or 0) + 1
        first = self._counters[counter]
        self._counters[counter] = first + count
        return first

    def _copy(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        self._changed = True

    # -- links (raw storage; the rules live in archivist.links) -------------------

    def link_documents(self) -> list[dict[str, str]]:
        """Every stored link as ``{"src", "rel", "dst"}``, in the order stored."""
        return [{"src": s, "rel": r, "dst": d} for s, r, d in
                self._rows("SELECT src, rel, dst FROM archivist_links ORDER BY n")]

    def links_touching(self, keys: Iterable[str]) -> list[dict[str, str]]:
        """The stored links with an end among ``keys`` (lowercased ids), in the order
        stored: what ``show`` reads, instead of every link."""
        return [{"src": s, "rel": r, "dst": d} for s, r, d in self._rows(
            "SELECT src, rel, dst FROM archivist_links WHERE src_key = ANY(%(k)s) "
            "OR dst_key = ANY(%(k)s) ORDER BY n", {"k": sorted(keys)})]  # type: ignore[arg-type]

    def store_link(self, src: str, rel: str, dst: str) -> None:
        """Store a link as given (callers check the rules first) and log it."""
        self.store_links([{"src": src, "rel": rel, "dst": dst}])

    def store_links(self, links: Iterable[Mapping[str, str]]) -> None:
        """Store many links in one pass, logging each."""
        stored = [{"src": link["src"], "rel": link["rel"], "dst": link["dst"]}
                  for link in links]
        if not stored:
            return
        first = self._next("link", "SELECT max(n) FROM archivist_links", len(stored))
        self._copy(_LINK_COLUMNS, ((first + i, k["src"], k["rel"], k["dst"],
                                    k["src"].lower(), k["dst"].lower())
                                   for i, k in enumerate(stored)))
        self.log_many(("link", link["src"], None, link) for link in stored)

    def delete_links(self, links: Iterable[Mapping[str, str]]) -> int:
        """Delete stored links (ends compared case-insensitively), logging each;
        returns how many were found."""
        found: list[tuple[int, dict[str, str]]] = []
        for link in links:
            for n, src, rel, dst in self._rows(
                    "DELETE FROM archivist_links WHERE src_key = %s AND rel = %s "
                    "AND dst_key = %s RETURNING n, src, rel, dst",
                    (link["src"].lower(), link["rel"], link["dst"].lower())):
                found.append((n, {"src": src, "rel": rel, "dst": dst}))
        found.sort(key=lambda pair: pair[0])
        self.log_many(("unlink", link["src"], link, None) for _, link in found)
        return len(found)

    def delete_link(self, src: str, rel: str, dst: str) -> bool:
        """Delete a stored link; ``False`` when there was none."""
        return bool(self.delete_links([{"src": src, "rel": rel, "dst": dst}]))

    # -- history ------------------------------------------------------------------

    def _next_change(self) -> int:
        """The number of the change being made (one per command)."""
        if self._change is None:
            self._change = self._last_change() + 1
        return self._change

    def _last_change(self) -> int:
        if self._change is not None:
            return self._change
        stored = self._value("SELECT value FROM archivist_meta WHERE key = 'change'")
        if not isinstance(stored, int):
            stored = self._value("SELECT max((entry->>'change')::bigint) "
                                 "FROM archivist_history") or 0
        return int(stored)

    def _entry(self, action: str, record_id: str | None, before: Any, after: Any,
               **extra: Any) -> dict[str, Any]:
        return {"change": self._next_change(), "time": self._now, "user": self.user,
                "command": self.command, "action": action, "record": record_id,
                "before": before, "after": after, **self._extra, **extra}

    def _brief(self, action: str, record_id: str | None, before: Any, after: Any
               ) -> dict[str, Any]:
        """An entry without the ``user`` and ``command`` of its change (another entry
        of the change carries them; :meth:`history` fills them in)."""
        return {"change": self._next_change(), "time": self._now, "action": action,
                "record": record_id, "before": before, "after": after, **self._extra}

    def _append(self, entries: Iterable[dict[str, Any]]) -> None:
        made = list(entries)
        if not made:
            return
        first = self._next("seq", "SELECT max(seq) FROM archivist_history", len(made))
        self._copy(_HISTORY_COLUMNS, ((first + n, as_json(e)) for n, e in enumerate(made)))

    def log(self, action: str, record_id: str | None, before: Any, after: Any,
            **extra: Any) -> None:
        """Append one entry to the history (committed with the change it describes)."""
        self._append([self._entry(action, record_id, before, after, **extra)])

    def log_many(self, entries: Iterable[tuple[str, str | None, Any, Any]], *,
                 brief: bool = False) -> None:
        """Append many history entries in one pass (``brief``: without user and command)."""
        make = self._brief if brief else self._entry
        self._append(make(*entry) for entry in entries)

    def history(self, record_id: str | None = None) -> list[dict[str, Any]]:
        """History entries, oldest first, each with its number as ``seq``; only those of
        ``record_id`` (under every id it had) and its links when given."""
        entries = [dict(entry, seq=int(seq)) for seq, entry in
                   self._rows("SELECT seq, entry FROM archivist_history ORDER BY seq")]
        stamps: dict[Any, tuple[Any, Any]] = {}
        for entry in entries:
            if "user" in entry:
                stamps.setdefault(entry.get("change"), (entry["user"], entry.get("command")))
        for entry in entries:
            if "user" not in entry and entry.get("change") in stamps:
                entry["user"], entry["command"] = stamps[entry.get("change")]
        if record_id is not None:
            keys = aliases(entries, record_id)
            entries = [e for e in entries if str(e.get("record") or "").lower() in keys
                       or mentions(e, keys)]
        return entries

    def history_items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every entry by number, oldest first, as stored, fetched a batch at a time."""
        last = 0
        while True:
            rows = self._rows("SELECT seq, entry FROM archivist_history WHERE seq > %s "
                              "ORDER BY seq LIMIT %s", (last, HISTORY_BATCH))
            for seq, entry in rows:
                yield str(seq), entry
            if len(rows) < HISTORY_BATCH:
                return
            last = rows[-1][0]

    # -- the tables whole (copy) ---------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Every table as stored once committed: ``meta``, ``records`` (by document
        id, in the order added), ``links`` and ``history`` (by number)."""
        records = {str(n): doc for n, doc in self._rows(
            "SELECT doc_id, doc FROM archivist_records ORDER BY pos")}
        links = {str(n): {"src": s, "rel": r, "dst": d} for n, s, r, d in self._rows(
            "SELECT n, src, rel, dst FROM archivist_links ORDER BY n")}
        history = {str(n): entry for n, entry in self._rows(
            "SELECT seq, entry FROM archivist_history ORDER BY seq")}
        meta: dict[str, Any] = {"format": 1, "entries": max(map(int, history), default=0),
                                "change": self._last_change()}
        if self.archive_id is not None:
            meta["id"] = self.archive_id
        return {"meta": {"1": meta}, "records": records, "links": links, "history": history}

    def fill(self, tables: dict[str, Any]) -> None:
        """Fill this empty archive with ``tables`` as :meth:`snapshot` gives them,
        exactly: document ids, order, link and entry numbers, change counter."""
        records = tables.get("records", {})
        self._copy(RECORD_COLUMNS, (record_row(pos, int(doc_id), doc)
                                    for pos, (doc_id, doc) in enumerate(records.items(), 1)))
        self._copy(_LINK_COLUMNS, ((int(n), k["src"], k["rel"], k["dst"], k["src"].lower(),
                                    k["dst"].lower())
                                   for n, k in tables.get("links", {}).items()))
        self._copy(_HISTORY_COLUMNS, ((int(n), as_json(entry)) for n, entry
                                      in tables.get("history", {}).items()))
        meta = tables.get("meta", {}).get("1", {})
        if isinstance(meta.get("change"), int):
            self._change = meta["change"]
        if isinstance(meta.get("id"), str) and meta["id"]:
            # A copy is the same archive kept elsewhere: it keeps the archive's id.
            self._cur.execute("UPDATE archivist_meta SET value = %s::json WHERE key = 'id'",
                              (orjson.dumps(meta["id"]).decode(),))
        self._counters.clear()
        self._docs.clear()
        self._spellings = None
