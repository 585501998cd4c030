"""Reverting the last changes, from the history, as new changes.

Every command that changes the archive leaves history entries sharing one ``change``
number (see :mod:`archivist.store`).  :func:`undo` takes the last ``N`` changes,
newest first, and applies the inverse of each of their entries in reverse order:

============  ===========================================================
entry         inverse
============  ===========================================================
``add``       remove the record
``rm``        restore the record, ``archive`` section included, at its
              place in the order added
``set`` …     put the logged ``before`` values back (``edit``, ``tag``,
              ``untag``, ``merge``, ``import`` likewise)
``link``      remove the link
``unlink``    store the link again
``distinct``  put the record's previous ``distinct`` list back
``verify``    nothing: it only records results, and is skipped
============  ===========================================================

Consecutive ``add``, ``rm``, ``link`` and ``unlink`` entries are reverted together,
so undoing an import of 10,000 records takes well under a second.

The revert is itself one new change whose entries carry ``reverts: <change>``, so
running ``undo`` twice redoes what the first one undid.

Before each step the present state is compared with what the change left behind.
When a record, value or link is no longer as the change made it (the archive was
changed by hand, or by something history does not undo), the whole undo is refused
with :class:`~archivist.errors.ChangeConflict` and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.errors import ChangeConflict

if TYPE_CHECKING:
    from archivist.store import Archive

#: Actions that only record results; undo passes over them.
NOT_UNDOABLE = frozenset({"verify"})
#: Actions whose ``before``/``after`` are the changed values of one record.
VALUE_ACTIONS = frozenset({"set", "edit", "tag", "untag", "merge", "import"})


@dataclass(frozen=True)
class Change:
    """One past change: its number, when, by whom, the command and its entries."""

    number: int
    time: str
    user: str
    command: str
    entries: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Reverted:
    """A change that was (or, in a dry run, would be) reverted, and the steps taken."""

    change: int
    time: str
    user: str
    command: str
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping for JSON output."""
        return {"change": self.change, "time": self.time, "user": self.user,
                "command": self.command, "steps": list(self.steps)}


