"""``archivist import`` of BibTeX, RIS, CSL-JSON and papis: every promise of import holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Invoke
from tests.conftest import write_file as write

BIB = r"""% exported by JabRef
@string{wsws = {World Socialist Web Site}}

@article{weiss2021,
  author = {Weiss, Clara},
  title = {Dear {Comrades}},
  journal = wsws,
  year = 2021, month = feb,
}

@book{Trotsky:1930,
  author = {Trotsky, Leon},
  title = {My Life},
  date = {1930},
}
"""


def ok(invoke: Invoke, *args: str) -> Any:
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    return result


def records(invoke: Invoke) -> dict[str, dict[str, Any]]:
    found = json.loads(ok(invoke, "list", "--format", "json").stdout)
    return {r["id"]: r for r in found}


def test_a_bib_file_imports_with_its_keys_and_lines(invoke: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path / "refs.bib", BIB)
    result = ok(invoke, "import", str(path))
    assert result.stdout == ""
    assert result.stderr == "imported 2 records (0 links), skipped 0, updated 0\n"
    found = records(invoke)
    assert set(found) == {"weiss2021", "trotsky-1930-my-life"}
    weiss = found["weiss2021"]
    assert (weiss["title"], weiss["creators"], weiss["date"], weiss["publisher"]) == (
        "Dear Comrades", ["Clara Weiss"], "2021-02", "World Socialist Web Site")
    assert found["trotsky-1930-my-life"]["fields"]["citekey"] == "Trotsky:1930"
    how = weiss["archive"]["added_how"]
    assert how["file"] == str(path) and how["lines"] == [4, 9] and len(how["sha256"]) == 64
    assert "lines 4–9" in ok(invoke, "show", "weiss2021").stdout


def test_reimporting_skips_or_updates_the_same_records(invoke: Invoke, tmp_path: Path,
                                                       unchanged: Any) -> None:
    path = write(tmp_path / "refs.bib", BIB)
    ok(invoke, "import", str(path))
    with unchanged():
        result = ok(invoke, "import", str(path), "--on-conflict", "skip")
    assert result.stderr == "imported 0 records (0 links), skipped 2, updated 0\n"
    write(path, BIB.replace("My Life", "My Life: An Attempt").replace("Dear {Comrades}",
                                                                       "Dear Comrades!"))
    result = ok(invoke, "import", str(path), "--on-conflict", "update")
    assert result.stderr == "imported 0 records (0 links), skipped 0, updated 2\n"
    found = records(invoke)
    assert found["weiss2021"]["title"] == "Dear Comrades!"
    assert found["trotsky-1930-my-life"]["title"] == "My Life: An Attempt"


def test_a_key_that_is_another_records_id_gives_way(invoke: Invoke, tmp_path: Path) -> None:
    ok(invoke, "add", "--title", "Someone else's", "--id", "weiss2021")
    ok(invoke, "import", str(write(tmp_path / "refs.bib", BIB)))
    found = records(invoke)
    assert found["weiss2021"]["title"] == "Someone else's"
    assert found["weiss-2021-dear-comrades"]["fields"]["citekey"] == "weiss2021"


def test_a_bad_file_changes_nothing_and_skip_bad_imports_the_rest(
        invoke: Invoke, tmp_path: Path, unchanged: Any) -> None:
    ok(invoke, "add", "--title", "Already here", "--id", "here")
    path = write(tmp_path / "refs.bib", BIB + "\n@book{bad, title = {T}, date = {1930-13}}\n"
                                               "@book{weiss2021, title={again}}\n")
    with unchanged():
        result = invoke("import", str(path))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:17:25: bad date '1930-13': there is no month 13",
        f"{path}:18:1: the key 'weiss2021' is used twice: at line 4 and line 18",
        "Error: import failed with 2 problems; nothing was changed"]
    result = ok(invoke, "import", str(path), "--skip-bad")
    assert result.stderr.splitlines() == [
        f"skipped: {path}:17:25: bad date '1930-13': there is no month 13",
        f"skipped: {path}:18:1: the key 'weiss2021' is used twice: at line 4 and line 18",
        "imported 2 records (0 links), skipped 0, updated 0"]


def test_dry_run_lists_and_changes_nothing(invoke: Invoke, tmp_path: Path,
                                           unchanged: Any) -> None:
    ok(invoke, "add", "--title", "Already here", "--id", "here")
    with unchanged():
        result = ok(invoke, "import", str(write(tmp_path / "refs.bib", BIB)), "--dry-run")
    assert result.stdout == "add weiss2021\nadd trotsky-1930-my-life\n"


def test_ris_csl_json_and_forced_formats(invoke: Invoke, tmp_path: Path) -> None:
    ris = write(tmp_path / "zotero.ris", "TY  - BOOK\nID  - lenin1920\nTI  - Tasks\n"
                                         "AU  - Lenin, Vladimir Ilyich\nPY  - 1920//\nER  - \n")
    csl = write(tmp_path / "pandoc.json", '[{"id": "walsh2018", "type": "review", '
                                          '"title": "A review", "author": [{"family": '
                                          '"Walsh", "given": "David"}], "issued": '
                                          '{"date-parts": [[2018, 3, 9]]}}]')
    text = write(tmp_path / "export.txt", "@book{reed2021, title = {Strikes}, year = 2021}\n")
    ok(invoke, "import", str(ris), str(csl))
    ok(invoke, "import", str(text), "--format", "bibtex")
    found = records(invoke)
    assert found["lenin1920"]["creators"] == ["Vladimir Ilyich Lenin"]
    assert found["lenin1920"]["date"] == "1920"
    assert (found["walsh2018"]["kind"], found["walsh2018"]["date"]) == ("review", "2018-03-09")
    assert found["reed2021"]["title"] == "Strikes"


def test_a_csl_problem_is_named_at_its_place(invoke: Invoke, tmp_path: Path,
                                             unchanged: Any) -> None:
    ok(invoke, "add", "--title", "Already here", "--id", "here")
    path = write(tmp_path / "zotero.json", '[\n {"id": "a", "type": "book", "title": "A",\n'
                                           '  "author": [{"given": "C"}]}\n]\n')
    with unchanged():
        result = invoke("import", str(path))
    assert result.stderr.splitlines()[0] == f"{path}:3:14: a CSL name needs family or literal"


def test_a_papis_library_records_its_files(invoke: Invoke, tmp_path: Path) -> None:
    library = tmp_path / "papers"
    write(library / "weiss" / "info.yaml", "ref: weiss2021\nauthor: Weiss, Clara\n"
                                           "title: Dear Comrades\nyear: 2021\n"
                                           "files: [paper.pdf]\n")
    write(library / "weiss" / "paper.pdf", b"%PDF-1.4\n")
    write(library / "lenin" / "info.yaml", "title: Tasks\ntype: book\n")
    result = ok(invoke, "import", str(library))
    assert result.stderr == "imported 2 records (0 links), skipped 0, updated 0\n"
    found = records(invoke)
    assert found["weiss2021"]["source"]["size"] == 9
    assert len(found["weiss2021"]["source"]["sha256"]) == 64
    assert found["weiss2021"]["creators"] == ["Clara Weiss"]
