#!/usr/bin/env python3
"""Build the sample archive in ``records/`` from the seed texts in ``records/sources/``.

The seed texts are listings as captured from the web.  This script reads them and writes
the records that describe them, in archivist's YAML interchange form:

* ``records/seeds.yaml``: one record per seed file, with its SHA-256 and size;
* ``records/wsws-history-of-russia.yaml``: every entry of the topic page
  ``003_e424884a53b18103.txt``, one record each, with the lines it occupies;
* ``records/series.yaml``: the multi-part series and recurring columns of that page;
* ``records/workers-group.yaml``: every entry of the tag page ``002_786d3c61c826a7a6.txt``.

``records/agents.yaml`` (organisations, people and events) is written by hand; this script
only checks it together with the rest.

Usage::

    scripts/make_sample_records.py            # (re)write the generated YAML files
    scripts/make_sample_records.py --check    # exit 1 if they are stale or anything is invalid

What the parser of the topic page assumes, as the capture shows it: one paragraph per
line, paragraphs separated by blank lines; each entry is an optional kicker line, a
title, an optional subtitle, a dateline ``By A and B, D Month YYYY`` or ``D Month YYYY``,
and an optional one-paragraph summary.  A two-line heading is read as kicker and title,
unless the second line is a part (``Part two``) or the first line is listed in
:data:`TITLE_THEN_SUBTITLE`.  The records keep every text exactly as written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import archivist.ids as _ids

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "records"
SOURCES = RECORDS / "sources"

WSWS_FILE = "003_e424884a53b18103.txt"
WORKERS_GROUP_FILE = "002_786d3c61c826a7a6.txt"
WSWS = "World Socialist Web Site"
WSWS_LISTING_ID = "wsws-history-of-russia"
WORKERS_GROUP_LISTING_ID = "workers-group-tag-page"

KEY_ORDER = (
    "id", "kind", "title", "subtitle", "creators", "date", "publisher", "language", "url",
    "summary", "tags", "links", "source", "fields",
)
#: Each relation and its inverse (DESIGN.md "Links"); symmetric ones are their own inverse.
INVERSES = {
    "part-of": "has-part", "version-of": "has-version", "replaces": "replaced-by",
    "references": "referenced-by", "derived-from": "source-of",
    "translation-of": "translated-as", "precedes": "follows", "about": "subject-of",
    "created-by": "creator-of", "published-by": "publisher-of", "member-of": "has-member",
    "split-from": "split-into", "merged-into": "merged-from", "duplicate-of": "duplicate-of",
    "related": "related",
}
RELATIONS = frozenset(INVERSES) | frozenset(INVERSES.values())
KINDS = frozenset({
    "article", "web-page", "listing", "book", "chapter", "pamphlet", "speech", "letter",
    "interview", "review", "film", "image", "audio", "video", "dataset", "series",
    "collection", "organisation", "person", "event", "other",
})
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
DATELINE = re.compile(
    r"^(?:By (?P<byline>.+), )?(?P<day>\d{1,2}) (?P<month>" + "|".join(MONTHS)
    + r") (?P<year>\d{4})$"
)
PART = re.compile(r"^Part (?P<n>\w+)\b")
PART_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "i": 1, "ii": 2, "iii": 3, "iv": 4,
}

# ---------------------------------------------------------------------------
# Curated knowledge about the topic page (003): what a reader sees, written down.

#: Two-line headings whose first line is the title and second a subtitle (not a kicker):
#: reviews titled after the work, followed by a descriptive subheading.
TITLE_THEN_SUBTITLE = frozenset({
    "Cold War Exiles and the CIA: Plotting to Free Russia",
    "Vadim Rogovin’s Bolsheviks against Stalinism 1928–1933: Leon Trotsky and the Left "
    "Opposition",
    "Revoliutsiia! Demonstratsiia! Soviet Art Put to the Test at the Art Institute of "
    "Chicago—an introductory comment",
})
#: Titles that look like internal working items rather than published articles.
INTERNAL_TITLE = re.compile(r"^(?:zzz\d+|\d{3}) (?!years\b)")
#: Recurring columns of the site: name → id of the series record.
COLUMNS = {
    "This week in the Russian Revolution": "wsws-this-week-russian-revolution",
    "This week in history": "wsws-this-week-in-history",
    "Leaders of the Russian Revolution": "wsws-leaders-russian-revolution",
}
#: Summaries of the column records, where the page itself describes the column.
COLUMN_SUMMARIES = {
    "Leaders of the Russian Revolution": (
        "Profiles of leaders of the Russian Revolution, published by the World Socialist "
        "Web Site for the centenary of the October Revolution."
    ),
}
#: Original dates of documents published long after they were written or delivered,
#: where the summary states them.
WRITTEN = {
    "Speech at a session of the Petrograd Soviet": "1917-05-18",
    "In memory of Vadim Z. Rogovin": "1998",
}
#: Entries that plainly concern another listed item: (title, title of the other item).
RELATED = (
    ("zzz999 John Reed 100 years since his death",
     "100 years since US socialist journalist John Reed’s death"),
    ("230 Smilga", "Leaders of the Russian Revolution: Ivar Tenisovich Smilga (1892-1937)"),
)
#: Tags given when the pattern occurs in an entry's heading (kicker, title, subtitle),
#: and for those marked True also when it occurs in the summary.
TOPIC_TAGS = (
    ("navalny", re.compile(r"Navalny"), False),
    ("stalinism", re.compile(r"Stalinis[mt]"), False),
    ("trotsky", re.compile(r"\bTrotsky\b"), False),
    ("russian-revolution", re.compile(r"Russian Revolution|October Revolution"), False),
    ("coronavirus", re.compile(r"coronavirus|COVID-19", re.IGNORECASE), False),
    ("film", re.compile(r"\bfilms?\b|\bminiseries\b", re.IGNORECASE), True),
    ("skripal", re.compile(r"Skripal"), False),
    ("nato", re.compile(r"\bNATO\b"), False),
)

# ---------------------------------------------------------------------------
# Curated knowledge about the tag page (002) and the seed files.

WORKERS_GROUP_ENTRIES: dict[str, dict[str, Any]] = {
    "Protests in HK: a talk with the 'Workers Group'": {
        "id": "protests-hk-talk", "kind": "interview",
        "tags": ["workers-group", "hong-kong"],
        "links": [("about", "workers-group-hong-kong")],
    },
    "List otwarty do delegacji robotniczych udających się z Ameryki i Europy do Rosji (1927)": {
        "id": "1927-list-otwarty-delegacji", "kind": "letter", "language": "pl",
        "date": "1927", "tags": ["workers-group", "miasnikov"],
        "links": [("references", "gavril-miasnikov"),
                  ("references", "workers-group-miasnikov")],
    },
    "The latest deception": {
        "id": "miasnikov-1930-latest-deception", "kind": "article", "date": "1930",
        "tags": ["workers-group", "miasnikov"],
        "links": [("created-by", "gavril-miasnikov")],
        "fields": {"first_published": "1930, in France"},
    },
    "The Communist Left in Russia after 1920": {
        "id": "hebbes-communist-left-russia", "kind": "article", "tags": ["workers-group"],
    },
    "Bolshevik opposition to Lenin: G. T. Miasnikov and the Workers' Group": {
        "id": "avrich-1984-bolshevik-opposition-lenin", "kind": "article", "date": "1984",
        "tags": ["workers-group", "miasnikov"],
        "links": [("about", "gavril-miasnikov"), ("about", "workers-group-miasnikov")],
    },
    "Lenin, Also": {
        "id": "ciliga-lenin-also", "kind": "chapter", "tags": ["workers-group"],
        "fields": {
            "book": "The Russian Enigma",
            "book_originally_published_as": "In The Land of The Great Lie",
            "position": "Chapter 9 of Book 3",
        },
    },
}

SEEDS: tuple[dict[str, Any], ...] = (
    {
        "file": "000_6b703a38676a5298.txt", "id": "workers-power-russia-article",
        "kind": "article", "title": "Workers' Power (Russia)", "language": "en",
        "summary": (
            "Encyclopedia article on Workers' Power, a Trotskyist organisation in Russia "
            "(2024 to 22 May 2025): its origin in a split of the Organisation of "
            "Communists-Internationalists, its activity, its persecution and its "
            "self-dissolution."
        ),
        "tags": ["trotskyism"],
        "links": [("about", "workers-power-russia")],
        "fields": {
            "publisher_note": (
                "Not named in the text. The markup (a “= Title =” heading, infobox as "
                "“- Key: Value” lines, “==Section==” headings) suggests Wikipedia (English)."
            ),
        },
    },
    {
        "file": "001_ef0dc223d719c40a.txt", "id": "russia-masses-streets",
        "kind": "article", "title": "Russia: masses on the streets", "language": "en",
        "summary": (
            "Big protests broke out in Russia on 23 January in response to the arrest of "
            "oppositionist Alexei Navalny by Putin’s regime."
        ),
        "tags": ["navalny"],
        "fields": {
            "image_credit": "IMT Moscow",
            "capture_note": (
                "One line without line breaks: paragraphs and page furniture (“Share "
                "Tweet”, image captions) run together. No author and no date in the text."
            ),
        },
    },
    {
        "file": WORKERS_GROUP_FILE, "id": WORKERS_GROUP_LISTING_ID,
        "kind": "listing", "title": "Workers Group", "language": "en",
        "summary": (
            "Tag page of a library of left-communist texts listing six texts under the tag "
            "“Workers Group”, which covers two different groups: a proletarian collective "
            "in Hong Kong and the Bolshevik opposition group of G. T. Miasnikov."
        ),
        "tags": ["workers-group"],
        "fields": {"publisher_note": "Not named in the text."},
    },
    {
        "file": WSWS_FILE, "id": WSWS_LISTING_ID, "kind": "listing",
        "title": "History of Russia & the former Soviet Union", "publisher": WSWS,
        "language": "en",
    },
)


# ---------------------------------------------------------------------------
# Parsing


@dataclass
class Entry:
    """One entry of a listing page, with the 1-based lines it occupies."""

    first_line: int
    last_line: int
    title: str
    kicker: str | None = None
    subtitle: str | None = None
    creators: tuple[str, ...] = ()
    date: str | None = None
    summary: str | None = None
    extra_lines: tuple[str, ...] = ()


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of ``text`` with their 1-based numbers, stripped."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]


def split_byline(byline: str) -> tuple[str, ...]:
    """Creators of a byline: ``A and B`` and ``A, B and C`` are several people.

    A collective byline (``our correspondents``: it starts in lowercase) stays one creator.
    """
    byline = byline.strip()
    if byline[:1].islower():
        return (byline,)
    return tuple(name.strip() for name in re.split(r",\s*|\s+and\s+", byline) if name.strip())


def parse_dateline(line: str) -> tuple[tuple[str, ...], str] | None:
    """``("By Clara Weiss, 9 February 2021")`` → ``(("Clara Weiss",), "2021-02-09")``.

    Returns ``None`` when the line is not a dateline.
    """
    match = DATELINE.match(line.strip())
    if match is None:
        return None
    month = MONTHS.index(match["month"]) + 1
    day = dt.date(int(match["year"]), month, int(match["day"]))
    creators = split_byline(match["byline"]) if match["byline"] else ()
    return creators, day.isoformat()


def looks_like_summary(line: str) -> bool:
    """A summary is a sentence: it ends with a full stop (not an ellipsis)."""
    core = line.rstrip("”’\"')» ")
    return core.endswith(".") and not core.endswith("...") and len(line.split()) >= 4


def split_heading(lines: Sequence[str]) -> tuple[str | None, str, str | None]:
    """``(kicker, title, subtitle)`` of an entry's one to three heading lines."""
    if len(lines) == 1:
        return None, lines[0], None
    if len(lines) == 3:
        return lines[0], lines[1], lines[2]
    if len(lines) == 2:
        if PART.match(lines[1]) or lines[0] in TITLE_THEN_SUBTITLE:
            return None, lines[0], lines[1]
        return lines[0], lines[1], None
    raise ValueError(f"an entry heading has one to three lines, not {len(lines)}: {lines}")


