"""Bulk edits: ``tag``, ``untag`` and ``set`` over every record a query selects.

A bulk edit is planned first (:func:`plan`): the records the query selects (exactly
those ``archivist list 'QUERY'`` lists), and what each of them would become.  Only the
records that would change are in the plan, each with the values it changes, so that
the command can show them and ask before it writes.  :func:`apply` then changes them
all in one :meth:`~archivist.store.Archive.update_many`: one write of the archive and
one change number in the history, which one ``undo`` reverts.

A bulk edit is lenient where a single one is strict: ``untag`` (or ``set tags-=x``)
passes over the records that lack the tag, as ``tag`` passes over those that have it.
Assignments that can only mean one record (``id``) are refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.errors import ChangeConflict, InvalidRecord
from archivist.models import Record, merge_tags, tag_key

if TYPE_CHECKING:
    from archivist.store import Archive

#: What a bulk edit may do, as the history names it.
ACTIONS = ("tag", "untag", "set")


@dataclass(frozen=True)
class Edit:
    """What a bulk edit does to each record: ``tag`` or ``untag`` these tags, or ``set``
    these assignments (``KEY=VALUE``, ``KEY+=VALUE``, ``KEY-=VALUE``)."""

    action: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Planned:
    """One record a bulk edit changes: as it would be stored, and its changed values
    (``before`` and ``after``, ``None`` where absent, as the history logs them)."""

    record: Record
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """A bulk edit worked out: how many records the query selected, and the changes."""

    query: str
    edit: Edit
    matched: int
    changes: tuple[Planned, ...]

    def same_as(self, other: Plan) -> bool:
        """Whether ``other`` changes the same records in the same way."""
        def key(plan: Plan) -> list[tuple[str, Any, Any]]:
            return [(p.record.id, p.before, p.after) for p in plan.changes]

        return self.matched == other.matched and key(self) == key(other)


def check_edit(edit: Edit) -> None:
    """Refuse what a bulk edit cannot do before any record is read.

    :raises InvalidRecord: for an unknown action, no values, or an assignment that
        can only apply to one record.
    """
    from archivist.editing import parse_assignment
    from archivist.models import check_tag

    if edit.action not in ACTIONS:
        raise InvalidRecord(f"unknown bulk edit {edit.action!r}")
    if not edit.values:
        raise InvalidRecord(f"a bulk {edit.action} needs at least one value")
    for value in edit.values:
        if edit.action != "set":
            check_tag(value)
            continue
        key = parse_assignment(value).key
        if key == "id":
            raise InvalidRecord("a bulk set cannot set id: an id belongs to one record "
                                "(`archivist rename` changes one)")


def plan(archive: Archive, query: str, edit: Edit) -> Plan:
    """Work out a bulk edit without changing anything.

    :param query: one query, read as ``archivist list 'QUERY'`` reads it.
    :raises QuerySyntaxError: when the query does not parse.
    :raises InvalidRecord: when the query is blank, or an edit would break a record
        (naming the record).
    """
    from archivist.history import diff
    from archivist.listing import select

    check_edit(edit)
    if not query.strip():
        raise InvalidRecord("a bulk edit needs a query (`id:*` selects every record)")
    docs = select(archive, [query])
    spelling = archive.tag_spellings() if edit.action != "untag" and docs else {}
    changes = []
    for doc in docs:
        old = Record.from_document(doc)
        try:
            new = _edited(old, edit)
        except InvalidRecord as err:
            raise InvalidRecord(f"{old.id}: {err}") from None
        # A tag the edit gives is spelled as the archive first spelled it: here, once
        # for all records, where Archive.update would read the spellings for each.
        kept = set(old.tags)
        new = new.with_changes(tags=merge_tags((), (
            t if t in kept else spelling.get(tag_key(t), t) for t in new.tags)))
        before, after = diff(doc, new.to_document())
        if before or after:
            changes.append(Planned(new, before, after))
    return Plan(query, edit, len(docs), tuple(changes))


def _edited(record: Record, edit: Edit) -> Record:
    from archivist.editing import apply_assignments, with_tags

    if edit.action == "tag":
        return with_tags(record, edit.values)
    if edit.action == "untag":
        from archivist.models import check_tag

        dropped = {tag_key(check_tag(t)) for t in edit.values}
        return record.with_changes(tags=tuple(t for t in record.tags
                                              if tag_key(t) not in dropped))
    return apply_assignments(record, edit.values, missing_ok=True)


def apply(archive: Archive, planned: Plan) -> int:
    """Make the changes of a plan worked out on this same open archive.

    :returns: how many records changed.
    """
    archive.update_many([p.record for p in planned.changes], action=planned.edit.action,
                        respell=False)
    return len(planned.changes)


def apply_confirmed(archive: Archive, confirmed: Plan) -> Plan:
    """Plan the confirmed edit again on ``archive`` (opened to write) and apply it,
    unless the records changed since ``confirmed`` was shown.

    :raises ChangeConflict: when the plan is no longer the one confirmed.
    """
    again = plan(archive, confirmed.query, confirmed.edit)
    if not again.same_as(confirmed):
        raise ChangeConflict("the records the query selects were changed by another "
                             "command while you confirmed; nothing was changed (run the "
                             "command again)")
    apply(archive, again)
    return again


def describe(planned: Planned) -> str:
    """One line for people: the record's id and each value that changes, escaped."""
    from archivist.display import escape

    parts = []
    for key in sorted(set(planned.before) | set(planned.after)):
        parts.extend(_changes(key, planned.before.get(key), planned.after.get(key)))
    return escape(f"{planned.record.id}: {'; '.join(parts)}")


def _changes(key: str, before: Any, after: Any) -> list[str]:
    """How one value changes: lists by what they gain and lose, mappings key by key."""
    if isinstance(before, dict) or isinstance(after, dict):
        old, new = before if isinstance(before, dict) else {}, (
            after if isinstance(after, dict) else {})
        return [part for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)
                for part in _changes(f"{key}.{name}", old.get(name), new.get(name))]
    if isinstance(before, list) or isinstance(after, list):
        old_list: Sequence[Any] = before if isinstance(before, list) else []
        new_list: Sequence[Any] = after if isinstance(after, list) else []
        gained = [f"+{_shown(v)}" for v in new_list if v not in old_list]
        lost = [f"-{_shown(v)}" for v in old_list if v not in new_list]
        if gained or lost:
            return [f"{key} {' '.join(gained + lost)}"]
        return [f"{key} {_shown(list(old_list))} → {_shown(list(new_list))}"]
    return [f"{key} {_shown(before)} → {_shown(after)}"]


def _shown(value: Any) -> str:
    """A value as JSON (text quoted), or ``(none)`` when absent."""
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False)
