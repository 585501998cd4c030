"""Walking the history back and forth: undo and redo, each a new change.

Every command that changes the archive leaves history entries sharing one ``change``
number (see :mod:`archivist.store`), and each is one step that :func:`undo` takes
back and :func:`redo` makes again, as in an editor:

* ``undo`` takes back the newest change not undone yet; run again, it walks further
  back.  ``undo N`` takes back N at once.
* ``redo`` makes again the change undone last; run again, it walks forward.
* A new change (anything but an undo, a redo or a fixity check) after an undo
  discards what could have been redone.

Both are themselves changes, logged like any other, so the history stays
append-only: each entry of an undo carries ``reverts: <change>``, each entry of a
redo ``redoes: <change>``.  Which changes can be undone or redone is read from the
history alone (:func:`walk`).  Taking back a change applies the inverse of the
entries that last made it (its own, or those of the redo that made it again) in
reverse order; making it again applies the inverse of the undo's entries:

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
``rename``    rename the record back, links and all
``verify``    nothing: it only records results, and is skipped
============  ===========================================================

Consecutive ``add``, ``rm``, ``link`` and ``unlink`` entries are reverted together,
so undoing an import of 10,000 records takes well under a second.

Before each step the present state is compared with what the change left behind.
When a record, value or link is no longer as the change made it (the archive was
changed by hand, or by something history does not undo), the whole undo is refused
with :class:`~archivist.errors.ChangeConflict` and nothing is written.

Histories written before ``redo`` existed took "undo of an undo" as the way to redo
(an undo entry with ``reverts`` naming an undo): :func:`walk` reads such an entry as
the redo of what that undo took back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from archivist.errors import ChangeConflict

if TYPE_CHECKING:
    from archivist.store import Archive

#: Actions that only record results; undo passes over them.
NOT_UNDOABLE = frozenset({"verify"})
#: Actions whose ``before``/``after`` are the changed values of one record.
VALUE_ACTIONS = frozenset({"set", "edit", "tag", "untag", "merge", "import"})
#: The key marking the entries of an undo, and of a redo, with the change concerned.
REVERTS, REDOES = "reverts", "redoes"


@dataclass(frozen=True)
class Change:
    """One past change: its number, when, by whom, the command and the entries that
    last made it (or, for one undone, those of the undo).

    ``verb`` is what is being done with it (``undo`` or ``redo``), for messages.
    """

    number: int
    time: str
    user: str
    command: str
    entries: tuple[dict[str, Any], ...]
    verb: str = "undo"


@dataclass(frozen=True)
class Reverted:
    """A change that was (or, in a dry run, would be) undone or redone, and the steps."""

    change: int
    time: str
    user: str
    command: str
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping for JSON output."""
        return {"change": self.change, "time": self.time, "user": self.user,
                "command": self.command, "steps": list(self.steps)}


@dataclass
class Walk:
    """Where the history stands: the changes in effect, and those undone that ``redo``
    can make again, each list oldest first (the next to undo or redo is the last)."""

    done: list[Change] = field(default_factory=list)
    undone: list[Change] = field(default_factory=list)


