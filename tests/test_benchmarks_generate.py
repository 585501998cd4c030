"""The benchmark's archive generator makes a valid archive that archivist reads."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from archivist.store.jsonfile.reader import FORMAT_VERSION, read_whole
from tests.conftest import Invoke, load_script

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    module: ModuleType = load_script(GENERATOR, "benchmarks_generate")
    return module


def test_generated_archive_is_what_archivist_writes(generate: ModuleType, tmp_path: Path
                                                    ) -> None:
    path = tmp_path / "bench.json"
    data = generate.generate(50, path=path)
    on_disk, exists = read_whole(path)
    assert exists
    assert on_disk == json.loads(json.dumps(data))
    assert data["meta"]["1"]["format"] == FORMAT_VERSION
    records = list(data["records"].values())
    assert len(records) == 50
    assert len({r["id"].lower() for r in records}) == 50
    # One history entry per record added and per link stored.
    actions = [e["action"] for e in data["history"].values()]
    assert actions.count("add") == 50
    assert actions.count("link") == len(data["links"])
    assert 50 <= len(data["links"]) <= 150


def test_generated_records_are_varied(generate: ModuleType) -> None:
    records = list(generate.generate(200, seed=3)["records"].values())
    kinds = {r["kind"] for r in records}
    assert {"series", "article"} <= kinds
    dates = [r.get("date") for r in records]
    assert any(d is None for d in dates)
    assert any(d and d.endswith("~") for d in dates)
    assert any(d and d.endswith("?") for d in dates)
    assert any(d and "/" in d for d in dates)
    titles = " ".join(r["title"] for r in records)
    assert any("\u0400" <= c <= "\u04ff" for c in titles)  # Cyrillic
    assert any(c in titles for c in "łżźśąęó")  # Polish
    tag_counts = [len(r.get("tags", [])) for r in records]
    assert min(tag_counts) == 0 and max(tag_counts) == 4
    assert all(1 <= len(r["creators"]) <= 3 for r in records)
    assert any(r.get("fields") for r in records)
    assert len(generate.tag_pool()) == 200


def test_same_seed_same_records(generate: ModuleType) -> None:
    def strip(data: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "archive"}
                for r in data["records"].values()]

    assert strip(generate.generate(30, seed=1)) == strip(generate.generate(30, seed=1))
    assert strip(generate.generate(30, seed=1)) != strip(generate.generate(30, seed=2))


def test_archivist_lists_and_shows_the_generated_archive(
        generate: ModuleType, tmp_path: Path, invoke: Invoke) -> None:
    path = tmp_path / "bench.json"
    data = generate.generate(50, path=path)
    listed = invoke("--db", str(path), "list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [r["id"] for r in data["records"].values()]
    # Links point from later records to earlier ones or to series: show one with links.
    linked = data["links"]["1"]["src"]
    shown = invoke("--db", str(path), "show", linked, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["id"] == linked
    assert record["links"]
    checked = invoke("--db", str(path), "check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_the_yaml_file_imports_into_an_empty_archive(generate: ModuleType, tmp_path: Path,
                                                     invoke: Invoke) -> None:
    source = tmp_path / "records.yaml"
    built = generate.build(40, 5)
    generate.write_yaml(built, source)
    target = tmp_path / "imported.json"
    result = invoke("--db", str(target), "import", str(source))
    assert result.exit_code == 0, result.stderr
    listed = json.loads(invoke("--db", str(target), "list", "--format", "json").stdout)
    assert [r["id"] for r in listed] == built.ids()
    assert sum(len(r["links"]) for r in listed) == len(list(built.link_documents()))


def test_command_line_writes_archive_and_yaml(generate: ModuleType, tmp_path: Path) -> None:
    out, yaml_out = tmp_path / "a.json", tmp_path / "a.yaml"
    assert generate.main(["20", str(out), "--yaml", str(yaml_out)]) == 0
    data, _ = read_whole(out)
    assert len(data["records"]) == 20
    assert yaml_out.read_text(encoding="utf-8").startswith("- id: ")
