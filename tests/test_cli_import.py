"""``archivist import`` through the command line: safe, all or nothing, re-importable."""

from __future__ import annotations

import io
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from archivist.models import KINDS
from tests.conftest import Invoke
from tests.conftest import write_file as write

BOMB = (  # the classic "billion laughs": 342 bytes that would expand to 9⁹ strings
    b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    b"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    b"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    b"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)




def ok(invoke: Invoke, *args: str, input: str | bytes | None = None) -> Any:
    result = invoke(*args, input=input)
    assert result.exit_code == 0, result.stderr
    return result


def show_json(invoke: Invoke, record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(invoke, "show", record_id, "--format", "json").stdout)
    return data


def list_json(invoke: Invoke) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok(invoke, "list", "--format", "json").stdout)
    return data


def without_archive(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "archive"} for r in records]


@pytest.fixture
def populated(invoke: Invoke) -> None:
    """An archive with one record, so that "unchanged" compares real bytes."""
    ok(invoke, "add", "--title", "Already here", "--id", "here")


# -- hostile input ------------------------------------------------------------------

HOSTILE: list[tuple[str, bytes, str, str]] = [
    ("python-tag", b'!!python/object/apply:os.system ["touch MARKER"]\n', "1:1",
     "the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"),
    ("python-tag-in-value", b'id: x\ntitle: !!python/object/apply:os.system ["touch MARKER"]\n',
     "2:8", "is not allowed"),
    ("python-name-tag", b"title: !!python/name:os.system x\n", "1:8", "is not allowed"),
    ("int-tag", b"title: !!int 3\n", "1:8", "the tag tag:yaml.org,2002:int is not allowed"),
    ("binary-tag", b"title: !!binary aGk=\n", "1:8", "is not allowed"),
    ("local-tag", b"title: !shell ls\n", "1:8", "the tag !shell is not allowed"),
    ("billion-laughs", BOMB, "1:4", "anchors and aliases (& and *) are not allowed"),
    ("merge-key-alias", b"base: &base {kind: book}\nrecord:\n  <<: *base\n", "1:7",
     "anchors and aliases"),
    ("merge-key", b"id: x\ntitle: T\n<<: {kind: book}\n", "3:1", "merge keys (<<) are not "
                                                                   "allowed"),
    ("flow-nesting", b"[" * 100_000, "1:", "nesting deeper than 64 levels"),
    ("flow-mapping-nesting", b"{a: " * 100_000, "1:", "nesting deeper than 64 levels"),
    ("block-nesting", b"- " * 100_000 + b"x\n", "1:129", "nesting deeper than 64 levels"),
    ("indented-nesting", b"".join(b" " * i + b"k:\n" for i in range(2_000)), "65:65",
     "nesting deeper than 64 levels"),
    ("duplicate-key", b"id: x\ntitle: A\nsummary: s\ntitle: B\n", "4:1",
     "duplicate key 'title' (first at line 2)"),
    ("non-utf8", b"id: x\ntitle: caf\xe9\n", "2:11", "the file is not valid UTF-8"),
    ("control-character", b"id: x\ntitle: ring\x07bell\n", "2:12",
     "control character U+0007 is not allowed"),
    ("escape-sequence", b"id: x\ntitle: \x1b[2Jgone\n", "2:8", "control character U+001B"),
    ("utf16", "id: x\ntitle: T\n".encode("utf-16"), "1:1", "the file is UTF-16"),
    ("utf16-be", b"\xfe\xff" + "title: T\n".encode("utf-16-be"), "1:1", "UTF-16"),
    ("nul-escaped", b'id: x\ntitle: "a\\0b"\n', "2:1", "title contains a NUL character"),
    ("lone-surrogate", b'{"id": "x", "title": "\\ud800"}', "1:25", "invalid Unicode"),
    ("complex-key", b"? [a, b]\n: c\n", "1:3", "a mapping key must be plain text"),
]


@pytest.mark.parametrize(("name", "data", "where", "message"), HOSTILE,
                         ids=[case[0] for case in HOSTILE])
