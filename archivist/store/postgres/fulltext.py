"""The text of an archive's source files in PostgreSQL: ``archivist_texts``.

One row per distinct source file, keyed by SHA-256, holding its kind, note, text and
folded text; a trigram index (``pg_trgm``, when the server has it) on the folded
text lets ``LIKE '%word%'`` find the texts holding a word inside one of theirs, as
the JSON-file engine's FTS5 database does (:mod:`archivist.store.jsonfile.textcache`).
Rows are written in the command's transaction, so a failed command leaves none; a
command that only reads commits them at its clean end (they are a cache).  An
archive whose tables predate the texts (a reader of schema 2) keeps them in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from archivist.store.sourcetexts import Parts, PendingTexts, SourceText

#: The statements that add the texts to the tables (a migration of :mod:`.schema`).
CREATE_TEXTS = (
    """CREATE TABLE archivist_texts (
        sha256 text PRIMARY KEY,
        kind text NOT NULL,
        note text NOT NULL,
        body text,
        folded text)""",
    # The trigram index, where the server has pg_trgm and lets us use it: without it
    # the same LIKE reads every text, and finds the same.
    """DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXECUTE 'CREATE INDEX archivist_texts_folded ON archivist_texts '
                'USING gin (folded gin_trgm_ops)';
    EXCEPTION WHEN OTHERS THEN NULL;
    END $$""",
)


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class PgTexts(PendingTexts):
    """The texts of an archive in PostgreSQL, over the command's cursor."""

    def __init__(self, cursor: Any) -> None:
        super().__init__()
        self._cur = cursor
        cursor.execute("SELECT to_regclass('archivist_texts') IS NOT NULL")
        self.present = bool(cursor.fetchone()[0])

    def kinds(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.present:
            self._cur.execute("SELECT sha256, kind FROM archivist_texts")
            found.update(self._cur.fetchall())
        found.update((sha, text.kind) for sha, text in self.pending.items())
        return found

    def candidates(self, sha256s: Collection[str], words: Collection[str],
                   parts: Parts = "both") -> Iterator[SourceText]:
        yield from self.pending_candidates(sha256s, words)
        if not self.present or not sha256s:
            return
        self._cur.execute(
            "SELECT sha256, kind, note, body, folded FROM archivist_texts "
            "WHERE body IS NOT NULL "
            "AND sha256 = ANY(%s) AND folded LIKE ALL(%s)",
            (list(sha256s), [_like(word) for word in words]))
        for sha, kind, note, body, folded in self._cur.fetchall():
            if sha not in self.pending:
                yield SourceText(sha, kind, body, note, folded)

    def flush(self) -> bool:
        """Insert the texts kept so far into the transaction; whether any were."""
        if not self.present or not self.pending:
            return False
        # ON CONFLICT: a reader of the same archive may have just kept the same file.
        self._cur.executemany(
            "INSERT INTO archivist_texts (sha256, kind, note, body, folded) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
            [(text.sha256, text.kind, text.note, text.text, text.folded_text())
             for text in self.pending.values()])
        self.pending.clear()
        return True
