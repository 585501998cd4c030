"""Keeping the index file in step with an open archive.

:mod:`.summaryindex` is the file; this is the bookkeeping of one command: the
index as read (when it matched the archive), the records the command changed, and
what to write once the archive is written.

Measured at 100,000 records (median of 5, each mechanism switched off against on):
saving the index by appending a line of new and replaced rows
(:func:`.summaryindex.save`) instead of rewriting it wins 39% on ``add``, 128% on
``tag`` and 20% on ``link``; answering the few id questions of a command from the
index's text (:class:`IdIndex` probes) instead of building the whole id map wins 30%
on ``link`` (10% at 10,000 records).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from archivist.store.interface import IndexUnusable
from archivist.store.jsonfile import summaryindex


class IndexKeeper:
    """The index of one open archive, and the changes made to its records since.

    :param index: the index as read, when it described the archive file read.
    :param source: the identity of the archive file read.
    :param layout: where its tables start (see :mod:`.reader`).
    """

    def __init__(self, path: Path | None, index: summaryindex.Index | None,
                 source: summaryindex.Identity | None, layout: list[int] | None) -> None:
        self.path = path
        self.index = index
        self.source = source
        self.layout = layout
        #: Document ids of records added, changed or removed since the index was read.
        self.touched: set[str] = set()
        #: Records appended to the records table without parsing it.
        self.appended: list[tuple[str, dict[str, Any]]] = []
        self._checked = False

    def current(self, changed: bool) -> summaryindex.Index | None:
        """The index, unless there is none or a record changed since it was read."""
        if self.index is None or self.touched or changed:
            return None
        return self.index

    def checked(self) -> summaryindex.Index | None:
        """The index, once the columns ``add`` relies on are parsed and sound; a damaged
        index is dropped (the command then parses the records, as without one)."""
        if self.index is not None and not self._checked:
            try:
                # Parsing checks each value's type (see summaryindex.Index.column); the
                # tags are parsed only when the header's spellings cannot serve.
                self.index.tag_spellings()
                sound = self.index.keys_sound()
            except IndexUnusable:
                sound = False
            if not sound:
                self.index = None
                if self.path is not None:
                    summaryindex.discard(self.path)
            self._checked = True
        return self.index

    def changed(self, doc_ids: Iterable[int | str]) -> None:
        """Note records added, changed or removed (their summaries must be made again)."""
        self.touched.update(map(str, doc_ids))

    def append(self, pairs: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Note documents (with their document ids) appended to the unparsed table."""
        self.appended.extend(pairs)
        self.changed(doc_id for doc_id, _ in pairs)

    def appending(self, records: Callable[[], Mapping[str, Mapping[str, Any]]] | None
                  ) -> RowSink:
        """Where a write that appends records as it makes them puts their summaries
        (:func:`summaryindex.summary_row`): after the rows of the index read, or into
        a new index's columns, the ``records()`` already there summarised first
        (``None``: no new index is made)."""
        if self.index is None and records is not None:
            return summaryindex.ColumnsWriter(records())
        return _RowsAfter(self.index)

    def written(self, records: Mapping[str, Mapping[str, Any]] | None,
                layout: list[int],
                replaced: Sequence[tuple[str, dict[str, Any]]] = ()) -> None:
        """After a write: bring the index file up to date with the archive just written.

        :param records: the records table when the command parsed it, else ``None``
            (then only :meth:`append` and ``replaced`` changed it).
        :param replaced: documents changed one by one in the unparsed table.
        """
        index = self.index
        try:
            if records is not None:
                index = (summaryindex.build(records) if index is None
                         else index.updated(records, self.touched))
            elif index is not None:
                index = index.appended(self.appended, replaced)
        except IndexUnusable:  # a damaged index: start again next time
            index = None
        self._save(index, layout)

    def written_with_rows(self, rows: RowSink, layout: list[int]) -> None:
        """After a write that appended records and changed no other: bring the index
        file up to date with the rows :meth:`appending` gave."""
        try:
            index = rows.index()
        except IndexUnusable:  # a damaged index: start again next time
            index = None
        self._save(index, layout)

    def _save(self, index: summaryindex.Index | None, layout: list[int]) -> None:
        assert self.path is not None
        for stray in summaryindex.stray_files(self.path):
            with contextlib.suppress(OSError):
                stray.unlink()
        source = summaryindex.file_identity(self.path)
        if index is None or source is None:
            summaryindex.discard(self.path)
            index = None
        else:
            summaryindex.save(self.path, index, source, layout)
        self.index, self.source, self.layout = index, source, layout
        self.touched.clear()
        self.appended = []

    def read_whole(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """After a command that read every record and changed nothing: write the index
        file if there was none (summarising costs little beside parsing them)."""
        if (self.path is None or self.index is not None or self.source is None
                or not os.access(self.path.parent, os.W_OK)):
            return
        self.index = summaryindex.build(records)
        summaryindex.save(self.path, self.index, self.source, self.layout)


class RowSink(Protocol):
    """Summaries of records appended by a write, made as it writes them."""

    def append(self, row: Sequence[Any]) -> None: ...

    def index(self) -> summaryindex.Index | None:
        """The index with the rows, once they are all given (``None``: none)."""


class _RowsAfter:
    """Rows to add after those of an index (none: nothing to add them to)."""

    def __init__(self, base: summaryindex.Index | None) -> None:
        self._base = base
        self._rows: list[Sequence[Any]] = []

    def append(self, row: Sequence[Any]) -> None:
        self._rows.append(row)

    def index(self) -> summaryindex.Index | None:
        return None if self._base is None else self._base.with_rows(self._rows)


class IdIndex(MutableMapping[str, int]):
    """Lowercased id → document id, for an archive whose ids a command may only ask
    about a few times.

    A few questions (``add`` asks whether an id is taken once or twice, ``tag`` where
    one record is) are answered by ``probe`` and ``locate``
    (:meth:`.summaryindex.Index.has_key`, :meth:`.summaryindex.Index.doc_id_of`)
    and the ids added since; after :data:`PROBES`, or for anything else, the whole map
    is built once.
    """

    #: Questions answered without the whole map.
    PROBES = 8

    def __init__(self, build: Callable[[], dict[str, int]],
                 probe: Callable[[str], bool] | None = None,
                 locate: Callable[[str], int | None] | None = None) -> None:
        self._build = build
        self._probe = probe
        self._locate = locate
        self._full: dict[str, int] | None = None
        self._added: dict[str, int] = {}
        self._probes = 0

    @classmethod
    def of(cls, ids: dict[str, int]) -> IdIndex:
        """The map ``ids``, built already."""
        index = cls(dict)
        index._full = ids
        return index

    def _map(self) -> dict[str, int]:
        if self._full is None:
            self._full = self._build()
            self._full.update(self._added)
            self._added = {}
        return self._full

    def __contains__(self, key: object) -> bool:
        if self._full is None:
            if key in self._added:
                return True
            if self._probe is not None and self._probes < self.PROBES and isinstance(key, str):
                self._probes += 1
                return self._probe(key)
        return key in self._map()

    def __getitem__(self, key: str) -> int:
        if self._full is None:
            if key in self._added:
                return self._added[key]
            if self._locate is not None and self._probes < self.PROBES:
                self._probes += 1
                found = self._locate(key)
                if found is None:
                    raise KeyError(key)
                return found
        return self._map()[key]

    def __setitem__(self, key: str, doc_id: int) -> None:
        if self._full is None:
            self._added[key] = doc_id
        else:
            self._full[key] = doc_id

    def __delitem__(self, key: str) -> None:
        del self._map()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())
