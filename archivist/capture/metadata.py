"""What a page says about itself, read in an archivist's order of trust.

1. JSON-LD (schema.org ``headline``/``name``, ``author``, ``datePublished``,
   ``publisher``, ``description``, ``inLanguage``, ``url``);
2. Dublin Core ``<meta name="DC.*">`` and ``DCTERMS.*``;
3. Highwire Press ``citation_*``;
4. Open Graph (``og:title``, ``og:site_name``, ``article:published_time``,
   ``article:author`` when it is a name, not a URL, ``og:description``, ``og:url``);
5. ``<meta name="author">``, ``<meta name="description">``;
6. ``<title>``, ``<html lang>``, ``<link rel="canonical">``.

The first source that states a field fills it, and ``fields.captured_from.FIELD``
remembers which one.  Nothing is guessed: a page that names no author gets no
creators, one that states no date gets no date.  The title from ``<title>`` loses a
trailing `` | Site`` only when ``Site`` is the site name the page itself states.
Dates are kept as the page states them: ``2012-04-04T19:50-07:00`` is the day
2012-04-04 (its own local day), with the full text in ``fields.date_stated``.

lxml parses the page; it is imported only inside :func:`describe_page`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from archivist.capture.charset import decode_page

#: The schema fields a page can fill, in the order they are reported.
DESCRIBED = ("title", "creators", "date", "publisher", "language", "url", "summary")
# schema.org types that describe the page's own work, not its site or breadcrumbs.
_WORK_TYPE = re.compile(r"(Article|Posting|Page|Work|Report|Book|Chapter|Thesis|"
                        r"Review|Story|Message|Letter|Speech)$")
_URL = re.compile(r"^(https?:)?//|^www\.", re.I)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ", " « ", " » ")
# Dublin Core: the element (after DC. / DCTERMS.) each field is read from, in order.
_DC_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "creators": ("creator",),
    "date": ("issued", "date.issued", "date", "created", "date.created", "available"),
    "modified": ("modified", "date.modified"), "publisher": ("publisher",),
    "language": ("language",), "url": ("identifier",),
    "summary": ("description", "abstract"),
}
_DC_PREFIXES = ("dc.", "dcterms.", "dct.")
_HIGHWIRE_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("citation_title",), "creators": ("citation_author",),
    "date": ("citation_publication_date", "citation_date", "citation_online_date"),
    "publisher": ("citation_publisher",), "language": ("citation_language",),
    "url": ("citation_public_url", "citation_abstract_html_url",
            "citation_fulltext_html_url"),
    "summary": ("citation_abstract",),
}
_OPEN_GRAPH_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("og:title",), "creators": ("article:author",),
    "date": ("article:published_time",), "modified": ("article:modified_time",),
    "publisher": ("og:site_name",), "url": ("og:url",), "summary": ("og:description",),
}
_PLAIN_META_FIELDS: dict[str, tuple[str, ...]] = {"creators": ("author",),
                                                  "summary": ("description",)}


@dataclass
class PageDescription:
    """A page's values for a record, and the custom fields that say where each came
    from (``captured_from``), the stated dates and the charset."""

    values: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def captured_from(self) -> dict[str, str]:
        """Which source filled each field (e.g. ``{"date": "article:published_time"}``)."""
        found: dict[str, str] = self.fields.setdefault("captured_from", {})
        return found


class Statement(NamedTuple):
    """One value a page states for a field, and the name of what stated it."""

    field: str
    value: Any
    source: str


def fold(text: str) -> str:
    """Whitespace folded to single spaces, stripped (entities are decoded by lxml)."""
    return " ".join(text.split())


def describe_page(body: bytes, content_type: str | None = None) -> PageDescription:
    """Describe the HTML page ``body`` (as served or saved) from its own metadata."""
    import lxml.html

    decoded = decode_page(body, content_type)
    description = PageDescription()
    description.fields["charset"] = decoded.charset
    description.captured_from["charset"] = decoded.how
    # Parsed from UTF-8 bytes: lxml refuses text that still declares an encoding.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(decoded.text.encode("utf-8", "replace"),
                                             parser=parser)
    except Exception:  # lxml.etree.ParserError: an empty or unparsable document
        return description
    _fill(description, _statements(root))
    return description


def _statements(root: Any) -> Iterator[Statement]:
    """Every value the page states, most trusted first."""
    metas = _meta_values(root)
    yield from _json_ld(root)
    yield from _dublin_core(metas)
    for table in (_HIGHWIRE_FIELDS, _OPEN_GRAPH_FIELDS, _PLAIN_META_FIELDS):
        yield from _named_metas(metas, table)
    yield from _html_itself(root)


def _fill(description: PageDescription, statements: Iterable[Statement]) -> None:
    """Take the first usable statement of each field, in order of trust."""
    values, fields, source = description.values, description.fields, \
        description.captured_from
    unreadable: Statement | None = None
    titles: list[Statement] = []
    site_names: list[str] = []
    for item in statements:
        if item.field == "title":
            titles.append(item)
            continue
        if item.field == "publisher":
            site_names.append(item.value)
        if item.field in ("date", "modified"):
            unreadable = _take_date(description, item) or unreadable
        elif item.field not in values and item.value:
            values[item.field] = item.value
            source[item.field] = item.source
    if "date" not in values and unreadable is not None:
        # Stated, but in no form archivist reads as a date: kept as written.
        fields["date_stated"] = unreadable.value
        source["date_stated"] = unreadable.source
    if titles:
        title = titles[0]
        values["title"] = (strip_site_suffix(title.value, site_names)
                           if title.source == "<title>" else title.value)
        source["title"] = title.source


def _take_date(description: PageDescription, item: Statement) -> Statement | None:
    """Use a stated issued or modified date; return an issued one archivist cannot
    read as a date (kept as written when no readable one is found)."""
    values, fields, source = description.values, description.fields, \
        description.captured_from
    if item.field == "modified":
        if "date_modified" not in fields:
            fields["date_modified"] = item.value
            source["date_modified"] = item.source
        return None
    day = stated_day(item.value)
    if day is None:
        return item
    if "date" not in values:
        values["date"] = day
        source["date"] = item.source
        if day != item.value:
            fields["date_stated"] = item.value
    return None


def strip_site_suffix(title: str, site_names: Iterable[str]) -> str:
    """``title`` without a trailing `` | Site`` (or `` - Site``, `` — Site``…), only
    when ``Site`` is one of ``site_names`` (compared without regard to case)."""
    for name in site_names:
        wanted = name.casefold()
        for separator in _TITLE_SEPARATORS:
            head, sep, tail = title.rpartition(separator)
            if sep and head.strip() and tail.strip().casefold() == wanted:
                return head.strip()
    return title


def _meta_values(root: Any) -> list[tuple[str, str]]:
    """Every ``<meta name|property=… content=…>`` as (name as written, folded value)."""
    found = []
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None or not fold(content):
            continue
        for attribute in ("name", "property", "itemprop"):
            name = meta.get(attribute)
            if name:
                found.append((name.strip(), fold(content)))
                break
    return found


def _named_metas(metas: list[tuple[str, str]], table: dict[str, tuple[str, ...]]
                 ) -> Iterator[Statement]:
    """The statements of one family of ``<meta>`` names, in the table's order."""
    for wanted, names in table.items():
        for name in names:
            hits = [(written, value) for written, value in metas
                    if written.lower() == name]
            yield from _as_statements(wanted, hits)


