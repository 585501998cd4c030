"""Reading RIS files (Zotero, EndNote, JabRef, Web of Science) into located records.

A reader of its own rather than rispy, so that every reference and tag keeps its
line and column: a problem is named as ``file:line:column``.  A reference runs from
``TY  - `` to ``ER  - ``; a line that is not a tag continues the value before it
(joined with a space); unknown tags are kept in ``fields`` under their tag.

=====================  ===================================================
RIS                    record
=====================  ===================================================
``TY``                 ``kind`` (:data:`KINDS`); the type in ``fields.ristype``
``ID``                 ``id`` when a valid, free id; always ``fields.citekey``
``AU``, ``A1``         ``creators`` (``Family, Given[, Suffix]``)
``A2``/``ED``, ``A3``, ``fields.editor``, ``fields.series_editor``,
``A4``                 ``fields.translator``
``DA``, ``PY``, ``Y1``  ``date`` (``2014//``, ``2014/03/05/``; ``circa``…)
``TI``, ``T1``         ``title``
``AB``, ``N2``         ``summary``
``KW``                 ``tags``
``UR``                 ``url``
``PB``                 ``publisher``
``JO``/``JF``/``T2``   ``publisher`` of an article without one, else
                       ``fields.container``
``DO``, ``SN``, ``VL``,  ``fields.doi``, ``isbn``, ``volume``, ``issue``,
``IS``, ``SP``–``EP``,  ``pages``, ``place``, ``edition``, ``language``
``CY``, ``ET``, ``LA``
=====================  ===================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from archivist.importing.located import Located, Report, located, marked, person, usable_key

_TAG = re.compile(r"^([A-Z][A-Z0-9])  ?-(?: (.*)|\s*)$")
#: The kind of each reference type; any other type is ``other``.
KINDS: dict[str, str] = {
    "JOUR": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article",
    "JFULL": "article", "ABST": "article", "INPR": "article", "BOOK": "book",
    "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter",
    "ELEC": "web-page", "WEB": "web-page", "BLOG": "web-page", "PAMP": "pamphlet",
    "PCOMM": "letter", "MPCT": "film", "ART": "image", "SOUND": "audio", "MUSIC": "audio",
    "VIDEO": "video", "DATA": "dataset", "AGGR": "dataset", "SER": "series",
    "SLIDE": "image", "MAP": "image", "FIGURE": "image", "CTLG": "book", "DICT": "book",
    "ENCYC": "book",
}
_ROLES = {"A2": "editor", "ED": "editor", "A3": "series_editor", "A4": "translator"}
_CONTAINER_TAGS = ("JO", "JF", "T2", "JA", "J2")
_FIELD_TAGS = {"DO": "doi", "SN": "isbn", "VL": "volume", "IS": "issue", "CY": "place",
               "ET": "edition", "LA": "language", "N1": "note", "Y2": "accessed",
               "M3": "medium", "AN": "accession_number", "C1": "custom1", "L1": "file"}
_DATE = re.compile(r"^(\d{4})?(?:/(\d{1,2})?(?:/(\d{1,2})?(?:/(.*))?)?)?$")
_ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def _references(text: str, report: Report
                ) -> Iterator[tuple[tuple[int, int], int, list[tuple[str, str, int]]]]:
    """Each reference: where it starts, its last line, and its ``(tag, value, line)``s."""
    current: list[tuple[str, str, int]] | None = None
    start = (1, 1)
    for number, line in enumerate(text.splitlines(), 1):
        match = _TAG.match(line)
        if match is None:
            if current and line.strip():
                tag, value, at = current[-1]
                current[-1] = (tag, f"{value} {line.strip()}".strip(), at)
            elif current is None and line.strip():
                report((number, 1), "expected a reference opened by 'TY  - ', found "
                                    f"{line.strip()[:40]!r}")
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if current is not None:
                report(start, "this reference has no 'ER  - ' before the next 'TY  - '")
            current, start = [(tag, value, number)], (number, 1)
        elif current is None:
            report((number, 1), f"the tag {tag} stands outside a reference (open each "
                                "with 'TY  - ')")
        elif tag == "ER":
            yield start, number, current
            current = None
        else:
            current.append((tag, value, number))
    if current is not None:
        report(start, "this reference is not closed by 'ER  - ' before the end of the file")


def _date(text: str) -> tuple[str | None, str | None]:
    """The EDTF date of a RIS date (``2014/03/05/other``), and any other text it has."""
    text = text.strip()
    if _ISO.match(text):
        return text, None
    match = _DATE.match(text)
    if match is None or match.group(1) is None:
        return None, text or None
    year, month, day, other = match.groups()
    date = year + (f"-{int(month):02d}" if month else "") + (
        f"-{int(day):02d}" if month and day else "")
    notes = [n.strip() for n in (other or "").split(";") if n.strip()]
    rest = []
    qualifier = ""
    end: str | None = None
    for note in notes:
        if note == "circa":
            qualifier = "%" if qualifier == "?" else "~"
        elif note == "uncertain":
            qualifier = "%" if qualifier == "~" else "?"
        elif note.startswith("to ") and _ISO.match(note[3:].strip()):
            end = note[3:].strip()
        elif note == "or later":
            end = ".."
        elif note == "or earlier":
            date, end = "..", date
        else:
            rest.append(note)
    if end is not None:
        date = f"{date}{qualifier if date != '..' else ''}/{end}"
    else:
        date += qualifier
    return date, "; ".join(rest) or None


def _dated(dated: tuple[str, int] | None, year: tuple[str, int] | None,
           values: dict[str, Any], places: dict[str, tuple[int, int]],
           extra: dict[str, Any], extra_places: dict[str, tuple[int, int]]) -> None:
    """Set the date from ``DA`` (else ``PY``/``Y1``: ``year``); keep what it cannot say."""
    if dated is None:
        return
    date, other = _date(dated[0])
    if date is None and year is not None and dated != year:
        date, other = _date(year[0])
    if date is not None:
        values["date"], places["date"] = date, (dated[1], 1)
    if other:
        extra["ris_date"], extra_places["ris_date"] = dated[0], (dated[1], 1)


def _record(start: tuple[int, int], last: int, tags: list[tuple[str, str, int]],
            report: Report) -> Located:
    values: dict[str, Any] = {}
    places: dict[str, tuple[int, int]] = {}
    extra: dict[str, Any] = {}
    extra_places: dict[str, tuple[int, int]] = {}
    by_tag: dict[str, list[tuple[str, int]]] = {}
    for tag, value, line in tags:
        if value:
            by_tag.setdefault(tag, []).append((value, line))

    def first(*names: str) -> tuple[str, int] | None:
        return next((by_tag[n][0] for n in names if n in by_tag), None)

    ris_type = tags[0][1]
    values["kind"] = KINDS.get(ris_type.upper(), "other")
    extra["ristype"] = ris_type
    key = first("ID")
    if key is not None:
        extra["citekey"] = key[0]
    for name, found in (("title", first("TI", "T1")), ("summary", first("AB", "N2")),
                        ("url", first("UR", "L2"))):
        if found is not None:
            values[name], places[name] = found[0], (found[1], 1)
    authors = by_tag.get("AU", []) + by_tag.get("A1", [])
    if authors:
        values["creators"] = [_name(v) for v, _ in authors]
        places["creators"] = (authors[0][1], 1)
    for tag, role in _ROLES.items():
        for value, line in by_tag.get(tag, []):
            extra.setdefault(role, []).append(_name(value))
            extra_places[role] = (line, 1)
    _dated(first("DA", "PY", "Y1"), first("PY", "Y1"), values, places, extra, extra_places)
    if "KW" in by_tag:
        values["tags"] = [t.strip() for v, _ in by_tag["KW"] for t in v.split(";")
                          if t.strip()]
        places["tags"] = (by_tag["KW"][0][1], 1)
    container = first(*_CONTAINER_TAGS)
    publisher = first("PB")
    if publisher is None and container is not None and values["kind"] == "article":
        publisher, container = container, None
    if publisher is not None:
        values["publisher"], places["publisher"] = publisher[0], (publisher[1], 1)
    if container is not None:
        extra["container"], extra_places["container"] = container[0], (container[1], 1)
    pages = first("SP")
    if pages is not None:
        end = first("EP")
        extra["pages"] = pages[0] + (f"-{end[0]}" if end else "")
        extra_places["pages"] = (pages[1], 1)
    language = first("LA")
    if language is not None and _CODE.match(language[0]):
        values["language"], places["language"] = language[0], (language[1], 1)
        by_tag.pop("LA")
    used = {"TY", "ID", "TI", "T1", "AB", "N2", "UR", "AU", "A1", "DA", "PY", "Y1", "KW",
            "PB", "SP", "EP", "ER", *_ROLES, *_CONTAINER_TAGS}
    if "UR" in by_tag:
        used.discard("L2")
    for tag, found_values in by_tag.items():
        if tag in used or (tag == "L2" and "url" in values and first("UR") is None):
            continue
        if tag in _CONTAINER_TAGS or tag == "PB":
            continue
        name = _FIELD_TAGS.get(tag, tag)
        texts = [v for v, _ in found_values]
        extra[name] = texts[0] if len(texts) == 1 else texts
        extra_places[name] = (found_values[0][1], 1)
    record_id = usable_key(key[0]) if key else None
    values = {"id": record_id, **values, "fields": marked(extra, start, extra_places)}
    if key is not None:
        places["id"] = (key[1], 1)
    return located(values, start, places, span=(start[0], last),
                   from_key=record_id is not None)


def _name(text: str) -> str:
    """A RIS name: ``Family, Given[, Suffix]`` as archivist stores names; any other
    form (an organisation, a name without a comma) kept whole."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and all(parts):
        return person(parts[0], parts[1])
    if len(parts) == 3 and all(parts):
        return person(parts[0], parts[1], suffix=parts[2])
    return text.strip()


def records(text: str, report: Report) -> Iterator[tuple[int, Located, tuple[int, int], int]]:
    """Each record of a RIS file, as :func:`archivist.yamlio.records` gives YAML's."""
    for number, (start, last, tags) in enumerate(_references(text, report), 1):
        item = _record(start, last, tags, report)
        yield number, item, start, 0
