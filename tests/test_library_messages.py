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

#: An argument handed to another program (pandoc's ``--citeproc``), not advice.
ARGUMENT = re.compile(r"--[\w-]+(=\S*)?")

#: Modules whose text may name an option, and why.
KNOWN = {
    # The comment atop the file `archivist edit` opens tells how to change what the
    # file cannot: it is the command's own text.
    "editing.py",
}


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                 ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)}


def option_messages(source: str) -> list[int]:
    """Lines of ``source`` holding text that names an option (``--name``): raised,
    returned or kept, whatever the way it reaches a message, but not a docstring."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return sorted({node.lineno for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and id(node) not in docstrings and OPTION.search(node.value)
                   and not ARGUMENT.fullmatch(node.value)})


def test_option_messages_are_found() -> None:
    assert option_messages('raise E(f"{x} --where needs a value")\n') == [1]
    assert option_messages('return "name it .bib or give --format bibtex"\n') == [1]
    assert option_messages('raise E("a bulk edit needs a query")\n') == []
    assert option_messages('raise E("see archivist-tool--x")\n') == []
    assert option_messages('run(["pandoc", "--citeproc", "--wrap=none"])\n') == []
    assert option_messages('def f():\n    """Give --format."""\n') == []


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