def undoable_changes(archive: Archive) -> list[Change]:
    """Every change with something to undo, newest first."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for entry in sorted(archive.history(), key=lambda e: e["seq"]):
        if entry.get("action") in NOT_UNDOABLE:
            continue
        grouped.setdefault(int(entry.get("change", 0)), []).append(entry)
    changes = []
    for number in sorted(grouped, reverse=True):
        first = grouped[number][0]
        changes.append(Change(number, str(first.get("time", "")), str(first.get("user", "")),
                              str(first.get("command", "")), tuple(grouped[number])))
    return changes


def undo(archive: Archive, count: int = 1) -> list[Reverted]:
    """Revert the last ``count`` changes of an open archive, newest first.

    All reverts are logged as one new change (each entry with ``reverts``).  On a
    dry run, call this on an archive that is not committed afterwards.

    :param count: how many changes to revert (at least 1).
    :returns: what was reverted, newest change first.
    :raises ChangeConflict: when there are fewer changes than ``count``, or when the
        archive no longer is as a change left it (nothing is changed then: the
        caller's archive is discarded, not committed).
    """
    if count < 1:
        raise ChangeConflict("undo needs a number of changes of at least 1")
    changes = undoable_changes(archive)
    if not changes:
        raise ChangeConflict("there is nothing to undo: the history has no changes")
    if count > len(changes):
        raise ChangeConflict(f"only {len(changes)} change(s) can be undone, not {count}")
    reverted = []
    for change in changes[:count]:
        archive.log_extra = {"reverts": change.number}
        try:
            steps = _revert_change(archive, change)
        finally:
            archive.log_extra = {}
        reverted.append(Reverted(change.number, change.time, change.user, change.command,
                                 steps))
    return reverted


# -- the inverse of each action ----------------------------------------------------------

#: Actions whose consecutive entries are reverted together (an import adds thousands).
BATCHED = frozenset({"add", "rm", "link", "unlink"})
#: How many names a step lists before it only counts them.
SHOWN = 3


def _refuse(change: Change, reason: str) -> ChangeConflict:
    return ChangeConflict(f"cannot undo change {change.number} ({change.command}): {reason}; "
                          "nothing was changed")


def _values(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document as history logs it: no private keys, no archive section."""
    return {k: v for k, v in doc.items() if not k.startswith("_") and k != "archive"}


def _document(archive: Archive, change: Change, record_id: str) -> dict[str, Any]:
    if record_id not in archive:
        raise _refuse(change, f"{record_id} no longer exists")
    return archive.document(record_id)


def _step(verb: str, names: list[str], noun: str) -> str:
    """``remove a, b`` or, for many, ``remove 10000 records: a, b, c, …``."""
    if len(names) <= SHOWN:
        return f"{verb} {', '.join(names)}"
    return f"{verb} {len(names)} {noun}: {', '.join(names[:SHOWN])}, …"


def _revert_change(archive: Archive, change: Change) -> tuple[str, ...]:
    """Apply the inverse of a change's entries, newest first, runs of alike entries at once."""
    entries = list(reversed(change.entries))
    steps: list[str] = []
    start = 0
    while start < len(entries):
        action = str(entries[start].get("action"))
        end = start + 1
        if action in BATCHED:
            while end < len(entries) and entries[end].get("action") == action:
                end += 1
            steps.append(_revert_run(archive, change, action, entries[start:end]))
        else:
            steps.append(_revert(archive, change, entries[start]))
        start = end
    return tuple(steps)


def _revert_run(archive: Archive, change: Change, action: str,
                entries: list[dict[str, Any]]) -> str:
    """Revert consecutive entries of one of the :data:`BATCHED` actions."""
    if action in ("link", "unlink"):
        side = "after" if action == "link" else "before"
        links: list[dict[str, Any]] = []
        for entry in entries:
            link = entry.get(side)
            if not (isinstance(link, dict) and {"src", "rel", "dst"} <= set(link)):
                raise _refuse(change, f"a {action} entry has no link")
            links.append(link)
        if action == "link":
            return _revert_links(archive, change, links)
        return _revert_unlinks(archive, change, links)
    for entry in entries:
        if not isinstance(entry.get("record"), str) or not isinstance(
                entry.get("after" if action == "add" else "before"), dict):
            raise _refuse(change, f"a {action} entry names no record")
    if action == "add":
        return _revert_adds(archive, change, entries)
    return _revert_rms(archive, change, entries)


def _revert(archive: Archive, change: Change, entry: dict[str, Any]) -> str:
    """Apply the inverse of one entry that changed values; returns what was done."""
    action = str(entry.get("action"))
    record_id = entry.get("record")
    before, after = entry.get("before"), entry.get("after")
    if not isinstance(record_id, str):
        raise _refuse(change, f"archivist does not know how to undo {action!r} entries "
                              "that name no record")
    if action == "distinct" and isinstance(before, dict) and isinstance(after, dict):
        return _revert_distinct(archive, change, record_id, before, after)
    if isinstance(before, dict) and isinstance(after, dict) and (
            action in VALUE_ACTIONS or not ({"src", "dst"} & set(after))):
        return _revert_values(archive, change, action, record_id, before, after)
    raise _refuse(change, f"archivist does not know how to undo {action!r} entries")


def _revert_adds(archive: Archive, change: Change, entries: list[dict[str, Any]]) -> str:
    ids: list[str] = []
    for entry in entries:
        doc = _document(archive, change, entry["record"])
        if _values(doc) != entry["after"]:
            raise _refuse(change, f"{doc['id']} has been changed since it was added")
        ids.append(doc["id"])
    going = {i.lower() for i in ids}
    for link in archive.link_documents():
        for end in (link["src"], link["dst"]):
            if end.lower() in going:
                raise _refuse(change, f"{end} has been linked since "
                                      f"({link['src']} {link['rel']} {link['dst']})")
    archive.remove(ids)
    return _step("remove", ids, "records")


def _revert_rms(archive: Archive, change: Change, entries: list[dict[str, Any]]) -> str:
    items: list[tuple[dict[str, Any], int | None]] = []
    for entry in entries:
        record_id = str(entry["before"]["id"])
        if record_id in archive:
            raise _refuse(change, f"the id {record_id} has been used again since "
                                  f"(by {archive.canonical_id(record_id)!r})")
        doc = dict(entry["before"])
        section, position = entry.get("archive"), entry.get("position")
        if isinstance(section, dict) and section:
            doc["archive"] = section
        items.append((doc, position if isinstance(position, int) else None))
    archive.restore_many(items)
    return _step("restore", [str(doc["id"]) for doc, _ in items], "records")


def _revert_values(archive: Archive, change: Change, action: str, record_id: str,
                   before: dict[str, Any], after: dict[str, Any]) -> str:
    doc = _document(archive, change, record_id)
    for key, value in after.items():
        if doc.get(key) != value:
            raise _refuse(change, f"{doc['id']}'s {key} has been changed since")
    restored = dict(doc)
    for key, value in before.items():
        if value is None:
            restored.pop(key, None)
        else:
            restored[key] = value
    archive.replace_document(restored, action=action)
    return f"{action} {doc['id']}: {', '.join(sorted(set(before) | set(after)))}"


def _link_key(link: dict[str, Any]) -> tuple[str, str, str]:
    """A link's identity: ids case-folded, the ends of a symmetric relation in order."""
    from archivist.links import SYMMETRIC

    a, rel, b = str(link["src"]).lower(), str(link["rel"]), str(link["dst"]).lower()
    return (b, rel, a) if rel in SYMMETRIC and b < a else (a, rel, b)


def _link_text(link: dict[str, Any]) -> str:
    return f"{link['src']} {link['rel']} {link['dst']}"


def _revert_links(archive: Archive, change: Change, links: list[dict[str, Any]]) -> str:
    stored = {(str(d["src"]).lower(), d["rel"], str(d["dst"]).lower())
              for d in archive.link_documents()}
    for link in links:
        if (str(link["src"]).lower(), link["rel"], str(link["dst"]).lower()) not in stored:
            raise _refuse(change, f"the link {_link_text(link)} no longer exists")
    archive.delete_links(links)
    return _step("unlink", [_link_text(link) for link in links], "links")


def _revert_unlinks(archive: Archive, change: Change, links: list[dict[str, Any]]) -> str:
    stored = {_link_key(d) for d in archive.link_documents()}
    for link in links:
        for end in (link["src"], link["dst"]):
            if end not in archive:
                raise _refuse(change, f"the link {_link_text(link)} cannot be made again: "
                                      f"{end} is gone")
        if _link_key(link) in stored:
            raise _refuse(change, f"the link {_link_text(link)} exists again")
    from archivist.links import validate_new_links

    # Through the link rules: a cycle of part-of links made since is refused.
    accepted = validate_new_links(
        archive, [(str(k["src"]), str(k["rel"]), str(k["dst"])) for k in links], set())
    archive.store_links(link.as_dict() for link in accepted)
    return _step("link", [_link_text(link) for link in links], "links")


def _revert_distinct(archive: Archive, change: Change, record_id: str,
                     before: dict[str, Any], after: dict[str, Any]) -> str:
    from archivist.duplicates import distinct_of, set_distinct

    doc = _document(archive, change, record_id)
    if distinct_of(doc) != list(after.get("distinct") or []):
        raise _refuse(change, f"{doc['id']}'s distinct list has been changed since")
    set_distinct(archive, doc["id"], list(before.get("distinct") or []))
    return f"distinct {doc['id']}"
