"""The record: its schema, its validation, and its conversions to and from documents.

Nothing here does I/O.  A record has two dictionary forms:

* the *interchange form* (DESIGN.md "The record"): every schema key present, ``None``
  where a value is absent, plus ``links`` and the read-only ``archive`` section.  It is
  what ``show --format json|yaml``, ``list --format json`` and import speak;
* the *document*: what the store keeps.  Absent keys are left out, and a private
  ``_dates`` pair (earliest, latest day) is cached so that sorting and date queries
  need not parse dates again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from archivist.dates import date_bounds
from archivist.errors import InvalidRecord

#: Every kind of thing a record may describe.
KINDS: tuple[str, ...] = (
    "article", "web-page", "listing", "book", "chapter", "pamphlet", "speech", "letter",
    "interview", "review", "film", "image", "audio", "video", "dataset", "series",
    "collection", "organisation", "person", "event", "other",
)
#: Kinds that describe agents or events rather than documents.
AGENT_KINDS = frozenset({"organisation", "person", "event"})
DEFAULT_KIND = "other"

#: Single-valued text fields of the schema, in interchange order.
TEXT_FIELDS: tuple[str, ...] = (
    "title", "subtitle", "date", "publisher", "language", "url", "summary",
)
#: Multi-valued text fields of the schema.
LIST_FIELDS: tuple[str, ...] = ("creators", "tags")
#: The order of keys in the interchange form.
INTERCHANGE_KEYS: tuple[str, ...] = (
    "id", "kind", "title", "subtitle", "creators", "date", "publisher", "language", "url",
    "summary", "tags", "links", "source", "fields",
)
#: The key under which ``show`` gives the links other records hold to a record, each
#: named as read from it; read-only, and passed over when a record is read.
INVERSE_LINKS_KEY = "inverse_links"
#: Names archivist maintains itself; users may not set them.
RESERVED_KEYS = frozenset({"archive", "added", "added_by", "added_how", "changed", "fixity"})
#: Keys of the ``source`` mapping.
SOURCE_KEYS: tuple[str, ...] = ("path", "sha256", "size", "span", "offset", "retrieved")
#: The private document key caching a record's (earliest, latest) day.
DATES_KEY = "_dates"

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# C0/C1 controls except tab and newline, and NUL above all; lone surrogates are caught
# separately because they cannot be encoded as UTF-8 at all.
_FORBIDDEN_IN_TEXT = re.compile(r"[\x00]")
_CONTROL_IN_TAG = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_text(value: object, what: str, *, allow_newlines: bool = True) -> str:
    """Return ``value`` if it is storable text, else raise :class:`InvalidRecord`.

    Text must survive a UTF-8 JSON round trip: NUL and lone surrogates are refused.
    Integers are taken as the digits written (JSON input may carry them).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidRecord(f"{what} must be text, not {type(value).__name__}")
    text = str(value)
    if _FORBIDDEN_IN_TEXT.search(text):
        raise InvalidRecord(f"{what} contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRecord(f"{what} contains a character that is not valid Unicode") from None
    if not allow_newlines and ("\n" in text or "\r" in text):
        raise InvalidRecord(f"{what} must be a single line")
    return text


def check_id(value: object) -> str:
    """Validate a record id: ASCII letters, digits, ``-``, ``_``, ``.``; starts alphanumeric."""
    text = check_text(value, "id")
    if not ID_PATTERN.match(text):
        raise InvalidRecord(
            f"bad id {text!r}: use ASCII letters, digits, '-', '_' and '.', starting with a "
            "letter or digit (at most 128 characters)"
        )
    return text


def check_kind(value: object) -> str:
    """Validate a kind, in any case (``Book`` is ``book``), and return it as the schema
    spells it; an unknown kind names the valid ones."""
    text = check_text(value, "kind").strip()
    if text.lower() not in KINDS:
        raise InvalidRecord(f"unknown kind {text!r}; valid kinds: {', '.join(KINDS)}")
    return text.lower()


def check_tag(value: object) -> str:
    """Validate one tag: non-blank text without control characters, stripped."""
    text = check_text(value, "tag").strip()
    if not text:
        raise InvalidRecord("a tag cannot be blank")
    if _CONTROL_IN_TAG.search(text):
        raise InvalidRecord(f"tag {text!r} contains a control character")
    return text


def tag_key(tag: str) -> str:
    """The case-insensitive identity of a tag."""
    return tag.casefold()


def first_spellings(tag_lists: Iterable[Any], spelling: dict[str, str] | None = None
                    ) -> dict[str, str]:
    """Each tag's :func:`tag_key` mapped to its first spelling in ``tag_lists`` (lists of
    tags, ``None`` for none), added to ``spelling`` when given."""
    spelling = {} if spelling is None else spelling
    seen: set[str] = set()
    for tags in tag_lists:
        for tag in tags or ():
            if tag not in seen:  # far cheaper than folding every tag of every record
                seen.add(tag)
                spelling.setdefault(tag_key(tag), tag)
    return spelling


def merge_tags(existing: Iterable[str], new: Iterable[str]) -> tuple[str, ...]:
    """Append ``new`` tags to ``existing`` unless already there (case-insensitively).

    The spelling first given wins, so the result is stable under repetition.
    """
    result = list(existing)
    seen = {tag_key(t) for t in result}
    for tag in new:
        key = tag_key(tag)
        if key not in seen:
            seen.add(key)
            result.append(tag)
    return tuple(result)


def _text_list(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)):
        raise InvalidRecord(f"{what} must be text or a list of text")
    out: list[str] = []
    for item in items:
        text = check_text(item, what).strip()
        if not text:
            raise InvalidRecord(f"{what} cannot hold a blank entry")
        out.append(text)
    return tuple(out)


