"""Long lists of a published site split into pages (archivist.publish.paging)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archivist.models import record_from_mapping
from archivist.publish.catalogue import gather, slug
from archivist.publish.pages import PageOptions, Pages
from archivist.publish.paging import PAGE_SIZE, page_file, paginate
from archivist.store import memory_archive
from tests.htmlcheck import page_problems, parse, text_of

#: Records in the one big tag: many pages, the last one short.
BIG = 30 * PAGE_SIZE + 7


def test_pages_cover_the_list_once_in_order() -> None:
    pages = list(paginate("film", list(range(250)), size=100))
    assert [page.file for page in pages] == ["film.html", "film.page-2.html",
                                             "film.page-3.html"]
    assert [list(page.items) for page in pages] == [list(range(100)), list(range(100, 200)),
                                                    list(range(200, 250))]
    assert [(page.first, page.last, page.total, page.count) for page in pages] == [
        (1, 100, 250, 3), (101, 200, 250, 3), (201, 250, 250, 3)]
    assert [(page.previous, page.next) for page in pages] == [
        (None, "film.page-2.html"), ("film.html", "film.page-3.html"),
        ("film.page-2.html", None)]
    assert {(page.first_page, page.last_page) for page in pages} == {
        ("film.html", "film.page-3.html")}


@pytest.mark.parametrize(("length", "count"), [(0, 1), (1, 1), (100, 1), (101, 2)])
def test_page_counts(length: int, count: int) -> None:
    pages = list(paginate("x", list(range(length)), size=100))
    assert len(pages) == count and pages[-1].next is None


def test_a_page_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError):
        list(paginate("x", [1], size=0))


def test_the_first_page_keeps_the_lists_own_name() -> None:
    assert page_file("index", 1) == "index.html"
    assert page_file("index", 2) == "index.page-2.html"


@pytest.fixture(scope="module")
def big_tag(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The facet pages of an archive with :data:`BIG` records in the tag ``big``."""
    archive = memory_archive()
    archive.add_many([(record_from_mapping({"id": f"r{n:05}", "title": f"Record {n:05}",
                                            "tags": ["big", f"t{n}"]}), None)
                      for n in range(BIG)])
    folder = tmp_path_factory.mktemp("paged")
    Pages(gather(archive, list(archive.documents()), "Big"), folder, PageOptions()).facets()
    return folder


def _root(page: Path) -> ET.Element:
    return parse(page.read_text("utf-8"))


def _next(root: ET.Element) -> str | None:
    found = {a.get("href") for a in root.iterfind(".//nav[@class='pages']//a[@rel='next']")}
    assert len(found) <= 1
    return found.pop() if found else None


def test_a_tag_of_thousands_of_records_is_paginated(big_tag: Path) -> None:
    folder = big_tag / "tags"
    page: str | None = f"{slug('big')}.html"
    seen: list[str] = []
    number = 0
    while page is not None:
        number += 1
        root = _root(folder / page)
        listed = [text_of(a) for a in root.iterfind(".//ol[@class='records']/li/a")]
        assert 0 < len(listed) <= PAGE_SIZE
        status = text_of(root.find(".//nav[@class='pages']/p"))  # type: ignore[arg-type]
        assert f"page {number} of 31" in status and f"of {BIG:,}" in status
        seen += listed
        page = _next(root)
    assert number == 31
    assert seen == [f"Record {n:05}" for n in range(BIG)]


def test_previous_links_lead_back_and_titles_say_the_page(big_tag: Path) -> None:
    folder = big_tag / "tags"
    stem = slug("big")
    second = (folder / f"{stem}.page-2.html").read_text("utf-8")
    assert f'<a href="{stem}.html" rel="prev">' in second
    assert f'<a href="{stem}.page-3.html" rel="next">' in second
    assert f'<a href="{stem}.page-31.html">Last page</a>' in second
    assert "First page" not in second  # the previous page is the first
    third = (folder / f"{stem}.page-3.html").read_text("utf-8")
    assert f'<a href="{stem}.html">First page</a>' in third
    assert "<title>big (page 2 of 31) · Big</title>" in second
    assert '<ol class="records" start="101">' in second
    last = (folder / f"{stem}.page-31.html").read_text("utf-8")
    assert 'rel="next"' not in last and "Last page" not in last
    assert len(re.findall(r"<li><a href=\"\.\./records", last)) == 7
    assert not (folder / f"{stem}.page-32.html").exists()
    assert page_problems(second) == [] and page_problems(last) == []


def test_a_short_list_has_one_page_and_no_page_links(big_tag: Path) -> None:
    page = (big_tag / "tags" / f"{slug('t1')}.html").read_text("utf-8")
    assert 'class="pages"' not in page and "(page" not in page
    assert not list((big_tag / "tags").glob(f"{slug('t1')}.page-*.html"))


def test_the_list_of_values_is_paginated_too(big_tag: Path) -> None:
    lists = sorted(path.name for path in (big_tag / "tags").glob("index*.html"))
    assert len(lists) == -(-(BIG + 1) // PAGE_SIZE)
    assert all(page_problems((big_tag / "tags" / name).read_text("utf-8")) == []
               for name in lists[:2])
