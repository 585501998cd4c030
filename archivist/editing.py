"""Changing records: ``set`` assignments and the YAML text that ``edit`` round-trips.

Assignments are ``KEY=VALUE`` (set; ``KEY=`` removes), and for the list fields
``KEY+=VALUE`` / ``KEY-=VALUE`` (add / remove one value).  Keys outside the schema, or
written ``fields.NAME``, go to the record's custom ``fields``.  Every change goes
through :func:`~archivist.models.record_from_mapping`, so ``set`` validates exactly as
``add`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
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
    "# Delete a line to remove that value. Links are changed with `archivist link`.\n"
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


def apply_assignments(record: Record, assignments: Iterable[str]) -> Record:
    """The record with every assignment applied and the result validated.

    :raises InvalidRecord: for a reserved, unknown-operator or invalid value.
    """
    data = editable_form(record)
    fields: dict[str, Any] = dict(data.get("fields") or {})
    for text in assignments:
        item = parse_assignment(text)
        key = item.key
        if key == "id":
            raise InvalidRecord("the id of a record cannot be changed with set")
        if key == "links":
            raise InvalidRecord("links are changed with `archivist link` and `unlink`")
        if key in RESERVED_KEYS or key.split(".")[0] in RESERVED_KEYS:
            raise InvalidRecord(f"{key!r} is maintained by archivist and cannot be set")
        if key.startswith("fields."):
            key = key[len("fields."):]
            target, name = fields, key
        elif key in INTERCHANGE_KEYS:
            target, name = data, key
        else:
            target, name = fields, key
        if not name:
            raise InvalidRecord(f"no field name in {text!r}")
        if key == "source" and item.value:
            raise InvalidRecord("set a source with `archivist set ID --file PATH`")
        if item.op == "=":
            if item.value == "" and target is fields:
                fields.pop(name, None)
            elif item.value == "":
                if name == "title":
                    raise InvalidRecord("title cannot be removed")
                data[name] = [] if name in LIST_FIELDS else None
            elif target is data and name in LIST_FIELDS:
                data[name] = [item.value]
            else:
                target[name] = item.value
            continue
        current = target.get(name)
        if current is None:
            current = []
        if not isinstance(current, list):
            raise InvalidRecord(f"{name} holds one value; use {name}=VALUE instead of "
                                f"{item.op}")
        if item.op == "+=":
            target[name] = [*current, item.value]
        else:
            if name == "tags" and target is data:
                key_to_drop = tag_key(check_tag(item.value))
                kept = [v for v in current if tag_key(v) != key_to_drop]
            else:
                kept = [v for v in current if v != item.value]
            if len(kept) == len(current):
                raise InvalidRecord(f"{name} has no value {item.value!r}")
            target[name] = kept
    data["fields"] = fields
    return record_from_mapping(data).with_changes(archive=record.archive)


def edit_text(record: Record) -> str:
    """The YAML a user edits for ``record``, with a short explanatory header."""
    data = {k: v for k, v in editable_form(record).items() if v not in (None, [], {})}
    return _EDIT_HEADER + dump(data)


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


def field_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """Custom fields from ``--field KEY=VALUE`` options (``fields.KEY`` also accepted).

    :raises InvalidRecord: for a schema or reserved key (those have their own options).
    """
    fields: dict[str, Any] = {}
    for text in assignments:
        item = parse_assignment(text)
        key = item.key.removeprefix("fields.")
        if item.op != "=":
            raise InvalidRecord(f"--field takes KEY=VALUE, not {text!r}")
        if key in RESERVED_KEYS:
            raise InvalidRecord(f"{key!r} is maintained by archivist and cannot be set")
        if key in INTERCHANGE_KEYS:
            raise InvalidRecord(f"{key!r} is a field of its own; use --{key} or set")
        if item.value != "":
            fields[key] = item.value
    return fields


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

        retrieved = validate_date(check_text(request.retrieved, "--retrieved"))
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


def add_record(archive: Any, request: NewRecord) -> Record:
    """Validate and add a new record, with its source and links, to an open archive.

    :raises ArchivistError: for any invalid value, unknown link target or unreadable file.
    """
    record = new_record(request.values, request.fields, archive)
    if request.file is not None:
        source = resolve_source(archive, SourceRequest(request.file, request.span,
                                                       request.retrieved, request.copy))
        record = record.with_changes(source=source)
    elif request.span is not None or request.retrieved is not None or request.copy:
        raise InvalidRecord("--span, --retrieved and --copy go with --file")
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
