"""``publish --copy-sources`` (archivist.publish.sources): the archived bytes, copied."""

from __future__ import annotations

import hashlib
from pathlib import Path

from archivist.publish.sources import copy_sources
from archivist.store import open_archive


def test_sources_are_copied_once_by_content_and_only_when_unchanged(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    kept = tmp_path / "src" / "page.html"
    kept.write_bytes(b"<p>archived</p>")
    changed = tmp_path / "src" / "changed.txt"
    changed.write_bytes(b"now different")
    digest = hashlib.sha256(b"<p>archived</p>").hexdigest()
    docs = [
        {"id": "A", "source": {"path": "src/page.html", "sha256": digest}},
        {"id": "b", "source": {"path": str(kept), "sha256": digest}},
        {"id": "c", "source": {"path": "src/changed.txt", "sha256": "0" * 64}},
        {"id": "d", "source": {"path": "src/missing.txt"}},
        {"id": "e"},
    ]
    site = tmp_path / "site"
    site.mkdir()
    with open_archive(tmp_path / "archive.json") as archive:
        copied = copy_sources(archive, docs, site)
    assert copied == {"a": f"sources/{digest}.html", "b": f"sources/{digest}.html"}
    assert [p.name for p in (site / "sources").iterdir()] == [f"{digest}.html"]
    assert (site / copied["a"]).read_bytes() == b"<p>archived</p>"
