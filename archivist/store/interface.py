"""What the rest of archivist asks of an archive, whatever engine keeps it.

:class:`Archive` is the whole of it: records, links and history, read and changed
within one command, and written once when the command ends.  The domain modules
(adding, tagging, linking, undo, import, export) are written against this protocol
only; :func:`archivist.store.open_archive` picks the engine that implements it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archivist.models import Record

if TYPE_CHECKING:
    from archivist.query.match import Node

#: Seconds a writer waits for another writer before giving up (``--lock-timeout``).
DEFAULT_LOCK_TIMEOUT = 30.0


@dataclass
class StoredTables:
    """An archive's tables exactly as stored, for ``check`` to describe damage the
    engine itself assumes away (see :func:`archivist.store.raw_tables`)."""

    #: ``meta``, ``records``, ``links`` and ``history``, each by document id.
    tables: dict[str, Any]
    #: Whether the archive existed (a missing one reads as empty tables).
    exists: bool
    #: Problems of the storage itself, one plain line each (a temporary file left
    #: beside the archive by an interrupted write, say).
    problems: list[str] = field(default_factory=list)
    #: Where relative source paths start (a file's folder, a database's sources
    #: folder), as the archive's ``path``; ``None`` when not known.
    path: Path | None = None
    #: The kind of every source text kept, by SHA-256 (see :mod:`.sourcetexts`).
    text_kinds: dict[str, str] = field(default_factory=dict)


class IndexUnusable(ValueError):
    """The engine's summaries turned out damaged while being read: the caller reads
    the records instead.  Never shown to a user, so not an ``ArchivistError``.  (It is
    a ``ValueError`` only while callers still catch that; catch it by this name.)"""


class Summaries(Protocol):
    """Columns of every record's listing values, kept by the engine beside the records.

    Listing reads them instead of the records when they answer the whole query.  Any
    method may raise :class:`IndexUnusable`.
    """

    #: The record keys whose stored values the summaries hold (as stored: plain values,
    #: never drawn for a terminal).  Besides them, :meth:`column` gives
    #: ``archivist.folding.SEARCH_KEY``: the folded text bare words search.
    keys: tuple[str, ...]

    def __len__(self) -> int:
        """How many records there are."""

    def column(self, name: str) -> list[Any]:
        """One column's values, in record order."""

    def documents(self, keys: Iterable[str]) -> list[dict[str, Any]]:
        """Each record as a document holding ``keys`` and its row number under ``_row``."""


class Selection(Protocol):
    """The records an engine selected for a query, in the order added: their values,
    a column at a time."""

    def __len__(self) -> int: ...

    def column(self, key: str) -> Sequence[Any]:
        """The selected records' stored values of ``key`` (``None`` where absent)."""


class QueryEngine(Protocol):
    """The part of a query an engine answers itself, faster than matching documents.

    Modelled on beets' dbcore, where a query node has a fast ``clause()`` an engine
    may run and ``match()``, the reference: here the engine says which nodes of the
    tree (:mod:`archivist.query.match`) it answers, and answers them (a database in
    SQL, the JSON-file engine from its summaries); :mod:`archivist.query.plan` matches
    the rest with the reference matcher, whose answer every engine must give.
    :func:`archivist.store.query_engine` gives an archive's.
    """

    #: The record keys whose stored values :meth:`select` can give.
    keys: frozenset[str]

    def answers(self, node: Node) -> bool:
        """Whether the engine answers ``node``, with every node under it, itself."""

    def select(self, node: Node | None, keys: Collection[str]) -> Selection:
        """The records ``node`` (which :meth:`answers` accepted) matches, or every
        record for ``None``, with their values of ``keys`` (each in :attr:`keys`).

        :raises IndexUnusable: when what the engine answers from turns out damaged.
        """


