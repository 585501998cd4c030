"""The importer as a library: reading inputs, checking records, all-or-nothing writes."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist import importing
from archivist.errors import ImportFailed
from archivist.importing import (
    MAX_PROBLEMS,
    ImportOptions,
    Inputs,
    import_records,
    read_inputs,
)
from archivist.listing import to_interchange
from archivist.models import KINDS, RESERVED_KEYS, Record, tag_key
from archivist.store import Archive, memory_archive, open_archive
from archivist.yamlio import MarkedList, YamlError, dump, load_all
from tests.conftest import assert_index_current
from tests.conftest import write_file as write


def read_text(text: str | bytes, name: str = "-") -> Inputs:
    """Inputs read from standard input (the simplest way in for a test)."""
    data = text.encode() if isinstance(text, str) else text
    return read_inputs([name], stdin=io.BytesIO(data))


def run(archive: Archive, inputs: Inputs, **options: Any) -> importing.ImportResult:
    return import_records(archive, inputs, ImportOptions(command="test", **options))


def problems_of(archive: Archive, inputs: Inputs, **options: Any) -> list[str]:
    with pytest.raises(ImportFailed) as err:
        run(archive, inputs, **options)
    return err.value.problems


def interchange_of(archive: Archive) -> list[dict[str, Any]]:
    out = to_interchange(archive, archive.documents())
    for record in out:
        del record["archive"]
    return out


# -- the safe reader's additions for imports ----------------------------------------


def test_sequences_remember_where_each_item_stood() -> None:
    [document] = load_all(b"- text\n- {b: 1}\n-\n  - nested\n")
    assert isinstance(document, MarkedList)
    assert [document.position(i) for i in range(3)] == [(1, 3), (2, 3), (4, 3)]
    assert document.position() == (1, 1) and document.position(7) == (1, 1)


def test_libyamls_own_depth_limit_reads_like_ours() -> None:
    with pytest.raises(YamlError) as err:
        load_all(b"[" * 100_000, "f")
    assert err.value.problem == "nesting deeper than 64 levels"


def test_json_surrogate_pairs_are_joined_only_where_they_are_escapes() -> None:
    data = (b'a: "\\ud83d\\ude00"\n'       # an escaped pair: one character
            b"b: '\\ud83d\\ude00'\n"       # single quotes: no escapes, text as written
            b'c: "\\\\ud83d\\\\ude00"\n')  # escaped backslashes: text as written
    assert load_all(data) == [{"a": "\U0001f600", "b": "\\ud83d\\ude00",
                               "c": "\\ud83d\\ude00"}]


# -- records and ids ----------------------------------------------------------------


def test_one_record_a_list_and_a_stream_all_import() -> None:
    archive = memory_archive()
    run(archive, read_text("id: one\ntitle: One\n"))
    run(archive, read_text("- {id: two, title: Two}\n- {id: three, title: Three}\n"))
    run(archive, read_text("---\nid: four\ntitle: Four\n---\n---\nid: five\ntitle: Five\n"))
    assert archive.ids() == ["one", "two", "three", "four", "five"]


def test_records_added_remember_how_they_came_in(tmp_path: Path) -> None:
    path = write(tmp_path / "r.yaml", "id: one\ntitle: One\n")
    archive = memory_archive()
    run(archive, read_inputs([str(path)]))
    how = archive.document("one")["archive"]["added_how"]
    assert how == {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                   "command": "test"}
    [entry] = [e for e in archive.history() if e["action"] == "add"]
    assert entry["after"]["title"] == "One"


def test_ids_are_generated_unique_within_the_import_and_the_archive() -> None:
    archive = memory_archive()
    archive.add(Record(id="2020-same", title="Other"))
    text = "- {title: Same, date: '2020'}\n- {title: Same, date: '2020'}\n" \
           "- {id: 2020-same-3, title: Explicit}\n"
    run(archive, read_text(text))
    assert archive.ids() == ["2020-same", "2020-same-2", "2020-same-4", "2020-same-3"]


def test_ids_must_be_unique_in_the_import_case_insensitively() -> None:
    text = "- {id: dup, title: A}\n- {id: DUP, title: B}\n"
    problems = problems_of(memory_archive(), read_text(text))
    assert problems == ["<stdin>:2:4: the id 'DUP' is used twice in this import (first at "
                        "<stdin>:1:4)"]


def test_an_existing_id_is_an_error_unless_told_otherwise() -> None:
    archive = memory_archive()
    archive.add(Record(id="taken", title="Old"))
    problems = problems_of(archive, read_text("id: TAKEN\ntitle: New\n"))
    assert problems == ["<stdin>:1:1: a record with id 'TAKEN' already exists (set "
                        "on_conflict to 'skip' or 'update')"]


def test_skip_leaves_the_record_and_its_links_alone() -> None:
    archive = memory_archive()
    archive.add_many([(Record(id="taken", title="Old"), None),
                      (Record(id="x", title="X"), None)])
    text = "id: taken\ntitle: New\nlinks: [{rel: related, target: x}]\n"
    result = run(archive, read_text(text), on_conflict="skip")
    assert result.actions == [("skip", "taken")] and result.links == 0
    assert archive.get("taken").title == "Old"
    assert list(archive.link_documents()) == []


def test_update_replaces_values_logs_them_and_adds_new_links() -> None:
    archive = memory_archive()
    archive.add_many([(Record(id="taken", title="Old", summary="S"), None),
                      (Record(id="x", title="X"), None)])
    before = archive.document("taken")["archive"]
    text = "id: taken\ntitle: New\nlinks: [{rel: related, target: x}]\n"
    result = run(archive, read_text(text), on_conflict="update")
    assert result.actions == [("update", "taken")] and result.links == 1
    doc = archive.document("taken")
    assert doc["title"] == "New" and "summary" not in doc
    assert doc["archive"]["added"] == before["added"]
    entry = next(e for e in archive.history() if e["action"] == "import")
    assert entry["before"] == {"title": "Old", "summary": "S"}
    assert entry["after"] == {"title": "New", "summary": None}
    assert list(archive.link_documents()) == [{"src": "taken", "rel": "related", "dst": "x"}]


def test_an_update_that_changes_nothing_is_a_skip(tmp_path: Path) -> None:
    text = "- {id: a, title: A, tags: [x]}\n- {id: b, title: B, links: [{rel: part-of, " \
           "target: a}]}\n"
    with open_archive(tmp_path / "archive.json", write=True) as archive:
        run(archive, read_text(text))
    with open_archive(tmp_path / "archive.json", write=True) as archive:
        result = run(archive, read_text(text), on_conflict="update")
        assert result.actions == [("skip", "a"), ("skip", "b")] and result.links == 0
        assert not archive.dirty


def test_records_without_ids_are_found_again_by_their_values() -> None:
    archive = memory_archive()
    text = "- {title: Same, date: '2020'}\n- {title: Same, date: '2020', summary: other}\n"
    run(archive, read_text(text))
    assert archive.ids() == ["2020-same", "2020-same-2"]
    result = run(archive, read_text(text), on_conflict="skip")
    assert result.actions == [("skip", "2020-same"), ("skip", "2020-same-2")]
    problems = problems_of(archive, read_text(text))
    assert "already in the archive as '2020-same'" in problems[0]


def test_tags_keep_the_spelling_first_given_across_the_import() -> None:
    archive = memory_archive()
    archive.add(Record(id="a", title="A", tags=("Film",)))
    run(archive, read_text("- {id: b, title: B, tags: [film, Новое]}\n"
                           "- {id: c, title: C, tags: [FILM, новое]}\n"))
    assert archive.document("b")["tags"] == ["Film", "Новое"]
    assert archive.document("c")["tags"] == ["Film", "Новое"]


# -- problems and their positions ---------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("id: a\ntitle: T\nkind: novel\n", "<stdin>:3:1: unknown kind 'novel'"),
    ("id: a\ntitle: T\nadded: today\n", "<stdin>:3:1: 'added' is maintained by archivist"),
    ("id: a\ntitle: T\nfields:\n  x: 1\n  fixity: ok\n",
     "<stdin>:5:3: 'fixity' is maintained by archivist"),
    ("id: a\ndate: 2021-02-30\ntitle: T\n", "<stdin>:2:1: bad date"),
    ("id: bad id\ntitle: T\n", "<stdin>:1:1: bad id 'bad id'"),
    ("id: a\nsummary: x\n", "<stdin>:1:1: a record needs a title"),
    ("id: a\ntitle: T\nsource: {path: x.txt, sha256: nothex}\n",
     "<stdin>:3:23: source.sha256 'nothex' is not 64 hexadecimal digits"),
    ("id: a\ntitle: T\ntags: [ok, '  ']\n", "<stdin>:3:1: tags cannot hold a blank entry"),
    ("- just text\n", "<stdin>:1:3: expected a record (a mapping of field: value), found the "
                      "text 'just text'"),
    ("id: a\ntitle: T\nlinks: {rel: x}\n", "<stdin>:3:1: links must be a list"),
    ("id: a\ntitle: T\nlinks:\n  - {rel: part-of}\n", "<stdin>:4:5: a link is a mapping of "
                                                      "exactly rel and target"),
    ("id: a\ntitle: T\nlinks:\n  - {rel: part-off, target: a}\n",
     "<stdin>:4:6: unknown relation 'part-off' (did you mean part-of?)"),
    ("id: a\ntitle: T\nlinks:\n  - {rel: part-of, target: nobody}\n",
     "<stdin>:4:20: no record with id 'nobody' in the archive or in this import"),
    ("id: a\ntitle: T\nlinks:\n  - {rel: related, target: A}\n",
     "<stdin>:4:20: a record cannot be linked to itself"),
    ("- {id: a, title: A, links: [{rel: part-of, target: b}]}\n"
     "- {id: b, title: B, links: [{rel: part-of, target: a}]}\n",
     "<stdin>:1:30: a part-of b would form a cycle of part-of links: a → b → a"),
])
def test_problems_name_file_line_and_column(text: str, expected: str) -> None:
    archive = memory_archive()
    problems = problems_of(archive, read_text(text))
    assert problems[0].startswith(expected), problems
    assert len(archive) == 0 and not archive.dirty


def test_every_problem_is_listed_up_to_a_limit() -> None:
    text = "".join(f"- {{id: r{i}, title: T, kind: novel}}\n" for i in range(MAX_PROBLEMS + 7))
    with pytest.raises(ImportFailed) as err:
        run(memory_archive(), read_text(text))
    assert len(err.value.problems) == MAX_PROBLEMS + 1
    assert err.value.problems[-1] == "… and 7 more"
    assert err.value.total == MAX_PROBLEMS + 7


def test_problems_of_all_files_are_listed_together(tmp_path: Path) -> None:
    bad_yaml = write(tmp_path / "a.yaml", "title: [unclosed\n")
    bad_record = write(tmp_path / "b.yaml", "id: x\ntitle: T\nkind: novel\n")
    problems = problems_of(memory_archive(), read_inputs([str(bad_yaml), str(bad_record)]))
    assert len(problems) == 2
    assert problems[0].startswith(f"{bad_yaml}:2:1:")
    assert problems[1].startswith(f"{bad_record}:3:1: unknown kind")


def test_a_link_to_a_record_with_an_error_is_not_a_second_problem() -> None:
    text = "- {id: a, title: A, kind: novel}\n- {id: b, title: B, links: [{rel: part-of, " \
           "target: a}]}\n"
    assert len(problems_of(memory_archive(), read_text(text))) == 1


# -- links --------------------------------------------------------------------------


def test_links_may_point_anywhere_in_the_import(tmp_path: Path) -> None:
    write(tmp_path / "1.yaml", "id: part\ntitle: Part\nlinks: [{rel: part-of, target: Whole}]\n")
    write(tmp_path / "2.yaml", "id: whole\ntitle: Whole\nlinks: [{rel: has-part, target: "
                               "other}]\n")
    write(tmp_path / "3.yaml", "id: other\ntitle: Other\n")
    archive = memory_archive()
    result = run(archive, read_inputs([str(tmp_path)]))
    assert result.links == 2
    assert sorted((d["src"], d["rel"], d["dst"]) for d in archive.link_documents()) == [
        ("other", "part-of", "whole"), ("part", "part-of", "whole")]


# -- dry run ------------------------------------------------------------------------


def test_a_dry_run_reports_and_changes_nothing(tmp_path: Path) -> None:
    with open_archive(tmp_path / "archive.json", write=True) as archive:
        archive.add(Record(id="old", title="Old"))
    with open_archive(tmp_path / "archive.json", write=True) as archive:
        result = run(archive, read_text("- {id: old, title: Changed}\n- {id: new, title: "
                                        "New}\n"), on_conflict="update", dry_run=True)
        assert result.actions == [("update", "old"), ("add", "new")]
        assert result.summary().startswith("dry run: would import 1 record (0 links), skip "
                                           "0, update 1")
        assert not archive.dirty and archive.ids() == ["old"]


# -- round trips --------------------------------------------------------------------

_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
_text = st.text(_TEXT, max_size=30)
_word = st.text(_TEXT, min_size=1, max_size=15).filter(lambda t: t == t.strip() and t != "")
_field_names = st.text(_TEXT, min_size=1, max_size=10).filter(
    lambda k: k not in RESERVED_KEYS)
_field_values = st.one_of(_text, st.lists(_text, max_size=3))
_records = st.fixed_dictionaries({
    "id": st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,15}\Z"),
    "kind": st.sampled_from(KINDS),
    "title": _text.filter(lambda t: t.strip() != ""),
    "subtitle": st.none() | _text,
    "creators": st.lists(_word, max_size=3),
    "date": st.sampled_from([None, "2021", "2021-02", "2021-02-09", "1923~", "1920/1925"]),
    "publisher": st.none() | _text,
    "language": st.none() | st.sampled_from(["en", "ru", "pl"]),
    "url": st.none() | _text,
    "summary": st.none() | _text,
    "tags": st.lists(_word, max_size=4, unique_by=tag_key),
    "fields": st.dictionaries(_field_names, _field_values, max_size=3),
})


@st.composite
def _batches(draw: st.DrawFn) -> list[dict[str, Any]]:
    records = draw(st.lists(_records, min_size=1, max_size=5,
                            unique_by=lambda r: r["id"].lower()))
    for index, record in enumerate(records):
        earlier = [r["id"] for r in records[:index]]
        targets = draw(st.lists(st.sampled_from(earlier), unique_by=str.lower, max_size=2)
                       ) if earlier else []
        record["links"] = [{"rel": draw(st.sampled_from(["part-of", "references", "related"])),
                            "target": target} for target in targets]
        record["source"] = None
    return records


def _expected(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The input in interchange order, tags spelled as first given in the batch."""
    from archivist.models import INTERCHANGE_KEYS

    spelling: dict[str, str] = {}
    out = []
    for record in records:
        record = dict(record, tags=[spelling.setdefault(tag_key(t), t) for t in record["tags"]])
        out.append({key: record[key] for key in INTERCHANGE_KEYS})
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_batches(), st.sampled_from(["yaml", "json", "json-ascii"]))
def test_records_written_out_come_back_unchanged(records: list[dict[str, Any]],
                                                 form: str) -> None:
    if form == "yaml":
        text = dump(records)
    else:
        text = json.dumps(records, ensure_ascii=form == "json-ascii", indent=1)
    archive = memory_archive()
    run(archive, read_text(text))
    assert interchange_of(archive) == _expected(records)


