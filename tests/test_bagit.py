"""BagIt export: every bag validates with bagit-python; failures leave nothing behind."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import bagit  # type: ignore[import-untyped]
import pytest

from archivist import __version__
from archivist.errors import ArchivistError, SourceError
from archivist.exporters.bagit import BagSummary, human_size, payload_name, write_bag
from archivist.listing import select
from archivist.models import Record
from archivist.provenance import describe_source
from archivist.store import Archive
from archivist.store.jsonfile.archive import JsonArchive
from archivist.yamlio import load_all

COMMAND = "archivist export --format bagit -o bag"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "dear-comrades.txt").write_text("Dear Comrades\nа фильм\n",
                                                          encoding="utf-8")
    (tmp_path / "texts" / "seeds.html").write_bytes(b"<html>seeds</html>\n")
    return tmp_path


@pytest.fixture
def archive(home: Path) -> Archive:
    archive = JsonArchive(home / "archive.json")
    texts = home / "texts"
    for record_id, publisher, path in [
        ("weiss-2021", "World Socialist Web Site", texts / "dear-comrades.txt"),
        ("seeds", "Workers' Power", texts / "seeds.html"),
        ("weiss-again", "World Socialist Web Site", texts / "dear-comrades.txt"),
    ]:
        archive.add(Record(id=record_id, title=record_id.title(), publisher=publisher,
                           source=describe_source(str(path), archive.path)))
    archive.add(Record(id="agent", title="An agent", kind="person"))
    return archive


def bag_info(path: Path) -> list[tuple[str, str]]:
    lines = (path / "bag-info.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split(": ", 1)) for line in lines]  # type: ignore[misc]


def test_bag_validates_and_holds_each_source_once(archive: Archive, home: Path) -> None:
    out = home / "bag"
    summary = write_bag(archive, select(archive), out, command=COMMAND)
    bagit.Bag(str(out)).validate()
    payload = sorted(p.name for p in (out / "data" / "sources").iterdir())
    assert payload == ["dear-comrades.txt", "seeds.html"]
    octets = sum(p.stat().st_size for p in (out / "data" / "sources").iterdir())
    assert summary == BagSummary(out, 4, 2, octets)
    assert summary.oxum == f"{octets}.2"
    assert (out / "data" / "sources" / "seeds.html").read_bytes() == b"<html>seeds</html>\n"


def test_bag_info_fields(archive: Archive, home: Path) -> None:
    out = home / "bag"
    summary = write_bag(archive, select(archive), out, command=COMMAND)
    info = bag_info(out)
    names = [name for name, _ in info]
    assert [v for n, v in info if n == "Source-Organization"] == [
        "Workers' Power", "World Socialist Web Site"]
    assert [v for n, v in info if n == "External-Identifier"] == [
        "weiss-2021", "seeds", "weiss-again", "agent"]
    values = dict(info)
    assert values["Bag-Software-Agent"] == f"archivist {__version__}"
    assert values["Payload-Oxum"] == summary.oxum
    assert values["Bag-Size"] == human_size(summary.octets)
    assert len(values["Bagging-Date"]) == 10
    assert COMMAND in values["External-Description"]
    assert set(names) >= {"Bagging-Date", "Bag-Size", "External-Description"}
    assert bagit.Bag(str(out)).info["Payload-Oxum"] == summary.oxum


def test_tag_files_and_manifests(archive: Archive, home: Path) -> None:
    out = home / "bag"
    write_bag(archive, select(archive), out, command=COMMAND)
    for algorithm in ("sha256", "sha512"):
        manifest = (out / f"manifest-{algorithm}.txt").read_text().splitlines()
        assert [line.split("  ")[1] for line in manifest] == [
            "data/sources/dear-comrades.txt", "data/sources/seeds.html"]
        tags = (out / f"tagmanifest-{algorithm}.txt").read_text().splitlines()
        listed = sorted(line.split("  ")[1] for line in tags)
        assert listed == sorted([
            "bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt",
            "metadata/records.json", "metadata/records.yaml", "metadata/sources.json"])
        for line in tags:
            digest, name = line.split("  ")
            assert hashlib.new(algorithm, (out / name).read_bytes()).hexdigest() == digest
    assert (out / "bagit.txt").read_text() == ("BagIt-Version: 1.0\n"
                                               "Tag-File-Character-Encoding: UTF-8\n")


def test_records_in_json_and_yaml_point_at_the_payload(archive: Archive, home: Path) -> None:
    out = home / "bag"
    write_bag(archive, select(archive), out, command=COMMAND)
    records = json.loads((out / "metadata" / "records.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == ["weiss-2021", "seeds", "weiss-again", "agent"]
    (yaml_records,) = load_all((out / "metadata" / "records.yaml").read_bytes())
    assert [r["id"] for r in yaml_records] == [r["id"] for r in records]
    for record in records:
        if record["source"] is None:
            continue
        copy = (out / "metadata" / record["source"]["path"]).resolve()
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == record["source"]["sha256"]
        assert record["archive"]["added"]
    where = json.loads((out / "metadata" / "sources.json").read_text(encoding="utf-8"))
    assert where[0] == {"id": "weiss-2021", "archive_path": "texts/dear-comrades.txt",
                        "bag_path": "data/sources/dear-comrades.txt",
                        "sha256": records[0]["source"]["sha256"],
                        "size": records[0]["source"]["size"]}
    assert records[0]["title"] == "Weiss-2021"


def test_selection_and_records_without_sources(archive: Archive, home: Path) -> None:
    out = home / "bag"
    summary = write_bag(archive, [archive.document("agent")], out, command=COMMAND)
    bagit.Bag(str(out)).validate()
    assert summary.files == 0 and summary.oxum == "0.0"
    assert dict(bag_info(out))["Source-Organization"] == "unknown"
    assert list((out / "data").iterdir()) == []


def test_empty_selection_still_makes_a_valid_bag(home: Path) -> None:
    out = home / "bag"
    write_bag(JsonArchive(home / "archive.json"), [], out, command=COMMAND)
    bagit.Bag(str(out)).validate()
    assert json.loads((out / "metadata" / "records.json").read_text()) == []


def test_same_name_different_files_get_distinct_names(home: Path) -> None:
    archive = JsonArchive(home / "archive.json")
    for i, folder in enumerate(["one", "two", "three"]):
        (home / folder).mkdir()
        (home / folder / "Index.html").write_text(f"page {i}\n")
        archive.add(Record(id=f"r{i}", title=f"R{i}",
                           source=describe_source(str(home / folder / "Index.html"),
                                                  archive.path)))
    (home / "four").mkdir()
    (home / "four" / "index.html").write_text("page 3\n")
    archive.add(Record(id="r3", title="R3", source=describe_source(
        str(home / "four" / "index.html"), archive.path)))
    out = home / "bag"
    summary = write_bag(archive, select(archive), out, command=COMMAND)
    bagit.Bag(str(out)).validate()
    names = sorted(p.name for p in (out / "data" / "sources").iterdir())
    assert summary.files == 4 and len(names) == 4
    assert "Index.html" in names


def test_unusual_file_names(home: Path) -> None:
    archive = JsonArchive(home / "archive.json")
    odd = home / "50% off\tnow é.txt"
    odd.write_text("odd\n")
    archive.add(Record(id="odd", title="Odd",
                       source=describe_source(str(odd), archive.path)))
    out = home / "bag"
    write_bag(archive, select(archive), out, command=COMMAND)
    bagit.Bag(str(out)).validate()
    assert [p.name for p in (out / "data" / "sources").iterdir()] == ["50_ off_now é.txt"]


def test_publisher_with_line_breaks_stays_on_one_line(home: Path) -> None:
    archive = JsonArchive(home / "archive.json")
    archive.add(Record(id="p", title="P", publisher="Line\nBreak\r\nInc."))
    out = home / "bag"
    write_bag(archive, select(archive), out, command="archivist export\n--x")
    bagit.Bag(str(out)).validate()
    assert ("Source-Organization", "Line Break Inc.") in bag_info(out)


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: p.write_text("x")])
def test_refuses_an_out_dir_that_is_not_empty_or_a_file(home: Path, archive: Archive,
                                                        make: Callable[[Path], object]
                                                        ) -> None:
    out = home / "bag"
    make(out)
    if out.is_dir():
        (out / "keep.txt").write_text("mine")
    with pytest.raises(ArchivistError, match=r"not empty|not a folder"):
        write_bag(archive, select(archive), out, command=COMMAND)
    assert sorted(p.name for p in home.iterdir()) == ["bag", "texts"]


def test_an_empty_existing_folder_is_used(home: Path, archive: Archive) -> None:
    out = home / "bag"
    out.mkdir()
    write_bag(archive, select(archive), out, command=COMMAND)
    bagit.Bag(str(out)).validate()


def test_refuses_a_missing_parent(home: Path, archive: Archive) -> None:
    with pytest.raises(ArchivistError, match="does not exist"):
        write_bag(archive, select(archive), home / "no" / "bag", command=COMMAND)


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.unlink(), "no such file"),
    (lambda p: p.write_text("tampered"), "has changed since it was recorded"),
])
def test_a_bad_source_leaves_nothing_behind(home: Path, archive: Archive,
                                            damage: Callable[[Path], object],
                                            message: str) -> None:
    damage(home / "texts" / "seeds.html")
    with pytest.raises(SourceError, match=f"cannot bag seeds: .*{message}"):
        write_bag(archive, select(archive), home / "bag", command=COMMAND)
    assert sorted(p.name for p in home.iterdir()) == ["texts"]


@pytest.mark.parametrize("name, expected", [
    ("sources/x.txt", "x.txt"), ("/abs/a/b.pdf", "b.pdf"), ("a\nb", "a_b"),
    ("..", "source"), ("dir/", "dir"), ("e\u0301.txt", "é.txt"),
])
def test_payload_name(name: str, expected: str) -> None:
    assert payload_name(name) == expected


@pytest.mark.parametrize("octets, text", [
    (0, "0 bytes"), (999, "999 bytes"), (1000, "1.0 KB"), (1_234_567, "1.2 MB"),
    (5 * 10 ** 12, "5.0 TB"), (7 * 10 ** 15, "7000.0 TB"),
])
def test_human_size(octets: int, text: str) -> None:
    assert human_size(octets) == text