class Archive(Protocol):
    """An open archive, for one command: read once, written at most once.

    A writable archive commits on a clean exit from :func:`archivist.store.open_archive`
    and discards every change when the block raises, so a failed command changes
    nothing.
    """

    #: Where the archive is (``None`` for an archive in memory); for an archive in a
    #: database, a name under the sources folder it remembers, so that its ``parent``
    #: is that folder (:func:`archivist.store.sources_folder`).
    path: Path | None
    #: Whether the archive existed before this command.
    exists: bool
    #: The command line, recorded in history and provenance.
    command: str
    #: Who runs the command.
    user: str

    @property
    def archive_id(self) -> str | None:
        """The archive's own id (a UUID), made at its first write and never changed;
        ``None`` until an archive made before ids were kept is written again."""

    @property
    def log_extra(self) -> dict[str, Any]:
        """Keys added to every history entry, e.g. ``{"reverts": 12}`` while undoing."""

    @log_extra.setter
    def log_extra(self, extra: dict[str, Any]) -> None: ...

    @property
    def dirty(self) -> bool:
        """Whether anything changed since the archive was read."""

    def commit(self) -> None:
        """Write every change at once (nothing happens when nothing changed)."""

    def snapshot(self) -> dict[str, Any]:
        """Every table as stored once committed: ``meta``, ``records``, ``links``, ``history``."""

    def fill(self, tables: dict[str, Any]) -> None:
        """Fill this empty archive with another's :meth:`snapshot`, exactly (``copy``)."""

    def summaries(self) -> Summaries | None:
        """The summaries of the records, when they are current (``None`` otherwise)."""

    # -- records ------------------------------------------------------------------

    def __len__(self) -> int: ...

    def __contains__(self, record_id: object) -> bool: ...

    def documents(self) -> Iterable[dict[str, Any]]:
        """Every stored record document, in the order added (do not mutate them)."""

    def records(self) -> Iterator[Record]:
        """Every record, in the order added."""

    def ids(self) -> list[str]:
        """Every record id, in the order added."""

    def canonical_id(self, record_id: str) -> str:
        """The id as stored, for an id given in any case."""

    def document(self, record_id: str) -> dict[str, Any]:
        """The stored document of a record (do not mutate it)."""

    def titles(self, record_ids: Iterable[str]) -> dict[str, Any]:
        """The title of each record, by lower id (``None`` for a record without one)."""

    def get(self, record_id: str) -> Record:
        """The record with ``record_id``, matched case-insensitively."""

    def new_id(self, title: str, creators: tuple[str, ...] = (), date: str | None = None
               ) -> str:
        """A fresh id for a record with these values."""

    def canonical_tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        """Each tag spelled as the archive first spelled it."""

    def tag_spellings(self) -> dict[str, str]:
        """Each tag's case-folded key mapped to the spelling first given."""

    def add(self, record: Record, how: Any = None, *, log: bool = True) -> Record:
        """Add a new record, stamping when, how and by whom it entered the archive."""

    def add_many(self, records: Iterable[tuple[Record, Any]]) -> list[Record]:
        """Add many records in one pass (imports)."""

    def add_and_write(self, records: Callable[[], Iterable[tuple[Record, Any]]], count: int,
                      links: Sequence[tuple[str, str, str]]) -> None:
        """Add ``count`` checked records and ``links``, and write them at once."""

    def update(self, record: Record, *, action: str = "set", respell: bool = True
               ) -> Record:
        """Replace a record's values (same id), logging the fields that changed."""

    def update_many(self, records: Iterable[Record], *, action: str = "set",
                    respell: bool = True) -> list[Record]:
        """:meth:`update` for many records."""

    def set_archive_info(self, record_id: str, **values: Any) -> None:
        """Update the maintained ``archive`` section (e.g. the last fixity check)."""

    def set_archive_infos(self, values: dict[str, dict[str, Any]]) -> None:
        """:meth:`set_archive_info` for many records (id → values)."""

    def drop_archive_info(self, record_id: str, *keys: str) -> None:
        """Remove keys from the maintained ``archive`` section."""

    def restore(self, doc: dict[str, Any], position: int | None = None) -> None:
        """Re-insert a removed record exactly as it was."""

    def restore_many(self, items: Sequence[tuple[dict[str, Any], int | None]]) -> None:
        """Re-insert removed records, each at its logged place."""

    def change_id(self, record_id: str, new_id: str) -> int:
        """Rename a record and its links, unlogged; returns how many links moved."""

    def replace_document(self, doc: dict[str, Any], *, action: str) -> None:
        """Replace a record's values with ``doc`` as given, logging what changed."""

    def remove(self, record_ids: Iterable[str], *, force: bool = False) -> list[str]:
        """Remove records; with ``force``, their links go too."""

    # -- links --------------------------------------------------------------------

    def link_documents(self) -> Iterable[dict[str, Any]]:
        """Every stored link as ``{"src", "rel", "dst"}``."""

    def store_link(self, src: str, rel: str, dst: str) -> None:
        """Store a link as given (callers check the rules first) and log it."""

    def store_links(self, links: Iterable[Mapping[str, str]]) -> None:
        """Store many links in one pass, logging each."""

    def delete_links(self, links: Iterable[dict[str, str]]) -> int:
        """Delete stored links, logging each; returns how many were found."""

    def delete_link(self, src: str, rel: str, dst: str) -> bool:
        """Delete a stored link; ``False`` when there was none."""

    # -- history ------------------------------------------------------------------

    def log(self, action: str, record_id: str | None, before: Any, after: Any,
            **extra: Any) -> None:
        """Append one entry to the history (written with the change it describes)."""

    def log_many(self, entries: Iterable[tuple[str, str | None, Any, Any]], *,
                 brief: bool = False) -> None:
        """Append many history entries in one pass."""

    def history(self, record_id: str | None = None) -> list[dict[str, Any]]:
        """History entries, oldest first; only those of ``record_id`` when given."""

    def history_items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every entry by its number, oldest first, as stored (a brief entry without
        its change's user and command), one at a time: memory does not grow with the
        history (an export reads it this way)."""

    def info(self) -> dict[str, Any]:
        """Counts and format version, for ``archivist info``."""
