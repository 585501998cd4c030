"""papis libraries as located records: one folder per document, ``info.yaml`` in each.

papis keeps BibTeX's field names in plain Unicode YAML, so its mapping is BibTeX's
(:mod:`archivist.importing.bibmap`) without the LaTeX: ``author_list`` (``family``/
``given``) or else ``author`` (``Family, Given and …``) give the creators, ``year``/
``date`` the date, ``tags`` the tags, ``type`` the kind, ``ref`` the citation key;
the first of ``files`` is the record's source (hashed and sized as any source), the
others are kept in ``fields.files``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from archivist.importing.bibmap import KINDS
from archivist.importing.bibnames import is_others, split_list
from archivist.importing.located import Located, Report, located, marked, person, usable_key
from archivist.yamlio import MarkedDict

_RECORD_KEYS = {"title": "title", "subtitle": "subtitle", "url": "url",
                "abstract": "summary", "publisher": "publisher", "language": "language"}
_USED = {"author", "author_list", "year", "month", "date", "tags", "type", "ref", "files",
         "journal", "journaltitle", "booktitle", *_RECORD_KEYS}
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def is_library(folder: str) -> bool:
    """Whether ``folder`` is a papis library: some folder directly in it has info.yaml."""
    try:
        with os.scandir(folder) as found:
            return any(e.is_dir() and not e.name.startswith(".")
                       and os.path.isfile(os.path.join(e.path, "info.yaml")) for e in found)
    except OSError:
        return False


def documents(folder: str) -> list[str]:
    """The ``info.yaml`` of each document of a papis library, sorted by folder name."""
    with os.scandir(folder) as found:
        names = sorted(e.name for e in found if e.is_dir() and not e.name.startswith("."))
    return [os.path.join(folder, n, "info.yaml") for n in names
            if os.path.isfile(os.path.join(folder, n, "info.yaml"))]


def _creators(doc: MarkedDict) -> list[str] | None:
    names = doc.get("author_list")
    if isinstance(names, list) and names:
        return [person(str(n.get("family") or ""), str(n.get("given") or ""))
                if isinstance(n, dict) and n.get("family") else str(n) for n in names]
    author = doc.get("author")
    if isinstance(author, str) and author.strip():
        out = []
        for written in split_list(author):
            if is_others(written):
                continue
            family, _, given = written.partition(",")
            out.append(person(family, given) if given.strip() else written.strip())
        return out
    return None


def _date(doc: MarkedDict) -> str | None:
    date = doc.get("date")
    if isinstance(date, str) and _DATE.match(date.strip()):
        return date.strip()
    year = str(doc.get("year") or "").strip()
    if not re.match(r"^\d{4}$", year):
        return None
    month = str(doc.get("month") or "").strip()
    return f"{year}-{int(month):02d}" if month.isdigit() and 1 <= int(month) <= 12 else year


def record(doc: MarkedDict, report: Report) -> Located | None:
    """One papis ``info.yaml`` as a located record."""
    at = doc.position()
    kind = str(doc.get("type") or "misc").lower()
    values: dict[str, Any] = {"kind": KINDS.get(kind, "other")}
    places = {key: doc.position(key) for key in doc}
    extra: dict[str, Any] = {"entrytype": kind}
    ref = doc.get("ref")
    if ref is not None:
        extra["citekey"] = str(ref)
    for key, target in _RECORD_KEYS.items():
        if doc.get(key) is not None:
            values[target], places[target] = doc[key], doc.position(key)
    values["creators"] = _creators(doc)
    places["creators"] = doc.position("author_list" if "author_list" in doc else "author")
    values["date"] = _date(doc)
    places["date"] = doc.position("date" if "date" in doc else "year")
    tags = doc.get("tags")
    values["tags"] = tags.split() if isinstance(tags, str) else tags
    container = next((doc[k] for k in ("journal", "journaltitle", "booktitle") if doc.get(k)),
                     None)
    if container is not None and values.get("publisher") is None and values["kind"] == "article":
        values["publisher"] = container
    elif container is not None:
        extra["container"] = container
    files = doc.get("files")
    if isinstance(files, list) and files:
        values["source"] = marked({"path": str(files[0])}, doc.position("files"), {})
        places["source"] = doc.position("files")
        if len(files) > 1:
            extra["files"] = [str(f) for f in files[1:]]
    for name, value in doc.items():
        if name not in _USED:
            extra[name] = value
    record_id = usable_key(str(ref)) if ref is not None else None
    values = {"id": record_id, **values,
              "fields": marked(extra, at, {k: doc.position(k) for k in doc})}
    return located(values, at, places, from_key=record_id is not None)
