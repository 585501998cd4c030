"""Reading RIS as Zotero, EndNote and Web of Science write it."""

from __future__ import annotations

from typing import Any

from archivist.importing.ris import records
from archivist.yamlio import decode

Problems = list[tuple[tuple[int, int], str]]

ZOTERO = """TY  - JOUR
TI  - Dear Comrades
AU  - Weiss, Clara
AU  - King, Martin, Jr.
AU  - World Socialist Web Site
A2  - North, David
T2  - World Socialist Web Site
PY  - 2021
DA  - 2021/02/09/
VL  - 12
SP  - 12
EP  - 34
DO  - 10.1234/x
UR  - https://www.wsws.org/x
LA  - en
KW  - film
KW  - Soviet Union
AB  - A review
  in two lines.
XY  - an unknown tag
ER  -

"""


def _records(text: str, problems: Problems | None = None) -> list[dict[str, Any]]:
    found = problems if problems is not None else []
    out = [dict(item) for _, item, _, _ in records(text, lambda at, m: found.append((at, m)))]
    if problems is None:
        assert found == []
    return out


def test_a_journal_article_as_zotero_writes_it() -> None:
    [record] = _records(decode(b"\xef\xbb\xbf" + ZOTERO.encode(), "x"))
    assert record["kind"] == "article" and record["title"] == "Dear Comrades"
    assert record["creators"] == ["Clara Weiss", "Martin King Jr.", "World Socialist Web Site"]
    assert record["date"] == "2021-02-09" and record["publisher"] == "World Socialist Web Site"
    assert record["summary"] == "A review in two lines."
    assert record["tags"] == ["film", "Soviet Union"] and record["language"] == "en"
    assert record["url"] == "https://www.wsws.org/x" and "id" not in record
    assert record["fields"] == {"ristype": "JOUR", "editor": ["David North"], "pages": "12-34",
                                "volume": "12", "doi": "10.1234/x", "XY": "an unknown tag"}


def test_dates_as_ris_writes_them() -> None:
    text = "".join(f"TY  - BOOK\nTI  - T\n{line}\nER  - \n" for line in [
        "PY  - 2014//", "Y1  - 2014/03//", "DA  - 2014/03/05/", "DA  - 1930///circa",
        "DA  - 1920///to 1925", "DA  - 1920///or later", "DA  - 1927///uncertain",
        "PY  - 2014", "DA  - 2014-03", "PY  - forthcoming"])
    assert [r.get("date") for r in _records(text)] == [
        "2014", "2014-03", "2014-03-05", "1930~", "1920/1925", "1920/..", "1927?", "2014",
        "2014-03", None]


def test_an_id_becomes_the_citekey_and_a_valid_one_the_id() -> None:
    found = _records("TY  - BOOK\nID  - weiss2021\nTI  - A\nER  - \n"
                     "TY  - BOOK\nID  - 12:34\nTI  - B\nER  - \n")
    assert [(r.get("id"), r["fields"]["citekey"]) for r in found] == [
        ("weiss2021", "weiss2021"), (None, "12:34")]


def test_broken_references_are_refused_where_they_are() -> None:
    problems: Problems = []
    found = _records("TI  - before any reference\nTY  - BOOK\nTI  - A\n"
                     "TY  - BOOK\nTI  - B\nER  - \nTY  - BOOK\n", problems)
    assert [r["title"] for r in found] == ["B"]
    assert problems == [
        ((1, 1), "the tag TI stands outside a reference (open each with 'TY  - ')"),
        ((2, 1), "this reference has no 'ER  - ' before the next 'TY  - '"),
        ((7, 1), "this reference is not closed by 'ER  - ' before the end of the file")]
