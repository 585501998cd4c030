"""The manual in docs/ explains every command and option, the README stays a front door,
links between the pages lead somewhere, and the generated --help reference is current."""

from __future__ import annotations

import contextlib
import glob
import io
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archivist.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README_PATH = ROOT / "README.md"
README = README_PATH.read_text("utf-8")
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
#: What cog generates: the manual's prose is what is left without it.
GENERATED = re.compile(r"<!-- \[\[\[cog.*?\[\[\[end\]\]\] -->", re.S)
MANUAL_PROSE = "\n".join(GENERATED.sub("", page.read_text("utf-8")) for page in PAGES)
#: The README's promise: a front door, not a manual.
README_MAX_LINES = 400
#: The pages the manual must have, one per area.
AREA_PAGES = ("index", "records", "queries", "links", "import", "export",
              "provenance-and-fixity", "undo-and-duplicates", "safety", "speed",
              "python-api", "cli")


def walk(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every command below ``group``, asked for by name as Click's lazy groups need."""
    context = click.Context(group, info_name="archivist")
    found: list[tuple[str, click.Command]] = []
    for name in sorted(group.list_commands(context)):
        command = group.get_command(context, name)
        assert command is not None, f"{prefix}{name} is listed but cannot be loaded"
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(walk(command, path + " "))
    return found


COMMANDS = walk(cli)


def long_options(command: click.Command) -> list[str]:
    return [opt for param in command.params
            for opt in (*getattr(param, "opts", []), *getattr(param, "secondary_opts", []))
            if opt.startswith("--") and opt != "--help"]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_with_examples(path: str, command: click.Command) -> None:
    assert command.help, f"{path} has no help"
    assert "Examples:" in command.help, f"{path} has no examples"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_in_the_manual(path: str, command: click.Command) -> None:
    assert f"archivist {path}" in MANUAL_PROSE, (
        f"`archivist {path}` is not explained in docs/ (the page of its area; see "
        "docs/index.md, 'Adding to the manual')")
    for opt in long_options(command):
        assert opt in MANUAL_PROSE, f"{opt} of {path} is not explained in the prose of docs/"


def test_the_global_options_are_in_the_manual() -> None:
    for opt in long_options(cli):
        assert opt in MANUAL_PROSE, f"the global option {opt} is not explained in docs/"


def test_the_manual_has_a_page_per_area() -> None:
    names = {page.stem for page in PAGES}
    assert set(AREA_PAGES) <= names, f"missing pages: {sorted(set(AREA_PAGES) - names)}"


def test_every_page_is_in_the_index() -> None:
    index = (DOCS / "index.md").read_text("utf-8")
    for page in PAGES:
        if page.name != "index.md":
            assert f"]({page.name})" in index, f"docs/index.md does not list {page.name}"


def test_the_readme_is_a_front_door() -> None:
    lines = README.count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; the manual is docs/"
    assert "[[[cog" not in README, "the --help reference belongs in docs/cli.md"
    assert "](docs/index.md)" in README


def test_the_two_setup_commands_are_at_the_top() -> None:
    top = README[:2500]
    assert "pip install" in top and "records/" in top and "pytest" in top
    assert "bash scripts/tour.sh" in top and (ROOT / "scripts" / "tour.sh").exists()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    match = re.search(r"```sh\n(python3 -m venv .venv && [^\n]*pytest)\n```", README)
    assert match is not None, "the test command is not in the README"
    assert match.group(1) in ci


# -- links between the pages ----------------------------------------------------------


def without_code(text: str) -> str:
    """The text with code blocks, code spans and generated blocks blanked out."""
    text = GENERATED.sub("", text)
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"``.*?``|`[^`\n]*`", "", text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    kept = "".join(ch for ch in text
                   if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    text = re.sub(r"^```.*?^```", "", GENERATED.sub("", path.read_text("utf-8")),
                  flags=re.S | re.M)
    # The generated headings are anchors too.
    text += "\n" + "\n".join(re.findall(r"^#+ .*$", path.read_text("utf-8"), re.M))
    for heading in re.findall(r"^#{1,6} (.*)$", text, re.M):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


DOCUMENTS = [README_PATH, *PAGES]


@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.name for d in DOCUMENTS])
def test_links_lead_somewhere(document: Path) -> None:
    text = without_code(document.read_text("utf-8"))
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (document.parent / file).resolve() if file else document
        assert path.exists(), f"{document.name} links to {target}, which does not exist"
        if anchor and path.suffix == ".md":
            assert anchor in anchors(path), f"{document.name} links to {target}: no such heading"