def test_hostile_input_is_refused_quickly_with_its_position(
        invoke: Invoke, unchanged: Any, populated: None, tmp_path: Path, monkeypatch: Any,
        name: str, data: bytes, where: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / f"{name}.yaml", data)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with unchanged():
            result = invoke("import", str(path))
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert result.exit_code == 1
    first, summary = result.stderr.splitlines()
    assert first.startswith(f"{path}:{where}"), first
    assert message in first
    assert summary == "Error: import failed with 1 problem; nothing was changed"
    assert result.stdout == ""
    assert elapsed < 2.0
    assert peak < 20 * len(data) + 16 * 1024 * 1024
    assert not (tmp_path / "MARKER").exists()


def test_a_file_over_the_size_limit_is_refused_before_parsing(
        invoke: Invoke, unchanged: Any, populated: None, tmp_path: Path) -> None:
    path = write(tmp_path / "bomb.yaml", BOMB)
    with unchanged():
        result = invoke("import", str(path), "--max-size", "100")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:1:1: the file is {len(BOMB)} bytes, over the "
                                    "limit of 100 (--max-size)\n")


def test_standard_input_over_the_size_limit_is_refused(invoke: Invoke, unchanged: Any,
                                                       populated: None) -> None:
    with unchanged():
        result = invoke("import", "-", "--max-size", "10", input="id: x\ntitle: Too long\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("<stdin>:1:1: the input is over the limit of 10 bytes "
                                    "(--max-size)\n")


def test_a_utf8_byte_order_mark_is_accepted(invoke: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path / "bom.yaml", b"\xef\xbb\xbfid: bom\ntitle: \xc5\xbb\xc3\xb3\xc5\x82w\n")
    ok(invoke, "import", str(path))
    assert show_json(invoke, "bom")["title"] == "Żółw"


def test_json_with_escaped_characters_beyond_the_bmp_imports(invoke: Invoke) -> None:
    text = json.dumps({"id": "emoji", "title": "Smile 😀 𝔸"})  # ensure_ascii: surrogate pairs
    assert "\\ud83d" in text
    ok(invoke, "import", "-", input=text)
    assert show_json(invoke, "emoji")["title"] == "Smile 😀 𝔸"


# -- text stays text ----------------------------------------------------------------

# (as written in YAML, the text that must come back)
TRICKY = [("no", "no"), ("yes", "yes"), ("on", "on"), ("off", "off"), ("NO", "NO"),
          ("True", "True"), ("0123", "0123"), ("0755", "0755"), ("1e3", "1e3"),
          ("3.10", "3.10"), ("1:20", "1:20"), ("0x1F", "0x1F"), ("0o17", "0o17"),
          ("0b101", "0b101"), (".nan", ".nan"), (".inf", ".inf"), ("-.inf", "-.inf"),
          ("2021-02-09", "2021-02-09"), ("2001-12-14t21:59:43.10-05:00",
                                         "2001-12-14t21:59:43.10-05:00"),
          ("1_000", "1_000"), ("+12", "+12"), ("'~'", "~"), ('"null"', "null"),
          ("'no'", "no"), ("'0123'", "0123"), ("=", "=")]
VALID_IDS = {"no", "yes", "on", "off", "NO", "True", "0123", "0755", "1e3", "3.10", "0x1F",
             "0o17", "0b101", "2021-02-09", "1_000"}
VALID_DATES = {"0123", "0755", "2021-02-09"}


@pytest.mark.parametrize(("written", "text"), TRICKY, ids=[t for _, t in TRICKY])
def test_yaml_typing_does_not_change_text(invoke: Invoke, tmp_path: Path, written: str,
                                          text: str) -> None:
    record_id = text if text in VALID_IDS else "tricky"
    lines = [f"id: {written if text in VALID_IDS else 'tricky'}", f"title: {written}",
             f"tags:\n  - {written}", f"custom: {written}", f"fields:\n  nested: {written}"]
    if text in VALID_DATES:
        lines.append(f"date: {written}")
    ok(invoke, "import", str(write(tmp_path / "t.yaml", "\n".join(lines) + "\n")))
    data = show_json(invoke, record_id)
    assert data["id"] == record_id
    assert data["title"] == text
    assert data["tags"] == [text]
    assert data["fields"] == {"nested": text, "custom": text}
    assert data["date"] == (text if text in VALID_DATES else None)


