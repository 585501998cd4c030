"""Reading the history for people: one line per change, before → after."""

from __future__ import annotations

from typing import Any

from archivist.display import escape

MAX_VALUE = 60


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


def describe(entry: dict[str, Any]) -> str:
    """What one history entry changed, in a line."""
    before, after = entry.get("before"), entry.get("after")
    action = entry.get("action")
    if "record" in entry and entry["record"] is None and isinstance(after, dict):
        # A change to the archive as a whole (a verify run): its counts.
        return ", ".join(f"{k}: {_short(v)}" for k, v in after.items())
    if action in ("link", "unlink"):
        link = after or before or {}
        return f"{link.get('src')} {link.get('rel')} {link.get('dst')}"
    if before is None and isinstance(after, dict):
        return f"added: {_short(after.get('title'))}"
    if after is None and isinstance(before, dict):
        return f"removed: {_short(before.get('title'))}"
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(set(before) | set(after))
        return "; ".join(f"{k}: {_short(before.get(k))} → {_short(after.get(k))}"
                         for k in keys)
    return f"{_short(before)} → {_short(after)}"


def history_rows(entries: list[dict[str, Any]]) -> list[list[str]]:
    """Table rows for history entries: change number, time, user, action, record, what."""
    return [[str(e.get("change", "")), e.get("time", ""), escape(str(e.get("user", ""))),
             str(e.get("action", "")), escape(str(e.get("record") or "")), describe(e)]
            for e in entries]
