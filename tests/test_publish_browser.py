"""The published sample archive, opened in a real browser (headless Chromium).

Uses Debian's ``chromium`` and ``chromium-driver`` through selenium; no browser is
downloaded.  Where they are missing the tests are skipped, except under ``CI=true``,
where a skipped browser test would hide a broken site: there they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archivist.cli import cli
from archivist.folding import fold
from tests.conftest import RECORDS
from tests.htmlcheck import site_problems

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1100,900")
#: Titles (and other text) that would run script if a page obeyed them.
HOSTILE_TITLE = '<img src=x onerror="window.pwned=1">'
HOSTILE_SCRIPT = "<script>window.pwned=2</script>"
HOSTILE_CREATOR = '"><svg onload="window.pwned=3">'
BIDI = "abc\u202edef"
#: Strings whose folding is easy to get wrong in JavaScript.
TRICKY = ["Solidarność", "Novocherkassk", "NOVOČERKASSK", "Straße", "STRASSE ẞ", "ΣΑΣ ς",
          "İstanbul ı", "ﬁnance ﬀ", "𝐃𝐞𝐚𝐫 ™", "Ꭰꭰ Ꮎ", "ǅ Ǆ ǆ", "ŉ", "йЙ ёЁ Щ", "Æsir œuvre",
          "Łódź Đorđe ħ þ ø", "“q” ‘s’ «r» — – ‐", "Ⅻ ① ｶﾞ", "ΐ ᾈ Ω K Å", "և ﬓ",
          "Ⴀ Ა", "ﬆ", "Ι͂", "ǰ", "e\u0301", "\u1e9e", "dž"]


def _browser_missing() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return "Chromium is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; under CI=true the browser tests must run")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="archivist-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive with hostile records added, published with its sources."""
    folder = tmp_path_factory.mktemp("published")
    records = folder / "records"
    shutil.copytree(RECORDS, records)
    db = str(folder / "archive.json")
    _run("--db", db, "import", str(records))
    hostile = _run("--db", db, "add", "--title", HOSTILE_TITLE, "--kind", "article",
                   "--creator", HOSTILE_CREATOR, "--tag", HOSTILE_SCRIPT,
                   "--url", "javascript:window.pwned=4", "--summary", BIDI,
                   "--publisher", HOSTILE_SCRIPT, "--date", "1923").strip()
    assert hostile
    script = _run("--db", db, "add", "--title", HOSTILE_SCRIPT, "--kind", "event",
                  "--url", "https://example.org/?a=<b>&c=\"d\"").strip()
    _run("--db", db, "link", hostile, "about", "weiss-2021-dear-comrades")
    _run("--db", db, "link", script, "references", hostile)
    _run("--db", db, "verify", "creator:weiss")
    _run("--db", db, "publish", "-o", str(folder / "site"), "--copy-sources",
         "--title", "Sample archive")
    return folder / "site"


