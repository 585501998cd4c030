"""Every page ``publish`` writes is valid HTML5 and passes the checks of a validator.

Pages are parsed by html5lib's strict HTML5 parser (one parse error fails) and checked
by :mod:`tests.htmlcheck` for what a parser lets through: unique ids, ``alt``, labels,
``lang``, landmarks, empty links, headings.  This holds for the published sample
archive and for records of any text (Hypothesis), whose text must read back from the
parsed page exactly as shown, and from the search index exactly as written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from archivist.errors import InvalidRecord
from archivist.models import record_from_mapping
from archivist.publish import PublishOptions, publish
from archivist.publish.catalogue import gather
from archivist.publish.pages import PageOptions, Pages, visible
from archivist.publish.searchindex import index_script
from archivist.store import memory_archive, open_archive
from tests.conftest import Invoke
from tests.htmlcheck import page_problems, parse, site_problems, text_of

#: Pieces that break out of text, attributes, comments or scripts when not escaped.
HOSTILE = ["</script>", "<script>alert(1)</script>", "<!--", "-->", '"', "'", "&amp;",
           "<img src=x onerror=alert(1)>", "]]>", "\u202e", "\u2066", "\x1b", "\x7f",
           "\x85", "\ufeff", "\ufdd0", "\uffff", "\U0010fffe", "\r", "`${x}`", "\\"]
#: Any text but NUL (which archivist refuses) and lone surrogates (not Unicode text).
ANY_CHARACTER = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(ANY_CHARACTER, max_size=6)),
                min_size=1, max_size=6).map("".join)
LINE = TEXT.map(lambda text: text.replace("\n", " ").replace("\r", " "))
#: Tags hold no control characters (archivist refuses them), anything else they may.
TAG = LINE.map(lambda text: "".join(char for char in text
                                    if unicodedata.category(char) != "Cc"))


def assert_site_valid(site: Path) -> int:
    """Check every page of ``site``; how many there were."""
    problems = site_problems(site)
    assert {name: found for name, found in problems.items() if found} == {}
    return len(problems)


@pytest.fixture
def sample_site(invoke: Invoke, records_dir: Path, tmp_path: Path) -> Path:
    assert invoke("import", str(records_dir)).exit_code == 0
    site = tmp_path / "site"
    result = invoke("publish", "-o", str(site), "--copy-sources", "--title", "Sample")
    assert result.exit_code == 0, result.stderr
    return site


def test_every_page_of_the_published_sample_is_valid(sample_site: Path) -> None:
    pages = assert_site_valid(sample_site)
    kinds = {path.parent.name for path in sample_site.rglob("*.html")}
    assert pages > 150
    assert {"records", "kinds", "tags", "creators", "publishers", "decades"} <= kinds


def test_a_part_of_the_sample_is_valid_too(sample_site: Path, invoke: Invoke,
                                          tmp_path: Path) -> None:
    # Links to records the query leaves out are shown as text, not as links.
    part = tmp_path / "part"
    result = invoke("publish", "tag:film", "-o", str(part), "--title", 'A <"part">')
    assert result.exit_code == 0, result.stderr
    assert "not published here" in "".join(
        page.read_text("utf-8") for page in (part / "records").glob("*.html"))
    assert assert_site_valid(part) > 10


# -- the checker itself finds what it should ----------------------------------------


def _front(sample_site: Path) -> str:
    return (sample_site / "index.html").read_text("utf-8")


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('<html lang="en">', "<html>", "no lang attribute"),
    ('<label for="search">', "<label>", "has no label"),
    ("</main>", "</main><main></main>", "<main> elements, not one"),
    ('id="results"', 'id="search"', "is used 2 times"),
    ('<footer class="site">', '<footer class="site"><footer>x</footer>', "<footer>"),
    ("</main>", '<nav aria-label="Browse">x</nav></main>', "without distinct names"),
    ("<h2 id=\"search-heading\">Search</h2>", "<h3>Search</h3>", "skips from h1 to h3"),
    ("Skip to the content</a>", "</a><a href=\"x.html\"> </a>", "is empty"),
    ('href="#main"', 'href="#nowhere"', "names no element"),
    ('<h2 id="search-heading">Search</h2>', '<h2 id="search-heading"> </h2>', "empty <h2>"),
    ("</main>", '<img src="x.png"></main>', "has no alt"),
    ("</main>", '<p onclick="x()">p</p></main>', "event handlers"),
])
def test_the_checker_finds_each_kind_of_problem(sample_site: Path, old: str, new: str,
                                                problem: str) -> None:
    page = _front(sample_site)
    assert old in page and page_problems(page) == []
    assert any(problem in found for found in page_problems(page.replace(old, new, 1)))


@pytest.mark.parametrize("broken", ["<ol <li>", "</div>", "<p title=a\"b>", "&nosuch;"])
def test_the_checker_refuses_what_does_not_parse(sample_site: Path, broken: str) -> None:
    import html5lib

    page = _front(sample_site).replace("</main>", f"{broken}</main>", 1)
    with pytest.raises(html5lib.html5parser.ParseError):
        page_problems(page)


# -- any text, on every page --------------------------------------------------------


def _publish(record: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    archive = memory_archive()
    try:
        stored = record_from_mapping(record)
    except InvalidRecord:
        assume(False)
    archive.add(stored)
    archive.add(record_from_mapping({"id": "other", "title": "Other"}))
    # Linked but left out of the site: its title is shown as text, "not published here".
    archive.add(record_from_mapping({"id": "hidden", "title": record["title"]}))
    archive.store_link("hostile", "about", "other")
    archive.store_link("hidden", "references", "hostile")
    docs = [doc for doc in archive.documents() if doc["id"] != "hidden"]
    site = Path(tempfile.mkdtemp(prefix="archivist-valid-"))
    Pages(gather(archive, docs, record["title"]), site, PageOptions()).write_all()
    (site / "search-index.js").write_text(index_script(docs), encoding="utf-8")
    return site, next(doc for doc in docs if doc["id"] == "hostile")


def _texts(root: ET.Element, selector: str) -> list[str]:
    return [text_of(element) for element in root.iterfind(selector)]


def _assert_reads_back(site: Path, doc: dict[str, Any]) -> None:
    """The parsed record page shows each value as :func:`visible` writes it."""
    root = parse((site / "records" / "hostile.html").read_text("utf-8"))
    assert _texts(root, ".//h1") == [visible(doc["title"])]
    for key, selector in (("summary", ".//dd[@class='summary']"),
                          ("subtitle", ".//p[@class='subtitle']")):
        assert _texts(root, selector) == ([visible(doc[key])] if doc.get(key) else [])
    assert text_of(root.find("./head/title")) == (  # type: ignore[arg-type]
        f"{visible(doc['title'])} · {visible(doc['title'])}")
    shown = _texts(root, ".//dl[@class='fields']/dd/ul/li/a/bdi")
    assert shown == [visible(text) for text in [*doc["creators"], *doc["tags"]]]


def _assert_index_reads_back(site: Path, doc: dict[str, Any]) -> None:
    """The search index holds the text as written, and no ``<`` a page could misread."""
    script = (site / "search-index.js").read_text("utf-8")
    assert "<" not in script and "\u2028" not in script and "\u2029" not in script
    prefix = "window.ARCHIVIST_INDEX = "
    assert script.startswith(prefix) and script.endswith(";\n")
    index = json.loads(script[len(prefix):-2])
    [entry] = [entry for entry in index["records"] if entry[0] == "hostile"]
    assert entry[1] == doc["title"]
    assert [index["creators"][n] for n in entry[5]] == list(doc["creators"])
    assert [index["tags"][n] for n in entry[6]] == list(doc["tags"])


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(title=LINE, subtitle=LINE, summary=TEXT, tags=st.lists(TAG, min_size=1, max_size=3),
       creators=st.lists(LINE, min_size=1, max_size=3), publisher=LINE, field=TEXT)
def test_any_text_makes_valid_pages_and_reads_back_as_written(
        title: str, subtitle: str, summary: str, tags: list[str], creators: list[str],
        publisher: str, field: str) -> None:
    site, doc = _publish({"id": "hostile", "title": title, "subtitle": subtitle,
                          "summary": summary, "tags": tags, "creators": creators,
                          "publisher": publisher, "url": field, "date": "1923",
                          "fields": {field: [field, {field: field}]}})
    try:
        assert_site_valid(site)
        _assert_reads_back(site, doc)
        _assert_index_reads_back(site, doc)
    finally:
        shutil.rmtree(site)


def test_facet_pages_past_the_first_are_valid(tmp_path: Path) -> None:
    db = tmp_path / "many.json"
    with open_archive(db, write=True) as archive:
        archive.add_many([(record_from_mapping({"id": f"r{n}", "title": f"R {n}",
                                                "tags": ["t"]}), None) for n in range(250)])
    with open_archive(db) as archive:
        publish(archive, tmp_path / "site", PublishOptions(graphs=False))
    assert assert_site_valid(tmp_path / "site") > 250