def test_plain_null_and_tilde_mean_absent(invoke: Invoke) -> None:
    ok(invoke, "import", "-", input="id: a\ntitle: T\nsummary: ~\nsubtitle: null\nurl:\n")
    data = show_json(invoke, "a")
    assert (data["summary"], data["subtitle"], data["url"]) == (None, None, None)


# -- what can be imported -----------------------------------------------------------


def test_a_folder_is_imported_recursively_in_sorted_order(invoke: Invoke,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "b.yaml", "id: b\ntitle: B\n")
    write(folder / "a" / "z.yml", "id: az\ntitle: AZ\n")
    write(folder / "a.json", '{"id": "a-json", "title": "A"}')
    write(folder / "c.txt", "not: imported\n")
    write(folder / ".hidden.yaml", "id: hidden\ntitle: H\n")
    dry = ok(invoke, "import", str(folder), "--dry-run")
    assert dry.stdout == "add az\nadd a-json\nadd b\n"
    ok(invoke, "import", str(folder))
    assert [r["id"] for r in list_json(invoke)] == ["az", "a-json", "b"]


def test_standard_input_takes_yaml_or_json(invoke: Invoke) -> None:
    result = ok(invoke, "import", "-", input="id: from-yaml\ntitle: Y\n")
    assert result.stderr == "imported 1 record (0 links), skipped 0, updated 0\n"
    ok(invoke, "import", "-", input='[{"id": "from-json", "title": "J", "tags": ["x"]}]')
    assert show_json(invoke, "from-json")["tags"] == ["x"]
    assert show_json(invoke, "from-yaml")["archive"]["added_how"]["file"] == "-"


def test_a_stream_of_documents_and_a_list_both_import(invoke: Invoke, tmp_path: Path) -> None:
    stream = write(tmp_path / "stream.yaml", "---\nid: s1\ntitle: One\n---\nid: s2\ntitle: "
                                             "Two\n...\n---\n- {id: s3, title: Three}\n")
    listed = write(tmp_path / "list.yaml", "- id: l1\n  title: One\n- id: l2\n  title: Two\n")
    result = ok(invoke, "import", str(stream), str(listed))
    assert result.stderr == "imported 5 records (0 links), skipped 0, updated 0\n"
    assert [r["id"] for r in list_json(invoke)] == ["s1", "s2", "s3", "l1", "l2"]


def test_links_may_point_to_records_in_other_files(invoke: Invoke, tmp_path: Path) -> None:
    write(tmp_path / "in" / "1.yaml", "id: chapter\ntitle: C\nlinks:\n"
                                      "  - {rel: part-of, target: book}\n"
                                      "  - {rel: created-by, target: author}\n")
    write(tmp_path / "in" / "2.yaml", "- {id: book, title: B, kind: book}\n"
                                      "- {id: author, title: A, kind: person}\n")
    result = ok(invoke, "import", str(tmp_path / "in"))
    assert result.stderr == "imported 3 records (2 links), skipped 0, updated 0\n"
    assert show_json(invoke, "chapter")["links"] == [
        {"rel": "part-of", "target": "book"}, {"rel": "created-by", "target": "author"}]
    seen_from_book = json.loads(ok(invoke, "links", "book", "--format", "json").stdout)
    assert [(v["rel"], v["id"]) for v in seen_from_book] == [("has-part", "chapter")]


# -- conflicts ----------------------------------------------------------------------


