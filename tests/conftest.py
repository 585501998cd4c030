"""Shared fixtures: a temporary archive for every test, a CLI runner, the sample records."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archivist.cli import cli
from archivist.store import Archive, memory_archive, open_archive

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "records"


@pytest.fixture(autouse=True)
def archive_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``$ARCHIVIST_DB`` at a fresh archive path, so no test touches a real one."""
    db = tmp_path / "archive.json"
    monkeypatch.setenv("ARCHIVIST_DB", str(db))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ARCHIVIST_LOCK_TIMEOUT", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    # An edit that is given up keeps its file in the temporary folder: the test's own,
    # apart from the archive's folder as a real one is.
    temp = tmp_path.with_name(tmp_path.name + "-tmp")
    temp.mkdir(exist_ok=True)
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    return db


@pytest.fixture
def db(archive_env: Path) -> Path:
    """The path of the test's archive file (it does not exist until a write)."""
    return archive_env


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real HTTP server on 127.0.0.1 serving the pages a test gives it
    (tests/webserver.py); never the internet, nor a proxy of this machine's."""
    from tests.webserver import serving

    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    yield from serving()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


Invoke = Callable[..., Result]


@pytest.fixture
def invoke(runner: CliRunner) -> Invoke:
    """Run ``archivist ARGS…``; bugs surface as tracebacks, user errors as exit codes."""

    def run(*args: str, input: str | bytes | None = None, catch: bool = False) -> Result:
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=catch)
        if os.environ.get("ARCHIVIST_DB"):
            assert_index_current(Path(os.environ["ARCHIVIST_DB"]))
        return result

    return run


def assert_index_current(db: Path) -> None:
    """A current index file says exactly what summarising the archive again says.

    Run after every command of the suite, so a write that forgets to tell the index
    about a changed record fails whichever test made it.
    """
    from archivist.store.jsonfile import reader, summaryindex

    index = summaryindex.load(db)
    if index is None:
        return
    records = reader.read(db).tables["records"]
    assert index.rows() == summaryindex.build(records).rows(), "the index file is stale"


@pytest.fixture
def unchanged(db: Path) -> Callable[[], Iterator[None]]:
    """Context manager asserting the archive file and the files archivist keeps beside
    it (``ARCHIVE.index``, ``ARCHIVE.lock``, temporary files) are byte-identical
    afterwards, and that none was made or removed.  tests/test_refusals.py compares
    the whole folder."""
    import contextlib

    def files() -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in sorted(db.parent.iterdir())
                if path.is_file() and path.name.startswith((db.name, f".{db.name}"))}

    @contextlib.contextmanager
    def check() -> Iterator[None]:
        before = db.read_bytes() if db.exists() else None
        beside = files()
        yield
        after = db.read_bytes() if db.exists() else None
        assert after == before, "a failing command changed the archive"
        now = files()
        assert sorted(now) == sorted(beside), "a failing command made or removed files"
        assert [name for name in now if now[name] != beside[name]] == [], \
            "a failing command changed files beside the archive"

    return check


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """The PostgreSQL server of the session (see tests/pgserver.py), or ``None``."""
    from tests import pgserver

    yield from pgserver.server_session()


_SCHEMAS = itertools.count(1)


@pytest.fixture
def pg_url(pg_server: Any) -> Iterator[str]:
    """The URL of an empty archive in PostgreSQL (a schema of its own, dropped after);
    skipped where PostgreSQL is missing, failed then under ``CI=true``."""
    from tests import pgserver

    if pg_server is None:
        pgserver.missing(pgserver.START_FAILURE)
    yield from pgserver.fresh_schema(pg_server, f"t{os.getpid()}_{next(_SCHEMAS)}")


