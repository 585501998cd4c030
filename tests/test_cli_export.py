"""``archivist export`` (and ``list`` on a missing archive) through the command line."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.cli import cli
from archivist.models import KINDS, record_from_mapping
from archivist.store import open_archive
from archivist.yamlio import load_all
from tests.conftest import Invoke

DATA = Path(__file__).parent / "data"
CITABLE = 19  # records in tests/data/citation-records.yaml that are not agents or events


@pytest.fixture
def filled(db: Path) -> Path:
    """The archive filled with the records of tests/data/citation-records.yaml."""
    path = DATA / "citation-records.yaml"
    [mappings] = load_all(path.read_bytes(), str(path))
    with open_archive(db, write=True) as archive:
        archive.add_many((record_from_mapping(m), None) for m in mappings)
        archive.store_link("reed-2020-rick-poynors-david", "references", "walsh-review")
    return db


def test_export_json_is_what_list_writes(invoke: Invoke, filled: Path) -> None:
    exported = invoke("export", "--format", "json")
    assert exported.exit_code == 0
    assert exported.stdout == invoke("list", "--format", "json").stdout
    records = json.loads(exported.stdout)
    assert len(records) == 22
    assert records[0]["links"] == [{"rel": "references", "target": "walsh-review"}]
    assert exported.stderr == ""


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "jsonl", "yaml"])
def test_export_list_formats_match_list(invoke: Invoke, filled: Path, fmt: str) -> None:
    args = ["--format", fmt, "--sort", "-date,title", "--limit", "5"]
    assert invoke("export", *args).stdout == invoke("list", *args).stdout


def test_export_with_query_columns_sort_limit_no_headers(invoke: Invoke, filled: Path) -> None:
    result = invoke("export", "kind:article", "--format", "csv", "--columns",
                    "id,creators,date,fields.volume", "--sort", "-date", "--no-headers")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [
        ["correspondents-2021-protests", "our correspondents", "2021-01-23", ""],
        ["reed-2020-rick-poynors-david", "Kevin Reed; David Walsh", "2020-10-16", ""],
        ["journal-article", "Paul Avrich", "1984", "43"],
    ]


@pytest.mark.parametrize(("style", "marker"), [
    ("github", "|-----"), ("grid", "+====="), ("pipe", "|:---"), ("html", "<table>"),
    ("latex", "\\begin{tabular}"), ("rst", "====="), ("orgtbl", "-+-"),
])
def test_export_table_styles(invoke: Invoke, filled: Path, style: str, marker: str) -> None:
    result = invoke("export", "--format", "table", "--table-format", style, "--columns",
                    "id,title", "--limit", "2")
    assert result.exit_code == 0
    assert marker in result.stdout
    assert "reed-2020-rick-poynors-david" in result.stdout


def test_export_bibtex(invoke: Invoke, filled: Path) -> None:
    result = invoke("export", "--format", "bibtex")
    assert result.exit_code == 0
    entries = {e["ID"]: e for e in bibtexparser.loads(result.stdout).entries}
    assert len(entries) == CITABLE
    assert entries["reed-2020-rick-poynors-david"]["author"] == "Reed, Kevin and Walsh, David"
    assert result.stderr == (
        "note: left out 3 records that are not citable works (organisations, people, "
        "events): workers-power-russia, gavril-miasnikov, novocherkassk-massacre\n")


def test_export_csl_json(invoke: Invoke, filled: Path) -> None:
    import jsonschema

    result = invoke("export", "creator:weiss", "--format", "csl-json", "--sort", "date")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    jsonschema.validate(items, json.loads((DATA / "csl-data.json").read_text("utf-8")))
    assert [i["id"] for i in items] == ["weiss-2020-antisemitism-series", "specials-other"]
    assert result.stderr == ""


def test_export_ris(invoke: Invoke, filled: Path) -> None:
    result = invoke("export", "--format", "ris", "--limit", "2")
    assert result.exit_code == 0
    refs = rispy.loads(result.stdout)
    assert [r["id"] for r in refs] == ["reed-2020-rick-poynors-david", "trotsky-1930-istoriya"]
    assert refs[1]["authors"] == ["Троцкий, Лев Давидович"]


def test_export_to_a_file(invoke: Invoke, filled: Path, tmp_path: Path,
                          unchanged: Any) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old contents")
    with unchanged():
        result = invoke("export", "--format", "bibtex", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.endswith(f"wrote {CITABLE} records to {target}\n")
    assert target.read_text("utf-8") == invoke("export", "--format", "bibtex").stdout
    assert not list(tmp_path.glob(".refs.bib.*"))


def test_export_refuses_to_overwrite_the_archive(invoke: Invoke, filled: Path,
                                                 unchanged: Any) -> None:
    for fmt in ("json", "bagit"):
        with unchanged():
            result = invoke("export", "--format", fmt, "-o", str(filled))
        assert result.exit_code == 1
        assert result.stderr == (f"Error: {filled} is the archive itself; export to another "
                                 "file (nothing was written)\n")
    link = filled.parent / "link.json"
    link.symlink_to(filled)
    with unchanged():
        result = invoke("export", "--format", "csv", "-o", str(link))
    assert result.exit_code == 1


def test_export_dash_is_stdout(invoke: Invoke, filled: Path) -> None:
    result = invoke("export", "--format", "jsonl", "-o", "-", "--limit", "1")
    assert json.loads(result.stdout)["id"] == "reed-2020-rick-poynors-david"


def test_export_to_a_missing_folder_fails_cleanly(invoke: Invoke, filled: Path, tmp_path: Path,
                                                  unchanged: Any) -> None:
    with unchanged():
        result = invoke("export", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: could not write")
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "code", "message"), [
    ([], 2, "Missing option '--format'"),
    (["--format", "docx"], 2, "Invalid value for '--format'"),
    (["--format", "bagit"], 2, "--format bagit writes a folder: give it with -o DIR"),
    (["--format", "bagit", "-o", "-"], 2, "give it with -o DIR"),
    (["--format", "json", "(tag:film"], 1, "Error: bad query"),
    (["--format", "json", "--sort", "date,,title"], 1, "Error: bad sort key list"),
    (["--format", "csv", "--columns", "id,,title"], 1, "Error: an empty column name"),
    (["--format", "json", "--limit", "-1"], 2, "Invalid value for '--limit'"),
    (["--format", "table", "--table-format", "nope"], 1,
     "Error: unknown table format 'nope'; styles: asciidoc,"),
])
def test_export_refusals_change_nothing(invoke: Invoke, filled: Path, unchanged: Any,
                                        args: list[str], code: int, message: str) -> None:
    with unchanged():
        result = invoke("export", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""


def test_list_refuses_an_unknown_table_style_too(invoke: Invoke, filled: Path,
                                                 unchanged: Any) -> None:
    with unchanged():
        result = invoke("list", "--table-format", "nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown table format 'nope'")


def test_export_bagit(invoke: Invoke, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "page.txt"
    source.write_text("archived bytes\n")
    assert invoke("add", "--title", "T", "--id", "t", "--file", str(source)).exit_code == 0
    assert invoke("add", "--title", "U", "--id", "u").exit_code == 0
    bag = tmp_path / "bag"
    result = invoke("export", "--format", "bagit", "-o", str(bag))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"bagged 2 records and 1 source file (15 bytes) in {bag}\n"
    assert (bag / "bagit.txt").exists()
    records = json.loads((bag / "metadata" / "records.json").read_text("utf-8"))
    assert [r["id"] for r in records] == ["t", "u"]


def test_export_bagit_refuses_a_full_folder(invoke: Invoke, filled: Path, tmp_path: Path,
                                            unchanged: Any) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with unchanged():
        result = invoke("export", "--format", "bagit", "-o", str(tmp_path / "full"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")


def test_missing_archive_exports_nothing_and_says_so(invoke: Invoke, db: Path) -> None:
    for command in ("list", "export"):
        result = invoke(command, "--format", "json")
        assert result.exit_code == 0
        assert json.loads(result.stdout) == []
        assert "does not exist yet" in result.stderr
    result = invoke("export", "--format", "bibtex")
    assert (result.exit_code, result.stdout) == (0, "")
    assert not db.exists()


def test_export_help_has_examples(invoke: Invoke) -> None:
    result = invoke("export", "--help")
    assert result.exit_code == 0
    assert "archivist export --format bibtex -o refs.bib" in result.stdout
    for fmt in ("bibtex", "csl-json", "ris", "bagit"):
        assert fmt in result.stdout


# -- export, import into an empty archive, export again: the same records ----------

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=20).filter(str.strip)
_dates = st.sampled_from([None, "2021", "2021-02", "2021-02-09", "1923~", "1923?", "1923%",
                          "1920/1925", "../1925", "1920/..", "2020-04-11/2020-04-13"])


@st.composite
def archives(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Records in interchange form, with unique ids and links among them."""
    count = draw(st.integers(1, 4))
    ids = draw(st.lists(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True),
                        min_size=count, max_size=count, unique_by=str.lower))
    records = []
    for record_id in ids:
        record: dict[str, Any] = {
            "id": record_id, "kind": draw(st.sampled_from(KINDS)), "title": draw(_text),
            "creators": draw(st.lists(_text.map(str.strip), max_size=2)),
            "date": draw(_dates), "summary": draw(st.none() | _text),
            "tags": draw(st.lists(st.sampled_from(["film", "Stalinism", "история", "no",
                                                   "1e3"]), max_size=2, unique=True)),
            "fields": draw(st.dictionaries(st.sampled_from(["kicker", "note", "volume"]),
                                           _text, max_size=2)),
        }
        records.append(record)
    if len(ids) > 1 and draw(st.booleans()):
        records[0]["links"] = [{"rel": "references", "target": ids[1]}]
    return records


