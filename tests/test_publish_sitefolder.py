"""Where a site is written (archivist.publish.sitefolder): beside the target, renamed."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivist.publish.sitefolder import MARKER, PublishRefused, check_target, site_folder


def _names(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_site_replaces_the_old_one_only_when_whole(tmp_path: Path) -> None:
    target = tmp_path / "site"
    with site_folder(target) as folder:
        (folder / "index.html").write_text("one", encoding="utf-8")
    assert _names(tmp_path) == ["site", f"site/{MARKER}", "site/index.html"]
    with pytest.raises(RuntimeError), site_folder(target) as folder:
        (folder / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert (target / "index.html").read_text(encoding="utf-8") == "one"
    assert _names(tmp_path) == ["site", f"site/{MARKER}", "site/index.html"]
    with site_folder(target) as folder:
        (folder / "new.html").write_text("two", encoding="utf-8")
    assert _names(tmp_path) == ["site", f"site/{MARKER}", "site/new.html"]
    assert oct(target.stat().st_mode & 0o777) == "0o755"


def test_a_leftover_of_a_killed_publish_is_removed_by_the_next(tmp_path: Path) -> None:
    (tmp_path / ".publish-site.abc123" / "records").mkdir(parents=True)
    (tmp_path / ".publish-other.abc123").mkdir()
    with site_folder(tmp_path / "site"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".publish-other.abc123", "site"]


def test_targets_that_could_lose_something_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "a" / "archive.json"
    archive.parent.mkdir()
    archive.write_text("{}", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("x", encoding="utf-8")
    for target, reason in [(archive, "is a file"), (archive.parent, "the archive's folder"),
                           (tmp_path, "a folder holding the archive"),
                           (mine, "did not publish")]:
        with pytest.raises(PublishRefused, match=reason):
            check_target(target, archive)
    empty = tmp_path / "empty"
    empty.mkdir()
    for fine in (empty, tmp_path / "new", archive.parent / "site"):
        check_target(fine, archive)
    (mine / MARKER).write_text("", encoding="utf-8")
    check_target(mine, archive)
    check_target(empty, None)  # an archive in memory has no folder
