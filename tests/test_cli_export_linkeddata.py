"""``export --format jsonld|turtle`` on the command line: the base IRI, refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke


@pytest.fixture
def filled(invoke: Invoke, db: Path) -> Path:
    assert invoke("add", "--title", "Ёжик \"в\" тумане\n\\", "--id", "hedgehog",
                  "--date", "1975").exit_code == 0
    return db


def _archive_id(invoke: Invoke) -> str:
    return str(json.loads(invoke("info", "--format", "json").stdout)["id"])


def test_records_are_named_by_the_archive_id_that_info_shows(invoke: Invoke,
                                                             filled: Path) -> None:
    result = invoke("export", "--format", "turtle")
    assert result.exit_code == 0 and result.stderr == ""
    base = f"urn:archivist:{_archive_id(invoke)}:"
    assert f"@prefix rec: <{base}> ." in result.stdout
    assert 'rec:hedgehog\n    a prov:Entity' in result.stdout
    assert 'dcterms:title "Ёжик \\"в\\" тумане\\n\\\\"' in result.stdout


def test_jsonld_embeds_its_context(invoke: Invoke, filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonld"
    result = invoke("export", "-f", "jsonld", "--base-iri", "https://example.org/a/",
                    "-o", str(target))
    assert result.exit_code == 0 and result.stderr == "wrote 1 record to " + str(target) + "\n"
    data = json.loads(target.read_text("utf-8"))
    assert data["@context"]["rec"] == "https://example.org/a/"
    record = next(node for node in data["@graph"] if node["@id"] == "rec:hedgehog")
    assert record["dcterms:title"] == "Ёжик \"в\" тумане\n\\"


@pytest.mark.parametrize("base", ["https://example.org/a", "not an iri/"])
def test_a_bad_base_iri_is_refused_in_one_line(invoke: Invoke, filled: Path,
                                               unchanged: Any, tmp_path: Path,
                                               base: str) -> None:
    with unchanged():
        result = invoke("export", "-f", "turtle", "--base-iri", base,
                        "-o", str(tmp_path / "out.ttl"))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--base-iri" in result.stderr
    assert not (tmp_path / "out.ttl").exists()


def test_an_archive_without_an_id_asks_for_a_base_iri(invoke: Invoke, filled: Path,
                                                      unchanged: Any) -> None:
    data = json.loads(filled.read_bytes())
    del data["meta"]["1"]["id"]
    filled.write_text(json.dumps(data), "utf-8")
    (filled.parent / (filled.name + ".index")).unlink(missing_ok=True)
    with unchanged():
        result = invoke("export", "-f", "jsonld")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "no id yet" in result.stderr and "--base-iri" in result.stderr
    assert invoke("export", "-f", "jsonld", "--base-iri", "urn:x:").exit_code == 0


def test_help_names_the_formats_without_importing_them() -> None:
    import subprocess
    import sys

    code = ("import sys; from archivist.cli import cli\n"
            "try:\n    cli(['export', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'archivist.exporters.linkeddata' not in sys.modules\n"
            "assert 'rdflib' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "jsonld, turtle" in done.stdout and "--base-iri" in done.stdout


def test_base_iri_with_another_format_is_a_usage_error(invoke: Invoke, filled: Path,
                                                       unchanged: Any) -> None:
    with unchanged():
        result = invoke("export", "-f", "json", "--base-iri", "urn:x:")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--base-iri" in result.stderr
