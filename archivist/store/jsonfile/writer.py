"""Writing the archive file: its tables one document per line, in pieces.

:mod:`.reader` reads the file and keeps tables as text until they are
wanted; this module makes the text a write puts back: a table's lines
(:func:`lines`), a table with lines appended (:func:`appended`), and the whole file from
its tables' pieces, with lines made only as they are written appended to them
(:func:`encode`, the one way the file is written).  Pieces, never one bytes object: a table of
100,000 records is never joined in memory, and a table left unread in the file is
copied by the kernel (:class:`archivist.atomic.Region`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

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


class Encoded:
    """The file's bytes in pieces, each line of a tail made only when it is written.
    Iterate once; then :attr:`layout` tells where the tables start (the offsets of
    the records, links and history marks)."""

    def __init__(self, parts: list[Text | Iterator[Text]]) -> None:
        self._parts = parts
        self.layout: list[int] = []

    def __iter__(self) -> Iterator[Text]:
        position = 0
        offsets: dict[bytes, int] = {}
        for part in self._parts:
            if part is RECORDS_MARK or part is LINKS_MARK or part is HISTORY_MARK:
                offsets[part] = position
            for piece in part if isinstance(part, Iterator) else (part,):
                position += len(piece)
                yield piece
        self.layout[:] = [offsets[RECORDS_MARK], offsets[LINKS_MARK], offsets[HISTORY_MARK]]


def encode(meta: dict[str, Any], records: list[Text], links: list[Text],
           history: list[Text], tails: Mapping[str, Iterable[bytes]] | None = None
           ) -> Encoded:
    """The whole file, in pieces: the meta table, then each table's text as given
    (:func:`table`, or the text read with its changes), the history last.

    :param tails: lines (each made by :func:`line`) to append to a table, by name
        (records, links, history), made only as the writing reaches them: an import
        of 10,000 records writes them without holding them, their history entries or
        the file's bytes in memory all at once.
    :raises ArchivistError: when a value cannot be written as JSON.
    """
    def extended(body: list[Text], name: str) -> list[Text | Iterator[Text]]:
        tail = (tails or {}).get(name)
        if tail is None:
            return list(body)
        return [_closed(body, _opened(body), chunks(tail))]

    return Encoded([b'{\n"meta": ', _json(meta), b",", RECORDS_MARK,
                    *extended(records, "records"), LINKS_MARK, *extended(links, "links"),
                    HISTORY_MARK, *extended(history, "history"), FILE_END])


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
