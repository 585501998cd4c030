"""Finding records that describe the same thing twice.

Records are put in buckets by keys computed once per record, so the work grows with
the number of records, not with its square (10,000 records take a fraction of a
second).  A group is reported with its ``kind``, ``reason`` and ``score``:

``exact`` (score 1.0)
    the same source bytes and lines (``source.sha256`` and ``source.span``; no span
    on either means the whole file), or the same normalised URL: scheme and host
    lower-cased, ``www.`` dropped, no fragment, no ``utm_*`` parameters and no
    trailing slash.
``likely``
    the same normalised title and subtitle (case-folded, accents stripped,
    punctuation and white space folded), and nothing that disagrees:

    ========================================================  =====
    what agrees besides title and subtitle                    score
    ========================================================  =====
    year and first creator's family name                      0.9
    year (a creator is missing on some)                       0.75
    first creator's family name (a year is missing on some)   0.7
    nothing else (year and creator missing on some)           0.6
    ========================================================  =====

    Creators are compared by their family names as :func:`archivist.names.family_key`
    folds them, the rule ids and the citation exports use, so ``Троцкий Лев
    Давидович`` and ``Лев Давидович Троцкий`` (or ``Weiss, Clara`` and ``Clara
    Weiss``) are the same creator.  Only records of comparable kinds are compared:
    documents with documents, containers (series, collection, listing) with
    containers, and each kind of agent (organisation, person, event) with its own kind.
``confirmed`` (score 1.0)
    records already linked ``duplicate-of`` (each connected set is one group):
    they stay in the report until they are merged.

Series parts are never grouped: two records whose subtitles differ, or whose titles
carry different part numbers (``Part 2`` / ``Part 3``, ``Vol. II`` / ``Vol. III``)
are distinct even when their URL agrees.  Pairs the user declared distinct
(:func:`mark_distinct`, kept in each record's ``archive.distinct`` list) are never
grouped again.  A group inside a larger group of at least its score is not repeated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.errors import InvalidRecord
from archivist.models import AGENT_KINDS
from archivist.names import family_key
from archivist.query import fold

if TYPE_CHECKING:
    from archivist.store import Archive

#: Scores of likely duplicates by what agrees besides the title.
SCORE_YEAR_AND_CREATOR = 0.9
SCORE_YEAR = 0.75
SCORE_CREATOR = 0.7
SCORE_TITLE_ONLY = 0.6
#: The order groups of equal score are shown in.
KIND_ORDER = {"confirmed": 0, "exact": 1, "likely": 2}
CONTAINER_KINDS = frozenset({"series", "collection", "listing"})

_NON_WORD = re.compile(r"[\W_]+")
_NUMBER_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
    "ninth", "tenth",
)
# "part 2", "pt. ii", "vol 3", "chapter ten", "no 4", "episode 5", "teil 2", "часть 2"…
_PART = re.compile(
    r"\b(?:part|pt|vol|volume|book|chapter|ch|no|number|episode|issue|section|teil|band|"
    r"czesc|часть|том|глава)\s*(\d+|[ivxlc]+|" + "|".join(_NUMBER_WORDS) + r")\b"
    r"|\b(\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(?:part|instalment|installment)\b")


@dataclass(frozen=True)
class Group:
    """Records that describe the same thing, why we think so, and how sure we are."""

    ids: tuple[str, ...]
    kind: str
    reason: str
    score: float

    def to_dict(self, titles: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """A plain mapping for JSON output, with each record's id, title, date, creators."""
        records = []
        for record_id in self.ids:
            doc = (titles or {}).get(record_id.lower(), {})
            records.append({"id": record_id, "title": doc.get("title"),
                            "date": doc.get("date"), "creators": list(doc.get("creators", ()))})
        return {"ids": list(self.ids), "kind": self.kind, "reason": self.reason,
                "score": self.score, "records": records}


# -- keys -----------------------------------------------------------------------------


def normalise_text(text: str | None) -> str:
    """Text for comparison: case-folded, accents stripped, punctuation and spaces folded."""
    if not text:
        return ""
    return _NON_WORD.sub(" ", fold(text)).strip()


def normalise_url(url: str | None) -> str:
    """A URL for comparison (see the module docs); ``""`` when there is none."""
    if not url or not url.strip():
        return ""
    # Split by hand: urllib's parsers cost more than everything else per record.
    rest = url.strip().partition("#")[0]
    rest, question, query = rest.partition("?")
    scheme, sep, rest = rest.partition("://")
    if not sep:
        scheme, rest = "", scheme
    host, slash, path = rest.partition("/")
    host = host.lower()
    if host.startswith("www."):
        host = host[4:]
    if question and "utm_" in query.lower():
        query = "&".join(p for p in query.split("&") if not p.lower().startswith("utm_"))
    text = (f"{scheme.lower()}://" if sep else "") + host + (slash + path).rstrip("/")
    return text + (f"?{query}" if query else "")