def parse_listing(text: str) -> tuple[str, list[Entry]]:
    """The title of a topic page and its entries (see the module docstring)."""
    lines = numbered_lines(text)
    if not lines:
        raise ValueError("the listing is empty")
    heading, body = lines[0][1], lines[1:]
    datelines = [k for k, (_, line) in enumerate(body) if DATELINE.match(line)]
    if not datelines:
        raise ValueError("the listing has no dateline")
    entries: list[Entry] = []
    start = 0
    for position in datelines:
        group = body[start:position]
        if entries and (len(group) == 4 or (len(group) in (2, 3)
                                            and looks_like_summary(group[0][1]))):
            entries[-1].summary = group[0][1]
            entries[-1].last_line = group[0][0]
            group = group[1:]
        if not 1 <= len(group) <= 3:
            where = body[position][0]
            raise ValueError(f"line {where}: cannot tell the heading of this entry: {group}")
        kicker, title, subtitle = split_heading([line for _, line in group])
        parsed = parse_dateline(body[position][1])
        assert parsed is not None
        creators, date = parsed
        entries.append(Entry(first_line=group[0][0], last_line=body[position][0], title=title,
                             kicker=kicker, subtitle=subtitle, creators=creators, date=date))
        start = position + 1
    rest = body[start:]
    if len(rest) > 1:
        raise ValueError(f"line {rest[1][0]}: more than one paragraph after the last dateline")
    if rest:
        entries[-1].summary = rest[0][1]
        entries[-1].last_line = rest[0][0]
    return heading, entries


