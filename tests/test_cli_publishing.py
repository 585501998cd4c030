"""``archivist publish`` through the command line: what it writes and what it refuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archivist.models import record_from_mapping
from archivist.publish import MARKER
from archivist.store import open_archive
from tests.conftest import Invoke


@pytest.fixture
def filled(db: Path) -> Path:
    with open_archive(db, write=True) as archive:
        archive.add_many([
            (record_from_mapping({"id": "series", "title": "A series", "kind": "series",
                                  "tags": ["film"]}), None),
            (record_from_mapping({"id": "part", "title": "Part «один»", "kind": "article",
                                  "creators": ["Clara Weiss"], "date": "1923~",
                                  "publisher": "WSWS", "tags": ["Film", "history"]}), None),
            (record_from_mapping({"id": "org", "title": "An organisation",
                                  "kind": "organisation"}), None),
        ])
        archive.store_link("part", "part-of", "series")
        archive.store_link("series", "published-by", "org")
    return db


def test_publish_writes_a_site_and_says_where_to_open_it(invoke: Invoke, filled: Path,
                                                         tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = invoke("publish", "-o", str(site))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(site.resolve() / "index.html")
    assert result.stderr.startswith("published 3 records (")
    for name in ("index.html", "style.css", "search.js", "fold.js", "folding-rules.js",
                 "search-index.js", MARKER, "records/part.html", "kinds/series.html",
                 "decades/1920s.html", "tags/index.html", "creators/index.html",
                 "publishers/index.html"):
        assert (site / name).is_file(), name
    # Tags differing only in case share a page.
    assert len(list((site / "tags").glob("film-*.html"))) == 1
    part = (site / "records" / "part.html").read_text(encoding="utf-8")
    assert 'href="series.html"' in part and "part of" in part
    assert "has part" in (site / "records" / "series.html").read_text(encoding="utf-8")
    assert "publisher of" in (site / "records" / "org.html").read_text(encoding="utf-8")


def test_publish_of_a_query_links_only_to_published_records(invoke: Invoke, filled: Path,
                                                            tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert invoke("publish", "kind:article", "-o", str(site), "--title", "Articles"
                  ).exit_code == 0
    assert sorted(p.name for p in (site / "records").iterdir()) == ["part.html"]
    part = (site / "records" / "part.html").read_text(encoding="utf-8")
    assert 'href="series.html"' not in part and "not published here" in part
    assert "<title>Home · Articles</title>" in (site / "index.html").read_text(encoding="utf-8")


def test_a_republish_replaces_the_old_site_whole(invoke: Invoke, filled: Path,
                                                 tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert invoke("publish", "-o", str(site)).exit_code == 0
    (site / "records" / "stale.html").write_text("old", encoding="utf-8")
    assert invoke("publish", "-o", str(site), "kind:series").exit_code == 0
    assert sorted(p.name for p in (site / "records").iterdir()) == ["series.html"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".publish-")] == []


@pytest.mark.parametrize("where", ["archive-folder", "above-archive", "file", "other-folder"])
def test_publish_refuses_a_target_it_could_damage(invoke: Invoke, filled: Path,
                                                  tmp_path: Path, unchanged: Any,
                                                  where: str) -> None:
    target = {"archive-folder": filled.parent, "above-archive": filled.parent.parent,
              "file": tmp_path / "notes.txt", "other-folder": tmp_path / "mine"}[where]
    if where == "file":
        target.write_text("keep me", encoding="utf-8")
    if where == "other-folder":
        target.mkdir()
        (target / "thesis.tex").write_text("keep me", encoding="utf-8")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with unchanged():
        result = invoke("publish", "-o", str(target))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nothing was written" in result.stderr
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_a_bad_query_writes_nothing(invoke: Invoke, filled: Path, tmp_path: Path,
                                    unchanged: Any) -> None:
    with unchanged():
        result = invoke("publish", "-o", str(tmp_path / "site"), "nosuchfield:x")
    assert result.exit_code == 1
    assert not (tmp_path / "site").exists()


def test_publish_needs_an_output(invoke: Invoke, filled: Path) -> None:
    result = invoke("publish")
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_publish_without_jinja_says_how_to_install_it(invoke: Invoke, filled: Path,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    result = invoke("publish", "-o", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert "archivist[web]" in result.stderr
    assert not (tmp_path / "site").exists()


def test_help_does_not_import_jinja() -> None:
    code = ("import sys; from archivist.cli import cli\n"
            "try:\n    cli(['publish', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'jinja2' not in sys.modules, 'jinja2 was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