# -- generated blocks ------------------------------------------------------------------


def cog_files() -> list[str]:
    """Every Markdown file holding a cog block, relative to the project."""
    return sorted(str(path.relative_to(ROOT)) for path in DOCUMENTS
                  if "[[[cog" in path.read_text("utf-8"))


def test_the_help_reference_is_generated_in_docs() -> None:
    assert "docs/cli.md" in cog_files()
    reference = (DOCS / "cli.md").read_text("utf-8")
    for path, _ in COMMANDS:
        assert f"### `archivist {path} --help`" in reference, (
            f"docs/cli.md has no --help of {path}: run .venv/bin/cog -r docs/cli.md")


def test_ci_checks_every_generated_block() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    line = next((line for line in ci.splitlines() if "cog --check" in line), None)
    assert line is not None, ".ci/run does not run cog --check"
    checked = {str(Path(found)) for word in shlex.split(line)[2:]
               for found in glob.glob(word, root_dir=ROOT)}
    missing = set(cog_files()) - checked
    assert not missing, f".ci/run's cog --check leaves out {sorted(missing)}"


@pytest.mark.skipif(shutil.which("cog") is None and not Path(sys.prefix, "bin", "cog").exists(),
                    reason="cogapp is not installed")
def test_generated_blocks_are_current() -> None:
    cog = shutil.which("cog") or str(Path(sys.prefix, "bin", "cog"))
    result = subprocess.run([cog, "--check", *cog_files()], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, (result.stdout + result.stderr
                                    + "\nrun .venv/bin/cog -r README.md docs/*.md")


# -- the Python examples ---------------------------------------------------------------


PYTHON_EXAMPLES = [(page, n, block) for page in PAGES
                   for n, block in enumerate(re.findall(r"^```python\n(.*?)^```",
                                                        page.read_text("utf-8"),
                                                        re.S | re.M), 1)]


@pytest.mark.parametrize(("page", "number", "code"), PYTHON_EXAMPLES,
                         ids=[f"{p.name}-{n}" for p, n, _ in PYTHON_EXAMPLES])
def test_python_examples_run(page: Path, number: int, code: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example runs as written beside the tour's demo archive."""
    shutil.copytree(ROOT / "records", tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--db", "demo.json", "import", "records/"])
    assert result.exit_code == 0, result.output
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"{page.name} example {number}", "exec"), {})


# -- dependencies ----------------------------------------------------------------------


def test_every_dependency_has_its_floor_and_reason_in_the_readme() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    section = README[README.index("## Dependencies"):]
    section = section[:section.find("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    for name, floor in re.findall(r'^\s*"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*'
                                  r'(?:>=\s*([0-9][0-9.]*))?[^"]*",?\s*$', pyproject, re.M):
        row = next((row for row in rows
                    if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", row, re.I)), None)
        assert row is not None, f"{name} has no reason line in the README's dependency list"
        if floor:
            assert f"{name} ≥ {floor}".lower() in row.lower(), (
                f"the README gives {name} another floor than pyproject.toml ({floor})")


def test_the_python_interface_names_every_store_module() -> None:
    page = (DOCS / "python-api.md").read_text("utf-8")
    for module in sorted((ROOT / "archivist" / "store").rglob("*.py")):
        assert f"`{module.name}`" in page, (
            f"docs/python-api.md does not describe archivist/store/"
            f"{module.relative_to(ROOT / 'archivist' / 'store')}")
