"""papis libraries: one folder per document, each with its info.yaml and files."""

from __future__ import annotations

from pathlib import Path

from archivist.importing.papis import documents, is_library, record
from archivist.yamlio import load_all
from tests.conftest import write_file as write


def test_a_library_is_found_by_its_info_files(tmp_path: Path) -> None:
    write(tmp_path / "lib" / "b-doc" / "info.yaml", "title: B\n")
    write(tmp_path / "lib" / "a-doc" / "info.yaml", "title: A\n")
    write(tmp_path / "lib" / ".hidden" / "info.yaml", "title: H\n")
    write(tmp_path / "plain" / "records.yaml", "title: R\n")
    assert is_library(str(tmp_path / "lib")) and not is_library(str(tmp_path / "plain"))
    assert [Path(p).parent.name for p in documents(str(tmp_path / "lib"))] == ["a-doc",
                                                                               "b-doc"]


def test_a_document_as_papis_writes_it() -> None:
    [doc] = load_all("ref: weiss2021\nauthor: Weiss, Clara and North, David\n"
                     "author_list:\n- {family: Weiss, given: Clara}\n"
                     "- {family: North, given: David}\n"
                     "title: Dear Comrades\nyear: 2021\nmonth: 2\ntype: article\n"
                     "journal: Critique\ntags: [film, history]\ndoi: 10.1/x\n"
                     "files: [paper.pdf, notes.txt]\n")
    found = record(doc, lambda at, m: None)
    assert found is not None
    assert found["id"] == "weiss2021" and found["kind"] == "article"
    assert found["creators"] == ["Clara Weiss", "David North"]
    assert found["date"] == "2021-02" and found["publisher"] == "Critique"
    assert found["tags"] == ["film", "history"]
    assert dict(found["source"]) == {"path": "paper.pdf"}
    assert found["fields"] == {"entrytype": "article", "citekey": "weiss2021",
                               "files": ["notes.txt"], "doi": "10.1/x"}


def test_an_author_string_is_split_at_and() -> None:
    [doc] = load_all("author: Weiss, Clara and World Socialist Web Site\ntitle: T\n")
    found = record(doc, lambda at, m: None)
    assert found is not None
    assert found["creators"] == ["Clara Weiss", "World Socialist Web Site"]
    assert "date" not in found  # no year, no date
