"""Text for people: escaping what a terminal would obey, the width text takes on a
terminal, and the ``show`` text layout.

Human formats (table, text, history, tags) must never let a record's text move the
cursor, recolour the terminal or reverse the reading order: control characters,
escape sequences and bidirectional overrides are shown escaped (``\\x1b``).  Machine
formats (json, jsonl, yaml) carry them exactly.

Columns are measured in terminal cells (:func:`display_width`), not characters: East
Asian wide and fullwidth characters and emoji take two, combining marks and
zero-width characters none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
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


# Any character outside the blocks whose every character takes one cell: printable
# ASCII, Latin-1 but the soft hyphen, Latin Extended, IPA, Greek, Cyrillic without
# its combining marks, general punctuation (dashes, quotes, …).  Text without one is
# as wide as it is long, which is far quicker to know (tests check these blocks).
_NARROW = re.compile(r"[\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0482\u048a-\u052f"
                     r"\u2010-\u2027\u2030-\u205e]*")
# Each character's width once measured (tables repeat the same few hundred).
_WIDTHS: dict[str, int] = {}


def _measure(char: str) -> int:
    code, category = ord(char), unicodedata.category(char)
    if (category in ("Mn", "Me", "Cf") and char != "\xad") or 0x1160 <= code <= 0x11FF:
        # Combining marks, zero-width and format characters, and the Hangul vowels
        # and final consonants that join the syllable before them.
        return 0
    if category == "Cn":
        # unicodedata calls unassigned characters fullwidth; Unicode reserves only
        # the ideographic planes for wide ones.
        return 2 if 0x20000 <= code <= 0x3FFFD else 1
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def char_width(char: str) -> int:
    """The terminal cells one character takes: 2 for East Asian wide and fullwidth
    characters and emoji, 0 for combining marks and zero-width characters, else 1."""
    width = _WIDTHS.get(char)
    if width is None:
        width = _WIDTHS[char] = _measure(char)
    return width


def narrow(text: str) -> bool:
    """Whether ``text`` is quickly known to take one cell per character."""
    # A match of the repeated class is twice as fast as a search for one outside it.
    return text.isascii() or _NARROW.fullmatch(text) is not None


def display_width(text: str) -> int:
    """The terminal cells ``text`` takes (one line of escaped text)."""
    if text.isascii() or _NARROW.fullmatch(text) is not None:
        return len(text)
    return sum(map(char_width, text))


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` cells."""
    return text + " " * (width - display_width(text))


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` cells, ending with ``…`` when it is cut."""
    if display_width(text) <= width:
        return text
    if narrow(text):
        return text[: max(width - 1, 0)] + "…"
    kept, used = [], 0
    for char in text:
        used += char_width(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


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


def table_cells(values: Sequence[Any]) -> list[str]:
    """:func:`table_cell` of every value of a column, at once.

    A column of text (or of lists of text, as ``creators``) that is printable as a
    whole is checked in one pass, not value by value: ``list`` draws 500,000 cells
    from an archive of 100,000 records.  Of the characters ``strip`` removes,
    printable text holds only the space, so a column without one needs no stripping.
    """
    texts: Sequence[Any] = values
    try:
        whole = "".join(values)
    except TypeError:  # absent values, or lists
        kinds = set(map(type, values))
        try:
            if kinds <= {list, type(None)}:
                texts = ["; ".join(value) if value else "" for value in values]
            elif kinds <= {str, type(None)}:
                texts = ["" if value is None else value for value in values]
            else:
                return [table_cell(value) for value in values]
            whole = "".join(texts)
        except TypeError:  # an element that is not text: drawn one by one
            return [table_cell(value) for value in values]
    if not whole.isprintable():
        return [table_cell(value) for value in values]
    if " " not in whole:
        return list(texts)
    return [text.strip() for text in texts]


def table_rows(columns: Sequence[Sequence[Any]]) -> list[list[str]]:
    """The rows of a table drawn from the stored values of its columns (each in the
    same order), every cell as :func:`table_cell` draws it."""
    return list(map(list, zip(*map(table_cells, columns))))


#: Where ``show`` starts its values, unless a label is longer (up to :data:`_LABELS_MAX`).
_LABELS = 11
_LABELS_MAX = 24
# A line of ``show``: (label, value) to align, or (text, None) to print as it is.
_Line = tuple[str, str | None]


def _aligned(lines: list[_Line], least: int = 0) -> list[str]:
    """Lines with every value in one column, two cells after the longest label (up to
    :data:`_LABELS_MAX`); a longer label is followed by one space."""
    widths = [display_width(label) for label, value in lines if value is not None]
    column = max([least - 2, *(w for w in widths if w <= _LABELS_MAX - 2)]) + 2
    out = []
    for label, value in lines:
        if value is None:
            out.append(label)
        else:
            out.append(f"{label}:{' ' * max(column - display_width(label) - 1, 1)}{value}")
    return out


def _is_nested(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))


def _nested(value: Any, depth: int) -> list[str]:
    """A mapping or list inside ``fields`` as an indented block, one value a line."""
    indent = "  " * depth
    lines: list[_Line] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                continue
            if _is_nested(item):
                lines.append((f"{indent}{escape(str(key))}:", None))
                lines.extend((line, None) for line in _nested(item, depth + 1))
            else:
                lines.append((f"{indent}{escape(str(key))}", cell(item)))
    else:
        for item in value:
            if _is_nested(item):
                lines.append((f"{indent}-", None))
                lines.extend((line, None) for line in _nested(item, depth + 1))
            else:
                lines.append((f"{indent}- {cell(item)}", None))
    return _aligned(lines)


def _link_lines(links: list[dict[str, Any]]) -> list[_Line]:
    rels = [escape(link["rel"]) for link in links]
    ids = [escape(link["id"]) for link in links]
    rel_width, id_width = max(map(display_width, rels)), max(map(display_width, ids))
    out: list[_Line] = [("links:", None)]
    for link, rel, other in zip(links, rels, ids):
        title = f"  {escape(link['title'])}" if link.get("title") else ""
        line = f"  {pad(rel, rel_width)}  {pad(other, id_width) if title else other}{title}"
        out.append((line, None))
    return out


def show_text(record: dict[str, Any], links: list[dict[str, Any]]) -> str:
    """The ``show`` text layout of a record in interchange form, with its links both ways.

    Absent values are left out, so what is shown is exactly what is known.  Values
    start in one column; a mapping or a list of mappings in ``fields`` (``merged``)
    is an indented block under its name.
    """
    lines: list[_Line] = [("id", escape(record["id"])), ("kind", escape(record["kind"]))]
    for key in ("title", "subtitle", "creators", "date", "publisher", "language", "url",
                "tags", "summary"):
        value = record.get(key)
        if value:
            lines.append((key, cell(value)))
    for name, value in (record.get("fields") or {}).items():
        if _is_nested(value):
            lines.append((f"{escape(name)}:", None))
            lines.extend((line, None) for line in _nested(value, 1))
        elif value is not None:
            lines.append((escape(name), cell(value)))
    source = record.get("source")
    if source:
        lines.append(("source", escape(source["path"])))
        for key in ("sha256", "size", "retrieved"):
            if source.get(key) is not None:
                lines.append((f"  {key}", escape(str(source[key]))))
        if source.get("span"):
            first, last = source["span"]
            lines.append(("  lines", f"{first}–{last}"))
        if source.get("offset") is not None:
            lines.append(("  offset", escape(str(source["offset"]))))
    if links:
        lines.extend(_link_lines(links))
    info = record.get("archive") or {}
    if info:
        how = info.get("added_how")
        if isinstance(how, dict):
            lines_of = how.get("lines")
            how = f"import of {how.get('file')} (sha256 {how.get('sha256')})" + (
                f", lines {lines_of[0]}–{lines_of[1]}" if isinstance(lines_of, list)
                and len(lines_of) == 2 else "")
        lines.append(("added", f"{escape(str(info.get('added', ABSENT)))} by "
                               f"{escape(str(info.get('added_by', ABSENT)))}"))
        if how:
            lines.append(("  how", escape(str(how))))
        lines.append(("changed", escape(str(info.get("changed", ABSENT)))))
        if info.get("distinct"):
            lines.append(("distinct", cell(info["distinct"])))
    if source:
        fixity = info.get("fixity")
        if fixity:
            lines.append(("fixity", f"{fixity.get('result')} at {fixity.get('checked')}"))
        else:
            lines.append(("fixity", "never checked"))
    return "\n".join(_aligned(lines, least=_LABELS))
