"""Every module and function stays small enough to read in one sitting.

Modules hold at most 600 lines and functions fewer than 80 (from ``def`` to their
last line, docstring included), as the house style asks.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "archivist"
MAX_MODULE_LINES = 600
FUNCTION_LINES_LIMIT = 80


def _sources() -> dict[str, str]:
    return {path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(PACKAGE.rglob("*.py"))}


def long_functions(source: str, limit: int = FUNCTION_LINES_LIMIT) -> list[str]:
    """``name (lines)`` of each function in ``source`` of ``limit`` lines or more."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines >= limit:
                found.append(f"{node.name} ({lines} lines)")
    return found


def test_no_function_has_80_lines_or_more() -> None:
    assert [f"{name}: {function}" for name, source in _sources().items()
            for function in long_functions(source)] == []


def test_no_module_is_over_600_lines() -> None:
    assert {name: source.count("\n") for name, source in _sources().items()
            if source.count("\n") > MAX_MODULE_LINES} == {}


def test_a_long_function_is_found_nested_or_not() -> None:
    body = "".join(f"    x{n} = {n}\n" for n in range(78))
    assert long_functions(f"def short():\n{body}") == []
    assert long_functions(f"def long():\n{body}    return 1\n") == ["long (80 lines)"]
    nested = "class A:\n    def method(self):\n" + body.replace("    ", "        ") + \
        "        return 1\n"
    assert long_functions(nested) == ["method (80 lines)"]
