"""Text for people: escaping what a terminal would obey, and the ``show`` text layout.

Human formats (table, text, history, tags) must never let a record's text move the
cursor, recolour the terminal or reverse the reading order: control characters,
escape sequences and bidirectional overrides are shown escaped (``\\x1b``).  Machine
formats (json, jsonl, yaml) carry them exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# C0 and C1 controls (newline and tab included: a table cell must stay on its line),
# DEL, the bidi embedding/override/isolate characters, and lone surrogates (which an
# undecodable command-line argument becomes, and which no terminal can be sent).
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Columns ``list`` shows when none are asked for.
DEFAULT_COLUMNS: tuple[str, ...] = ("id", "kind", "date", "creators", "title")
#: How absence is shown in text output.
ABSENT = "—"


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every character a terminal would obey shown as an escape."""
    return _UNSAFE.sub(_escape_char, text) if _UNSAFE.search(text) else text


def cell(value: Any) -> str:
    """One value as a table cell: lists joined with ``; ``, absence empty, escaped."""
    if value is None:
        return ""
    if isinstance(value, list):
        return escape("; ".join(cell(v) for v in value))
    if isinstance(value, dict):
        return escape(", ".join(f"{k}={cell(v)}" for k, v in value.items()))
    return escape(str(value))


def table_cell(value: Any) -> str:
    """:func:`cell`, stripped, with a fast way for plain text.

    Text that ``str.isprintable`` accepts holds nothing a terminal would obey, so it
    needs no escaping; testing that is several times faster than the escape pattern,
    and a table of 10,000 records has 50,000 cells.
    """
    if type(value) is str and value.isprintable():
        return value.strip()
    if type(value) is list and all(type(v) is str and v.isprintable() for v in value):
        return "; ".join(value).strip()
    return cell(value).strip()


def default_row(record: Mapping[str, Any]) -> list[str]:
    """A record's row of the table ``list`` shows by default (:data:`DEFAULT_COLUMNS`)."""
    return [table_cell(record.get(column)) for column in DEFAULT_COLUMNS]


def _line(label: str, value: str) -> str:
    return f"{label + ':':<11}{value}"


def show_text(record: dict[str, Any], links: list[dict[str, Any]]) -> str:
    """The ``show`` text layout of a record in interchange form, with its links both ways.

    Absent values are left out, so what is shown is exactly what is known.
    """
    lines = [_line("id", escape(record["id"])), _line("kind", record["kind"])]
    for key in ("title", "subtitle", "creators", "date", "publisher", "language", "url",
                "tags"):
        value = record.get(key)
        if value:
            lines.append(_line(key, cell(value)))
    if record.get("summary"):
        lines.append(_line("summary", escape(record["summary"])))
    for name, value in (record.get("fields") or {}).items():
        lines.append(_line(escape(name), cell(value)))
    source = record.get("source")
    if source:
        lines.append(_line("source", escape(source["path"])))
        for key in ("sha256", "size", "retrieved"):
            if source.get(key) is not None:
                lines.append(_line(f"  {key}", str(source[key])))
        if source.get("span"):
            first, last = source["span"]
            lines.append(_line("  lines", f"{first}–{last}"))
    if links:
        lines.append("links:")
        width = max(len(link["rel"]) for link in links)
        for link in links:
            title = f"  {escape(link['title'])}" if link.get("title") else ""
            lines.append(f"  {link['rel']:<{width}}  {escape(link['id'])}{title}")
    info = record.get("archive") or {}
    if info:
        how = info.get("added_how")
        if isinstance(how, dict):
            how = f"import of {how.get('file')} (sha256 {how.get('sha256')})"
        lines.append(_line("added", f"{info.get('added', ABSENT)} by "
                                    f"{escape(str(info.get('added_by', ABSENT)))}"))
        if how:
            lines.append(_line("  how", escape(str(how))))
        lines.append(_line("changed", str(info.get("changed", ABSENT))))
    if source:
        fixity = info.get("fixity")
        if fixity:
            lines.append(_line("fixity", f"{fixity.get('result')} at {fixity.get('checked')}"))
        else:
            lines.append(_line("fixity", "never checked"))
    return "\n".join(lines)
