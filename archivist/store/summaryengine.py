"""Queries answered from an engine's summaries (:class:`.interface.Summaries`).

An engine that keeps its records' short values in columns beside them (the JSON-file
engine's index file) answers every query node that reads only those columns: bare
words (the folded search column), ``tag:``, ``kind:``, ``lang:``, ``id:``, ``title:``,
``creator:``, ``date:``, ``has:``/``missing:`` of a summarised key, ``rel:`` and
``linked:`` (the links come from the archive), and ``NOT``/``AND``/``OR`` of those.
It runs the reference matcher (:func:`archivist.query.match.compile_tree`) on small
documents built from the columns, so its answer is the reference's by construction;
what it saves is parsing the records.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from archivist.folding import SEARCH_KEY
from archivist.models import DATES_KEY
from archivist.store.interface import Summaries

if TYPE_CHECKING:
    from archivist.query.match import Node


class Rows:
    """Some rows of summaries (all of them when ``rows`` is ``None``), in record order."""

    def __init__(self, summaries: Summaries, rows: list[int] | None) -> None:
        self._summaries = summaries
        self._rows = rows

    def __len__(self) -> int:
        return len(self._summaries) if self._rows is None else len(self._rows)

    def column(self, key: str) -> Sequence[Any]:
        values = self._summaries.column(key)
        if self._rows is None:
            return values
        return [values[row] for row in self._rows]


class _Links:
    """What ``rel:`` and ``linked:`` ask of an archive: its stored links."""

    def __init__(self, links: Callable[[], Iterable[dict[str, Any]]]) -> None:
        self.link_documents = links


class SummaryEngine:
    """The :class:`.interface.QueryEngine` of an engine with summaries.

    :param links: the archive's ``link_documents``, for ``rel:`` and ``linked:``.
    """

    def __init__(self, summaries: Summaries,
                 links: Callable[[], Iterable[dict[str, Any]]]) -> None:
        self._summaries = summaries
        self._links = _Links(links)
        self.keys = frozenset(summaries.keys)

    def columns(self, node: Node) -> set[str] | None:
        """The columns answering ``node`` reads, or ``None`` when it needs more than the
        summaries hold (``added:``, ``fixity:``, paths into sections, other fields)."""
        from archivist.query.match import (
            And,
            Dates,
            Everything,
            Field,
            Has,
            Match,
            Not,
            Or,
            Rel,
            Text,
        )

        if isinstance(node, Everything):
            return set()
        if isinstance(node, Text):
            return {SEARCH_KEY}
        if isinstance(node, Rel):
            return {"id"} if "id" in self.keys else None
        if isinstance(node, Dates):
            wanted = {"date", DATES_KEY}
            return wanted if node.name == "date" and wanted <= self.keys else None
        if isinstance(node, (Field, Match, Has)):
            return {node.path} if node.path in self.keys else None
        if isinstance(node, Not):
            return self.columns(node.operand)
        if isinstance(node, (And, Or)):
            found: set[str] = set()
            for operand in node.operands:
                part = self.columns(operand)
                if part is None:
                    return None
                found |= part
            return found
        return None

    def answers(self, node: Node) -> bool:
        return self.columns(node) is not None

    def select(self, node: Node | None, keys: Collection[str]) -> Rows:
        """The rows ``node`` matches (all for ``None``); :meth:`Rows.column` reads any
        of ``keys``."""
        if node is None:
            return Rows(self._summaries, None)
        names = self.columns(node)
        if names is None:
            raise ValueError(f"the summaries cannot answer {node!r}")
        return Rows(self._summaries, self._matching(node, sorted(names)))

    def _matching(self, node: Node, names: list[str]) -> list[int]:
        """The rows whose values of ``names`` the reference matcher accepts."""
        from archivist.query.match import compile_tree

        predicate = compile_tree(node, self._links)
        # One document, refilled for each row: building a dict per record would cost
        # a fifth of ``list tag:x`` at 100,000 records.  The matcher keeps nothing of
        # a document between calls (see archivist.query.match._Compiler.search_text).
        doc: dict[str, Any] = {}
        found: list[int] = []
        if not names:  # nothing read: every row alike (``NOT (a OR NOT a)``, say)
            return list(range(len(self._summaries))) if predicate(doc) else found
        if len(names) == 1:
            name = names[0]
            for row, value in enumerate(self._summaries.column(name)):
                doc[name] = value
                if predicate(doc):
                    found.append(row)
            return found
        columns = [self._summaries.column(name) for name in names]
        for row, values in enumerate(zip(*columns)):
            doc.update(zip(names, values))
            if predicate(doc):
                found.append(row)
        return found
