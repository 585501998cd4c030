"""The tables of an archive in PostgreSQL, their version, and migrations forward.

Every table is named ``archivist_…`` so that an archive can share a database (and a
schema, chosen with ``?options=-csearch_path%3D…``) with other things::

    archivist_meta     key → value: the schema version, the sources folder, counters
    archivist_records  one row per record: its lowercased id (unique, the key), its
                       place in the order added, its document id, the document, and
                       (from version 2) the query columns archivist computes from it
                       (:mod:`.queries`)
    archivist_links    one row per link, both ends naming records that exist
    archivist_history  the append-only log, one entry per row, by number
    archivist_texts    the text of each distinct source file, by SHA-256 (a cache;
                       :mod:`.fulltext`, schema 3)

Documents are stored as ``json`` (not ``jsonb``): the text is kept exactly, keys in
the order written, so a copy into a file gives back what was copied in.  A record's
lowercased id is computed by archivist, as the file engine does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archivist.errors import ArchiveCorrupt
from archivist.store.postgres.fulltext import CREATE_TEXTS
from archivist.store.postgres.queries import fill_query_columns

#: The version of the tables; an archive made by a newer archivist is refused.
SCHEMA_VERSION = 3

#: Every table of an archive, in the order they are made (and the reverse dropped).
TABLES = ("archivist_meta", "archivist_records", "archivist_links", "archivist_history",
          "archivist_texts")

#: The statements that make version 1 of the tables.
CREATE_V1 = (
    """CREATE TABLE archivist_meta (
        key text PRIMARY KEY,
        value json NOT NULL)""",
    """CREATE TABLE archivist_records (
        key text PRIMARY KEY,
        pos bigint NOT NULL,
        doc_id bigint NOT NULL UNIQUE,
        doc json NOT NULL)""",
    "CREATE INDEX archivist_records_pos ON archivist_records (pos)",
    """CREATE TABLE archivist_links (
        n bigint PRIMARY KEY,
        src text NOT NULL,
        rel text NOT NULL,
        dst text NOT NULL,
        src_key text NOT NULL REFERENCES archivist_records (key)
            DEFERRABLE INITIALLY DEFERRED,
        dst_key text NOT NULL REFERENCES archivist_records (key)
            DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT archivist_links_unique UNIQUE (src_key, rel, dst_key),
        CONSTRAINT archivist_links_no_self_link CHECK (src_key <> dst_key))""",
    "CREATE INDEX archivist_links_dst ON archivist_links (dst_key)",
    """CREATE TABLE archivist_history (
        seq bigint PRIMARY KEY,
        entry json NOT NULL)""",
)

#: The statements of version 2: the query columns of :mod:`.queries`, which the
#: engine answers queries from in SQL, filled for the records already there.
QUERY_COLUMNS_V2: tuple[str | Callable[[Any], None], ...] = (
    """ALTER TABLE archivist_records
        ADD COLUMN search text NOT NULL DEFAULT '',
        ADD COLUMN exact jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN folded jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN present jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN earliest text COLLATE "C",
        ADD COLUMN latest text COLLATE "C",
        ADD COLUMN added text COLLATE "C",
        ADD COLUMN changed text COLLATE "C",
        ADD COLUMN brief json NOT NULL DEFAULT '{}'""",
    fill_query_columns,
    "CREATE INDEX archivist_records_exact ON archivist_records USING gin (exact jsonb_path_ops)",
    # Both orders of ``--sort date`` (missing dates last, ties in the order added),
    # so that ``--limit`` reads only the first rows.
    """CREATE INDEX archivist_records_date ON archivist_records
        ((earliest IS NULL), earliest, latest, pos)""",
    """CREATE INDEX archivist_records_date_desc ON archivist_records
        ((earliest IS NULL), earliest DESC, latest DESC, pos)""",
)

#: What takes version N-1 to N, by N: statements, or functions given the cursor (for
#: what only archivist can compute).
MIGRATIONS: dict[int, tuple[str | Callable[[Any], None], ...]] = {2: QUERY_COLUMNS_V2}

# The text of the source files (archivist.store.postgres.fulltext).
MIGRATIONS[3] = CREATE_TEXTS


def stored_version(cursor: Any) -> int | None:
    """The schema version in the database (``None`` when it holds no archive)."""
    return stored_facts(cursor)[0]


def stored_facts(cursor: Any) -> tuple[int | None, Any, str, str]:
    """The schema version (``None`` when the database holds no archive), the stored
    sources folder (``None`` when there is none), the server's version and the
    database's name, in two round trips (every command pays for them)."""
    cursor.execute("SELECT to_regclass('archivist_meta') IS NOT NULL, "
                   "current_setting('server_version'), current_database()")
    present, server, database = cursor.fetchone()
    if not present:
        return None, None, server, database
    cursor.execute("SELECT (SELECT value FROM archivist_meta WHERE key = 'schema'), "
                   "(SELECT value FROM archivist_meta WHERE key = 'sources')")
    version, sources = cursor.fetchone()
    if not isinstance(version, int):
        raise ArchiveCorrupt("the database holds archivist tables without a schema version")
    return version, sources, server, database


def refuse_newer(version: int | None, name: str) -> None:
    """Refuse tables made by a newer archivist (they are left untouched).

    :raises ArchiveCorrupt: when ``version`` is newer than :data:`SCHEMA_VERSION`.
    """
    if version is not None and version > SCHEMA_VERSION:
        raise ArchiveCorrupt(f"{name} was written by a newer archivist (schema {version}); "
                             f"this one reads schema {SCHEMA_VERSION} and left it untouched")


def ensure(cursor: Any, name: str, sources: str, version: int | None) -> None:
    """Make the tables, or bring older ones up to :data:`SCHEMA_VERSION` (a writer
    calls this holding the archive's lock, inside its transaction).

    :param sources: the folder relative source paths start from, remembered when the
        tables are made.
    :param version: the stored version, as :func:`stored_facts` read it in this
        transaction.
    """
    refuse_newer(version, name)
    if version is None:
        for statement in CREATE_V1:
            cursor.execute(statement)
        cursor.execute("INSERT INTO archivist_meta (key, value) VALUES "
                       "('schema', %s::json), ('sources', %s::json)",
                       (str(1), _json(sources)))
        version = 1
    migrate(cursor, version)
    if version != SCHEMA_VERSION:
        cursor.execute("UPDATE archivist_meta SET value = %s::json WHERE key = 'schema'",
                       (str(SCHEMA_VERSION),))
    _give_id(cursor)


def migrate(cursor: Any, version: int, until: int = SCHEMA_VERSION) -> None:
    """Take tables of ``version`` forward to ``until``, a step at a time."""
    for step in range(version + 1, until + 1):
        for statement in MIGRATIONS[step]:
            if isinstance(statement, str):
                cursor.execute(statement)
            else:
                statement(cursor)


def _give_id(cursor: Any) -> None:
    """Give the archive its own id at its first write (a random UUID, never changed)."""
    import uuid

    cursor.execute("INSERT INTO archivist_meta (key, value) VALUES ('id', %s::json) "
                   "ON CONFLICT (key) DO NOTHING", (_json(str(uuid.uuid4())),))


def _json(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()