def _hostile_id(site: Path) -> str:
    """The id archivist gave the record titled :data:`HOSTILE_TITLE`."""
    index = (site / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(index.split("=", 1)[1].rstrip().rstrip(";"))["records"]
    return str(next(entry[0] for entry in entries if entry[1] == HOSTILE_TITLE))


def _console_errors(driver: Any) -> list[Any]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _open(driver: Any, page: Path) -> None:
    driver.get(page.as_uri())


def _search(driver: Any, text: str) -> list[str]:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = driver.find_element(By.ID, "search-status").text
        if status:
            break
        time.sleep(0.05)
    return [link.text for link in driver.find_elements(By.CSS_SELECTOR, "#results a")]


def test_the_front_page_loads_from_file_without_console_errors(browser: Any, site: Path,
                                                               tmp_path: Path) -> None:
    _open(browser, site / "index.html")
    assert browser.title == "Home · Sample archive"
    assert _console_errors(browser) == []
    browser.save_screenshot(str(tmp_path / "front.png"))
    assert (tmp_path / "front.png").stat().st_size > 10_000


def test_search_finds_records_with_accents_folded(browser: Any, site: Path) -> None:
    _open(browser, site / "index.html")
    found = _search(browser, "novocherkassk")
    assert "Dear Comrades: Russian film about the 1962 Novocherkassk massacre" in found
    assert _search(browser, "NOVOCHERKASSK") == found
    ibarruri = "Jacobin glorifies Dolores Ibárruri, Stalinist executioner of the Spanish " \
               "Revolution"
    assert ibarruri in _search(browser, "ibarruri")
    assert ibarruri in _search(browser, "IBÁRRURI stalinist")
    assert _search(browser, "weiss film") != []
    assert _search(browser, "no such words at all") == []
    assert _console_errors(browser) == []


def test_javascript_folds_as_python_does(browser: Any, site: Path) -> None:
    _open(browser, site / "index.html")
    folded = browser.execute_script(
        "return arguments[0].map(function (t) { return window.archivistFold(t); })", TRICKY)
    assert folded == [fold(text) for text in TRICKY]


def test_a_record_links_to_its_neighbours_and_back(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, site / "records" / "weiss-2021-dear-comrades.html")
    relations = [dt.text for dt in browser.find_elements(By.CSS_SELECTOR, "dl.relations dt")]
    assert "referenced by" in relations and "subject of" in relations
    browser.find_element(By.LINK_TEXT, "History of Russia & the former Soviet Union").click()
    assert browser.current_url.endswith("/records/wsws-history-of-russia.html")
    back = browser.find_element(
        By.LINK_TEXT, "Dear Comrades: Russian film about the 1962 Novocherkassk massacre")
    assert back.get_attribute("href").endswith("/records/weiss-2021-dear-comrades.html")
    assert _console_errors(browser) == []


def test_hostile_text_runs_nothing_and_shows_as_written(browser: Any, site: Path,
                                                       tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    pages = [site / "index.html"]
    pages += [page for page in (site / "records").glob("*.html")
              if "pwned" in page.read_text(encoding="utf-8")]
    pages += [site / "tags" / "index.html", site / "creators" / "index.html"]
    assert len(pages) >= 4
    for page in pages:
        _open(browser, page)
        assert browser.execute_script("return typeof window.pwned") == "undefined", page
    _open(browser, site / "index.html")
    assert HOSTILE_TITLE in _search(browser, "onerror")
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    _open(browser, site / "records" / f"{_hostile_id(site)}.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE_TITLE
    assert "\\u202e" in browser.find_element(By.CSS_SELECTOR, "dd.summary").text
    url = browser.find_element(By.CSS_SELECTOR, "dd.url")
    assert url.text == "javascript:window.pwned=4" and url.find_elements(By.TAG_NAME, "a") == []
    browser.save_screenshot(str(tmp_path / "hostile.png"))


def test_every_internal_link_resolves(site: Path) -> None:
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found += [value for name, value in attrs
                           if name in ("href", "src") and value is not None]

    checked = 0
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.found:
            if link.startswith(("http://", "https://")):
                continue
            target = link.split("#")[0]
            if target:
                assert (page.parent / target).resolve().is_file(), (page, link)
                checked += 1
    assert checked > 1000


def test_every_page_with_hostile_records_is_valid_html(site: Path) -> None:
    # The site the browser opens, hostile records and copied sources included.
    problems = site_problems(site)
    assert len(problems) > 150
    assert {page: found for page, found in problems.items() if found} == {}


def test_a_long_facet_page_leads_on_to_its_next_page_and_back(browser: Any, site: Path,
                                                              tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, site / "kinds" / "article.html")
    status = browser.find_element(By.CSS_SELECTOR, "nav.pages p").text
    assert status.startswith("Records 1–100 of ") and status.endswith(", page 1 of 2")
    first = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol.records a")]
    assert len(first) == 100
    browser.find_element(By.LINK_TEXT, "Next page").click()
    assert browser.current_url.endswith("/kinds/article.page-2.html")
    second = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ol.records a")]
    assert second and not set(second) & set(first)
    assert browser.find_element(By.CSS_SELECTOR, "ol.records").get_attribute("start") == "101"
    assert browser.find_elements(By.LINK_TEXT, "Next page") == []
    browser.save_screenshot(str(tmp_path / "page-2.png"))
    browser.find_element(By.LINK_TEXT, "Previous page").click()
    assert browser.current_url.endswith("/kinds/article.html")
    assert _console_errors(browser) == []