TITLE_AUTHOR = re.compile(r"^(?P<title>.+) - (?P<author>[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3})$")


def looks_like_tag_page_title(line: str) -> bool:
    """A title on the tag page: ``Title - Author`` or ``Title (YYYY)``, not a sentence."""
    if line.rstrip("”’\"') ").endswith((".", "!", "?", "…")):
        return False
    return bool(TITLE_AUTHOR.match(line) or re.search(r"\(\d{4}\)$", line))


def parse_tag_page(text: str) -> tuple[str, list[Entry]]:
    """The heading of a tag page and its entries: a title line, then blurb lines.

    The first line after the heading starts an entry; later ones start an entry when the
    current one has a blurb and the line looks like a title.  Titles ``Title - Author``
    are split; of several blurb lines the last is the summary, the others are captions.
    """
    lines = numbered_lines(text)
    if not lines:
        raise ValueError("the tag page is empty")
    heading = lines[0][1]
    groups: list[list[tuple[int, str]]] = []
    for number, line in lines[1:]:
        if not groups or (len(groups[-1]) > 1 and looks_like_tag_page_title(line)):
            groups.append([(number, line)])
        else:
            groups[-1].append((number, line))
    entries: list[Entry] = []
    for group in groups:
        first, title_line = group[0]
        match = TITLE_AUTHOR.match(title_line)
        title, creators = (
            (match["title"], (match["author"],)) if match else (title_line, ())
        )
        blurb = [line for _, line in group[1:]]
        entries.append(Entry(
            first_line=first, last_line=group[-1][0], title=title, creators=creators,
            summary=blurb[-1] if blurb else None, extra_lines=tuple(blurb[:-1]),
        ))
    return heading, entries


