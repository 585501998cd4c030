"""What a page says about itself, in order of trust, remembered by source; nothing
invented; dates as stated; text as written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from archivist.capture.metadata import describe_page, stated_day, strip_site_suffix
from tests.webserver import html, metas


def describe(head: str, body: str = "<p>Text.</p>", **kwargs: Any) -> tuple[
        dict[str, Any], dict[str, Any]]:
    found = describe_page(html(head, body, **kwargs).encode("utf-8"))
    return found.values, found.fields


def ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


ARTICLE = {"@context": "https://schema.org", "@type": "NewsArticle",
           "headline": "Dear Comrades", "datePublished": "2021-02-09T18:00:00-05:00",
           "dateModified": "2021-02-11T10:00:00-05:00",
           "author": [{"@type": "Person", "name": "Clara Weiss"},
                      {"@type": "Person", "name": "Tom Carter"}],
           "publisher": {"@type": "Organization", "name": "World Socialist Web Site"},
           "description": "A film review.", "inLanguage": "en-GB"}


def test_json_ld_fills_every_field_it_states() -> None:
    values, fields = describe("<title>Ignored | WSWS</title>" + ld(ARTICLE))
    assert values == {"title": "Dear Comrades", "creators": ["Clara Weiss", "Tom Carter"],
                      "date": "2021-02-09", "publisher": "World Socialist Web Site",
                      "language": "en-GB", "summary": "A film review."}
    assert fields["captured_from"] == {
        "charset": "detected", "title": "json-ld:headline", "creators": "json-ld:author",
        "date": "json-ld:datePublished", "publisher": "json-ld:publisher",
        "language": "json-ld:inLanguage", "summary": "json-ld:description",
        "date_modified": "json-ld:dateModified"}
    assert fields["date_stated"] == "2021-02-09T18:00:00-05:00"
    assert fields["date_modified"] == "2021-02-11T10:00:00-05:00"


def test_json_ld_in_a_graph_describes_the_work_not_the_site() -> None:
    graph = {"@graph": [{"@type": "WebSite", "name": "IDOM"},
                        {"@type": "BreadcrumbList", "name": "Home"},
                        {"@type": "WebPage", "name": "Russia: masses on the streets"}]}
    values, fields = describe(ld(graph))
    assert values["title"] == "Russia: masses on the streets"
    assert fields["captured_from"]["title"] == "json-ld:name"


def test_a_broken_json_ld_block_says_nothing() -> None:
    values, _ = describe('<script type="application/ld+json">{"headline": </script>'
                         "<title>Plain</title>")
    assert values["title"] == "Plain"


def test_dublin_core_in_either_spelling() -> None:
    values, fields = describe(
        '<meta name="DC.title" content="Workers&#39; Power">'
        '<meta name="DC.creator" content="Ivanov, Ivan">'
        '<meta name="DC.creator" content="Petrova, Anna">'
        '<meta name="DCTERMS.modified" content="2025-05-23">'
        '<meta name="DCTERMS.issued" content="2024-06-01">'
        '<meta name="dc.publisher" content="Rabochaya Vlast">'
        '<meta name="DC.language" content="ru">'
        '<meta name="DCTERMS.abstract" content="An organisation.">')
    assert values == {"title": "Workers' Power", "creators": ["Ivanov, Ivan", "Petrova, Anna"],
                      "date": "2024-06-01", "publisher": "Rabochaya Vlast", "language": "ru",
                      "summary": "An organisation."}
    assert fields["captured_from"]["date"] == "DCTERMS.issued"
    assert fields["captured_from"]["creators"] == "DC.creator"
    assert fields["date_modified"] == "2025-05-23"
    assert "date_stated" not in fields


def test_highwire_citation_tags() -> None:
    values, fields = describe(
        '<meta name="citation_title" content="On the Workers Group">'
        '<meta name="citation_author" content="Miasnikov, Gavril">'
        '<meta name="citation_author" content="Kuznetsov, N.">'
        '<meta name="citation_publication_date" content="1923/05/01">'
        '<meta name="citation_publisher" content="Left Library">')
    assert values["creators"] == ["Miasnikov, Gavril", "Kuznetsov, N."]
    assert values["date"] == "1923-05-01"
    assert fields["date_stated"] == "1923/05/01"
    assert fields["captured_from"]["title"] == "citation_title"


def test_open_graph_and_an_author_that_is_a_url() -> None:
    values, fields = describe(metas(
        "property", ("og:title", "Russia: masses on the streets"),
        ("og:site_name", "In Defence of Marxism"),
        ("article:published_time", "2012-04-04T19:50-07:00"),
        ("article:author", "https://www.facebook.com/imt"),
        ("og:description", "Protests on 23 January.")))
    assert values["date"] == "2012-04-04"  # its own local day; in UTC it is the 5th
    assert fields["date_stated"] == "2012-04-04T19:50-07:00"
    assert fields["captured_from"]["date"] == "article:published_time"
    assert "creators" not in values  # a profile URL is not a name
    assert values["publisher"] == "In Defence of Marxism"
    assert values["summary"] == "Protests on 23 January."


def test_an_open_graph_author_that_is_a_name_is_taken() -> None:
    values, fields = describe('<meta property="article:author" content="Clara Weiss">')
    assert values["creators"] == ["Clara Weiss"]
    assert fields["captured_from"]["creators"] == "article:author"


def test_plain_author_and_description() -> None:
    values, fields = describe('<meta name="author" content="Alex Lantier">'
                              '<meta name="description" content="  Two   lines\n here ">'
                              "<title>T</title>")
    assert values["creators"] == ["Alex Lantier"]
    assert values["summary"] == "Two lines here"
    assert fields["captured_from"]["summary"] == "description"


def test_the_order_of_trust_decides_between_sources() -> None:
    values, fields = describe(
        metas("property", ("og:title", "OG title"), ("article:published_time", "2020-01-01"))
        + metas("name", ("citation_title", "Citation title"), ("DC.title", "DC title"),
                ("author", "Meta Author"), ("citation_date", "2019-12-31"))
        + ld({"@type": "Article", "headline": "LD title"}) + "<title>Title</title>")
    assert values["title"] == "LD title"
    assert values["date"] == "2019-12-31"
    assert fields["captured_from"]["date"] == "citation_date"
    assert values["creators"] == ["Meta Author"]


def test_a_page_with_no_metadata_gets_only_its_title() -> None:
    found = describe_page(b"<html><head><title>Russia: masses on the streets</title>"
                          b"</head><body><p>On 23 January 2021, by IMT Moscow</p></body>"
                          b"</html>")
    assert found.values == {"title": "Russia: masses on the streets"}
    assert found.fields == {"charset": "utf-8", "captured_from": {
        "charset": "detected", "title": "<title>"}}


def test_html_lang_and_canonical() -> None:
    values, fields = describe('<link rel="canonical" href="https://a.org/x">'
                              '<link rel="alternate" href="https://a.org/y">', lang="pl")
    assert (values["language"], values["url"]) == ("pl", "https://a.org/x")
    assert fields["captured_from"]["url"] == '<link rel="canonical">'


def test_the_title_suffix_goes_only_when_it_is_the_stated_site_name() -> None:
    site = '<meta property="og:site_name" content="World Socialist Web Site">'
    values, _ = describe(site + "<title>Dear Comrades | World Socialist Web Site</title>")
    assert values["title"] == "Dear Comrades"
    values, _ = describe(site + "<title>Dear Comrades | Film review</title>")
    assert values["title"] == "Dear Comrades | Film review"
    values, _ = describe("<title>Dear Comrades | World Socialist Web Site</title>")
    assert values["title"] == "Dear Comrades | World Socialist Web Site"


def test_strip_site_suffix_separators() -> None:
    assert strip_site_suffix("A — Site", ["site"]) == "A"
    assert strip_site_suffix("A - B - Site", ["Site"]) == "A - B"
    assert strip_site_suffix("Site", ["Site"]) == "Site"
    assert strip_site_suffix("A | Site", []) == "A | Site"


def test_entities_are_decoded_and_whitespace_folded() -> None:
    values, _ = describe("<title>\n  Workers&#8217; Power &amp;\n\tthe\u00a0New Reds  "
                         "</title>")
    assert values["title"] == "Workers\u2019 Power & the New Reds"


def test_a_date_in_no_readable_form_is_kept_as_written_not_guessed() -> None:
    values, fields = describe('<meta name="DC.date" content="Spring 1917">')
    assert "date" not in values
    assert fields["date_stated"] == "Spring 1917"
    assert fields["captured_from"]["date_stated"] == "DC.date"


def test_a_readable_date_further_down_wins_over_an_unreadable_one() -> None:
    values, fields = describe('<meta name="DC.date" content="Spring 1917">'
                              '<meta property="article:published_time" content="2017-11-07">')
    assert values["date"] == "2017-11-07"
    assert "date_stated" not in fields


def test_a_page_with_only_a_modified_date_gets_no_date() -> None:
    values, fields = describe('<meta property="article:modified_time" content="2021-03-01">')
    assert "date" not in values
    assert fields["date_modified"] == "2021-03-01"


@pytest.mark.parametrize(("text", "day"), [
    ("2012-04-04T19:50-07:00", "2012-04-04"), ("2012-04-04T23:59:59Z", "2012-04-04"),
    ("2012-04-04 08:00", "2012-04-04"), ("2021", "2021"), ("2021-02", "2021-02"),
    ("2012/4/4", "2012-04-04"), ("4 April 2012", "2012-04-04"),
    ("April 4, 2012", "2012-04-04"), ("2021-02-30", None), ("2012-13", None),
    ("yesterday", None), ("04/04/2012", None), ("4 Avril 2012", None), ("", None)])
def test_stated_day(text: str, day: str | None) -> None:
    assert stated_day(text) == day


def test_an_empty_or_non_html_body_describes_nothing() -> None:
    assert describe_page(b"").values == {}
    assert describe_page(b"\x00\x01 binary").values == {}


def test_a_windows_1251_page_is_read_in_its_charset() -> None:
    body = html('<meta charset="windows-1251"><title>Рабочая власть</title>'
                '<meta name="author" content="Иван Иванов">', lang="ru").encode("cp1251")
    found = describe_page(body)
    assert found.values["title"] == "Рабочая власть"
    assert found.values["creators"] == ["Иван Иванов"]
    assert found.fields["charset"] == "windows-1251"


def test_entities_written_into_json_ld_are_decoded() -> None:
    values, _ = describe(ld({"@type": "Article", "headline": "Workers&#8217; Power &amp; co"}))
    assert values["title"] == "Workers\u2019 Power & co"


def test_the_heads_title_not_an_images() -> None:
    values, _ = describe("<title>The page</title>",
                         "<svg><title>An icon</title></svg><p>Text</p>")
    assert values["title"] == "The page"


def test_an_xhtml_page_declares_its_encoding_in_the_xml_declaration() -> None:
    body = ('<?xml version="1.0" encoding="windows-1251"?>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ru"><head>'
            "<title>Рабочая власть</title></head><body/></html>").encode("cp1251")
    found = describe_page(body)
    assert found.values["title"] == "Рабочая власть"
    assert found.fields["charset"] == "windows-1251"


def test_a_yoast_graph_names_its_author_and_publisher_by_reference() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "@id": "https://a.org/p#webpage",
         "name": "Dear Comrades - World Socialist Web Site"},
        {"@type": "Article", "@id": "https://a.org/p#article", "headline": "Dear Comrades",
         "author": {"@id": "https://a.org/#/schema/person/1"},
         "publisher": {"@id": "https://a.org/#organization"},
         "datePublished": "2021-02-09T18:00:00+00:00"},
        {"@type": "Person", "@id": "https://a.org/#/schema/person/1", "name": "Clara Weiss"},
        {"@type": "Organization", "@id": "https://a.org/#organization",
         "name": "World Socialist Web Site"},
        {"@type": "Person", "@id": "https://a.org/#/schema/person/2",
         "url": "https://a.org/author/2"}]}
    values, fields = describe(ld(graph))
    assert (values["title"], values["creators"], values["publisher"]) == (
        "Dear Comrades", ["Clara Weiss"], "World Socialist Web Site")
    assert fields["captured_from"]["title"] == "json-ld:headline"


def test_a_reference_to_no_node_or_to_one_without_a_name_gives_no_name() -> None:
    values, _ = describe(ld({"@type": "Article", "headline": "T",
                             "author": [{"@id": "#nobody"}, {"@id": "#x"}]})
                         + ld({"@id": "#x", "@type": "Person", "url": "https://x.org"}))
    assert "creators" not in values
