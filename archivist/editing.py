"""Changing records: ``set`` assignments and the YAML text that ``edit`` round-trips.

Assignments are ``KEY=VALUE`` (set; ``KEY=`` removes), and for the list fields
``KEY+=VALUE`` / ``KEY-=VALUE`` (add / remove one value).  Keys outside the schema, or
written ``fields.NAME``, go to the record's custom ``fields``.  Every change goes
through :func:`~archivist.models.record_from_mapping`, so ``set`` validates exactly as
``add`` does.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archivist.errors import InvalidRecord
from archivist.models import (
    INTERCHANGE_KEYS,
    LIST_FIELDS,
    RESERVED_KEYS,
    Record,
    check_tag,
    interchange,
    record_from_mapping,
    tag_key,
)
from archivist.yamlio import MarkedDict, YamlError, dump, load_all

_ASSIGNMENT = re.compile(r"^(?P<key>[^=+\-\s][^=]*?)(?P<op>\+=|-=|=)(?P<value>.*)$", re.S)
_EDIT_HEADER = (
    "# Edit the record, save and close the editor to apply the change.\n"
    "# Every field is listed: an empty one is null (a list: []); fill it in to set it.\n"
    "# Delete a line, or write null, to remove that value. Links are changed with\n"
    "# `archivist link`, the source with `archivist set ID --file PATH`.\n"
    "# Saving an empty file, or leaving it unchanged, changes nothing.\n"
)


@dataclass(frozen=True)
class Assignment:
    """One ``set`` argument: ``key``, the operator (``=``, ``+=``, ``-=``), ``value``."""

    key: str
    op: str
    value: str


def parse_assignment(text: str) -> Assignment:
    """Split ``KEY=VALUE`` (or ``+=``, ``-=``).

    :raises InvalidRecord: when there is no ``=`` or no key.
    """
    match = _ASSIGNMENT.match(text)
    if match is None:
        raise InvalidRecord(f"expected KEY=VALUE, KEY+=VALUE or KEY-=VALUE, not {text!r}")
    return Assignment(match["key"].strip(), match["op"], match["value"])


def editable_form(record: Record) -> dict[str, Any]:
    """The record's values as a mutable interchange mapping (no links, no archive)."""
    data = interchange(record.to_document(), with_archive=False)
    del data["links"]
    return data


def apply_assignments(record: Record, assignments: Iterable[str], *,
                      missing_ok: bool = False) -> Record:
    """The record with every assignment applied and the result validated.

    ``KEY=VALUE`` on a list field (``tags``, ``creators``) replaces its values with
    those of this call's ``KEY=`` assignments: ``tags=a tags=b`` gives ``[a, b]``.
    ``KEY+=VALUE`` adds a value the list does not hold yet.

    :param missing_ok: ``KEY-=VALUE`` of a value the record does not hold changes
        nothing (a bulk edit), instead of being refused.
    :raises InvalidRecord: for a reserved, unknown-operator or invalid value.
    """
    data = editable_form(record)
    fields: dict[str, Any] = dict(data.get("fields") or {})
    replaced: set[str] = set()
    for text in assignments:
        item = parse_assignment(text)
        target, name = _target(item, text, data, fields)
        if item.op == "=":
            _assign(target is data, data, fields, name, item.value, replaced)
        else:
            _extend(target, name, item, target is data, missing_ok)
    data["fields"] = fields
    return record_from_mapping(data).with_changes(archive=record.archive)


