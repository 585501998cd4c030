"""Realistic archives of any size, for the benchmarks.

:func:`generate` builds an archive of ``n`` records through the library itself
(:class:`archivist.store.Archive`, ``add_many`` and ``store_links``), so the file has
exactly the shape archivist writes: one history entry per record added and per link.
The records look like a real collection of a few hundred thousand documents:

* titles in English, Russian and Polish, with typographic quotes and dashes;
* one to three creators (``Given Family``, ``Family, Given``, Cyrillic names);
* dates as days, months and years, approximate ``1923~``, uncertain ``1923?`` and
  intervals ``1920/1925``, and some records undated;
* zero to four tags from a pool of about two hundred, some of them capitalised;
* kinds weighted towards articles, summaries of about two hundred characters,
  publishers, languages, URLs and custom fields;
* about two links per record: ``part-of`` a series record, ``references`` an earlier
  record, ``related`` to an earlier record (so no relation ever forms a cycle).

The same ``n`` and ``seed`` always give the same records (timestamps aside).

Command line::

    .venv/bin/python benchmarks/generate.py 10000 out/archive.json
    .venv/bin/python benchmarks/generate.py 10000 out/archive.json --yaml out/records.yaml

``--yaml`` also writes the same records as one YAML file in the interchange form
(links included), to time ``archivist import`` with.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path
from typing import Any

#: The command recorded in history and provenance for generated records.
COMMAND = "archivist import generated.yaml"

_EN_WORDS = (
    "workers", "revolution", "strike", "council", "party", "union", "history", "state",
    "congress", "famine", "repression", "trial", "purge", "opposition", "theory",
    "programme", "uprising", "massacre", "archive", "memoir", "letters", "speech",
    "crisis", "war", "peace", "factory", "peasants", "students", "press", "censorship",
    "exile", "prison", "manifesto", "constitution", "election", "reform", "committee",
    "movement", "literature", "film", "cinema", "music", "poetry", "art", "science",
    "economy", "planning", "industry", "railway", "harbour", "mine", "city", "village",
    "border", "emigration", "treaty", "alliance", "betrayal", "victory", "defeat",
)
_EN_FRAMES = (
    "The {a} and the {b}", "{A} in {place}", "On the {a} of {year}", "{A}, {b} and {c}",
    "A history of the {a}", "“{A}”: notes on the {b}", "Why the {a} failed",
    "{A} — {b} in {place}", "The {a}’s {b}", "Letters on {a} and {b}",
    "{A}: a {b} in {place}, {year}", "Against the {a}",
)
_RU_TITLES = (
    "История {place}", "Рабочие и {ru}", "О значении {ru_gen}", "«{ru_cap}» в {year} году",
    "Письма из {place_gen}", "Забастовка на заводе «{factory}»", "Съезд и {ru}",
    "Ёжик в тумане: заметки о {ru_pre}",
)
_RU_WORDS = ("революция", "партия", "совет", "голод", "репрессии", "оппозиция", "кино",
             "литература", "цензура", "стачка", "крестьяне", "студенты", "пресса")
_RU_GEN = ("революции", "партии", "советов", "голода", "оппозиции", "цензуры", "стачки")
_RU_PRE = ("революции", "партии", "кино", "литературе", "цензуре", "стачке")
_RU_PLACES = ("Новочеркасска", "Ленинграда", "Москвы", "Харькова", "Одессы", "Баку")
_PL_TITLES = (
    "Historia {pl_gen} w {place_pl}", "Żółkiewski i „{pl_cap}”", "Strajk w {place_pl}",
    "O {pl_pre} słów kilka", "Robotnicy, chłopi i {pl}", "Łódź {year}: {pl}",
    "Pamiętnik z {place_pl}",
)
_PL_WORDS = ("rewolucja", "partia", "strajk", "cenzura", "solidarność", "głód", "związek")
_PL_GEN = ("rewolucji", "partii", "strajku", "cenzury", "solidarności", "głodu")
_PL_PRE = ("rewolucji", "partii", "strajku", "cenzurze", "solidarności")
_PL_PLACES = ("Gdańsku", "Łodzi", "Krakowie", "Poznaniu", "Szczecinie", "Warszawie")
_PLACES = ("Petrograd", "Kronstadt", "Berlin", "Łódź", "Gdańsk", "Novocherkassk", "Vienna",
           "Paris", "Shanghai", "Barcelona", "Budapest", "Mexico City", "Detroit", "Baku")
_FACTORIES = ("Красный путиловец", "Серп и молот", "Электросила", "Динамо")

_GIVEN = ("Clara", "David", "Anna", "Leon", "Rosa", "Victor", "Natalia", "Karl", "Bill",
          "Marta", "Jan", "Ewa", "Patrick", "Fred", "Maria", "Tom", "Helen", "Piotr")
_FAMILY = ("Weiss", "North", "Serge", "Luxemburg", "Williams", "Van Auken", "Kowalska",
           "Żółkiewski", "Nowak", "Wiśniewski", "Smith", "Mandel", "Deutscher", "Rogovin",
           "de la Cruz", "O’Brien", "Müller", "Lefèvre", "Schmidt", "Jones")
_RU_NAMES = ("Вадим Роговин", "Дмитрий Иванов", "Анна Петрова", "Лев Троцкий",
             "Наталья Седова", "Фёдор Дан", "Юлий Мартов", "Ольга Смирнова")
_PUBLISHERS = ("World Socialist Web Site", "Mehring Books", "Pluto Press", "Verso",
               "Издательство «Прогресс»", "Książka i Wiedza", "Monthly Review Press",
               "Haymarket Books", "Gallimard", "Suhrkamp")
_LANGUAGES = ("en", "en", "en", "en", "ru", "ru", "pl", "de", "fr")

# Kinds weighted as in a collection of mostly articles; series come separately.
_KINDS = ("article",) * 40 + ("web-page",) * 10 + ("book",) * 8 + ("chapter",) * 4 + (
    "pamphlet", "pamphlet", "speech", "speech", "letter", "letter", "interview", "review",
    "review", "film", "image", "audio", "video", "dataset", "collection", "organisation",
    "person", "person", "event", "other")

_TAG_STEMS = (
    "film", "stalinism", "trotskyism", "labour", "strikes", "famine", "gulag", "purges",
    "poland", "russia", "ukraine", "germany", "france", "spain", "china", "mexico",
    "usa", "uk", "hungary", "austria", "revolution", "counter-revolution", "opposition",
    "left opposition", "fourth international", "comintern", "nep", "collectivisation",
    "industrialisation", "war", "civil war", "world war i", "world war ii", "cold war",
    "literature", "poetry", "music", "art", "cinema", "theatre", "press", "censorship",
    "trials", "moscow trials", "memoir", "biography", "economics", "planning",
    "trade unions", "students", "women", "youth", "peasants", "national question",
    "anti-semitism", "fascism", "popular front", "solidarność", "Новочеркасск",
    "кино", "репрессии", "история", "Łódź",
)
_TAG_QUALIFIERS = ("", " history", " sources", " debate")


def tag_pool() -> list[str]:
    """About two hundred tags, each spelled one way, some capitalised as people do."""
    pool: list[str] = []
    for stem in _TAG_STEMS:
        for qualifier in _TAG_QUALIFIERS:
            tag = stem + qualifier
            # Capitals on some of them (USSR, Film History): tags match in any case.
            if len(tag) <= 4 and tag.isascii():
                tag = tag.upper()
            elif hash_text(tag) % 5 == 0:
                tag = tag.title()
            pool.append(tag)
    return pool[:200]


def hash_text(text: str) -> int:
    """A small hash that does not change between runs (``hash`` does)."""
    value = 0
    for char in text:
        value = (value * 31 + ord(char)) % 1_000_003
    return value


def _title(rng: random.Random, year: int) -> str:
    roll = rng.random()
    if roll < 0.15:
        frame = rng.choice(_RU_TITLES)
        return frame.format(
            place=rng.choice(_RU_PLACES), place_gen=rng.choice(_RU_PLACES),
            ru=rng.choice(_RU_WORDS), ru_gen=rng.choice(_RU_GEN), ru_pre=rng.choice(_RU_PRE),
            ru_cap=rng.choice(_RU_WORDS).capitalize(), factory=rng.choice(_FACTORIES),
            year=year)
    if roll < 0.25:
        frame = rng.choice(_PL_TITLES)
        return frame.format(pl=rng.choice(_PL_WORDS), pl_gen=rng.choice(_PL_GEN),
                            pl_pre=rng.choice(_PL_PRE), pl_cap=rng.choice(_PL_WORDS).title(),
                            place_pl=rng.choice(_PL_PLACES), year=year)
    a, b, c = rng.sample(_EN_WORDS, 3)
    return rng.choice(_EN_FRAMES).format(a=a, b=b, c=c, A=a.capitalize(),
                                         place=rng.choice(_PLACES), year=year)


def _creator(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(_RU_NAMES)
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    return f"{family}, {given}" if roll > 0.85 else f"{given} {family}"


def _date(rng: random.Random) -> tuple[str | None, int]:
    """A date as people write them, and its year (for titles)."""
    year = rng.randint(1890, 2024)
    roll = rng.random()
    if roll < 0.08:
        return None, year
    if roll < 0.35:
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", year
    if roll < 0.50:
        return f"{year}-{rng.randint(1, 12):02d}", year
    if roll < 0.60:
        return f"{year}~", year
    if roll < 0.67:
        return f"{year}?", year
    if roll < 0.77:
        return f"{year}/{min(year + rng.randint(1, 6), 2025)}", year
    return str(year), year


_FILLER = (
    "the", "of", "and", "in", "a", "on", "how", "after", "before", "during", "against",
    "its", "their", "early", "late", "new", "old", "first", "last", "local", "national",
    "account", "review", "study", "record", "documents", "witnesses", "reports", "view",
    "role", "years", "months", "leaders", "members", "debate", "question", "conflict",
)


def _summary(rng: random.Random, title: str, place: str) -> str:
    words = [rng.choice(_EN_WORDS) if rng.random() < 0.3 else rng.choice(_FILLER)
             for _ in range(40)]
    text = f"On “{title}”, {place}: " + " ".join(words)
    return text[:rng.randint(150, 250)].rsplit(" ", 1)[0] + "."


def _fields(rng: random.Random) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if rng.random() < 0.3:
        fields["kicker"] = rng.choice(("Film review", "Obituary", "Analysis", "Документ",
                                       "Z archiwum", "Perspective"))
    if rng.random() < 0.2:
        start = rng.randint(1, 400)
        fields["pages"] = f"{start}–{start + rng.randint(1, 40)}"
    if rng.random() < 0.1:
        fields["edition"] = str(rng.randint(1, 5))
    if rng.random() < 0.05:
        fields["archive_box"] = {"box": str(rng.randint(1, 300)),
                                 "folder": str(rng.randint(1, 40))}
    return fields


def record_values(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """The values of ``n`` records (interchange keys, no ids), series records first.

    About one record in fifty is a series, which others are part of.
    """
    rng = random.Random(seed)
    tags = tag_pool()
    series_count = max(1, n // 50) if n > 1 else 0
    values: list[dict[str, Any]] = []
    for i in range(n):
        date, year = _date(rng)
        title = _title(rng, year)
        kind = "series" if i < series_count else rng.choice(_KINDS)
        if kind == "series":
            title = f"{rng.choice(_PUBLISHERS)}: {title}"
        value: dict[str, Any] = {
            "kind": kind, "title": title,
            "creators": [_creator(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))],
            "date": date,
            "tags": rng.sample(tags, rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))),
            "summary": _summary(rng, title, rng.choice(_PLACES)),
        }
        if rng.random() < 0.1:
            value["subtitle"] = rng.choice(("Part one", "Part two", "Часть вторая",
                                            "Część pierwsza", "A reply"))
        if rng.random() < 0.7:
            value["publisher"] = rng.choice(_PUBLISHERS)
        if rng.random() < 0.8:
            value["language"] = rng.choice(_LANGUAGES)
        if rng.random() < 0.5:
            value["url"] = f"https://example.org/{year}/{i:06d}.html"
        fields = _fields(rng)
        if fields:
            value["fields"] = fields
        values.append(value)
    return values


def link_plan(values: list[dict[str, Any]], ids: list[str], seed: int = 0
              ) -> list[tuple[str, str, str]]:
    """About two links per record: part-of a series, references and related earlier ones.

    Links only point from a record to a series or to an earlier record, so no relation
    forms a cycle.
    """
    rng = random.Random(seed + 1)
    series = [ids[i] for i, v in enumerate(values) if v["kind"] == "series"]
    links: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for i, value in enumerate(values):
        if value["kind"] == "series" or i == 0:
            continue
        wanted = []
        if series and rng.random() < 0.7:
            wanted.append((ids[i], "part-of", rng.choice(series)))
        if rng.random() < 0.8:
            wanted.append((ids[i], "references", ids[rng.randrange(i)]))
        if rng.random() < 0.5:
            wanted.append((ids[i], "related", ids[rng.randrange(i)]))
        for src, rel, dst in wanted:
            # "related" is symmetric: a pair once, whichever way it was drawn.
            key = (min(src, dst), rel, max(src, dst)) if rel == "related" else (src, rel, dst)
            if src != dst and key not in seen:
                seen.add(key)
                links.append((src, rel, dst))
    return links


def build(n: int, seed: int = 0, path: Path | None = None) -> Any:
    """Build the archive and return the open :class:`~archivist.store.Archive`.

    With ``path``, the archive is written there (any file already there is replaced).
    """
    from archivist.ids import generate_id
    from archivist.links import validate_new_links
    from archivist.models import record_from_mapping
    from archivist.store.jsonfile.archive import JsonArchive

    values = record_values(n, seed)
    # How the records came in, shaped as an import records it.
    how = {"file": "generated.yaml", "command": COMMAND,
           "sha256": hashlib.sha256(f"{n}:{seed}".encode()).hexdigest()}
    taken: set[str] = set()
    ids: list[str] = []
    records = []
    for value in values:
        record_id = generate_id(value["title"], tuple(value["creators"]), value["date"], taken)
        taken.add(record_id.lower())
        ids.append(record_id)
        records.append((record_from_mapping(value, default_id=record_id),
                        how))
    if path is not None:
        path.unlink(missing_ok=True)
    archive = JsonArchive(path, {}, command=COMMAND)
    archive.add_many(records)
    links = validate_new_links(archive, link_plan(values, ids, seed), set())
    archive.store_links(link.as_dict() for link in links)
    if path is not None:
        archive.commit()
    return archive


def generate(n: int, seed: int = 0, path: Path | None = None) -> dict[str, Any]:
    """The content of an archive file holding ``n`` generated records.

    :param path: also write the archive file there (replacing any file).
    :returns: the tables (``meta``, ``records``, ``links``, ``history``) as archivist
        writes them to the file.
    """
    # The tables the archive writes; reading them back from disk would double the time
    # this takes for large archives.
    snapshot: dict[str, Any] = build(n, seed, path).snapshot()
    return snapshot


def interchange_records(archive: Any) -> list[dict[str, Any]]:
    """The records of ``archive`` as an import file holds them: no archive section,
    absent values left out."""
    from archivist.listing import to_interchange

    out = []
    for record in to_interchange(archive, archive.documents()):
        out.append({k: v for k, v in record.items()
                    if k != "archive" and v not in (None, [], {})})
    return out


def write_yaml(archive: Any, path: Path) -> None:
    """Write the records of ``archive`` to ``path`` as one YAML list."""
    from archivist.yamlio import dump

    path.write_text(dump(interchange_records(archive)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """``generate.py N OUT.json [--yaml OUT.yaml] [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many records")
    parser.add_argument("out", type=Path, help="the archive file to write (replaced)")
    parser.add_argument("--yaml", type=Path, help="also write the records to this YAML file")
    parser.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
    args = parser.parse_args(argv)
    archive = build(args.n, args.seed, args.out)
    if args.yaml is not None:
        write_yaml(archive, args.yaml)
    print(f"{args.out}: {args.n} records, {args.out.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