def test_an_existing_id_is_refused_by_default(invoke: Invoke, unchanged: Any, populated: None,
                                              tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", "- {id: new, title: New}\n- {id: HERE, title: Again}\n")
    with unchanged():
        result = invoke("import", str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:2:4: a record with id 'HERE' already exists (use "
                             "--on-conflict skip or update)\n"
                             "Error: import failed with 1 problem; nothing was changed\n")


def test_skipping_twice_leaves_the_archive_byte_identical(invoke: Invoke, unchanged: Any,
                                                          records_dir: Path) -> None:
    ok(invoke, "import", str(records_dir))
    for _ in range(2):
        with unchanged():
            result = ok(invoke, "import", str(records_dir), "--on-conflict", "skip")
        assert result.stderr.startswith("imported 0 records (0 links), skipped ")
    with unchanged():
        ok(invoke, "import", str(records_dir), "--on-conflict", "update")


def test_skip_leaves_existing_records_and_their_links_alone(invoke: Invoke, populated: None,
                                                            tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", "- {id: other, title: Other}\n"
                                      "- {id: here, title: Changed, links: [{rel: related, "
                                      "target: other}]}\n")
    result = ok(invoke, "import", str(path), "--on-conflict", "skip")
    assert result.stderr == "imported 1 record (0 links), skipped 1, updated 0\n"
    here = show_json(invoke, "here")
    assert here["title"] == "Already here" and here["links"] == []


def test_update_replaces_values_keeps_provenance_and_adds_links(
        invoke: Invoke, populated: None, tmp_path: Path) -> None:
    before = show_json(invoke, "here")
    ok(invoke, "import", "-", input="id: other\ntitle: Other\n")
    path = write(tmp_path / "r.yaml", "id: here\ntitle: Changed\nkind: book\n"
                                      "links: [{rel: related, target: other}]\n")
    result = ok(invoke, "import", str(path), "--on-conflict", "update")
    assert result.stderr == "imported 0 records (1 links), skipped 0, updated 1\n"
    after = show_json(invoke, "here")
    assert (after["title"], after["kind"]) == ("Changed", "book")
    assert after["links"] == [{"rel": "related", "target": "other"}]
    assert after["archive"]["added_how"] == before["archive"]["added_how"]
    history = json.loads(ok(invoke, "history", "here", "--format", "json").stdout)
    change = next(e for e in history if e["action"] == "import")
    assert change["before"] == {"kind": "other", "title": "Already here"}
    assert change["after"] == {"kind": "book", "title": "Changed"}


def test_an_edited_file_without_ids_updates_the_records_it_made(
        invoke: Invoke, unchanged: Any, db: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(db.parent)
    write(db.parent / "page.txt", "one\ntwo\nthree\n")
    path = write(db.parent / "r.yaml",
                 "- {title: Dear Comrades, creators: [Clara Weiss], date: '2021-02-09'}\n"
                 "- {title: Page one, source: {path: page.txt, span: [1, 1]}}\n"
                 "- {title: Page two, source: {path: page.txt, span: [2, 3]}}\n")
    ok(invoke, "import", "r.yaml")
    ids = ["weiss-2021-dear-comrades", "page-one", "page-two"]
    assert [r["id"] for r in list_json(invoke)] == ids
    # Edited: a summary added (same title, date and first creator), titles changed (same
    # source and span).
    write(path, "- {title: Dear  comrades, creators: [Clara Weiss, D. N.], date: '2021-02-09',"
                " summary: S}\n"
                "- {title: Page One, source: {path: page.txt, span: [1, 1]}}\n"
                "- {title: Page Two, source: {path: page.txt, span: [2, 3]}}\n")
    with unchanged():
        refused = invoke("import", "r.yaml")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "r.yaml:1:3: this record is already in the archive as 'weiss-2021-dear-comrades', "
        "found by its title, date and first creator (use --on-conflict skip or update)",
        "r.yaml:2:3: this record is already in the archive as 'page-one', found by its "
        "source (use --on-conflict skip or update)",
        "r.yaml:3:3: this record is already in the archive as 'page-two', found by its "
        "source (use --on-conflict skip or update)",
        "Error: import failed with 3 problems; nothing was changed"]
    with unchanged():
        skipped = ok(invoke, "import", "r.yaml", "--on-conflict", "skip")
    assert skipped.stderr == "imported 0 records (0 links), skipped 3, updated 0\n"
    dry = ok(invoke, "import", "r.yaml", "--on-conflict", "update", "--dry-run")
    assert dry.stdout == "".join(f"update {i}\n" for i in ids)
    updated = ok(invoke, "import", "r.yaml", "--on-conflict", "update")
    assert updated.stderr == "imported 0 records (0 links), skipped 0, updated 3\n"
    records = list_json(invoke)
    assert [(r["id"], r["title"]) for r in records] == [
        (ids[0], "Dear  comrades"), (ids[1], "Page One"), (ids[2], "Page Two")]
    assert records[0]["summary"] == "S"
    with unchanged():
        again = ok(invoke, "import", "r.yaml", "--on-conflict", "update")
    assert again.stderr == "imported 0 records (0 links), skipped 3, updated 0\n"


def test_a_record_without_an_id_that_matches_several_is_refused(
        invoke: Invoke, unchanged: Any) -> None:
    for record_id in ("notes", "notes-2"):
        ok(invoke, "add", "--title", "Notes", "--date", "1917", "--id", record_id)
    with unchanged():
        result = invoke("import", "-", "--on-conflict", "update",
                        input="title: Notes\ndate: '1917'\nsummary: S\n")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "<stdin>:1:1: this record matches 2 records of the archive, found by its title, "
        "date and first creator ('notes', 'notes-2'); give it the id of the one it is")


def test_each_record_of_the_archive_is_matched_by_one_imported_record_at_most(
        invoke: Invoke) -> None:
    ok(invoke, "add", "--title", "Notes", "--date", "1917", "--id", "notes")
    result = ok(invoke, "import", "-", "--on-conflict", "update", "--dry-run", input=(
        "- {title: Notes, date: '1917', summary: first}\n"
        "- {title: Notes, date: '1917', summary: second}\n"
        "- {id: other, title: Other}\n"))
    assert result.stdout == "update notes\nadd 1917-notes\nadd other\n"


def test_a_record_with_its_own_id_is_matched_by_that_id_only(invoke: Invoke) -> None:
    ok(invoke, "add", "--title", "Notes", "--date", "1917", "--id", "notes")
    result = ok(invoke, "import", "-", "--on-conflict", "update", "--dry-run",
                input="{id: notes-copy, title: Notes, date: '1917'}\n")
    assert result.stdout == "add notes-copy\n"


# -- dry run ------------------------------------------------------------------------


def test_a_dry_run_says_what_would_happen_and_changes_nothing(
        invoke: Invoke, unchanged: Any, populated: None, tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", "- {id: here, title: Changed}\n- {id: new, title: N}\n"
                                      "- {title: Without id, date: '1999'}\n")
    with unchanged():
        result = ok(invoke, "import", str(path), "--on-conflict", "update", "--dry-run")
    assert result.stdout == "update here\nadd new\nadd 1999-without-id\n"
    assert result.stderr == ("dry run: would import 2 records (0 links), skip 0, update 1; "
                             "nothing was changed\n")


def test_a_dry_run_does_not_create_the_archive(invoke: Invoke, db: Path) -> None:
    result = ok(invoke, "import", "-", "--dry-run", input="id: a\ntitle: A\n")
    assert result.stdout == "add a\n"
    assert not db.exists()


def test_a_dry_run_reports_problems_like_an_import(invoke: Invoke, db: Path) -> None:
    result = invoke("import", "-", "--dry-run", input="id: a\ntitle: A\nkind: novel\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("<stdin>:3:1: unknown kind 'novel'")
    assert not db.exists()


def test_a_failed_import_does_not_create_the_archive(invoke: Invoke, db: Path) -> None:
    assert invoke("import", "-", input="title: [\n").exit_code == 1
    assert not db.exists()


# -- problems -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "where", "message"), [
    ("id: a\ntitle: T\nkind: novel\n", "3:1", "unknown kind 'novel'; valid kinds: article"),
    ("id: a\ntitle: T\nadded: '2020-01-01'\n", "3:1",
     "'added' is maintained by archivist and cannot be set"),
    ("id: a\ntitle: T\nfields: {added_by: me}\n", "3:10", "'added_by' is maintained"),
    ("- {id: a, title: A}\n- {id: b, title: B, links: [{rel: part-of, target: zzz}]}\n",
     "2:44", "no record with id 'zzz'"),
])
def test_invalid_records_are_reported_with_their_position(
        invoke: Invoke, unchanged: Any, populated: None, tmp_path: Path, text: str,
        where: str, message: str) -> None:
    path = write(tmp_path / "bad.yaml", text)
    with unchanged():
        result = invoke("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:{where}: {message}")


