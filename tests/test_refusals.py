"""Refusals and dry runs change nothing: every file beside the archive stays byte-identical.

Each case runs a writing command that is refused (or a dry run) against a small
archive, once with its index file as the last write left it and once without one,
and compares every file of the archive's folder, names and bytes, before and after.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.conftest import write_file as write

SETUP = """\
- {id: a, title: First, date: '2021', creators: [Ann Author], tags: [film]}
- {id: b, title: Second, links: [{rel: part-of, target: a}]}
- id: c
  title: Third
  source: {path: page.txt, span: [1, 1]}
"""

#: (name, command line, standard input, exit code).  File names are relative to the
#: folder of the archive; the files themselves are made by :func:`inputs`.
CASES: list[tuple[str, list[str], str | None, int]] = [
    # import
    ("import-existing-id", ["import", "again.yaml"], None, 1),
    ("import-invalid-record", ["import", "bad.yaml"], None, 1),
    ("import-syntax-error", ["import", "broken.yaml"], None, 1),
    ("import-missing-file", ["import", "nope.yaml"], None, 1),
    ("import-unknown-target", ["import", "dangling.yaml"], None, 1),
    ("import-cycle", ["import", "cycle.yaml", "--on-conflict", "update"], None, 1),
    ("import-not-records", ["import", "items.json"], None, 1),
    ("import-stdin-problem", ["import", "-"], "id: a\ntitle: [\n", 1),
    ("import-dry-run", ["import", "new.yaml", "--dry-run"], None, 0),
    ("import-dry-run-update", ["import", "again.yaml", "--dry-run", "--on-conflict",
                               "update"], None, 0),
    ("import-dry-run-problem", ["import", "bad.yaml", "--dry-run"], None, 1),
    ("import-skip-everything", ["import", "again.yaml", "--on-conflict", "skip"], None, 0),
    ("import-bad-option", ["import", "new.yaml", "--on-conflict", "merge"], None, 2),
    # add
    ("add-taken-id", ["add", "--title", "T", "--id", "A"], None, 1),
    ("add-unknown-kind", ["add", "--title", "T", "--kind", "novel"], None, 1),
    ("add-bad-date", ["add", "--title", "T", "--date", "someday"], None, 1),
    ("add-missing-source", ["add", "--title", "T", "--file", "nope.txt"], None, 1),
    ("add-no-title", ["add", "--id", "x"], None, 2),
    # set, edit
    ("set-unknown-id", ["set", "zzz", "title=X"], None, 1),
    ("set-unknown-kind", ["set", "a", "kind=novel"], None, 1),
    ("set-maintained", ["set", "a", "added=2020"], None, 1),
    ("set-bad-date", ["set", "a", "date=someday"], None, 1),
    ("set-no-change", ["set", "a", "title=First"], None, 0),
    ("set-where-unasked", ["set", "--where", "tag:film", "date=2020"], None, 1),
    ("set-where-bad-date", ["set", "--where", "tag:film", "date=someday", "--yes"], None, 1),
    ("set-where-bad-query", ["set", "--where", "date:>", "date=2020", "--yes"], None, 1),
    ("edit-unknown-id", ["edit", "zzz"], None, 1),
    ("edit-abandoned", ["edit", "a"], "n\n", 1),
    ("edit-from-invalid", ["edit", "a", "--from", "edited.yaml"], None, 1),
    # tags
    ("tag-unknown-id", ["tag", "zzz", "x"], None, 1),
    ("tag-blank", ["tag", "a", " "], None, 1),
    ("tag-where-unasked", ["tag", "--where", "tag:film", "x"], None, 1),
    ("untag-where-unasked", ["untag", "--where", "tag:film", "film"], None, 1),
    ("untag-unknown-id", ["untag", "zzz", "film"], None, 1),
    ("tags-rename-blank", ["tags", "rename", "film", " "], None, 1),
    # links
    ("link-unknown-target", ["link", "a", "related", "zzz"], None, 1),
    ("link-unknown-rel", ["link", "a", "likes", "b"], None, 1),
    ("link-itself", ["link", "a", "related", "a"], None, 1),
    ("link-cycle", ["link", "a", "part-of", "b"], None, 1),
    ("unlink-no-such-link", ["unlink", "a", "related", "b"], None, 1),
    # rm, merge, duplicates
    ("rm-unknown-id", ["rm", "zzz"], None, 1),
    ("rm-linked", ["rm", "a"], None, 1),
    ("merge-unknown-id", ["merge", "a", "zzz"], None, 1),
    ("merge-into-itself", ["merge", "a", "a"], None, 1),
    ("merge-dry-run", ["merge", "a", "c", "--dry-run"], None, 0),
    ("distinct-unknown-id", ["distinct", "a", "zzz"], None, 1),
    ("duplicates-distinct-unknown-id", ["duplicates", "--distinct", "a", "zzz"], None, 1),
    # undo
    ("undo-too-many", ["undo", "100"], None, 1),
    ("undo-dry-run", ["undo", "--dry-run"], None, 0),
    ("undo-dry-run-all", ["undo", "2", "--dry-run"], None, 0),
    ("redo-nothing", ["redo"], None, 1),
    # rename
    ("rename-taken", ["rename", "a", "B"], None, 1),
    ("rename-invalid", ["rename", "a", "not an id"], None, 1),
    ("rename-unknown", ["rename", "zzz", "yyy"], None, 1),
    # verify
    ("verify-bad-query", ["verify", "date:>"], None, 1),
]


def inputs(folder: Path) -> None:
    """The files the cases name, made before the first snapshot."""
    write(folder / "again.yaml", "id: a\ntitle: First again\n")
    write(folder / "bad.yaml", "- {id: n1, title: T, kind: novel, date: someday}\n")
    write(folder / "broken.yaml", "id: n2\ntitle: [\n")
    write(folder / "dangling.yaml", "id: n3\ntitle: T\nlinks: [{rel: part-of, target: zzz}]\n")
    write(folder / "cycle.yaml", "id: a\ntitle: First\nlinks: [{rel: part-of, target: b}]\n")
    write(folder / "items.json", '{"items": [{"title": "T"}]}\n')
    write(folder / "edited.yaml", "id: a\ntitle: First\nkind: novel\n")
    write(folder / "new.yaml", "id: n4\ntitle: New\nlinks: [{rel: related, target: a}]\n")
    editor = write(folder / "editor.py", "import sys\nopen(sys.argv[1], 'w').write("
                                         "'id: a\\ntitle: First\\nkind: novel\\n')\n")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder``, by relative name, with its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def prepared(invoke: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small archive (records, a link, a source, a few changes) and the cases' inputs."""
    folder = db.parent
    monkeypatch.chdir(folder)
    write(folder / "page.txt", "one line\n")
    write(folder / "setup.yaml", SETUP)
    for args in (["import", "setup.yaml"], ["tag", "c", "new"], ["set", "b", "date=2022"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.stderr
    inputs(folder)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {folder / 'editor.py'}")
    return folder


@pytest.mark.parametrize("state", ["index", "no-index", "stale-index", "junk-index",
                                   "no-lock-file"])
@pytest.mark.parametrize(("name", "args", "stdin", "code"), CASES,
                         ids=[case[0] for case in CASES])
def test_a_refusal_or_a_dry_run_leaves_every_file_as_it_was(
        invoke: Invoke, prepared: Path, db: Path, state: str, name: str, args: list[str],
        stdin: str | None, code: int) -> None:
    index_file = db.with_name(db.name + ".index")
    assert index_file.exists()
    if state == "no-index":
        os.unlink(index_file)
    elif state == "no-lock-file":
        # An archive copied from elsewhere: the lock file a refusal makes goes again.
        os.unlink(db.with_name(db.name + ".lock"))
    elif state == "stale-index":
        # The archive as another program might leave it: same bytes, a new version.
        db.write_bytes(db.read_bytes())
    elif state == "junk-index":
        index_file.write_bytes(b"not an index\n")
    before = snapshot(prepared)
    result = invoke(*args, input=stdin)
    assert result.exit_code == code, (result.stdout, result.stderr)
    if code == 1:
        assert result.stderr.rstrip("\n").splitlines()[-1].startswith("Error: ")
    after = snapshot(prepared)
    assert sorted(after) == sorted(before), "files were made or removed"
    changed = [file for file in before if after[file] != before[file]]
    assert not changed, f"{name} changed {changed}"


#: Refusals and dry runs where there is no archive yet.
NO_ARCHIVE: list[tuple[str, list[str], str | None, int]] = [
    ("import-syntax-error", ["import", "-"], "title: [\n", 1),
    ("import-invalid-record", ["import", "-"], "title: T\nkind: novel\n", 1),
    ("import-dry-run", ["import", "-", "--dry-run"], "title: T\n", 0),
    ("add-unknown-kind", ["add", "--title", "T", "--kind", "novel"], None, 1),
    ("set-unknown-id", ["set", "zzz", "title=X"], None, 1),
    ("tag-unknown-id", ["tag", "zzz", "x"], None, 1),
    ("rm-unknown-id", ["rm", "zzz"], None, 1),
    ("link-unknown-ids", ["link", "a", "related", "b"], None, 1),
    ("undo-nothing", ["undo"], None, 1),
    ("verify-bad-query", ["verify", "date:>"], None, 1),
]


@pytest.mark.parametrize(("name", "args", "stdin", "code"), NO_ARCHIVE,
                         ids=[case[0] for case in NO_ARCHIVE])
def test_a_refusal_without_an_archive_leaves_no_file_behind(
        invoke: Invoke, db: Path, name: str, args: list[str], stdin: str | None,
        code: int) -> None:
    folder = db.parent
    before = snapshot(folder)
    result = invoke(*args, input=stdin)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert snapshot(folder) == before, f"{name} left {sorted(set(snapshot(folder)) - set(before))}"
