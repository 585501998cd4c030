"""The history of changes: what an entry says, and how it reads for people.

The entries themselves are stored by the engine (:mod:`archivist.store`); the helpers
here (the time and user of a change, what differs, which ids a rename links) are the
same for every engine.  Shown to people, the history is one line per change,
before → after.

A revert shows as ``undo #N`` (or ``redo #N``) in the action column, ``N`` being the
change it takes back (or makes again); the column that says what changed tells what
the revert did (``restored: …`` for a record put back).  A fixity check shows the
record's result, and the one before when it differs.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from archivist.display import escape


def utc_now() -> str:
    """The current time in UTC as ISO 8601 with a ``Z``, to the second."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_user() -> str:
    """The name of the user running archivist (``unknown`` when it cannot be told)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def renamed(entry: dict[str, Any]) -> tuple[str, str] | None:
    """``(old id, new id)`` of a ``rename`` entry, else ``None``."""
    before, after = entry.get("before"), entry.get("after")
    if entry.get("action") == "rename" and isinstance(before, dict) and isinstance(
            after, dict) and isinstance(before.get("id"), str) and isinstance(
            after.get("id"), str):
        return before["id"], after["id"]
    return None


def aliases(entries: Iterable[dict[str, Any]], record_id: str) -> set[str]:
    """Every id (lowercased) that ``record_id`` was renamed from or to, itself included."""
    pairs = [(old.lower(), new.lower()) for old, new in filter(None, map(renamed, entries))]
    keys = {record_id.lower()}
    grown = True
    while grown:
        grown = False
        for old, new in pairs:
            if (old in keys) != (new in keys):
                keys |= {old, new}
                grown = True
    return keys


def mentions(entry: dict[str, Any], keys: set[str]) -> bool:
    """Whether ``entry`` is a link change with one end among ``keys`` (lowercased ids)."""
    for side in (entry.get("before"), entry.get("after")):
        if isinstance(side, dict) and (str(side.get("src", "")).lower() in keys
                                       or str(side.get("dst", "")).lower() in keys):
            return True
    return False


def loggable(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document as history records it: no private or maintained keys."""
    return {k: v for k, v in doc.items() if not k.startswith("_") and k != "archive"}


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The user-visible values that differ: ``(before, after)``, ``None`` where absent."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in sorted(set(old) | set(new)):
        if key.startswith("_") or key == "archive":
            continue
        if not _same(old.get(key), new.get(key)):
            before[key] = old.get(key)
            after[key] = new.get(key)
    return before, after


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: ``1``, ``1.0`` and ``true``, which Python's ``==`` takes for
    one value, are three different values in the file."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(value, b[key]) for key, value in a.items())
    return type(a) is type(b) and a == b


MAX_VALUE = 60
#: How much of a found hash a line shows.
SHORT_HASH = 12


def _short(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, list):
        text = "[" + ", ".join(_short(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    text = escape(text)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _fixity(before: Any, after: dict[str, Any]) -> str:
    """``fixity: ok``, ``fixity: ok → changed (found sha256 91c2…)`` or, for a record
    checked for the first time, ``fixity: ok (first check)``."""
    now = _short(after.get("fixity"))
    was = before.get("fixity") if isinstance(before, dict) else None
    if was is None:
        text = f"fixity: {now} (first check)"
    elif _short(was) == now:
        text = f"fixity: {now}"
    else:
        text = f"fixity: {_short(was)} → {now}"
    found = after.get("sha256")
    if isinstance(found, str):
        text += f" (found sha256 {escape(found[:SHORT_HASH])}…)"
    return text


def describe(entry: dict[str, Any]) -> str:
    """What one history entry changed, in a line."""
    before, after = entry.get("before"), entry.get("after")
    action = entry.get("action")
    if "record" in entry and entry["record"] is None and isinstance(after, dict):
        # A change to the archive as a whole (a verify run): its counts.
        return ", ".join(f"{k}: {_short(v)}" for k, v in after.items())
    if action == "verify" and isinstance(after, dict):
        return _fixity(before, after)
    if action in ("link", "unlink"):
        link = after or before or {}
        text = escape(f"{link.get('src')} {link.get('rel')} {link.get('dst')}")
        # A revert's action column says undo or redo: what it did to the link goes here.
        return f"{action} {text}" if _revert_of(entry) else text
    if before is None and isinstance(after, dict):
        # An add that takes back a removal puts the record back as it was.
        verb = "restored" if action == "add" and _revert_of(entry) else "added"
        return f"{verb}: {_short(after.get('title'))}"
    if after is None and isinstance(before, dict):
        return f"removed: {_short(before.get('title'))}"
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(set(before) | set(after))
        return "; ".join(f"{k}: {_short(before.get(k))} → {_short(after.get(k))}"
                         for k in keys)
    return f"{_short(before)} → {_short(after)}"


def _revert_of(entry: dict[str, Any]) -> str | None:
    """``undo #N`` for an entry of an undo, ``redo #N`` for one of a redo, else ``None``."""
    for key, verb in (("reverts", "undo"), ("redoes", "redo")):
        number = entry.get(key)
        if number is not None:
            return f"{verb} #{escape(str(number))}"
    return None


def action_of(entry: dict[str, Any]) -> str:
    """The action column of an entry: its action, or ``undo #N``/``redo #N`` for a revert."""
    return _revert_of(entry) or escape(str(entry.get("action", "")))


def history_rows(entries: list[dict[str, Any]]) -> list[list[str]]:
    """Table rows for history entries: change number, time, user, action, record, what."""
    return [[str(e.get("change", "")), escape(str(e.get("time", ""))),
             escape(str(e.get("user", ""))), action_of(e), escape(str(e.get("record") or "")),
             describe(e)]
            for e in entries]
