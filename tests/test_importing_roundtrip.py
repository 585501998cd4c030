"""Export then import: archivist's BibTeX, RIS and CSL-JSON come back as they went out.

For every citable record of the sample archive (records/), and for names and dates
Hypothesis makes up: the same title, subtitle (BibTeX; RIS and CSL-JSON have no
subtitle and carry ``Title: Subtitle`` as the title), creators (the same strings) and
date (RIS's may come back coarser).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist.exporters.bibtex import bibtex_entry
from archivist.exporters.csl import citable, csl_item
from archivist.exporters.ris import ris_reference
from archivist.importing import bibtex, csljson, ris
from archivist.importing.located import Located
from archivist.yamlio import load_all

RECORDS = Path(__file__).resolve().parent.parent / "records"


def _sample() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(RECORDS.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found.extend(d for d in (doc if isinstance(doc, list) else [doc])
                         if isinstance(d, dict))
    return citable(found)


SAMPLE = _sample()


def _fail(position: tuple[int, int], message: str) -> None:
    raise AssertionError(f"{position}: {message}")


def from_bibtex(record: dict[str, Any]) -> Located:
    [(_, item, _, _)] = list(bibtex.records(bibtex_entry(record), _fail))
    return item


def from_ris(record: dict[str, Any]) -> Located:
    [(_, item, _, _)] = list(ris.records(ris_reference(record), _fail))
    return item


def from_csl(record: dict[str, Any]) -> Located:
    [item] = load_all(orjson.dumps([csl_item(record)]))[0]
    found = csljson.record(item, _fail)
    assert found is not None
    return found


def _title(record: dict[str, Any]) -> str:
    title: str = record["title"]
    return f"{title}: {record['subtitle']}" if record.get("subtitle") else title


def test_the_sample_archive_has_citable_records() -> None:
    assert len(SAMPLE) > 50


@pytest.mark.parametrize("record", SAMPLE, ids=lambda r: str(r["id"]))
def test_bibtex_export_imports_back(record: dict[str, Any]) -> None:
    item = from_bibtex(record)
    assert item["id"] == record["id"] == item["fields"]["citekey"]
    assert item["title"] == record["title"]
    assert item.get("subtitle") == record.get("subtitle")
    assert item.get("creators", []) == list(record.get("creators") or [])
    assert item.get("date") == record.get("date")


@pytest.mark.parametrize("record", SAMPLE, ids=lambda r: str(r["id"]))
def test_csl_json_export_imports_back(record: dict[str, Any]) -> None:
    item = from_csl(record)
    assert item["title"] == _title(record)
    assert item.get("creators", []) == list(record.get("creators") or [])
    date = record.get("date")
    # CSL's one "circa" stands for EDTF's ~, ? and %.
    assert item.get("date") == (date.replace("?", "~").replace("%", "~") if date else None)


@pytest.mark.parametrize("record", SAMPLE, ids=lambda r: str(r["id"]))
def test_ris_export_imports_back(record: dict[str, Any]) -> None:
    item = from_ris(record)
    assert item["title"] == _title(record)
    assert item.get("creators", []) == list(record.get("creators") or [])
    date = record.get("date")
    assert (item.get("date") is None) == (date is None)
    if date:
        assert item["date"][:4] == date[:4] or item["date"].startswith("..")


_given = st.sampled_from(["Clara", "Leon", "G. T.", "Лев Давидович", "Jean-Paul", "Ana María"])
_family = st.sampled_from(["Weiss", "Trotsky", "Miasnikov", "Троцкий", "O’Connor", "Żółkiewski",
                           "Van Auken"])
_particle = st.sampled_from(["", "van", "de la", "von"])
_people = st.builds(lambda g, p, f: " ".join(x for x in (g, p, f) if x), _given, _particle,
                    _family)
_literal = st.sampled_from(["our correspondents", "World Socialist Web Site",
                            "Kevin Reed and David Walsh", "Trotsky", "bell hooks"])
_year = st.integers(1000, 2099)
_day = st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", _year, st.integers(1, 12),
                 st.integers(1, 28))
_dates = st.one_of(
    st.none(), _year.map(str), _day,
    st.builds(lambda y, q: f"{y}{q}", _year, st.sampled_from("~?%")),
    st.builds(lambda a, b: f"{min(a, b)}/{max(a, b)}", _year, _year),
    _year.map(lambda y: f"{y}/.."), _year.map(lambda y: f"../{y}"))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_people, _literal), max_size=4), _dates)
def test_names_and_dates_survive_every_format(creators: list[str], date: str | None) -> None:
    record = {"id": "x", "kind": "book", "title": "T", "creators": creators, "date": date}
    for item in (from_bibtex(record), from_csl(record), from_ris(record)):
        assert item.get("creators", []) == creators
    assert from_bibtex(record).get("date") == date
    if date is not None and "?" not in date and "%" not in date:
        assert from_csl(record).get("date") == date
