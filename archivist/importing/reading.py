"""Reading the inputs of an import into located records.

The first half of an import (see :mod:`archivist.importing` for the whole):

* :func:`read_inputs` reads the named files, the ``.yaml``, ``.yml`` and ``.json`` files
  below named folders, or standard input for ``-``, and checks their size, encoding
  and characters (:func:`archivist.yamlio.prepare`), outside the archive's lock;
* :func:`read_entries` parses them with the safe reader of :mod:`archivist.yamlio`,
  one record at a time, into :class:`Entry` records checked as ``add`` checks them,
  each remembering where it stood so that every problem reads ``file:line:column:
  what is wrong``.  Only the record being read is held as parsed YAML: an import of
  10,000 records holds their checked values and positions, not their documents;
* :func:`resolve_sources` finds the source file each record names, relative to the file
  the record came from, and checks the size, hash and span given for it.

Problems are collected in :class:`Problems`, never raised one at a time, so that an
import can list them all: every problem of every record, each at its :class:`Place`,
in the order of the files as given and of their lines.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from archivist.errors import ArchivistError, InvalidRecord
from archivist.importing.dispatch import as_record, items_of
from archivist.importing.formats import format_of, text_lookalike
from archivist.importing.problems import FORMAT_HINT, SIZE_HINT, Place, Problem, Problems
from archivist.models import Record, Source, check_text, record_from_mapping
from archivist.yamlio import (
    MAX_SIZE,
    MarkedDict,
    MarkedList,
    YamlError,
    decode,
    prepare,
)

if TYPE_CHECKING:
    from archivist.store import Archive

#: File name endings taken from folders (compared case-insensitively).
SUFFIXES = (".yaml", ".yml", ".json", ".bib", ".ris")
#: Formats read by a reader of their own, not as YAML.
_TEXT_FORMATS = ("bibtex", "ris")
#: The path that stands for standard input.
STDIN = "-"
#: How standard input is named in messages.
STDIN_LABEL = "<stdin>"
# A placeholder id while a record without one is checked (replaced before storing).
_PENDING_ID = "pending"

#: Called with the number of characters of input just read and checked (for a
#: progress bar over :meth:`Inputs.length`).
Progress = Callable[[int], None]


@dataclass
class InputFile:
    """One input, read and parsed.

    :param name: the path as given (``-`` for standard input), kept in provenance.
    :param label: how messages name it.
    :param folder: where relative ``source.path`` values start.
    :param sha256: SHA-256 of the bytes read.
    :param source: what the YAML reader reads (see :func:`archivist.yamlio.prepare`).
    :param length: its length in characters.
    :param rank: its place among the inputs (see :class:`Place`).
    :param format: what it holds (one of :data:`archivist.importing.formats.FORMATS`).
    """

    name: str
    label: str
    folder: Path
    sha256: str
    source: bytes | str
    length: int
    rank: int = 0
    format: str = "yaml"

    def at(self, position: tuple[int, int]) -> Place:
        """``file:line:column`` for a position in this file."""
        return Place(self.rank, position[0], position[1], self.label)


@dataclass
class Inputs:
    """Everything read for one import, and the problems met reading it."""

    files: list[InputFile] = field(default_factory=list)
    #: Inputs that could not be read, or that stopped parsing part way.
    problems: list[Problem] = field(default_factory=list)

    def length(self) -> int:
        """How many characters there are to read."""
        return sum(f.length for f in self.files)

    def release(self) -> None:
        """Let go of the text read (an import does once it has checked it)."""
        for source_file in self.files:
            source_file.source = b""


# -- reading ------------------------------------------------------------------------


def _sort_key(path: str) -> tuple[str, ...]:
    return Path(path).parts


def expand_paths(paths: Sequence[str], problems: list[str], *,
                 skip: Path | None = None, format: str | None = None) -> list[str]:
    """The files to read for ``paths``: files as given, folders searched recursively.

    Folders contribute their ``.yaml``, ``.yml``, ``.json``, ``.bib`` and ``.ris`` files,
    sorted by path, or, for a papis library, the ``info.yaml`` of each document; hidden
    files and folders, and the archive file ``skip`` itself, are left out.  Problems (a
    missing path, a file of another type) are appended to ``problems``.
    """
    found = _expand(paths, skip, format)
    problems.extend(f"{_shown(path)}:1:1: {problem}" for path, problem, _ in found if problem)
    return [path for path, problem, _ in found if problem is None]


def _expand(paths: Sequence[str], skip: Path | None, forced: str | None = None
            ) -> list[tuple[str, str | None, str]]:
    """:func:`expand_paths` in the order given: each file with its problem (if any) and
    the format to read it in."""
    from archivist.importing import papis

    skip_real = os.path.realpath(skip) if skip is not None else None
    files: list[tuple[str, str | None, str]] = []
    for path in paths:
        if path == STDIN:
            files.append((path, None, forced or "yaml"))
        elif os.path.isdir(path) and (forced == "papis" or (forced is None
                                                             and papis.is_library(path))):
            files.extend((os.path.normpath(doc), None, "papis")
                         for doc in papis.documents(path))
        elif os.path.isdir(path):
            found: list[str] = []
            for top, folders, names in os.walk(path):
                folders[:] = [f for f in folders if not f.startswith(".")]
                for name in names:
                    full = os.path.normpath(os.path.join(top, name))
                    if (not name.startswith(".") and name.lower().endswith(SUFFIXES)
                            and os.path.realpath(full) != skip_real):
                        found.append(full)
            files.extend((name, None, format_of(name, forced) or "yaml")
                         for name in sorted(found, key=_sort_key))
        elif not os.path.lexists(path):
            files.append((path, "no such file or folder", "yaml"))
        elif format_of(path, forced) is None:
            files.append((path, f"not a .yaml, .yml, .json, .bib or .ris file {FORMAT_HINT}",
                          "yaml"))
        else:
            files.append((path, None, format_of(path, forced) or "yaml"))
    return files


def _shown(path: str) -> str:
    # Names that are not UTF-8 arrive with surrogate escapes; show their bytes instead.
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _read_file(path: str, max_size: int) -> bytes:
    """The bytes of ``path``, refusing a file over ``max_size`` before reading it."""
    from archivist.provenance import open_regular, source_error

    try:
        fd = open_regular(path)
    except OSError as err:
        raise YamlError(_shown(path), 1, 1, str(source_error(path, err))) from None
    with os.fdopen(fd, "rb") as stream:
        size = os.fstat(fd).st_size
        if size > max_size:
            raise YamlError(_shown(path), 1, 1, f"the file is {size:,} bytes, over the limit "
                                                f"of {max_size:,} {SIZE_HINT}")
        return stream.read(max_size + 1)


def read_inputs(paths: Sequence[str], *, max_size: int | None = None,
                stdin: IO[bytes] | None = None, skip: Path | None = None,
                format: str | None = None) -> Inputs:
    """Read and parse every input of an import; problems are collected, not raised.

    :param paths: files, folders, or ``-`` for ``stdin``.
    :param max_size: the largest file accepted, in bytes (default 10 MiB).
    :param skip: the archive file, never read as input when found in a folder.
    :param format: the format of every input (``--format``); else each file's own, by
        its name (:func:`archivist.importing.formats.format_of`).
    """
    limit = MAX_SIZE if max_size is None else max_size
    inputs = Inputs()
    seen_stdin = False
    for rank, (path, problem, fmt) in enumerate(_expand(paths, skip, format)):
        label = STDIN_LABEL if path == STDIN else _shown(path)
        try:
            if problem is not None:
                raise YamlError(label, 1, 1, problem)
            if path == STDIN:
                if seen_stdin or stdin is None:
                    raise YamlError(label, 1, 1, "standard input can be read only once")
                seen_stdin = True
                data = stdin.read(limit + 1)
                folder = Path.cwd()
            else:
                if label != path:
                    raise YamlError(label, 1, 1, "the file name is not valid UTF-8; rename "
                                                 "the file")
                data = _read_file(path, limit)
                folder = Path(os.path.abspath(os.path.dirname(path) or "."))
            if len(data) > limit:
                # Standard input (or a file that grew): only the start was read.
                raise YamlError(label, 1, 1, f"the input is over the limit of {limit:,} "
                                             f"bytes {SIZE_HINT}")
            source: bytes | str
            if fmt in _TEXT_FORMATS:
                source = decode(data, label, limit)
                length = len(source)
            else:
                lookalike = text_lookalike(data)
                if lookalike is not None:
                    raise YamlError(label, 1, 1, lookalike)
                source, length = prepare(data, label, max_size=limit,
                                         strict_json=path.lower().endswith(".json"))
        except YamlError as err:
            inputs.problems.append(Problem(Place(rank, err.line, err.column, label),
                                           err.problem))
            continue
        inputs.files.append(InputFile(path, label, folder, hashlib.sha256(data).hexdigest(),
                                      source, length, rank, fmt))
    return inputs


# -- located records ----------------------------------------------------------------


class Entry:
    """One record of the import as it goes through the checks.

    The record is kept packed, as its JSON text, between checks: an import of
    10,000 records holds 10,000 of these until it writes, and the parsed form of
    each would take three times the room.  What every check reads (the id, the tags,
    the source) is kept unpacked beside it.
    """

    __slots__ = ("_packed", "action", "broken", "explicit_id", "id", "links", "marks",
                 "source", "source_file", "tags")

    def __init__(self, source_file: InputFile, record: Record, explicit_id: bool,
                 marks: dict[str, int] | None = None, *, broken: bool = False) -> None:
        self.source_file = source_file
        self.explicit_id = explicit_id
        #: Whether the record has problems already: it is checked on (its id, source
        #: and links) only so that every problem of it is listed, and never stored.
        self.broken = broken
        #: Where the record stood, and its ``id`` and the keys of its ``source``
        #: (``source.path``…): what later checks name (packed by :func:`_mark`).
        self.marks: dict[str, int] = marks if marks is not None else {}
        self.action = "add"
        #: ``(rel, target, where rel stands, where target stands)`` for each link given
        #: (the places packed as :attr:`marks` are: see :meth:`at`).
        self.links: list[tuple[str, str, int, int]] = []
        self.record = record

    @property
    def record(self) -> Record:
        """The record as checked so far (unpacked on each use: keep it while needed)."""
        packed = self._packed
        if isinstance(packed, Record):
            return packed
        return Record.from_document(orjson.loads(packed))

    @record.setter
    def record(self, record: Record) -> None:
        self.id: str = record.id
        self.tags: tuple[str, ...] = record.tags
        self.source: Source | None = record.source
        self._packed: bytes | Record
        try:
            # A copy: orjson's own result keeps a buffer of 4 KiB whatever its length.
            self._packed = bytes(memoryview(orjson.dumps(record.to_document())))
        except orjson.JSONEncodeError:
            self._packed = record  # kept whole; the write will name the problem

    def where(self, key: str | None = None, sub: str | None = None) -> Place:
        """``file:line:column`` of ``key`` (or ``key.sub``), else of the record."""
        return self.at(next((self.marks[name] for name in (f"{key}.{sub}", key, "")
                             if name in self.marks), _mark((1, 1))))

    def at(self, packed: int) -> Place:
        """``file:line:column`` of a place packed by :func:`_mark`."""
        return self.source_file.at((packed >> 32, packed & 0xFFFFFFFF))


def _mark(position: tuple[int, int]) -> int:
    # One int a position, not a tuple: an import holds a few per record.
    return position[0] << 32 | position[1]


#: The :attr:`Entry.marks` key of the lines of a record's entry in a file of many
#: (BibTeX, RIS), packed first << 32 | last, kept in its provenance.
SPAN_MARK = "lines"
#: The :attr:`Entry.marks` key present when a record's id is its citation key.
CITEKEY_MARK = "citekey"


def _marks(data: MarkedDict) -> dict[str, int]:
    """What :attr:`Entry.marks` keeps of a record's positions."""
    marks = {"": _mark(data.position())}
    if "id" in data:
        marks["id"] = _mark(data.position("id"))
    span = getattr(data, "span", None)
    if span is not None:
        marks[SPAN_MARK] = _mark(span)
    if getattr(data, "from_key", False) and "id" in marks:
        marks[CITEKEY_MARK] = marks["id"]
    source = data.get("source")
    if isinstance(source, MarkedDict):
        # The mapping itself: where a key it lacks (``source.sha256``) is named.
        marks["source"] = _mark(source.position())
        marks.update((f"source.{sub}", _mark(source.position(sub))) for sub in source)
    return marks


