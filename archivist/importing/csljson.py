"""CSL-JSON items (Zotero, pandoc, citeproc) as located records: the CSL export inverted.

The items are read by archivist's own JSON reader (:mod:`archivist.yamlio`), which
keeps every position; each is checked for the shapes this mapping reads (a name is a
mapping, a date has ``date-parts``, ``raw`` or ``literal``) and refused at its place
otherwise.

==================================  ==============================================
CSL-JSON                            record
==================================  ==============================================
``id``                              ``id`` when a valid, free id; always
                                    ``fields.citekey``
``type``                            ``kind`` (:data:`KINDS`); the type in
                                    ``fields.csltype``
``title``                           ``title`` (``custom.subtitle`` split off)
``author``                          ``creators``: ``family``/``given``/particles/
                                    ``suffix`` as archivist writes names,
                                    ``literal`` whole
``editor``, ``translator``, …       ``fields.editor``… (lists of names)
``issued``                          ``date``: ``date-parts``, ``raw``, ``literal``,
                                    ``circa`` as EDTF
``container-title``                 ``publisher`` of an article or web page without
                                    one, else ``fields.container``
``publisher``, ``URL``,             ``publisher``, ``url``, ``summary``,
``abstract``, ``language``          ``language``
``keyword``                         ``tags`` (split at commas)
``DOI``, ``ISBN``, ``page``, …      ``fields.doi``, ``fields.isbn``, ``fields.pages``…
anything else                       ``fields`` under its own name
==================================  ==============================================
"""

from __future__ import annotations

import re
from typing import Any

from archivist.dates import date_bounds
from archivist.errors import InvalidRecord
from archivist.importing.located import Located, Report, located, marked, person, usable_key
from archivist.yamlio import MarkedDict

#: The kind of each CSL type; any other type is ``other``.
KINDS: dict[str, str] = {
    "article": "article", "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "webpage": "web-page", "post": "web-page",
    "post-weblog": "web-page", "book": "book", "chapter": "chapter",
    "pamphlet": "pamphlet", "speech": "speech", "personal_communication": "letter",
    "interview": "interview", "review": "review", "review-book": "review",
    "motion_picture": "film", "graphic": "image", "song": "audio", "dataset": "dataset",
    "collection": "collection", "broadcast": "video", "map": "image", "figure": "image",
}
_NAME_KEYS = ("editor", "translator", "director", "interviewer", "recipient",
              "container-author", "collection-editor", "composer", "illustrator")
_RENAMED = {"DOI": "doi", "ISBN": "isbn", "ISSN": "issn", "page": "pages",
            "publisher-place": "place", "volume": "volume", "issue": "issue",
            "edition": "edition"}
_CONTAINER_KINDS = ("article", "review", "web-page")
_USED = {"id", "type", "title", "author", "issued", "container-title", "publisher", "URL",
         "abstract", "language", "keyword", "custom", *_NAME_KEYS}