def test_an_import_into_an_indexed_archive_appends_and_keeps_the_index_current(
        tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with open_archive(path, write=True) as archive:
        archive.add(Record(id="old", title="Old", tags=("FILM",)))
    with open_archive(path) as archive:
        list(archive.documents())  # leaves the index file
    text = "- {id: new, title: New, tags: [film], links: [{rel: part-of, target: old}]}\n"
    with open_archive(path, write=True) as archive:
        result = run(archive, read_text(text))
        assert archive.get("new").tags == ("FILM",)  # read again from the file written
    assert result.summary() == "imported 1 record (1 links), skipped 0, updated 0"
    assert_index_current(path)
    with open_archive(path) as archive:
        assert archive.ids() == ["old", "new"]
        assert [e["action"] for e in archive.history()] == ["add", "add", "link"]


def test_an_import_that_updates_records_changes_them_for_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    with open_archive(path, write=True) as archive:
        archive.add(Record(id="old", title="Old"))
    text = "- {id: old, title: Changed}\n- {id: new, title: New}\n"
    with open_archive(path, write=True) as archive:
        result = run(archive, read_text(text), on_conflict="update")
        assert archive.dirty  # written by the commit, not as it was read
    assert [a for a, _ in result.actions] == ["update", "add"]
    with open_archive(path) as archive:
        assert [r.title for r in archive.records()] == ["Changed", "New"]


# -- records without ids --------------------------------------------------------------


def test_the_archive_is_searched_for_records_without_ids_only_when_there_are_some(
        monkeypatch: pytest.MonkeyPatch) -> None:
    archive = memory_archive()
    run(archive, read_text("- {id: a, title: A}\n- {title: B, date: '1917'}\n"))

    def refused(*_: Any) -> None:
        raise AssertionError("the lookup was built")

    monkeypatch.setattr(importing, "_Matcher", refused)
    result = run(archive, read_text("- {id: a, title: A2}\n- {id: c, title: C}\n"),
                 on_conflict="update")
    assert result.actions == [("update", "a"), ("add", "c")]
    # The same values again: found among the ids made from them, still no lookup.
    result = run(archive, read_text("{title: B, date: '1917'}\n"), on_conflict="skip")
    assert result.actions == [("skip", "1917-b")]


def test_a_record_without_an_id_is_the_one_with_its_source_before_its_values(
        tmp_path: Path) -> None:
    write(tmp_path / "page.txt", "one\ntwo\n")
    path = write(tmp_path / "r.yaml", "- {title: Same, source: {path: page.txt, span: [1, 1]}}\n"
                                      "- {title: Same, source: {path: page.txt, span: [2, 2]}}\n")
    archive = memory_archive()
    run(archive, read_inputs([str(path)]))
    assert archive.ids() == ["same", "same-2"]
    write(path, "- {title: Same, summary: second, source: {path: page.txt, span: [2, 2]}}\n"
                "- {title: Same, summary: first, source: {path: page.txt, span: [1, 1]}}\n")
    result = run(archive, read_inputs([str(path)]), on_conflict="update")
    assert result.actions == [("update", "same-2"), ("update", "same")]
    assert [archive.get(i).summary for i in ("same", "same-2")] == ["first", "second"]
