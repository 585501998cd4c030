"""Queries on the command line as people type them: unquoted, with ``-`` words, with
options anywhere; names that are known or not; kinds in any case; near-miss ids."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archivist.cli import cli
from archivist.cli.base import query_words_last
from tests.conftest import RECORDS, Invoke

#: The sample archive, verified once (one source then changed), and a record of ours.
EXTRA = (
    ("add", "--id", "weiss-1962-dear-comrades", "--title", "Dear Comrades",
     "--creator", "Clara Weiss", "--date", "1962-06-02", "--publisher", "WSWS",
     "--url", "https://wsws.org/dear", "--tag", "book", "--tag", "History",
     "--kind", "review", "--field", "kicker=Stalin's heirs"),
    ("link", "weiss-1962-dear-comrades", "part-of", "wsws-leaders-russian-revolution"),
    ("add", "--title", "Undated \"quoted\" note", "--kind", "letter", "--field",
     "Mood=grim"),
)

#: Every query form the README and archivist/query.py document, as one would type
#: them after `archivist list` (quotes are the shell's, as shlex reads them).
FORMS = [
    "novocherkassk", "dear comrades", '"dear comrades"', r'"Undated \"quoted\""',
    "creator:weiss", "publisher:wsws", 'title:"dear comrades"', 'title:="Dear Comrades"',
    "title:=Dear*", 'title:="Dear*"', "kicker:stalin", "fields.kicker:stalin",
    "kicker:stalin fields.kicker:heirs", "source.path:sources/", "source.path:seeds/",
    "added_by:root", "tag:Film", "tags:film", "tag:hist*", "tag:fi*",
    "id:weiss-2021-dear-comrades", "id:weiss-*", "kind:article", "kind:Review",
    "lang:en", "language:en*", "date:1962", "date:1962-06", "date:1962-06-02",
    "date:1920..1925", "date:..1930", "date:2019..", "added:2024-05", "changed:2024..",
    "fixity:ok", "fixity:changed", "fixity:missing", "fixity:unreadable", "fixity:never",
    "has:url", "missing:date", "has:fields.kicker", "has:source", "has:links",
    "has:kicker", "missing:mood",
    "rel:part-of:wsws-leaders-russian-revolution",
    "rel:has-part:weiss-1962-dear-comrades", "rel:references",
    "linked:wsws-history-of-russia", "-tag:film", "NOT tag:film", "-creator:weiss",
    "-fixity:ok", "-kicker:stalin", "-has:source", "-date:2019..", "-id:weiss-*",
    "-novocherkassk", "-Novocherkassk", "-1962", '-"dear comrades"',
    "tag:film OR tag:book", "tag:film | tag:book", "tag:film AND kind:article",
    "(tag:film OR tag:book) -kind:review", "kind:article -creator:weiss",
    "-(tag:film OR tag:book)", "NOT -tag:film",
    "-tag:film -creator:weiss -kind:article",
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("query-sample")
    shutil.copytree(RECORDS, folder / "records")
    db = folder / "sample.json"
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=False)

    assert run("import", str(folder / "records")).exit_code == 0
    for args in EXTRA:
        assert run(*args).exit_code == 0, args
    sources = sorted((folder / "records" / "sources").iterdir())
    sources[0].write_bytes(sources[0].read_bytes() + b"changed\n")
    assert run("verify").exit_code == 1  # the changed source
    return db


def ids(result: Result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("form", FORMS)
def test_every_query_form_typed_unquoted_is_the_quoted_query(
        invoke: Invoke, sample: Path, form: str) -> None:
    quoted = ids(invoke("--db", str(sample), "list", "--format", "jsonl", form))
    words = shlex.split(form)
    # Options before, between and after the query words.
    for cut in sorted({0, len(words) // 2, len(words)}):
        argv = [*words[:cut], "--format", "jsonl", *words[cut:], "-s", "id"]
        assert ids(invoke("--db", str(sample), "list", *argv)) == sorted(quoted), argv


@pytest.mark.parametrize("form", ["-tag:film", "kind:article -creator:weiss", "-fixity:ok",
                                  "-creator:weiss tag:film"])
@pytest.mark.parametrize("command", ["list", "export", "duplicates"])
def test_dash_words_reach_the_query_of_every_reading_command(
        invoke: Invoke, sample: Path, form: str, command: str) -> None:
    from archivist.query import matches
    from archivist.store import open_archive

    with open_archive(sample) as archive:
        docs = list(archive.documents())
        expected = [doc["id"] for doc in matches(form, docs, archive)]
    assert 0 < len(expected) < len(docs)
    fmt = "json" if command == "duplicates" else "jsonl"
    result = invoke("--db", str(sample), command, *shlex.split(form), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if command == "duplicates":
        found = {i for group in json.loads(result.stdout) for i in group["ids"]}
        assert found <= set(expected)
    else:
        assert ids(result) == expected


def test_verify_takes_dash_words(invoke: Invoke, sample: Path) -> None:
    db = sample.parent / "verify-copy.json"  # beside the sources it names
    shutil.copyfile(sample, db)
    result = invoke("--db", str(db), "verify", "-fixity:changed", "-kind:article",
                    "--format", "json")
    assert result.exit_code == 0, result.stderr
    checked = [item["id"] for item in json.loads(result.stdout)]
    assert checked and not any(i.startswith("weiss-20") for i in checked)


def test_a_dash_word_that_looked_like_an_option_prints_what_it_asks_for(
        invoke: Invoke, sample: Path) -> None:
    # Click read `-creator:weiss` as `-c reator:weiss`: one blank column, exit 0.
    result = invoke("--db", str(sample), "list", "kind:article", "-creator:weiss",
                    "-c", "id,creators")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "creators"]
    assert len(lines) == 2 + 67 and not any("Weiss" in line for line in lines)


@pytest.mark.parametrize(("args", "expected"), [
    (["-c", "id", "-tag:film"], ["-c", "id", "--", "-tag:film"]),
    (["-ctitle"], ["--", "-ctitle"]),
    (["--columns=id", "-x", "--sort", "-date", "y"],
     ["--columns=id", "--sort", "-date", "--", "-x", "y"]),
    (["a", "--", "-c", "id"], ["--", "a", "-c", "id"]),
    (["--colums", "id"], ["--colums", "--", "id"]),
    (["--distinct", "-a", "-b"], ["--distinct", "-a", "-b"]),
    (["--no-headers", "-h"], ["--no-headers", "-h"]),
    (["-", "(a", "OR", "b)"], ["--", "-", "(a", "OR", "b)"]),
])
def test_only_the_commands_own_option_names_are_options(args: list[str],
                                                        expected: list[str]) -> None:
    command = cli.commands["duplicates"] if "--distinct" in args else cli.commands["list"]
    ctx = command.make_context("list", [], resilient_parsing=True)
    assert query_words_last(args, command.get_params(ctx)) == expected


@pytest.mark.parametrize(("args", "message"), [
    (["--colums", "id"], "No such option '--colums'. Did you mean '--columns'?"),
    (["-c"], "Option '-c' requires an argument."),
    (["--sort"], "Option '--sort' requires an argument."),
])
def test_a_misspelt_or_incomplete_option_is_still_a_usage_error(
        invoke: Invoke, sample: Path, args: list[str], message: str) -> None:
    result = invoke("--db", str(sample), "list", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_help_still_works_after_query_words(invoke: Invoke, sample: Path) -> None:
    result = invoke("--db", str(sample), "list", "-tag:film", "--help")
    assert result.exit_code == 0 and "list [OPTIONS] [QUERY]..." in result.stdout


# -- names that are not known --------------------------------------------------------

UNKNOWN = [
    (["list", "tittle:dear"], "unknown field 'tittle' in the query; did you mean 'title'?"),
    (["list", "kiker:stalin"], "unknown field 'kiker' in the query; did you mean 'kicker'?"),
    (["list", "fields.kiker:x"],
     "unknown field 'fields.kiker' in the query; did you mean 'fields.kicker'?"),
    (["list", "has:tittle"], "unknown field 'tittle' in the query; did you mean 'title'?"),
    (["list", "-publsher:wsws"],
     "unknown field 'publsher' in the query; did you mean 'publisher'?"),
    (["list", "source.pth:x"],
     "unknown field 'source.pth' in the query; did you mean 'source.path'?"),
    (["list", "zzqx:1"], "unknown field 'zzqx' in the query: the schema has no such "
                         "field and no record holds it"),
    (["list", "-c", "id,titel"],
     "unknown column 'titel' in --columns; did you mean 'title'?"),
    (["list", "-c", "Kicker"], "unknown column 'Kicker' in --columns; did you mean 'kicker'?"),
    (["list", "--columns=id,source.sha"],
     "unknown column 'source.sha' in --columns; did you mean 'source.sha256'?"),
    (["list", "--sort", "-date,titel"],
     "unknown sort key 'titel' in --sort; did you mean 'title'?"),
    (["list", "--sort", "-kiker"], "unknown sort key 'kiker' in --sort; did you mean 'kicker'?"),
    (["export", "--format", "csv", "-c", "titel"],
     "unknown column 'titel' in --columns; did you mean 'title'?"),
    (["export", "--format", "bibtex", "tittle:x"],
     "unknown field 'tittle' in the query; did you mean 'title'?"),
    (["export", "--format", "bagit", "-o", "bag", "--sort", "titel"],
     "unknown sort key 'titel' in --sort; did you mean 'title'?"),
    (["duplicates", "tittle:x"], "unknown field 'tittle' in the query; did you mean 'title'?"),
    (["verify", "tittle:x"], "unknown field 'tittle' in the query; did you mean 'title'?"),
]


@pytest.mark.parametrize(("args", "message"), UNKNOWN)
def test_an_unknown_name_is_an_error_naming_the_closest_known_one(
        invoke: Invoke, sample: Path, tmp_path: Path, args: list[str], message: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "copy.json"
    shutil.copyfile(sample, db)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = invoke("--db", str(db), *args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {message}\n"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("args", [
    ["kicker:stalin"], ["Kicker:stalin"], ["FIELDS.KICKER:stalin"], ["has:mood"],
    ["Mood:grim"], ["archive.added_by:root"], ["-c", "id,kicker,fields.kicker,fixity"],
    ["-c", "id,source.path,archive.added_by,added,links"], ["--sort", "kicker,-added"],
    ["Title:dear", "KIND:article", "Tag:film"],
])
def test_schema_names_and_names_the_records_hold_are_known(
        invoke: Invoke, sample: Path, args: list[str]) -> None:
    result = invoke("--db", str(sample), "list", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout


def test_an_unknown_name_is_reported_from_the_index_path_too(
        invoke: Invoke, db: Path) -> None:
    # The default table is drawn from the index file, which holds no custom field.
    for n in range(3):
        invoke("add", "--title", f"Record {n}", "--field", "kicker=x")
    assert invoke("list").exit_code == 0  # writes the index file
    result = invoke("list", "tittle:x")
    assert result.exit_code == 1
    assert result.stderr == ("Error: unknown field 'tittle' in the query; did you mean "
                             "'title'?\n")
    assert invoke("list", "kicker:x").stdout.count("Record") == 3


# -- kinds in any case, near-miss ids --------------------------------------------------

def test_kinds_are_taken_in_any_case_and_stored_as_the_schema_spells_them(
        invoke: Invoke, db: Path, tmp_path: Path) -> None:
    assert invoke("add", "--title", "A", "--id", "a", "--kind", "Book").exit_code == 0
    assert invoke("set", "a", "kind=FILM").exit_code == 0
    yaml = tmp_path / "b.yaml"
    yaml.write_text("- id: b\n  title: B\n  kind: Web-Page\n", encoding="utf-8")
    assert invoke("import", str(yaml)).exit_code == 0
    stored = json.loads(db.read_bytes())["records"].values()
    assert sorted(doc["kind"] for doc in stored) == ["film", "web-page"]
    assert ids(invoke("list", "kind:Film", "--format", "jsonl")) == ["a"]
    assert ids(invoke("list", "kind:WEB-PAGE", "--format", "jsonl")) == ["b"]


@pytest.mark.parametrize(("args", "typed"), [
    (["show", "weiss-2021-dear-comrade"], "weiss-2021-dear-comrade"),
    (["show", "WEISS-2021-DEAR-COMRADEZ"], "WEISS-2021-DEAR-COMRADEZ"),
    (["set", "weiss-2021-dear-comradess", "language=de"], "weiss-2021-dear-comradess"),
    (["link", "weiss-2021-dear-comrade", "references", "oci-russia"],
     "weiss-2021-dear-comrade"),
    (["unlink", "weiss-2021-dear-comrade", "references", "oci-russia"],
     "weiss-2021-dear-comrade"),
    (["links", "weiss-2021-dear-comrads"], "weiss-2021-dear-comrads"),
    (["rm", "weiss-2021-dear-comrade"], "weiss-2021-dear-comrade"),
    (["tag", "weiss-2021-dear-comrade", "x"], "weiss-2021-dear-comrade"),
    (["merge", "weiss-2021-dear-comrade", "oci-russia"], "weiss-2021-dear-comrade"),
])
def test_an_unknown_id_suggests_the_closest_id(
        invoke: Invoke, sample: Path, tmp_path: Path, args: list[str], typed: str) -> None:
    db = tmp_path / "copy.json"
    shutil.copyfile(sample, db)
    before = db.read_bytes()
    result = invoke("--db", str(db), *args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: no record with id {typed!r}; did you mean "
                             "'weiss-2021-dear-comrades'?\n")
    assert db.read_bytes() == before


def test_an_id_like_no_other_gets_no_suggestion(invoke: Invoke, sample: Path) -> None:
    result = invoke("--db", str(sample), "show", "qqqq")
    assert result.stderr == "Error: no record with id 'qqqq'\n"