def test_every_problem_is_listed_then_counted(invoke: Invoke, unchanged: Any, populated: None,
                                              tmp_path: Path) -> None:
    text = "".join(f"- {{id: r{i}, title: T, date: someday}}\n" for i in range(60))
    path = write(tmp_path / "bad.yaml", text)
    with unchanged():
        result = invoke("import", str(path))
    lines = result.stderr.splitlines()
    assert result.exit_code == 1
    assert len(lines) == 52
    assert lines[0].startswith(f"{path}:1:")
    assert lines[50] == "… and 10 more"
    assert lines[51] == "Error: import failed with 60 problems; nothing was changed"


def test_every_problem_of_every_record_is_listed_in_the_order_of_the_files(
        invoke: Invoke, unchanged: Any, populated: None, tmp_path: Path) -> None:
    later = write(tmp_path / "a-later.yaml", "- {id: HERE, title: T}\n- title: [\n")
    first = write(tmp_path / "b-first.yaml",
                  "- id: one\n  kind: novel\n  date: someday\n"
                  "  source: {path: nope.txt, sha256: zz}\n"
                  "  links: [{rel: likes, target: one}]\n"
                  "- {id: two, title: T, tags: [' ']}\n")
    with unchanged():
        result = invoke("import", str(first), str(later))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{first}:1:3: a record needs a title",
        f"{first}:2:3: unknown kind 'novel'; valid kinds: " + ", ".join(KINDS),
        f"{first}:3:3: bad date 'someday': use YYYY, YYYY-MM or YYYY-MM-DD, optionally "
        "followed by ~ (approximate), ? (uncertain) or %, or an interval A/B with .. for "
        "an open end",
        f"{first}:4:28: source.sha256 'zz' is not 64 hexadecimal digits",
        f"{first}:6:23: tags cannot hold a blank entry",
        # The checks of ids come after the reading of every file, yet are listed in
        # their place: the file given first, first.
        f"{later}:1:4: a record with id 'HERE' already exists (use --on-conflict skip or "
        "update)",
        f"{later}:3:1: did not find expected node content",
        "Error: import failed with 7 problems; nothing was changed"]