@pytest.fixture(params=["json", "postgres"])
def make_location(request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[Callable[[str], Path | str]]:
    """Make the location of a new empty archive named ``name``, of each engine that
    keeps archives (a JSON file, a PostgreSQL schema); on PostgreSQL a test marked
    ``file_only`` (it needs the file itself) is skipped."""
    if request.param == "json":
        yield lambda name: tmp_path / f"{name}.json"
        return
    if request.node.get_closest_marker("file_only"):
        pytest.skip("needs the archive file itself")
    from tests import pgserver

    server = request.getfixturevalue("pg_server")
    if server is None:
        pgserver.missing(pgserver.START_FAILURE)
    with contextlib.ExitStack() as stack:
        def make(name: str) -> str:
            schema = f"t{os.getpid()}_{next(_SCHEMAS)}_{name}"[:60].replace("-", "_")
            return stack.enter_context(contextlib.contextmanager(
                pgserver.fresh_schema)(server, schema))

        yield make


def fingerprint(location: Path | str) -> Any:
    """What must stay the same when a command is refused: the file's bytes, or every
    table of the archive in its database."""
    if isinstance(location, Path):
        return location.read_bytes() if location.exists() else None
    with open_archive(location) as archive:
        return archive.snapshot()


def edit_behind_archivist(location: Path | str, change: Callable[[dict[str, Any]], None]
                          ) -> None:
    """Change an archive's tables as another program would (no history entry): the
    file rewritten, or the database's tables emptied and filled again."""
    from archivist import atomic

    if isinstance(location, Path):
        data = atomic.loads(location.read_bytes())
        change(data)
        location.write_bytes(atomic.dumps(data))
        return
    import psycopg

    with open_archive(location) as archive:
        tables = archive.snapshot()
    change(tables)
    with psycopg.connect(location) as conn:
        conn.execute("DELETE FROM archivist_links")
        conn.execute("DELETE FROM archivist_history")
        conn.execute("DELETE FROM archivist_records")
    with open_archive(location, write=True) as archive:
        archive.fill(tables)


#: The engines every store-level test runs on (``memory`` is the JSON engine unsaved).
ENGINES = ["memory", "json", "postgres"]


@pytest.fixture(params=ENGINES)
def engine_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """Where an empty archive of each engine is: ``None`` (in memory), a JSON file, a
    PostgreSQL URL."""
    if request.param == "memory":
        yield None
    elif request.param == "json":
        yield str(tmp_path / "fixture.json")
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def archive(engine_location: str | None) -> Iterator[Archive]:
    """An empty archive of each engine: in memory, in a JSON file, in PostgreSQL
    (committed on teardown, so a change the engine refuses fails the test)."""
    if engine_location is None:
        yield memory_archive()
        return
    with open_archive(engine_location, write=True) as opened:
        yield opened


@pytest.fixture
def records_dir(tmp_path: Path) -> Path:
    """A private copy of the sample archive ``records/`` (the original stays read-only)."""
    target = tmp_path / "records"
    shutil.copytree(RECORDS, target)
    return target


def write_file(path: Path, text: str | bytes) -> Path:
    """Write ``text`` (UTF-8) or bytes to ``path``, making its folder; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def citation_records() -> list[dict[str, Any]]:
    """The fixed record set of tests/data/citation-records.yaml, in interchange form."""
    from archivist.models import interchange, record_from_mapping
    from archivist.yamlio import load_all

    path = Path(__file__).parent / "data" / "citation-records.yaml"
    [mappings] = load_all(path.read_bytes(), str(path))
    return [interchange(record_from_mapping(m).to_document()) for m in mappings]


def load_script(path: Path, name: str) -> Any:
    """Import a script that is not part of the package (``scripts/``, ``benchmarks/``)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def refuse_parsing_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make parsing an archive's records table fail the test (until ``monkeypatch.undo``):
    for commands promised to work on the unparsed text."""
    from archivist.store.jsonfile import reader

    original = reader.LazyTables.__missing__

    def refuse(self: reader.LazyTables, key: str) -> Any:
        assert key != "records", "the records table was parsed"
        return original(self, key)

    monkeypatch.setattr(reader.LazyTables, "__missing__", refuse)
