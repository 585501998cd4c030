"""Queries answered in SQL: the query columns of a record, and the engine that reads them.

Matching ignores case and accents through :func:`archivist.folding.fold`, a Python
function no server has.  So archivist writes, beside each record's document, what the
reference matcher (:mod:`archivist.query.match`) computes from it, as data
(:func:`query_row`), and a query becomes SQL over those columns, every value a
parameter (:class:`PgQueries`):

=========  =======================================================================
column     holds
=========  =======================================================================
search     the folded text bare words and phrases search (``strpos``, a substring)
exact      ``{path: [whole value keys]}`` (``tag:``, ``kind:``, ``id:``, ``lang:``, …)
folded     ``{path: folded texts}`` (``creator:``, ``publisher:``, ``title:``, …)
present    the top-level keys whose value is present (``has:``, ``missing:``)
earliest   the first and last day of the record's date, uncertain or an interval
latest     (``date:`` ranges, ``--sort date``)
added      the UTC day it was added, and last changed (``added:``, ``changed:``)
changed
brief      the document's keys a listing's default table and sort read
=========  =======================================================================

What the columns do not hold (custom fields, paths into sections, ``fixity:``) is
matched by the reference on the documents the SQL part selected
(:mod:`archivist.query.plan`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from archivist.folding import all_texts, exact_key, fold, search_text
from archivist.models import DATES_KEY

if TYPE_CHECKING:
    from archivist.query.match import Dates, Node, Rel

#: Paths whose whole values ``exact`` keeps (what ``path:=value`` and ``tag:`` compare).
EXACT_PATHS = ("id", "kind", "title", "subtitle", "creators", "date", "publisher",
               "language", "url", "tags")
#: Paths whose folded texts ``folded`` keeps (what ``path:text`` searches in).
FOLDED_PATHS = ("title", "subtitle", "creators", "publisher", "url", "summary")
#: The document keys ``brief`` keeps: those listing draws its table and sorts from.
BRIEF_KEYS = ("id", "kind", "title", "subtitle", "creators", "date", "publisher",
              "language", "tags", DATES_KEY)
#: The query columns, in the order :func:`query_row` gives their values.
QUERY_COLUMNS = ("search", "exact", "folded", "present", "earliest", "latest", "added",
                 "changed", "brief")

_TYPES = {"exact": "jsonb", "folded": "jsonb", "present": "jsonb", "brief": "json"}


def typed_assignments(value: str) -> str:
    """``column = VALUE::type`` of every query column, for an UPDATE; ``{}`` in
    ``value`` stands for the column's name (``f.{}``), else ``value`` is as given (``%s``)."""
    return ", ".join(f"{c} = {value.format(c)}::{_TYPES.get(c, 'text')}"
                     for c in QUERY_COLUMNS)


# Neither a text column nor jsonb can hold U+0000.  No query holds it or U+001F (the
# parser refuses control characters, and :meth:`PgQueries.answers` any node that
# does), so a stored U+0000 written as U+001F changes no answer.
_NUL, _UNIT = "\x00", "\x1f"


def _stored(text: str) -> str:
    return text.replace(_NUL, _UNIT) if _NUL in text else text


def _texts(value: Any) -> Sequence[str]:
    return (value,) if isinstance(value, str) else all_texts(value)


def _present(value: Any) -> bool:
    """Whether ``has:`` finds ``value`` (as :mod:`archivist.query.match` says)."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != [] and value != {}


def _days(doc: dict[str, Any]) -> tuple[Any, Any]:
    """The first and last day of the record's date, as ``date:`` compares them."""
    days = doc.get(DATES_KEY)
    if isinstance(days, (list, tuple)) and len(days) == 2:
        return (days[0], days[1]) if all(isinstance(d, str) for d in days) else (None, None)
    text = doc.get("date")
    if not isinstance(text, str):
        return None, None
    from archivist.dates import date_bounds
    from archivist.errors import InvalidRecord

    try:  # a document that never went through Record.to_document()
        return date_bounds(text)
    except InvalidRecord:
        return None, None


def _stamp_day(doc: dict[str, Any], name: str) -> str | None:
    info = doc.get("archive")
    stamp = info.get(name) if isinstance(info, dict) else None
    return _stored(stamp[:10]) if isinstance(stamp, str) else None


