"""PostgreSQL locations and connection errors: one line on stderr, exit 1, no password."""

from __future__ import annotations

import socket
import time
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from archivist.cli import cli
from archivist.errors import ArchivistError
from archivist.store import open_archive
from archivist.store.postgres.connection import (
    check_location,
    is_postgres,
    one_line,
    redacted,
    url_scheme,
)
from tests import pgserver


def test_locations_are_told_apart() -> None:
    assert is_postgres("postgresql://u@h/db") and is_postgres("postgres:///db?host=/tmp")
    assert not is_postgres("archive.json") and not is_postgres("C:/x.json")
    assert url_scheme("MySQL://h/db") == "mysql" and url_scheme("a/b.json") is None
    check_location("archive.json")
    with pytest.raises(ArchivistError, match=r"cannot open mysql:// archives"):
        check_location("mysql://h/db")


def test_passwords_never_show() -> None:
    assert redacted("postgresql://bob:hunter2@db.example.org/a") == \
        "postgresql://bob:***@db.example.org/a"
    assert redacted("postgresql:///a?user=bob&password=hunter2&host=/tmp") == \
        "postgresql:///a?user=bob&password=***&host=/tmp"
    assert redacted("postgresql://db/a") == "postgresql://db/a"
    err = RuntimeError('bad "postgresql://bob:hunter2@x/a": hunter2\nsecond line')
    assert one_line(err, "postgresql://bob:hunter2@x/a") == 'bad "postgresql://bob:***@x/a": ***'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def assert_one_line(code: int, stdout: str, stderr: str, *wanted: str) -> None:
    assert code == 1 and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("Error: "), stderr
    assert "Traceback" not in stderr and "hunter2" not in stderr
    for text in wanted:
        assert text in stderr


def test_a_refused_connection_is_one_line_quickly() -> None:
    url = f"postgresql://bob:hunter2@127.0.0.1:{_free_port()}/archive"
    started = time.monotonic()
    assert_one_line(*run("--db", url, "list"), "Connection refused", "bob:***@127.0.0.1")
    assert time.monotonic() - started < 10


def test_a_malformed_url_is_one_line() -> None:
    assert_one_line(*run("--db", "postgresql://bob:hunter2@h/db?nonsense=1", "list"),
                    "cannot open the archive", "nonsense")


def test_another_scheme_is_refused() -> None:
    assert_one_line(*run("--db", "mysql://bob:hunter2@h/db", "info"),
                    "cannot open mysql:// archives")


def test_a_wrong_password_is_one_line(pg_server: pgserver.Server | None) -> None:
    if pg_server is None:
        pgserver.missing(pgserver.START_FAILURE)
    assert pg_server is not None
    if pg_server.socket_dir is None:
        pytest.skip("needs the throwaway cluster, whose roles the tests know")
    url = (f"postgresql:///archivist_tests?host={quote(pg_server.socket_dir)}"
           f"&user={pgserver.PASSWORD_USER}&password=hunter2")
    assert_one_line(*run("--db", url, "add", "--title", "T"),
                    "password authentication failed", "password=***")


def test_info_names_the_engine_server_database_and_sources(pg_url: str) -> None:
    code, out, err = run("--db", pg_url, "add", "--title", "Dear Comrades")
    assert code == 0, err
    code, out, err = run("--db", pg_url, "info", "--format", "json")
    import json

    facts = json.loads(out)
    assert facts["engine"] == "PostgreSQL" and facts["database"] == "archivist_tests"
    assert facts["server"][:2].isdigit() and facts["records"] == 1
    assert facts["chosen_by"] == "--db" and "size" not in facts
    with open_archive(pg_url) as archive:
        assert facts["sources"] == str(archive.path.parent if archive.path else None)
