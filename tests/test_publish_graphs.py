"""Link graphs of the record pages (archivist.publish.graphs), drawn by Graphviz."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from archivist.models import record_from_mapping
from archivist.publish import graphs
from archivist.publish.catalogue import gather
from archivist.store import Archive, memory_archive


def _archive(parts: int) -> Archive:
    archive = memory_archive()
    archive.add(record_from_mapping({"id": "series", "title": "A <series>", "kind": "series"}))
    archive.add(record_from_mapping({"id": "org", "title": "Org", "kind": "organisation"}))
    archive.store_link("series", "published-by", "org")
    for n in range(parts):
        archive.add(record_from_mapping({"id": f"p{n}", "title": f"Part {n}"}))
        archive.store_link(f"p{n}", "part-of", "series")
    return archive


def test_a_record_with_enough_links_gets_its_neighbourhood() -> None:
    archive = _archive(2)
    found = graphs.neighbourhoods(archive, gather(archive, list(archive.documents()), "T"))
    assert sorted(found) == ["series"]  # every other record has one link
    graph = found["series"]
    assert sorted(node.id for node in graph.nodes) == ["org", "p0", "p1", "series"]
    assert sorted((e.src, e.rel, e.dst) for e in graph.edges) == [
        ("p0", "part-of", "series"), ("p1", "part-of", "series"),
        ("series", "published-by", "org")]


def test_a_hairball_is_left_to_the_list() -> None:
    archive = _archive(graphs.MAX_NEIGHBOURS + 1)
    found = graphs.neighbourhoods(archive, gather(archive, list(archive.documents()), "T"))
    assert "series" not in found


def test_without_graphviz_nothing_is_drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    archive = _archive(2)
    catalogue = gather(archive, list(archive.documents()), "T")
    assert graphs.draw_graphs(archive, catalogue, tmp_path) == set()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("dot") is None and os.environ.get("CI") != "true",
                    reason="Graphviz is not installed")
def test_graphviz_draws_each_neighbourhood_as_its_own_svg(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(graphs, "MIN_LINKS", 1)
    monkeypatch.setattr(graphs, "BATCH", 2)  # several dot processes
    archive = _archive(3)
    catalogue = gather(archive, list(archive.documents()), "T")
    drawn = graphs.draw_graphs(archive, catalogue, tmp_path)
    assert drawn == {"series", "org", "p0", "p1", "p2"}
    svg = (tmp_path / "graphs" / "series.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and svg.count("<svg") == 1
    assert "A &lt;series&gt;" in svg and "<series>" not in svg
    assert "Part 2" in svg and "Part 2" not in (tmp_path / "graphs" / "org.svg").read_text()
