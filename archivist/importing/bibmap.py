"""BibTeX and BibLaTeX entries as archivist records: the inverse of the BibTeX export.

=============================================  ==========================================
BibTeX                                         record
=============================================  ==========================================
entry key                                      ``id`` when a valid, free id; always
                                               ``fields.citekey``
entry type                                     ``kind`` (:data:`KINDS`); the type in
                                               ``fields.entrytype``
``title``, ``subtitle``                        ``title``, ``subtitle``
``author``                                     ``creators`` (``and others``: ``fields.note``)
``editor``, ``translator``, …                  ``fields.editor``… (lists of names)
``date``, else ``year`` and ``month``          ``date`` (EDTF; ``1997/1999`` stays a range)
``journaltitle``/``journal``/``booktitle``     ``publisher`` of an article without one,
                                               else ``fields.container``
``publisher``/``institution``/``school``/      ``publisher``
``organization`` (``howpublished`` for misc)
``langid``/``language``                        ``language`` (babel names to codes)
``url``                                        ``url``
``abstract``                                   ``summary``
``keywords``                                   ``tags``
``number``, ``location``/``address``           ``fields.issue``, ``fields.place``
anything else (``doi``, ``eprint``, ``pages``)  ``fields`` under its own name
=============================================  ==========================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from archivist.exporters.bibtex import BABEL_NAMES
from archivist.importing.bibnames import NameError_, is_others, parse_name, split_list
from archivist.importing.bibtex import MONTHS, RawEntry
from archivist.importing.latex import decode
from archivist.importing.located import Located, Report, located, marked, marked_list, usable_key

#: The kind of each entry type; any other type is ``other``.
KINDS: dict[str, str] = {
    "article": "article", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter",
    "suppbook": "chapter", "suppcollection": "chapter", "inproceedings": "chapter",
    "conference": "chapter", "inreference": "chapter", "collection": "book",
    "mvcollection": "book", "proceedings": "book", "mvproceedings": "book",
    "reference": "book", "mvreference": "book", "online": "web-page", "www": "web-page",
    "electronic": "web-page", "dataset": "dataset", "audio": "audio", "music": "audio",
    "video": "video", "movie": "film", "image": "image", "artwork": "image",
    "letter": "letter", "review": "review", "periodical": "series", "set": "collection",
}
#: Fields holding lists of names (kept in ``fields``; ``author`` gives the creators).
NAME_FIELDS = frozenset({
    "editor", "editora", "editorb", "editorc", "translator", "bookauthor", "commentator",
    "annotator", "introduction", "foreword", "afterword", "holder", "redactor",
})
#: Fields read as written, without LaTeX decoding (biblatex reads them verbatim).
VERBATIM = frozenset({"url", "doi", "eprint", "file", "pdf", "verba", "verbb", "verbc",
                      "urlraw"})
# Fields renamed on the way in (the BibTeX export's BIBTEX_FIELDS, inverted).
_RENAMED = {"number": "issue", "location": "place", "address": "place"}
_CONTAINERS = ("journaltitle", "journal", "booktitle")
_PUBLISHERS = ("publisher", "institution", "school", "organization")
# Read into the record's own keys, or used up by inheritance: not kept in fields.
_CONSUMED = frozenset({"title", "subtitle", "author", "date", "url", "abstract",
                       "keywords", "crossref", "xdata", "entryset", "langid"})
_LANGUAGES = {name: code for code, name in BABEL_NAMES.items()} | {
    "german": "de", "austrian": "de", "naustrian": "de", "usenglish": "en-us",
    "UKenglish": "en-gb", "english": "en", "francais": "fr", "brazil": "pt-br",
    "brazilian": "pt-br", "norsk": "no", "nynorsk": "nn", "chinese": "zh",
    "japanese": "ja", "korean": "ko", "arabic": "ar", "hindi": "hi",
}
_YEAR = re.compile(r"^\d{4}$")
_YEARS = re.compile(r"^(\d{4})\s*(?:--?|–|/)\s*(\d{4})$")
_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_DATE_SIDE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?[~?%]?$")
# Fields a crossref child takes from its parent under another name (biber's defaults).
_FROM_PARENT = {"title": "booktitle", "subtitle": "booksubtitle", "author": "bookauthor"}


def _inherit(entries: list[RawEntry], report: Report) -> list[RawEntry]:
    """Fill ``crossref`` and ``xdata`` children from their parents; drop ``@xdata``."""
    by_key = {e.key.lower(): e for e in entries}
    failed: set[int] = set()
    # Every entry's xdata first, so that a crossref parent passes on what it inherited.
    for name in ("xdata", "crossref"):
        for entry in entries:
            if not _inherit_one(entry, name, by_key, report):
                failed.add(id(entry))
    return [e for e in entries if e.type != "xdata" and id(e) not in failed]


def _inherit_one(entry: RawEntry, name: str, by_key: dict[str, RawEntry],
                 report: Report) -> bool:
    """Fill ``entry`` from the parents its ``name`` field names; whether they exist."""
    ok = True
    for key in (k.strip() for k in entry.fields.get(name, "").split(",") if k.strip()):
        parent = by_key.get(key.lower())
        if parent is None:
            report(entry.places[name], f"{name} names {key!r}, which is not an "
                                       "entry of this file")
            ok = False
            continue
        for field, value in parent.fields.items():
            target = _FROM_PARENT.get(field, field) if name == "crossref" else field
            if target not in entry.fields and field not in ("crossref", "xdata",
                                                            "entryset"):
                entry.fields[target] = value
                entry.places[target] = entry.places[name]
    return ok


def located_records(entries: list[RawEntry], report: Report, *, sets: str = "collection"
                    ) -> Iterator[Located]:
    """Each entry as a record.

    A ``@set`` with a title is a ``collection`` with ``has-part`` links to its members;
    an untitled one (or any, with ``sets="members"``) is left out: its members alone.
    """
    for entry in _inherit(entries, report):
        if entry.type == "set" and sets == "members":
            continue
        record = _record(entry, report)
        if record is not None:
            yield record


def _names(entry: RawEntry, name: str, report: Report) -> tuple[list[str], bool] | None:
    """The names of a name field, and whether it ended in ``and others``."""
    names, others = [], False
    for written in split_list(entry.fields[name]):
        if is_others(written):
            others = True
            continue
        try:
            names.append(parse_name(written))
        except NameError_ as err:
            report(entry.places[name], str(err))
            return None
    return names, others


def _date(entry: RawEntry) -> str | None:
    """The EDTF date of an entry: ``date`` as biblatex writes it, else ``year``/``month``."""
    fields = entry.fields
    if "date" in fields:
        # As written: a date has no LaTeX, and ~ is EDTF's "approximately" here.
        text = fields["date"].replace("{", "").replace("}", "").strip()
        if "/" in text:
            start, _, end = text.partition("/")
            text = f"{start or '..'}/{end or '..'}"
        return text
    year = decode(fields.get("year", "")).strip()
    years = _YEARS.match(year)
    if years:
        return f"{years.group(1)}/{years.group(2)}"
    if not _YEAR.match(year):
        return None
    month = _month(fields.get("month", ""))
    return f"{year}-{month:02d}" if month else year


def _month(text: str) -> int | None:
    text = decode(text).strip().rstrip(".").lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    for number, name in enumerate(MONTHS, 1):
        if len(text) >= 3 and name.lower().startswith(text):
            return number
    return None


def _language(text: str) -> tuple[str | None, bool]:
    """A language code for a babel name or a code; and whether it was recognised."""
    text = decode(text).strip()
    code = _LANGUAGES.get(text) or _LANGUAGES.get(text.lower())
    if code:
        return code, True
    if _CODE.match(text):
        return text, True
    return None, False


def _where_published(entry: RawEntry, values: dict[str, Any],
                     record_places: dict[str, tuple[int, int]], extra: dict[str, Any],
                     extra_places: dict[str, tuple[int, int]]) -> tuple[str | None, str | None]:
    """Set the publisher and ``fields.container``; return the fields they came from."""
    fields, places = entry.fields, entry.places
    container = next((n for n in _CONTAINERS if fields.get(n)), None)
    publisher = next((n for n in _PUBLISHERS if fields.get(n)), None)
    if publisher is None and entry.type in ("misc", "booklet") and fields.get("howpublished"):
        publisher = "howpublished"
    if publisher is None and container is not None and values["kind"] in ("article",
                                                                           "review"):
        publisher, container = container, None
    if publisher is not None:
        values["publisher"], record_places["publisher"] = (decode(fields[publisher]),
                                                           places[publisher])
    if container is not None:
        extra["container"], extra_places["container"] = (decode(fields[container]),
                                                         places[container])
    return container, publisher


def _record(entry: RawEntry, report: Report) -> Located | None:
    fields, places = entry.fields, entry.places
    values: dict[str, Any] = {"kind": KINDS.get(entry.type, "other")}
    extra: dict[str, Any] = {"citekey": entry.key, "entrytype": entry.type}
    extra_places: dict[str, tuple[int, int]] = {}
    record_places: dict[str, tuple[int, int]] = {}
    if "title" in fields:
        values["title"] = decode(fields["title"])
    if fields.get("subtitle"):
        values["subtitle"] = decode(fields["subtitle"])
    for name in sorted(n for n in fields if n in NAME_FIELDS or n == "author"):
        found = _names(entry, name, report)
        if found is None:
            return None
        names, others = found
        if name == "author":
            values["creators"] = names or None
            record_places["creators"] = places[name]
        else:
            extra[name], extra_places[name] = names, places[name]
        if others:
            note = decode(fields["note"]) + "; " if "note" in fields else ""
            fields["note"] = f"{note}{name}: and others"
    date = _date(entry)
    if date is not None:
        values["date"] = date
        record_places["date"] = places.get("date", places.get("year", entry.where))
    container, publisher = _where_published(entry, values, record_places, extra,
                                            extra_places)
    for name in ("langid", "language"):
        if fields.get(name) and "language" not in values:
            code, known = _language(fields[name])
            if known:
                values["language"], record_places["language"] = code, places[name]
                if name == "language":
                    continue
            elif name == "langid":
                extra["langid"] = decode(fields[name])
    values["url"] = fields.get("url", "").strip() or None
    values["summary"] = decode(fields["abstract"]) if fields.get("abstract") else None
    if fields.get("keywords"):
        tags = [t.strip() for t in re.split(r"[,;]", decode(fields["keywords"])) if t.strip()]
        values["tags"], record_places["tags"] = tags or None, places["keywords"]
    if date is not None:
        fields.pop("year", None)
        fields.pop("month", None)
    used = {container, publisher} | ({"language"} if "language" in values and
                                     "language" not in extra else set())
    for name, value in fields.items():
        if name in _CONSUMED or name in NAME_FIELDS or name in used or name == "author":
            continue
        if name == "language" and "language" in values:
            continue
        text = value.strip() if name in VERBATIM else decode(value)
        if name == "pages":
            text = text.replace("–", "-")
        key = _RENAMED.get(name, name)
        extra[key], extra_places[key] = text, places.get(name, entry.where)
    if entry.type == "set":
        members = [k.strip() for k in fields.get("entryset", "").split(",") if k.strip()]
        links = [marked({"rel": "has-part", "target": m}, places["entryset"], {})
                 for m in members]
        values["links"] = marked_list(links, places["entryset"]) if links else None
        if "title" not in values:
            return None  # an untitled set is its members alone
    for name in ("title", "subtitle", "url", "summary"):
        if name in fields or (name == "summary" and "abstract" in fields):
            record_places[name] = places.get(name, places.get("abstract", entry.where))
    record_id = usable_key(entry.key)
    values = {"id": record_id, **values,
              "fields": marked(extra, entry.where, extra_places)}
    record_places["id"] = entry.where
    return located(values, entry.where, record_places,
                   span=(entry.where[0], entry.last_line), from_key=record_id is not None)
