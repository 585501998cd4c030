"""The package's import structure: no circles, nothing reaching up or into an engine.

Read from the source with :mod:`ast`, so function-local imports count too: only the
command line imports click or ``archivist.cli``; only the storage package knows its
JSON-file engine, and only that engine imports TinyDB.  Module-level imports (outside
``if TYPE_CHECKING:``) form no cycle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "archivist"


@dataclass(frozen=True)
class Import:
    """One import statement's target, as a module name."""

    importer: str
    target: str
    line: int
    #: At module level (run on import), not inside a function or TYPE_CHECKING.
    top_level: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool
             ) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        # A relative import: from the importer's package (itself, for an __init__).
        package = importer.split(".")
        package = package if is_package else package[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    known = modules()
    # `from archivist.exporters import bibtex` imports the module bibtex.
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names]


def _walk(node: ast.AST, top_level: bool, importer: str, is_package: bool
          ) -> list[Import]:
    found: list[Import] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            found += [Import(importer, target, child.lineno, top_level)
                      for target in _targets(child, importer, is_package)]
        else:
            # A function's body runs when it is called, a TYPE_CHECKING block never.
            deferred = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                          ast.Lambda)) or (
                isinstance(child, ast.If) and _is_type_checking(child))
            found += _walk(child, top_level and not deferred, importer, is_package)
    return found


@cache
def imports() -> tuple[Import, ...]:
    """Every import in the package, function-local ones and TYPE_CHECKING ones too."""
    found: list[Import] = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += _walk(tree, True, name, path.name == "__init__.py")
    return tuple(found)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (or a module importing
    itself), each sorted: Tarjan's algorithm, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in edges.get(node, ()):
                    groups.append(sorted(group))
    return sorted(groups)


def import_graph(*, top_level_only: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for found in imports():
        if found.target in edges and found.target != found.importer and (
                found.top_level or not top_level_only):
            edges[found.importer].add(found.target)
    return edges


def _offenders(allowed: str, forbidden: tuple[str, ...], *, exempt: tuple[str, ...] = ()
               ) -> list[str]:
    return [f"{found.importer} imports {found.target}" for found in imports()
            if not within(found.importer, allowed) and found.importer not in exempt
            and any(within(found.target, name) for name in forbidden)]


def test_the_walk_finds_imports_of_every_kind() -> None:
    found = {(i.importer, i.target, i.top_level) for i in imports()}
    assert ("archivist.cli.base", "click", True) in found
    # Function-local, and `from package import module`.
    assert ("archivist.exporters", "archivist.exporters.bibtex", False) in found
    assert ("archivist.cli", "archivist.cli.admin", True) in found


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_only_the_command_line_imports_click_or_the_command_line() -> None:
    # `python -m archivist` runs the command line: the one module above it.
    assert _offenders("archivist.cli", ("click", "archivist.cli"),
                      exempt=("archivist.__main__",)) == []


#: Known reaches into the engine, being moved behind the storage front; none may be added.
KNOWN_ENGINE_REACHES = frozenset({
    # listing plans index-only queries against the summary index's keys.
    "archivist.listing imports archivist.store.jsonfile.summaryindex",
})


def test_only_the_storage_package_knows_its_json_engine() -> None:
    found = set(_offenders("archivist.store", ("archivist.store.jsonfile",)))
    assert sorted(found - KNOWN_ENGINE_REACHES) == []


def test_only_the_json_engine_imports_tinydb() -> None:
    assert _offenders("archivist.store.jsonfile", ("tinydb",)) == []


def test_no_import_cycle_at_module_level() -> None:
    assert cycles(import_graph(top_level_only=True)) == []


@pytest.mark.parametrize("package", ["archivist.exporters", "archivist.cli"])
def test_a_package_front_is_not_imported_by_its_own_modules(package: str) -> None:
    """Format modules and command modules import shared helpers from their own modules
    (``exporters.options``, ``cli.base``), never the front that gathers them."""
    assert [f"{i.importer}:{i.line}" for i in imports()
            if within(i.importer, package) and i.importer != package
            and i.target == package] == []


def test_only_capture_imports_httpx_warcio_and_lxml_and_only_when_called() -> None:
    heavy = ("httpx", "warcio", "lxml")
    # Text search reads WARC files too (archivist.textextract), when it meets one.
    assert _offenders("archivist.capture", heavy, exempt=("archivist.textextract",)) == []
    assert _offenders("archivist.capture", ("httpx", "lxml")) == []
    assert [f"{i.importer}:{i.line}" for i in imports()
            if i.top_level and any(within(i.target, name) for name in heavy)] == []
