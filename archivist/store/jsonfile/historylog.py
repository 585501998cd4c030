"""The history of an open archive: the entries stored, and those a command adds.

Every change is logged in the same write as the change itself (see
:meth:`archivist.store.Archive.commit`).  The stored history is the largest part of
an archive file, so it stays text until a command asks for it (``history``, ``undo``,
``check``); new entries are appended to that text without parsing it
(:func:`.writer.append_history`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from archivist import atomic
from archivist.history import aliases, mentions
from archivist.store.jsonfile import reader, writer


class HistoryLog:
    """The history table of one open archive.

    :param name: the archive's name, for messages about a damaged history.
    :param meta: reads the archive's meta document (its entry and change counters).
    :param stamp: the ``time``, ``user`` and ``command`` every new entry carries.
    :param text: the stored history as text, when it was left unparsed…
    :param table: … or parsed.
    :param later: … or where to learn either when first wanted (the tables'
        :meth:`.reader.LazyTables.history_parts`: an archive not read yet is read then).
    """

    def __init__(self, name: str, meta: Callable[[], dict[str, Any]],
                 stamp: dict[str, Any], text: writer.Text | None,
                 table: dict[str, Any] | None,
                 later: Callable[[], tuple[writer.Text | None, dict[str, Any] | None]]
                 | None = None) -> None:
        self._name = name
        self._meta = meta
        self._stamp = stamp
        self._text = text
        self._table = table
        self._later = later
        self._written: list[writer.Text] | None = None
        self._stored_entries: int | None = None
        self._change: int | None = None
        #: Entries logged since the last write, with their numbers.
        self.new: list[tuple[str, dict[str, Any]]] = []
        #: Keys added to every entry, e.g. ``{"reverts": 12}`` while undoing.
        self.extra: dict[str, Any] = {}

    def _load_source(self) -> None:
        """Learn where the stored history is, reading the file if that was put off."""
        if self._later is not None:
            later, self._later = self._later, None
            self._text, self._table = later()

    @property
    def text(self) -> writer.Text | None:
        """The stored history as text (``None`` when it is parsed instead)."""
        self._load_source()
        if self._written is not None:
            # Joined only if another commit or a history query comes: most commands end.
            self._text = atomic.join(self._written)
            self._written = None
        return self._text

    def stored(self) -> dict[str, Any]:
        """The stored history, parsed on first use.

        :raises ArchiveCorrupt: when it is damaged.
        """
        self._load_source()
        if self._table is None:
            self._table = reader.parse_history(self.text or b"{}", self._name)
        return self._table

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The stored entries and the new ones, by number, oldest first, as stored:
        text left unparsed is parsed an entry at a time, and never kept.

        :raises ArchiveCorrupt: when the stored history is damaged.
        """
        self._load_source()
        text = self.text
        if text is None or self._table is not None:
            yield from self.stored().items()
        else:
            yield from reader.history_entries(text, self._name)
        yield from self.new

    def entries_so_far(self) -> int:
        """The number of the last entry, counting those not yet written."""
        if self._stored_entries is None:
            stored = self._meta().get("entries")
            if self.text is None or not isinstance(stored, int):
                stored = max(map(int, self.stored()), default=0)
            self._stored_entries = stored
        return self._stored_entries + len(self.new)

    def last_change(self) -> int:
        """The number of the newest change, counting the one being made."""
        if self._change is not None:
            return self._change
        stored = self._meta().get("change")
        if self.text is None or not isinstance(stored, int):
            stored = max((e.get("change", 0) for e in self.stored().values()), default=0)
        return int(stored)

    def next_change(self) -> int:
        """The number of the change being made."""
        if self._change is None:
            self._change = self.last_change() + 1
        return self._change

    def entry(self, action: str, record_id: str | None, before: Any, after: Any,
              **extra: Any) -> dict[str, Any]:
        """A new entry of the change being made (not logged yet)."""
        stamp = self._stamp
        return {"change": self.next_change(), "time": stamp["time"], "user": stamp["user"],
                "command": stamp["command"], "action": action, "record": record_id,
                "before": before, "after": after, **self.extra, **extra}

    def brief(self, action: str, record_id: str | None, before: Any, after: Any
              ) -> dict[str, Any]:
        """A new entry without the ``user`` and ``command`` of its change: for the
        thousands of alike entries one command may log (a fixity check of each
        record), when another entry of the change carries them (:meth:`history`
        fills them in)."""
        return {"change": self.next_change(), "time": self._stamp["time"], "action": action,
                "record": record_id, "before": before, "after": after, **self.extra}

    def append(self, entries: Iterable[dict[str, Any]]) -> None:
        """Log entries made by :meth:`entry`."""
        for entry in entries:
            self.new.append((str(self.entries_so_far() + 1), entry))

    def log_many(self, entries: Iterable[tuple[str, str | None, Any, Any]], *,
                 brief: bool = False) -> None:
        """Log ``(action, record, before, after)`` entries (:meth:`brief` ones with
        ``brief``)."""
        make = self.brief if brief else self.entry
        self.append(make(*entry) for entry in entries)

    def pieces(self) -> list[writer.Text]:
        """The history table as it will be written, in pieces."""
        text = self.text
        if text is None:
            return writer.history_pieces({**self.stored(), **dict(self.new)})
        return writer.append_history(text, self.new)

    def written(self, pieces: list[writer.Text], entries: int) -> None:
        """After a write of :meth:`pieces`: the new entries are stored now."""
        if self.text is not None and self.new:
            self._written = pieces
        if self._table is not None:
            self._table.update(self.new)
        self._stored_entries = entries
        self._change = None
        self.new = []

    def history(self, record_id: str | None = None) -> list[dict[str, Any]]:
        """Entries, oldest first, each with its number as ``seq`` and with the ``user``
        and ``command`` of its change (a :meth:`brief` entry is stored without them).

        With ``record_id``, only the entries of that record or of its links, under
        every id it had: an id renamed (``rename`` entries) names the same record
        before and after, so both ids give the whole story.

        :raises ArchiveCorrupt: when the stored history is damaged.
        """
        stored = list(self.stored().items())
        entries = [dict(entry, seq=int(n)) for n, entry in stored + self.new]
        _fill_stamps(entries)
        if record_id is not None:
            keys = aliases(entries, record_id)
            entries = [e for e in entries if str(e.get("record") or "").lower() in keys
                       or mentions(e, keys)]
        return entries


def _fill_stamps(entries: list[dict[str, Any]]) -> None:
    """Give each brief entry the ``user`` and ``command`` of its change."""
    stamps: dict[Any, tuple[Any, Any]] = {}
    brief = []
    for entry in entries:
        if "user" in entry:
            stamps.setdefault(entry.get("change"), (entry["user"], entry.get("command")))
        else:
            brief.append(entry)
    for entry in brief:
        stamp = stamps.get(entry.get("change"))
        if stamp is not None:
            entry["user"], entry["command"] = stamp
