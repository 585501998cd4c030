"""The query syntax tree, and how it matches stored documents.

:mod:`archivist.query` parses a query (the grammar is documented there) into a tree of
:class:`Node` subclasses defined here; :func:`compile_tree` turns a tree into a predicate
over stored documents.  Matching ignores case and accents through :func:`fold`, which
duplicate detection and merging share.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from archivist.dates import date_bounds
from archivist.errors import ArchivistError, InvalidRecord
from archivist.folding import SEARCH_KEY, all_texts
from archivist.folding import exact_key as exact_key
from archivist.folding import fold as fold
from archivist.folding import search_text as search_text
from archivist.models import DATES_KEY

Predicate = Callable[[dict[str, Any]], bool]

#: Schema fields that bare words search.
TEXT_SEARCH_FIELDS: tuple[str, ...] = ("title", "subtitle", "summary", "creators")

_SYMMETRIC_FALLBACK = frozenset({"duplicate-of", "related"})

# -- the syntax tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """Base of the query syntax tree; equality covers every attribute."""


@dataclass(frozen=True)
class Everything(Node):
    """The empty query: matches every record."""


@dataclass(frozen=True)
class Text(Node):
    """A bare word or phrase, searched in :data:`TEXT_SEARCH_FIELDS`."""

    value: str


@dataclass(frozen=True)
class InText(Node):
    """A word or phrase in the text of the record's source file (``text:``): folded as
    bare words are, within the record's ``source.span`` (see :mod:`archivist.fulltext`)."""

    value: str


@dataclass(frozen=True)
class Field(Node):
    """Some text at the dotted ``path`` contains ``value`` (loosely, as bare words)."""

    path: str
    value: str


@dataclass(frozen=True)
class Match(Node):
    """Some text at ``path`` is ``pattern`` in any case; ``*`` matches any run of text."""

    path: str
    pattern: str


@dataclass(frozen=True)
class Dates(Node):
    """The days of ``name`` (``date``, ``added`` or ``changed``) overlap the range."""

    name: str
    earliest: str
    latest: str


@dataclass(frozen=True)
class Has(Node):
    """The value at ``path`` is present and not empty."""

    path: str


@dataclass(frozen=True)
class Rel(Node):
    """The record is ``rel`` of ``target``; ``None`` stands for any relation or record."""

    rel: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class Not(Node):
    """The operand does not match."""

    operand: Node


