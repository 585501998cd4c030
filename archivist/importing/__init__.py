"""Importing records from YAML and JSON files: check everything, then write once.

An import runs in two steps:

1. :func:`read_inputs` reads the files (outside the archive's lock): each named file,
   every ``.yaml``, ``.yml`` and ``.json`` file below a named folder (sorted by path,
   hidden files and folders left out), or standard input for ``-``.  Each is parsed
   with the safe reader of :mod:`archivist.yamlio`, so hostile input (tags, alias
   bombs, deep nesting, huge files, bad encodings) is refused with its position.
2. :func:`import_records` validates every record against the open archive: the record
   rules of ``add``, unique ids (case-insensitively, within the import and against the
   archive), sources (hashed once per file), and links (whose targets may be anywhere
   in the import).  A record without an id is the archive's record it matches
   (:func:`_give_ids`), for ``--on-conflict`` to decide about.  Only when nothing is
   wrong does it change the archive, in one go; otherwise it raises
   :class:`~archivist.errors.ImportFailed` listing every problem of every record as
   ``file:line:column: what is wrong`` (:mod:`archivist.importing.problems`), and the
   archive is left as it was.

A file holds one record (a mapping), a list of records, or a stream of documents
separated by ``---``; a ``.json`` file is strict JSON, and a file of a format archivist
cannot import (:mod:`archivist.importing.formats`) is refused as such.  Records use the
interchange form (DESIGN.md); the read-only ``archive`` section that ``show --format
json`` prints is ignored, so anything archivist exports can be imported again.

Reading the inputs into located records, and finding their sources, is the work of
:mod:`archivist.importing.reading`; this module decides what an import does and does it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archivist.errors import InvalidLink, InvalidRecord
from archivist.ids import generate_id
from archivist.importing.problems import CONFLICT_HINT, MAX_PROBLEMS, Place, Problems
from archivist.importing.reading import (
    CITEKEY_MARK,
    SPAN_MARK,
    STDIN,
    STDIN_LABEL,
    SUFFIXES,
    Entry,
    InputFile,
    Inputs,
    Progress,
    expand_paths,
    read_entries,
    read_inputs,
    resolve_sources,
)
from archivist.models import Record, tag_key
from archivist.yamlio import paused_gc

if TYPE_CHECKING:
    from archivist.store import Archive

# Reading the inputs lives in archivist.importing.reading; its public names are part of this
# module's interface too.
__all__ = [
    "CONFLICT_MODES", "MAX_PROBLEMS", "STDIN", "STDIN_LABEL", "SUFFIXES", "ImportOptions",
    "ImportResult", "InputFile", "Inputs", "Progress", "expand_paths", "import_records",
    "read_inputs",
]

#: What ``--on-conflict`` accepts: refuse, leave the existing record, or replace it.
CONFLICT_MODES = ("error", "skip", "update")


@dataclass(frozen=True)
class ImportOptions:
    """How to import.

    :param on_conflict: what to do with a record whose id exists: ``error``, ``skip``
        (leave it and its links alone) or ``update`` (replace its values, add new links).
    :param dry_run: check everything and report, but change nothing.
    :param command: the command line, kept in each record's provenance.
    :param skip_bad: leave out each entry with a problem (listed in
        :attr:`ImportResult.skipped`) and import the rest, instead of nothing.
    """

    on_conflict: str = "error"
    dry_run: bool = False
    command: str = "archivist import"
    skip_bad: bool = False


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do).

    :param actions: ``(action, id)`` for each record in input order, ``action`` one of
        ``add``, ``update``, ``skip``.
    :param links: how many links were stored.
    """

    actions: list[tuple[str, str]]
    links: int
    dry_run: bool = False
    #: With ``skip_bad``: ``file:line:column: problem`` for each entry left out.
    skipped: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        """How many records had ``action``."""
        return sum(1 for done, _ in self.actions if done == action)

    def summary(self) -> str:
        """One line for people: ``imported N records (M links), skipped K, updated U``."""
        added, skipped, updated = self.count("add"), self.count("skip"), self.count("update")
        noun = "record" if added == 1 else "records"
        if self.dry_run:
            return (f"dry run: would import {added} {noun} ({self.links} links), skip "
                    f"{skipped}, update {updated}; nothing was changed")
        return f"imported {added} {noun} ({self.links} links), skipped {skipped}, updated {updated}"


# -- checking -----------------------------------------------------------------------