def _target(item: Assignment, text: str, data: dict[str, Any], fields: dict[str, Any]
            ) -> tuple[dict[str, Any], str]:
    """Where an assignment lands: the schema values or the custom fields, and the name.

    :raises InvalidRecord: for keys ``set`` cannot change.
    """
    key = item.key
    if key == "id":
        raise InvalidRecord("the id of a record cannot be changed with set")
    if key == "links":
        raise InvalidRecord("links are changed with `archivist link` and `unlink`")
    if key in RESERVED_KEYS or key.split(".")[0] in RESERVED_KEYS:
        raise InvalidRecord(f"{key!r} is maintained by archivist and cannot be set")
    if key.startswith("fields."):
        target, name = fields, key[len("fields."):]
    else:
        target, name = (data if key in INTERCHANGE_KEYS else fields), key
    if not name:
        raise InvalidRecord(f"no field name in {text!r}")
    if key == "source" and item.value:
        raise InvalidRecord("a source is read from its file, not given as a value")
    if target is data and name == "tags" and item.op != "-=" and "," in item.value:
        raise InvalidRecord(f"{text!r} would make one tag {item.value!r}: a list takes "
                            f"one value per assignment, {_one_each(item)}")
    return target, name


def _one_each(item: Assignment) -> str:
    """How to write ``tags=a,b`` as one assignment per tag."""
    parts = [part.strip() for part in item.value.split(",") if part.strip()]

    def spelled(op: str) -> str:
        return " ".join(shlex.quote(f"tags{op}{part}") for part in parts)

    words = " ".join(shlex.quote(part) for part in parts)
    if item.op == "+=":
        return f"{spelled('+=')} (or `archivist tag ID {words}`)"
    return f"{spelled('=')} to replace the tags, {spelled('+=')} to add them"


def _assign(schema: bool, data: dict[str, Any], fields: dict[str, Any], name: str,
            value: str, replaced: set[str]) -> None:
    """Apply ``NAME=VALUE`` (``NAME=`` removes)."""
    if not schema:
        if value == "":
            fields.pop(name, None)
        else:
            fields[name] = value
    elif name in LIST_FIELDS:
        # The first NAME= of a command replaces the list; the others add to it.
        kept = data[name] if name in replaced else []
        replaced.add(name)
        data[name] = [*kept, value] if value != "" else kept
    elif value == "":
        if name == "title":
            raise InvalidRecord("title cannot be removed")
        data[name] = None
    else:
        data[name] = value


def _extend(target: dict[str, Any], name: str, item: Assignment, schema: bool,
            missing_ok: bool) -> None:
    """Apply ``NAME+=VALUE`` or ``NAME-=VALUE`` to a list."""
    current = target.get(name)
    if current is None:
        current = []
    if not isinstance(current, list):
        raise InvalidRecord(f"{name} holds one value; use {name}=VALUE instead of "
                            f"{item.op}")
    if schema and name == "tags":
        key = tag_key(check_tag(item.value))
        same = [v for v in current if isinstance(v, str) and tag_key(v) == key]
    else:
        same = [v for v in current if v == item.value]
    if item.op == "+=":
        if not same:
            target[name] = [*current, item.value]
    elif same:
        target[name] = [v for v in current if v not in same]
    elif not missing_ok:
        raise InvalidRecord(f"{name} has no value {item.value!r}")


def edit_text(record: Record) -> str:
    """The YAML a user edits for ``record``, with a short explanatory header.

    Every field of the schema is listed, an empty one as ``null`` (``[]`` for a list,
    ``{}`` for ``fields``), so that the user sees what could be filled in.
    """
    return _EDIT_HEADER + dump(editable_form(record))


def parse_edit(text: str, original: Record, name: str = "edited record") -> Record | None:
    """The record described by edited YAML, or ``None`` when the edit changes nothing.

    :raises YamlError: when the text is not acceptable YAML (with line and column).
    :raises InvalidRecord: when the values break the record rules, or the id changed.
    """
    content = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    if not content.strip():
        return None
    documents = load_all(text, name)
    if len(documents) != 1 or not isinstance(documents[0], MarkedDict):
        raise YamlError(name, 1, 1, "the edited text must be one mapping of field: value")
    data = documents[0]
    if "id" in data and data["id"] != original.id:
        raise InvalidRecord(f"the id cannot be changed by editing ({data['id']!r})")
    if "links" in data:
        raise InvalidRecord("links are changed with `archivist link` and `unlink`")
    data = MarkedDict(data)
    data["id"] = original.id
    record = record_from_mapping(data).with_changes(archive=original.archive)
    if record == original:
        return None
    return record


