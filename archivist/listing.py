"""Choosing, ordering and reading out records for ``list`` and ``export``.

Selection runs on stored documents (the fast path: no :class:`~archivist.models.Record`
objects are built), then the survivors are turned into the interchange form once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from archivist.errors import ArchivistError, InvalidRecord
from archivist.models import DATES_KEY, INTERCHANGE_KEYS, interchange

if TYPE_CHECKING:
    from archivist.store import Archive

_SECTIONS = ("fields", "source", "archive")
# Names archivist maintains are read from the ``archive`` section: they can never be
# custom fields (they are reserved), so ``--columns added`` and ``--sort -changed``
# may use them bare.
ARCHIVE_ALIASES = {"added": "archive.added", "added_by": "archive.added_by",
                    "added_how": "archive.added_how", "changed": "archive.changed",
                    "fixity": "archive.fixity.result"}
_COMBINING = re.compile(r"[\u0300-\u036f]")


def column_value(record: Mapping[str, Any], column: str) -> Any:
    """The value of ``column`` in a record (interchange form or document).

    ``fields.x``, ``source.path`` and ``archive.added`` reach into sections; a bare
    name outside the schema is looked up in ``fields``.
    """
    column = ARCHIVE_ALIASES.get(column, column)
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


def sort_text(text: str) -> tuple[str, str]:
    """The key text sorts by: accents and case ignored first (``Żółw`` among the Z's),
    then case-folded as written, so the order is total and stable."""
    folded = text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", folded)), folded


def _sort_value(doc: dict[str, Any], key: str) -> Any:
    """A comparable value of ``key`` in ``doc``, or ``None`` when it is missing.

    Dates sort by their earliest day (``1920/1925`` with 1920), numbers before text,
    and a list (tags, creators) by its first element.
    """
    if key == "date":
        dates = doc.get(DATES_KEY)
        if dates:
            return (0, 0, (dates[0], dates[1]))
        if doc.get("date"):
            # An interchange form carries no cached bounds: work them out.
            from archivist.dates import date_bounds

            return (0, 0, date_bounds(doc["date"]))
        return None
    value = column_value(doc, key)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, bool):
        value = str(value).lower()
    if isinstance(value, (int, float)):
        return (0, value, ("", ""))
    if isinstance(value, dict):
        value = ", ".join(f"{k}={v}" for k, v in value.items())
    return (1, 0, sort_text(str(value)))


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
    :raises UnknownField: when the query or ``sort`` names a field that is neither the
        schema's nor held by any record (see :mod:`archivist.fieldcheck`).
    """
    from archivist.fieldcheck import check_query_fields, check_sort_names

    docs: Iterable[dict[str, Any]] = archive.documents()
    if query and any(word.strip() for word in query):
        from archivist.query import join_words, parse
        from archivist.query.match import compile_tree

        text = join_words(list(query))
        tree = parse(text)
        check_query_fields(archive, text)
        predicate = compile_tree(tree, archive)
        docs = [doc for doc in docs if predicate(doc)]
    if sort:
        check_sort_names(archive, sort)
    return _order(docs, sort, limit)


def select_summaries(archive: Archive, query: Sequence[str] = (), *,
                     sort: str | None = None, limit: int | None = None
                     ) -> list[list[str]] | None:
    """The default table rows of :func:`select`, read from the index file; ``None``
    when there is no current index or the query or sort needs more than it holds
    (as a name outside the schema does: :func:`select` then checks it).

    :raises QuerySyntaxError: when the query does not parse.
    """
    index = archive.summaries()
    if index is None:
        return None
    keys = index_sort_columns(sort) if sort else set()
    tree = None
    if query and any(word.strip() for word in query):
        from archivist.query import join_words, parse

        tree = parse(join_words(list(query)))
        needed = index_columns(tree)
        keys = None if needed is None or keys is None else keys | needed
    if keys is None:
        return None
    try:
        docs = index.documents(keys)
        if tree is not None:
            from archivist.query.match import compile_tree

            predicate = compile_tree(tree, archive)
            docs = [doc for doc in docs if predicate(doc)]
        return index.cells(doc["_row"] for doc in _order(docs, sort, limit))
    except ArchivistError:  # the user's (a bad --limit, say), not the index file's
        raise
    except (ValueError, KeyError):  # a damaged index file: read the archive instead
        return None


def _order(docs: Iterable[dict[str, Any]], sort: str | None, limit: int | None
           ) -> list[dict[str, Any]]:
    ordered = sort_documents(list(docs), sort)
    if limit is not None:
        if limit < 0:
            raise InvalidRecord("--limit cannot be negative")
        ordered = ordered[:limit]
    return ordered


def to_interchange(archive: Archive, docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The interchange form of each document, with its stored links."""
    docs = list(docs)
    links = links_of(archive, docs)
    return [interchange(doc, links.get(doc["id"].lower(), [])) for doc in docs]


def links_of(archive: Archive, docs: Sequence[dict[str, Any]]
             ) -> dict[str, list[dict[str, str]]]:
    """The stored links of each document (by lowercased id) as interchange gives them:
    ``{"rel", "target"}``, in the order stored."""
    # Only the links of these documents are gathered: ``show`` wants one record's,
    # and sorting every link of a large archive by record would cost more than it.
    wanted = {doc["id"].lower() for doc in docs}
    links: dict[str, list[dict[str, str]]] = {}
    for link in archive.link_documents():
        key = link["src"].lower()
        if key in wanted:
            links.setdefault(key, []).append({"rel": link["rel"], "target": link["dst"]})
    return links


def index_columns(tree: Any) -> set[str] | None:
    """The index columns a query (a parsed tree) reads, or ``None`` when it needs more
    than the index holds.

    Links are not in the index, but ``rel:`` and ``linked:`` find them in the archive
    and need only the record's id; ``added:``, ``changed:``, ``fixity:`` and paths into
    ``source``, ``fields`` or ``archive`` need the whole document.
    """
    from archivist.folding import SEARCH_KEY
    from archivist.query import match as q
    from archivist.store.jsonfile.summaryindex import SUMMARY_KEYS

    if isinstance(tree, q.Everything):
        return set()
    if isinstance(tree, q.Text):
        return {SEARCH_KEY}
    if isinstance(tree, q.Rel):
        return {"id"}
    if isinstance(tree, q.Dates):
        return {"date", DATES_KEY} if tree.name == "date" else None
    if isinstance(tree, (q.Field, q.Match, q.Has)):
        return {tree.path} if tree.path in SUMMARY_KEYS else None
    if isinstance(tree, q.Not):
        return index_columns(tree.operand)
    if isinstance(tree, (q.And, q.Or)):
        found: set[str] = set()
        for operand in tree.operands:
            part = index_columns(operand)
            if part is None:
                return None
            found |= part
        return found
    return None


def index_sort_columns(spec: str) -> set[str] | None:
    """The index columns ``--sort SPEC`` reads (``-date,title``), or ``None`` when it
    needs more than the index holds."""
    from archivist.store.jsonfile.summaryindex import SUMMARY_KEYS

    found: set[str] = set()
    for key in spec.split(","):
        name = key.strip().lstrip("-")
        if name not in SUMMARY_KEYS:
            return None
        found |= {"date", DATES_KEY} if name == "date" else {name}
    return found
