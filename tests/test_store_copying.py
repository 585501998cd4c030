"""``copy``: a whole archive between engines, exactly; a non-empty target refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.editing import with_tags
from archivist.errors import ArchivistError
from archivist.links import add_link
from archivist.models import Record
from archivist.store import open_archive
from archivist.store.copying import copy_archive
from archivist.undo import undo
from tests.conftest import fingerprint


def build(location: Path | str, titles: list[str], tags: list[str], removed: int) -> None:
    """An archive with records, links, tags in several spellings, a removal, an undo
    and a fixity result: every table and counter a copy must carry."""
    with open_archive(location, write=True, command="archivist import") as archive:
        archive.add_many((Record(id=f"r{n}", title=t, tags=(tags[n % len(tags)],)), "import")
                         for n, t in enumerate(titles))
    if len(titles) > 1:
        with open_archive(location, write=True, command="archivist link") as archive:
            add_link(archive, "r0", "part-of", "r1")
    with open_archive(location, write=True, command="archivist tag") as archive:
        archive.update(with_tags(archive.get("r0"), ["Ünïcode", "emoji 🎞"]), action="tag")
        archive.set_archive_info("r0", last_verified="2026-01-01T00:00:00Z")
    if removed and len(titles) > 2:
        with open_archive(location, write=True, command="archivist rm") as archive:
            archive.remove([f"r{len(titles) - 1}"], force=True)
        with open_archive(location, write=True, command="archivist undo") as archive:
            undo(archive)
        with open_archive(location, write=True, command="archivist rm") as archive:
            archive.remove(["r2"], force=True)


def tables(location: Path | str) -> dict[str, Any]:
    """Every table, with the order of each (a dict compares without it)."""
    with open_archive(location) as archive:
        snapshot = archive.snapshot()
    return {**snapshot, "order": {name: list(snapshot[name])
                                  for name in ("records", "links", "history")}}


TITLES = st.lists(st.text(min_size=1, max_size=20).filter(str.strip), min_size=1,
                  max_size=6)
TAGS = st.lists(st.sampled_from(["Film", "film", "FILM", "Soviet", "soviet", "x"]),
                min_size=1, max_size=4)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=TITLES, tags=TAGS, removed=st.integers(0, 1))
def test_a_round_trip_file_to_postgres_to_file_is_exact(
        tmp_path: Path, pg_server: Any, titles: list[str], tags: list[str],
        removed: int) -> None:
    from tests import pgserver

    if pg_server is None:
        pgserver.missing(pgserver.START_FAILURE)
    name = f"rt{abs(hash((tuple(titles), tuple(tags), removed)))}"
    original, back = tmp_path / f"{name}.json", tmp_path / f"{name}-back.json"
    original.unlink(missing_ok=True)
    back.unlink(missing_ok=True)
    build(original, titles, tags, removed)
    for url in pgserver.fresh_schema(pg_server, name):
        copied = copy_archive(original, url)
        assert (copied.records, copied.links) == (len(tables(original)["records"]),
                                                  len(tables(original)["links"]))
        assert tables(url) == tables(original)
        copy_archive(url, back)
    assert tables(back) == tables(original)


def test_every_pair_of_engines(make_location: Callable[[str], Any], tmp_path: Path) -> None:
    original = tmp_path / "original.json"
    build(original, ["A", "B", "C", "D"], ["Film", "film"], 1)
    middle = make_location("middle")
    copy_archive(original, middle)
    last = make_location("last")
    copy_archive(middle, last)
    assert tables(last) == tables(middle) == tables(original)
    # The copy is an archive like any other: it takes the next change on.
    with open_archive(last, write=True) as archive:
        archive.add(Record(id="new", title="New"))
        [entry] = [e for e in archive.history() if e["record"] == "new"]
    assert entry["change"] == tables(original)["meta"]["1"]["change"] + 1


def test_a_non_empty_target_is_refused_and_unchanged(make_location: Callable[[str], Any],
                                                      tmp_path: Path) -> None:
    original = tmp_path / "original.json"
    build(original, ["A", "B"], ["x"], 0)
    target = make_location("target")
    with open_archive(target, write=True) as archive:
        archive.add(Record(id="mine", title="Mine"))
    before = fingerprint(target)
    with pytest.raises(ArchivistError, match="is not empty; copy only into an empty"):
        copy_archive(original, target)
    assert fingerprint(target) == before


def test_a_missing_source_is_refused(make_location: Callable[[str], Any],
                                     tmp_path: Path) -> None:
    target = make_location("target")
    with pytest.raises(ArchivistError, match="does not exist; nothing was copied"):
        copy_archive(make_location("missing"), target)
    with open_archive(target) as archive:
        assert not archive.exists


def test_a_database_copy_remembers_the_sources_folder(pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "collection"
    folder.mkdir()
    original = folder / "archive.json"
    build(original, ["A"], ["x"], 0)
    copy_archive(original, pg_url)
    with open_archive(pg_url) as archive:
        assert archive.path is not None and archive.path.parent == folder.resolve()
        assert archive.info()["sources"] == str(folder.resolve())