def query_row(doc: dict[str, Any]) -> tuple[Any, ...]:
    """The values of :data:`QUERY_COLUMNS` for a stored document (JSON as text)."""
    exact = {path: [_stored(exact_key(t)) for t in texts] for path in EXACT_PATHS
             if (texts := _texts(doc.get(path)))}
    folded = {path: _UNIT.join(_stored(fold(t)) for t in texts) for path in FOLDED_PATHS
              if (texts := _texts(doc.get(path)))}
    present = [key for key, value in doc.items() if _present(value)]
    earliest, latest = _days(doc)
    brief = {key: doc[key] for key in BRIEF_KEYS if key in doc}
    return (_stored(search_text(doc)), orjson.dumps(exact).decode(),
            orjson.dumps(folded).decode(), orjson.dumps(present).decode(),
            earliest, latest, _stamp_day(doc, "added"), _stamp_day(doc, "changed"),
            orjson.dumps(brief).decode())


class Chosen:
    """The selected records' :data:`BRIEF_KEYS`, in the order added (or sorted)."""

    def __init__(self, briefs: list[dict[str, Any]]) -> None:
        self._briefs = briefs

    def __len__(self) -> int:
        return len(self._briefs)

    def column(self, key: str) -> list[Any]:
        return [brief.get(key) for brief in self._briefs]


class PgQueries:
    """The :class:`archivist.store.QueryEngine` of an archive in PostgreSQL.

    :param cursor: the command's cursor (its transaction sees the command's changes).
    """

    keys = frozenset(BRIEF_KEYS)

    def __init__(self, cursor: Any) -> None:
        self._cur = cursor

    def answers(self, node: Node) -> bool:
        """Whether :func:`where` compiles ``node`` and every node under it."""
        try:
            where(node)
        except _Unanswered:
            return False
        return True

    def select(self, node: Node | None, keys: Collection[str]) -> Chosen:
        """The records ``node`` matches (all for ``None``), in the order added."""
        return self.ordered(node, keys, None, None)

    def ordered(self, node: Node | None, keys: Collection[str], sort: str | None,
                limit: int | None) -> Chosen:
        """:meth:`select`, sorted by ``sort`` and cut to ``limit`` records in SQL.

        :raises ValueError: when :func:`sorting` cannot sort by ``sort``.
        """
        clause, params = where(node) if node is not None else ("TRUE", [])
        sql = f"SELECT brief FROM archivist_records r WHERE {clause} ORDER BY {sorting(sort)}"
        if limit is not None:
            sql += " LIMIT %s"
            params = [*params, limit]
        self._cur.execute(sql, params)
        return Chosen([row[0] for row in self._cur.fetchall()])

    def documents(self, node: Node) -> list[dict[str, Any]]:
        """The stored documents ``node`` matches, in the order added: only those are
        read from the server."""
        clause, params = where(node)
        self._cur.execute(f"SELECT doc FROM archivist_records r WHERE {clause} "
                          "ORDER BY pos", params)
        return [row[0] for row in self._cur.fetchall()]


def sorting(spec: str | None) -> str:
    """The ORDER BY of ``--sort SPEC`` as listing sorts (missing values last in either
    direction, ties in the order added).

    :raises ValueError: for a key other than ``date`` (listing sorts those itself).
    """
    terms: list[str] = []
    for key in (spec.split(",") if spec else ()):
        key = key.strip()
        if key.lstrip("-") != "date" or key.count("-") > 1:
            raise ValueError(f"cannot sort by {key!r} in SQL")
        way = " DESC" if key.startswith("-") else ""
        terms += ["(earliest IS NULL)", f"earliest{way}", f"latest{way}"]
    return ", ".join([*terms, "pos"])


class _Unanswered(Exception):
    """A node the query columns cannot answer."""


def _needle(text: str) -> str:
    """A folded or exact value to look for, refused when the columns could not hold it."""
    if not text or _NUL in text or _UNIT in text:
        raise _Unanswered(text)
    return text


def where(node: Node) -> tuple[str, list[Any]]:
    """The SQL condition on a row ``r`` of ``archivist_records`` that is true exactly
    when the reference matcher matches its document, and its parameters; every
    condition is true or false, never NULL, so ``NOT`` negates it exactly.

    :raises _Unanswered: when a node reads what the columns do not hold.
    """
    from archivist.query import match as m

    if isinstance(node, m.Everything):
        return "TRUE", []
    if isinstance(node, m.Not):
        inner, params = where(node.operand)
        return f"NOT ({inner})", params
    if isinstance(node, (m.And, m.Or)):
        parts = [where(operand) for operand in node.operands]
        glue, empty = (" AND ", "TRUE") if isinstance(node, m.And) else (" OR ", "FALSE")
        return (glue.join(f"({sql})" for sql, _ in parts) or empty,
                [param for _, params in parts for param in params])
    if isinstance(node, m.Text):
        return "strpos(r.search, %s) > 0", [_needle(fold(node.value))]
    if isinstance(node, m.Field) and node.path in FOLDED_PATHS:
        return ("coalesce(strpos(r.folded->>%s, %s), 0) > 0",
                [node.path, _needle(fold(node.value))])
    if isinstance(node, m.Match) and node.path in EXACT_PATHS:
        return _whole(node.path, _needle(exact_key(node.pattern)))
    if isinstance(node, m.Has) and "." not in node.path:
        return "r.present ? %s", [node.path]
    if isinstance(node, m.Dates):
        return _dates(node)
    if isinstance(node, m.Rel):
        return _related(node)
    raise _Unanswered(node)