class _Bad(Exception):
    def __init__(self, where: tuple[int, int], message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def looks_like_csl(item: Any) -> bool:
    """Whether a mapping read from a ``.json`` file is a CSL-JSON item."""
    return (isinstance(item, dict) and "type" in item and "kind" not in item
            and any(k in item for k in ("issued", "author", "container-title", "editor")))


def _name(value: Any, where: tuple[int, int]) -> str:
    if not isinstance(value, dict):
        raise _Bad(where, "a CSL name is a mapping of family, given… or literal")
    if value.get("literal"):
        return str(value["literal"]).strip()
    family = value.get("family")
    if not isinstance(family, str) or not family.strip():
        raise _Bad(where, "a CSL name needs family or literal")
    particle = " ".join(str(value[k]) for k in ("dropping-particle", "non-dropping-particle")
                        if value.get(k))
    return person(family, str(value.get("given") or ""), particle,
                  str(value.get("suffix") or ""))


def _names(item: MarkedDict, key: str) -> list[str]:
    value = item[key]
    if not isinstance(value, list):
        raise _Bad(item.position(key), f"{key} is a list of names")
    positions = getattr(value, "position", lambda i: item.position(key))
    return [_name(v, positions(i)) for i, v in enumerate(value)]


def _number(value: Any, where: tuple[int, int]) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise _Bad(where, f"a date part must be a number, not {value!r}") from None


def _side(parts: Any, where: tuple[int, int]) -> str | None:
    if not isinstance(parts, list) or not parts:
        raise _Bad(where, "date-parts holds lists of [year, month, day]")
    numbers = [_number(p, where) for p in parts[:3]]
    if numbers[0] == 0:
        return None  # [0]: an open end, as citeproc-js and the export write it
    return "-".join(f"{n:04d}" if i == 0 else f"{n:02d}" for i, n in enumerate(numbers))


def edtf(value: Any, where: tuple[int, int]) -> tuple[str | None, Any]:
    """The EDTF date of a CSL date, and what to keep in ``fields`` when it has none."""
    if not isinstance(value, dict):
        raise _Bad(where, "a CSL date is a mapping with date-parts, raw or literal")
    circa = str(value.get("circa", "")).lower() in ("true", "1", "yes")
    date: str | None = None
    if "date-parts" in value:
        sides = value["date-parts"]
        if not isinstance(sides, list) or not 1 <= len(sides) <= 2:
            raise _Bad(where, "date-parts holds one or two [year, month, day] lists")
        ends = [_side(s, where) for s in sides]
        mark = "~" if circa else ""
        if len(ends) == 1:
            date = None if ends[0] is None else ends[0] + mark
        elif ends[0] is not None:
            date = f"{ends[0]}{mark}/" + (f"{ends[1]}{mark}" if ends[1] else "..")
    elif isinstance(value.get("raw"), str) or isinstance(value.get("literal"), str):
        text = str(value.get("raw") or value.get("literal")).strip()
        if text.startswith("–"):  # the export's open start
            text = "../" + text[1:]
        try:
            date_bounds(text)
            date = text + ("~" if circa and text[-1:] not in "~?%." else "")
        except InvalidRecord:
            return None, text
    return date, None


def _title(item: MarkedDict, values: dict[str, Any]) -> None:
    title = item.get("title")
    custom = item.get("custom")
    subtitle = custom.get("subtitle") if isinstance(custom, dict) else None
    if isinstance(title, str) and isinstance(subtitle, str) and title.endswith(": " + subtitle):
        values["title"], values["subtitle"] = title[:-len(subtitle) - 2], subtitle
    else:
        values["title"] = title


def record(item: MarkedDict, report: Report) -> Located | None:
    """One CSL-JSON item as a located record; problems go to ``report``."""
    try:
        return _record(item)
    except _Bad as bad:
        report(bad.where, bad.message)
        return None


def _record(item: MarkedDict) -> Located:
    at = item.position()
    csl_type = str(item.get("type", ""))
    values: dict[str, Any] = {"kind": KINDS.get(csl_type, "other")}
    extra: dict[str, Any] = {"csltype": csl_type}
    places = {key: item.position(key) for key in item}
    extra_places: dict[str, tuple[int, int]] = {}
    key = item.get("id")
    if key is not None:
        extra["citekey"], extra_places["citekey"] = str(key), item.position("id")
    _title(item, values)
    if "author" in item:
        values["creators"] = _names(item, "author") or None
        places["creators"] = item.position("author")
    for name in _NAME_KEYS:
        if name in item:
            extra[name], extra_places[name] = _names(item, name), item.position(name)
    if "issued" in item:
        date, kept = edtf(item["issued"], item.position("issued"))
        values["date"], places["date"] = date, item.position("issued")
        if kept is not None:
            extra["issued"], extra_places["issued"] = kept, item.position("issued")
    container, publisher = item.get("container-title"), item.get("publisher")
    if publisher is None and container is not None and values["kind"] in _CONTAINER_KINDS:
        publisher, container = container, None
        places["publisher"] = item.position("container-title")
    values["publisher"] = publisher
    if container is not None:
        extra["container"] = container
        extra_places["container"] = item.position("container-title")
    for source, target in (("URL", "url"), ("abstract", "summary"), ("language", "language")):
        if item.get(source) is not None:
            values[target], places[target] = item[source], item.position(source)
    if isinstance(item.get("keyword"), str):
        values["tags"] = [t.strip() for t in re.split(r"[,;]", item["keyword"])
                          if t.strip()] or None
        places["tags"] = item.position("keyword")
    for name, value in item.items():
        if name in _USED:
            continue
        target = _RENAMED.get(name, name)
        extra[target], extra_places[target] = value, item.position(name)
    record_id = usable_key(str(key)) if key is not None else None
    values = {"id": record_id, **values, "fields": marked(extra, at, extra_places)}
    return located(values, at, places, from_key=record_id is not None)
