"""The index file: a disposable summary of the records, kept beside the archive.

Parsing every record of a large archive costs more than everything else ``list``
does, yet a table and most queries need only a few short values of each record.  The
index file ``ARCHIVE.index`` holds them column by column, in the archive's order of
records.  Its lines::

    {"index": 10, "archivist": "0.1.0", "source": [...], "layout": [...],
     "columns": [...], "lengths": [...], "spellings": {...}}     the header
    [1, 2, 3, ...]                                                one line per column
    ...
    {"base": [...], "source": [...], "layout": [...], "rows": [[...], ...],
     "replace": [[row number, [...]], ...]}                       lines appended since

The columns:

* ``_doc``: the TinyDB document id of each record (a number);
* ``_key``: its id in lower case, as archivist looks ids up;
* the stored values of :data:`SUMMARY_KEYS` (``null`` where a record has none);
* ``_search``: the folded text bare words search (:func:`archivist.folding.search_text`),
  so no query folds text again.

Every value is data, as stored: nothing is drawn or escaped for a terminal here (the
table ``list`` prints is drawn from the stored values when it is printed, by
:mod:`archivist.display`).  The header gives the length of each column's line, so a
command parses only the columns it needs (``list`` the five of its table, ``list
tag:x`` also ``tags``) without scanning the others; ``spellings`` is each tag's first
spelling (for ``add``), and ``layout`` where the archive's tables start (so a write
need not look for them).  Query predicates run unchanged on *summary documents* built
from the columns, so a query the summary can answer (:mod:`archivist.store.summaryengine`)
gives exactly the records the full documents would.

The index is a cache, never the data.  It names the version of the archive file it
describes by device, inode, size, modification and change times (:func:`identity`;
the atomic writer gives every write a new inode), and one that does not name the
current file is ignored.  A write that adds records at the end or changes them in
place appends a line of new and replaced rows naming the version it extends (``base``)
and the one it made (``source``); a reader follows that chain from the header to the
archive as it is now, or ignores the index.  Deleting it
loses nothing.  It is written without fsync (a temporary file renamed over it, or an
appended line: a damaged or torn index is simply not trusted, and rebuilt) by the
first command that reads every record, and kept current by every write
(:mod:`.indexkeeper`); a folder it cannot be written to only means that
commands stay slower.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

from archivist.atomic import map_or_read
from archivist.folding import SEARCH_KEY
from archivist.models import DATES_KEY
from archivist.store.interface import IndexUnusable

# The characters of a lowercased id (see archivist.models.check_id).
_ID_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789-_."
#: Bumped whenever what the index holds changes (10: the drawn table cells are gone).
INDEX_VERSION = 10
#: Stored document keys the index keeps: the short ones queries and sorting use most.
SUMMARY_KEYS: tuple[str, ...] = ("id", "kind", "title", "subtitle", "creators", "date",
                                 "publisher", "language", "tags", DATES_KEY)
DOC_KEY = "_doc"
ID_KEY = "_key"
#: Every column, in the order of the file's lines after the header.
COLUMNS: tuple[str, ...] = (DOC_KEY, ID_KEY, *SUMMARY_KEYS, SEARCH_KEY)
_SUFFIX = ".index"
_TEMP_SUFFIX = ".index-tmp"

Identity = list[int]
#: Bytes, or a view into the file as read.
Text = bytes | memoryview
#: Rows appended to the file before it is written whole again.
APPEND_LIMIT = 2000


def index_path(archive: Path) -> Path:
    """Where the index of ``archive`` lives: ``ARCHIVE.index`` beside it."""
    return archive.with_name(archive.name + _SUFFIX)


def identity(stat: os.stat_result) -> Identity:
    """What names one version of the archive file.

    The change time is in it because no one can set it: a hand edit in place that
    keeps the size and puts the modification time back still changes it.
    """
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def file_identity(archive: Path) -> Identity | None:
    """The identity of the archive file as it is now, ``None`` when it cannot be read."""
    try:
        return identity(os.stat(archive))
    except OSError:
        return None


def summary_row(doc_id: str, doc: Mapping[str, Any]) -> list[Any]:
    """The values of one stored document, one per column of :data:`COLUMNS`."""
    from archivist.folding import search_text

    return [int(doc_id), str(doc.get("id")).lower(), *(doc.get(key) for key in SUMMARY_KEYS),
            search_text(doc)]


class Index:
    """The columns of an archive's index, each parsed from its text on first use.

    :param texts: column name → its JSON text, as the body of the file holds it.
    :param tail: rows appended to the file after its body (see :func:`save`).
    :param claims: the archive version the file on disk claims to describe, when this
        index was loaded from it (new rows are then appended to the file).
    """

    #: The record keys whose stored values the index holds.
    keys: tuple[str, ...] = SUMMARY_KEYS

    def __init__(self, texts: Mapping[str, Text], tail: Sequence[Sequence[Any]] = (),
                 claims: Identity | None = None, layout: Sequence[int] | None = None
                 ) -> None:
        self._texts = dict(texts)
        self._tail = list(tail)
        #: Rows replaced since the body was written (row number → row), from the file.
        self._replaced: dict[int, Sequence[Any]] = {}
        #: Rows added and replaced since this index was read, not yet in the file.
        self._new: list[Sequence[Any]] = []
        self._new_replaced: dict[int, Sequence[Any]] = {}
        #: Lines the file holds after its body.
        self._lines = 0
        self._columns: dict[str, list[Any]] = {}
        self.claims = claims
        #: Where the tables start in the archive file it claims (see
        #: :attr:`.reader.ArchiveFile.layout`), when known.
        self.layout = list(layout) if layout is not None else None
        #: Each tag's folded key → its first spelling, from the header when known.
        self._spellings: dict[str, str] | None = None
        #: The text of the id column as ``,"a","b",`` (see :meth:`has_key`).
        self._key_text: bytes | None = None

    def column(self, name: str) -> list[Any]:
        """Every record's value of column ``name``, in the archive's order."""
        values = self._columns.get(name)
        if values is None:
            values = self._columns[name] = self._parsed(name)
        return values

    def _parsed(self, name: str) -> list[Any]:
        """:meth:`column`, parsed anew and not kept."""
        try:
            values = orjson.loads(self._texts[name]) if name in self._texts else []
        except orjson.JSONDecodeError:
            raise IndexUnusable(f"column {name!r} of the index is damaged") from None
        if not isinstance(values, list):
            raise IndexUnusable(f"column {name!r} of the index is not a list")
        position = COLUMNS.index(name)
        values += [row[position] for row in (*self._tail, *self._new)]
        try:
            for row_number, row in (*self._replaced.items(), *self._new_replaced.items()):
                values[row_number] = row[position]
        except IndexError:
            raise IndexUnusable("the index replaces a row it does not have") from None
        if not _sound(name, values):
            raise IndexUnusable(f"column {name!r} of the index holds values of a wrong type")
        return values

    def __len__(self) -> int:
        return len(self.column(DOC_KEY))

    def has_key(self, key: str) -> bool:
        """Whether a record's lowercased id is ``key`` (see :meth:`row_of`)."""
        return self.row_of(key) is not None

    def doc_id_of(self, key: str) -> int | None:
        """The document id of the record whose lowercased id is ``key``, if any."""
        row = self.row_of(key)
        return None if row is None else int(self.column(DOC_KEY)[row])

    def row_of(self, key: str) -> int | None:
        """The row of the record whose lowercased id is ``key`` (``None`` if none).

        Until the id column is parsed, its text is searched instead: parsing 100,000
        ids and freeing them costs ``add`` 40 ms, a search 2.  An id is ASCII
        letters, digits, ``-``, ``_`` and ``.`` (:meth:`keys_sound` checks the text
        holds nothing else that could confuse the search), so ``,"key",`` in the text
        is a whole element, and the commas before it count its row.  A row replaced
        since (``undo`` can put another record in its place) answers for itself.
        """
        if ID_KEY in self._columns:
            keys = self._columns[ID_KEY]
            return keys.index(key) if key in keys else None
        position = COLUMNS.index(ID_KEY)
        replaced = {**self._replaced, **self._new_replaced}
        for number, row in replaced.items():
            if row[position] == key:
                return number
        text = self._keys_text()
        body = text.count(b",") - 1 if text != b",," else 0
        for number, row in enumerate((*self._tail, *self._new), body):
            if row[position] == key and number not in replaced:
                return number
        needle = b"," + orjson.dumps(key) + b","
        found = text.find(needle)
        while found >= 0:
            row_number = text.count(b",", 0, found)
            if row_number not in replaced:
                return row_number
            found = text.find(needle, found + 1)
        return None

    def keys_sound(self) -> bool:
        """Whether the id column holds one id for each document id, each nothing but
        the characters of an id (lowercased), without parsing the ids: the text with
        those characters deleted must be ``,"",""…,``.  Anything else (a control
        character, a space, an escape, a damaged byte) makes the index untrusted."""
        count = len(self.column(DOC_KEY))
        if ID_KEY in self._columns:
            return len(self._columns[ID_KEY]) == count
        body = count - len(self._tail) - len(self._new)
        shape = b"," + b'"",' * body if body else b",,"  # "[]" padded is ",,"
        return self._keys_text().translate(None, _ID_BYTES) == shape

    def _keys_text(self) -> bytes:
        if self._key_text is None:
            text = memoryview(self._texts.get(ID_KEY, b"[]"))
            self._key_text = b"".join((b",", text[1:-1], b","))  # one copy of 3 MB, not three
        return self._key_text

    def tag_spellings(self) -> dict[str, str]:
        """Each tag's folded key mapped to the spelling the archive first gave it."""
        from archivist.models import first_spellings

        position = COLUMNS.index("tags")
        if self._spellings is not None and not (self._replaced or self._new_replaced):
            spelling = dict(self._spellings)
            lists: Iterable[Any] = (row[position] for row in (*self._tail, *self._new))
        else:
            spelling = {}
            lists = self.column("tags")
        return first_spellings(lists, spelling)

    def documents(self, keys: Iterable[str]) -> list[dict[str, Any]]:
        """Summary documents holding ``keys`` (and their row number as ``_row``).

        A key a record does not have holds ``None``, which every query and sort reads
        as absent.
        """
        names = sorted(set(keys))
        columns = [self.column(name) for name in names]
        rows = range(len(self))
        if not names:
            return [{"_row": row} for row in rows]
        return [dict(zip(names, values), _row=row) for row, *values in zip(rows, *columns)]

    def rows(self) -> list[list[Any]]:
        """Every record's row, with the values of every column."""
        return [list(row) for row in zip(*(self.column(name) for name in COLUMNS))]

    def updated(self, records: Mapping[str, Mapping[str, Any]], touched: Iterable[str]
                ) -> Index:
        """The index of ``records`` (a records table), summarising again only the
        documents whose ids are in ``touched`` (and those this index lacks)."""
        changed = set(map(int, touched))
        numbers = self.column(DOC_KEY)
        keys = list(records)
        if len(keys) >= len(numbers) and all(
                int(key) == number for key, number in zip(keys, numbers)):
            # Records changed in place, or added at the end: replace and append rows.
            where = {number: row for row, number in enumerate(numbers) if number in changed}
            return self._derive(
                [(key, records[key]) for key in keys[len(numbers):]],
                {row: summary_row(str(number), records[str(number)])
                 for number, row in where.items()})
        old = {row[0]: row for row in self.rows()}
        rows = []
        for doc_id, doc in records.items():
            row = old.get(int(doc_id))
            if row is None or int(doc_id) in changed:
                row = summary_row(doc_id, doc)
            rows.append(row)
        return from_rows(rows)

    def appended(self, docs: Sequence[tuple[str, Mapping[str, Any]]],
                 changed: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> Index:
        """This index with new documents added at the end, and documents it has
        ``changed`` in place (both as ``(document id, document)``).

        :raises IndexUnusable: when a changed document is not in the index.
        """
        if not docs and not changed:
            return self
        rows: dict[int, Sequence[Any]] = {}
        if changed:
            where = {number: row for row, number in enumerate(self.column(DOC_KEY))}
            try:
                rows = {where[int(doc_id)]: summary_row(doc_id, doc) for doc_id, doc in changed}
            except KeyError:
                raise IndexUnusable("a changed record is not in the index") from None
        return self._derive(docs, rows)

    def _derive(self, docs: Sequence[tuple[str, Mapping[str, Any]]],
                replaced: dict[int, Sequence[Any]]) -> Index:
        """This index with rows added at the end and rows replaced."""
        return self.with_rows([summary_row(doc_id, doc) for doc_id, doc in docs], replaced)

    def with_rows(self, new: list[Sequence[Any]],
                  replaced: dict[int, Sequence[Any]] | None = None) -> Index:
        """This index with rows (:func:`summary_row`) added at the end, and rows
        replaced by row number."""
        replaced = replaced or {}
        index = Index(self._texts, self._tail, self.claims, self.layout)
        index._replaced = self._replaced
        index._lines = self._lines
        index._spellings = self._spellings
        index._new = [*self._new, *new]
        index._new_replaced = {**self._new_replaced, **replaced}
        for position, name in enumerate(COLUMNS):
            if name in self._columns:
                values = [*self._columns[name], *(row[position] for row in new)]
                for row_number, row in replaced.items():
                    values[row_number] = row[position]
                index._columns[name] = values
        return index

    def appendable(self) -> bool:
        """Whether this index can be saved by appending a line to the file it was read
        from: the file then holds at most :data:`APPEND_LIMIT` rows and lines after its
        body (beyond that, readers would spend more on them than a rewrite costs)."""
        rows = (len(self._tail) + len(self._new)
                + len({*self._replaced, *self._new_replaced}))
        return (self.claims is not None and rows <= APPEND_LIMIT
                and self._lines + 1 <= APPEND_LIMIT)

    def encode(self, source: Identity, layout: Sequence[int] | None = None) -> list[bytes]:
        """The whole index file's lines (without their newlines), naming the archive
        file version ``source``.

        Lines, not one bytes object: joining them would copy the 60 MB index of an
        archive of 100,000 records while the records are still in memory.
        """
        header = {"index": INDEX_VERSION, "archivist": _version(), "source": source,
                  "layout": layout, "columns": list(COLUMNS),
                  "spellings": self.tag_spellings()}
        lines: list[bytes] = []
        extra = [*self._tail, *self._new]
        replacing = bool(self._replaced or self._new_replaced)
        whole = not (extra or replacing)
        for position, name in enumerate(COLUMNS):
            if name in self._columns or name not in self._texts or replacing:
                # A column not read yet is parsed for its line only: rewriting the
                # index after many rows changed (a bulk edit of 7,000 records) would
                # otherwise hold every column beside the parsed records.
                line = orjson.dumps(self._columns[name] if name in self._columns
                                    else self._parsed(name))
                if whole:
                    # The line stands for the column from now on (parsed again if
                    # wanted): a new index of 100,000 records never holds all its
                    # columns and all their text at once.
                    self._texts[name] = line
                    self._columns.pop(name, None)
                lines.append(line)
                continue
            # Splicing the rows onto the text is cheaper than parsing and writing it.
            text = bytes(self._texts[name])
            if extra:
                tail = orjson.dumps([row[position] for row in extra])[1:]
                text = text[:-1] + (b"," if text != b"[]" else b"") + tail
            lines.append(text)
        # The length of each column's line, so that a reader finds a column without
        # scanning the ones before it (or touching their pages at all).
        header["lengths"] = [len(line) for line in lines]
        return [orjson.dumps(header), *lines]


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def _sound(name: str, values: list[Any]) -> bool:
    """Whether a column holds values of its type: a damaged index must not reach the
    code that trusts it (it is then read from the archive instead).  Sets of types,
    made in C, check 100,000 values in a few milliseconds."""
    if name == DOC_KEY:
        return _types(values) <= {int}
    if name in (ID_KEY, SEARCH_KEY):
        return _types(values) <= {str}
    if name in ("creators", "tags", DATES_KEY):
        lists = [value for value in values if value is not None]
        if not (_types(lists) <= {list} and _types(chain.from_iterable(lists)) <= {str}):
            return False
        return name != DATES_KEY or set(map(len, lists)) <= {2}
    return _types(values) <= {str, type(None)}


def from_rows(rows: Sequence[Sequence[Any]]) -> Index:
    """An index of rows as :func:`summary_row` makes them."""
    return Index({}, rows)


class ColumnsWriter:
    """A new index's columns, written a row at a time as the file holds them.

    An import summarises 10,000 records as it writes them: kept as rows until the
    index is written, their summaries took more room than the whole index file.

    :param records: the records table the new rows follow (summarised first).
    """

    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self._columns: list[bytearray] = [bytearray(b"[") for _ in COLUMNS]
        for doc_id, doc in records.items():
            self.append(summary_row(doc_id, doc))

    def append(self, row: Sequence[Any]) -> None:
        """Add a row (:func:`summary_row`) at the end."""
        dumps = orjson.dumps
        for column, value in zip(self._columns, row):
            column += dumps(value)
            column += b","

    def index(self) -> Index:
        """The index of the rows written (this writer is spent)."""
        texts: dict[str, bytes] = {}
        for position, name in enumerate(COLUMNS):
            column = self._columns[position]
            column[-1:] = b"]" if len(column) > 1 else b"[]"
            texts[name] = bytes(column)
            self._columns[position] = bytearray()
        return Index(texts)


def build(records: Mapping[str, Mapping[str, Any]]) -> Index:
    """Summarise every document of a records table."""
    from archivist.folding import search_text

    docs = list(records.values())
    columns: dict[str, list[Any]] = {
        DOC_KEY: [int(doc_id) for doc_id in records],
        ID_KEY: [str(doc.get("id")).lower() for doc in docs]}
    for key in SUMMARY_KEYS:
        columns[key] = [doc.get(key) for doc in docs]
    columns[SEARCH_KEY] = [search_text(doc) for doc in docs]
    index = Index({})
    index._columns = columns
    return index


def load(archive: Path, source: Identity | None = None) -> Index | None:
    """The index of ``archive`` when it summarises the file as it is now, else ``None``.

    :param source: the archive's identity when the caller already took it.
    """
    if source is None:
        source = file_identity(archive)
        if source is None:
            return None
    try:
        with open(index_path(archive), "rb") as file:
            data = map_or_read(file)
        return _parse(data, source)
    except (OSError, IndexUnusable, orjson.JSONDecodeError):
        return None


def _parse(data: bytes | mmap.mmap, source: Identity) -> Index | None:
    view = memoryview(data)
    first = data.find(b"\n")
    if first < 0:
        return None
    header = orjson.loads(view[:first])
    if not (isinstance(header, dict) and header.get("index") == INDEX_VERSION
            and header.get("archivist") == _version()
            and header.get("columns") == list(COLUMNS)):
        return None
    lengths = header.get("lengths")
    if not (isinstance(lengths, list) and len(lengths) == len(COLUMNS)
            and all(type(n) is int and n >= 2 for n in lengths)):
        return None
    ends = [first]
    for length in lengths:
        ends.append(ends[-1] + 1 + length)
    start = ends[-1] + 1
    if data[ends[-1]:start] != b"\n" or any(data[end:end + 1] != b"\n" for end in ends):
        return None
    # Rows appended since the body was written, each line naming the archive version
    # it extends and the one it describes: a chain from the body to the archive now.
    claims, layout = header.get("source"), header.get("layout")
    tail: list[Sequence[Any]] = []
    replaced: dict[int, Sequence[Any]] = {}
    lines = 0
    for line in bytes(view[start:]).split(b"\n")[:-1]:
        lines += 1
        appended = orjson.loads(line)
        if not isinstance(appended, dict) or appended.get("base") != claims:
            return None
        rows, replace = appended.get("rows"), appended.get("replace", [])
        if not (isinstance(rows, list) and isinstance(replace, list)
                and all(isinstance(row, list) and len(row) == len(COLUMNS) for row in rows)
                and all(isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int
                        and pair[0] >= 0 and isinstance(pair[1], list)
                        and len(pair[1]) == len(COLUMNS) for pair in replace)):
            return None
        tail += rows
        replaced.update((number, row) for number, row in replace)
        claims, layout = appended.get("source"), appended.get("layout")
    if claims != source or data[len(data) - 1:] not in (b"\n", b""):
        return None
    extra = [*tail, *replaced.values()]
    if not all(_sound(name, [row[position] for row in extra])
               for position, name in enumerate(COLUMNS)):
        return None
    texts = {name: view[begin + 1:end] for name, begin, end
             in zip(COLUMNS, ends, ends[1:])}
    if not (isinstance(layout, list) and len(layout) == 3
            and all(type(n) is int for n in layout)):
        layout = None
    index = Index(texts, tail, claims, layout)
    index._replaced = replaced
    index._lines = lines
    spellings = header.get("spellings")
    if isinstance(spellings, dict) and _types(spellings.values()) <= {str}:
        index._spellings = spellings
    return index


def save(archive: Path, index: Index, source: Identity,
         layout: Sequence[int] | None = None) -> None:
    """Record ``index`` as the index of ``archive`` in the version named by ``source``.

    An index loaded from the file whose records were only added at the end or changed
    in place since (``add``, ``import``, ``set``, ``tag``, ``link``…) gets one line
    appended: its new rows, and the rows it replaces by number (see
    :meth:`Index.appendable`).  Otherwise (records removed or moved, a limit reached)
    the whole file is written again.  Failing to write it (a read-only folder, a full
    disk) is not an error: the index only makes commands faster; a stale one is
    removed.
    """
    target = index_path(archive)
    if index.appendable():
        line = orjson.dumps({"base": index.claims, "source": source, "layout": layout,
                             "rows": index._new,
                             "replace": [[n, row] for n, row in index._new_replaced.items()]})
        try:
            with open(target, "ab") as file:
                file.write(line + b"\n")
        except OSError:
            discard(archive)
            return
        index._tail += index._new
        index._replaced = {**index._replaced, **index._new_replaced}
        index._new, index._new_replaced = [], {}
        index._lines += 1
        index.claims = source
        index.layout = list(layout) if layout is not None else None
        return
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}{_TEMP_SUFFIX}")
    try:
        with open(tmp, "wb") as file:
            for line in index.encode(source, layout):
                file.write(line)
                file.write(b"\n")
        os.replace(tmp, target)
    except (OSError, IndexUnusable, orjson.JSONEncodeError):
        with contextlib.suppress(OSError):
            tmp.unlink()
        discard(archive)


def discard(archive: Path) -> None:
    """Remove the index of ``archive`` (it no longer describes the file)."""
    with contextlib.suppress(OSError):
        index_path(archive).unlink()


def stray_files(archive: Path) -> Iterator[Path]:
    """Temporary index files left by commands that were killed while writing one."""
    prefix = f".{index_path(archive).name}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(archive.parent):
            if entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX):
                yield Path(entry.path)


def _version() -> str:
    from archivist.version import VERSION

    return VERSION