@dataclass(frozen=True)
class And(Node):
    """Every operand matches."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    """At least one operand matches."""

    operands: tuple[Node, ...]


# -- compiling to predicates -------------------------------------------------------------


def relation_vocabulary() -> tuple[Callable[[str], tuple[str, bool]] | None, frozenset[str]]:
    """The relation vocabulary: ``canonical`` (``None`` when absent) and the symmetric.

    :mod:`archivist.query` checks the names of ``rel:`` terms with it too.
    """
    try:
        from archivist import links
    except ImportError:
        return None, _SYMMETRIC_FALLBACK
    return (getattr(links, "canonical", None),
            frozenset(getattr(links, "SYMMETRIC", _SYMMETRIC_FALLBACK)))


def _getter(path: str) -> Callable[[dict[str, Any]], Any]:
    """A function reading the dotted ``path`` from a document (custom names in any case)."""
    keys = path.split(".")
    if len(keys) == 1:
        key = keys[0]
        return lambda doc: doc.get(key)

    def get(doc: dict[str, Any]) -> Any:
        value: Any = doc.get(keys[0])
        for key in keys[1:]:
            if not isinstance(value, dict):
                return None
            found = value.get(key)
            if found is None:  # a custom name written in another case
                folded = key.casefold()
                found = next((v for k, v in value.items()
                              if isinstance(k, str) and k.casefold() == folded), None)
            value = found
        return value

    return get


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != [] and value != {}


class _Compiler:
    """Turns a tree into closures, doing shared work (the link index) once."""

    def __init__(self, archive: Any | None) -> None:
        self.archive = archive
        self._links: dict[str, set[tuple[str, bool, str]]] | None = None
        self._memo: list[tuple[object, str]] = [(None, "")]

    def links(self) -> dict[str, set[tuple[str, bool, str]]]:
        """Lower id → ``(rel as stored, outgoing, other lower id)``, from both ends."""
        if self._links is None:
            index: dict[str, set[tuple[str, bool, str]]] = {}
            stored: Iterable[Any] = () if self.archive is None else self.archive.link_documents()
            for link in stored:
                src, rel, dst = link.get("src"), link.get("rel"), link.get("dst")
                if isinstance(src, str) and isinstance(rel, str) and isinstance(dst, str):
                    index.setdefault(src.lower(), set()).add((rel.lower(), True, dst.lower()))
                    index.setdefault(dst.lower(), set()).add((rel.lower(), False, src.lower()))
            self._links = index
        return self._links

    def search_text(self, doc: dict[str, Any]) -> str:
        """The folded text bare words search, remembered for the latest document."""
        # A summary carries it ready (an engine's summaries, whose one document may be
        # refilled for every row: so it is read before the memo is trusted).
        text = doc.get(SEARCH_KEY)
        if isinstance(text, str):
            return text
        memo = self._memo[0]  # one read of one tuple, so threads never mix documents
        if memo[0] is doc:
            return memo[1]
        text = search_text(doc)
        self._memo[0] = (doc, text)
        return text

    def compile(self, node: Node) -> Predicate:
        if isinstance(node, Everything):
            return lambda doc: True
        if isinstance(node, Not):
            inner = self.compile(node.operand)
            return lambda doc: not inner(doc)
        if isinstance(node, (And, Or)):
            return self.combine(node)
        if isinstance(node, Text):
            needle, text = fold(node.value), self.search_text
            return lambda doc: needle in text(doc)
        if isinstance(node, Field):
            return self.field(node)
        if isinstance(node, Match):
            return self.match(node)
        if isinstance(node, Dates):
            return self.dates(node)
        if isinstance(node, Has):
            get = _getter(node.path)
            return lambda doc: _present(get(doc))
        if isinstance(node, (Rel, InText)):
            ids = self.related(node) if isinstance(node, Rel) else self.in_text(node)
            return lambda doc: isinstance(key := doc.get("id"), str) and key.lower() in ids
        raise TypeError(f"not a query node: {node!r}")

    def combine(self, node: And | Or) -> Predicate:
        parts = tuple(self.compile(op) for op in node.operands)
        if len(parts) == 2:  # the common case, without the cost of a generator
            first, second = parts
            if isinstance(node, And):
                return lambda doc: first(doc) and second(doc)
            return lambda doc: first(doc) or second(doc)
        if isinstance(node, And):
            return lambda doc: all(part(doc) for part in parts)
        return lambda doc: any(part(doc) for part in parts)

    def field(self, node: Field) -> Predicate:
        get, needle = _getter(node.path), fold(node.value)

        def contains(doc: dict[str, Any]) -> bool:
            value = get(doc)
            if isinstance(value, str):  # the usual case, without building a list
                return needle in (value.lower() if value.isascii() else fold(value))
            for text in all_texts(value):
                if needle in (text.lower() if text.isascii() else fold(text)):
                    return True
            return False
        return contains

    def match(self, node: Match) -> Predicate:
        get, key = _getter(node.path), exact_key(node.pattern)
        regex = (re.compile(".*".join(map(re.escape, key.split("*"))), re.DOTALL)
                 if "*" in key else None)

        def whole(doc: dict[str, Any]) -> bool:
            value = get(doc)
            for text in (value,) if isinstance(value, str) else all_texts(value):
                text = text.lower() if text.isascii() else exact_key(text)
                if text == key if regex is None else regex.fullmatch(text):
                    return True
            return False
        return whole

    def dates(self, node: Dates) -> Predicate:
        earliest, latest, name = node.earliest, node.latest, node.name
        if name != "date":
            def stamped(doc: dict[str, Any]) -> bool:
                info = doc.get("archive")
                stamp = info.get(name) if isinstance(info, dict) else None
                return isinstance(stamp, str) and earliest <= stamp[:10] <= latest
            return stamped

        def dated(doc: dict[str, Any]) -> bool:
            days = doc.get(DATES_KEY)
            if not (isinstance(days, (list, tuple)) and len(days) == 2):
                text = doc.get("date")
                if not isinstance(text, str):
                    return False
                try:  # a document that never went through Record.to_document()
                    days = date_bounds(text)
                except InvalidRecord:
                    return False
            return bool(days[0] <= latest and days[1] >= earliest)
        return dated

    def in_text(self, node: InText) -> set[str]:
        """The lower ids of the records an :class:`InText` matches (read from the
        archive's source texts; none without an archive that keeps sources)."""
        if self.archive is None or not hasattr(self.archive, "documents"):
            return set()
        from archivist.fulltext import matching_ids

        return matching_ids(self.archive, node.value)

    def related(self, node: Rel) -> set[str]:
        """The lower ids of the records a :class:`Rel` matches."""
        wanted = set() if node.rel is None else relation_ends(node.rel)
        target = None if node.target is None else node.target.lower()
        return {record for record, entries in self.links().items()
                if any((node.rel is None or (rel, out) in wanted)
                       and (target is None or other == target)
                       for rel, out, other in entries)}


def relation_ends(rel: str) -> set[tuple[str, bool]]:
    """The stored links ``rel:REL`` matches, each as ``(lowercased name, outgoing)``
    read from the record's own end (an engine answering ``rel:`` in SQL asks too)."""
    # Match the name as stored and, with the vocabulary, its canonical form read
    # from this record's end; a symmetric relation reads the same from both ends.
    resolve, symmetric = relation_vocabulary()
    name, flipped = rel, False
    wanted = {(name, True)}
    if resolve is not None:
        try:
            name, flipped = resolve(rel)
        except (ArchivistError, ValueError, KeyError):
            pass
        wanted.add((name, not flipped))
    if name in symmetric:
        wanted.add((name, flipped))
    return wanted


def compile_tree(node: Node, archive: Any | None = None) -> Predicate:
    """Compile a parsed query into a predicate over stored documents.

    :param node: the tree, as :func:`archivist.query.parse` returns it.
    :param archive: where ``rel:``, ``linked:`` and ``has:links`` find links (anything
        with ``link_documents()``); without it no record has links.
    :returns: a function telling whether a document matches.
    """
    return _Compiler(archive).compile(node)