def part_numbers(title: str) -> tuple[str, ...]:
    """The part numbers a normalised title carries (``part 2`` → ``("2",)``)."""
    return tuple(m.group(1) or m.group(2) for m in _PART.finditer(title))


def _kind_class(kind: str | None) -> str:
    kind = kind or "other"
    if kind in AGENT_KINDS:
        return kind
    return "container" if kind in CONTAINER_KINDS else "document"


def _year(doc: dict[str, Any]) -> str:
    date = str(doc.get("date") or "")
    return date[:4] if date[:4].isdigit() else ""


def distinct_of(doc: dict[str, Any]) -> list[str]:
    """The ids a record was declared distinct from (its ``archive.distinct`` list)."""
    return list((doc.get("archive") or {}).get("distinct") or [])


# -- finding groups --------------------------------------------------------------------


@dataclass
class _Facts:
    """What comparisons need of one record, computed once."""

    id: str
    title: str
    subtitle: str
    year: str
    family: str
    kind: str
    distinct: frozenset[str]
    _parts: tuple[str, ...] | None = None

    @property
    def parts(self) -> tuple[str, ...]:
        """The title's part numbers, found only when a comparison needs them."""
        if self._parts is None:
            self._parts = part_numbers(self.title)
        return self._parts


def _facts(doc: dict[str, Any]) -> _Facts:
    title = normalise_text(doc.get("title"))
    creators = doc.get("creators") or [None]
    return _Facts(doc["id"], title, normalise_text(doc.get("subtitle")), _year(doc),
                  family_key(creators[0]), _kind_class(doc.get("kind")),
                  frozenset(i.lower() for i in distinct_of(doc)))


def _declared_distinct(a: _Facts, b: _Facts) -> bool:
    return a.id.lower() in b.distinct or b.id.lower() in a.distinct


def _series_parts(a: _Facts, b: _Facts) -> bool:
    """Whether two records are different parts of one series."""
    if a.subtitle and b.subtitle and a.subtitle != b.subtitle:
        return True
    return bool(a.parts and b.parts and a.parts != b.parts)


def _split(members: Sequence[_Facts], apart: Callable[[_Facts, _Facts], bool]
           ) -> list[list[_Facts]]:
    """Split a bucket so that no two members of one part are ``apart``.

    Greedy: each record joins every part it fits, or starts a new one; a record that
    duplicates two records declared distinct appears with each of them.
    """
    parts: list[list[_Facts]] = []
    for member in members:
        placed = False
        for part in parts:
            if not any(apart(member, other) for other in part):
                part.append(member)
                placed = True
        if not placed:
            parts.append([member])
    return [part for part in parts if len(part) > 1]


def _likely(facts: list[_Facts]) -> Iterable[tuple[list[_Facts], str, float]]:
    """Groups of the same title whose year and creator do not disagree."""
    by_title: dict[tuple[str, str, str], list[_Facts]] = {}
    for fact in facts:
        if fact.title:
            by_title.setdefault((fact.title, fact.subtitle, fact.kind), []).append(fact)
    for bucket in by_title.values():
        if len(bucket) < 2:
            continue
        by_detail: dict[tuple[str, str], list[_Facts]] = {}
        for fact in bucket:
            by_detail.setdefault((fact.year, fact.family), []).append(fact)
        for (year, name), records in by_detail.items():
            # A specific record joins the less specific ones that cannot disagree with it.
            wider = [(year, ""), ("", name), ("", "")]
            group = list(records)
            for key in dict.fromkeys(wider):
                if key != (year, name):
                    group.extend(by_detail.get(key, ()))
            if len(group) < 2:
                continue
            years = {f.year for f in group}
            names = {f.family for f in group}
            has_year, has_name = "" not in years, "" not in names
            if has_year and has_name:
                yield group, "same title, year and first creator", SCORE_YEAR_AND_CREATOR
            elif has_year:
                yield group, "same title and year", SCORE_YEAR
            elif has_name:
                yield group, "same title and first creator", SCORE_CREATOR
            else:
                yield group, "same title", SCORE_TITLE_ONLY


