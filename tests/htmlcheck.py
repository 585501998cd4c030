"""What a validator would say of a published page: HTML5 parse errors and accessibility.

:func:`page_problems` parses a page with html5lib's strict HTML5 parser (any parse error
is a problem) and then checks what a parser lets through but a validator or an
accessibility checker does not: unique ids, ``alt`` on images, a label on every form
control, ``<html lang>``, one ``<main>``, one banner ``<header>`` and one contentinfo
``<footer>``, named ``<nav>`` landmarks, no empty links or headings, one ``<h1>`` and no skipped
heading level, references (``for``, ``aria-labelledby``, ``#fragment``) that name an
id of the page, and no inline script or event handler.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

#: Elements inside which a ``<header>`` or ``<footer>`` is not the page's own.
_SECTIONING = {"article", "aside", "main", "nav", "section"}
#: ``<input>`` types that need no label (they are labelled by their value or hidden).
_SELF_LABELLED = {"hidden", "submit", "reset", "button", "image"}
_HEADING = re.compile(r"h([1-6])")


def parse(text: str) -> ET.Element:
    """The page's tree; raises ``html5lib.html5parser.ParseError`` at the first error."""
    import html5lib

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False,
                                 tree=html5lib.getTreeBuilder("etree"))
    try:
        root: ET.Element = parser.parse(text)
    except html5lib.html5parser.ParseError as error:
        raise html5lib.html5parser.ParseError(f"{error} at {parser.errors[-1][0]}") from error
    return root


def text_of(element: ET.Element) -> str:
    """An element's text as read aloud: its text, its images' ``alt``, its labels."""
    parts = [element.text or ""]
    for child in element:
        parts.append(child.get("alt", "") if child.tag == "img" else text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _parents(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def _ancestors(element: ET.Element, parents: dict[ET.Element, ET.Element]
               ) -> Iterator[ET.Element]:
    while element in parents:
        element = parents[element]
        yield element


def _landmark_problems(root: ET.Element, parents: dict[ET.Element, ET.Element]
                       ) -> Iterator[str]:
    if not (root.get("lang") or "").strip():
        yield "<html> has no lang attribute"
    if len(root.findall(".//main")) != 1:
        yield f"{len(root.findall('.//main'))} <main> elements, not one"
    for tag in ("header", "footer"):
        own = [element for element in root.iter(tag)
               if not any(up.tag in _SECTIONING for up in _ancestors(element, parents))]
        if len(own) != 1:
            yield f"{len(own)} page-level <{tag}> elements, not one"
    navs = root.findall(".//nav")
    if not navs:
        yield "no <nav> landmark"
    names = [nav.get("aria-label") or nav.get("aria-labelledby") for nav in navs]
    if len(navs) > 1 and (None in names or len(set(names)) != len(names)):
        yield f"several <nav> landmarks without distinct names: {names}"


def _reference_problems(root: ET.Element, ids: set[str]) -> Iterator[str]:
    for label in root.iter("label"):
        if label.get("for") is not None and label.get("for") not in ids:
            yield f"<label for={label.get('for')!r}> names no element"
    for element in root.iter():
        for name in ("aria-labelledby", "aria-describedby"):
            for wanted in (element.get(name) or "").split():
                if wanted not in ids:
                    yield f"{name}={wanted!r} names no element"
        href = element.get("href") or ""
        if element.tag == "a" and href.startswith("#") and href[1:] not in ids:
            yield f"<a href={href!r}> names no element of the page"


def _control_problems(root: ET.Element, parents: dict[ET.Element, ET.Element]
                      ) -> Iterator[str]:
    labelled = {label.get("for") for label in root.iter("label")}
    for element in root.iter():
        if element.tag not in ("input", "select", "textarea", "button"):
            continue
        if element.tag == "input" and element.get("type", "text") in _SELF_LABELLED:
            continue
        if element.tag == "button" and text_of(element).strip():
            continue
        if (element.get("id") in labelled or element.get("aria-label")
                or element.get("aria-labelledby")
                or any(up.tag == "label" for up in _ancestors(element, parents))):
            continue
        yield f"<{element.tag} id={element.get('id')!r}> has no label"


def _content_problems(root: ET.Element) -> Iterator[str]:
    for image in root.iter("img"):
        if image.get("alt") is None:
            yield f"<img src={image.get('src')!r}> has no alt"
    for link in root.iter("a"):
        if link.get("href") is not None and not (text_of(link).strip()
                                                 or link.get("aria-label")):
            yield f"<a href={link.get('href')!r}> is empty"
    for script in root.iter("script"):
        if (script.text or "").strip() or not script.get("src"):
            yield "an inline <script>"
    for element in root.iter():
        handlers = [name for name in element.attrib if name.lower().startswith("on")]
        if handlers:
            yield f"<{element.tag}> has event handlers {handlers}"
    title = root.find("./head/title")
    if title is None or not text_of(title).strip():
        yield "no <title>"


def _heading_problems(root: ET.Element) -> Iterator[str]:
    headings = [(int(match.group(1)), element) for element in root.iter()
                if isinstance(element.tag, str) and (match := _HEADING.fullmatch(element.tag))]
    levels = [level for level, _ in headings]
    for level, element in headings:
        if not text_of(element).strip():
            yield f"an empty <h{level}>"
    if levels.count(1) != 1:
        yield f"{levels.count(1)} <h1> elements, not one"
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            yield f"a heading skips from h{before} to h{after}"


def page_problems(text: str) -> list[str]:
    """Everything a validator would object to in the page ``text`` (empty when none).

    :raises html5lib.html5parser.ParseError: when the page is not valid HTML5 syntax.
    """
    root = parse(text)
    parents = _parents(root)
    ids = [element.get("id") for element in root.iter() if element.get("id") is not None]
    problems = [f"id {name!r} is used {count} times"
                for name, count in Counter(ids).items() if count > 1]
    problems += [f"id {name!r} is blank or holds a space" for name in ids
                 if not name or re.search(r"\s", name)]
    problems += _landmark_problems(root, parents)
    problems += _reference_problems(root, {name for name in ids if name})
    problems += _control_problems(root, parents)
    problems += _content_problems(root)
    problems += _heading_problems(root)
    return problems


def site_problems(site: Path) -> dict[str, list[str]]:
    """The problems of every page of the site in the folder ``site``, by page path
    (every page is listed, most with no problem).

    :raises html5lib.html5parser.ParseError: naming the page that does not parse.
    """
    import html5lib

    found: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        name = page.relative_to(site).as_posix()
        try:
            found[name] = page_problems(page.read_text("utf-8"))
        except html5lib.html5parser.ParseError as error:
            raise html5lib.html5parser.ParseError(f"{name}: {error}") from error
    return found