def _problem(values: dict[str, Any]) -> str | None:
    """What is wrong with ``values`` on their own (with a stand-in title), if anything."""
    try:
        record_from_mapping({"title": "probe", **values}, default_id=_PENDING_ID)
    except ArchivistError as err:
        return str(err)
    return None


def _every_problem(source_file: InputFile, data: MarkedDict, error: ArchivistError,
                   problems: Problems) -> dict[str, Any]:
    """Report each problem of a record that did not pass, each at its key.

    Checking each key on its own (and each key of ``source`` and ``fields``) finds
    every culprit without every rule having to report which key it checked.

    :param error: what checking the whole record said (reported when no key alone
        is at fault).
    :returns: the keys of ``data`` that pass on their own.
    """
    valid: dict[str, Any] = {}
    found = len(problems)
    for key, value in data.items():
        if key == "links":
            continue
        message = _problem({key: value})
        if message is None:
            valid[key] = value
            continue
        inside = []
        if key in ("source", "fields") and isinstance(value, MarkedDict):
            # The culprits inside the section: a source needs a path to be checked.
            base = {"path": "probe"} if key == "source" else {}
            inside = [(sub, problem) for sub, problem in (
                (sub, _problem({key: {**base, sub: item}})) for sub, item in value.items())
                if problem is not None]
            for sub, problem in inside:
                problems.add(source_file.at(value.position(sub)), problem)
        if not inside:
            problems.add(source_file.at(data.position(key)), message)
    if data.get("title") is None:
        problems.add(source_file.at(data.position()), "a record needs a title")
    if len(problems) == found:
        problems.add(source_file.at(data.position()), str(error))
    return valid


