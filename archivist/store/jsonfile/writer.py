"""Writing the archive file: its tables one document per line, in pieces.

:mod:`.reader` reads the file and keeps tables as text until they are
wanted; this module makes the text a write puts back: a table's lines
(:func:`lines`), a table with lines appended (:func:`appended`), the whole file from its
tables (:func:`encode`), or the whole file with lines made only as they are written
(:func:`encode_appending`, for imports).  Pieces, never one bytes object: a table of
100,000 records is never joined in memory, and a table left unread in the file is
copied by the kernel (:class:`archivist.atomic.Region`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import orjson

from archivist import atomic

#: Bytes, a view into the file as read, or a region of it not read (slicing either
#: copies nothing).
Text = atomic.Piece

#: What comes before each table, and ends the file: a table starts after its mark.
RECORDS_MARK = b'\n"records": '
LINKS_MARK = b',\n"links": '
HISTORY_MARK = b',\n"history": '
FILE_END = b"\n}\n"


@runtime_checkable
class TextTables(Protocol):
    """Tables some of which are still the text read (a table parsed is a key)."""

    def __contains__(self, name: object) -> bool: ...

    def pieces(self, name: str) -> list[Text]:
        """The text of a table never parsed, with its changes."""


#: Documents encoded and joined into one piece at a time (see :func:`lines`).
LINES_PER_PIECE = 1000


def lines(items: Iterable[tuple[str, Any]]) -> list[bytes]:
    """``"id": {…}`` lines, comma-separated, in pieces of :data:`LINES_PER_PIECE`.

    Pieces, not one bytes object: joining 100,000 encoded lines at once holds them
    and their join together, and a table in one piece is copied again to be framed.
    """
    return list(chunks(line(key, doc) for key, doc in items)) or [b""]


def line(key: str, doc: Any) -> bytes:
    """One line of a table: ``"key": {…}``.

    :raises ArchivistError: when ``doc`` cannot be written as JSON.
    """
    return _json(key) + b": " + _json(doc)


def _json(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError as err:
        from archivist.errors import ArchivistError

        raise ArchivistError(f"cannot write this as JSON ({err}); nothing was changed"
                             ) from None


def chunks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Lines joined by commas in pieces of :data:`LINES_PER_PIECE`, each made when it
    is wanted (nothing for no lines)."""
    chunk: list[bytes] = []
    first = True
    for encoded in lines:
        chunk.append(encoded)
        if len(chunk) == LINES_PER_PIECE:
            yield (b"" if first else b",\n") + b",\n".join(chunk)
            chunk, first = [], False
    if chunk:
        yield (b"" if first else b",\n") + b",\n".join(chunk)


def table(table: dict[str, Any]) -> list[bytes]:
    return [b"{\n", *lines(table.items()), b"\n}"] if table else [b"{\n}"]


def append_history(history_text: Text, new_history: list[tuple[str, dict[str, Any]]]
                   ) -> list[Text]:
    """History text with ``new_history`` entries appended, as pieces to write in order.

    The history is not parsed, and not copied either: the pieces refer to it.
    """
    return appended([history_text], new_history)


def appended(body: list[Text], docs: Sequence[tuple[str, Any]]) -> list[Text]:
    """A table's text, in pieces, with ``docs`` appended as its last lines."""
    if not docs:
        return body
    return [*_opened(body), *lines(docs), b"\n}"]


def _opened(body: list[Text]) -> list[Text]:
    """A table's text without its closing brace, ready for more lines."""
    if sum(map(len, body)) == len(b"{\n}"):  # the empty table
        return [b"{\n"]
    return [*body[:-1], body[-1][:-2], b",\n"]


def history_pieces(history: dict[str, Any]) -> list[Text]:
    """A parsed history table as pieces for :func:`encode`."""
    return list(table(history))


def layout_of(pieces: Sequence[Text]) -> list[int]:
    """The layout (see :attr:`ArchiveFile.layout`) of a file written as ``pieces``."""
    layout: list[int] = []
    for _ in _measured(pieces, layout):
        pass
    return layout


def _measured(parts: Iterable[Text | Iterator[Text]], layout: list[int]
              ) -> Iterator[Text]:
    """The pieces of ``parts`` in order (an iterator among them gives its own); once
    all are given, ``layout`` holds where the tables start."""
    position = 0
    offsets: dict[bytes, int] = {}
    for part in parts:
        if part is RECORDS_MARK or part is LINKS_MARK or part is HISTORY_MARK:
            offsets[part] = position
        for piece in part if isinstance(part, Iterator) else (part,):
            position += len(piece)
            yield piece
    layout[:] = [offsets[RECORDS_MARK], offsets[LINKS_MARK], offsets[HISTORY_MARK]]


def encode(tables: dict[str, Any], history: Sequence[Text]) -> list[Text]:
    """The file's bytes, in pieces: the tables one document per line, the history last.

    :param tables: the meta, records and links tables; tables that kept their text
        (:class:`TextTables`, such as :class:`.reader.LazyTables`) write
        back the text of a table that was never parsed.
    :param history: the history's pieces (:func:`append_history`, :func:`history_pieces`).
    :raises ArchivistError: when a value cannot be written as JSON.
    """
    records, links = (_table_pieces(tables, name) for name in ("records", "links"))
    return _framed(tables, records, links, list(history))


def _table_pieces(tables: dict[str, Any], name: str) -> list[Text]:
    if name in tables or not isinstance(tables, TextTables):
        pieces: list[Text] = [*table(tables[name])]
        return pieces
    return tables.pieces(name)


def _framed(tables: dict[str, Any], records: Sequence[Any], links: Sequence[Any],
            history: Sequence[Any]) -> list[Any]:
    return [b'{\n"meta": ', _json(tables["meta"]), b",", RECORDS_MARK, *records, LINKS_MARK,
            *links, HISTORY_MARK, *history, FILE_END]


class Appending:
    """The file's bytes with new lines at the end of each table, each line made only
    when it is written (see :func:`encode_appending`).  Iterate once; then
    :attr:`layout` tells where the tables start."""

    def __init__(self, parts: list[Text | Iterator[Text]]) -> None:
        self._parts = parts
        self.layout: list[int] = []

    def __iter__(self) -> Iterator[Text]:
        return _measured(self._parts, self.layout)


def encode_appending(tables: dict[str, Any], history: Sequence[Text],
                     tails: dict[str, Iterable[bytes]]) -> Appending:
    """As :func:`encode`, with the lines of ``tails`` (by table name: records, links,
    history; each made by :func:`line`) appended to their tables as they are written.

    An import of 10,000 records writes them without holding them, their history
    entries or the file's bytes in memory all at once.  Each tail is read only when
    the writing reaches it, in the file's order.
    """
    def extended(body: list[Text], name: str) -> list[Text | Iterator[Text]]:
        tail = tails.get(name)
        if tail is None:
            return list(body)
        return [_closed(body, _opened(body), chunks(tail))]

    records, links = (extended(_table_pieces(tables, name), name)
                      for name in ("records", "links"))
    return Appending(_framed(tables, records, links, extended(list(history), "history")))


def _closed(body: list[Text], opening: list[Text], chunks: Iterator[bytes]
            ) -> Iterator[Text]:
    """A table's text as it is, when ``chunks`` has no lines; else ``opening`` (the text
    without its closing brace, see :func:`_opened`), the lines and the brace."""
    first = next(chunks, None)
    if first is None:
        yield from body
        return
    yield from opening
    yield first
    yield from chunks
    yield b"\n}"
