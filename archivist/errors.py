"""Every error a user can cause, in one place.

The library raises these; the command line turns them into one line on stderr and exit
code 1 at a single boundary (:mod:`archivist.cli`).  They derive from
:class:`ArchivistError` alone, never from a builtin: code that catches ``KeyError`` or
``ValueError`` (a dictionary lookup, a damaged index file) must never swallow a user's
error and carry on as if nothing were wrong.
"""

from __future__ import annotations

from collections.abc import Iterable


class ArchivistError(Exception):
    """Base class of every error archivist reports to its user."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class RecordNotFound(ArchivistError):
    """No record has the given id; ``closest`` is the most similar id there is, if any."""

    def __init__(self, record_id: str, closest: str | None = None) -> None:
        hint = "" if closest is None else f"; did you mean {closest!r}?"
        super().__init__(f"no record with id {record_id!r}{hint}")
        self.record_id = record_id
        self.closest = closest


class DuplicateRecord(ArchivistError):
    """A record with this id (compared case-insensitively) already exists."""

    def __init__(self, record_id: str) -> None:
        super().__init__(f"a record with id {record_id!r} already exists")
        self.record_id = record_id


class InvalidRecord(ArchivistError):
    """A field value, kind, date, id or tag breaks the record rules."""


class InvalidLink(ArchivistError):
    """A link breaks the link rules (unknown relation, missing end, cycle…)."""


class RecordInUse(ArchivistError):
    """A record cannot be removed while other records link to it.

    ``remedy`` says how to remove it anyway; the command line gives its own option for
    it (:meth:`with_remedy`), a Python caller reads the library's parameter.
    """

    def __init__(self, record: str, other: str, link: str,
                 remedy: str = "remove it with force=True") -> None:
        super().__init__(f"{record} is linked with {other} ({link}); unlink it first or "
                         f"{remedy}")
        self.record, self.other, self.link = record, other, link

    def with_remedy(self, remedy: str) -> RecordInUse:
        """The same refusal, saying ``remedy`` instead."""
        return RecordInUse(self.record, self.other, self.link, remedy)


class UnknownField(ArchivistError):
    """A query, the columns or the sort keys of a listing name a field that is neither
    the schema's nor held by any record.

    ``what`` is the kind of name (``field``, ``column``, ``sort key``) and ``where`` the
    part of the request that gave it; the command line names its option there instead
    (:meth:`given_in`).
    """

    def __init__(self, name: str, *, what: str = "field", where: str = "the query",
                 hint: str = "") -> None:
        super().__init__(f"unknown {what} {name!r} in {where}{hint}")
        self.name, self.what, self.where, self.hint = name, what, where, hint

    def given_in(self, where: str) -> UnknownField:
        """The same error, saying the name was given in ``where``."""
        return UnknownField(self.name, what=self.what, where=where, hint=self.hint)


class QuerySyntaxError(ArchivistError):
    """A query does not parse; ``column`` is 1-based within the query text."""

    def __init__(self, message: str, query: str = "", column: int | None = None) -> None:
        where = f" (column {column})" if column is not None else ""
        super().__init__(f"bad query{where}: {message}")
        self.query = query
        self.column = column


class ImportFailed(ArchivistError):
    """An import found errors; it carries every one of them, each ``file:line:column: …``."""

    def __init__(self, problems: Iterable[str], total: int | None = None) -> None:
        self.problems = list(problems)
        #: How many problems were found (``problems`` may list only the first ones).
        self.total = len(self.problems) if total is None else total
        super().__init__("\n".join(self.problems))


class ArchiveCorrupt(ArchivistError):
    """The archive file does not parse, or is from a newer format version."""


class LockTimeout(ArchivistError):
    """Another process held the archive's lock for longer than we were willing to wait."""


class SourceError(ArchivistError):
    """A source file cannot be read, or is not a regular file."""


class VerifyFailed(ArchivistError):
    """A fixity check found records that are not ok (changed, missing or unreadable)."""


class ChangeConflict(ArchivistError):
    """A change cannot be made or undone: the archive has changed in a way it depends on."""


class CaptureFailed(ArchivistError):
    """A page could not be captured: a refused connection, a timeout, an error status,
    a body over the size limit, a redirect to another scheme, or an unreadable input."""