def read_entries(inputs: Inputs, problems: Problems, known: set[str],
                 progress: Progress | None, skipped: Problems | None = None) -> list[Entry]:
    """Every record of the inputs, validated as ``add`` validates (ids not yet given).

    A record with problems is reported (every problem of it) and kept as an entry
    marked ``broken`` of the values that passed, so that the later checks report the
    problems of its id, source and links too.  A file that stops parsing, or whose
    first record is of a format archivist cannot import, adds its problem to
    ``inputs.problems`` too.

    :param known: receives the id of every record that names one, valid or not, so
        that a link to a record with an error is not reported as a second problem.
    :param skipped: when given (``--skip-bad``), an entry with a problem is left out
        and its problems noted here instead.
    """
    entries: list[Entry] = []
    for source_file in inputs.files:
        done = read = 0
        try:
            for number, item, position, read_to in items_of(source_file, problems, skipped):
                done += 1
                if progress is not None and done % 100 == 0 and read_to > read:
                    progress(read_to - read)
                    read = read_to
                item = as_record(source_file, number, item, position, problems, skipped,
                                 first=done == 1)
                if item is None:
                    continue
                if isinstance(item.get("id"), str):
                    known.add(item["id"].lower())
                if skipped is None:
                    entry = _entry(source_file, item, problems)
                else:
                    entry = _entry(source_file, item, own := Problems())
                    if own:
                        skipped.extend(own)
                        continue
                if entry is not None:
                    entries.append(entry)
        except YamlError as err:
            # Shown even past the limit: it must not be lost among the problems of the
            # records read before it.
            place = Place(source_file.rank, err.line, err.column, source_file.label)
            problems.add(place, err.problem, stop=True)
            inputs.problems.append(Problem(place, err.problem))
        if progress is not None:
            progress(source_file.length - read)
    return entries