def _grouped(archive: Archive) -> list[Change]:
    """Every change with something to undo, oldest first."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for entry in sorted(archive.history(), key=lambda e: e["seq"]):
        if entry.get("action") in NOT_UNDOABLE:
            continue
        grouped.setdefault(int(entry.get("change", 0)), []).append(entry)
    changes = []
    for number in sorted(grouped):
        first = grouped[number][0]
        changes.append(Change(number, str(first.get("time", "")), str(first.get("user", "")),
                              str(first.get("command", "")), tuple(grouped[number])))
    return changes


def _by_mark(entries: tuple[dict[str, Any], ...], key: str
             ) -> dict[int, tuple[dict[str, Any], ...]]:
    """The entries marked with ``key``, by the change number they name, in order."""
    found: dict[int, list[dict[str, Any]]] = {}
    for entry in entries:
        number = entry.get(key)
        if isinstance(number, int) and not isinstance(number, bool):
            found.setdefault(number, []).append(entry)
    return {number: tuple(marked) for number, marked in found.items()}


def _take(changes: list[Change], number: int) -> Change | None:
    """Remove and return the change numbered ``number`` (the newest such) from ``changes``."""
    for place in range(len(changes) - 1, -1, -1):
        if changes[place].number == number:
            return changes.pop(place)
    return None


def walk(archive: Archive) -> Walk:
    """Replay the history: which changes are in effect, and which can be redone."""
    state = Walk()
    # For older histories: an undo's number → the changes it took back, and the
    # number of an undo of an undo → the change it made again.
    undid: dict[int, list[Change]] = {}
    made_again: dict[int, int] = {}
    for change in _grouped(archive):
        reverts, redoes = _by_mark(change.entries, REVERTS), _by_mark(change.entries, REDOES)
        if not reverts and not redoes:
            state.done.append(change)
            state.undone.clear()  # a new change discards the way forward
            continue
        for number, entries in reverts.items():
            taken = _take(state.done, made_again.get(number, number))
            if taken is not None:
                state.undone.append(replace(taken, entries=entries))
                undid.setdefault(change.number, []).append(taken)
            elif number in undid:
                # An undo of an undo: the redo of what that undo took back (all of
                # it as one change, as it was made).
                again = [_take(state.undone, c.number) or c for c in undid.pop(number)]
                state.done.append(replace(again[0], entries=entries))
                made_again[change.number] = again[0].number
        for number, entries in redoes.items():
            taken = _take(state.undone, number)
            if taken is not None:
                state.done.append(replace(taken, entries=entries))
    return state


def undoable_changes(archive: Archive) -> list[Change]:
    """Every change that ``undo`` can take back, the next one first."""
    return list(reversed(walk(archive).done))


def redoable_changes(archive: Archive) -> list[Change]:
    """Every change that ``redo`` can make again, the next one first."""
    return list(reversed(walk(archive).undone))


def undo(archive: Archive, count: int = 1) -> list[Reverted]:
    """Take back the last ``count`` changes in effect of an open archive, newest first.

    All are logged as one new change (each entry with ``reverts``).  On a dry run,
    call this on an archive that is not committed afterwards.

    :param count: how many changes to take back (at least 1).
    :returns: what was taken back, newest change first.
    :raises ChangeConflict: when there are fewer changes than ``count``, or when the
        archive no longer is as a change left it (nothing is changed then: the
        caller's archive is discarded, not committed).
    """
    if count < 1:
        raise ChangeConflict("undo needs a number of changes of at least 1")
    state = walk(archive)
    if not state.done:
        if state.undone:
            raise ChangeConflict(
                f"there is nothing left to undo: all {len(state.undone)} change(s) are "
                "undone (archivist redo makes them again)")
        raise ChangeConflict("there is nothing to undo: the history has no changes")
    if count > len(state.done):
        raise ChangeConflict(f"only {len(state.done)} change(s) can be undone, not {count}")
    return _apply(archive, list(reversed(state.done))[:count], REVERTS)


def redo(archive: Archive, count: int = 1) -> list[Reverted]:
    """Make again the last ``count`` changes undone, the one undone last first.

    Only changes undone since the last other change can be redone.  All are logged
    as one new change (each entry with ``redoes``).

    :raises ChangeConflict: when fewer than ``count`` changes can be redone, or when
        the archive no longer is as the undo left it (nothing is changed then).
    """
    if count < 1:
        raise ChangeConflict("redo needs a number of changes of at least 1")
    undone = walk(archive).undone
    if not undone:
        raise ChangeConflict("there is nothing to redo: no change has been undone since "
                             "the last change")
    if count > len(undone):
        raise ChangeConflict(f"only {len(undone)} change(s) can be redone, not {count}")
    changes = [replace(change, verb="redo") for change in reversed(undone)][:count]
    return _apply(archive, changes, REDOES)


def _apply(archive: Archive, changes: list[Change], mark: str) -> list[Reverted]:
    """Apply the inverse of each change's entries, logging each with ``mark``."""
    done = []
    for change in changes:
        archive.log_extra = {mark: change.number}
        try:
            steps = _revert_change(archive, change)
        finally:
            archive.log_extra = {}
        done.append(Reverted(change.number, change.time, change.user, change.command, steps))
    return done


# -- the inverse of each action ----------------------------------------------------------

#: Actions whose consecutive entries are reverted together (an import adds thousands).
BATCHED = frozenset({"add", "rm", "link", "unlink"})
#: How many names a step lists before it only counts them.
SHOWN = 3


def _refuse(change: Change, reason: str) -> ChangeConflict:
    return ChangeConflict(f"cannot {change.verb} change {change.number} ({change.command}): "
                          f"{reason}; nothing was changed")


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
        elif _changed_values(entries[start]):
            # A bulk edit changes 10,000 records: one replacement of them all, not
            # 10,000 (each rebuilds the table).  A record met twice ends the run.
            seen = {str(entries[start]["record"]).lower()}
            while end < len(entries) and entries[end].get("action") == action and (
                    _changed_values(entries[end])) and (
                    str(entries[end]["record"]).lower() not in seen):
                seen.add(str(entries[end]["record"]).lower())
                end += 1
            steps.append(_revert_values(archive, change, action, entries[start:end]))
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
    if action == "rename":
        return _revert_rename(archive, change, entry)
    raise _refuse(change, f"archivist does not know how to undo {action!r} entries")


def _changed_values(entry: dict[str, Any]) -> bool:
    """Whether an entry logs the values a change gave one record (``set`` and alike)."""
    action, before, after = entry.get("action"), entry.get("before"), entry.get("after")
    return (isinstance(entry.get("record"), str) and action not in ("distinct", "rename")
            and isinstance(before, dict) and isinstance(after, dict)
            and (action in VALUE_ACTIONS or not ({"src", "dst"} & set(after))))


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


def _revert_values(archive: Archive, change: Change, action: str,
                   entries: list[dict[str, Any]]) -> str:
    """Put back the ``before`` values of entries of one action, each of another record."""
    from archivist.models import Record

    restored: list[Record] = []
    keys: set[str] = set()
    for entry in entries:
        before, after = entry["before"], entry["after"]
        doc = _document(archive, change, entry["record"])
        for key, value in after.items():
            if doc.get(key) != value:
                raise _refuse(change, f"{doc['id']}'s {key} has been changed since")
        values = dict(doc)
        for key, value in before.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
        # Tags keep their spelling: undo restores them exactly.
        restored.append(Record.from_document(values))
        keys |= set(before) | set(after)
    archive.update_many(restored, action=action, respell=False)
    ids = [record.id for record in restored]
    fields = ", ".join(sorted(keys))
    if len(ids) == 1:
        return f"{action} {ids[0]}: {fields}"
    return f"{_step(action, ids, 'records')} ({fields})"


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


def _revert_rename(archive: Archive, change: Change, entry: dict[str, Any]) -> str:
    from archivist.history import renamed
    from archivist.renaming import rename

    ids = renamed(entry)
    if ids is None:
        raise _refuse(change, "a rename entry names no ids")
    old, new = ids
    if new not in archive:
        raise _refuse(change, f"{new} no longer exists")
    if old in archive and archive.canonical_id(old).lower() != new.lower():
        raise _refuse(change, f"the id {old} has been used again since "
                              f"(by {archive.canonical_id(old)!r})")
    rename(archive, new, old)
    return f"rename {new} to {old}"