def _as_statements(wanted: str, hits: list[tuple[str, str]]) -> Iterator[Statement]:
    """Hits of one name as statements: creators gathered into one list of names."""
    if wanted == "creators":
        names = _unique(value for _, value in hits if not _URL.match(value))
        if names:
            yield Statement(wanted, names, hits[0][0])
    elif wanted == "url":
        yield from (Statement(wanted, v, n) for n, v in hits if _URL.match(v))
    else:
        yield from (Statement(wanted, v, n) for n, v in hits)


def _dublin_core(metas: list[tuple[str, str]]) -> Iterator[Statement]:
    """Dublin Core statements (``DC.*`` then ``DCTERMS.*`` elements, any case)."""
    by_element: dict[str, list[tuple[str, str]]] = {}
    for written, value in metas:
        lower = written.lower()
        for prefix in _DC_PREFIXES:
            if lower.startswith(prefix):
                by_element.setdefault(lower[len(prefix):], []).append((written, value))
    for wanted, elements in _DC_FIELDS.items():
        for element in elements:
            yield from _as_statements(wanted, by_element.get(element, []))


def _html_itself(root: Any) -> Iterator[Statement]:
    """``<title>``, ``<html lang>`` and ``<link rel="canonical">``."""
    # The head's title: an SVG image in the body has titles of its own.
    title = root.find("head/title")
    if title is None:
        title = root.find(".//title")
    if title is not None and fold(title.text_content()):
        yield Statement("title", fold(title.text_content()), "<title>")
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and fold(lang):
        yield Statement("language", fold(lang), "<html lang>")
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = fold(link.get("href") or "")
        if "canonical" in rel and _URL.match(href):
            yield Statement("url", href, '<link rel="canonical">')
            break