class _Taken:
    """Ids in use: the archive's and the import's, compared case-insensitively."""

    def __init__(self, archive: Archive, batch: set[str]) -> None:
        self.archive, self.batch = archive, batch

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and (record_id in self.archive
                                               or record_id.lower() in self.batch)


def _check_ids(archive: Archive, entries: list[Entry], on_conflict: str,
               problems: Problems) -> None:
    """Refuse repeated ids; decide add, skip or update for ids the archive has."""
    first: dict[str, Place] = {}
    for entry in entries:
        if not entry.explicit_id:
            continue
        key = entry.id.lower()
        if key in first:
            problems.add(entry.where("id"), f"the id {entry.id!r} is used twice in "
                                            f"this import (first at {first[key]})")
            continue
        first[key] = entry.where("id")
        if entry.id in archive:
            if on_conflict == "error":
                problems.add(entry.where("id"), f"a record with id {entry.id!r} "
                                                f"already exists {CONFLICT_HINT}")
            entry.action = "skip" if on_conflict == "skip" else "update"


def _free_citekeys(archive: Archive, entries: list[Entry]) -> None:
    """A citation key is a record's id only when the archive has no other record by
    that id: else (another record's id) the record gets an id of its own."""
    for entry in entries:
        if CITEKEY_MARK in entry.marks and entry.explicit_id and entry.id in archive:
            stored = archive.get(entry.id).fields.get("citekey")
            if stored != entry.record.fields.get("citekey"):
                entry.explicit_id = False


def _give_ids(archive: Archive, entries: list[Entry], on_conflict: str,
              spelling: dict[str, str], problems: Problems) -> None:
    """Give each record without an id the id of the archive's record it is, or a new one.

    A record without an id is the archive's record that holds exactly its values (an
    earlier import of the same file), or else the one with its source (path and
    span), or else the one with its title, date and first creator (an earlier import
    of the file, edited since): that record is what ``--on-conflict`` decides about,
    so re-importing an edited file updates its records instead of adding them again.
    A record matching several is refused (an id says which).  Otherwise it gets an id
    made from its values.
    """
    batch = {e.id.lower() for e in entries if e.explicit_id}
    taken = _Taken(archive, batch)
    matcher: _Matcher | None = None
    for entry in entries:
        if entry.explicit_id or entry.broken:
            continue
        record = entry.record
        same, how = _same_record(archive, record, batch, spelling), ""
        if same is None:
            if matcher is None:  # only an import of records without ids needs it
                matcher = _Matcher(archive)
            found, how = matcher.match(record, batch)
            how = f", found {how}"
            if len(found) > 1:
                shown = ", ".join(repr(i) for i in found[:3]) + (", …" if len(found) > 3
                                                                 else "")
                problems.add(entry.where(), f"this record matches {len(found)} records of "
                                            f"the archive{how} ({shown}); give it the id "
                                            "of the one it is")
            same = found[0] if len(found) == 1 else None
        if same is not None:
            entry.record = record.with_changes(id=same)
            entry.action = "skip" if on_conflict == "skip" else "update"
            if on_conflict == "error":
                problems.add(entry.where(), f"this record is already in the archive as "
                                            f"{same!r}{how} {CONFLICT_HINT}")
        else:
            entry.record = record.with_changes(
                id=generate_id(record.title, record.creators, record.date, taken))
        batch.add(entry.id.lower())


def _same_record(archive: Archive, record: Record, batch: set[str],
                 spelling: dict[str, str]) -> str | None:
    """The id of the archive's record holding exactly ``record``'s values, found among
    the ids made from them (``base``, ``base-2``…), unless this import has it."""
    base = generate_id(record.title, record.creators, record.date, ())
    candidate, n = base, 1
    while candidate in archive:
        if candidate.lower() not in batch and _same_values(archive, candidate, record,
                                                           spelling):
            return archive.canonical_id(candidate)
        n += 1
        candidate = f"{base}-{n}"
    return None