def test_the_links_of_a_record_with_problems_are_checked_too(
        invoke: Invoke, unchanged: Any, populated: None, tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", "id: one\nkind: novel\nlinks: [{rel: likes, target: "
                                      "here}, {rel: part-of, target: nowhere}]\n")
    with unchanged():
        result = invoke("import", str(path))
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        f"{path}:1:1", f"{path}:2:1", f"{path}:3:10", f"{path}:3:52"]
    assert "unknown relation 'likes'" in lines[2] and "no record with id 'nowhere'" in lines[3]


@pytest.mark.parametrize(("text", "where", "problem"), [
    ('{"id": "a", "title": "T",}', "1:25", "trailing comma is not allowed"),
    ('[\n  {"id": "a", "title": "T"},\n]', "2:28", "trailing comma is not allowed"),
    ('{"id": "a", // the id\n "title": "T"}', "1:13", "a comment is not allowed"),
    ('# records\n{"id": "a", "title": "T"}', "1:1", "a comment is not allowed"),
    ("{'id': 'a', 'title': 'T'}", "1:2", "unexpected character, expected a string key"),
    ('{"id": "a", "title": NaN}', "1:22", "unexpected character, expected a JSON value"),
    ("", "1:1", "the file is empty"),
])
def test_a_json_file_is_strict_json(invoke: Invoke, unchanged: Any, populated: None,
                                    tmp_path: Path, text: str, where: str,
                                    problem: str) -> None:
    path = write(tmp_path / "r.json", text)
    with unchanged():
        result = invoke("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:{where}: not valid JSON: {problem} (a .json file is read as strict JSON; "
        "YAML's leniency is for .yaml files)",
        "Error: import failed with 1 problem; nothing was changed"]


def test_yaml_and_standard_input_keep_their_leniency(invoke: Invoke, tmp_path: Path) -> None:
    ok(invoke, "import", "-", input='{"id": "a", "title": "T",}')
    ok(invoke, "import", str(write(tmp_path / "b.yaml", "{'id': 'b', 'title': 'T',}\n")))
    assert [r["id"] for r in list_json(invoke)] == ["a", "b"]


CSL = ('[{"id": "weiss2021", "type": "article-journal", "title": "Dear Comrades", '
       '"author": [{"family": "Weiss", "given": "Clara"}], '
       '"issued": {"date-parts": [[2021, 2, 9]]}}]')


@pytest.mark.parametrize(("name", "text", "message"), [
    ("csl.yaml", "- {type: book, title: T, issued: '2021'}\n- {type: book, title: U}\n",
     "looks like CSL-JSON (items with `type` and `issued`/`author`): name the file .json "
     "or give --format csl-json"),
    ("refs.yaml", "% from Zotero\n@article{weiss2021,\n  title = {Dear Comrades},\n}\n",
     "looks like BibTeX (entries such as @article{…}): name the file .bib or give "
     "--format bibtex"),
    ("refs.json", "@book{k, title={T}}\n",
     "looks like BibTeX (entries such as @article{…}): name the file .bib or give "
     "--format bibtex"),
    ("refs.yml", "TY  - JOUR\nTI  - Dear Comrades\nER  - \n",
     "looks like RIS (references opened by TY  - …): name the file .ris or give "
     "--format ris"),
    ("library.json", '{"items": [{"title": "T"}], "total": 1}',
     "looks like a mapping that is not a record: none of its keys (items, total) is a "
     "record's (id, title, kind, creators, …); if its records are the list under 'items', "
     "import that list"),
])
def test_a_file_in_a_format_archivist_cannot_import_is_named_for_what_it_looks_like(
        invoke: Invoke, unchanged: Any, populated: None, tmp_path: Path, name: str,
        text: str, message: str) -> None:
    path = write(tmp_path / name, text)
    with unchanged():
        result = invoke("import", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:1:1: {message}", "Error: import failed with 1 problem; nothing was changed"]


def test_a_record_of_another_format_among_records_is_named_in_its_place(
        invoke: Invoke, unchanged: Any, populated: None) -> None:
    with unchanged():
        result = invoke("import", "-", input="- {id: a, title: A}\n"
                                             "- {type: book, title: T, author: [W]}\n")
    assert result.stderr.startswith("<stdin>:2:3: looks like CSL-JSON")


def test_missing_paths_and_other_files_are_problems(invoke: Invoke, unchanged: Any,
                                                    populated: None, tmp_path: Path) -> None:
    other = write(tmp_path / "notes.txt", "title: T\n")
    with unchanged():
        result = invoke("import", str(tmp_path / "nope.yaml"), str(other))
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.yaml'}:1:1: no such file or folder" in result.stderr
    assert f"{other}:1:1: not a .yaml, .yml, .json, .bib or .ris file" in result.stderr


@pytest.mark.parametrize("args", [
    ["import"],
    ["import", "x.yaml", "--on-conflict", "merge"],
    ["import", "x.yaml", "--max-size", "0"],
    ["import", "x.yaml", "--bogus"],
])
def test_a_malformed_command_line_exits_2(invoke: Invoke, unchanged: Any, args: list[str]
                                          ) -> None:
    with unchanged():
        assert invoke(*args).exit_code == 2


# -- sources ------------------------------------------------------------------------


def test_a_relative_source_path_starts_at_the_yaml_files_folder(
        invoke: Invoke, db: Path, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path / "..")
    source = write(tmp_path / "data" / "page.html", b"<html>page</html>\n")
    path = write(tmp_path / "yaml" / "r.yaml", "id: page\ntitle: Page\nsource:\n"
                                               "  path: ../data/page.html\n  span: [1, 1]\n")
    ok(invoke, "import", str(path))
    data = show_json(invoke, "page")["source"]
    assert data["path"] == "data/page.html"  # stored relative to the archive's folder
    assert data["size"] == source.stat().st_size
    assert len(data["sha256"]) == 64 and data["span"] == [1, 1]
    assert ok(invoke, "verify").exit_code == 0


def test_a_sha256_that_does_not_match_is_refused(invoke: Invoke, unchanged: Any,
                                                 populated: None, tmp_path: Path) -> None:
    import hashlib

    write(tmp_path / "s.txt", b"actual bytes")
    actual = hashlib.sha256(b"actual bytes").hexdigest()
    wrong = "f" * 64
    path = write(tmp_path / "r.yaml", f"id: s\ntitle: S\nsource:\n  path: s.txt\n"
                                      f"  sha256: {wrong}\n")
    with unchanged():
        result = invoke("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:5:3: source.sha256 is {wrong} but s.txt has "
                                    f"sha256 {actual}\n")


# -- round trips and provenance ---------------------------------------------------------


def test_what_archivist_writes_imports_again(invoke: Invoke, records_dir: Path, db: Path,
                                             tmp_path: Path) -> None:
    ok(invoke, "import", str(records_dir))
    original = without_archive(list_json(invoke))
    # Written beside the archive, so relative source paths resolve as they did.
    exports = {
        "list.json": ok(invoke, "list", "--format", "json").stdout,
        "export.yaml": ok(invoke, "export", "--format", "yaml").stdout,
        "one.json": ok(invoke, "show", "rci", "--format", "json").stdout,
        "one.yaml": ok(invoke, "show", "rci", "--format", "yaml").stdout,
    }
    for name, text in exports.items():
        path = write(db.parent / name, text)
        again = db.parent / f"again-{name}.json"
        ok(invoke, "--db", str(again), "import", str(path))
        copied = without_archive(json.loads(ok(invoke, "--db", str(again), "list",
                                               "--format", "json").stdout))
        if name.startswith("one"):
            assert copied == [r for r in original if r["id"] == "rci"]
        else:
            assert copied == original, name


def test_each_record_remembers_the_file_and_command_it_came_from(invoke: Invoke,
                                                                 tmp_path: Path) -> None:
    import hashlib

    path = write(tmp_path / "r.yaml", "id: r\ntitle: R\n")
    ok(invoke, "import", str(path))
    how = show_json(invoke, "r")["archive"]["added_how"]
    assert how == {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                   "command": f"archivist import {path}"}
    text = ok(invoke, "show", "r").stdout
    assert f"import of {path} (sha256 {how['sha256']})" in text
    history = json.loads(ok(invoke, "history", "r", "--format", "json").stdout)
    assert history[0]["command"] == f"archivist import {path}"


def test_ten_thousand_records_import_quickly(invoke: Invoke, tmp_path: Path) -> None:
    from archivist.yamlio import dump

    records = [{"id": f"r{i}", "title": f"Title {i}", "creators": ["A B"], "date": "2021",
                "tags": ["t", f"t{i % 10}"], "fields": {"n": str(i)},
                "links": [{"rel": "part-of", "target": f"r{i - 1}"}] if i % 10 else []}
               for i in range(10_000)]
    path = write(tmp_path / "big.yaml", dump(records))
    started = time.perf_counter()
    result = ok(invoke, "import", str(path))
    assert time.perf_counter() - started < 10  # about 1.5 s; generous for busy machines
    assert result.stderr == "imported 10000 records (9000 links), skipped 0, updated 0\n"


def test_a_progress_bar_is_drawn_only_on_a_terminal(monkeypatch: Any) -> None:
    from archivist.cli import transfer

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    large = transfer.PROGRESS_THRESHOLD + 1
    with transfer._progress(large) as progress:
        assert progress is not None
        progress(large)
    assert "checking records" in screen.getvalue()
    with transfer._progress(transfer.PROGRESS_THRESHOLD) as progress:
        assert progress is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with transfer._progress(large) as progress:
        assert progress is None


def test_the_sample_archive_imports_cleanly(invoke: Invoke, records_dir: Path) -> None:
    result = ok(invoke, "import", str(records_dir))
    assert result.stderr.startswith("imported ") and result.stdout == ""
    assert ok(invoke, "verify").exit_code == 0
