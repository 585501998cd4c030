"""A real PostgreSQL server for the tests: a throwaway cluster, or the one given.

``$ARCHIVIST_TEST_POSTGRES`` (a libpq URL of a database the tests may make schemas in)
uses a server already running.  Otherwise the Debian ``postgresql`` package's
``initdb`` and ``pg_ctl`` make a cluster in a temporary folder, listening on a Unix
socket there only (as the ``postgres`` user when the tests run as root), stopped and
removed at the end of the session.  Where neither is available the PostgreSQL tests
are skipped, and fail under ``CI=true``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

#: The environment variable naming a server to use instead of a throwaway cluster.
SERVER_ENVVAR = "ARCHIVIST_TEST_POSTGRES"
#: A role that must give its password (for the tests of a refused login).
PASSWORD_USER, PASSWORD = "archivist_pw", "s3cret-Passw0rd"


@dataclass
class Server:
    """A server the tests may use: the URL of its test database, and its socket
    folder (``None`` for a given server)."""

    url: str
    socket_dir: str | None = None

    def schema_url(self, schema: str) -> str:
        """The URL of the database with ``schema`` first on the search path."""
        glue = "&" if "?" in self.url else "?"
        return f"{self.url}{glue}options={quote(f'-csearch_path={schema}')}"


def missing(reason: str) -> None:
    """Skip the test for want of PostgreSQL; under ``CI=true``, fail it."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: PostgreSQL is required)")
    pytest.skip(reason)


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@dataclass
class Cluster:
    """A cluster made by :func:`start_cluster`."""

    folder: Path
    bin: Path
    server: Server

    def stop(self) -> None:
        subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "-D",
                                        str(self.folder / "data"), "-m", "immediate",
                                        "stop"]), capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """Make and start a cluster on a Unix socket in a new temporary folder.

    :raises RuntimeError: when initdb or the server fails (with their output).
    """
    binaries = _binaries()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
    # Not the test's temporary folder: the server user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="archivist-pg-", dir=os.environ.get("TMPDIR", "/tmp")))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o755)
    data, socket = folder / "data", str(folder)
    steps = [
        [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
    ]
    for step in steps:
        done = subprocess.run(_as_server_user(step), capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
    hba = data / "pg_hba.conf"
    hba.write_text(f"local all {PASSWORD_USER} scram-sha-256\nlocal all all trust\n")
    options = f"-c listen_addresses='' -c unix_socket_directories='{socket}' -c fsync=off"
    started = subprocess.run(_as_server_user(
        [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(folder / "log"), "-w", "-t", "30", "start"]), capture_output=True, text=True)
    if started.returncode:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        raise RuntimeError(f"the server did not start: {started.stderr.strip()} {log}")
    base = f"postgresql:///postgres?host={quote(socket)}&user=postgres"
    _admin(base, ["CREATE DATABASE archivist_tests",
                  f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}'"])
    url = f"postgresql:///archivist_tests?host={quote(socket)}&user=postgres"
    return Cluster(folder, binaries, Server(url, socket))


def _admin(url: str, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def server_session() -> Iterator[Server | None]:
    """The server of the session (``None`` with the reason it is missing printed)."""
    given = os.environ.get(SERVER_ENVVAR)
    if given:
        yield Server(given)
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        yield None
        return
    try:
        cluster = start_cluster()
    except (OSError, RuntimeError) as err:
        global START_FAILURE
        START_FAILURE = str(err)
        yield None
        return
    try:
        yield cluster.server
    finally:
        cluster.stop()


#: Why the session has no server, when it has none.
START_FAILURE = "psycopg is not installed (pip install 'archivist[postgres]')"


def fresh_schema(server: Server, name: str) -> Iterator[str]:
    """The URL of a new empty schema ``name`` of the server's database, dropped after."""
    _admin(server.url, [f'DROP SCHEMA IF EXISTS "{name}" CASCADE', f'CREATE SCHEMA "{name}"'])
    try:
        yield server.schema_url(name)
    finally:
        _admin(server.url, [f'DROP SCHEMA IF EXISTS "{name}" CASCADE'])
