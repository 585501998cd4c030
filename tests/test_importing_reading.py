"""Reading the inputs of an import: files, folders and standard input, located records
and their sources.

The sources tests go through :func:`~archivist.importing.import_records`, which is how
their problems reach people; the rest call :mod:`archivist.importing.reading` directly.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.errors import ImportFailed
from archivist.importing import ImportOptions, import_records
from archivist.importing.problems import MAX_PROBLEMS, Problems
from archivist.importing.reading import (
    Entry,
    InputFile,
    Inputs,
    expand_paths,
    read_entries,
    read_inputs,
)
from archivist.models import Record, record_from_mapping
from archivist.store import Archive, memory_archive, open_archive
from tests.conftest import write_file as write


def read_text(text: str) -> Inputs:
    """Inputs read from standard input (the simplest way in for a test)."""
    return read_inputs(["-"], stdin=io.BytesIO(text.encode()))


def run(archive: Archive, inputs: Inputs) -> None:
    import_records(archive, inputs, ImportOptions(command="test"))


def problems_of(archive: Archive, inputs: Inputs) -> list[str]:
    with pytest.raises(ImportFailed) as err:
        run(archive, inputs)
    return err.value.problems


# -- reading ------------------------------------------------------------------------


def test_folders_are_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b.yaml", "a/z.yml", "a/b/c.json", "A.YAML", "notes.txt", ".hidden.yaml",
                 ".git/x.yaml", "archive.json"]:
        write(tmp_path / name, "")
    problems: list[str] = []
    found = expand_paths([str(tmp_path)], problems, skip=tmp_path / "archive.json")
    assert [Path(p).relative_to(tmp_path).as_posix() for p in found] == [
        "A.YAML", "a/b/c.json", "a/z.yml", "b.yaml"]
    assert problems == []


def test_missing_paths_and_other_file_types_are_problems(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "title: x\n")
    problems: list[str] = []
    assert expand_paths([str(tmp_path / "nope.yaml"), str(tmp_path / "notes.txt")],
                        problems) == []
    assert problems[0].endswith("nope.yaml:1:1: no such file or folder")
    assert "notes.txt:1:1: not a .yaml, .yml, .json, .bib or .ris file" in problems[1]


def test_inputs_remember_name_folder_and_hash(tmp_path: Path) -> None:
    data = b"title: T\n"
    path = write(tmp_path / "sub" / "r.yaml", data)
    inputs = read_inputs([str(path)])
    [source_file] = inputs.files
    assert source_file.name == str(path)
    assert source_file.folder == tmp_path / "sub"
    assert source_file.sha256 == hashlib.sha256(data).hexdigest()
    assert inputs.length() == len("title: T\n")


def test_standard_input_is_read_once(tmp_path: Path) -> None:
    inputs = read_inputs(["-", "-"], stdin=io.BytesIO(b"title: T\n"))
    assert len(inputs.files) == 1 and inputs.files[0].label == "<stdin>"
    assert [str(p) for p in inputs.problems] == [
        "<stdin>:1:1: standard input can be read only once"]


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as stream:
        stream.truncate(50 * 1024**3)  # sparse: 50 GiB that take no disk space
    inputs = read_inputs([str(huge)])
    assert inputs.files == []
    assert "huge.yaml:1:1: the file is 53,687,091,200 bytes, over the limit" in \
        str(inputs.problems[0])


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    inputs = read_inputs([str(fifo)])
    assert "not a regular file" in str(inputs.problems[0])


# -- located records ----------------------------------------------------------------


def test_entries_remember_where_they_stood_and_every_id_named() -> None:
    inputs = read_text("- {id: A, title: T}\n- {id: b, title: T, kind: novel}\n- just text\n")
    problems, known = Problems(), set[str]()
    entry, broken = read_entries(inputs, problems, known, None)
    assert entry.record.id == "A" and entry.explicit_id and entry.action == "add"
    # Kept for the later checks (its id is checked too), never stored.
    assert broken.broken and broken.id == "b" and not entry.broken
    assert (str(entry.where()), str(entry.where("id"))) == ("<stdin>:1:3", "<stdin>:1:4")
    assert known == {"a", "b"}  # b has an error, but links to it are not a second one
    assert [p.split(": ")[0] for p in problems.items] == ["<stdin>:2:21", "<stdin>:3:3"]


def test_progress_is_reported_every_hundred_records_in_characters_read() -> None:
    line = "- {id: r000, title: T}\n"
    inputs = read_text("".join(line.replace("000", f"{i:03}") for i in range(250)))
    calls: list[int] = []
    assert len(read_entries(inputs, Problems(), set(), calls.append)) == 250
    # Up to the end of the 100th and 200th records, then the rest of the file.
    assert calls == [100 * len(line) - 1, 100 * len(line), 50 * len(line) + 1]
    assert sum(calls) == inputs.length()


def test_a_file_that_stops_parsing_is_a_problem_in_its_place_among_its_records() -> None:
    inputs = read_text("- {title: A, id: a}\n- {id: b}\n- {title: C, links: [{rel: about, "
                       "target: a}]}\n- [unclosed\n")
    problems, known = Problems(), set[str]()
    entries = read_entries(inputs, problems, known, None)
    assert [e.record.title for e in entries if not e.broken] == ["A", "C"]
    assert known == {"a", "b"}
    assert [p.split(": ")[0] for p in problems.items] == ["<stdin>:2:3", "<stdin>:5:1"]
    # The file counts as unread: a link into what it never reached is not judged.
    assert [str(p) for p in inputs.problems] == [
        "<stdin>:5:1: did not find expected ',' or ']'"]


def test_entries_keep_positions_not_the_parsed_documents() -> None:
    inputs = read_text("- id: a\n  title: T\n  source: {path: x.txt, size: '3'}\n"
                       "  kicker: k\n")
    [entry] = read_entries(inputs, Problems(), set(), None)
    assert all(isinstance(mark, int) for mark in entry.marks.values())
    assert sorted(entry.marks) == ["", "id", "source", "source.path", "source.size"]
    assert tuple(map(str, (entry.where(), entry.where("id"), entry.where("source", "size"),
                           entry.where("kicker"), entry.where("source", "sha256")))) == (
        "<stdin>:1:3", "<stdin>:1:3", "<stdin>:3:25", "<stdin>:1:3", "<stdin>:3:11")


def test_a_syntax_error_is_never_lost_among_many_record_problems() -> None:
    text = "".join(f"- {{title: T{n}, kind: notakind}}\n" for n in range(MAX_PROBLEMS + 10))
    inputs = read_text(text + "- title: [unclosed\n")
    problems = Problems()
    read_entries(inputs, problems, set(), None)
    with pytest.raises(ImportFailed) as failed:
        problems.raise_if_any()
    shown = failed.value.problems
    # In its place, last, but shown although the records before it fill the limit.
    assert shown[-2].startswith(f"<stdin>:{MAX_PROBLEMS + 12}:1: did not find expected")
    assert shown[0].startswith("<stdin>:1:")
    assert len(shown) == MAX_PROBLEMS + 1 and shown[-1] == "… and 11 more"


# -- sources ------------------------------------------------------------------------


def test_relative_source_paths_start_at_the_files_folder(tmp_path: Path) -> None:
    data = b"line 1\nline 2\nline 3\n"
    write(tmp_path / "sources" / "s.txt", data)
    yaml_file = write(tmp_path / "yaml" / "r.yaml",
                      "id: r\ntitle: T\nsource: {path: ../sources/s.txt, span: [2, 3]}\n")
    with open_archive(tmp_path / "archive.json", write=True) as archive:
        run(archive, read_inputs([str(yaml_file)]))
        source = archive.document("r")["source"]
    assert source == {"path": "sources/s.txt", "sha256": hashlib.sha256(data).hexdigest(),
                      "size": len(data), "span": [2, 3]}


def test_a_source_outside_the_archives_folder_is_stored_absolute(tmp_path: Path) -> None:
    source = write(tmp_path / "elsewhere" / "s.txt", b"x")
    yaml_file = write(tmp_path / "r.yaml", "id: r\ntitle: T\nsource: {path: elsewhere/s.txt}\n")
    (tmp_path / "db").mkdir()
    with open_archive(tmp_path / "db" / "archive.json", write=True) as archive:
        run(archive, read_inputs([str(yaml_file)]))
        assert archive.document("r")["source"]["path"] == str(source)


@pytest.mark.parametrize(("given", "message"), [
    ("sha256: " + "0" * 64, "source.sha256 is " + "0" * 64 + " but s.txt has sha256 "),
    ("size: 5", "source.size is 5 but s.txt has 3 bytes"),
    ("span: [2, 9]", "source.span [2, 9] runs past the end of s.txt (2 lines)"),
])
def test_a_source_that_disagrees_is_refused(tmp_path: Path, given: str, message: str) -> None:
    write(tmp_path / "s.txt", b"a\nb")
    yaml_file = write(tmp_path / "r.yaml", f"id: r\ntitle: T\nsource:\n  path: s.txt\n  "
                                           f"{given}\n")
    problems = problems_of(memory_archive(), read_inputs([str(yaml_file)]))
    assert problems[0].startswith(f"{yaml_file}:5:3: {message}"), problems


def test_a_missing_source_needs_its_hash(tmp_path: Path) -> None:
    yaml_file = write(tmp_path / "r.yaml", "- {id: a, title: A, source: {path: gone.txt}}\n"
                                           f"- {{id: b, title: B, source: {{path: gone.txt, "
                                           f"sha256: '{'a' * 64}'}}}}\n")
    problems = problems_of(memory_archive(), read_inputs([str(yaml_file)]))
    assert problems == [f"{yaml_file}:1:30: no such file: {tmp_path / 'gone.txt'} (give "
                        "source.sha256 to describe a file that is not here)"]
    archive = memory_archive()
    yaml_file.write_text(yaml_file.read_text().splitlines()[1] + "\n")
    run(archive, read_inputs([str(yaml_file)]))
    assert archive.document("b")["source"] == {"path": str(tmp_path / "gone.txt"),
                                               "sha256": "a" * 64}


def test_each_source_file_is_hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    from archivist import provenance

    calls: list[str] = []
    real = provenance.describe_source

    def counting(path: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(provenance, "describe_source", counting)
    write(tmp_path / "s.txt", b"1\n2\n3\n")
    text = "".join(f"- {{id: r{i}, title: T, source: {{path: {'./' * (i % 2)}s.txt, "
                   f"span: [{i + 1}, {i + 1}]}}}}\n" for i in range(3))
    yaml_file = write(tmp_path / "r.yaml", text)
    run(memory_archive(), read_inputs([str(yaml_file)]))
    assert len(calls) == 1


_FULL = {"id": "Full-1", "title": "Łódź “quoted”", "kind": "article", "subtitle": "s",
         "creators": ["A", "Б"], "date": "1921-03/1921-05", "publisher": "P", "language": "pl",
         "url": "https://example.org", "summary": "…", "tags": ["Film", "x y"],
         "source": {"path": "a.txt", "sha256": "0" * 64, "size": "3", "span": ["2", "4"],
                    "retrieved": "2021-02-09"},
         "kicker": "no", "nested": {"list": ["0123", "1e3"], "empty": None}}


@given(st.dictionaries(st.sampled_from(sorted(_FULL)), st.just(None)))
def test_a_packed_record_unpacks_to_the_record_checked(left_out: dict[str, None]) -> None:
    values = {k: v for k, v in _FULL.items() if k not in left_out or k == "title"}
    record = record_from_mapping(values, default_id="pending")
    entry = Entry(InputFile("-", "<stdin>", Path("."), "", b"", 0), record, True)
    assert isinstance(entry._packed, bytes)
    assert entry.record == record and entry.record is not record
    assert (entry.id, entry.tags, entry.source) == (record.id, record.tags, record.source)
    changed = record.with_changes(id="other", tags=("t",))
    entry.record = changed
    assert entry.record == changed and (entry.id, entry.tags) == ("other", ("t",))


def test_a_record_that_cannot_be_packed_is_kept_whole() -> None:
    record = Record(id="a", title="\ud800")  # a lone surrogate: no JSON writer takes it
    entry = Entry(InputFile("-", "<stdin>", Path("."), "", b"", 0), record, True)
    assert entry.record is record


def test_links_keep_where_they_stood_packed_and_their_names_shared() -> None:
    inputs = read_text("- {id: a, title: T, links: [{rel: part-of, target: b}]}\n"
                       "- {id: c, title: T, links: [{rel: part-of, target: b}]}\n")
    first, second = read_entries(inputs, Problems(), set(), None)
    (rel, target, at_rel, at_target), = first.links
    assert (rel, target, str(first.at(at_rel)), str(first.at(at_target))) == (
        "part-of", "b", "<stdin>:1:30", "<stdin>:1:44")
    assert rel is second.links[0][0]