def _entry(source_file: InputFile, data: MarkedDict, problems: Problems) -> Entry | None:
    broken = False
    try:
        record = record_from_mapping(data, default_id=_PENDING_ID)
    except ArchivistError as err:
        broken = True
        valid = _every_problem(source_file, data, err, problems)
        try:
            record = record_from_mapping({**valid, "title": valid.get("title", "untitled")},
                                         default_id=_PENDING_ID)
        except ArchivistError:
            return None
    explicit = data.get("id") is not None and not (broken and "id" not in valid)
    entry = Entry(source_file, record, explicit, _marks(data), broken=broken)
    links = data.get("links")
    if links is None:
        return entry
    if not isinstance(links, MarkedList):
        problems.add(source_file.at(data.position("links")),
                     "links must be a list of {rel, target} mappings")
        return entry
    for index, link in enumerate(links):
        where = source_file.at(links.position(index))
        if not isinstance(link, MarkedDict) or set(link) != {"rel", "target"}:
            problems.add(where, "a link is a mapping of exactly rel and target, e.g. "
                                "{rel: part-of, target: some-id}")
            continue
        try:
            rel = check_text(link["rel"], "a link's rel")
            target = check_text(link["target"], "a link's target")
        except ArchivistError as err:
            problems.add(where, str(err))
            continue
        # Few relation names, many links: one string for each name.
        entry.links.append((sys.intern(rel), target, _mark(link.position("rel")),
                            _mark(link.position("target"))))
    return entry


