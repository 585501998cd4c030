"""``archivist capture`` through the command line: ids on stdout, one-line refusals on
stderr that change no file beside the archive, dry runs, verify and undo."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archivist.capture import fetch as fetching
from archivist.cli import capturing
from archivist.store import open_archive
from tests.conftest import Invoke
from tests.webserver import Page, Site, html

PAGE = html('<title>Russia: masses on the streets | In Defence of Marxism</title>'
            '<meta property="og:site_name" content="In Defence of Marxism">'
            '<meta property="article:published_time" content="2021-01-25T10:00+03:00">')


def folder(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` (names and bytes), to compare before and after."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}


@pytest.fixture
def started(invoke: Invoke, db: Path) -> Path:
    """An archive that exists (with one record), so a refusal has files to keep."""
    assert invoke("add", "--title", "Before", "--id", "before").exit_code == 0
    return db


def test_capture_prints_the_new_records_id(invoke: Invoke, site: Site, db: Path) -> None:
    url = site.serve("/masses.htm", PAGE)
    result = invoke("capture", url, "--tag", "protests", "--kind", "article")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2021-russia-masses-streets\n"
    record_id = result.stdout.strip()
    with open_archive(db) as archive:
        record = archive.get(record_id)
    assert (record.title, record.date, record.kind, record.tags) == (
        "Russia: masses on the streets", "2021-01-25", "article", ("protests",))
    assert (db.parent / record.source.path).is_file()


def test_several_inputs_print_one_line_each(invoke: Invoke, site: Site, tmp_path: Path
                                            ) -> None:
    saved = tmp_path / "saved.html"
    saved.write_text(html("<title>Saved</title>"), encoding="utf-8")
    result = invoke("capture", site.serve("/a", PAGE), str(saved))
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


@pytest.mark.parametrize(("page", "options", "message"), [
    (Page(b"gone", status=404), (), "answered 404"),
    (Page(b"boom", status=500), (), "answered 500"),
    (Page(PAGE.encode(), delay=2), ("--timeout", "0.3"), "timed out"),
    (Page(endless=True), ("--max-size", "100000"), "over the limit of 100000 bytes"),
    (Page(status=302, headers=(("Location", "ftp://127.0.0.1:9/x"),)), (),
     "another scheme"),
    # The upgrade to https is followed: a server that is not there is the failure.
    (Page(status=302, headers=(("Location", "https://127.0.0.1:9/x"),)), (),
     "https://127.0.0.1:9/x: "),
])
def test_a_failed_fetch_is_one_line_and_changes_no_file(
        invoke: Invoke, site: Site, started: Path, page: Page, options: tuple[str, ...],
        message: str) -> None:
    url = site.serve("/page", page)
    before = folder(started.parent)
    result = invoke("capture", url, *options)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr and "nothing was written" in result.stderr
    assert folder(started.parent) == before


def test_a_failure_after_a_good_page_keeps_nothing_of_either(
        invoke: Invoke, site: Site, started: Path, tmp_path: Path) -> None:
    saved = started.parent / "saved.html"
    saved.write_text(PAGE, encoding="utf-8")
    before = folder(started.parent)
    result = invoke("capture", str(saved), "--copy", site.serve("/a", PAGE),
                    site.url("/missing"))
    assert result.exit_code == 1
    assert folder(started.parent) == before


@pytest.mark.parametrize(("args", "message"), [
    (["notes.txt"], "give an http or https URL"),
    (["ftp://example.org/file"], "only http and https"),
    (["missing.html"], "no such file: missing.html"),
    (["--url", "https://a.org/", "page.html"], "--url picks a page from a WARC file"),
    (["--kind", "novel", "page.html"], "unknown kind 'novel'"),
    (["--title", "T", "page.html", "page.html"], "--title names one page, and 2 were found"),
    (["untitled.html"], "states no title: give one with --title (nothing was written)"),
    (["--max-size", "10", "page.html"], "is over the limit of 10 bytes (--max-size)"),
])
def test_refusals_are_one_line_and_change_no_file(
        invoke: Invoke, started: Path, args: list[str], message: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    (started.parent / "page.html").write_text(PAGE, encoding="utf-8")
    (started.parent / "untitled.html").write_text("<p>no title</p>", encoding="utf-8")
    monkeypatch.chdir(started.parent)
    before = folder(started.parent)
    result = invoke("capture", *args)
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert folder(started.parent) == before


@pytest.mark.parametrize("args", [[], ["--timeout", "0", "x.html"],
                                  ["--max-size", "0", "x.html"]])
def test_a_malformed_command_line_exits_2(invoke: Invoke, args: list[str]) -> None:
    assert invoke("capture", *args).exit_code == 2


def test_dry_run_prints_the_records_and_writes_nothing(invoke: Invoke, site: Site,
                                                       started: Path) -> None:
    url = site.serve("/p", PAGE)
    before = folder(started.parent)
    result = invoke("capture", url, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "title: 'Russia: masses on the streets'" in result.stdout or \
        "title: Russia: masses on the streets" in result.stdout
    assert "path: sources/" in result.stdout
    assert "date_stated: '2021-01-25T10:00+03:00'" in result.stdout or \
        "date_stated: 2021-01-25T10:00+03:00" in result.stdout
    assert result.stderr == "dry run: would add 1 record; nothing was written\n"
    assert folder(started.parent) == before


def test_verify_detects_a_changed_warc_file(invoke: Invoke, site: Site, db: Path) -> None:
    record_id = invoke("capture", site.serve("/p", PAGE)).stdout.strip()
    assert invoke("verify").exit_code == 0
    with open_archive(db) as archive:
        warc = db.parent / archive.get(record_id).source.path
    os.chmod(warc, 0o644)
    warc.write_bytes(warc.read_bytes().replace(b"masses", b"masts!"))
    result = invoke("verify")
    assert result.exit_code == 1
    assert f"{record_id}  changed" in result.stdout


def test_undo_takes_a_capture_back(invoke: Invoke, site: Site, db: Path) -> None:
    record_id = invoke("capture", site.serve("/p", PAGE)).stdout.strip()
    assert invoke("undo").exit_code == 0
    assert invoke("show", record_id).exit_code == 1
    assert "capture" in invoke("history", "--format", "json").stdout


def test_a_saved_page_with_copy(invoke: Invoke, tmp_path: Path, db: Path) -> None:
    saved = tmp_path / "saved page.htm"
    saved.write_bytes(PAGE.encode("utf-8"))
    result = invoke("capture", str(saved), "--copy", "--title", "Masses")
    assert result.exit_code == 0, result.stderr
    shown = invoke("show", result.stdout.strip()).stdout
    assert re.search(r"^title: +Masses$", shown, re.M)
    assert "sources/" in shown and ".htm" in shown


def test_the_defaults_are_the_librarys() -> None:
    assert (capturing.CONNECT_TIMEOUT, capturing.TOTAL_TIMEOUT, capturing.MAX_SIZE) == (
        fetching.CONNECT_TIMEOUT, fetching.TOTAL_TIMEOUT, fetching.MAX_SIZE)


def test_without_the_web_extra_capture_says_how_to_install_it(
        invoke: Invoke, started: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "warcio", None)
    before = folder(started.parent)
    result = invoke("capture", "https://example.org/")
    assert result.exit_code == 1
    assert "pip install 'archivist[web]'" in result.stderr and "warcio" in result.stderr
    assert folder(started.parent) == before


def test_help_does_not_import_the_capture_libraries() -> None:
    code = ("import sys; from archivist.cli import cli\n"
            "for args in (['--help'], ['capture', '--help']):\n"
            "    try:\n        cli(args)\n    except SystemExit:\n        pass\n"
            "heavy = {'httpx', 'warcio', 'lxml', 'archivist.capture'} & set(sys.modules)\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_a_capture_of_several_pages_is_one_change_undone_at_once(
        invoke: Invoke, site: Site, tmp_path: Path) -> None:
    saved = tmp_path / "saved.html"
    saved.write_text(html("<title>Saved</title>"), encoding="utf-8")
    ids = invoke("capture", site.serve("/a", PAGE), str(saved)).stdout.split()
    entries = invoke("history", "--format", "json").stdout
    assert len(ids) == 2 and all(record_id in entries for record_id in ids)
    assert invoke("undo").exit_code == 0
    assert [invoke("show", record_id).exit_code for record_id in ids] == [1, 1]


def test_a_capture_into_postgresql_is_verified_from_its_sources_folder(
        invoke: Invoke, site: Site, pg_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("--db", pg_url, "add", "--title", "Before").exit_code == 0
    result = invoke("--db", pg_url, "capture", site.serve("/p", PAGE))
    assert result.exit_code == 0, result.stderr
    record_id = result.stdout.strip()
    with open_archive(pg_url) as archive:
        warc = tmp_path / archive.get(record_id).source.path
    assert warc.parent == tmp_path / "sources" and warc.suffix == ".warc"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the sources folder is the archive's, not this one
    verified = invoke("--db", pg_url, "verify")
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    os.chmod(warc, 0o644)
    warc.write_bytes(warc.read_bytes().replace(b"masses", b"masts!"))
    result = invoke("--db", pg_url, "verify")
    assert result.exit_code == 1
    assert f"{record_id}  changed" in result.stdout


def test_a_failed_capture_into_postgresql_changes_nothing(
        invoke: Invoke, site: Site, pg_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import fingerprint

    monkeypatch.chdir(tmp_path)
    assert invoke("--db", pg_url, "add", "--title", "Before").exit_code == 0
    before, files = fingerprint(pg_url), folder(tmp_path)
    good = site.serve("/good", PAGE)
    result = invoke("--db", pg_url, "capture", good, site.url("/gone"))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "404" in result.stderr
    assert (fingerprint(pg_url), folder(tmp_path)) == (before, files)
