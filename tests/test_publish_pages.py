"""The pages of a published site (archivist.publish.pages): escaping and what is shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archivist.models import record_from_mapping
from archivist.publish.catalogue import gather
from archivist.publish.pages import (
    TEMPLATES,
    PageOptions,
    Pages,
    how_text,
    is_web_url,
    language_attribute,
    visible,
)
from archivist.store import memory_archive

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _site(tmp_path: Path, **values: object) -> Path:
    archive = memory_archive()
    record = {"id": "r", "title": HOSTILE, "summary": "a\u202eb\x1bc", "tags": [HOSTILE],
              "creators": [HOSTILE], "fields": {HOSTILE: {"k": [HOSTILE]}}, **values}
    archive.add(record_from_mapping(record))
    archive.add(record_from_mapping({"id": "s", "title": "S", "language": "ru"}))
    archive.store_link("r", "about", "s")
    Pages(gather(archive, list(archive.documents()), HOSTILE), tmp_path,
          PageOptions()).write_all()
    return tmp_path


def test_no_template_marks_anything_safe() -> None:
    for template in TEMPLATES.glob("*.html"):
        assert "|safe" not in template.read_text().replace(" ", ""), template


def test_record_text_is_escaped_on_every_page(tmp_path: Path) -> None:
    site = _site(tmp_path, url="javascript:alert(3)")
    pages = list(site.rglob("*.html"))
    assert len(pages) > 8
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>" not in text and "<img src=x" not in text, page
        assert [src for src in re.findall(r"<script[^>]*>", text)
                if not re.fullmatch(r'<script src="[a-z-]+\.js" defer>', src)] == []
        assert 'http-equiv="Content-Security-Policy"' in text
        assert "script-src 'self'" in text and "default-src 'none'" in text
    record = (site / "records" / "r.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in record
    assert "a\\u202eb\\u001bc" in record and "\u202e" not in record
    assert "javascript:alert(3)" in record and 'href="javascript' not in record


def test_web_urls_become_links_that_keep_no_referrer(tmp_path: Path) -> None:
    site = _site(tmp_path, url='https://example.org/?q="x"&y=<z>')
    record = (site / "records" / "r.html").read_text(encoding="utf-8")
    assert ('<a href="https://example.org/?q=&#34;x&#34;&amp;y=&lt;z&gt;" '
            'rel="noopener noreferrer">') in record


def test_links_read_from_each_end(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert re.search(r"<dt>about</dt>\s*<dd><ul><li><a href=\"s.html\">",
                     (site / "records" / "r.html").read_text(encoding="utf-8"))
    other = (site / "records" / "s.html").read_text(encoding="utf-8")
    assert "<dt>subject of</dt>" in other and 'href="r.html"' in other
    assert '<h1 dir="auto" lang="ru">S</h1>' in other


@pytest.mark.parametrize(("url", "link"), [
    ("https://a.org/x", True), ("HTTP://a.org", True), ("javascript:alert(1)", False),
    ("data:text/html,<b>", False), (" https://a.org", False), ("https://a.org/\nx", False),
    ("ftp://a.org", False), ("//a.org", False), (None, False)])
def test_only_http_and_https_urls_are_links(url: str | None, link: bool) -> None:
    assert is_web_url(url) is link


def test_visible_shows_controls_and_bidi_marks() -> None:
    assert visible("a\u202eb\u2066c\x00\x9f") == "a\\u202eb\\u2066c\\u0000\\u009f"
    assert visible("line\nnext\ttab") == "line\nnext\ttab"
    assert visible(None) == "" and visible(3) == 3


def test_visible_shows_noncharacters_and_keeps_every_other_character() -> None:
    assert visible("\ufdd0\ufffe\U0001ffff\U0010fffe") == "\\ufdd0\\ufffe\\U0001ffff\\U0010fffe"
    kept = "\ufdcf\ufdf0\ufffd\U0001fffd\U00020000\U0002a6d6\U0010fffd😀"
    assert visible(kept) == kept


def test_language_attribute_and_how() -> None:
    assert language_attribute("ru") == "ru" and language_attribute("en-GB") == "en-GB"
    assert language_attribute('ru" onclick="x') is None and language_attribute(None) is None
    assert how_text({"file": "a.yaml", "sha256": "ab" * 32}) == "import of a.yaml (sha256 " \
        "abababababab…)"
    assert how_text({"command": "archivist add"}) == "archivist add"
    assert how_text(None) is None
