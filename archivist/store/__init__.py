"""Storage: the one door through which archivist reads and writes an archive.

The rest of the package imports from here only: :class:`Archive` (the protocol every
engine implements, in :mod:`.interface`) and :func:`open_archive`, which picks the
engine for a location: :mod:`.jsonfile`, the archive as one JSON file with an index
beside it, or :mod:`.postgres` for a ``postgresql://`` URL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archivist.store.interface import (
    DEFAULT_LOCK_TIMEOUT,
    Archive,
    IndexUnusable,
    QueryEngine,
    Selection,
    StoredTables,
    Summaries,
)

if TYPE_CHECKING:
    from archivist.store.sourcetexts import SourceTexts

__all__ = ["DEFAULT_LOCK_TIMEOUT", "Archive", "IndexUnusable", "QueryEngine", "Selection",
           "StoredTables", "Summaries", "memory_archive", "open_archive", "query_engine",
           "raw_tables", "source_texts", "sources_folder", "version_of"]

@contextlib.contextmanager
def open_archive(location: Path | str, *, write: bool = False, command: str = "archivist",
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                 on_wait: Callable[[str], None] | None = None, write_index: bool = True
                 ) -> Iterator[Archive]:
    """Open the archive at ``location`` for one command.

    :param write: hold the archive against other writers from before the read, and
        write every change at once on a clean exit (nothing, when the block raises).
    :param on_wait: told once, in words, when another writer makes this one wait.
    :param write_index: whether a reader may leave an index behind (not in dry runs).
    :raises ArchiveCorrupt: when the archive is damaged (it is never rewritten then).
    :raises LockTimeout: when another writer holds the archive too long.
    :raises ArchivistError: for a URL that names no engine, or a database that cannot
        be reached.
    """
    from archivist.store.postgres.connection import check_location, is_postgres

    if is_postgres(location):
        from archivist.store.postgres.opening import open_postgres

        with open_postgres(str(location), write=write, command=command,
                           lock_timeout=lock_timeout, on_wait=on_wait) as found:
            yield found
        return
    check_location(location)
    from archivist.store.jsonfile.archive import JsonArchive

    with JsonArchive.open(Path(location), write=write, command=command,
                          lock_timeout=lock_timeout, on_wait=on_wait,
                          write_index=write_index) as archive:
        yield archive


def memory_archive(data: dict[str, Any] | None = None, *, command: str = "archivist",
                   user: str | None = None) -> Archive:
    """An archive held in memory only (for previews and tests): it never touches a disk.

    :param data: the tables to start from, as :meth:`Archive.snapshot` gives them.
    """
    from archivist.store.jsonfile.archive import JsonArchive

    return JsonArchive(None, data, command=command, user=user)


def version_of(location: Path | str) -> Hashable | None:
    """A token that changes whenever the archive at ``location`` is written (``None``
    when there is none): a command compares it before and after to tell whether it
    wrote, even when it was interrupted."""
    from archivist.store.postgres.connection import is_postgres

    if is_postgres(location):
        from archivist.store.postgres.opening import version_token

        return version_token(str(location))
    from archivist.store.jsonfile.summaryindex import file_identity

    found = file_identity(Path(location))
    return None if found is None else tuple(found)


def raw_tables(location: Path | str) -> StoredTables:
    """The archive's tables as stored, history included, with the problems of the
    storage itself (``archivist check``); nothing is written, not even an index.

    :raises ArchiveCorrupt: when the archive cannot be read as tables at all.
    """
    from archivist.store.postgres.connection import check_location, is_postgres

    if is_postgres(location):
        # A database keeps its rules as constraints: its tables as read are the ones
        # stored, and nothing is left beside them.
        with open_archive(location) as archive:
            return StoredTables(archive.snapshot(), archive.exists, path=archive.path,
                                text_kinds=source_texts(archive).kinds())
    check_location(location)
    from archivist.store.jsonfile.reader import stored_tables
    from archivist.store.jsonfile.textcache import TextCache

    stored = stored_tables(Path(location))
    stored.path = Path(location)
    stored.text_kinds = TextCache(Path(location)).kinds()  # the cache beside, read-only
    return stored


def query_engine(archive: Archive) -> QueryEngine | None:
    """What the engine keeping ``archive`` answers of a query itself, as it is now
    (``None``: nothing; the documents are matched instead).

    An engine that answers queries itself (a database, in SQL) gives its own
    :class:`QueryEngine` from a ``query_engine()`` method of its archive; any other
    is answered from its summaries while they are current
    (:class:`.summaryengine.SummaryEngine`).
    """
    own: Callable[[], QueryEngine | None] | None = getattr(archive, "query_engine", None)
    if own is not None:
        return own()
    summaries = archive.summaries()
    if summaries is None:
        return None
    from archivist.store.summaryengine import SummaryEngine

    return SummaryEngine(summaries, archive.link_documents)


def source_texts(archive: Archive) -> SourceTexts:
    """The text of ``archive``'s source files, as its engine keeps them (a cache by
    SHA-256, see :mod:`.sourcetexts`); opened only when asked for."""
    own: Callable[[], SourceTexts] | None = getattr(archive, "source_texts", None)
    if own is not None:
        return own()
    from archivist.store.sourcetexts import MemoryTexts

    return MemoryTexts()


def sources_folder(archive: Archive) -> Path | None:
    """The folder ``archive``'s relative source paths start from, where its copies go
    (``sources/`` under it): the archive file's folder, or the one an archive in a
    database remembers; ``None`` for an archive in memory."""
    return None if archive.path is None else Path(archive.path).parent