class _Matcher:
    """The archive's records by source and by title, date and first creator, for
    finding the record that an imported record without an id is."""

    def __init__(self, archive: Archive) -> None:
        self.by_source: dict[tuple[Any, ...], list[str]] = {}
        self.by_values: dict[tuple[Any, ...], list[str]] = {}
        self.by_citekey: dict[tuple[Any, ...], list[str]] = {}
        for doc in archive.documents():
            citekey = (doc.get("fields") or {}).get("citekey")
            if isinstance(citekey, str):
                self.by_citekey.setdefault((citekey,), []).append(doc["id"])
            source = doc.get("source")
            if isinstance(source, dict):
                key = _source_key(source.get("path"), source.get("span"),
                                  source.get("offset"))
                self.by_source.setdefault(key, []).append(doc["id"])
            creators = doc.get("creators") or [None]
            self.by_values.setdefault(_values_key(doc.get("title"), doc.get("date"),
                                                  creators[0]), []).append(doc["id"])

    def match(self, record: Record, batch: set[str]) -> tuple[list[str], str]:
        """The ids of the records ``record`` is (none, one, or too many to say), by
        source or else by values, leaving out those this import has already; and how
        they were found, for messages."""
        citekey = record.fields.get("citekey")
        if isinstance(citekey, str):
            found = self._free(self.by_citekey, (citekey,), batch)
            if found:
                return found, "by its citation key"
        if record.source is not None:
            found = self._free(self.by_source, _source_key(
                record.source.path, record.source.span, record.source.offset), batch)
            if found:
                return found, "by its source"
        first = record.creators[0] if record.creators else None
        return (self._free(self.by_values, _values_key(record.title, record.date, first),
                           batch), "by its title, date and first creator")

    @staticmethod
    def _free(table: dict[tuple[Any, ...], list[str]], key: tuple[Any, ...],
              batch: set[str]) -> list[str]:
        return [record_id for record_id in table.get(key, ())
                if record_id.lower() not in batch]


def _source_key(path: Any, span: Any, offset: Any = None) -> tuple[Any, ...]:
    return (path, tuple(span) if isinstance(span, (list, tuple)) else None, offset)


def _values_key(title: Any, date: Any, creator: Any) -> tuple[Any, ...]:
    """Title and first creator compared as whole values are (case and composition
    aside, spaces collapsed), the date as written."""
    from archivist.folding import exact_key

    def text(value: Any) -> Any:
        return exact_key(" ".join(value.split())) if isinstance(value, str) else value

    return text(title), date, text(creator)


def _same_values(archive: Archive, record_id: str, record: Record,
                 spelling: dict[str, str]) -> bool:
    """Whether the archive's ``record_id`` holds exactly ``record``'s values.

    :param spelling: the archive's spelling of each tag (see ``tag_spellings``).
    """
    stored = archive.get(record_id)
    tags = tuple(spelling.get(tag_key(t), t) for t in record.tags)
    return stored == record.with_changes(id=stored.id, tags=tags)


def _canonical_tags(entries: list[Entry], spelling: dict[str, str]) -> None:
    """Spell each tag as the archive, or else the import, first spelled it."""
    spelling = dict(spelling)
    for entry in entries:
        if entry.action == "skip" or not entry.tags:
            continue
        tags = tuple(spelling.setdefault(tag_key(tag), tag) for tag in entry.tags)
        if tags != entry.tags:
            entry.record = entry.record.with_changes(tags=tags)


def _check_links(archive: Archive, entries: list[Entry], known: set[str],
                 problems: Problems) -> list[Any]:
    """Check every link of the records to add or update; return the links to store."""
    from archivist.links import canonical, validate_new_links

    triples: list[tuple[str, str, str]] = []
    places: list[tuple[Entry, int]] = []
    for entry in entries:
        if entry.action == "skip":
            continue
        source = entry.id
        for rel, target, where, target_where in entry.links:
            try:
                canonical(rel)
            except InvalidLink as err:
                problems.add(entry.at(where), str(err))
                continue
            if target.lower() == source.lower() and (entry.explicit_id or not entry.broken):
                problems.add(entry.at(target_where), f"a record cannot be linked to itself "
                                                     f"({source} {rel} {target})")
            elif target not in archive and target.lower() not in known:
                problems.add(entry.at(target_where), f"no record with id {target!r} in the "
                                                     "archive or in this import")
            else:
                triples.append((source, rel, target))
                places.append((entry, where))
    if problems or not triples:
        return []
    new_ids = {e.id for e in entries if e.action == "add"}
    try:
        return validate_new_links(archive, triples, new_ids)
    except InvalidLink as err:
        message = str(err)
        entry, where = next((place for (src, rel, dst), place in zip(triples, places)
                             if f"{src} {rel} {dst}" in message
                             or _canonical_text(src, rel, dst) in message), places[0])
        problems.add(entry.at(where), message)
        return []


def _canonical_text(src: str, rel: str, dst: str) -> str:
    from archivist.links import canonical

    name, swap = canonical(rel)
    return f"{dst} {name} {src}" if swap else f"{src} {name} {dst}"


