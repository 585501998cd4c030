"""``archivist grep``: the lines of the selected records' sources that hold a pattern.

A pattern is folded as ``text:`` folds it (:class:`archivist.fulltext.Needle`), so
``grep konchalovsky`` finds ``Konchalovsky’s``; with ``regex`` it is a Python regular
expression matched against each line as extracted, in its case.  Line numbers are
those of the source file (for WARC and PDF files, of the text extracted from them),
so they agree with ``source.span``; a record with a span is searched, and shown with
its context, within its own lines only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archivist.errors import ArchivistError
from archivist.folding import fold
from archivist.fulltext import Needle, located, sieved

if TYPE_CHECKING:
    from archivist.store import Archive


class BadPattern(ArchivistError):
    """The pattern is not a regular expression (or is empty)."""


@dataclass(frozen=True)
class Line:
    """One line of a source: a hit (``marks`` are where it matches) or context."""

    number: int
    text: str
    marks: tuple[tuple[int, int], ...] = ()


@dataclass
class Hit:
    """The lines of one record's source that matched, with their context, in order."""

    record_id: str
    path: str
    lines: list[Line]

    def to_dicts(self) -> list[dict[str, Any]]:
        """The JSON form of ``grep --format json``: one object a line."""
        return [{"id": self.record_id, "path": self.path, "line": line.number,
                 "text": line.text, "matches": [list(mark) for mark in line.marks]}
                for line in self.lines]


@dataclass
class GrepResult:
    """Every record with a hit, and why the other selected records have no text."""

    hits: list[Hit] = field(default_factory=list)
    #: ``(record id, reason)`` for each selected record whose source has no text.
    without_text: list[tuple[str, str]] = field(default_factory=list)


def _marks_folded(line: str, needle: Needle) -> tuple[tuple[int, int], ...]:
    """Where the folded ``needle`` matches in ``line``, as positions in ``line``."""
    starts: list[int] = []
    pieces: list[str] = []
    for index, char in enumerate(line):
        piece = fold(char)
        pieces.append(piece)
        starts.extend([index] * len(piece))
    folded = "".join(pieces)
    starts.append(len(line))
    return tuple((starts[m.start()], starts[m.end() - 1] + 1 if m.end() else 0)
                 for m in needle.regex.finditer(folded) if m.end() > m.start())


def _hit_lines(text: str, folded: str, span: tuple[int, int] | None, needle: Needle | None,
               regex: re.Pattern[str] | None) -> dict[int, tuple[tuple[int, int], ...]]:
    """The numbers of the lines that match, within ``span``, with their marks."""
    lines = text.split("\n")
    first, last = span if span is not None else (1, len(lines))
    found: dict[int, tuple[tuple[int, int], ...]] = {}
    if regex is not None:
        for number in range(first, min(last, len(lines)) + 1):
            marks = tuple(m.span() for m in regex.finditer(lines[number - 1])
                          if m.end() > m.start())
            if marks:
                found[number] = marks
        return found
    assert needle is not None
    for start, end in needle.spans(folded):
        if first <= start and end <= last:
            for number in range(start, end + 1):
                # A line holding only part of a phrase over lines is marked whole.
                line = lines[number - 1]
                found.setdefault(number, _marks_folded(line, needle) or ((0, len(line)),))
    return found


def _with_context(text: str, hits: dict[int, tuple[tuple[int, int], ...]],
                  span: tuple[int, int] | None, context: int) -> list[Line]:
    lines = text.split("\n")
    first, last = span if span is not None else (1, len(lines))
    last = min(last, len(lines))
    shown: set[int] = set()
    for number in hits:
        shown.update(range(max(first, number - context), min(last, number + context) + 1))
    return [Line(n, lines[n - 1], hits.get(n, ())) for n in sorted(shown)]


def compile_pattern(pattern: str, regex: bool) -> tuple[Needle | None, re.Pattern[str] | None]:
    """The pattern as :func:`grep` matches it.

    :raises BadPattern: for an empty pattern or a regular expression that does not compile.
    """
    if not pattern.strip():
        raise BadPattern("the pattern is empty")
    if not regex:
        return Needle(pattern), None
    try:
        return None, re.compile(pattern)
    except re.error as err:
        raise BadPattern(f"bad regular expression {pattern!r}: {err}") from None


def required_literal(regex: re.Pattern[str]) -> str | None:
    """The longest run of plain ASCII characters every match of ``regex`` holds, in
    its case: the literals in the top-level sequence of the pattern (``Azar`` of
    ``Azar[a-z]+``); ``None`` when there is none, or the pattern ignores case."""
    import importlib

    try:  # the parser re compiles with; a private module, so any surprise: no literal
        parser: Any = importlib.import_module("re._parser")
        constants: Any = importlib.import_module("re._constants")
        parsed = parser.parse(regex.pattern, regex.flags)
        if parsed.state.flags & constants.SRE_FLAG_IGNORECASE:
            return None
        runs, run = [], ""
        for opcode, argument in parsed:
            if opcode is constants.LITERAL and argument < 128:
                run += chr(argument)
            else:
                runs.append(run)
                run = ""
        runs.append(run)
    except Exception:  # only a shortcut: without it every text is read
        return None
    return max(runs, key=len) or None


def _regex_words(regex: re.Pattern[str]) -> tuple[str | None, list[str]]:
    """A regular expression's required literal and the words of the text's sieve.

    Every line that matches holds the literal; folding leaves ASCII letters and digits
    as they are but for their case, so the folded text holds its words, each inside
    one of its own: the sieve of ``text:`` keeps every text that can match."""
    from archivist.store.sourcetexts import search_words

    literal = required_literal(regex)
    return literal, [] if literal is None else search_words(literal)


def grep(archive: Archive, pattern: str, query: Sequence[str] = (), *, regex: bool = False,
         context: int = 0) -> GrepResult:
    """The lines of the sources of the records ``query`` selects (all when empty) that
    match ``pattern``, with ``context`` lines around them.

    :raises BadPattern: for an empty pattern or a bad regular expression.
    :raises QuerySyntaxError: when the query does not parse.
    """
    from archivist.listing import select

    needle, compiled = compile_pattern(pattern, regex)
    docs = select(archive, query)
    result = GrepResult()
    sources = []
    for doc in docs:
        found = located(doc)
        if found is None:
            has_source = isinstance(doc.get("source"), dict)
            result.without_text.append((str(doc.get("id")), "no SHA-256 recorded for its "
                                        "source" if has_source else "no source file"))
        else:
            sources.append(found)
    if not sources:
        return result
    literal, words = (None, needle.words) if needle is not None else _regex_words(
        compiled) if compiled is not None else (None, [])
    index, candidates = sieved(archive, sources, words, "both" if needle else "text")
    texts = {text.sha256: text for text in candidates
             if literal is None or text.text is None or literal in text.text}
    for source in sources:
        kept = texts.get(source.sha256)
        text = None if kept is None else kept.text
        if kept is None or text is None:
            if index.kinds.get(source.sha256) in (None, "skipped"):
                result.without_text.append((source.record_id, _why(index, source.sha256)))
            continue
        folded = (kept.folded_text() or "") if needle is not None else ""
        lines = _hit_lines(text, folded, source.span, needle, compiled)
        if lines:
            result.hits.append(Hit(source.record_id, source.path,
                                   _with_context(text, lines, source.span, context)))
    return result


def _why(index: Any, sha256: str) -> str:
    if sha256 in index.unread:
        return str(index.unread[sha256])
    return "its source file has no text (not a text, HTML, WARC or PDF file)"
