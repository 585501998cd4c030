"""Choosing, ordering and reading out records for ``list`` and ``export``.

Selection runs on stored documents (the fast path: no :class:`~archivist.models.Record`
objects are built), then the survivors are turned into the interchange form once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from archivist.errors import InvalidRecord
from archivist.models import DATES_KEY, INTERCHANGE_KEYS, interchange

if TYPE_CHECKING:
    from archivist.store import Archive

_SECTIONS = ("fields", "source", "archive")


def column_value(record: dict[str, Any], column: str) -> Any:
    """The value of ``column`` in a record (interchange form or document).

    ``fields.x``, ``source.path`` and ``archive.added`` reach into sections; a bare
    name outside the schema is looked up in ``fields``.
    """
    head, _, rest = column.partition(".")
    if rest and head in _SECTIONS:
        value: Any = record.get(head) or {}
        for part in rest.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value
    if column in record or column in INTERCHANGE_KEYS:
        return record.get(column)
    return (record.get("fields") or {}).get(column)


def check_columns(columns: Sequence[str]) -> list[str]:
    """Validate column names; any schema key, section path or custom field name works."""
    out = []
    for column in columns:
        column = column.strip()
        if not column:
            raise InvalidRecord("an empty column name in --columns")
        out.append(column)
    return out


def _sort_value(doc: dict[str, Any], key: str) -> Any:
    if key == "date":
        dates = doc.get(DATES_KEY)
        return dates[0] if dates else None
    value = column_value(doc, key)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, str(value).casefold())


def sort_documents(docs: list[dict[str, Any]], spec: str | None) -> list[dict[str, Any]]:
    """Sort by ``spec`` (``-date,title``: keys by priority, ``-`` for descending).

    Missing values come last in either direction; ties keep the order added.
    """
    if not spec:
        return docs
    keys = [k.strip() for k in spec.split(",")]
    if any(not k or k == "-" for k in keys):
        raise InvalidRecord(f"bad sort key list {spec!r}")
    for key in reversed(keys):
        descending = key.startswith("-")
        name = key.lstrip("-")
        present: list[tuple[Any, dict[str, Any]]] = []
        missing: list[tuple[Any, dict[str, Any]]] = []
        for doc in docs:
            value = _sort_value(doc, name)
            (missing if value is None else present).append((value, doc))
        present.sort(key=lambda pair: pair[0], reverse=descending)
        docs = [doc for _, doc in present] + [doc for _, doc in missing]
    return docs


def select(archive: Archive, query: Sequence[str] = (), *, sort: str | None = None,
           limit: int | None = None) -> list[dict[str, Any]]:
    """The stored documents matching ``query`` (all when empty), sorted and limited.

    :raises QuerySyntaxError: when the query does not parse.
    """
    docs: Iterable[dict[str, Any]] = archive.documents()
    if query and any(word.strip() for word in query):
        from archivist.query import compile_query

        predicate = compile_query(list(query), archive)
        docs = [doc for doc in docs if predicate(doc)]
    ordered = sort_documents(list(docs), sort)
    if limit is not None:
        if limit < 0:
            raise InvalidRecord("--limit cannot be negative")
        ordered = ordered[:limit]
    return ordered


def to_interchange(archive: Archive, docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The interchange form of each document, with its stored links."""
    from archivist.links import outgoing_by_record

    links = outgoing_by_record(archive)
    return [interchange(doc, links.get(doc["id"].lower(), [])) for doc in docs]