# ---------------------------------------------------------------------------
# Ids

# The same rules archivist itself uses, so sample ids look like generated ones.
transliterate = _ids.transliterate
words = _ids._words
surname = _ids.surname


def base_id(prefix: str, year: str | None, title: str, n_words: int = 3) -> str:
    """``prefix-year-first-significant-words`` (the record id before collisions)."""
    significant = _ids.significant_words(title)
    return "-".join(p for p in (prefix, year, *significant[:n_words]) if p)


def id_prefix(creators: Sequence[str], fallback: str) -> str:
    """The first creator's surname, or ``fallback`` for no or a collective byline."""
    if creators and not creators[0][:1].islower():
        return surname(creators[0])
    return fallback


def part_number(entry: Entry) -> int | None:
    """The part an entry says it is: ``Part two``, ``Part 3``, or “the first part of”."""
    if entry.subtitle:
        match = PART.match(entry.subtitle)
        if match:
            n = match["n"].lower()
            return int(n) if n.isdigit() else PART_NUMBERS.get(n)
    if entry.summary:
        if re.search(r"\bfirst part of\b", entry.summary):
            return 1
        if re.search(r"\bsecond part of\b", entry.summary):
            return 2
    return None


def assign_ids(keys: Sequence[tuple[str, str | None, str, str]]) -> list[str]:
    """Unique ids for ``(prefix, year, title, suffix)`` keys, in order.

    Ids of different keys that collide take more title words until they differ; equal
    keys (identical titles) take ``-2``, ``-3``… in the order given.
    """
    n_words = [3] * len(keys)

    def make(i: int) -> str:
        prefix, year, title, suffix = keys[i]
        return "-".join(p for p in (base_id(prefix, year, title, n_words[i]), suffix) if p)

    ids = [make(i) for i in range(len(keys))]
    for _ in range(20):
        groups: dict[str, list[int]] = {}
        for i, value in enumerate(ids):
            groups.setdefault(value, []).append(i)
        clashing = [i for group in groups.values()
                    if len({keys[i] for i in group}) > 1 for i in group]
        if not clashing:
            break
        for i in clashing:
            n_words[i] += 1
            ids[i] = make(i)
    counts: dict[str, int] = {}
    unique: list[str] = []
    for value in ids:
        counts[value] = counts.get(value, 0) + 1
        unique.append(value if counts[value] == 1 else f"{value}-{counts[value]}")
    return unique


