"""Library messages name no command-line option: options belong to the command line.

A library error says what is wrong in the library's own terms; the command that knows
which option gave the value adds the option's name (see ``archivist.cli.records``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "archivist"
OPTION = re.compile(r"(?<![-\w])--[a-z]")

#: Messages still naming an option; none may be added.
KNOWN: frozenset[str] = frozenset()


def option_messages(source: str) -> list[int]:
    """Lines of ``source`` whose ``raise`` holds text naming an option (``--name``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            text = " ".join(c.value for c in ast.walk(node.exc)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str))
            if OPTION.search(text):
                lines.append(node.lineno)
    return lines


def test_option_messages_are_found() -> None:
    assert option_messages('raise E(f"{x} --where needs a value")\n') == [1]
    assert option_messages('raise E("a bulk edit needs a query")\n') == []
    assert option_messages('raise E("see archivist-tool--x")\n') == []


def test_no_library_message_names_an_option() -> None:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith("cli/") or name in KNOWN:
            continue
        lines = option_messages(path.read_text(encoding="utf-8"))
        if lines:
            found[name] = lines
    assert found == {}
