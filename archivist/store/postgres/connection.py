"""PostgreSQL locations: telling them apart, connecting, and errors in one line.

A location is any libpq URI (``postgresql://user@host:5432/db``,
``postgresql:///db?host=/run/postgresql``).  Connecting waits at most
:data:`CONNECT_TIMEOUT` seconds, and whatever goes wrong becomes an
:class:`~archivist.errors.ArchiveUnavailable` of one line that never shows a password.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit

from archivist.errors import ArchivistError

if TYPE_CHECKING:
    import psycopg

#: The schemes that name a PostgreSQL database.
SCHEMES = ("postgresql", "postgres")
#: Seconds to wait for the server before giving up (an unreachable host hangs otherwise).
CONNECT_TIMEOUT = 10

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class ArchiveUnavailable(ArchivistError):
    """The database named by a location cannot be reached or refuses us."""


def url_scheme(location: object) -> str | None:
    """The scheme of ``location`` when it is a URL (``scheme://…``), else ``None``."""
    found = _SCHEME.match(location) if isinstance(location, str) else None
    return found.group(1).lower() if found else None


def is_postgres(location: object) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a file."""
    return url_scheme(location) in SCHEMES


def check_location(location: object) -> None:
    """Refuse a URL of a scheme archivist cannot open.

    :raises ArchivistError: for ``mysql://…``, ``http://…`` and the like.
    """
    scheme = url_scheme(location)
    if scheme is not None and scheme not in SCHEMES:
        raise ArchivistError(f"archivist cannot open {scheme}:// archives; use a file name "
                             "or a postgresql:// URL")


def _passwords(url: str) -> set[str]:
    """Every password ``url`` carries, as written and decoded."""
    found = {m.group(0).split("=", 1)[1] for m in _QUERY_PASSWORD.finditer(url)}
    try:
        found.add(urlsplit(url).password or "")
    except ValueError:
        pass
    return {p for given in found for p in (given, unquote(given)) if p}


_QUERY_PASSWORD = re.compile(r"((?:^|[?&])password=)[^&]*", re.IGNORECASE)


def redacted(url: str) -> str:
    """``url`` with its password (in the user part or the query) replaced by ``***``:
    safe to print."""
    url = _QUERY_PASSWORD.sub(r"\1***", url)
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
    except (ValueError, IndexError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def one_line(err: Exception, url: str) -> str:
    """The first line of a connection error, with no trace of the password."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    text = lines[0] if lines else type(err).__name__
    # libpq prefixes every attempt with "connection to server ... failed:"; the reason
    # after it is what a user needs, and is kept whole.
    text = re.sub(r"\s+", " ", text)
    for secret in sorted(_passwords(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)


def connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """A connection (no transaction begun yet) to the database ``url`` names.

    :raises ArchiveUnavailable: when the URL is malformed, the server is unreachable,
        or it refuses the user (one line, without the password).
    """
    try:
        import psycopg
    except ImportError:
        raise ArchivistError("a postgresql:// archive needs psycopg: pip install "
                             "'archivist[postgres]'") from None
    import orjson
    from psycopg.types import json

    try:
        conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT,
                               application_name="archivist")
    except psycopg.Error as err:
        raise ArchiveUnavailable(f"cannot open the archive {redacted(url)}: "
                                 f"{one_line(err, url)}") from None
    json.set_json_loads(orjson.loads, conn)
    return conn