# ---------------------------------------------------------------------------
# Records


def link(rel: str, target: str) -> dict[str, str]:
    return {"rel": rel, "target": target}


def ordered(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with keys in interchange order and absent (empty) values left out."""
    unknown = set(record) - set(KEY_ORDER)
    if unknown:
        raise ValueError(f"not a schema key: {sorted(unknown)}")
    return {key: record[key] for key in KEY_ORDER if record.get(key) not in (None, [], {}, "")}


def without_column(title: str) -> str:
    """A title without a leading column name (``This week in history: May 1-7`` → ``May 1-7``).

    Ids are made from what distinguishes the entry, not from the column it appears in.
    """
    for name in COLUMNS:
        if title.startswith(name + ":"):
            return title[len(name) + 1:].strip()
    return title


def topic_tags(entry: Entry) -> list[str]:
    """The :data:`TOPIC_TAGS` an entry's heading (or, where allowed, summary) states."""
    heading = "\n".join(t for t in (entry.kicker, entry.title, entry.subtitle) if t)
    return [
        tag for tag, pattern, in_summary in TOPIC_TAGS
        if pattern.search(heading) or (in_summary and pattern.search(entry.summary or ""))
    ]


def wsws_records(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Records of the topic page's entries and of its series, in page order."""
    _, entries = parse_listing(text)
    source_path = f"sources/{WSWS_FILE}"

    # Multi-part series: identical titles with distinct subtitles, one of them a part.
    by_title: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        by_title.setdefault(entry.title, []).append(i)
    series_of: dict[int, str] = {}
    series_members: dict[str, list[int]] = {}
    for title, members in by_title.items():
        subtitles = [entries[i].subtitle for i in members]
        if (len(members) > 1 and len(set(subtitles)) == len(subtitles)
                and any(s and PART.match(s) for s in subtitles)):
            series_members[title] = members
            for i in members:
                series_of[i] = title

    # Likely duplicates: same title, subtitle and creators, listed a day or less apart.
    duplicate_of: dict[int, int] = {}
    for members in by_title.values():
        for a in members:
            for b in members:
                ea, eb = entries[a], entries[b]
                if (a != b and ea.subtitle == eb.subtitle and ea.creators == eb.creators
                        and ea.date and eb.date and ea.date > eb.date
                        and (dt.date.fromisoformat(ea.date)
                             - dt.date.fromisoformat(eb.date)).days <= 1):
                    duplicate_of[a] = b

    # Ids: the earlier of two identical entries gets the plain id.
    keys: list[tuple[str, str | None, str, str]] = []
    for i, entry in enumerate(entries):
        number = part_number(entry) if i in series_of else None
        keys.append((id_prefix(entry.creators, "wsws"), (entry.date or "")[:4] or None,
                     without_column(entry.title), f"part-{number}" if number else ""))
    order = sorted(range(len(entries)), key=lambda i: (entries[i].date or "", i))
    sorted_ids = assign_ids([keys[i] for i in order])
    ids = [""] * len(entries)
    for i, value in zip(order, sorted_ids, strict=True):
        ids[i] = value

    series_ids: dict[str, str] = {}
    series_records: list[dict[str, Any]] = []
    for title, members in series_members.items():
        first = entries[min(members, key=lambda i: entries[i].date or "")]
        series_id = base_id(id_prefix(first.creators, "wsws"), (first.date or "")[:4],
                            without_column(title))
        series_ids[title] = f"{series_id}-series"
    title_to_id: dict[str, str] = {}
    for i, entry in enumerate(entries):
        title_to_id.setdefault(entry.title, ids[i])
    title_to_id.update(series_ids)

    def column_of(kicker: str | None, title: str) -> str | None:
        for name, column_id in COLUMNS.items():
            if kicker == name or title == name or title.startswith(name + ":"):
                return column_id
        return None

    for title, members in series_members.items():
        creators: list[str] = []
        for i in members:
            creators.extend(c for c in entries[i].creators if c not in creators)
        dates = sorted(d for i in members if (d := entries[i].date))
        links = []
        column = column_of(None, title)
        if column:
            links.append(link("part-of", column))
        series_records.append(ordered({
            "id": series_ids[title], "kind": "series", "title": title, "creators": creators,
            "date": dates[0] if dates[0] == dates[-1] else f"{dates[0]}/{dates[-1]}",
            "publisher": WSWS, "language": "en",
            "summary": f"Multi-part series; {len(members)} parts are listed on the topic page.",
            "links": links,
        }))
    for name, column_id in COLUMNS.items():
        series_records.append(ordered({
            "id": column_id, "kind": "series", "title": name, "publisher": WSWS,
            "language": "en", "summary": COLUMN_SUMMARIES.get(name),
        }))

    related = {title: other for title, other in RELATED}
    records: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        links = [link("referenced-by", WSWS_LISTING_ID)]
        if i in series_of:
            links.append(link("part-of", series_ids[series_of[i]]))
            number = part_number(entry)
            if number and number > 1:
                for j in series_members[series_of[i]]:
                    if part_number(entries[j]) == number - 1:
                        links.append(link("follows", ids[j]))
        else:
            column = column_of(entry.kicker, entry.title)
            if column:
                links.append(link("part-of", column))
        if i in duplicate_of:
            links.append(link("duplicate-of", ids[duplicate_of[i]]))
        if entry.title in related:
            links.append(link("related", title_to_id[related[entry.title]]))
        internal = bool(INTERNAL_TITLE.match(entry.title))
        tags = ["internal"] if internal else topic_tags(entry)
        fields: dict[str, str] = {}
        if entry.kicker:
            fields["kicker"] = entry.kicker
        if entry.title in WRITTEN:
            fields["written"] = WRITTEN[entry.title]
        records.append(ordered({
            "id": ids[i], "kind": "article", "title": entry.title, "subtitle": entry.subtitle,
            "creators": list(entry.creators), "date": entry.date, "publisher": WSWS,
            "language": "en", "summary": entry.summary, "tags": tags, "links": links,
            "source": {"path": source_path, "span": [entry.first_line, entry.last_line]},
            "fields": fields,
        }))
    return records, series_records


def workers_group_records(text: str) -> list[dict[str, Any]]:
    """Records of the tag page's entries, with the curated facts of each."""
    _, entries = parse_tag_page(text)
    records: list[dict[str, Any]] = []
    for entry in entries:
        curated = WORKERS_GROUP_ENTRIES[entry.title]
        fields = dict(curated.get("fields", {}))
        if entry.extra_lines:
            fields["image_caption"] = " ".join(entry.extra_lines)
        records.append(ordered({
            "id": curated["id"], "kind": curated["kind"], "title": entry.title,
            "creators": list(entry.creators), "date": curated.get("date"),
            "language": curated.get("language", "en"), "summary": entry.summary,
            "tags": curated.get("tags"),
            "links": [link("referenced-by", WORKERS_GROUP_LISTING_ID)]
            + [link(rel, target) for rel, target in curated.get("links", ())],
            "source": {"path": f"sources/{WORKERS_GROUP_FILE}",
                       "span": [entry.first_line, entry.last_line]},
            "fields": fields,
        }))
    return records


def seed_records(sources: Path = SOURCES) -> list[dict[str, Any]]:
    """One record per seed file, with the SHA-256 and size of the bytes as they are."""
    records: list[dict[str, Any]] = []
    for seed in SEEDS:
        data = (sources / seed["file"]).read_bytes()
        record = {key: value for key, value in seed.items() if key != "file"}
        record["links"] = [link(rel, target) for rel, target in seed.get("links", ())]
        record["source"] = {"path": f"sources/{seed['file']}",
                            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        if seed["id"] == WSWS_LISTING_ID:
            _, entries = parse_listing(data.decode("utf-8"))
            dates = sorted(e.date for e in entries if e.date)
            first, last = (dt.date.fromisoformat(d) for d in (dates[0], dates[-1]))
            record["summary"] = (
                f"Topic page listing {len(entries)} articles, published from "
                f"{first.day} {MONTHS[first.month - 1]} {first.year} to "
                f"{last.day} {MONTHS[last.month - 1]} {last.year}."
            )
        records.append(ordered(record))
    return records


# ---------------------------------------------------------------------------
# YAML out: every text value double-quoted, Unicode as written, keys in schema order.


def scalar(value: object) -> str:
    if isinstance(value, bool) or value is None:
        raise TypeError(f"not a text or number: {value!r}")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"not a text or number: {value!r}")
    # A JSON string is a valid YAML double-quoted scalar; keep non-ASCII as written.
    return json.dumps(value, ensure_ascii=False)


def flow(value: object) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def dump_records(records: Iterable[Mapping[str, Any]], header: str) -> str:
    """The YAML text of a list of records, with ``header`` as a leading comment."""
    out = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    for record in records:
        out.append("")
        lead = "- "
        for key, value in record.items():
            if key == "links":
                out.append(f"{lead}links:")
                out.extend(f"    - {flow(item)}" for item in value)
            elif isinstance(value, Mapping):
                out.append(f"{lead}{key}:")
                out.extend(f"    {k}: {flow(v)}" for k, v in value.items())
            else:
                out.append(f"{lead}{key}: {flow(value)}")
            lead = "  "
    return "\n".join(out) + "\n"


HEADERS = {
    "seeds.yaml": """
The four seed documents of the sample archive, one record each.
Generated by scripts/make_sample_records.py from the files in sources/; do not edit by hand.
Nothing is invented: a publisher, date or author the text does not state is left out.
""",
    "wsws-history-of-russia.yaml": """
Every entry of the World Socialist Web Site topic page
"History of Russia & the former Soviet Union" (sources/003_e424884a53b18103.txt),
in page order. source.span gives the lines (1-based, inclusive) the entry occupies.
fields.kicker is the line printed above a title; fields.written the original date of a
document published long after, where the page states it.
Generated by scripts/make_sample_records.py; do not edit by hand.
""",
    "series.yaml": """
Multi-part series (identical titles, distinct parts) and recurring columns of the
World Socialist Web Site topic page (sources/003_e424884a53b18103.txt).
Generated by scripts/make_sample_records.py; do not edit by hand.
""",
    "workers-group.yaml": """
Every entry of the tag page "Workers Group" (sources/002_786d3c61c826a7a6.txt).
The tag covers two different groups: the Workers Group of Hong Kong and
G. T. Miasnikov's Workers' Group, a Bolshevik opposition (see agents.yaml).
Generated by scripts/make_sample_records.py; do not edit by hand.
""",
}


def build(sources: Path = SOURCES) -> dict[str, str]:
    """The text of every generated file, by file name."""
    entries, series = wsws_records((sources / WSWS_FILE).read_text(encoding="utf-8"))
    tag_page = workers_group_records(
        (sources / WORKERS_GROUP_FILE).read_text(encoding="utf-8"))
    contents = {
        "seeds.yaml": seed_records(sources),
        "wsws-history-of-russia.yaml": entries,
        "series.yaml": series,
        "workers-group.yaml": tag_page,
    }
    return {name: dump_records(records, HEADERS[name]) for name, records in contents.items()}


# ---------------------------------------------------------------------------
# Checks

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?$")


def valid_date(text: str) -> bool:
    """An EDTF date of the subset archivist accepts (``YYYY[-MM[-DD]]``, ``A/B``, ``..``)."""
    parts = text.split("/")
    if len(parts) > 2 or parts == ["..", ".."]:
        return False
    bounds: list[str] = []
    for part in parts:
        if part == ".." and len(parts) == 2:
            continue
        match = _DATE.match(part)
        if match is None:
            return False
        year, month, day = match.groups()
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return False
        bounds.append(part.rstrip("~?%"))
    return len(bounds) < 2 or bounds[0] <= bounds[1]


def check_records(folder: Path = RECORDS) -> list[str]:
    """Problems found in every ``*.yaml`` file of ``folder``: an empty list when all is well."""
    import yaml

    problems: list[str] = []
    records: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        raw = path.read_bytes()
        if b"\\u" in raw or b"\\U" in raw:
            problems.append(f"{path.name}: contains an escaped character")
        data = yaml.safe_load(raw.decode("utf-8"))
        if not isinstance(data, list):
            problems.append(f"{path.name}: not a list of records")
            continue
        for record in data:
            rid = str(record.get("id"))
            where = f"{path.name}: {rid}"
            if not ID_PATTERN.match(rid):
                problems.append(f"{where}: bad id")
            if rid.lower() in records:
                problems.append(f"{where}: id also in {records[rid.lower()][0]}")
            records[rid.lower()] = (path.name, record)
            unknown = set(record) - set(KEY_ORDER)
            if unknown:
                problems.append(f"{where}: unknown keys {sorted(unknown)}")
            if record.get("kind") not in KINDS:
                problems.append(f"{where}: bad kind {record.get('kind')!r}")
            if not isinstance(record.get("title"), str) or not record["title"].strip():
                problems.append(f"{where}: no title")
            for key in ("subtitle", "date", "publisher", "language", "url", "summary"):
                if key in record and not isinstance(record[key], str):
                    problems.append(f"{where}: {key} is not text: {record[key]!r}")
            if "date" in record and not valid_date(str(record["date"])):
                problems.append(f"{where}: bad date {record['date']!r}")
            for key in ("creators", "tags"):
                if key in record and not all(isinstance(v, str) for v in record[key]):
                    problems.append(f"{where}: {key} must be a list of text")
            source = record.get("source")
            if source:
                problems.extend(f"{where}: {p}" for p in _check_source(folder, source))
    problems.extend(_check_links(records))
    return problems


def _check_source(folder: Path, source: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    path = folder / source["path"]
    if not path.is_file():
        return [f"source {source['path']} is missing"]
    data = path.read_bytes()
    if "sha256" in source and source["sha256"] != hashlib.sha256(data).hexdigest():
        problems.append(f"source {source['path']}: sha256 differs")
    if "size" in source and source["size"] != len(data):
        problems.append(f"source {source['path']}: size differs")
    if "span" in source:
        first, last = source["span"]
        n_lines = len(data.decode("utf-8").split("\n"))
        if not 1 <= first <= last <= n_lines:
            problems.append(f"span {source['span']} outside lines 1..{n_lines}")
    return problems


def canonical_link(source: str, rel: str, target: str) -> tuple[str, str, str]:
    """A link as stored once: inverse names flipped, symmetric ends in order."""
    if rel not in INVERSES:
        rel = next(name for name, inverse in INVERSES.items() if inverse == rel)
        source, target = target, source
    if INVERSES[rel] == rel:
        source, target = sorted((source, target))
    return source, rel, target


def _check_links(records: Mapping[str, tuple[str, dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    parent: dict[str, list[str]] = {}
    for key, (name, record) in records.items():
        for item in record.get("links", []):
            rel, target = str(item.get("rel")), str(item.get("target")).lower()
            where = f"{name}: {record['id']} {rel} {item.get('target')}"
            if rel not in RELATIONS:
                problems.append(f"{where}: unknown relation")
                continue
            if target not in records:
                problems.append(f"{where}: no such record")
            if target == key:
                problems.append(f"{where}: links to itself")
            stored = canonical_link(key, rel, target)
            if stored in seen:
                problems.append(f"{where}: the same link is given twice")
            seen.add(stored)
            if stored[1] == "part-of":
                parent.setdefault(stored[0], []).append(stored[2])
    for start in parent:
        stack, visited = list(parent[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                problems.append(f"{start}: part-of forms a cycle")
                break
            if node not in visited:
                visited.add(node)
                stack.extend(parent.get(node, []))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a file is stale or a record invalid")
    args = parser.parse_args(argv)
    stale = []
    for name, text in build().items():
        path = RECORDS / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    problems = [f"{name}: out of date; run scripts/make_sample_records.py" for name in stale]
    problems += check_records()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
