"""Streamed hashing, source description (paths, symlinks, copies, spans) and record digests."""

from __future__ import annotations

import hashlib
import os
import stat
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist.errors import InvalidRecord, SourceError
from archivist.models import Record, Source
from archivist.provenance import (
    CHUNK_SIZE,
    NotRegularFile,
    copy_name,
    describe_source,
    record_digest,
    sha256_file,
    stored_path,
)

TEXT = b"first line\nsecond line\nthird line\n"
SHA = hashlib.sha256(TEXT).hexdigest()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder holding the archive file ``archive.json`` and a source ``doc.txt``."""
    (tmp_path / "doc.txt").write_bytes(TEXT)
    return tmp_path


# -- sha256_file ----------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=3 * 1024))
def test_sha256_file_matches_hashlib(tmp_path_factory: pytest.TempPathFactory, data: bytes
                                     ) -> None:
    path = tmp_path_factory.mktemp("h") / "f.bin"
    path.write_bytes(data)
    assert sha256_file(path) == (hashlib.sha256(data).hexdigest(), len(data))


def test_sha256_file_across_chunk_boundaries(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_SIZE * 2 + 17)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert sha256_file(path) == (hashlib.sha256(data).hexdigest(), len(data))


def test_sha256_file_empty(tmp_path: Path) -> None:
    (tmp_path / "e").write_bytes(b"")
    assert sha256_file(tmp_path / "e") == (hashlib.sha256(b"").hexdigest(), 0)


def test_sha256_file_refuses_folder_and_fifo(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile):
        sha256_file(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile):
        sha256_file(tmp_path / "pipe")  # must not block waiting for a writer
    with pytest.raises(FileNotFoundError):
        sha256_file(tmp_path / "absent")


@pytest.mark.slow
def test_sparse_2gib_file_hashed_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "sparse.bin"
    size = 2 * 1024 ** 3
    with open(path, "wb") as out:
        out.truncate(size)
    tracemalloc.start()
    try:
        digest, found = sha256_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == size
    zeros = hashlib.sha256()
    block = bytes(CHUNK_SIZE)
    for _ in range(size // CHUNK_SIZE):
        zeros.update(block)
    assert digest == zeros.hexdigest()
    assert peak < 4 * CHUNK_SIZE


# -- describe_source: paths -------------------------------------------------------------

def test_file_inside_archive_folder_is_stored_relative(folder: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.chdir(folder)
    source = describe_source("doc.txt", folder / "archive.json")
    assert source == Source(path="doc.txt", sha256=SHA, size=len(TEXT))
    absolute = describe_source(str(folder / "doc.txt"), folder / "archive.json")
    assert absolute.path == "doc.txt"


def test_file_in_a_subfolder_is_stored_with_forward_slashes(folder: Path) -> None:
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "a" / "b" / "x.txt").write_bytes(b"x")
    source = describe_source(str(folder / "a" / "b" / "x.txt"), folder / "archive.json")
    assert source.path == "a/b/x.txt"


def test_file_outside_archive_folder_is_stored_absolute(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "home").mkdir()
    outside = tmp_path / "elsewhere" / "doc.txt"
    outside.write_bytes(TEXT)
    source = describe_source(str(outside), tmp_path / "home" / "archive.json")
    assert source.path == str(outside)
    assert os.path.isabs(source.path)


def test_relative_path_leaving_the_folder_is_made_absolute(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "doc.txt").write_bytes(TEXT)
    monkeypatch.chdir(tmp_path / "home")
    source = describe_source("../doc.txt", tmp_path / "home" / "archive.json")
    assert source.path == str(tmp_path / "doc.txt")


def test_in_memory_archive_stores_absolute_paths(folder: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    assert describe_source("doc.txt", None).path == str(folder / "doc.txt")


def test_base_folder_for_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "yaml").mkdir()
    (tmp_path / "yaml" / "doc.txt").write_bytes(TEXT)
    source = describe_source("doc.txt", tmp_path / "archive.json", base=tmp_path / "yaml")
    assert source.path == "yaml/doc.txt"
    assert source.sha256 == SHA


def test_symlink_is_followed_for_hashing_and_recorded_as_given(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "doc.txt"
    target.write_bytes(TEXT)
    (tmp_path / "link.txt").symlink_to(target)
    source = describe_source(str(tmp_path / "link.txt"), tmp_path / "archive.json")
    assert source.path == "link.txt"
    assert (source.sha256, source.size) == (SHA, len(TEXT))


def test_folder_reached_through_a_symlink_counts_as_inside(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "doc.txt").write_bytes(TEXT)
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    source = describe_source(str(tmp_path / "alias" / "doc.txt"),
                             tmp_path / "real" / "archive.json")
    assert source.path == "doc.txt"


def test_stored_path_without_archive_is_unchanged() -> None:
    assert stored_path("/x/y", None) == "/x/y"


# -- describe_source: refusals ------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: os.mkfifo(p), "is a FIFO"),
    (lambda p: None, "no such file"),
    (lambda p: p.symlink_to(p.parent / "nowhere"), "symlink to a file that does not exist"),
])
def test_refuses_what_is_not_a_readable_regular_file(tmp_path: Path,
                                                     make: Callable[[Path], object],
                                                     message: str) -> None:
    path = tmp_path / "thing"
    make(path)
    with pytest.raises(SourceError, match=message) as caught:
        describe_source(str(path), tmp_path / "archive.json")
    assert "\n" not in str(caught.value)


def test_refuses_a_device() -> None:
    with pytest.raises(SourceError, match="is a device"):
        describe_source("/dev/null", None)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_refuses_an_unreadable_file(folder: Path) -> None:
    path = folder / "doc.txt"
    path.chmod(0)
    try:
        with pytest.raises(SourceError, match="permission denied"):
            describe_source(str(path), None)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_refuses_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(raw, "wb") as out:
        out.write(b"x")
    with pytest.raises(SourceError, match=r"caf\\xe9.txt. is not valid UTF-8"):
        describe_source(os.fsdecode(raw), None)


def test_refuses_an_empty_name() -> None:
    with pytest.raises(SourceError, match="no file name"):
        describe_source("", None)


# -- spans and dates ------------------------------------------------------------------------

@pytest.mark.parametrize("content, lines", [
    (b"a\nb\nc\n", 3), (b"a\nb\nc", 3), (b"", 0), (b"\n", 1), (b"x", 1),
])
def test_span_is_checked_against_the_line_count(tmp_path: Path, content: bytes, lines: int
                                               ) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(content)
    if lines:
        assert describe_source(str(path), None, span=(1, lines)).span == (1, lines)
    with pytest.raises(InvalidRecord, match=f"runs past the end.*{lines} lines"):
        describe_source(str(path), None, span=(1, lines + 1))


def test_span_counted_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    line = b"x" * 99 + b"\n"
    count = (CHUNK_SIZE * 2) // len(line) + 5
    path.write_bytes(line * count)
    assert describe_source(str(path), None, span=(count, count)).span == (count, count)
    with pytest.raises(InvalidRecord):
        describe_source(str(path), None, span=(1, count + 1))


def test_retrieved_is_validated_and_kept(folder: Path) -> None:
    source = describe_source(str(folder / "doc.txt"), None, retrieved=" 2021-02-10 ")
    assert source.retrieved == "2021-02-10"
    with pytest.raises(InvalidRecord):
        describe_source(str(folder / "doc.txt"), None, retrieved="2021-13-01")


# -- copies ---------------------------------------------------------------------------------

def test_copy_is_content_addressed_and_written_once(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    first, second = tmp_path / "in" / "a.txt", tmp_path / "in" / "b.txt"
    first.write_bytes(TEXT)
    second.write_bytes(TEXT)
    archive = tmp_path / "archive.json"
    one = describe_source(str(first), archive, copy=True)
    two = describe_source(str(second), archive, copy=True)
    assert one.path == two.path == f"sources/{SHA}.txt"
    assert (one.sha256, one.size) == (SHA, len(TEXT))
    copies = list((tmp_path / "sources").iterdir())
    assert [p.name for p in copies] == [f"{SHA}.txt"]
    assert copies[0].read_bytes() == TEXT
    assert not os.access(copies[0], os.W_OK) or os.geteuid() == 0
    assert copies[0].stat().st_mode & 0o222 == 0


def test_copy_replaces_a_damaged_copy_and_keeps_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(TEXT)
    archive = tmp_path / "archive.json"
    (tmp_path / "sources").mkdir()
    damaged = tmp_path / "sources" / f"{SHA}.txt"
    damaged.write_bytes(b"rotten")
    describe_source(str(tmp_path / "a.txt"), archive, copy=True)
    assert damaged.read_bytes() == TEXT
    assert sorted(p.name for p in (tmp_path / "sources").iterdir()) == [f"{SHA}.txt"]


def test_copy_needs_an_archive_file(folder: Path) -> None:
    with pytest.raises(SourceError, match="a copy of the source needs an archive file"):
        describe_source(str(folder / "doc.txt"), None, copy=True)


def test_copy_of_a_fifo_writes_nothing(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(SourceError):
        describe_source(str(tmp_path / "pipe"), tmp_path / "archive.json", copy=True)
    assert not (tmp_path / "sources").exists()


@pytest.mark.parametrize("name, expected", [
    ("a.txt", "H.txt"), ("a.tar.gz", "H.gz"), ("noext", "H"), ("a.we ird", "H"),
    (".hidden", "H"),
])
def test_copy_name_keeps_plain_suffixes(name: str, expected: str) -> None:
    assert copy_name("H", name) == expected


# -- record_digest --------------------------------------------------------------------------

RECORD = Record(id="weiss-2021", title="Dear Comrades", kind="article",
                creators=("Clara Weiss",), date="2021-02-09", tags=("film",),
                fields={"kicker": "Film", "notes": {"a": "1", "b": ["x", "y"]}})


def test_digest_ignores_archive_section_and_cached_keys() -> None:
    doc = RECORD.to_document()
    stamped = dict(doc, archive={"added": "2024-01-01T00:00:00Z", "fixity": {}})
    assert record_digest(doc) == record_digest(stamped)
    assert "_dates" in doc


def test_digest_same_for_document_and_interchange_form() -> None:
    from archivist.models import interchange

    doc = RECORD.to_document()
    assert record_digest(doc) == record_digest(interchange(doc, []))


def test_digest_changes_with_any_value() -> None:
    doc = RECORD.to_document()
    assert record_digest(doc) != record_digest(dict(doc, title="Dear Comrades!"))
    assert record_digest(doc) != record_digest(dict(doc, links=[{"rel": "related",
                                                                 "target": "x"}]))


def test_digest_exclude_compares_across_ids() -> None:
    doc = RECORD.to_document()
    other = dict(doc, id="copy-of-weiss")
    assert record_digest(doc) != record_digest(other)
    assert record_digest(doc, exclude=("id",)) == record_digest(other, exclude=("id",))


@given(st.permutations(list(RECORD.to_document().items())),
       st.permutations([{"rel": "related", "target": "a"}, {"rel": "part-of", "target": "b"}]))
def test_digest_stable_under_key_and_link_order(items: list[tuple[str, Any]],
                                                links: list[dict[str, str]]) -> None:
    reordered = dict(items)
    reordered["fields"] = dict(reversed(list(reordered["fields"].items())))
    base = dict(RECORD.to_document(), links=[{"rel": "related", "target": "a"},
                                             {"rel": "part-of", "target": "b"}])
    assert record_digest(dict(reordered, links=links)) == record_digest(base)


def test_digest_is_hex_sha256() -> None:
    digest = record_digest(RECORD.to_document())
    assert len(digest) == 64 and int(digest, 16) >= 0
