"""The text of an archive's source files: an SQLite FTS5 database beside the archive.

``ARCHIVE.fts`` (beside ``ARCHIVE.index`` and ``ARCHIVE.lock``) is a cache, never the
data: it holds the extracted text of each distinct source file by SHA-256, and is made
again when it is missing, damaged or of another version.  Its tables::

    meta   key → value: the version of the texts (archivist.store.sourcetexts)
    texts  one row per file: its SHA-256, kind and note
    bodies its text and folded text, by the row of texts (both compressed with zlib:
           less than half the size, read back faster than folded), apart so that
           reading the kinds reads no text
    pieces every distinct piece between white space of every folded text
    terms  FTS5 (contentless, detail=none): the distinct pieces of each text, which
           FTS5 splits into words

A search for ``azar`` finds the indexed pieces holding it (``ter-azaryan,``) in
``pieces``, their words holding it (``azaryan``), then the texts holding one of those
in ``terms``: substrings are found as the query language finds them in fields, with
an index of words, not of every three letters (which took five times as long to
build); FTS5 finds the words, in C, of the pieces Python splits at white space.
Reading opens the file read-only; new texts are written only after the command
succeeded (:meth:`TextCache.flush`), into the file
in one transaction, or into a new file renamed over a missing or damaged one, so a
failed command leaves it byte-identical.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import zlib
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from archivist.store.sourcetexts import (
    MAX_WORD_VARIANTS,
    TEXTS_VERSION,
    Parts,
    PendingTexts,
    SourceText,
    TextsDamaged,
    pieces_of,
    words_in,
)

_SUFFIX = ".fts"
_TEMP_SUFFIX = ".fts-tmp"
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE texts (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, "
    "kind TEXT NOT NULL, note TEXT NOT NULL)",
    "CREATE TABLE bodies (id INTEGER PRIMARY KEY, body BLOB NOT NULL, folded BLOB NOT NULL)",
    "CREATE TABLE pieces (piece TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE VIRTUAL TABLE terms USING fts5(pieces, content='', detail=none, "
    "tokenize='unicode61 remove_diacritics 0')",
)


def _packed(text: str | None) -> bytes | None:
    # Level 1: three times as fast as the default, and nearly as small.
    return None if text is None else zlib.compress(text.encode("utf-8"), 1)


def _unpacked(data: bytes | None) -> str | None:
    return None if data is None else zlib.decompress(data).decode("utf-8")


def _remove_leftovers(path: Path) -> None:
    """Remove the temporary files of rebuilds whose process is gone (killed midway)."""
    prefix = f".{path.name}."
    for entry in path.parent.iterdir():
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(_TEMP_SUFFIX)):
            continue
        pid = name[len(prefix):-len(_TEMP_SUFFIX)]
        try:
            alive = pid.isdigit() and (int(pid) == os.getpid() or _running(int(pid)))
        except OverflowError:
            alive = False
        if not alive:
            with contextlib.suppress(OSError):
                entry.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fts_path(archive: Path) -> Path:
    """The text cache of the archive ``archive``: ``ARCHIVE.fts`` beside it."""
    return archive.with_name(archive.name + _SUFFIX)


class TextCache(PendingTexts):
    """The texts of the archive file ``archive`` (``None``: an archive in memory)."""

    def __init__(self, archive: Path | None) -> None:
        super().__init__()
        self.path = None if archive is None else fts_path(archive)
        self._conn: sqlite3.Connection | None = None
        self._opened = False
        #: Whether the file is there but cannot be used (it is made again).
        self.damaged = False

    def _reader(self) -> sqlite3.Connection | None:
        """The file opened read-only, when it is there and sound."""
        if self._opened:
            return self._conn
        self._opened = True
        if self.path is None or not self.path.is_file():
            return None
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            conn.execute("SELECT count(*) FROM terms WHERE terms MATCH 'x'").fetchone()
        except sqlite3.Error:
            self.damaged = True
            return None
        if row is None or row[0] != TEXTS_VERSION:
            conn.close()
            self.damaged = True
            return None
        self._conn = conn
        return conn

    def _damaged(self) -> None:
        """The file failed while being read: nothing more is read from it."""
        if self._conn is not None:
            self._conn.close()
        self._conn, self.damaged = None, True

    def kinds(self) -> dict[str, str]:
        found: dict[str, str] = {}
        conn = self._reader()
        if conn is not None:
            try:
                found.update(conn.execute("SELECT sha256, kind FROM texts"))
            except sqlite3.Error:
                self._damaged()
                found.clear()
        found.update((sha, text.kind) for sha, text in self.pending.items())
        return found

    def candidates(self, sha256s: Collection[str], words: Collection[str],
                   parts: Parts = "both") -> Iterator[SourceText]:
        yield from self.pending_candidates(sha256s, words)
        conn = self._reader()
        if conn is None:
            return
        try:
            found = [SourceText(sha, kind, _unpacked(body), note, _unpacked(folded))
                     for sha, kind, note, body, folded in self._stored(conn, words, parts)
                     if sha in sha256s and sha not in self.pending]
        except (sqlite3.Error, zlib.error, TypeError, UnicodeDecodeError) as err:
            self._damaged()
            raise TextsDamaged(str(err)) from None
        yield from found

    def _stored(self, conn: sqlite3.Connection, words: Collection[str], parts: Parts
                ) -> Iterable[tuple[str, str, str, bytes | None, bytes | None]]:
        # Only what the search reads: unpacking a text costs as much as searching it.
        body = "body" if parts != "folded" else "NULL"
        folded = "folded" if parts != "text" else "NULL"
        columns = (f"SELECT sha256, kind, note, {body}, {folded} FROM texts "
                   "JOIN bodies ON bodies.id = texts.id")
        match = self._match(conn, words)
        if match is None:
            return conn.execute(columns)
        if not match:
            return ()
        try:
            ids = [row[0] for row in conn.execute(
                "SELECT rowid FROM terms WHERE terms MATCH ?", (match,))]
        except sqlite3.OperationalError:  # a word the tokenizer splits: read them all
            return conn.execute(columns)
        return (row for start in range(0, len(ids), 500)
                for row in conn.execute(
                    f"{columns} WHERE texts.id IN "
                    f"({','.join('?' * len(ids[start:start + 500]))})",
                    ids[start:start + 500]))

    @staticmethod
    def _match(conn: sqlite3.Connection, words: Collection[str]) -> str | None:
        """The FTS5 query for texts holding every word inside one of theirs: ``""``
        when some word is in no text, ``None`` when no word sieves anything."""
        clauses: list[str] = []
        for word in words:
            pieces = [row[0] for row in conn.execute(
                "SELECT piece FROM pieces WHERE instr(piece, ?) > 0 LIMIT ?",
                (word, MAX_WORD_VARIANTS + 1))]
            if len(pieces) > MAX_WORD_VARIANTS:
                continue
            found = set().union(*(words_in(piece, word) for piece in pieces))
            if not found:
                return ""
            clauses.append("(" + " OR ".join(f'"{variant}"' for variant in sorted(found))
                           + ")")
        return " AND ".join(clauses) if clauses else None

    # -- writing ------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the texts kept since opening (the command succeeded)."""
        if self.path is None or not self.pending:
            return
        texts = list(self.pending.values())
        if self._reader() is not None:
            assert self._conn is not None
            self._conn.close()
            self._conn, self._opened = None, False
            try:
                with contextlib.closing(sqlite3.connect(self.path)) as conn:
                    self._write(conn, texts)
                self.pending.clear()
                return
            except sqlite3.Error:
                self.damaged = True
        self._make(texts)
        self.pending.clear()

    def _make(self, texts: list[SourceText]) -> None:
        """A new file holding ``texts``, renamed over the missing or damaged one."""
        assert self.path is not None
        # Not ".tmp": that names the archive's own leftovers, which its writers remove.
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}{_TEMP_SUFFIX}")
        _remove_leftovers(self.path)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            with contextlib.closing(sqlite3.connect(tmp)) as conn:
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute("INSERT INTO meta VALUES ('version', ?)", (TEXTS_VERSION,))
                self._write(conn, texts)
            os.replace(tmp, self.path)
        except (OSError, sqlite3.Error):
            # Only a cache: the texts are extracted again at the next search.
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.damaged = False

    @staticmethod
    def _write(conn: sqlite3.Connection, texts: list[SourceText]) -> None:
        with conn:
            known = {row[0] for row in conn.execute("SELECT sha256 FROM texts")}
            vocabulary: set[str] = set()  # every piece, over all the texts
            for text in texts:
                if text.sha256 in known:
                    continue
                known.add(text.sha256)
                folded = text.folded_text()
                cursor = conn.execute("INSERT INTO texts (sha256, kind, note) VALUES (?, ?, ?)",
                                      (text.sha256, text.kind, text.note))
                if text.text is None or folded is None:
                    continue
                conn.execute("INSERT INTO bodies VALUES (?, ?, ?)",
                             (cursor.lastrowid, _packed(text.text), _packed(folded)))
                pieces = pieces_of(folded)
                vocabulary |= pieces
                conn.execute("INSERT INTO terms (rowid, pieces) VALUES (?, ?)",
                             (cursor.lastrowid, " ".join(pieces)))
            conn.executemany("INSERT OR IGNORE INTO pieces VALUES (?)",
                             ((piece,) for piece in vocabulary))
