"""The one output helper: text, json and yaml written the same way by every command."""

from __future__ import annotations

import json
from pathlib import Path

import click
import orjson
import pytest
from click.testing import CliRunner

from archivist.cli.output import format_option, render
from archivist.yamlio import dump
from tests.conftest import Invoke


def _command() -> click.Command:
    @click.command()
    @format_option("text", "json", "yaml", description="How to show it.")
    def show(fmt: str) -> None:
        render(fmt, lambda: {"title": "Dear Comrades", "tags": ["film"]},
               lambda: click.echo("Dear Comrades (film)"))

    return show


@pytest.mark.parametrize(("fmt", "expected"), [
    ("text", "Dear Comrades (film)\n"),
    ("json", '{\n  "title": "Dear Comrades",\n  "tags": [\n    "film"\n  ]\n}\n'),
    ("yaml", dump({"title": "Dear Comrades", "tags": ["film"]})),
])
def test_render_writes_each_format_to_stdout_only(fmt: str, expected: str) -> None:
    result = CliRunner().invoke(_command(), ["-f", fmt])
    assert result.exit_code == 0
    assert result.stdout == expected and result.stderr == ""


def test_format_option_defaults_to_its_first_choice_and_refuses_others() -> None:
    command = _command()
    assert CliRunner().invoke(command, []).stdout == "Dear Comrades (film)\n"
    refused = CliRunner().invoke(command, ["--format", "csv"])
    assert refused.exit_code == 2 and "'csv' is not one of" in refused.stderr
    assert "How to show it.  [default: text]" in CliRunner().invoke(command, ["--help"]).stdout


def test_the_value_is_made_only_for_a_machine_format() -> None:
    made: list[str] = []

    def value() -> list[str]:
        made.append("value")
        return made

    @click.command()
    @format_option("table", "json")
    def listing(fmt: str) -> None:
        render(fmt, value, lambda: made.append("text"))

    CliRunner().invoke(listing, [])
    assert made == ["text"]


@pytest.mark.parametrize("args", [
    ("info",), ("tags",), ("history",), ("undo", "--dry-run"), ("duplicates",),
    ("links", "t"), ("graph",), ("show", "t"), ("verify",),
    ("merge", "t", "t-2", "--dry-run"),
])
def test_every_json_output_is_indented_and_ends_in_a_newline(invoke: Invoke, db: Path,
                                                             args: tuple[str, ...]) -> None:
    invoke("add", "--title", "T", "--id", "t", "--tag", "x")
    invoke("add", "--title", "T", "--id", "t-2")
    result = invoke(*args, "--format", "json", catch=True)
    value = json.loads(result.stdout)
    # Byte for byte what the commands wrote before they shared the helper.
    assert result.stdout == orjson.dumps(
        value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
