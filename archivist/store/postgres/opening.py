"""Opening an archive in PostgreSQL for one command: connect, begin, lock, read.

A writer begins a READ COMMITTED transaction and takes the archive's advisory lock
(:data:`LOCK_KEY`) before it reads anything: writers of one database follow each other,
each reading what the one before committed, so none loses another's update.  The first
write makes the tables (:mod:`.schema`).  A reader's transaction is REPEATABLE READ: it
sees one state throughout, whatever is committed meanwhile, and takes no lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from archivist.errors import ArchivistError, InvalidLink, LockTimeout
from archivist.store.postgres import schema
from archivist.store.postgres.archive import PgArchive
from archivist.store.postgres.connection import ArchiveUnavailable, connect, one_line, redacted

#: The advisory lock writers of an archive hold ("arch" in ASCII).
LOCK_KEY = 0x61726368


@contextlib.contextmanager
def open_postgres(url: str, *, write: bool = False, command: str = "archivist",
                  lock_timeout: float = 30.0,
                  on_wait: Callable[[str], None] | None = None) -> Iterator[PgArchive]:
    """The archive in the database ``url`` names, for one command (one transaction).

    :param write: take the writers' lock first, make the tables when missing, and
        commit on a clean exit (roll back when the block raises).
    :raises ArchiveUnavailable: when the server cannot be reached or refuses us.
    :raises LockTimeout: when another writer holds the archive too long.
    """
    import psycopg

    conn = connect(url)
    name = redacted(url)
    try:
        conn.isolation_level = (psycopg.IsolationLevel.READ_COMMITTED if write
                                else psycopg.IsolationLevel.REPEATABLE_READ)
        cursor = conn.cursor()
        if write:
            _lock(cursor, name, lock_timeout, on_wait)
        archive = _archive(cursor, url, write=write, command=command)
        yield archive
        if write:
            archive.save_texts()
            archive.commit()
        elif archive.save_texts():  # a reader keeps the texts it extracted
            conn.commit()
    except psycopg.errors.IntegrityError as err:
        raise InvalidLink(f"the archive refused the change: {one_line(err, url)}; "
                          "nothing was changed") from None
    except psycopg.errors.LockNotAvailable:
        raise LockTimeout(f"gave up after {lock_timeout:g} s waiting for another archivist "
                          f"process to release {name}") from None
    except psycopg.OperationalError as err:
        raise ArchiveUnavailable(f"lost the archive {name}: {one_line(err, url)}; "
                                 "nothing was changed") from None
    except psycopg.Error as err:
        raise ArchivistError(f"the archive {name} failed: {one_line(err, url)}; "
                             "nothing was changed") from None
    finally:
        conn.close()


def _lock(cursor: Any, name: str, timeout: float,
          on_wait: Callable[[str], None] | None) -> None:
    """Take the writers' lock, telling ``on_wait`` once when another writer holds it."""
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", (LOCK_KEY,))
    if cursor.fetchone()[0]:
        return
    if on_wait is not None:
        on_wait(f"waiting for another archivist process to release {name}…")
    cursor.execute(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}")
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    cursor.execute("SET LOCAL lock_timeout = 0")


def _archive(cursor: Any, url: str, *, write: bool, command: str) -> PgArchive:
    """The archive over ``cursor``'s transaction; tables made (writer) or stood in for
    by empty temporary ones (reader), when the database has none yet."""
    name = redacted(url)
    version, sources, server, database = schema.stored_facts(cursor)
    schema.refuse_newer(version, name)
    if write:
        schema.ensure(cursor, name, os.getcwd(), version)
        if version is None:  # remembered by ensure(), as it made the tables
            sources = os.getcwd()
    elif version is None:
        # Empty stand-ins, dropped with the transaction: a reader of a database without
        # an archive reads an empty one, as a reader of a missing file does.
        for statement in schema.CREATE_V1:
            cursor.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE")
                           .replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
    facts = {"archive": name, "engine": "PostgreSQL", "server": server, "database": database}
    return PgArchive(cursor, exists=version is not None, command=command,
                     sources=sources if isinstance(sources, str) else os.getcwd(),
                     facts=facts, version=schema.SCHEMA_VERSION if write else version)


def version_token(url: str) -> tuple[Any, ...] | None:
    """What changes whenever the archive is written: its change counter and number of
    history entries (``None`` when the database holds no archive)."""
    conn = connect(url)
    try:
        cursor = conn.cursor()
        if schema.stored_version(cursor) is None:
            return None
        cursor.execute("SELECT (SELECT value::text FROM archivist_meta WHERE key = 'change'),"
                       " (SELECT max(seq) FROM archivist_history)")
        row = cursor.fetchone()
        return None if row is None else tuple(row)
    finally:
        conn.close()
