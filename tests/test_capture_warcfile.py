"""WARC files: what a capture writes is WARC/1.1 that warcio reads back, digests and
all, and the HTML responses of any WARC file are found with their offsets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archivist.capture.fetch import FetchLimits, fetch
from archivist.capture.warcfile import is_warc_name, read_pages, warc_date, write_capture
from archivist.errors import CaptureFailed, SourceError
from tests.webserver import Page, Site, html, write_warc


def _written(site: Site, path: str = "/p.html", body: bytes | None = None
             ) -> tuple[bytes, bytes, int]:
    body = body if body is not None else html("<title>W</title>").encode("utf-8")
    url = site.serve(path, body)
    out = io.BytesIO()
    offset = write_capture(fetch(url, FetchLimits(total_timeout=5)), out, "x.warc")
    return out.getvalue(), body, offset


def test_a_capture_is_warcinfo_request_response_in_warc_1_1(site: Site) -> None:
    data, body, _ = _written(site)
    records = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        records.append((record.format, record.rec_type, record.rec_headers,
                        record.content_stream().read()))
    assert [r[1] for r in records] == ["warcinfo", "request", "response"]
    assert all(r[2].protocol == "WARC/1.1" for r in records)
    info, request, response = records
    assert b"software: archivist/" in info[3]
    assert response[3] == body
    for _, _, headers, _ in records[1:]:
        assert headers.get_header("WARC-Payload-Digest", "").startswith("sha1:")
        assert headers.get_header("WARC-Block-Digest", "").startswith("sha1:")
    assert request[2].get_header("WARC-Concurrent-To") == \
        response[2].get_header("WARC-Record-ID")
    assert response[2].get_header("WARC-Target-URI") == site.url("/p.html")


def test_every_hop_of_a_redirect_is_written(site: Site) -> None:
    site.serve("/to", html("<title>T</title>"))
    start = site.serve("/from", Page(status=301, headers=(("Location", "/to"),)))
    out = io.BytesIO()
    write_capture(fetch(start, FetchLimits(total_timeout=5)), out, "x.warc")
    kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
             for r in ArchiveIterator(io.BytesIO(out.getvalue()))]
    assert kinds[1:] == [("request", start), ("response", start),
                         ("request", site.url("/to")), ("response", site.url("/to"))]


def test_the_offset_returned_is_the_pages_response_record(site: Site) -> None:
    data, body, offset = _written(site)
    record = next(iter(ArchiveIterator(io.BytesIO(data[offset:]))))
    assert record.rec_type == "response"
    assert record.content_stream().read() == body


def test_the_payload_is_the_served_bytes_in_any_charset(site: Site) -> None:
    body = html('<meta charset="windows-1251"><title>Рабочая власть</title>'
                ).encode("windows-1251")
    data, _, offset = _written(site, "/cp1251.html", body)
    record = next(iter(ArchiveIterator(io.BytesIO(data[offset:]))))
    assert record.content_stream().read() == body


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_read_pages_finds_each_html_response_with_its_offset(tmp_path: Path,
                                                             name: str) -> None:
    path = tmp_path / name
    write_warc(path, [("https://a.org/", "text/html; charset=utf-8", b"<title>A</title>",
                  "200 OK"),
                 ("https://a.org/logo.png", "image/png", b"\x89PNG", "200 OK"),
                 ("https://a.org/gone", "text/html", b"<title>404</title>", "404 Not Found"),
                 ("https://a.org/b", "application/xhtml+xml", b"<title>B</title>",
                  "200 OK")], gz=name.endswith(".gz"))
    pages = list(read_pages(path))
    assert [p.url for p in pages] == ["https://a.org/", "https://a.org/b"]
    assert pages[0].content_type == "text/html; charset=utf-8"
    data = path.read_bytes()
    for page in pages:
        record = next(iter(ArchiveIterator(io.BytesIO(data[page.offset:]))))
        assert record.rec_headers.get_header("WARC-Target-URI") == page.url
        assert record.rec_headers.get_header("WARC-Record-ID") == page.record_id
        assert record.content_stream().read() == page.body


def test_a_file_that_is_not_warc_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not.warc"
    path.write_text("<html>not a WARC</html>", encoding="utf-8")
    with pytest.raises(CaptureFailed, match="not a WARC file"):
        list(read_pages(path))


def test_a_missing_warc_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(read_pages(tmp_path / "none.warc"))


def test_warc_names_and_dates() -> None:
    assert is_warc_name("a.warc") and is_warc_name("A.WARC.GZ")
    assert not is_warc_name("a.html") and not is_warc_name("warc")
    assert warc_date(0) == "1970-01-01T00:00:00.000000Z"
