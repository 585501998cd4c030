"""A page's text in its own charset: its <meta>, then Content-Type, then detection."""

from __future__ import annotations

import codecs

import pytest

from archivist.capture.charset import (
    charset_of_content_type,
    decode_page,
    stated_in_page,
)

RUSSIAN = "Рабочая власть: «за революцию»"


def test_meta_charset_is_honoured() -> None:
    body = f'<meta charset="windows-1251"><title>{RUSSIAN}</title>'.encode("cp1251")
    decoded = decode_page(body, "text/html")
    assert (decoded.text.endswith(f"{RUSSIAN}</title>"), decoded.charset, decoded.how) == \
        (True, "windows-1251", "meta charset")


def test_http_equiv_is_a_meta_declaration() -> None:
    body = ('<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
            "Рабочая власть").encode("koi8-r")
    assert decode_page(body).charset == "koi8-r"
    assert "Рабочая власть" in decode_page(body).text


def test_the_content_type_charset_is_used_when_the_page_states_none() -> None:
    body = f"<title>{RUSSIAN}</title>".encode("cp1251")
    decoded = decode_page(body, "text/html; charset=windows-1251")
    assert (decoded.charset, decoded.how) == ("windows-1251", "Content-Type")
    assert RUSSIAN in decoded.text


def test_iso_8859_1_is_read_as_browsers_read_it() -> None:
    # 0x92 is a typographic apostrophe in windows-1252, a control in ISO-8859-1 proper.
    body = b"<title>Workers\x92 Power: caf\xe9</title>"
    decoded = decode_page(body, "text/html; charset=ISO-8859-1")
    assert "Workers\u2019 Power: café" in decoded.text
    assert decoded.charset == "iso-8859-1"


def test_a_declaration_that_does_not_decode_is_passed_over() -> None:
    # The page claims UTF-8 but is windows-1251, as the server says.
    body = f'<meta charset="utf-8"><p>{RUSSIAN}</p>'.encode("cp1251")
    decoded = decode_page(body, "text/html; charset=windows-1251")
    assert (decoded.charset, decoded.how) == ("windows-1251", "Content-Type")


def test_an_unknown_charset_name_is_passed_over() -> None:
    decoded = decode_page("<meta charset='x-no-such'><p>ü</p>".encode())
    assert (decoded.charset, decoded.how) == ("utf-8", "detected")


def test_without_any_declaration_utf8_is_detected() -> None:
    decoded = decode_page(f"<p>{RUSSIAN}</p>".encode())
    assert (decoded.charset, decoded.how, RUSSIAN in decoded.text) == \
        ("utf-8", "detected", True)


def test_bytes_that_are_not_utf8_fall_back_to_windows_1252() -> None:
    decoded = decode_page(b"<p>na\xefve</p>")
    assert (decoded.text, decoded.charset) == ("<p>naïve</p>", "windows-1252")


@pytest.mark.parametrize(("bom", "codec"), [(codecs.BOM_UTF8, "utf-8"),
                                            (codecs.BOM_UTF16_LE, "utf-16-le")])
def test_a_byte_order_mark_wins(bom: bytes, codec: str) -> None:
    body = bom + f'<meta charset="windows-1251"><p>{RUSSIAN}</p>'.encode(codec)
    decoded = decode_page(body)
    assert decoded.how == "BOM" and RUSSIAN in decoded.text


def test_the_declaration_readers() -> None:
    assert charset_of_content_type('text/html; charset="UTF-8"') == "UTF-8"
    assert charset_of_content_type("text/html") is None
    assert charset_of_content_type(None) is None
    assert stated_in_page(b"<META CHARSET=Shift_JIS>") == "Shift_JIS"
    assert stated_in_page(b"<p>charset=utf-8</p>") is None
