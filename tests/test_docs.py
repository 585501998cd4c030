"""The README documents every command and option, and its --help blocks are current."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from archivist.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
# The prose, without the generated --help blocks: every option must be explained there.
PROSE = re.sub(r"<!-- \[\[\[cog.*?\[\[\[end\]\]\] -->", "", README, flags=re.S)


def walk(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(walk(command, path + " "))
    return found


COMMANDS = walk(cli)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_with_examples(path: str, command: click.Command) -> None:
    assert command.help, f"{path} has no help"
    assert "Examples:" in command.help, f"{path} has no examples"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_in_the_readme(path: str, command: click.Command) -> None:
    assert f"archivist {path}" in PROSE, f"`archivist {path}` is not in the README"
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt != "--help":
                assert opt in PROSE, f"{opt} of {path} is not in the README's prose"


def test_the_two_setup_commands_are_at_the_top() -> None:
    top = README[:2500]
    assert "pip install" in top and "records/" in top and "pytest" in top


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text("utf-8")
    match = re.search(r"```sh\n(python3 -m venv .venv && [^\n]*pytest)\n```", README)
    assert match is not None, "the test command is not in the README"
    assert match.group(1) in ci


@pytest.mark.skipif(shutil.which("cog") is None and not Path(sys.prefix, "bin", "cog").exists(),
                    reason="cogapp is not installed")
def test_readme_help_blocks_are_current() -> None:
    cog = shutil.which("cog") or str(Path(sys.prefix, "bin", "cog"))
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([cog, "--check", "README.md"], cwd=root, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
