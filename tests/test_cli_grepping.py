"""``archivist grep`` and ``list text:`` on the sample archive, on both engines, through
the command line (stdout and stderr apart)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archivist.cli import cli
from archivist.cli.grepping import _highlighted
from tests.conftest import RECORDS, write_file

LISTING = "wsws-history-of-russia"
ENTRY = "weiss-2021-dear-comrades"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("grep-sample")
    shutil.copytree(RECORDS, folder / "records")
    db = folder / "sample.json"
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(folder / "records")])
    assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture(scope="module", params=["json", "postgres"])
def location(request: pytest.FixtureRequest, sample: Path) -> Iterator[str]:
    if request.param == "json":
        yield str(sample)
        return
    from archivist.store.copying import copy_archive
    from tests import pgserver

    server = request.getfixturevalue("pg_server")
    if server is None:
        pgserver.missing(pgserver.START_FAILURE)
    for url in pgserver.fresh_schema(server, "grep_sample"):
        copy_archive(sample, url)
        yield url


def run(location: str | Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(location), *args])


def listed(location: str, *query: str) -> list[str]:
    result = run(location, "list", "--format", "jsonl", *query)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_text_finds_the_articles_that_mention_a_name(location: str) -> None:
    assert listed(location, "text:azaryan") == ["workers-power-russia-article"]
    assert listed(location, "text:miftakhov") == ["russia-masses-streets"]


def test_text_finds_the_one_entry_and_its_listing_not_the_neighbours(location: str) -> None:
    assert sorted(listed(location, "text:novocherkassk")) == sorted([LISTING, ENTRY])
    assert listed(location, "text:novocherkassk", "kind:article") == [ENTRY]
    assert ENTRY not in listed(location, "-text:novocherkassk")


def test_grep_prints_the_entry_with_the_line_of_the_file(location: str) -> None:
    result = run(location, "grep", "Konchalovsky")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert f"{ENTRY}:7: Konchalovsky’s film offers a view of the crisis of Stalinism in the " \
           "Soviet Union, but he does so from the standpoint of the Stalinist bureaucracy " \
           "itself." in lines
    assert sorted(line.split(":")[0] for line in lines) == sorted([LISTING, ENTRY])


def test_grep_takes_a_query_and_context(location: str) -> None:
    result = run(location, "grep", "konchalovsky", "-C", "2", f"id:{ENTRY}")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"{ENTRY}-5- By Clara Weiss, 9 February 2021"
    assert f"{ENTRY}:7: Konchalovsky" in result.stdout
    assert "-8-" not in result.stdout  # the entry's span ends at line 7


def test_a_number_may_be_joined_to_its_short_option_as_grep_users_write_it(
        sample: Path) -> None:
    joined = run(sample, "grep", "-C2", "konchalovsky", f"id:{ENTRY}")
    assert joined.exit_code == 0, joined.stderr
    assert joined.stdout == run(sample, "grep", "-C", "2", "konchalovsky", f"id:{ENTRY}").stdout
    not_a_number = run(sample, "grep", "konchalovsky", "-Cx")  # a query word: not "cx"
    assert not_a_number.stdout == run(sample, "grep", "konchalovsky").stdout != ""


def test_grep_answers_alike_on_both_engines(location: str, sample: Path) -> None:
    for args in (["novocherkassk"], ["--regex", r"Novocherkass\w+", "-C", "1"],
                 ["workers", "--format", "json"], ["1962", "kind:article"]):
        assert run(location, "grep", *args).stdout == run(sample, "grep", *args).stdout


def test_grep_exits_1_when_nothing_matches_and_2_on_a_bad_pattern(sample: Path) -> None:
    result = run(sample, "grep", "no-such-words-anywhere")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    result = run(sample, "grep", "--regex", "(unclosed")
    assert result.exit_code == 2 and "bad regular expression" in result.stderr
    assert result.stdout == ""
    assert run(sample, "grep", " ").exit_code == 2
    assert run(sample, "grep", "x", "date:2021-13").exit_code == 1


def test_grep_json_gives_the_lines_and_where_they_match(sample: Path) -> None:
    result = run(sample, "grep", "--format", "json", "Miftakhov")
    [hit] = json.loads(result.stdout)
    assert hit["id"] == "russia-masses-streets" and hit["line"] == 1
    start, end = hit["matches"][0]
    assert hit["text"][start:end] == "Miftakhov"
    empty = run(sample, "grep", "--format", "json", "nowhere-at-all")
    assert (empty.exit_code, json.loads(empty.stdout)) == (1, [])


def test_grep_verbose_says_which_records_have_no_text(sample: Path) -> None:
    result = run(sample, "grep", "-v", "azaryan", "kind:organisation")
    assert result.exit_code == 1
    assert "workers-power-russia: not searched: no source file" in result.stderr


def test_grep_escapes_source_text_and_highlights_only_on_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    source = write_file(tmp_path / "evil.txt", "before \x1b[31mRED\x1b[0m after\n")
    assert run(db, "add", "--title", "Evil", "--id", "evil", "--file", str(source)
               ).exit_code == 0
    result = run(db, "grep", "after")
    assert result.stdout == "evil:1: before \\x1b[31mRED\\x1b[0m after\n"
    assert _highlighted("a\x1bb", ((0, 1),), color=True) == "\x1b[31m\x1b[1ma\x1b[0m\\x1bb"
    assert _highlighted("ab", ((0, 1),), color=False) == "ab"


def test_list_help_and_the_query_grammar_mention_text() -> None:
    result = CliRunner().invoke(cli, ["list", "--help"])
    assert "text:" in result.stdout
    from archivist.query import parser

    assert "text:azaryan" in (parser.__doc__ or "")


def test_sources_added_by_every_command_are_indexed(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    first = write_file(tmp_path / "a.html", "<p>Prazdnik</p>")
    second = write_file(tmp_path / "b.txt", "Sobchak\n")
    assert run(db, "add", "--title", "A", "--id", "a", "--file", str(first)).exit_code == 0
    assert run(db, "add", "--title", "B", "--id", "b").exit_code == 0
    assert run(db, "set", "b", "--file", str(second)).exit_code == 0
    from archivist.store import open_archive, source_texts

    with open_archive(db) as archive:
        kinds: dict[str, Any] = source_texts(archive).kinds()
    assert sorted(kinds.values()) == ["html", "text"]
    assert listed(str(db), "text:sobchak") == ["b"]


def test_import_reads_the_texts_and_info_and_check_count_them(sample: Path,
                                                              tmp_path: Path) -> None:
    from archivist.store.jsonfile.textcache import TextCache

    assert sorted(TextCache(sample).kinds().values()) == ["text"] * 4
    data = json.loads(run(sample, "info", "--format", "json").stdout)
    assert (data["source_texts"], data["sources_skipped"], data["sources_unread"]) == (4, 0, 0)
    db = tmp_path / "a.json"
    image = write_file(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert run(db, "add", "--title", "I", "--id", "i", "--file", str(image)).exit_code == 0
    result = run(db, "check")
    assert result.exit_code == 0
    assert "1 source file without text to search" in result.stderr
    assert "sources skipped: 1" in run(db, "info").stdout