@dataclass(frozen=True)
class EditFile:
    """The file a user edits a record in, in a folder of its own under the temporary
    folder; kept when the edit cannot be saved, so that no edit is thrown away."""

    path: Path
    #: The text written for the editor.
    text: str

    @classmethod
    def create(cls, record: Record) -> EditFile:
        """Write :func:`edit_text` of ``record`` to ``ID.yaml`` in a new folder."""
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="archivist-edit-"))
        path = folder / f"{record.id}.yaml"
        text = edit_text(record)
        path.write_text(text, encoding="utf-8")
        return cls(path, text)

    def read(self) -> str:
        """The text as the editor left it.

        :raises YamlError: when it is not UTF-8 (naming the file and position).
        """
        from archivist.yamlio import decode

        return decode(self.path.read_bytes(), str(self.path))

    def changed(self) -> bool:
        """Whether the file no longer holds the text written for the editor."""
        try:
            return self.read() != self.text
        except (OSError, YamlError):
            return True

    def remove(self) -> None:
        """Remove the file and its folder (what is already gone is ignored)."""
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


def save_edit(archive: Any, original: Record, record: Record, kept_in: Path) -> Record:
    """Write an edited record to an open archive, unless the stored record is no
    longer ``original`` (changed by another command while the editor was open).

    :param kept_in: the edited file, named in the refusal.
    :raises ChangeConflict: when the record changed or went since it was read; when it
        changed, the message ends with where the edit is kept, for a caller to say how
        to apply it.
    """
    from archivist.errors import ChangeConflict

    if original.id not in archive:
        raise ChangeConflict(f"{original.id} was removed while you edited it; nothing was "
                             f"saved; your edit is kept in {kept_in} (`archivist import "
                             f"{shlex.quote(str(kept_in))}` adds it again)")
    if archive.get(original.id) != original:
        raise ChangeConflict(f"{original.id} was changed by another command while you "
                             f"edited it; nothing was saved; your edit is kept in {kept_in}")
    updated: Record = archive.update(record, action="edit")
    return updated


def apply_edit_file(archive: Any, record_id: str, path: Path) -> Record | None:
    """``edit ID --from FILE``: apply an edited file to the record as it is now.

    :returns: the record as written, or ``None`` when the file changes nothing.
    :raises ArchivistError: when the file cannot be read or its values are invalid
        (naming the file, with line and column).
    """
    from archivist.yamlio import decode

    try:
        data = path.read_bytes()
    except OSError as err:
        raise InvalidRecord(f"cannot read {path}: {err.strerror or err}") from None
    current = archive.get(record_id)
    record = parse_edit(decode(data, str(path)), current, name=str(path))
    if record is None:
        return None
    updated: Record = archive.update(record, action="edit")
    return updated


def new_record(values: dict[str, Any], fields: dict[str, Any], taken: Any) -> Record:
    """Validate a new record's values and give it an id (generated when not given).

    :param taken: the archive (anything supporting ``new_id``) the id must be unique in.
    """
    data = {k: v for k, v in values.items() if v not in (None, (), [])}
    data["fields"] = fields
    record = record_from_mapping(data, default_id="pending")
    if not values.get("id"):
        record = record.with_changes(id=taken.new_id(record.title, record.creators,
                                                      record.date))
    return record


def with_tags(record: Record, tags: Iterable[str]) -> Record:
    """The record with ``tags`` added (those it has already, in any case, are kept)."""
    from archivist.models import merge_tags

    return record.with_changes(tags=merge_tags(record.tags, [check_tag(t) for t in tags]))


