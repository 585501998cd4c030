"""Every query form answers the same on PostgreSQL as on the JSON file (the sample
archive of tests/test_cli_query.py, copied into a database)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archivist.cli import cli
from archivist.store.copying import copy_archive
from tests import pgserver
from tests.test_cli_query import FORMS, sample  # noqa: F401  (the sample fixture)


@pytest.fixture(scope="module")
def copied(sample: Path, pg_server: Any) -> Iterator[str]:  # noqa: F811
    if pg_server is None:
        pgserver.missing(pgserver.START_FAILURE)
    for url in pgserver.fresh_schema(pg_server, "query_sample"):
        copy_archive(sample, url)
        yield url


def listed(db: str, *query: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", db, "list", "--format", "jsonl", *query])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("form", FORMS)
def test_every_query_form_answers_alike(sample: Path, copied: str,  # noqa: F811
                                        form: str) -> None:
    on_file = listed(str(sample), *shlex.split(form))
    assert on_file[0] == 0
    assert listed(copied, *shlex.split(form)) == on_file


@pytest.mark.parametrize("options", [["--sort", "-date", "--limit", "20"],
                                     ["--sort", "title,id"], ["--limit", "0"]])
def test_sort_and_limit_alike(sample: Path, copied: str,  # noqa: F811
                              options: list[str]) -> None:
    assert listed(copied, *options) == listed(str(sample), *options)
