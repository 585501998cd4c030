"""Which field names an archive knows, so that a slip in a query, the columns or the
sort keys of a listing is an error instead of an empty answer.

Known are the schema's names (and the ``source`` and ``archive`` keys archivist
writes) and every name a record of the archive holds under ``fields`` (or under
``archive``).  A name of the schema is answered at once; the records are read only
for a name outside it, which the command has to read them for anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from archivist.errors import UnknownField
from archivist.models import INTERCHANGE_KEYS, SOURCE_KEYS
from archivist.suggest import did_you_mean

#: Top-level keys of a stored document or its interchange form.
SCHEMA_KEYS = frozenset(INTERCHANGE_KEYS) | {"archive"}
#: Keys archivist writes in a record's ``archive`` section.
ARCHIVE_KEYS: tuple[str, ...] = ("added", "added_by", "added_how", "changed", "fixity",
                                 "distinct")
_SECTIONS = ("fields", "source", "archive")
#: Names a query takes besides the schema's keys (aliases and its own words).
_QUERY_WORDS = ("creator", "tag", "lang", "has", "missing", "rel", "linked",
                *ARCHIVE_KEYS)
_NO_HINT = ": the schema has no such field and no record holds it"


class KnownNames:
    """The field names of one archive; its records are read only for a name outside
    the schema."""

    def __init__(self, archive: Any) -> None:
        self._archive = archive
        self._held: tuple[frozenset[str], frozenset[str]] | None = None

    def held(self) -> tuple[frozenset[str], frozenset[str]]:
        """The names the records hold under ``fields`` and under ``archive``."""
        if self._held is None:
            fields: set[str] = set()
            sections: set[str] = set()
            for doc in self._archive.documents():
                for key, found in (("fields", fields), ("archive", sections)):
                    section = doc.get(key)
                    if isinstance(section, dict):
                        found.update(name for name in section if isinstance(name, str))
            self._held = frozenset(fields), frozenset(sections)
        return self._held

    def knows(self, path: str, *, any_case: bool) -> bool:
        """Whether the dotted document ``path`` names a known field.

        :param any_case: match names under ``fields`` and ``archive`` in any case (as
            a query does); otherwise exactly (as ``--columns`` and ``--sort`` do).
        """
        head, _, rest = path.partition(".")
        if head not in _SECTIONS or not rest:
            return head in SCHEMA_KEYS and not rest
        first = rest.split(".", 1)[0]
        if head == "source":
            return first in SOURCE_KEYS
        if head == "archive" and first in ARCHIVE_KEYS:
            return True
        return self._holds(head, {first, rest}, any_case=any_case)

    def _holds(self, section: str, names: set[str], *, any_case: bool) -> bool:
        """Whether a record holds one of ``names`` in its ``section``.

        The records are read only until one does: a name in use is usually found in
        the first few, and only a name no record holds costs a pass over them all.
        """
        wanted = {name.casefold() for name in names} if any_case else names
        for doc in self._archive.documents():
            values = doc.get(section)
            if not isinstance(values, dict) or not values:
                continue
            if not names.isdisjoint(values):
                return True
            if any_case and any(isinstance(key, str) and key.casefold() in wanted
                                for key in values):
                return True
        return False

    def names(self, bare: Iterable[str]) -> list[str]:
        """Every name to suggest: ``bare`` ones, the records' own, and dotted paths."""
        fields, sections = self.held()
        return sorted({*bare, *fields, *(f"fields.{name}" for name in fields),
                       *(f"source.{key}" for key in SOURCE_KEYS),
                       *(f"archive.{key}" for key in {*ARCHIVE_KEYS, *sections})})


def check_query_fields(archive: Any, text: str) -> None:
    """Refuse a query that names a field no record holds and the schema has not.

    :raises UnknownField: naming the field and the closest known name.
    :raises QuerySyntaxError: when the query does not tokenize.
    """
    from archivist.query import field_names

    known: KnownNames | None = None
    for typed, path in field_names(text):
        head = path.partition(".")[0]
        if head in SCHEMA_KEYS and head not in _SECTIONS and "." not in path:
            continue  # the usual case, without building anything
        known = known or KnownNames(archive)
        if not known.knows(path, any_case=True):
            hint = did_you_mean(typed, known.names([*SCHEMA_KEYS, *_QUERY_WORDS]))
            raise UnknownField(typed, hint=hint or _NO_HINT)


def column_path(column: str) -> str:
    """The document path a column or sort key reads for ``column``
    (see :func:`archivist.listing.column_value`)."""
    from archivist.listing import ARCHIVE_ALIASES

    column = ARCHIVE_ALIASES.get(column, column)
    head, _, rest = column.partition(".")
    if (rest and head in _SECTIONS) or column in SCHEMA_KEYS:
        return column
    return f"fields.{column}"


def check_column_names(archive: Any, columns: str | Sequence[str], *,
                       what: str = "column", where: str = "the columns") -> None:
    """Refuse a column (or sort key) that no record holds and the schema has not.

    :param columns: the names, or one text of them (``id,title``).
    :param where: the part of the request that gave them, for the message.
    :raises UnknownField: naming it and the closest known name.
    """
    from archivist.listing import ARCHIVE_ALIASES

    if isinstance(columns, str):
        columns = columns.split(",")
    known: KnownNames | None = None
    for column in (name.strip() for name in columns):
        if not column:
            continue  # archivist.listing.check_columns says what is wrong with it
        if column in SCHEMA_KEYS or column in ARCHIVE_ALIASES:
            continue
        known = known or KnownNames(archive)
        if not known.knows(column_path(column), any_case=False):
            hint = did_you_mean(column, known.names([*SCHEMA_KEYS, *ARCHIVE_ALIASES]))
            raise UnknownField(column, what=what, where=where, hint=hint or _NO_HINT)


def check_sort_names(archive: Any, spec: str) -> None:
    """Refuse a sort key (of ``-date,title``) that names no known field.

    :raises UnknownField: naming it and the closest known name.
    """
    keys = [key.strip().lstrip("-") for key in spec.split(",")]
    check_column_names(archive, [key for key in keys if key], what="sort key",
                       where="the sort keys")
