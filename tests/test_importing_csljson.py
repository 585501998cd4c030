"""CSL-JSON items as Zotero and pandoc write them, checked for the shapes they must have."""

from __future__ import annotations

from typing import Any

import pytest

from archivist.importing.csljson import looks_like_csl, record
from archivist.yamlio import load_all

Problems = list[tuple[tuple[int, int], str]]


def _record(text: str, problems: Problems | None = None) -> dict[str, Any] | None:
    found = problems if problems is not None else []
    [item] = load_all(text)[0]
    out = record(item, lambda at, m: found.append((at, m)))
    if problems is None:
        assert found == []
    return dict(out) if out is not None else None


def test_a_zotero_item() -> None:
    item = _record("""[{"id": "http://zotero.org/users/1/items/ABCD", "type": "article-journal",
  "title": "Dear Comrades", "container-title": "Critique", "publisher": "Routledge",
  "author": [{"family": "Weiss", "given": "Clara"}, {"literal": "our correspondents"},
             {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
             {"family": "King", "given": "Martin", "suffix": "Jr."}],
  "editor": [{"family": "North", "given": "David"}],
  "issued": {"date-parts": [["2021", 2, 9]]}, "DOI": "10.1/x", "page": "12-34",
  "URL": "https://x.org", "abstract": "A.", "language": "en-GB",
  "keyword": "film, history", "note": "kept"}]""")
    assert item is not None
    assert item["kind"] == "article" and "id" not in item
    assert item["creators"] == ["Clara Weiss", "our correspondents", "Ludwig van Beethoven",
                                "Martin King Jr."]
    assert item["date"] == "2021-02-09" and item["publisher"] == "Routledge"
    assert item["url"] == "https://x.org" and item["language"] == "en-GB"
    assert item["tags"] == ["film", "history"] and item["summary"] == "A."
    assert item["fields"] == {"csltype": "article-journal",
                              "citekey": "http://zotero.org/users/1/items/ABCD",
                              "editor": ["David North"], "container": "Critique",
                              "doi": "10.1/x", "pages": "12-34", "note": "kept"}


@pytest.mark.parametrize(("issued", "date"), [
    ('{"date-parts": [[1920], [1925]]}', "1920/1925"),
    ('{"date-parts": [[1920], [0]]}', "1920/.."),
    ('{"date-parts": [[1923]], "circa": true}', "1923~"),
    ('{"literal": "–1925"}', "../1925"),
    ('{"raw": "1997-03"}', "1997-03"),
    ('{"raw": "spring 1997"}', None),
])
def test_dates(issued: str, date: str | None) -> None:
    item = _record(f'[{{"id": "k", "type": "book", "title": "T", "issued": {issued}}}]')
    assert item is not None and item.get("date") == date
    if date is None:
        assert item["fields"]["issued"] == "spring 1997"


def test_a_subtitle_the_export_marked_is_split_off() -> None:
    item = _record('[{"id": "k", "type": "book", "title": "T: S", "custom": {"subtitle": "S"},'
                   ' "author": [{"literal": "X"}]}]')
    assert item is not None and (item["title"], item["subtitle"]) == ("T", "S")


@pytest.mark.parametrize(("text", "message"), [
    ('[{"type": "book", "author": "Weiss"}]', "author is a list of names"),
    ('[{"type": "book", "author": [{"given": "C"}]}]', "a CSL name needs family or literal"),
    ('[{"type": "book", "issued": "2021"}]',
     "a CSL date is a mapping with date-parts, raw or literal"),
    ('[{"type": "book", "issued": {"date-parts": [["x"]]}}]',
     "a date part must be a number, not 'x'"),
])
def test_shapes_csl_does_not_allow_are_refused(text: str, message: str) -> None:
    problems: Problems = []
    assert _record(text, problems) is None
    assert [m for _, m in problems] == [message]


def test_items_are_recognised() -> None:
    assert looks_like_csl({"type": "book", "issued": {}})
    assert not looks_like_csl({"type": "book", "kind": "book", "author": []})