def _confirmed(links: Iterable[dict[str, Any]], names: dict[str, str]) -> list[list[str]]:
    """Sets of selected records connected by ``duplicate-of`` links (union-find)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for link in links:
        if link.get("rel") != "duplicate-of":
            continue
        a, b = str(link["src"]).lower(), str(link["dst"]).lower()
        if a in names and b in names:
            parent[root(a)] = root(b)
    sets: dict[str, list[str]] = {}
    for node in parent:
        sets.setdefault(root(node), []).append(node)
    return [[names[n] for n in members] for members in sets.values() if len(members) > 1]


def find_duplicates(docs: Iterable[dict[str, Any]],
                    links: Iterable[dict[str, Any]] = ()) -> list[Group]:
    """Groups of duplicate records among ``docs`` (stored documents).

    :param links: the archive's stored links, for ``duplicate-of`` (confirmed) groups.
    :returns: groups by falling score, confirmed before exact before likely; within
        a group, records in the order given.
    """
    docs = list(docs)
    facts = [_facts(doc) for doc in docs]
    order = {f.id.lower(): n for n, f in enumerate(facts)}
    names = {f.id.lower(): f.id for f in facts}
    by_id = {f.id.lower(): f for f in facts}
    found: list[tuple[list[str], str, str, float]] = []

    for members in _confirmed(links, names):
        found.append((members, "confirmed", "linked duplicate-of", 1.0))
    by_source: dict[tuple[str, str], list[_Facts]] = {}
    by_url: dict[str, list[_Facts]] = {}
    for doc, fact in zip(docs, facts):
        source = doc.get("source") or {}
        if source.get("sha256"):
            span, offset = source.get("span"), source.get("offset")
            where = f"lines {span[0]}-{span[1]}" if span else "whole file"
            if offset is not None:
                where += f" from byte {offset}"
            by_source.setdefault((source["sha256"], where), []).append(fact)
        url = normalise_url(doc.get("url"))
        if url:
            by_url.setdefault(url, []).append(fact)
    for (sha, where), bucket in by_source.items():
        for part in _split(bucket, _declared_distinct) if len(bucket) > 1 else ():
            found.append(([f.id for f in part], "exact",
                          f"same source (sha256 {sha[:12]}…, {where})", 1.0))

    def apart(a: _Facts, b: _Facts) -> bool:
        return _declared_distinct(a, b) or _series_parts(a, b)

    for url, bucket in by_url.items():
        for part in _split(bucket, apart) if len(bucket) > 1 else ():
            found.append(([f.id for f in part], "exact", f"same URL ({url})", 1.0))
    for group, reason, score in _likely(facts):
        for part in _split(group, _declared_distinct):
            found.append(([f.id for f in part], "likely", reason, score))
    return _prune(found, order, by_id)


def _prune(found: list[tuple[list[str], str, str, float]], order: dict[str, int],
           by_id: dict[str, _Facts]) -> list[Group]:
    """Drop groups inside a kept group of at least their score; merge equal ones' reasons."""
    found.sort(key=lambda g: (-g[3], KIND_ORDER[g[1]], min(order[i.lower()] for i in g[0])))
    kept: list[tuple[set[str], list[str], str, list[str], float]] = []
    holding: dict[str, list[int]] = {}
    for ids, kind, reason, score in found:
        members = {i.lower() for i in ids}
        first = min(members, key=order.__getitem__)
        covered = False
        for index in holding.get(first, ()):
            other = kept[index]
            if members <= other[0] and other[4] >= score:
                if members == other[0] and reason not in other[3]:
                    other[3].append(reason)
                covered = True
                break
        if covered:
            continue
        ordered = sorted(ids, key=lambda i: order[i.lower()])
        kept.append((members, ordered, kind, [reason], score))
        for member in members:
            holding.setdefault(member, []).append(len(kept) - 1)
    return [Group(tuple(by_id[i.lower()].id for i in ids), kind, "; ".join(reasons), score)
            for _, ids, kind, reasons, score in kept]


def duplicates(archive: Archive, query: Sequence[str] = ()) -> list[Group]:
    """The duplicate groups among an archive's records (those matching ``query``).

    :raises QuerySyntaxError: when the query does not parse.
    """
    from archivist.listing import select

    docs = select(archive, query) if query else list(archive.documents())
    return find_duplicates(docs, archive.link_documents())


# -- declaring records distinct ----------------------------------------------------------


def set_distinct(archive: Archive, record_id: str, ids: list[str]) -> None:
    """Replace a record's ``archive.distinct`` list, logging the change (action ``distinct``)."""
    doc = archive.document(record_id)
    old = distinct_of(doc)
    if old == ids:
        return
    if ids:
        archive.set_archive_info(doc["id"], distinct=ids)
    else:
        archive.drop_archive_info(doc["id"], "distinct")
    archive.log("distinct", doc["id"], {"distinct": old or None}, {"distinct": ids or None})


def mark_distinct(archive: Archive, first: str, second: str) -> bool:
    """Remember that two records are not duplicates, so they are never grouped again.

    The pair is kept in both records' ``archive.distinct`` lists and logged in
    history with the same write (undo takes it back).

    :returns: ``False`` when the pair was declared distinct already (nothing changes).
    :raises RecordNotFound: when either record does not exist.
    :raises InvalidRecord: when both ids name the same record.
    """
    a, b = archive.canonical_id(first), archive.canonical_id(second)
    if a.lower() == b.lower():
        raise InvalidRecord(f"a record cannot be distinct from itself ({a})")
    changed = False
    for this, other in ((a, b), (b, a)):
        current = distinct_of(archive.document(this))
        if other.lower() not in {i.lower() for i in current}:
            set_distinct(archive, this, [*current, other])
            changed = True
    return changed


def record_titles(archive: Archive, groups: Iterable[Group]) -> dict[str, dict[str, Any]]:
    """The stored documents of the records in ``groups``, by lower-case id."""
    return {i.lower(): archive.document(i) for group in groups for i in group.ids}