def _strip(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "archive"} for r in records]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(archives(), st.sampled_from(["json", "yaml"]))
def test_export_import_export_round_trips(records: list[dict[str, Any]], fmt: str) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder, "first.json"), Path(folder, "second.json")
        with open_archive(first, write=True) as archive:
            for record in records:
                archive.add(record_from_mapping(record))
            for record in records:
                for link in record.get("links", ()):
                    archive.store_link(record["id"], link["rel"], link["target"])
        out = Path(folder, f"records.{fmt}")
        result = runner.invoke(cli, ["--db", str(first), "export", "--format", fmt, "-o",
                                     str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        result = runner.invoke(cli, ["--db", str(second), "import", str(out)],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        again = runner.invoke(cli, ["--db", str(second), "export", "--format", "json"],
                              catch_exceptions=False)
        before = runner.invoke(cli, ["--db", str(first), "export", "--format", "json"],
                               catch_exceptions=False)
        assert _strip(json.loads(again.stdout)) == _strip(json.loads(before.stdout))


def test_machine_formats_on_stdout_carry_escape_sequences_exactly(invoke: Invoke,
                                                                  db: Path) -> None:
    title = "red \x1b[31malert\x1b[0m \u202eevil"
    assert invoke("add", "--title", title, "--id", "x").exit_code == 0
    csv_out = invoke("export", "--format", "csv", "--columns", "title", "--no-headers")
    assert next(csv.reader(io.StringIO(csv_out.stdout))) == [title]
    ris_out = invoke("export", "--format", "ris")
    assert rispy.loads(ris_out.stdout)[0]["title"] == title
    table = invoke("export", "--format", "table", "--columns", "title")
    assert "\\x1b[31malert" in table.stdout and "\x1b" not in table.stdout


@pytest.mark.parametrize("fmt", ["json", "jsonl", "bibtex", "csl-json", "ris"])
@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_a_large_export_made_in_batches_is_the_export_made_at_once(
        invoke: Invoke, filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fmt: str, batch: int) -> None:
    from archivist import exporters

    whole = invoke("export", "--format", fmt)
    assert whole.exit_code == 0, whole.stderr
    monkeypatch.setattr(exporters, "BATCH", batch)
    streamed = invoke("export", "--format", fmt)
    assert (streamed.exit_code, streamed.stdout, streamed.stderr) == (
        0, whole.stdout, whole.stderr)
    out = tmp_path / f"out.{fmt}"
    written = invoke("export", "--format", fmt, "-o", str(out))
    assert written.exit_code == 0, written.stderr
    assert out.read_text(encoding="utf-8") == whole.stdout
    # Some records of another kind (an organisation) are left out by the citation
    # formats: whole batches of them must not leave a blank entry behind.
    assert whole.stdout.count("\n\n\n") == 0


def test_an_export_in_batches_is_read_once_or_whole(filled: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import exporters
    from archivist.exporters import export

    monkeypatch.setattr(exporters, "BATCH", 2)
    with open_archive(filled) as archive:
        result = export(archive, fmt="jsonl")
        again = export(archive, fmt="jsonl")
    pieces = list(result.pieces())
    assert len(pieces) > 1 and "".join(pieces) == again.text == again.text
    with pytest.raises(RuntimeError):
        list(result.pieces())
    assert list(again.pieces()) == [again.text]
    assert result.count == again.count == len(again.text.splitlines())


def test_a_large_export_with_nothing_citable(invoke: Invoke, db: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import exporters

    monkeypatch.setattr(exporters, "BATCH", 1)  # two records: a "large" export
    for record_id in ("org", "org2"):
        assert invoke("add", "--title", "An organisation", "--kind", "organisation",
                      "--id", record_id).exit_code == 0
    assert invoke("export", "--format", "csl-json").stdout == "[]\n"
    assert invoke("export", "--format", "bibtex").stdout == ""
    assert invoke("export", "--format", "ris").stdout == ""
    assert [r["id"] for r in json.loads(invoke("export", "--format", "json").stdout)] == [
        "org", "org2"]


@pytest.mark.parametrize("fmt", ["bibtex", "csl-json", "ris"])
def test_a_large_citation_export_with_a_bad_date_writes_nothing(
        invoke: Invoke, filled: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    from archivist import exporters

    data = json.loads(filled.read_bytes())
    from archivist.models import AGENT_KINDS

    last = [r for r in data["records"].values() if r.get("kind") not in AGENT_KINDS][-1]
    last["date"] = "19xx-99"  # edited by hand, past the first batch
    filled.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    monkeypatch.setattr(exporters, "BATCH", 2)
    result = invoke("export", "--format", fmt)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {last['id']}: bad date '19xx-99'")
    assert len(result.stderr.splitlines()) == 1


def test_a_problem_half_way_through_a_streamed_export_says_the_output_is_incomplete(
        invoke: Invoke, filled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import exporters
    from archivist.errors import ArchivistError

    calls: list[int] = []
    original = exporters.export_jsonl

    def fail_second(records: Any, columns: Any, options: Any) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise ArchivistError("cannot write this")
        return original(records, columns, options)

    monkeypatch.setattr(exporters, "BATCH", 2)
    monkeypatch.setattr(exporters, "export_jsonl", fail_second)
    result = invoke("export", "--format", "jsonl")
    assert result.exit_code == 1 and len(result.stdout.splitlines()) == 2
    assert result.stderr == ("Error: cannot write this (the output written before this "
                             "is incomplete)\n")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml", "csv"])
def test_a_large_list_made_in_batches_is_the_list_made_at_once(
        invoke: Invoke, filled: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    from archivist import exporters

    whole = invoke("list", "--format", fmt, "--sort", "-date")
    assert whole.exit_code == 0, whole.stderr
    monkeypatch.setattr(exporters, "BATCH", 2)
    streamed = invoke("list", "--format", fmt, "--sort", "-date")
    assert (streamed.exit_code, streamed.stdout) == (0, whole.stdout)


def test_csv_and_tsv_from_list_and_export_read_back_cell_for_cell(invoke: Invoke,
                                                                  tmp_path: Path) -> None:
    from archivist.exporters import split_items, unneutralise

    title = "Innocent\r=HYPERLINK(\"http://evil\"),\t\"quoted\"\n@SUM(A1)"
    tags = ["Weiss; Clara", "a;b", "back\\slash", "-5"]
    creators = ["=cmd", "Peters, Andrea"]
    args = ["add", "--title", title, "--id", "hostile", "--date", "2021",
            "--field", "note=\r\n @cmd"]
    for tag in tags:
        args += ["--tag", tag]
    for creator in creators:
        args += ["--creator", creator]
    assert invoke(*args).exit_code == 0
    columns = "id,title,tags,creators,date,note"
    for command, fmt, delimiter in (("list", "csv", ","), ("export", "csv", ","),
                                    ("list", "tsv", "\t"), ("export", "tsv", "\t")):
        # Result.stdout turns CRLF into LF: the bytes are what a reader gets.
        out = invoke(command, "--format", fmt, "-c", columns).stdout_bytes.decode("utf-8")
        written = tmp_path / f"{command}.{fmt}"
        assert invoke("export", "--format", fmt, "-c", columns, "-o", str(written)
                      ).exit_code == 0
        assert written.read_bytes().decode("utf-8") == out
        with written.open(newline="", encoding="utf-8") as file:
            rows = list(csv.reader(file, delimiter=delimiter))
        assert rows[0] == columns.split(",")
        [row] = rows[1:]
        assert row[0] == "hostile" and row[4] == "2021"
        assert unneutralise(row[1]) == title and row[1].startswith("Innocent\r")
        assert split_items(unneutralise(row[2])) == tags
        assert split_items(unneutralise(row[3])) == creators
        assert row[3].startswith("'=cmd; ")
        assert row[5] == "'\r\n @cmd"  # a formula after line breaks and a space
