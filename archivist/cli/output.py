"""How a command's result reaches stdout: text for people, JSON or YAML for programs.

Every command with a ``--format`` of text (or table), json and yaml renders through
:func:`render`, so the machine formats are written one way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from archivist.cli.base import emit

F = TypeVar("F", bound=Callable[..., Any])

#: The formats :func:`render` writes itself; any other is the command's own text.
MACHINE_FORMATS = ("json", "yaml")


def format_option(*choices: str, description: str = "Output format.") -> Callable[[F], F]:
    """The ``--format``/``-f`` option offering ``choices``, the first the default."""
    return click.option("--format", "-f", "fmt", type=click.Choice(list(choices)),
                        default=choices[0], show_default=True, help=description)


def render(fmt: str, value: Callable[[], Any], text: Callable[[], None]) -> None:
    """Write a command's result in ``fmt``.

    :param value: makes the result as json and yaml carry it (called only for them).
    :param text: writes the result for people (any other format: text, table, dot…).
    """
    if fmt == "json":
        from archivist.jsontext import json_text

        emit(json_text(value()))
    elif fmt == "yaml":
        from archivist.yamlio import dump

        emit(dump(value()))
    else:
        text()