def _json_ld(root: Any) -> Iterator[Statement]:
    """Statements of the page's own work in its JSON-LD blocks."""
    nodes = _json_ld_nodes(root)
    work = _json_ld_work(nodes)
    if work is None:
        return
    # A value may name another node by its @id (Yoast's author and publisher do).
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    for key, wanted in (("headline", "title"), ("name", "title"),
                        ("author", "creators"), ("creator", "creators"),
                        ("datePublished", "date"), ("dateCreated", "date"),
                        ("dateModified", "modified"), ("publisher", "publisher"),
                        ("inLanguage", "language"), ("url", "url"),
                        ("description", "summary")):
        value = _json_ld_value(work.get(key), by_id, many=wanted == "creators")
        if value and not (wanted == "url" and not _URL.match(str(value))):
            yield Statement(wanted, value, f"json-ld:{key}")


def _json_ld_nodes(root: Any) -> list[dict[str, Any]]:
    """Every node of every JSON-LD block of the page, in order."""
    nodes: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = (script.text or "").strip()
        text = text.removeprefix("<![CDATA[").removesuffix("]]>").strip()
        try:
            nodes.extend(_nodes(json.loads(text)))
        except ValueError:
            continue  # a broken block says nothing
    return nodes


def _json_ld_work(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The node describing the page's work: the first article (or other work), else
    the first web page, else the first with a headline."""
    def types(node: dict[str, Any]) -> list[str]:
        found = node.get("@type")
        return [t for t in (found if isinstance(found, list) else [found])
                if isinstance(t, str)]

    # A WebPage node names the page as its <title> does, site suffix and all.
    for wanted in (lambda t: bool(_WORK_TYPE.search(t)) and not t.endswith("Page"),
                   lambda t: t.endswith("Page")):
        for node in nodes:
            if any(wanted(t) for t in types(node)):
                return node
    return next((node for node in nodes if "headline" in node), None)


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document: top-level ones, lists and ``@graph``."""
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        yield from _nodes(data.get("@graph"))


def _json_ld_value(value: Any, by_id: dict[str, dict[str, Any]], *, many: bool) -> Any:
    """A JSON-LD value as text (or a list of names): strings, ``{"name": …}`` objects,
    ``{"@id": …}`` references to a node of the page, lists.  Names that are URLs are
    not names."""
    items = value if isinstance(value, list) else [value]
    texts = []
    for item in items:
        if isinstance(item, dict):
            if "name" not in item:
                item = by_id.get(str(item.get("@id")), item)
            item = item.get("name")
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            # JSON-LD is not HTML, but many sites write entities into it all the same.
            text = fold(html.unescape(str(item)))
            if text and not (many and _URL.match(text)):
                texts.append(text)
    if many:
        return _unique(texts)
    return texts[0] if texts else None


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


_ISO_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ]\d{1,2}:\d{2}\S*)?$")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})(?:/(\d{1,2}))?$")
_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"), start=1)}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]+),? (\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+) (\d{1,2}),? (\d{4})$")


def stated_day(text: str) -> str | None:
    """The date a page states, as archivist writes it (``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD``), or ``None`` when it is in no form read without guessing.

    A timestamp gives the day it states, in its own time zone:
    ``2012-04-04T19:50-07:00`` is 2012-04-04.  Also read: ``2012/04/04`` (Highwire's
    form), ``4 April 2012`` and ``April 4, 2012`` (English month names).
    """
    from archivist.dates import validate_date
    from archivist.errors import InvalidRecord

    text = fold(text)
    parts: tuple[str | None, ...] | None = None
    if match := _ISO_DAY.match(text) or _SLASHED.match(text):
        parts = match.groups()
    elif match := _DAY_MONTH_YEAR.match(text):
        parts = (match[3], _month(match[2]), match[1])
    elif match := _MONTH_DAY_YEAR.match(text):
        parts = (match[3], _month(match[1]), match[2])
    if parts is None or (parts[1] is None and parts[2] is not None):
        return None
    year, month, day = parts
    written = "-".join(f"{int(p):02d}" if i else p for i, p in
                       enumerate((year, month, day)) if p is not None)
    try:
        return validate_date(written)
    except InvalidRecord:
        return None


def _month(name: str) -> str | None:
    number = _MONTHS.get(name.lower())
    return None if number is None else str(number)