def _whole(path: str, key: str) -> tuple[str, list[Any]]:
    """Some whole value at ``path`` is ``key``, where ``*`` stands for any text."""
    if "*" not in key:
        return "r.exact @> %s::jsonb", [orjson.dumps({path: [key]}).decode()]
    like = "%".join(part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    for part in key.split("*"))
    return ("EXISTS (SELECT FROM jsonb_array_elements_text(r.exact->%s) AS t(v) "
            "WHERE t.v LIKE %s)", [path, like])


def _dates(node: Dates) -> tuple[str, list[Any]]:
    if node.name == "date":
        return ("coalesce(r.earliest <= %s AND r.latest >= %s, false)",
                [node.latest, node.earliest])
    column = {"added": "r.added", "changed": "r.changed"}.get(node.name)
    if column is None:
        raise _Unanswered(node)
    return f"coalesce({column} BETWEEN %s AND %s, false)", [node.earliest, node.latest]


# The stored name lowercased as Python's str.lower() lowercases it, whatever the
# database's locale: lower() maps only ASCII in some (C), and I to a dotless i in
# Turkish ones.  The query's names are ASCII (others are left to archivist), and the one
# character outside ASCII that str.lower() takes into it is the Kelvin sign (K).
_LOWER_REL = ("translate(l.rel, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ\u212a', "
              "'abcdefghijklmnopqrstuvwxyzk')")


def _related(node: Rel) -> tuple[str, list[Any]]:
    """The record has a link of ``node.rel`` (read from its own end) to ``node.target``."""
    from archivist.query.match import relation_ends

    if node.rel is not None and not node.rel.isascii():
        # A name outside ASCII is lowercased by archivist, as the matcher does.
        raise _Unanswered(node)
    ends = None if node.rel is None else relation_ends(node.rel)
    target = None if node.target is None else node.target.lower()
    parts: list[str] = []
    params: list[Any] = []
    for outgoing, own, other in ((True, "src_key", "dst_key"), (False, "dst_key", "src_key")):
        conditions = [f"l.{own} = r.key"]
        if ends is not None:
            names = sorted(name for name, out in ends if out == outgoing)
            if not names:
                continue
            conditions.append(f"{_LOWER_REL} = ANY(%s)")
            params.append(names)
        if target is not None:
            conditions.append(f"l.{other} = %s")
            params.append(target)
        parts.append("EXISTS (SELECT FROM archivist_links l WHERE "
                     + " AND ".join(conditions) + ")")
    return (" OR ".join(parts) or "FALSE"), params


#: How many records a migration fills at a time (their documents held meanwhile).
FILL_BATCH = 5_000


def fill_query_columns(cursor: Any) -> None:
    """Fill the query columns of every record from its document (the migration to
    schema 2 runs this once, inside the writer's transaction)."""
    conn = cursor.connection
    columns = ", ".join(QUERY_COLUMNS)
    as_text = ", ".join(f"{c} text" for c in QUERY_COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE archivist_fill (key text, {as_text}) ON COMMIT DROP")
    # A server-side cursor: the documents are read a batch at a time, never all at once.
    with conn.cursor(name="archivist_fill_docs") as docs:
        docs.itersize = FILL_BATCH
        docs.execute("SELECT key, doc FROM archivist_records")
        while batch := docs.fetchmany(FILL_BATCH):
            with cursor.copy(f"COPY archivist_fill (key, {columns}) FROM STDIN") as copy:
                for key, doc in batch:
                    copy.write_row((key, *query_row(doc)))
    cursor.execute(f"UPDATE archivist_records r SET {typed_assignments('f.{}')} "
                   "FROM archivist_fill f WHERE r.key = f.key")
    cursor.execute("DROP TABLE archivist_fill")
