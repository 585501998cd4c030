"""Extracting the text of source files: plain text, HTML, WARC and PDF, made here."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from archivist.textextract import decode, extract, html_text, read_and_extract


def pdf_bytes(*pages: str) -> bytes:
    """A minimal PDF, one page per text (Helvetica, one line each), offsets exact."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>")
    font = 3 + 2 * len(pages)
    for n, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Contents {4 + 2 * n} 0 R /Resources << /Font << /F1 {font} 0 R "
                       ">> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    start = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n"
              "%%EOF\n".encode())
    return out.getvalue()


def warc_bytes(responses: list[tuple[str, str, bytes]]) -> bytes:
    """A WARC file of HTTP responses ``(url, content type, body)``, written by warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for url, mime, body in responses:
        headers = StatusAndHeaders("200 OK", [("Content-Type", mime)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      http_headers=headers))
    return out.getvalue()


def test_plain_text_keeps_its_lines_and_prefers_utf8() -> None:
    found = extract("Ёжик\r\nin the fog\rend".encode())
    assert (found.kind, found.text, found.note) == ("text", "Ёжик\nin the fog\nend", "utf-8")


@pytest.mark.parametrize(("text", "encoding"), [("Café déjà vu, naïve", "cp1252"),
                                                ("Новочеркасск, 1962 год", "cp1251")])
def test_a_single_byte_encoding_is_detected(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding)) == (text, encoding)


def test_byte_order_marks_and_a_declared_charset_are_obeyed() -> None:
    assert extract("Ёжик".encode("utf-16")).text == "Ёжик"
    page = '<html><head><meta charset="koi8-r"></head><body>Ёжик</body></html>'
    found = extract(page.encode("koi8-r"), "page.html")
    assert found.kind == "html" and found.text == "Ёжик" and found.note == "koi8-r"


@pytest.mark.parametrize("label", ["iso-8859-1", "latin1", "us-ascii"])
def test_a_page_labelled_latin_1_is_read_as_windows_1252_as_capture_reads_it(
        label: str) -> None:
    from archivist.capture.charset import decode_page

    page = f'<html><head><meta charset="{label}"><title>\x93Dear Comrades\x94</title>' \
           '</head><body>\x93Dear Comrades\x94 \xe9</body></html>'
    data = page.encode("latin-1")
    found = extract(data, "page.html")
    assert found.text == "“Dear Comrades” é" and found.note == "cp1252"
    assert "“Dear Comrades” é" in decode_page(data).text


def test_binary_files_are_skipped_with_the_reason() -> None:
    found = extract(bytes(range(256)) * 4)
    assert (found.kind, found.text) == ("skipped", None) and "binary" in found.note


def test_html_gives_the_visible_text_on_the_lines_of_the_file() -> None:
    page = ("<!DOCTYPE html>\n<html><head><title>T</title>\n"
            "<style>p { color: red }</style></head>\n<body>\n"
            "<script>var azaryan = 1;</script>\n"
            "<p>Dear   <b>Comrades</b> &amp; friends</p>\n<p>second\nparagraph</p>\n"
            "</body></html>")
    text = extract(page.encode(), "x.bin")
    assert text.kind == "html"
    lines = text.text.split("\n") if text.text else []
    assert len(lines) == page.count("\n") + 1
    assert lines[5] == "Dear Comrades & friends" and lines[6:8] == ["second", "paragraph"]
    assert "azaryan" not in (text.text or "") and "color" not in (text.text or "")
    assert html_text("<p>a</p>") == "a"


def test_warc_gives_the_text_of_its_html_and_text_responses() -> None:
    data = warc_bytes([("http://a.example/", "text/html; charset=utf-8",
                        b"<p>Ter-Azaryan</p><script>hidden()</script>"),
                       ("http://b.example/i.png", "image/png", b"\x89PNG"),
                       ("http://c.example/t", "text/plain", b"plain words")])
    found = extract(data, "capture.warc")
    assert found.kind == "warc" and found.note == "2 responses"
    assert found.text == "Ter-Azaryan\nplain words"


def test_a_warc_without_text_or_damaged_is_skipped() -> None:
    assert extract(warc_bytes([("http://x/", "image/png", b"x")])).kind == "skipped"
    assert extract(b"WARC/1.0\r\ngarbage").kind == "skipped"


def test_pdf_gives_the_text_of_its_pages() -> None:
    found = extract(pdf_bytes("Miftakhov on page one", "Azaryan on page two"))
    assert found.kind == "pdf" and found.note == "2 pages"
    assert found.text is not None
    assert "Miftakhov on page one" in found.text and "Azaryan on page two" in found.text


def test_a_damaged_pdf_is_skipped() -> None:
    assert extract(b"%PDF-1.4\nnothing else").kind == "skipped"


def test_read_and_extract_hashes_the_bytes_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello\n")
    sha, found = read_and_extract(path)
    assert sha == hashlib.sha256(b"hello\n").hexdigest() and found.text == "hello\n"
    assert path.read_bytes() == b"hello\n"
