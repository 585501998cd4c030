"""Choosing, ordering and reading out records for ``list`` and ``export``.

A query is planned (:mod:`archivist.query.plan`): the archive's engine answers what it
can, the reference matcher the rest, on stored documents (no
:class:`~archivist.models.Record` objects are built); the survivors are turned into the
interchange form once.  When the engine answers the whole query and sort, the default
table is drawn from the values it gives (:func:`select_summaries`), no record read.
This module knows no engine: only :mod:`archivist.store`'s front.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from archivist.errors import InvalidRecord
from archivist.models import DATES_KEY, INTERCHANGE_KEYS, interchange

if TYPE_CHECKING:
    from archivist.store import Archive, Selection

_T = TypeVar("_T")

_SECTIONS = ("fields", "source", "archive")
# Names archivist maintains are read from the ``archive`` section: they can never be
# custom fields (they are reserved), so ``--columns added`` and ``--sort -changed``
# may use them bare.
ARCHIVE_ALIASES = {"added": "archive.added", "added_by": "archive.added_by",
                    "added_how": "archive.added_how", "changed": "archive.changed",
                    "fixity": "archive.fixity.result"}
_COMBINING = re.compile(r"[\u0300-\u036f]")
#: The refusal of an empty column name (the command line names its option there).
EMPTY_COLUMN = "an empty column name among the columns"


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
            raise InvalidRecord(EMPTY_COLUMN)
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

    docs: Iterable[dict[str, Any]]
    if query and any(word.strip() for word in query):
        from archivist.query import join_words, parse
        from archivist.query.plan import matching

        text = join_words(list(query))
        tree = parse(text)
        check_query_fields(archive, text)
        docs = matching(archive, tree)  # a database reads only the records it selects
    else:
        docs = archive.documents()
    if sort:
        check_sort_names(archive, sort)
    return _order(docs, sort, limit)


def select_summaries(archive: Archive, query: Sequence[str] = (), *,
                     sort: str | None = None, limit: int | None = None
                     ) -> list[list[str]] | None:
    """The default table rows of :func:`select`, drawn from the values the archive's
    engine gives for them (:func:`archivist.query.plan.select`), no record read;
    ``None`` when the engine cannot answer the query or the sort now (a name outside
    the schema, say: :func:`select` then checks it).

    :raises QuerySyntaxError: when the query does not parse.
    """
    from archivist.display import DEFAULT_COLUMNS, table_rows
    from archivist.store import IndexUnusable

    keys = sort_keys(sort) if sort else set()
    if keys is None:
        return None
    keys |= set(DEFAULT_COLUMNS)
    ordered = _sorted_by_engine(archive, query, keys, sort, limit)
    if ordered is not None:
        return table_rows([ordered.column(key) for key in DEFAULT_COLUMNS])
    if query and any(word.strip() for word in query):
        from archivist.query import join_words, parse
        from archivist.query.plan import select as engine_select

        selection = engine_select(archive, parse(join_words(list(query))), keys)
    else:
        selection = _every_record(archive, keys)
    if selection is None:
        return None
    try:
        rows = _rows_in_order(selection, sort, limit)
        columns = [selection.column(key) for key in DEFAULT_COLUMNS]
    except IndexUnusable:  # damaged summaries: the records are read instead
        return None
    if rows is not None:
        columns = [[column[row] for row in rows] for column in columns]
    return table_rows(columns)


def _sorted_by_engine(archive: Archive, query: Sequence[str], keys: set[str],
                      sort: str | None, limit: int | None) -> Selection | None:
    """The records matching ``query``, sorted and limited by a database itself (an
    engine with ``ordered()``), when it answers the query and that sort (``None``
    otherwise: they are sorted here)."""
    own = getattr(archive, "query_engine", None)  # none of the JSON file's: no cost
    engine = own() if own is not None and (sort or limit is not None) else None
    if engine is None or not keys <= engine.keys or (limit is not None and limit < 0):
        return None
    tree = None
    if query and any(word.strip() for word in query):
        from archivist.query import join_words, parse

        tree = parse(join_words(list(query)))
        if not engine.answers(tree):
            return None
    try:
        selection: Selection = engine.ordered(tree, keys, sort, limit)
    except ValueError:  # a sort the database leaves to listing
        return None
    return selection


def _every_record(archive: Archive, keys: set[str]) -> Selection | None:
    """Every record with its values of ``keys``, when the engine gives them now.

    Unlike :func:`archivist.query.plan.select`, without importing the query language:
    a bare ``list`` has no query, and importing it would cost a tenth of its time.
    """
    from archivist.store import IndexUnusable, query_engine

    engine = query_engine(archive)
    if engine is None or not keys <= engine.keys:
        return None
    try:
        return engine.select(None, keys)
    except IndexUnusable:  # damaged summaries: the records are read instead
        return None


def _rows_in_order(selection: Selection, sort: str | None, limit: int | None
                   ) -> list[int] | None:
    """The selected records' positions sorted and limited (``None``: all, in order)."""
    if not sort:
        return None if limit is None else _limited(list(range(len(selection))), limit)
    names = sorted(sort_keys(sort) or ())
    values = zip(*(selection.column(name) for name in names))
    docs = [dict(zip(names, row), _row=position) for position, row in enumerate(values)]
    return [doc["_row"] for doc in _order(docs, sort, limit)]


def sort_keys(spec: str) -> set[str] | None:
    """The stored keys ``--sort SPEC`` reads (``-date,title``), or ``None`` when it
    names a key in a section (``added``, ``fields.x``) or a name outside the schema,
    or is malformed (:func:`sort_documents` says how)."""
    found: set[str] = set()
    for key in spec.split(","):
        name = key.strip().lstrip("-")
        if not name or name in ARCHIVE_ALIASES or "." in name or name not in INTERCHANGE_KEYS:
            return None
        found |= {"date", DATES_KEY} if name == "date" else {name}
    return found


def _order(docs: Iterable[dict[str, Any]], sort: str | None, limit: int | None
           ) -> list[dict[str, Any]]:
    return _limited(sort_documents(list(docs), sort), limit)


def _limited(items: list[_T], limit: int | None) -> list[_T]:
    if limit is not None:
        if limit < 0:
            raise InvalidRecord("a limit cannot be negative")
        items = items[:limit]
    return items


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
    # A database finds a few records' links itself (``links_touching()``).
    touching = getattr(archive, "links_touching", None)
    stored = (archive.link_documents() if touching is None or len(wanted) > 1000
              else touching(wanted))
    for link in stored:
        key = link["src"].lower()
        if key in wanted:
            links.setdefault(key, []).append({"rel": link["rel"], "target": link["dst"]})
    return links