def _link_key(src: str, rel: str, dst: str) -> tuple[str, str, str]:
    """A link's identity: canonical relation and direction, ids case-folded."""
    from archivist.links import SYMMETRIC, canonical

    name, swap = canonical(rel)
    a, b = (dst, src) if swap else (src, dst)
    a, b = a.lower(), b.lower()
    if name in SYMMETRIC and b < a:
        a, b = b, a
    return a, name, b


def _plan(archive: Archive, inputs: Inputs, options: ImportOptions,
          progress: Progress | None = None) -> tuple[list[Entry], list[Any], list[str]]:
    """Check everything an import would do; the archive is not changed.

    :returns: the checked records with their actions, the links to store, and (with
        ``skip_bad``) the entries left out.
    :raises ImportFailed: listing every problem found (at most :data:`MAX_PROBLEMS`).
    """
    if options.on_conflict not in CONFLICT_MODES:
        raise InvalidRecord(f"on_conflict takes {', '.join(CONFLICT_MODES)}, not "
                            f"{options.on_conflict!r}")
    problems = Problems()
    for problem in inputs.problems:
        problems.add(problem.place, problem.message, stop=True)
    known: set[str] = set()
    skipped = Problems() if options.skip_bad else None
    entries = read_entries(inputs, problems, known, progress, skipped)
    inputs.release()  # the records are packed in their entries now
    spelling = archive.tag_spellings()
    _free_citekeys(archive, entries)
    _check_ids(archive, entries, options.on_conflict, problems)
    resolve_sources(archive, entries, problems)
    _give_ids(archive, entries, options.on_conflict, spelling, problems)
    known.update(e.id.lower() for e in entries if e.explicit_id or not e.broken)
    _canonical_tags(entries, spelling)
    # A file that did not parse may hold the targets of other files' links.
    links = [] if inputs.problems else _check_links(archive, entries, known, problems)
    problems.raise_if_any()
    assert not any(entry.broken for entry in entries)
    # An update that changes nothing is a skip: re-importing changes nothing at all.
    updating = any(entry.action == "update" for entry in entries)
    new_links = {_link_key(link.src, link.rel, link.dst) for link in links} if updating else set()
    for entry in entries:
        if entry.action == "update" and not any(
                _link_key(entry.id, rel, target) in new_links
                for rel, target, _, _ in entry.links) and _same_values(
                archive, entry.id, entry.record, spelling):
            entry.action = "skip"
    return entries, links, skipped.items if skipped is not None else []


def import_records(archive: Archive, inputs: Inputs, options: ImportOptions,
                   progress: Progress | None = None) -> ImportResult:
    """Import checked records into the open ``archive``, all or nothing.

    Nothing is changed when ``options.dry_run`` is set, or when any problem is found.
    Each record added remembers how it came in: the file as given, the SHA-256 of its
    bytes, and the command line.  The parsed documents of ``inputs`` are released once
    checked, so that their memory serves the write.

    :raises ImportFailed: listing every problem found (at most :data:`MAX_PROBLEMS`).
    """
    with paused_gc():
        entries, links, skipped = _plan(archive, inputs, options, progress)
        result = ImportResult([(e.action, e.id) for e in entries], len(links),
                              dry_run=options.dry_run, skipped=skipped)
        if options.dry_run:
            return result
        added = [e for e in entries if e.action == "add"]
        updates = [e.record for e in entries if e.action == "update"]
        del entries
        # The lines of each record's entry in a file of many (BibTeX, RIS).
        spans = [e.marks.get(SPAN_MARK) for e in added]
        for entry in added:  # only the packed record is wanted now
            entry.links, entry.marks = [], {}

        def new() -> Iterator[tuple[Record, dict[str, Any]]]:
            for entry, span in zip(added, spans):
                how: dict[str, Any] = {"file": entry.source_file.name,
                                       "sha256": entry.source_file.sha256,
                                       "command": options.command}
                if span is not None:
                    how["lines"] = [span >> 32, span & 0xFFFFFFFF]
                yield entry.record, how

        if not updates and (added or links):
            # Each record is unpacked only as it is written.
            triples = [(link.src, link.rel, link.dst) for link in links]
            del links
            archive.add_and_write(new, len(added), triples)
            return result
        if added:
            archive.add_many(new())
        if updates:
            # Tags are spelled already (archive first, then this import).
            archive.update_many(updates, action="import", respell=False)
        if links:
            archive.store_links(link.as_dict() for link in links)
    return result
