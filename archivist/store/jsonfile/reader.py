"""The archive file's layout: strict JSON, one document per line, history last.

The file is a TinyDB JSON database with four tables, written so that people can read
and diff it (one record per line) and so that archivist can leave its largest part,
the history, unparsed when a command does not need it::

    {
    "meta": {"1": {"format": 1, "entries": 297, "change": 12}},
    "records": {
    "1": {"id": "weiss-2021-dear-comrades", …},
    …
    },
    "links": {
    …
    },
    "history": {
    "1": {"change": 1, "action": "add", …},
    …
    }
    }

JSON text never holds a raw newline inside a string, so a line such as
``"links": {`` can only be the start of that table.  Each table is parsed when a
command first needs it (``list`` never parses the links, ``add`` neither the links nor
the history), and a table a command did not touch is written back as the bytes it
read; the history is appended to without being parsed.  ``history``, ``undo`` and
``check`` parse it.  A file in any other layout (written by hand, or by another
tool) is simply parsed whole.  Writing the file is :mod:`.writer`.

Measured at 100,000 records (median of 5, each mechanism switched off against on):
reading a few documents line by line (:meth:`LazyTables.document`) makes ``tag``
4.0× and ``show`` 2.8× faster (1906 → 475 ms, 1280 → 459 ms); searching a table left
in the file through a mapped window (:class:`_Window`) instead of reading it wins
another 18% on ``tag`` and 23% on ``show``.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from archivist import atomic
from archivist.errors import ArchiveCorrupt
from archivist.store.interface import StoredTables
from archivist.store.jsonfile import summaryindex
from archivist.store.jsonfile.writer import (
    FILE_END,
    HISTORY_MARK,
    LINKS_MARK,
    RECORDS_MARK,
    Text,
    appended,
    lines,
)
from archivist.store.jsonfile.writer import table as table_lines

#: Version of the file layout; files from a newer archivist are refused, not damaged.
FORMAT_VERSION = 1
TABLES = ("meta", "records", "links", "history")
# How many documents of a table are read line by line before it is parsed whole.
_LINE_READS = 8


class LazyTables(dict[str, Any]):
    """The tables of an archive, each parsed from its text on first access.

    TinyDB reads a table as ``tables[name]``, which lands in :meth:`__missing__` the
    first time.  A table never accessed is not in the dictionary, and :meth:`pieces`
    gives its text back unchanged.  A file read whole, or an archive in memory, is
    simply every table parsed (:meth:`whole`): the engine holds its tables in this
    one shape and never asks which.
    """

    def __init__(self, meta: dict[str, Any], texts: dict[str, Text],
                 raw: bytes | mmap.mmap | None, name: str,
                 history_text: Text | None = None) -> None:
        super().__init__(meta=meta)
        self.texts = texts
        #: The stored history, when it was left unparsed (else it is ``self["history"]``).
        self.history_text = history_text
        self._raw = raw
        self._name = name
        #: Documents added to a table that was never parsed, by table name.
        self.pending: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._written: dict[str, list[Text]] = {}
        #: Documents read one by one from a table never parsed (see :meth:`document`),
        #: and the ids of those changed since, by table name.
        self.documents: dict[str, dict[str, dict[str, Any]]] = {}
        self.replaced: dict[str, set[str]] = {}
        self._searchable: dict[str, bytes | _Window] = {}

    @classmethod
    def whole(cls, tables: dict[str, Any], name: str) -> LazyTables:
        """Tables already parsed (checked by :func:`validate_layout`), history included."""
        lazy = cls(tables["meta"], {}, None, name)
        lazy.update(tables)
        return lazy

    @property
    def as_expected(self) -> bool:
        """Whether these are the tables of the file version the index named (always,
        once read: see :class:`DeferredTables`)."""
        return True

    def history_parts(self) -> tuple[Text | None, dict[str, Any] | None]:
        """The stored history: its text when it was left unparsed, else its table
        (taken out of these tables, which then hold the records, links and meta)."""
        table = self.pop("history", None)
        if self.history_text is not None:
            return self.history_text, None
        return None, table if table is not None else {}

    def append(self, name: str, docs: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Add documents at the end of table ``name`` without parsing it.

        ``add`` into an archive of 100,000 records need not parse them: the new
        documents are written after the table's text (see
        :func:`.writer.encode`).
        """
        if name in self:
            self[name].update(docs)
        else:
            self.pending.setdefault(name, []).extend(docs)

    def document(self, name: str, doc_id: str) -> dict[str, Any] | None:
        """One document of a table, read from its line when the table is not parsed.

        ``show`` or ``tag`` of one record in an archive of 100,000 records parses one
        line, not 100,000.  Change the document in place and call :meth:`replace`.
        """
        known = self.documents.setdefault(name, {})
        if name in self or (doc_id not in known and len(known) >= _LINE_READS):
            # Each line is looked for from the start: past a few, parsing all is cheaper.
            found: dict[str, Any] | None = self[name].get(doc_id)
            return found
        if doc_id not in known:
            span = self._line(name, doc_id)
            if span is None:
                return None
            text = self._searchable[name]
            try:
                parsed = orjson.loads(b"{" + text[span[0]:span[1]] + b"}")
            except orjson.JSONDecodeError:
                return None
            doc = parsed.get(doc_id) if isinstance(parsed, dict) else None
            if not isinstance(doc, dict):
                return None
            known[doc_id] = doc
        return known[doc_id]

    def replace(self, name: str, doc_id: str) -> None:
        """Write the document :meth:`document` returned (changed in place) anew."""
        if name not in self:
            self.replaced.setdefault(name, set()).add(doc_id)

    def _line(self, name: str, doc_id: str) -> tuple[int, int] | None:
        """Where the line of a document is in the table's text, without its comma."""
        text = self._searchable.get(name)
        if text is None:
            current = self.texts[name] if name not in self._written else self.text(name)
            window = _Window.of(current) if isinstance(current, atomic.Region) else None
            text = self._searchable[name] = window if window is not None else bytes(current)
        # A line starts with its quoted document id, and JSON text holds no raw newline.
        start = text.find(b'\n"' + doc_id.encode() + b'": ')
        if start < 0:
            return None
        end = text.find(b"\n", start + 1)
        end = len(text) - 2 if end < 0 else end
        return start + 1, end - 1 if text[end - 1:end] == b"," else end

    def pieces(self, name: str) -> list[Text]:
        """The text of a table to write: its documents one per line when it was parsed,
        else its text as read, with its documents replaced and appended."""
        if name in self or name not in self.texts:
            return [*table_lines(self[name])]
        written = self._written.get(name)
        text = self.texts[name] if written is None else self.text(name)
        replaced = self.replaced.get(name)
        body: list[Text] = [text]
        if replaced:
            spans = sorted((self._line(name, doc_id) or (-1, -1), doc_id)
                           for doc_id in replaced)
            if spans[0][0][0] < 0:
                raise ArchiveCorrupt(f"{self._name}: a record's line went missing")
            body, done = [], 0
            for (start, end), doc_id in spans:
                body += [text[done:start], *lines([(doc_id, self.documents[name][doc_id])])]
                done = end
            body.append(text[done:])
        return appended(body, self.pending.get(name, ()))

    def settle(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        """After a write: the documents replaced and appended are now part of the
        table's text.  The documents replaced in the text, with their ids."""
        replaced = [(doc_id, self.documents[name][doc_id])
                    for doc_id in self.replaced.get(name, ())]
        if (name in self.pending or self.replaced.get(name)) and name not in self:
            self._written[name] = self.pieces(name)
            self.pending.pop(name, None)
            self.replaced.pop(name, None)
            self._searchable.pop(name, None)
        return replaced

    def text(self, name: str) -> bytes | memoryview:
        """The text of a table as last read or written."""
        written = self._written.pop(name, None)
        if written is not None:
            # Joined only when wanted again: most commands end after their one write.
            self.texts[name] = atomic.join(written)
        text = self.texts[name]
        if isinstance(text, atomic.Region):
            text = self.texts[name] = text.read()
        return text

    def __missing__(self, key: str) -> Any:
        if key not in self.texts:
            raise KeyError(key)
        text = self.text(key)
        try:
            table = orjson.loads(text)
        except orjson.JSONDecodeError:
            # Parse the whole file to report the damage at its true line and column.
            raw = Path(self._name).read_bytes() if self._raw is None else self._raw
            atomic.loads(memoryview(raw), self._name)
            raise ArchiveCorrupt(f"{self._name}: table {key!r} is damaged") from None
        if not isinstance(table, dict):
            raise ArchiveCorrupt(f"{self._name}: not an archivist archive (table {key!r} "
                                 "is damaged)")
        # Documents read or changed one by one stay the objects their callers hold.
        table.update(self.documents.pop(key, {}))
        table.update(self.pending.pop(key, ()))
        self.replaced.pop(key, None)
        self._searchable.pop(key, None)
        self[key] = table
        return table


class _Window:
    """A region of a file, mapped: searched and sliced as bytes are, never read whole.

    ``tag`` of one record among 100,000 finds its line in 79 MB of records without
    copying them into memory (80 ms saved).
    """

    def __init__(self, mapped: mmap.mmap, offset: int, length: int) -> None:
        self._mapped, self._offset, self._length = mapped, offset, length

    @classmethod
    def of(cls, region: atomic.Region) -> _Window | None:
        """The region mapped; ``None`` when it cannot be (then it is read instead, which
        also reports a file cut short since it was opened)."""
        fileno = region.file.fileno()
        try:
            if os.fstat(fileno).st_size < region.offset + region.length or not region.length:
                return None
            return cls(mmap.mmap(fileno, 0, access=mmap.ACCESS_READ), region.offset,
                       region.length)
        except (OSError, ValueError):
            return None

    def __len__(self) -> int:
        return self._length

    def find(self, sub: bytes, start: int = 0) -> int:
        found = self._mapped.find(sub, self._offset + start, self._offset + self._length)
        return found - self._offset if found >= 0 else -1

    def __getitem__(self, part: slice) -> bytes:
        start, stop, _ = part.indices(self._length)
        return self._mapped[self._offset + start:self._offset + stop]


@dataclass
class ArchiveFile:
    """What was read: the tables, and the history's text when it was left unparsed.

    When ``history_text`` is ``None`` the history is in ``tables["history"]``.
    """

    tables: LazyTables
    history_text: Text | None
    exists: bool
    #: The file's identity as read (see :func:`.summaryindex.identity`).
    identity: list[int] | None = None
    #: Where its tables start: the offsets of the records, links and history marks.
    layout: list[int] | None = None


def validate_layout(data: Any, name: str) -> dict[str, Any]:
    """Check the tables of an archive and its format version; fill in missing tables.

    :raises ArchiveCorrupt: when it is not an archivist archive, or a newer one.
    """
    if not isinstance(data, dict):
        raise ArchiveCorrupt(f"{name}: not an archivist archive (the top level is not an object)")
    for table in TABLES:
        if not isinstance(data.get(table, {}), dict):
            raise ArchiveCorrupt(f"{name}: not an archivist archive (table {table!r} is damaged)")
        data.setdefault(table, {})
    meta = data["meta"].get("1", {})
    version = meta.get("format", FORMAT_VERSION) if isinstance(meta, dict) else None
    if not isinstance(version, int):
        raise ArchiveCorrupt(f"{name}: not an archivist archive (no format version)")
    if version > FORMAT_VERSION:
        raise ArchiveCorrupt(
            f"{name} was written by a newer archivist (format {version}); this one reads "
            f"format {FORMAT_VERSION} and left it untouched"
        )
    return data


def _is_table_text(text: Text) -> bool:
    return ((bytes(text[:2]) == b"{\n" and bytes(text[-2:]) == b"\n}")
            or (len(text) == 3 and bytes(text) == b"{\n}"))


def _split(raw: bytes | mmap.mmap, name: str, file: BinaryIO | None = None
           ) -> ArchiveFile | None:
    """The tables, each left as text; ``None`` when the file is not in our layout.

    :param file: the open file ``raw`` maps, if it does: then the links and the
        history, which most commands never parse, are left as regions of it, so that
        a write copies them in the kernel instead of through mapped pages.
    """
    if raw[-len(FILE_END):] != FILE_END:
        return None
    # A line of a table starts with a quoted document id, so the first line that
    # starts a table after the records is the real one; looking forwards skips the
    # history, the largest part.
    records = raw.find(RECORDS_MARK)
    links = raw.find(LINKS_MARK, max(records, 0))
    history = raw.find(HISTORY_MARK, max(links, 0))
    if not 0 < records < links < history:
        return None
    # Views, not copies: at 100,000 records each copy costs a quarter of a second.
    view = memoryview(raw)
    texts: dict[str, Text] = {"records": view[records + len(RECORDS_MARK): links],
                              "links": view[links + len(LINKS_MARK): history]}
    history_text: Text = view[history + len(HISTORY_MARK): -len(FILE_END)]
    if not all(map(_is_table_text, (*texts.values(), history_text))):
        return None
    if file is not None:
        start = links + len(LINKS_MARK)
        texts["links"] = atomic.Region(file, start, history - start)
        start = history + len(HISTORY_MARK)
        history_text = atomic.Region(file, start, len(raw) - len(FILE_END) - start)
    head = raw[:records].rstrip()
    if not head.endswith(b","):
        return None
    try:
        data = orjson.loads(head[:-1] + b"\n}")
    except orjson.JSONDecodeError:
        return None
    if set(data) != {"meta"}:
        return None
    meta = validate_layout(data, name)["meta"]
    first = meta.get("1")
    if not isinstance(first, dict) or not all(
            isinstance(first.get(key), int) for key in ("entries", "change")):
        return None
    return ArchiveFile(LazyTables(meta, texts, raw, name, history_text), history_text, True,
                       layout=[records, links, history])


def _read_regions(file: BinaryIO, size: int, layout: Sequence[int], name: str
                  ) -> ArchiveFile | None:
    """The tables of a file whose layout is known, as regions: nothing is read but
    the meta and a few bytes that check the layout; ``None`` when they do not."""
    records, links, history = layout
    if not 0 < records < links < history < size:
        return None
    marks = ((records, RECORDS_MARK), (links, LINKS_MARK), (history, HISTORY_MARK),
             (size - len(FILE_END), FILE_END))
    for offset, mark in marks:
        if os.pread(file.fileno(), len(mark), offset) != mark:
            return None
    texts: dict[str, Text] = {
        "records": atomic.Region(file, records + len(RECORDS_MARK),
                                 links - records - len(RECORDS_MARK)),
        "links": atomic.Region(file, links + len(LINKS_MARK),
                               history - links - len(LINKS_MARK))}
    history_text = atomic.Region(file, history + len(HISTORY_MARK),
                                 size - len(FILE_END) - history - len(HISTORY_MARK))
    if not all(map(_is_table_text, (*texts.values(), history_text))):
        return None
    head = os.pread(file.fileno(), records, 0)
    split = _split(head + RECORDS_MARK + b"{\n}" + LINKS_MARK + b"{\n}" + HISTORY_MARK
                   + b"{\n}" + FILE_END, name)
    if split is None:
        return None
    tables = split.tables
    tables.texts, tables._raw, tables.history_text = texts, None, history_text
    return ArchiveFile(tables, history_text, True, layout=list(layout))


def read(path: Path, *, with_history: bool = False,
         layout_for: Callable[[list[int]], Sequence[int] | None] | None = None
         ) -> ArchiveFile:
    """Read an archive file; a missing file reads as an empty archive.

    :param with_history: parse the history too (else it may be left as text).
    :param layout_for: tells the layout of the file with a given identity, when it is
        known (from the index file); then the tables are left unread, as regions.
    :raises ArchiveCorrupt: when the file is damaged or from a newer version.
    """
    raw: bytes | mmap.mmap
    try:
        file = open(path, "rb")  # noqa: SIM115 (regions keep it open)
        try:
            # Taken from the open file, so it names exactly the bytes read.
            stat = os.fstat(file.fileno())
            identity = summaryindex.identity(stat)
            layout = None if layout_for is None or with_history else layout_for(identity)
            if layout is not None:
                regions = _read_regions(file, stat.st_size, layout, str(path))
                if regions is not None:
                    regions.identity = identity
                    return regions
            raw = atomic.map_or_read(file)
        except BaseException:
            file.close()
            raise
        mapped = None if isinstance(raw, bytes) else file
        if mapped is None:
            file.close()
    except FileNotFoundError:
        return ArchiveFile(LazyTables.whole({table: {} for table in TABLES}, str(path)), None,
                           False)
    except IsADirectoryError:
        raise ArchiveCorrupt(f"{path} is a folder, not an archive file") from None
    except OSError as err:
        raise ArchiveCorrupt(f"cannot read {path}: {err.strerror}") from None
    if not raw or (raw[:64].isspace() and bytes(raw).isspace()):
        raise ArchiveCorrupt(f"{path} is empty; it is not an archive (left untouched)")
    if not with_history:
        split = _split(raw, str(path), mapped)
        if split is not None:
            split.identity = identity
            return split
    data = atomic.loads(memoryview(raw), str(path))
    return ArchiveFile(LazyTables.whole(validate_layout(data, str(path)), str(path)), None,
                       True, identity)


def read_whole(path: Path) -> tuple[dict[str, Any], bool]:
    """Read and check a whole archive file, history included (a missing file is empty).

    :returns: the tables, and whether the file exists.
    :raises ArchiveCorrupt: when the file is damaged or from a newer version.
    """
    whole = read(path, with_history=True)
    return whole.tables, whole.exists


def stored_tables(path: Path) -> StoredTables:
    """The whole file's tables, and the temporary files of interrupted writes beside it
    (see :func:`archivist.store.raw_tables`)."""
    tables, exists = read_whole(path)
    return StoredTables(tables, exists, [
        f"stray temporary file {stray} (left by an interrupted write; the next change "
        "removes it)" for stray in atomic.stray_temp_files(path)])


class DeferredTables(LazyTables):
    """The tables of an archive file that is read only when a table is first wanted.

    ``list`` answered from the index file (:mod:`.summaryindex`) never reads the
    archive at all.
    """

    def __init__(self, path: Path, identity: list[int] | None = None,
                 layout: Sequence[int] | None = None) -> None:
        super().__init__({}, {}, b"", str(path))
        del self["meta"]
        self.path = path
        self.read: ArchiveFile | None = None
        self._identity = identity
        self._layout = layout

    @property
    def as_expected(self) -> bool:
        """Whether the file read is the version named when these tables were made
        (another process may have written it since)."""
        return self.load().identity == self._identity is not None

    def load(self) -> ArchiveFile:
        """Read the file (once); the tables are then those it holds."""
        if self.read is None:
            def layout_for(identity: list[int]) -> Sequence[int] | None:
                return self._layout if identity == self._identity else None

            self.read = read(self.path, layout_for=layout_for)
            tables = self.read.tables
            self.texts, self._raw, self._name = tables.texts, tables._raw, tables._name
            self.history_text = tables.history_text
            self.update(tables)
        return self.read

    def history_parts(self) -> tuple[Text | None, dict[str, Any] | None]:
        self.load()
        return super().history_parts()

    def pieces(self, name: str) -> list[Text]:
        self.load()
        return super().pieces(name)

    def __missing__(self, key: str) -> Any:
        self.load()
        if key in self:
            return self[key]
        return super().__missing__(key)


def parse_history(text: Text, name: str) -> dict[str, Any]:
    """Parse history text left unparsed by :func:`read`.

    :raises ArchiveCorrupt: when it is damaged.
    """
    history = atomic.loads(bytes(text), f"{name} (its history)")
    if not isinstance(history, dict):
        raise ArchiveCorrupt(f"{name}: not an archivist archive (table 'history' is damaged)")
    return history


#: How much history text :func:`history_entries` reads at a time.
HISTORY_CHUNK = 1 << 22


def history_entries(text: Text, name: str) -> Iterator[tuple[str, Any]]:
    """The entries of history text one at a time, in the order stored, read a few MiB
    at a time: an export of 300,000 entries never holds them all parsed.

    The text is in the layout :func:`_split` accepted: ``{``, one ``"n": {…},`` line
    an entry, ``}`` (JSON strings hold no raw line break, so a line is an entry).

    :raises ArchiveCorrupt: when a line is not an entry.
    """
    carry = b""
    for start in range(0, len(text), HISTORY_CHUNK):
        chunk = carry + bytes(text[start:start + HISTORY_CHUNK])
        cut = chunk.rfind(b"\n") + 1
        carry = chunk[cut:]
        yield from _history_lines(chunk[:cut], name)
    yield from _history_lines(carry, name)


def _history_lines(block: bytes, name: str) -> Iterator[tuple[str, Any]]:
    for line in block.split(b"\n"):
        line = line.removesuffix(b",")
        if line in (b"", b"{", b"}"):
            continue
        try:
            entry = orjson.loads(b"{" + line + b"}")
        except orjson.JSONDecodeError:
            raise ArchiveCorrupt(f"{name}: not an archivist archive (table 'history' is "
                                 "damaged)") from None
        yield from entry.items()
