"""Reading BibTeX and BibLaTeX files into located records.

A careful reader of its own, not bibtexparser or pybtex: every entry and field keeps
its line and column, so that each problem is named as ``file:line:column``, and one
bad entry does not hide the problems of the others (``--skip-bad`` imports the rest).
It reads what real files hold: ``@string`` macros and ``#`` concatenation, the month
macros, entries in ``{…}`` or ``(…)``, ``crossref`` and ``xdata`` inheritance, ``@set``,
and skips ``@comment`` and ``@preamble``.  Field text is LaTeX decoded to Unicode
(:mod:`archivist.importing.latex`); names are split by BibTeX's rules
(:mod:`archivist.importing.bibnames`).  The mapping to records is
:mod:`archivist.importing.bibmap`'s.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from archivist.importing.located import Located, Report

_TYPE = re.compile(r"\s*([A-Za-z][\w-]*)\s*([{(])")
_KEY = re.compile(r"\s*([^\s,{}()=\"#%']*)\s*")
_NAME = re.compile(r"\s*([^\s=,{}()\"#%]+)\s*=\s*")
_SPACE = re.compile(r"\s*")
_NUMBER = re.compile(r"\d+")
_MACRO = re.compile(r"[^\s=,{}()\"#%0-9][^\s=,{}()\"#%]*")
_BRACES = re.compile(r"[{}]")
_QUOTED = re.compile(r"[{}\"]")
# An entry starting inside a value: a brace left open swallowed it.
_NEW_ENTRY = re.compile(r"\n[ \t]*@[A-Za-z]+[ \t]*[{(]")
_RESYNC = re.compile(r"\n[ \t]*@")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass
class RawEntry:
    """One entry as written: its type, key, and fields (macros expanded, raw LaTeX)."""

    type: str
    key: str
    where: tuple[int, int]
    last_line: int
    fields: dict[str, str] = field(default_factory=dict)
    places: dict[str, tuple[int, int]] = field(default_factory=dict)


class _Bad(Exception):
    def __init__(self, at: int, message: str) -> None:
        super().__init__(message)
        self.at, self.message = at, message


class _Reader:
    """One pass over a file's text, entry by entry."""

    def __init__(self, text: str, report: Report) -> None:
        self.text, self.report = text, report
        self.lines = [m.start() for m in re.finditer("\n", text)]
        self.macros = {m[:3].lower(): m for m in MONTHS}

    def position(self, at: int) -> tuple[int, int]:
        line = bisect.bisect_left(self.lines, at)
        start = self.lines[line - 1] + 1 if line else 0
        return line + 1, at - start + 1

    def entries(self) -> Iterator[RawEntry]:
        text, at = self.text, 0
        while True:
            at = text.find("@", at)
            if at < 0:
                return
            match = _TYPE.match(text, at + 1)
            if match is None:
                at += 1  # an @ in the text between entries (a comment, an address)
                continue
            kind, closer = match.group(1).lower(), "}" if match.group(2) == "{" else ")"
            try:
                if kind == "comment":
                    at = self._skip_comment(match.end(), closer, at)
                elif kind == "preamble":
                    _, at = self._value(match.end(), closer)
                    at = self._close(at, closer, "@preamble")
                elif kind == "string":
                    at = self._string(match.end(), closer)
                else:
                    entry, at = self._entry(kind, at, match.end(), closer)
                    yield entry
            except _Bad as bad:
                self.report(self.position(bad.at), bad.message)
                again = _RESYNC.search(text, at + 1)
                if again is None:
                    return
                at = again.start() + 1

    def _skip_comment(self, at: int, closer: str, start: int) -> int:
        try:
            return self._balanced(at, closer) + 1
        except _Bad:
            return start + 1  # BibTeX's @comment is just the word; the rest is text

    def _balanced(self, at: int, closer: str) -> int:
        """The index of the brace (or parenthesis) closing the group opened before ``at``."""
        depth = 0
        pattern = _BRACES if closer == "}" else re.compile(r"[{}()]")
        for match in pattern.finditer(self.text, at):
            char = match.group()
            if char == "{" or (char == "(" and closer == ")"):
                depth += 1
            elif depth == 0 and char == closer:
                return match.start()
            elif char in "})":
                depth -= 1
        raise _Bad(at, "this entry is not closed before the end of the file")

    def _close(self, at: int, closer: str, what: str) -> int:
        at = _SPACE.match(self.text, at).end()  # type: ignore[union-attr]
        if self.text[at:at + 1] != closer:
            raise _Bad(at, f"expected {closer!r} to close {what}")
        return at + 1

    def _string(self, at: int, closer: str) -> int:
        match = _NAME.match(self.text, at)
        if match is None:
            raise _Bad(at, "expected a macro name and = in @string")
        value, at = self._value(match.end(), closer)
        self.macros[match.group(1).lower()] = value
        return self._close(at, closer, "@string")

    def _entry(self, kind: str, start: int, at: int, closer: str) -> tuple[RawEntry, int]:
        text = self.text
        key_match = _KEY.match(text, at)
        assert key_match is not None
        entry = RawEntry(kind, key_match.group(1), self.position(start), 0)
        if not entry.key:
            raise _Bad(start, f"the @{kind} entry has no citation key")
        at = key_match.end()
        while True:
            char = text[at:at + 1]
            if char == closer:
                break
            if char == "@" and _TYPE.match(text, at + 1):
                raise _Bad(at, f"the entry {entry.key} (line {entry.where[0]}) is not "
                               f"closed before the next entry (line "
                               f"{self.position(at)[0]}): a brace is left open")
            if char != ",":
                raise _Bad(at, f"expected ',' or {closer!r} in the entry {entry.key} (line "
                               f"{entry.where[0]})" + ("" if char else ": it is not closed"))
            at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
            if text[at:at + 1] == closer:
                break
            name = _NAME.match(text, at)
            if name is None:
                raise _Bad(at, f"expected a field name and = in the entry {entry.key}")
            field_name = name.group(1).lower()
            place = self.position(name.start(1))
            value, at = self._value(name.end(), closer, entry)
            if field_name in entry.fields:
                raise _Bad(name.start(1), f"the field {field_name} is given twice in the "
                                          f"entry {entry.key}")
            entry.fields[field_name], entry.places[field_name] = value, place
            at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        entry.last_line = self.position(at)[0]
        return entry, at + 1

    def _value(self, at: int, closer: str, entry: RawEntry | None = None) -> tuple[str, int]:
        """A field's value: braced or quoted text, a number or a macro, joined by #."""
        text, parts = self.text, []
        while True:
            at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
            char = text[at:at + 1]
            if char in ("{", '"'):
                end = self._text_end(at, entry)
                parts.append(text[at + 1:end])
                at = end + 1
            elif char.isdigit():
                number = _NUMBER.match(text, at)
                assert number is not None
                parts.append(number.group())
                at = number.end()
            else:
                macro = _MACRO.match(text, at)
                if macro is None:
                    raise _Bad(at, "expected a value: {text}, \"text\", a number or a "
                                   "@string macro")
                name = macro.group().lower()
                if name not in self.macros:
                    raise _Bad(at, f"no @string macro {macro.group()!r} is defined before "
                                   "this")
                parts.append(self.macros[name])
                at = macro.end()
            at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
            if text[at:at + 1] != "#":
                return "".join(parts), at
            at += 1

    def _text_end(self, at: int, entry: RawEntry | None) -> int:
        """Where the braced or quoted text opened at ``at`` ends."""
        text, depth = self.text, 0
        quoted = text[at] == '"'
        for match in (_QUOTED if quoted else _BRACES).finditer(text, at + 1):
            char = match.group()
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    if quoted:
                        raise _Bad(match.start(), "a closing brace without its opening "
                                                  "brace")
                    end = match.start()
                    break
                depth -= 1
            elif depth == 0:  # the closing quote
                end = match.start()
                break
        else:
            end = len(text)
        swallowed = _NEW_ENTRY.search(text, at, end)
        if swallowed is not None or end == len(text):
            what = f"the entry {entry.key} (line {entry.where[0]})" if entry else "this value"
            raise _Bad(at, f"a brace or quote opened here in {what} is not closed"
                           + (f" before the next entry (line "
                              f"{self.position(swallowed.start() + 1)[0]})"
                              if swallowed else ""))
        return end


def read(text: str, report: Report) -> list[RawEntry]:
    """Every entry of a BibTeX file; problems (each at its place) go to ``report``.

    An entry with a problem is left out and reading goes on at the next line that
    starts with ``@``.  A key used twice is reported at its second entry, naming both
    lines; the second is left out.
    """
    seen: dict[str, RawEntry] = {}
    out: list[RawEntry] = []
    reader = _Reader(text, report)
    for entry in reader.entries():
        first = seen.get(entry.key.lower())
        if first is not None:
            report(entry.where, f"the key {entry.key!r} is used twice: at line "
                                f"{first.where[0]} and line {entry.where[0]}")
            continue
        seen[entry.key.lower()] = entry
        out.append(entry)
    return out


def records(text: str, report: Report, *, sets: str = "collection"
            ) -> Iterator[tuple[int, Located, tuple[int, int], int]]:
    """Each record of a BibTeX file, as :func:`archivist.yamlio.records` gives YAML's."""
    from archivist.importing.bibmap import located_records

    entries = read(text, report)
    for number, item in enumerate(located_records(entries, report, sets=sets), 1):
        yield number, item, item.mark, 0