# -- sources ------------------------------------------------------------------------


def resolve_sources(archive: Archive, entries: list[Entry], problems: Problems) -> None:
    """Hash every source file once, check given sizes and hashes, store paths as usual."""
    groups: dict[str, list[tuple[Entry, str]]] = {}
    for entry in entries:
        source = entry.source
        if source is None or entry.action == "skip":
            continue
        absolute = os.path.normpath(os.path.join(entry.source_file.folder, source.path))
        groups.setdefault(os.path.realpath(absolute), []).append((entry, absolute))
    for group in groups.values():
        _resolve_group(archive, group, problems)


def _resolve_group(archive: Archive, group: list[tuple[Entry, str]],
                   problems: Problems) -> None:
    """Describe one source file for every record that names it."""
    from archivist.provenance import describe_source, stored_path

    first, absolute = group[0]
    given = first.source
    assert given is not None
    spans = [e.source.span[1] for e, _ in group
             if e.source is not None and e.source.span is not None]
    found: Source | None = None
    lines: int | None = None
    if os.path.exists(absolute):
        folder = first.source_file.folder
        try:
            try:
                # One read per file: checking the longest span checks the others.
                found = describe_source(given.path, archive.path, base=folder,
                                        span=(1, max(spans)) if spans else None)
            except InvalidRecord:
                # Some span runs past the end: find out which, to say so for each.
                found = describe_source(given.path, archive.path, base=folder)
                lines = _count_lines(absolute)
        except ArchivistError as err:
            for entry, _ in group:
                problems.add(entry.where("source", "path"), str(err))
            return
    for entry, path in group:
        source = entry.source
        assert source is not None
        if found is None and source.sha256 is None:
            problems.add(entry.where("source", "path"),
                         f"no such file: {path} (give source.sha256 to describe a file "
                         "that is not here)")
            continue
        if found is None:
            # Not here, but described by its hash: kept (verify will report it
            # missing), like a record whose file was moved away.
            entry.record = entry.record.with_changes(
                source=replace(source, path=stored_path(path, archive.path)))
            continue
        if source.sha256 is not None and source.sha256 != found.sha256:
            problems.add(entry.where("source", "sha256"),
                         f"source.sha256 is {source.sha256} but {source.path} has sha256 "
                         f"{found.sha256}")
        elif source.size is not None and source.size != found.size:
            problems.add(entry.where("source", "size"),
                         f"source.size is {source.size} but {source.path} has {found.size} "
                         "bytes")
        elif lines is not None and source.span is not None and source.span[1] > lines:
            problems.add(entry.where("source", "span"),
                         f"source.span {list(source.span)} runs past the end of "
                         f"{source.path} ({lines} lines)")
        entry.record = entry.record.with_changes(source=replace(
            source, path=stored_path(path, archive.path), sha256=found.sha256,
            size=found.size))


def _count_lines(path: str) -> int:
    from archivist.provenance import hash_descriptor, open_regular, source_error

    try:
        fd = open_regular(path)
        try:
            return hash_descriptor(fd, count_lines=True).lines or 0
        finally:
            os.close(fd)
    except OSError as err:
        raise source_error(path, err) from None
