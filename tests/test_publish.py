"""``archivist.publish.publish``: a whole site from an archive."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archivist.models import record_from_mapping
from archivist.publish import PublishOptions, PublishRefused, publish
from archivist.store import open_archive


@pytest.fixture
def archive_file(tmp_path: Path) -> Path:
    db = tmp_path / "collective.json"
    with open_archive(db, write=True) as archive:
        for n in range(3):
            archive.add(record_from_mapping({"id": f"r{n}", "title": f"Record {n}"}))
        archive.store_link("r0", "references", "r1")
        archive.store_link("r0", "references", "r2")
    return db


def test_publish_reports_what_it_wrote(archive_file: Path, tmp_path: Path) -> None:
    with open_archive(archive_file) as archive:
        result = publish(archive, tmp_path / "site", PublishOptions(graphs=False))
    assert (result.records, result.graphs, result.sources) == (3, 0, 0)
    assert result.pages == sum(1 for _ in (tmp_path / "site").rglob("*.html"))
    assert result.index_size == (tmp_path / "site" / "search-index.js").stat().st_size
    front = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>Home · collective</title>" in front  # the archive file's name
    assert not (tmp_path / "site" / "graphs").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_a_drawn_record_shows_its_graph_as_an_image(archive_file: Path, tmp_path: Path
                                                    ) -> None:
    with open_archive(archive_file) as archive:
        result = publish(archive, tmp_path / "site", PublishOptions(title="T"))
    assert result.graphs == 1
    page = (tmp_path / "site" / "records" / "r0.html").read_text(encoding="utf-8")
    assert '<img src="../graphs/r0.svg"' in page
    assert "<img" not in (tmp_path / "site" / "records" / "r1.html").read_text("utf-8")


def test_a_refused_target_is_refused_before_reading(archive_file: Path) -> None:
    with open_archive(archive_file) as archive, pytest.raises(PublishRefused):
        publish(archive, archive_file.parent)