def check_fields_value(value: object, where: str, depth: int = 0) -> Any:
    """Validate a custom field value: text, a list of values, or a nested mapping."""
    if depth > 32:
        raise InvalidRecord(f"{where} is nested too deeply")
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = check_text(key, f"a key in {where}")
            if item is not None:
                out[name] = check_fields_value(item, f"{where}.{name}", depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [check_fields_value(item, where, depth + 1) for item in value]
    return check_text(value, where)


@dataclass(frozen=True)
class Source:
    """The archived bytes a record describes.

    Equality covers every attribute; ``path`` is as stored (relative to the archive's
    folder when the file lies inside it).
    """

    path: str
    sha256: str | None = None
    size: int | None = None
    span: tuple[int, int] | None = None
    #: Where the record's bytes start in the file (a WARC file's record, say), in bytes.
    offset: int | None = None
    retrieved: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``source`` mapping of the interchange form (absent parts left out)."""
        out: dict[str, Any] = {"path": self.path}
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.size is not None:
            out["size"] = self.size
        if self.span is not None:
            out["span"] = list(self.span)
        if self.offset is not None:
            out["offset"] = self.offset
        if self.retrieved is not None:
            out["retrieved"] = self.retrieved
        return out


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise InvalidRecord(f"{what} must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InvalidRecord(f"{what} must be a whole number, not {value!r}")


def parse_source(value: object) -> Source | None:
    """Validate the ``source`` mapping of the interchange form (its shape, not the file)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidRecord("source must be a mapping with at least a path")
    unknown = sorted(set(map(str, value)) - set(SOURCE_KEYS))
    if unknown:
        raise InvalidRecord(
            f"unknown key source.{unknown[0]}; source takes {', '.join(SOURCE_KEYS)}"
        )
    if value.get("path") in (None, ""):
        raise InvalidRecord("source.path is required")
    path = check_text(value["path"], "source.path", allow_newlines=False)
    sha = value.get("sha256")
    if sha is not None:
        sha = check_text(sha, "source.sha256").strip().lower()
        if not _SHA256.match(sha):
            raise InvalidRecord(f"source.sha256 {sha!r} is not 64 hexadecimal digits")
    size = None if value.get("size") is None else _as_int(value["size"], "source.size")
    if size is not None and size < 0:
        raise InvalidRecord("source.size cannot be negative")
    span = value.get("span")
    span_pair: tuple[int, int] | None = None
    if span is not None:
        if not isinstance(span, (list, tuple)) or len(span) != 2:
            raise InvalidRecord("source.span must be two line numbers [first, last]")
        first, last = (_as_int(n, "source.span") for n in span)
        if first < 1 or last < first:
            raise InvalidRecord(f"source.span [{first}, {last}] is not a range of lines")
        span_pair = (first, last)
    offset = None if value.get("offset") is None else _as_int(value["offset"],
                                                              "source.offset")
    if offset is not None and offset < 0:
        raise InvalidRecord("source.offset cannot be negative")
    retrieved = value.get("retrieved")
    if retrieved is not None:
        retrieved = check_text(retrieved, "source.retrieved").strip()
        try:
            date_bounds(retrieved)
        except InvalidRecord as err:
            raise InvalidRecord(f"source.retrieved: {err}") from None
    return Source(path=path, sha256=sha, size=size, span=span_pair, offset=offset,
                  retrieved=retrieved)


@dataclass(frozen=True)
class Record:
    """One described thing.

    Equality covers every attribute, the maintained ``archive`` section included.
    Build records with :func:`record_from_mapping`, which validates; the constructor
    trusts its arguments.
    """

    id: str
    title: str
    kind: str = DEFAULT_KIND
    subtitle: str | None = None
    creators: tuple[str, ...] = ()
    date: str | None = None
    publisher: str | None = None
    language: str | None = None
    url: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    source: Source | None = None
    fields: dict[str, Any] = field(default_factory=dict, hash=False)
    archive: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def date_range(self) -> tuple[str, str] | None:
        """``(earliest, latest)`` day of :attr:`date`, or ``None`` when undated."""
        return None if self.date is None else date_bounds(self.date)

    def to_document(self) -> dict[str, Any]:
        """The compact form the store keeps (absent values left out)."""
        doc: dict[str, Any] = {"id": self.id, "kind": self.kind, "title": self.title}
        for name in ("subtitle", "date", "publisher", "language", "url", "summary"):
            value = getattr(self, name)
            if value is not None:
                doc[name] = value
        if self.creators:
            doc["creators"] = list(self.creators)
        if self.tags:
            doc["tags"] = list(self.tags)
        if self.source is not None:
            doc["source"] = self.source.to_dict()
        if self.fields:
            doc["fields"] = self.fields
        if self.archive:
            doc["archive"] = self.archive
        dates = self.date_range()
        if dates is not None:
            doc[DATES_KEY] = list(dates)
        return doc

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Record:
        """Rebuild a record from a stored document (already validated when stored)."""
        src = doc.get("source")
        source = None
        if src is not None:
            span = src.get("span")
            source = Source(
                path=src["path"], sha256=src.get("sha256"), size=src.get("size"),
                span=None if span is None else (span[0], span[1]),
                offset=src.get("offset"), retrieved=src.get("retrieved"),
            )
        return cls(
            id=doc["id"], title=doc["title"], kind=doc.get("kind", DEFAULT_KIND),
            subtitle=doc.get("subtitle"), creators=tuple(doc.get("creators", ())),
            date=doc.get("date"), publisher=doc.get("publisher"),
            language=doc.get("language"), url=doc.get("url"), summary=doc.get("summary"),
            tags=tuple(doc.get("tags", ())), source=source,
            fields=dict(doc.get("fields", {})), archive=dict(doc.get("archive", {})),
        )

    def with_changes(self, **changes: Any) -> Record:
        """A copy with ``changes`` applied (no validation: use :func:`apply_changes`)."""
        return replace(self, **changes)


def interchange(doc: Mapping[str, Any], links: list[dict[str, str]] | None = None,
                *, with_archive: bool = True) -> dict[str, Any]:
    """The interchange form of a stored document: every schema key, ``None`` when absent.

    :param links: the record's stored outgoing links as ``{"rel", "target"}`` mappings.
    :param with_archive: include the read-only ``archive`` section.
    """
    out: dict[str, Any] = {}
    for key in INTERCHANGE_KEYS:
        if key == "links":
            out["links"] = list(links or [])
        elif key in LIST_FIELDS:
            out[key] = list(doc.get(key, ()))
        elif key == "fields":
            out["fields"] = dict(doc.get("fields", {}))
        elif key == "kind":
            out["kind"] = doc.get("kind", DEFAULT_KIND)
        else:
            out[key] = doc.get(key)
    if with_archive:
        out["archive"] = dict(doc.get("archive", {}))
    return out


def record_from_mapping(data: Mapping[str, Any], *, default_id: str | None = None) -> Record:
    """Validate a record given as a mapping (interchange form, CLI options, edited YAML).

    Unknown keys land in ``fields``; reserved keys are refused; ``None`` means absent.
    ``links`` and ``archive`` are not part of the result: callers handle links
    separately, and the archive section is maintained, never taken from input.

    :param default_id: the id to use when ``data`` has none (the caller generates it).
    :raises InvalidRecord: naming the first offending field.
    """
    values: dict[str, Any] = {}
    given_fields = data.get("fields")
    if given_fields is not None and not isinstance(given_fields, Mapping):
        raise InvalidRecord("fields must be a mapping of name: value")
    extra: dict[str, Any] = dict(given_fields or {})
    for raw_key, value in data.items():
        key = check_text(raw_key, "a field name")
        if key in ("fields", "links", "archive", INVERSE_LINKS_KEY) or value is None:
            continue
        if key in RESERVED_KEYS:
            raise InvalidRecord(f"{key!r} is maintained by archivist and cannot be set")
        if key == "id":
            values["id"] = check_id(value)
        elif key == "kind":
            values["kind"] = check_kind(value)
        elif key == "date":
            text = check_text(value, "date").strip()
            date_bounds(text)
            values["date"] = text
        elif key in TEXT_FIELDS:
            text = check_text(value, key)
            if key == "title" and not text.strip():
                raise InvalidRecord("title cannot be blank")
            values[key] = text
        elif key == "creators":
            values["creators"] = _text_list(value, "creators")
        elif key == "tags":
            values["tags"] = merge_tags((), (check_tag(t) for t in _text_list(value, "tags")))
        elif key == "source":
            values["source"] = parse_source(value)
        else:
            extra[key] = value
    if "archive" in data and data["archive"] not in (None, {}) and not isinstance(
        data["archive"], Mapping
    ):
        raise InvalidRecord("archive is maintained by archivist and cannot be set")
    for key in list(extra):
        if key in RESERVED_KEYS:
            raise InvalidRecord(f"{key!r} is maintained by archivist and cannot be set")
        if extra[key] is None:
            del extra[key]
        else:
            extra[key] = check_fields_value(extra[key], f"fields.{key}")
    if "title" not in values:
        raise InvalidRecord("a record needs a title")
    record_id = values.pop("id", None) or default_id
    if record_id is None:
        raise InvalidRecord("a record needs an id")
    return Record(id=check_id(record_id), fields=extra, **values)