def without_tags(record: Record, tags: Iterable[str]) -> Record:
    """The record without ``tags`` (matched case-insensitively).

    :raises InvalidRecord: when the record does not have one of them.
    """
    keys = {tag_key(check_tag(t)): t for t in tags}
    have = {tag_key(t) for t in record.tags}
    for key, tag in keys.items():
        if key not in have:
            raise InvalidRecord(f"{record.id} has no tag {tag!r}")
    return record.with_changes(tags=tuple(t for t in record.tags if tag_key(t) not in keys))


@dataclass(frozen=True)
class SourceRequest:
    """A file to describe as a record's source: ``--file``, ``--span``, ``--retrieved``…"""

    file: str
    span: str | None = None
    retrieved: str | None = None
    copy: bool = False


def parse_span(text: str | None) -> tuple[int, int] | None:
    """``"5:9"`` → ``(5, 9)``; a single line ``"7"`` → ``(7, 7)``.

    :raises InvalidRecord: for anything else, or a range that runs backwards.
    """
    if text is None:
        return None
    first, sep, last = text.partition(":")
    if not sep:
        last = first
    if not (first.strip().isdigit() and last.strip().isdigit()):
        raise InvalidRecord(f"bad span {text!r}: use FIRST:LAST line numbers, e.g. 5:9")
    pair = (int(first), int(last))
    if pair[0] < 1 or pair[1] < pair[0]:
        raise InvalidRecord(f"bad span {text!r}: lines count from 1 and run forwards")
    return pair


def resolve_source(archive: Any, request: SourceRequest) -> Any:
    """Hash and describe the requested file as a :class:`~archivist.models.Source`."""
    from archivist.models import check_text
    from archivist.provenance import describe_source

    retrieved = None
    if request.retrieved is not None:
        from archivist.dates import validate_date

        retrieved = validate_date(check_text(request.retrieved, "the retrieval date"))
    return describe_source(request.file, archive.path, span=parse_span(request.span),
                           retrieved=retrieved, copy=request.copy)


@dataclass(frozen=True)
class NewRecord:
    """Everything ``add`` was asked for: values, custom fields, a source file, links."""

    values: dict[str, Any]
    fields: dict[str, Any]
    file: str | None = None
    span: str | None = None
    retrieved: str | None = None
    copy: bool = False
    links: list[tuple[str, str]] = field(default_factory=list)
    #: A source already described, instead of ``file`` (several records of one large
    #: file, such as the pages of a WARC file, hash it once).
    source: Any = None
    #: Where in the source file the record's bytes start (a page in a WARC file).
    offset: int | None = None


def add_record(archive: Any, request: NewRecord) -> Record:
    """Validate and add a new record, with its source and links, to an open archive.

    :raises ArchivistError: for any invalid value, unknown link target or unreadable file.
    """
    record = new_record(request.values, request.fields, archive)
    if request.source is not None:
        record = record.with_changes(source=request.source)
    elif request.file is not None:
        source = resolve_source(archive, SourceRequest(request.file, request.span,
                                                       request.retrieved, request.copy))
        record = record.with_changes(source=source)
    elif request.span is not None or request.retrieved is not None or request.copy:
        raise InvalidRecord("a span, a retrieval date and a copy go with a source file")
    if request.offset is not None and record.source is not None:
        from dataclasses import replace

        record = record.with_changes(source=replace(record.source, offset=request.offset))
    added: Record = archive.add(record)
    if request.links:
        from archivist.links import add_link

        for rel, target in request.links:
            add_link(archive, added.id, rel, target)
    return added


def set_values(archive: Any, record_id: str, assignments: Iterable[str],
               source: SourceRequest | None = None) -> Record:
    """Apply ``set`` assignments (and a new source file) to a record in an open archive."""
    record = apply_assignments(archive.get(record_id), assignments)
    if source is not None:
        record = record.with_changes(source=resolve_source(archive, source))
    updated: Record = archive.update(record)
    return updated
