"""Planning a query: the part the archive's engine answers, and the part matched here.

The model is beets' dbcore: a query node has a fast path an engine may run (there,
``clause()``, a piece of SQL) and ``match()``, the reference in pure Python.  Here the
engine says which nodes it answers (:meth:`archivist.store.QueryEngine.answers`: a
database in SQL, the JSON-file engine from its summaries) and the rest is matched by
:func:`archivist.query.match.compile_tree`, the reference every engine must agree
with.  A plan splits a tree once:

* the engine answers the whole tree: it selects the records itself, and ``list`` can
  draw its table from the values it gives, without reading a record;
* it answers some terms of a top-level ``AND``: it narrows the records to those, and
  the other terms are matched on the whole documents that are left;
* it answers nothing (or there is no engine now): every document is matched.

:mod:`archivist.query` does not import this module: it asks the storage front, which
reads the tree of :mod:`.match` (importing the front from the package would be a circle).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.query.match import And, Everything, Node, compile_tree
from archivist.store import IndexUnusable, QueryEngine, Selection, query_engine

if TYPE_CHECKING:
    from archivist.store import Archive


@dataclass(frozen=True)
class Plan:
    """A tree split between the engine and the reference matcher (``None``: no part)."""

    #: What the engine answers itself.
    engine: Node | None
    #: What is matched on whole documents, among the records the engine selected.
    rest: Node | None


def _joined(operands: tuple[Node, ...]) -> Node | None:
    if not operands:
        return None
    return operands[0] if len(operands) == 1 else And(operands)


def plan(tree: Node, engine: QueryEngine | None) -> Plan:
    """Split ``tree`` between ``engine`` and the reference matcher."""
    if engine is None:
        return Plan(None, tree)
    if engine.answers(tree):
        return Plan(tree, None)
    if isinstance(tree, And):
        answered = tuple(op for op in tree.operands if engine.answers(op))
        if answered:
            rest = tuple(op for op in tree.operands if not engine.answers(op))
            return Plan(_joined(answered), _joined(rest))
    return Plan(None, tree)


def select(archive: Archive, tree: Node, keys: Collection[str]) -> Selection | None:
    """The records matching ``tree`` with their stored values of ``keys``, when the
    archive's engine answers the whole of it and holds those keys (``None``
    otherwise: the caller matches documents, :func:`matching`)."""
    engine = query_engine(archive)
    if engine is None or not set(keys) <= engine.keys or not engine.answers(tree):
        return None
    try:
        return engine.select(tree, keys)
    except IndexUnusable:  # damaged summaries: the records are read instead
        return None


def matching(archive: Archive, tree: Node) -> list[dict[str, Any]]:
    """The stored documents matching ``tree``, in the order added: those the engine
    selects, of which the reference matcher keeps those the rest of the plan matches."""
    engine = query_engine(archive)
    split = plan(tree, engine if engine is not None and "id" in engine.keys else None)
    if engine is not None and split.engine is not None and split.engine != Everything():
        # A database gives the documents it selects itself, and no others are read.
        chosen = getattr(engine, "documents", None)
        if chosen is not None:
            docs: Iterable[dict[str, Any]] = chosen(split.engine)
            return list(docs) if split.rest is None else _kept(archive, split.rest, docs)
    docs = archive.documents()
    if engine is not None and split.engine is not None and split.engine != Everything():
        try:
            ids = set(engine.select(split.engine, ("id",)).column("id"))
        except IndexUnusable:  # damaged summaries: every document is matched
            split = Plan(None, tree)
        else:
            docs = [doc for doc in docs if doc.get("id") in ids]
    if split.rest is None:
        return list(docs)
    return _kept(archive, split.rest, docs)


def _kept(archive: Archive, rest: Node, docs: Iterable[dict[str, Any]]
          ) -> list[dict[str, Any]]:
    """The documents the reference matcher matches ``rest`` on."""
    predicate = compile_tree(rest, archive)
    return [doc for doc in docs if predicate(doc)]
