"""BibTeX entries as records: the mapping, inheritance, sets, and nothing guessed."""

from __future__ import annotations

from typing import Any

from archivist.importing.bibtex import records

Problems = list[tuple[tuple[int, int], str]]


def _records(text: str, problems: Problems | None = None) -> list[dict[str, Any]]:
    found = problems if problems is not None else []
    out = [dict(item) for _, item, _, _ in records(text, lambda at, m: found.append((at, m)))]
    if problems is None:
        assert found == []
    return out


def test_an_article_as_zotero_writes_it() -> None:
    [record] = _records(r"""
@article{weiss_dear_2021,
	title = {``{Dear} {Comrades}!'': {Andrei} {Konchalovsky}'s film},
	volume = {12},
	url = {https://www.wsws.org/en/articles/2021/01/23/russ-j23.html},
	doi = {10.1234/x_y},
	abstract = {A review of the film.},
	language = {en},
	journal = {World Socialist Web Site},
	author = {Weiss, Clara and {World Socialist Web Site} and others},
	editor = {North, David},
	month = jan,
	year = {2021},
	keywords = {film, Soviet Union},
	pages = {12--34},
	number = {3},
	address = {Detroit},
	urldate = {2021-02-01},
}""")
    assert record["id"] == "weiss_dear_2021" and record["kind"] == "article"
    assert record["title"] == "“Dear Comrades!”: Andrei Konchalovsky's film"
    assert record["creators"] == ["Clara Weiss", "World Socialist Web Site"]
    assert record["date"] == "2021-01"
    assert record["publisher"] == "World Socialist Web Site"
    assert record["language"] == "en" and record["summary"] == "A review of the film."
    assert record["url"] == "https://www.wsws.org/en/articles/2021/01/23/russ-j23.html"
    assert record["tags"] == ["film", "Soviet Union"]
    assert record["fields"] == {
        "citekey": "weiss_dear_2021", "entrytype": "article", "editor": ["David North"],
        "note": "author: and others", "volume": "12", "doi": "10.1234/x_y",
        "pages": "12-34", "issue": "3", "place": "Detroit", "urldate": "2021-02-01"}


def test_biblatex_dates_ranges_and_types() -> None:
    found = _records(
        "@online{a, title={A}, date={1997/1999}, langid={russian}, organization={WSWS}}\n"
        "@thesis{b, title={B}, date={1920/}, school={MIT}, type={phdthesis}}\n"
        "@incollection{c, title={C}, booktitle={The Book}, year={1923}, publisher={P}}\n"
        "@misc{d, title={D}, year={forthcoming}, howpublished={Leaflet}}\n"
        "@book{e, title={E}, date={1923~}}\n")
    assert [(r["kind"], r.get("date")) for r in found] == [
        ("web-page", "1997/1999"), ("other", "1920/.."), ("chapter", "1923"),
        ("other", None), ("book", "1923~")]
    assert found[0]["language"] == "ru" and found[0]["publisher"] == "WSWS"
    assert found[1]["fields"]["entrytype"] == "thesis" and found[1]["publisher"] == "MIT"
    assert found[2]["fields"]["container"] == "The Book"
    # No date is made up from "forthcoming": it is kept as written.
    assert found[3]["fields"]["year"] == "forthcoming" and found[3]["publisher"] == "Leaflet"


def test_crossref_and_xdata_children_inherit_as_biber_does() -> None:
    found = _records(
        "@xdata{pub, publisher={Porcupine Press}, location={London}}\n"
        "@incollection{ch, crossref={bk}, title={Chapter}, author={Hebbes, Ian}}\n"
        "@book{bk, title={The Book}, subtitle={Essays}, year={1998}, xdata={pub}}\n")
    assert [r["id"] for r in found] == ["ch", "bk"]
    chapter, book = found
    assert chapter["date"] == "1998" and chapter["publisher"] == "Porcupine Press"
    assert chapter["fields"]["container"] == "The Book"
    assert chapter["fields"]["booksubtitle"] == "Essays"
    assert book["fields"]["place"] == "London"


def test_a_missing_parent_is_refused_at_its_crossref() -> None:
    problems: Problems = []
    assert _records("@book{a, title={A},\n  crossref={nope}}\n", problems) == []
    assert problems == [((2, 3), "crossref names 'nope', which is not an entry of this file")]


def test_a_set_is_a_collection_with_has_part_links() -> None:
    found = _records("@set{s, entryset={a, b}, title={Both}}\n@set{untitled, entryset={a}}\n"
                     "@book{a, title={A}}\n@book{b, title={B}}\n")
    assert [r["id"] for r in found] == ["s", "a", "b"]
    assert found[0]["kind"] == "collection"
    assert [dict(link) for link in found[0]["links"]] == [
        {"rel": "has-part", "target": "a"}, {"rel": "has-part", "target": "b"}]


def test_a_key_that_is_not_an_id_is_kept_as_the_citekey_only() -> None:
    [record] = _records("@book{Weiss:2021/a, title={T}}\n")
    assert "id" not in record and record["fields"]["citekey"] == "Weiss:2021/a"
