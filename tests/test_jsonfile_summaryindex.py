"""The index file beside the archive: a disposable cache that never changes an answer.

``ARCHIVE.index`` holds per-record summaries; ``list`` in the default table is answered
from it when the query and sort read only those, and ``add`` appends to it.  These
tests hold it to one promise: whatever the index says, or whether it exists at all,
every command prints what it would print without it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archivist.version
from archivist import atomic, exporters, listing
from archivist.cli import cli
from archivist.display import DEFAULT_COLUMNS
from archivist.errors import ArchivistError, RecordNotFound
from archivist.links import add_link
from archivist.models import record_from_mapping
from archivist.query import parse
from archivist.store import IndexUnusable, memory_archive, open_archive, query_engine
from archivist.store.jsonfile import reader, summaryindex
from tests.conftest import Invoke, refuse_parsing_records
from tests.conftest import write_file as write

# Varied records: accents, Cyrillic, Polish ł, every date form, several creators, tags
# differing in case, custom fields, links in both directions, a title a terminal must
# see escaped (a tab, an escape sequence, a bidi override) and an id in mixed case.
SAMPLE_YAML = r"""
- id: weiss-2021-dear-comrades
  kind: article
  title: "Dear Comrades: Russian film about the 1962 Novocherkassk massacre"
  creators: [Clara Weiss]
  date: "2021-02-09"
  publisher: World Socialist Web Site
  language: en
  summary: "A review of Konchalovsky’s “Dear Comrades!”"
  tags: [Film, stalinism]
  kicker: Film review
  links:
    - {rel: part-of, target: wsws-history}
    - {rel: about, target: novocherkassk-1962}
    - {rel: published-by, target: wsws}
- id: north-2021-comrades-two
  kind: review
  title: Another look at Dear Comrades
  subtitle: Part two
  creators: [David North, Clara Weiss]
  date: "2021-02"
  publisher: Mehring Books
  language: en
  tags: [film, Review]
  links: [{rel: references, target: weiss-2021-dear-comrades}]
- id: zolkiewski-zolw
  kind: book
  title: "Żółw i zając: bajki"
  creators: ["Stanisław Żółkiewski", "Łucja Kowalska"]
  date: "1920/1925"
  language: pl
  tags: [bajki, FILM]
  shelf: B-12
- id: norstein-ezhik
  kind: film
  title: Ёжик в тумане
  creators: [Юрий Норштейн]
  date: "1975~"
  language: ru
  tags: [Film, анимация]
  links: [{rel: related, target: zolkiewski-zolw}]
- id: leaflet-undated
  kind: pamphlet
  title: Untitled leaflet
  tags: [leaflets]
- id: lodz-strike-1923
  kind: article
  title: Strajk w Łodzi
  creators: [Anna Łęcka]
  date: "1923?"
  language: pl
  tags: [Łódź, strikes]
- id: socialist-party-papers
  kind: collection
  title: Papers of the Socialist Party
  date: "../1930"
  tags: [collection]
- id: wsws-history
  kind: series
  title: WSWS history of Russia
  date: "2019/.."
  publisher: World Socialist Web Site
- id: novocherkassk-1962
  kind: event
  title: Novocherkassk massacre
  date: "1962-06-02"
  tags: [Stalinism]
- id: wsws
  kind: organisation
  title: World Socialist Web Site
- id: clara-weiss
  kind: person
  title: Clara Weiss
  links: [{rel: creator-of, target: weiss-2021-dear-comrades}]
"""
# Added one by one after the index exists, so that their rows are appended to it.
LATER_RECORDS: list[tuple[str, ...]] = [
    ("--title", "alpha: a title in lower case", "--id", "alpha-2021", "--kind", "article",
     "--date", "2021-02-09", "--creator", "Zoë Ørsted", "--language", "da",
     "--tag", "film", "--field", "shelf=A-1"),
    ("--title", "Tab\there and \x1b[1mbold\u202e", "--id", "Escapes-1923",
     "--creator", "Back\\slash", "--creator", "Semi; colon", "--date", "1923%",
     "--tag", "ŁÓDŹ"),
]
SAMPLE_IDS = ["weiss-2021-dear-comrades", "north-2021-comrades-two", "zolkiewski-zolw",
              "norstein-ezhik", "leaflet-undated", "lodz-strike-1923",
              "socialist-party-papers", "wsws-history", "novocherkassk-1962", "wsws",
              "clara-weiss", "alpha-2021", "Escapes-1923"]

QUERIES = [
    "",
    "film",
    "dear comrades",
    '"dear comrades"',
    "zolkiewski",
    "ежик",
    "lodz",
    "Łódź",
    "tag:film",
    "tag:FILM",
    "tag:fi*",
    "tag:łódź",
    "tag:*a*",
    "kind:article",
    "-kind:article",
    "kind:person OR kind:organisation",
    "date:2021",
    "date:2021-02-09",
    "date:1920..1925",
    "date:..1930",
    "date:2019..",
    "date:1923",
    "creator:weiss",
    "creator:lecka",
    "creator:\\",
    'title:="Ёжик в тумане"',
    'title:="dear*"',
    "title:bajki",
    "has:date",
    "missing:date",
    "has:creators",
    "rel:part-of:wsws-history",
    "rel:has-part:weiss-2021-dear-comrades",
    "rel:references",
    "rel:related",
    "linked:weiss-2021-dear-comrades",
    "has:links",
    "-has:links",
    "(tag:film OR tag:stalinism) -kind:review",
    "NOT tag:film",
    "film date:2021 OR kind:event",
    "NOT (kind:article OR kind:review) has:date",
    "id:weiss*",
    "id:escapes-*",
    "id:*-1962",
    "lang:pl",
    "lang:p*",
    "publisher:mehring",
    "subtitle:two",
    "here",
    "nothing-matches-this",
    # not answerable from the index: the same output all the same
    "kicker:review",
    "shelf:a",
    "summary:konchalovsky",
    "fixity:never",
    "added:2000..",
]
SORTS = ["-date,title", "title"]
EXTRA_CASES: list[tuple[str, ...]] = [
    ("--sort", "date"),
    ("--sort", "-title"),
    ("--sort", "creators,-title"),
    ("--sort", "kind,-date"),
    ("--sort", "tags"),
    ("--sort", "id"),
    ("--sort", "language,publisher"),
    ("--sort", " -date , title "),
    ("--limit", "3"),
    ("--limit", "0"),
    ("--sort", "-date,title", "--limit", "4"),
    ("tag:film", "--sort", "-date,title", "--limit", "2"),
    ("--no-headers",),
    ("--table-format", "github", "tag:film"),
    ("--columns", ",".join(DEFAULT_COLUMNS), "date:1920..1930"),
    ("--sort", "added"),
    ("--sort", "-changed,title"),
    ("--sort", "fields.shelf"),
]
# Query words go after "--", so that a negated term is not read as an option.
CASES: list[tuple[str, ...]] = [
    *(("--", *q.split()) for q in QUERIES),
    *(("--sort", s, "--", *q.split()) for q in QUERIES[:30] for s in SORTS),
    *EXTRA_CASES,
]


# -- helpers -----------------------------------------------------------------------------


def run(db: Path, *args: str, input: str | None = None) -> Result:
    """``archivist --db DB ARGS…`` in this process, without the suite's index check."""
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input,
                              catch_exceptions=False)


def ok(db: Path, *args: str) -> Result:
    result = run(db, *args)
    assert result.exit_code == 0, (args, result.stderr)
    return result


def without_index(db: Path, *args: str) -> Result:
    """Run a command with the index file out of the way, then put it back as it was."""
    path = summaryindex.index_path(db)
    saved = path.read_bytes() if path.exists() else None
    if saved is not None:
        path.unlink()
    try:
        return run(db, *args)
    finally:
        if saved is not None:
            path.write_bytes(saved)


def records_table(db: Path) -> dict[str, Any]:
    table: dict[str, Any] = json.loads(db.read_bytes())["records"]
    return table


def assert_current(db: Path) -> summaryindex.Index:
    """The index file exists, is current, and says what summarising the archive says."""
    index = summaryindex.load(db)
    assert index is not None, "no current index file"
    assert index.rows() == summaryindex.build(records_table(db)).rows()
    return index


def appended_lines(db: Path) -> list[dict[str, Any]]:
    """The ``{"base", "source", "rows"}`` lines appended to the index file."""
    lines = []
    for line in summaryindex.index_path(db).read_bytes().splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and "base" in value:
            lines.append(value)
    return lines


def table_ids(output: str) -> list[str]:
    """The first column of a ``simple`` table (ids contain no spaces)."""
    return [line.split()[0] for line in output.splitlines()[2:] if line.strip()]


def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command of the test stamps the same time, so that two runs write alike."""
    import archivist.history
    import archivist.store.jsonfile.archive

    for module in (archivist.store.jsonfile.archive, archivist.history):
        monkeypatch.setattr(module, "utc_now", lambda: "2025-06-01T12:00:00Z")


def build_sample(db: Path) -> None:
    """The sample archive: imported, listed once (the index is made), then added to."""
    write(db.parent / "sample.yaml", SAMPLE_YAML)
    ok(db, "import", str(db.parent / "sample.yaml"))
    ok(db, "list")
    for args in LATER_RECORDS:
        ok(db, "add", *args)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One sample archive shared by the read-only tests of this module."""
    db = tmp_path_factory.mktemp("sample") / "archive.json"
    build_sample(db)
    assert len(appended_lines(db)) == len(LATER_RECORDS)
    assert_current(db)
    return db


@pytest.fixture
def built(db: Path) -> Path:
    """A private sample archive at the test's ``$ARCHIVIST_DB``."""
    build_sample(db)
    assert_current(db)
    return db


# -- 1. equivalence: with and without the index, the same bytes ------------------------


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_list_from_the_index_is_byte_identical(sample: Path, args: tuple[str, ...]) -> None:
    assert summaryindex.load(sample) is not None
    fast = run(sample, "list", *args)
    slow = without_index(sample, "list", *args)
    assert (fast.exit_code, fast.stdout, fast.stderr) == (
        slow.exit_code, slow.stdout, slow.stderr)
    assert fast.exit_code == 0, fast.stderr
    assert_current(sample)


@pytest.mark.parametrize("args", [
    ("tag:film",), ("--sort", "-date,title"), ("rel:references", "--limit", "1"),
    ("kicker:review",),
], ids=" ".join)
def test_export_as_a_table_from_the_index_is_byte_identical(sample: Path,
                                                            args: tuple[str, ...]) -> None:
    fast = ok(sample, "export", "--format", "table", *args)
    slow = without_index(sample, "export", "--format", "table", *args)
    assert fast.stdout == slow.stdout


def test_the_sample_answers_are_the_expected_ones(sample: Path) -> None:
    """A few answers spelled out, so that both paths cannot be wrong alike."""
    assert table_ids(ok(sample, "list").stdout) == SAMPLE_IDS
    assert table_ids(ok(sample, "list", "tag:film").stdout) == [
        "weiss-2021-dear-comrades", "north-2021-comrades-two", "zolkiewski-zolw",
        "norstein-ezhik", "alpha-2021"]
    assert table_ids(ok(sample, "list", "date:..1930", "--sort", "-date,title").stdout) == [
        "lodz-strike-1923", "Escapes-1923", "zolkiewski-zolw", "socialist-party-papers"]
    assert table_ids(ok(sample, "list", "missing:date").stdout) == [
        "leaflet-undated", "wsws", "clara-weiss"]
    assert table_ids(ok(sample, "list", "linked:weiss-2021-dear-comrades").stdout) == [
        "north-2021-comrades-two", "wsws-history", "novocherkassk-1962", "wsws",
        "clara-weiss"]
    assert table_ids(ok(sample, "list", "tag:łódź").stdout) == [
        "lodz-strike-1923", "Escapes-1923"]
    escaped = ok(sample, "list", "id:escapes-1923").stdout
    assert "Tab\\x09here and \\x1b[1mbold\\u202e" in escaped
    assert "\x1b" not in escaped and "\t" not in escaped


@pytest.mark.parametrize(("query", "sort"), [
    ("", None), ("film", "title"), ("tag:fi*", "-date,title"), ("-kind:article", None),
    ("date:1920..1925 OR missing:date", "kind"), ("rel:related", None),
    ("has:links", "id"), ('title:="dear*"', None), ("id:*-1962", None),
    ("lang:pl", "creators"), ("creator:weiss", "-date"),
])
def test_select_summaries_answers_what_the_index_holds(sample: Path, query: str,
                                                       sort: str | None) -> None:
    with open_archive(sample) as archive:
        fast = listing.select_summaries(archive, query.split(), sort=sort, limit=None)
        slow = exporters._rows(listing.select(archive, query.split(), sort=sort),
                               DEFAULT_COLUMNS)
    assert fast is not None
    assert fast == slow


# -- 1b. the same property, on random record sets and queries --------------------------

WORDS = ["film", "Film", "żółw", "Łódź", "ежик", "Ёжик", "dear", "comrades", "strike"]
DATES = ["2021", "2021-02", "2021-02-09", "1920/1925", "1923~", "1923?", "1923%",
         "../1930", "2019/..", "1962-06-02"]
TAGS = ["film", "Film", "FILM", "łódź", "ŁÓDŹ", "Stalinism", "books"]
CREATORS = ["Clara Weiss", "Anna Łęcka", "Юрий Норштейн", "Zoë Ørsted"]
ATOMS = ["film", '"dear comrades"', "zolw", "ежик", "lodz", "tag:film", "tag:fi*",
         "tag:łódź", "-tag:books", "kind:article", "-kind:book", "date:2021",
         "date:1920..1925", "date:..1930", "date:2019..", "date:1923", "creator:weiss",
         "creator:łęcka", 'title:="film*"', "title:strike", "has:date", "missing:date",
         "has:creators", "lang:pl", "lang:*", "id:doc-*", "id:*-1", "rel:related",
         "rel:part-of", "linked:doc-0", "has:links", "publisher:press", "subtitle:two"]

record_values = st.fixed_dictionaries(
    {"title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)},
    optional={
        "kind": st.sampled_from(["article", "book", "film", "person", "other"]),
        "date": st.sampled_from(DATES),
        "creators": st.lists(st.sampled_from(CREATORS), max_size=2, unique=True),
        "tags": st.lists(st.sampled_from(TAGS), max_size=3),
        "language": st.sampled_from(["en", "pl", "ru"]),
        "publisher": st.sampled_from(["Mehring Press", "Książka i Wiedza"]),
        "subtitle": st.sampled_from(["Part two", "Część druga"]),
        "kicker": st.sampled_from(["review", "news"]),
    })
queries = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" ".join),
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} OR {pair[1]})"),
        inner.map(lambda term: f"NOT {term}"),
    ),
    max_leaves=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(record_values, min_size=1, max_size=7),
       prefixes=st.lists(st.sampled_from(["doc", "Doc", "zz"]), min_size=7, max_size=7),
       links=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(
           ["related", "part-of", "references"]), st.integers(0, 6)), max_size=4),
       query=queries,
       sort=st.sampled_from([None, "title", "-date,title", "date", "creators,-title",
                             "tags", "id", "kind,-date", "language"]),
       limit=st.one_of(st.none(), st.integers(0, 5)))
def test_select_summaries_equals_the_normal_path(
        values: list[dict[str, Any]], prefixes: list[str],
        links: list[tuple[int, str, int]], query: str, sort: str | None,
        limit: int | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "archive.json"
        with open_archive(path, write=True, command="archivist test") as archive:
            ids = [f"{prefixes[n]}-{n}" for n in range(len(values))]
            for record_id, value in zip(ids, values):
                archive.add(record_from_mapping({**value, "id": record_id}))
            for src, rel, dst in links:
                if src < len(ids) and dst < len(ids):
                    try:
                        add_link(archive, ids[src], rel, ids[dst])
                    except ArchivistError:  # a self link or a cycle: not this test's business
                        pass
        words = query.split()
        with open_archive(path) as archive:
            fast = listing.select_summaries(archive, words, sort=sort, limit=limit)
            engine = query_engine(archive)
            answerable = engine is not None and engine.answers(parse(query)) and (
                sort is None or listing.sort_keys(sort) is not None)
        summaryindex.index_path(path).unlink()
        with open_archive(path) as archive:
            assert archive.summaries() is None
            assert listing.select_summaries(archive, words, sort=sort, limit=limit) is None
            slow = exporters._rows(listing.select(archive, words, sort=sort, limit=limit),
                                   DEFAULT_COLUMNS)
    assert (fast is not None) == answerable
    if fast is not None:
        assert fast == slow


# -- 2. what the index cannot answer ---------------------------------------------------


@pytest.mark.parametrize(("query", "sort", "expected"), [
    ("fixity:never", None, []),
    ("-fixity:ok", None, SAMPLE_IDS),
    (f"added:{datetime.now(timezone.utc).year}", None, None),
    ("added:..1999", None, []),
    ("changed:2000..", None, None),
    ("fields.kicker:review", None, ["weiss-2021-dear-comrades"]),
    ("kicker:review", None, ["weiss-2021-dear-comrades"]),
    ("shelf:b", None, ["zolkiewski-zolw"]),
    ("source.path:x", None, []),
    ("has:fields.shelf", None, ["zolkiewski-zolw", "alpha-2021"]),
    ("tag:film", "added", ["weiss-2021-dear-comrades", "north-2021-comrades-two",
                           "zolkiewski-zolw", "norstein-ezhik", "alpha-2021"]),
    ("", "fields.shelf", ["alpha-2021", "zolkiewski-zolw", *(
        i for i in SAMPLE_IDS if i not in ("alpha-2021", "zolkiewski-zolw"))]),
])
def test_queries_the_index_cannot_answer_fall_back(sample: Path, query: str,
                                                   sort: str | None,
                                                   expected: list[str] | None) -> None:
    with open_archive(sample) as archive:
        assert archive.summaries() is not None
        assert listing.select_summaries(archive, query.split(), sort=sort) is None
    args = [*(("--sort", sort) if sort else ()), "--", *query.split()]
    result = ok(sample, "list", *args)
    assert table_ids(result.stdout) == (SAMPLE_IDS if expected is None else expected)
    assert result.stdout == without_index(sample, "list", *args).stdout


@pytest.mark.parametrize("path", ["summary", "url", "subtitle", "publisher", "title"])
def test_a_field_query_is_answered_exactly_when_the_index_holds_the_field(
        sample: Path, path: str) -> None:
    with open_archive(sample) as archive:
        rows = listing.select_summaries(archive, [f"{path}:a"])
    assert (rows is None) == (path not in summaryindex.SUMMARY_KEYS)


def test_bad_queries_sorts_and_limits_fail_alike(sample: Path) -> None:
    for args in (["(tag:film"], ["date:2021-13"], ["kind:nonsense"], ["--sort", ","],
                 ["--sort", "date,,title"], ["--limit", "-1"]):
        fast = run(sample, "list", *args)
        slow = without_index(sample, "list", *args)
        assert fast.exit_code == slow.exit_code != 0, args
        assert fast.stderr == slow.stderr and fast.stdout == slow.stdout == ""


# -- 3. a stale or damaged index is ignored --------------------------------------------


def assert_ignored_and_lists_right(db: Path, expected: str | None = None) -> None:
    """The index does not count; ``list`` says what it says without one, and makes a
    current index again."""
    assert summaryindex.load(db) is None
    fast = ok(db, "list")
    assert_current(db)
    assert fast.stdout == without_index(db, "list").stdout
    if expected is not None:
        assert expected in fast.stdout
    assert ok(db, "list", "tag:film", "--sort", "-date,title").stdout == without_index(
        db, "list", "tag:film", "--sort", "-date,title").stdout


def test_an_index_of_an_older_version_of_the_archive_is_ignored(built: Path) -> None:
    old = summaryindex.index_path(built).read_bytes()
    ok(built, "set", "leaflet-undated", "title=Leaflet, now titled", "date=1931")
    summaryindex.index_path(built).write_bytes(old)
    assert_ignored_and_lists_right(built, "Leaflet, now titled")
    assert "1931" in ok(built, "list", "date:1931").stdout


@pytest.mark.parametrize("command", [
    ("add", "--title", "Added behind its back", "--id", "behind"),
    ("rm", "leaflet-undated"),
    ("link", "wsws", "related", "clara-weiss"),
    ("untag", "weiss-2021-dear-comrades", "stalinism"),
])
def test_any_write_through_archivist_makes_a_kept_copy_stale(
        built: Path, command: tuple[str, ...]) -> None:
    old = summaryindex.index_path(built).read_bytes()
    result = run(built, *command)
    summaryindex.index_path(built).write_bytes(old)
    if result.exit_code == 0:
        assert summaryindex.load(built) is None
    assert_ignored_and_lists_right(built)


def test_a_hand_edit_in_place_of_the_same_size_is_noticed(built: Path) -> None:
    before = os.stat(built)
    data = built.read_bytes()
    at = data.index(b"Untitled leaflet")
    with open(built, "r+b") as file:
        file.seek(at)
        file.write(b"Untitled leaflot")
    after = os.stat(built)
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)
    if after.st_mtime_ns == before.st_mtime_ns:
        # A file system with coarse timestamps: the edit is taken to come a moment later.
        os.utime(built, ns=(after.st_atime_ns, after.st_mtime_ns + 10_000_000))
    assert_ignored_and_lists_right(built, "Untitled leaflot")
    assert table_ids(ok(built, "list", "leaflot").stdout) == ["leaflet-undated"]
    assert ok(built, "list", "leaflet").stdout.count("\n") == 2  # headers only
    # A write after the edit keeps it: nothing of the old version comes back.
    ok(built, "add", "--title", "After the edit", "--id", "after-edit")
    assert_current(built)
    assert b"Untitled leaflot" in built.read_bytes()
    assert table_ids(ok(built, "list", "leaflot OR id:after-edit").stdout) == [
        "leaflet-undated", "after-edit"]


def test_an_index_left_beside_a_removed_archive_is_ignored(built: Path) -> None:
    built.unlink()
    assert summaryindex.index_path(built).exists()
    assert summaryindex.load(built) is None
    result = ok(built, "list", "--format", "json")
    assert json.loads(result.stdout) == []
    assert "does not exist yet" in result.stderr
    assert table_ids(ok(built, "list").stdout) == []
    ok(built, "add", "--title", "A new beginning", "--id", "new")
    assert table_ids(ok(built, "list").stdout) == ["new"]
    assert_current(built)


def damaged_copies(data: bytes) -> Iterator[tuple[str, bytes]]:
    lines = data.split(b"\n")
    yield "empty", b""
    yield "not JSON", b"this is not an index\n" * 40
    yield "binary", bytes(range(256)) * 8
    yield "half", data[: len(data) // 2]
    yield "one byte short", data[:-1]
    yield "header only", lines[0] + b"\n"
    yield "header not an object", b"[1, 2, 3]\n" + b"\n".join(lines[1:])
    yield "header damaged", b"{" + data[2:]
    yield "a line missing", b"\n".join(lines[:3] + lines[4:])
    yield "trailing garbage line", data + b"garbage\n"
    yield "trailing object", data + b'{"rows": []}\n'


def test_a_truncated_or_damaged_index_is_ignored(built: Path) -> None:
    path = summaryindex.index_path(built)
    good = path.read_bytes()
    for name, damaged in damaged_copies(good):
        path.write_bytes(damaged)
        assert summaryindex.load(built) is None, name
        fast = ok(built, "list", "tag:film")
        assert table_ids(fast.stdout) == [
            "weiss-2021-dear-comrades", "north-2021-comrades-two", "zolkiewski-zolw",
            "norstein-ezhik", "alpha-2021"], name
        assert_current(built)


def test_an_index_of_another_format_version_is_ignored(built: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setattr(summaryindex, "INDEX_VERSION", summaryindex.INDEX_VERSION + 1)
    assert_ignored_and_lists_right(built)


def test_an_index_written_by_another_archivist_is_ignored(built: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(archivist.version, "VERSION", archivist.version.VERSION + "+other")
    assert_ignored_and_lists_right(built)


def test_an_appended_line_that_does_not_chain_is_ignored(built: Path) -> None:
    path = summaryindex.index_path(built)
    *body, last = path.read_bytes().splitlines()
    line = json.loads(last)
    line["base"] = [0, 0, 0, 0]
    path.write_bytes(b"\n".join([*body, json.dumps(line).encode()]) + b"\n")
    assert_ignored_and_lists_right(built, "Tab\\x09here")


def test_an_appended_line_naming_another_archive_version_is_ignored(built: Path) -> None:
    path = summaryindex.index_path(built)
    *body, last = path.read_bytes().splitlines()
    line = json.loads(last)
    line["source"] = [*line["source"][:3], line["source"][3] + 1]
    path.write_bytes(b"\n".join([*body, json.dumps(line).encode()]) + b"\n")
    assert_ignored_and_lists_right(built)


@pytest.mark.parametrize("tear", ["no newline", "half a line", "half a line, newline"])
def test_a_torn_last_line_is_ignored(built: Path, tear: str) -> None:
    path = summaryindex.index_path(built)
    data = path.read_bytes()
    start = data.rstrip(b"\n").rindex(b"\n") + 1
    last = data[start:-1]
    torn = {"no newline": data[:-1],
            "half a line": data[:start] + last[: len(last) // 2],
            "half a line, newline": data[:start] + last[: len(last) // 2] + b"\n"}[tear]
    path.write_bytes(torn)
    assert_ignored_and_lists_right(built, "Tab\\x09here")


def test_an_append_cut_short_by_a_kill_is_ignored(built: Path) -> None:
    """The archive is written first; an index line cut short must not hide the record."""
    path = summaryindex.index_path(built)
    before = path.read_bytes()
    ok(built, "add", "--title", "Written before the kill", "--id", "killed")
    after = path.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    for cut in (len(before) + 1, (len(before) + len(after)) // 2, len(after) - 1):
        path.write_bytes(after[:cut])
        assert summaryindex.load(built) is None
        assert "killed" in table_ids(ok(built, "list").stdout)
        assert_current(built)


# -- 4. every write keeps the index current --------------------------------------------


def assert_fresh(db: Path) -> None:
    assert_current(db)
    for args in ([], ["tag:kino", "--sort", "-date,title"], ["date:1900..2000", "lodz"]):
        assert ok(db, "list", *args).stdout == without_index(db, "list", *args).stdout


def test_the_first_list_makes_the_index_and_add_keeps_it(invoke: Invoke, db: Path,
                                                         tmp_path: Path) -> None:
    write(tmp_path / "sample.yaml", SAMPLE_YAML)
    assert invoke("import", str(tmp_path / "sample.yaml")).exit_code == 0
    summaryindex.discard(db)
    assert not summaryindex.index_path(db).exists()
    assert invoke("list").exit_code == 0
    assert summaryindex.index_path(db).exists()
    assert_fresh(db)
    assert invoke("add", "--title", "One more", "--tag", "FILM").exit_code == 0
    assert summaryindex.index_path(db).exists()
    assert_fresh(db)
    assert "one-more" in table_ids(invoke("list", "tag:film").stdout)


def test_every_write_leaves_a_current_index(invoke: Invoke, db: Path, tmp_path: Path) -> None:
    write(tmp_path / "sample.yaml", SAMPLE_YAML)
    write(tmp_path / "more.yaml", """
- {id: more-1, title: Więcej, tags: [Kino], date: "1999"}
- {id: more-2, title: Ещё, creators: [Anna Łęcka], links: [{rel: part-of, target: more-1}]}
""")
    steps: list[tuple[str, ...]] = [
        ("import", str(tmp_path / "sample.yaml")),
        ("list",),
        ("add", "--title", "New one", "--id", "new-one", "--tag", "FILM", "--date", "1999"),
        ("add", "--title", "Linked on arrival", "--publisher-id", "wsws"),
        ("set", "new-one", "title=Renamed Łódź", "date=1920/1930", "creators+=Anna Łęcka"),
        ("set", "wsws", "kicker=not a summary column"),
        ("tag", "wsws", "Film", "nowy"),
        ("untag", "weiss-2021-dear-comrades", "film"),
        ("tags", "rename", "film", "Kino"),
        ("rm", "leaflet-undated"),
        ("rm", "--force", "novocherkassk-1962"),
        ("link", "new-one", "references", "wsws"),
        ("unlink", "new-one", "references", "wsws"),
        ("import", str(tmp_path / "more.yaml")),
        ("undo",),
        ("undo", "3"),
        ("merge", "north-2021-comrades-two", "lodz-strike-1923"),
        ("undo",),
        ("add", "--title", "Last"),
    ]
    for step in steps:
        result = invoke(*step)
        assert result.exit_code == 0, (step, result.stderr)
        assert_fresh(db)
    assert invoke("rm", "wsws").exit_code == 1  # linked: refused, nothing changes
    assert_fresh(db)
    assert table_ids(invoke("list", "tag:kino").stdout) == table_ids(
        without_index(db, "list", "tag:kino").stdout) != []


def test_commands_do_the_same_with_and_without_an_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same commands, on two archives: one keeps its index, the other has it
    deleted before every command.  Every output and the final file are the same."""
    monkeypatch.setattr("archivist.store.jsonfile.recordtable.new_archive_id", lambda: "same-id")
    fixed_clock(monkeypatch)
    write(tmp_path / "sample.yaml", SAMPLE_YAML)
    write(tmp_path / "more.yaml", "- {id: more-1, title: Więcej, tags: [fILM, Neu]}\n"
                                  "- {title: Ещё, tags: [neu], creators: [Clara Weiss]}\n")
    commands: list[tuple[str, ...]] = [
        ("import", str(tmp_path / "sample.yaml")),
        ("add", "--title", "Dear Comrades", "--creator", "Clara Weiss", "--date",
         "2021-02-09", "--tag", "FILM", "--tag", "łódź"),
        ("add", "--title", "Dear Comrades", "--creator", "Clara Weiss", "--date", "2021"),
        ("add", "--title", "Kino", "--tag", "NEU", "--publisher-id", "wsws"),
        ("add", "--title", "Twice", "--id", "WSWS"),
        ("import", str(tmp_path / "more.yaml")),
        ("set", "kino", "tags+=film", "date=1920/1925"),
        ("tag", "wsws", "neu"), ("untag", "zolkiewski-zolw", "FILM"),
        ("tags", "rename", "neu", "Nowe"),
        ("link", "kino", "references", "wsws"), ("unlink", "kino", "references", "wsws"),
        ("rm", "wsws"), ("rm", "--force", "wsws"), ("undo", "2"),
        ("merge", "weiss-2021-dear-comrades", "weiss-2021-dear-comrades-2"),
        ("add", "--title", "Last one", "--tag", "nowe"),
        ("list",), ("list", "tag:nowe", "--sort", "-date,title"), ("show", "kino"),
        ("list", "--format", "json"), ("tags",), ("info",), ("check",),
    ]

    def session(folder: str, keep: bool) -> tuple[list[tuple[int, str, str]], bytes]:
        db = tmp_path / folder / "archive.json"
        db.parent.mkdir()
        monkeypatch.setenv("ARCHIVIST_DB", str(db))
        outputs = []
        for command in commands:
            if not keep:
                summaryindex.discard(db)
            result = CliRunner().invoke(cli, list(command), catch_exceptions=False)
            outputs.append((result.exit_code, result.stdout.replace(str(db), "ARCHIVE"),
                            result.stderr.replace(str(db), "ARCHIVE")))
        return outputs, db.read_bytes()

    kept = session("kept", keep=True)
    dropped = session("dropped", keep=False)
    assert [code for code, _, _ in kept[0]] == [0] * 4 + [1] + [0] * 7 + [1] + [0] * 11
    assert kept[0] == dropped[0]
    assert kept[1] == dropped[1]


def test_add_with_a_current_index_never_parses_the_records(
        built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = json.loads(built.read_bytes())["meta"]["1"]["entries"]
    refuse_parsing_records(monkeypatch)
    # In-process, as a library user would…
    with open_archive(built, write=True, command="archivist add") as archive:
        values = {"title": "Dear Comrades", "tags": ["film"], "creators": ["Clara Weiss"],
                  "date": "2021-02-09"}
        archive.add(record_from_mapping(values, default_id=archive.new_id(
            "Dear Comrades", ("Clara Weiss",), "2021-02-09")))
    # …and through the command line, with tags the archive spells otherwise.
    result = run(built, "add", "--title", "Łódź again", "--tag", "łódź", "--tag", "NEW")
    assert result.exit_code == 0, result.stderr
    monkeypatch.undo()

    data = json.loads(built.read_bytes())
    records = list(data["records"].values())
    assert [r["id"] for r in records[-2:]] == ["weiss-2021-dear-comrades-2", "lodz-again"]
    assert records[-2]["tags"] == ["Film"] and records[-1]["tags"] == ["Łódź", "NEW"]
    assert list(data["records"]) == sorted(data["records"], key=int)
    history = list(data["history"].values())
    assert data["meta"]["1"]["entries"] == entries + 2 == len(history)
    assert [(h["action"], h["record"]) for h in history[-2:]] == [
        ("add", "weiss-2021-dear-comrades-2"), ("add", "lodz-again")]
    assert_current(built)
    assert ok(built, "check").exit_code == 0
    # The same record added without an index gets the same id, spelling and row.
    assert ok(built, "show", "lodz-again", "--format", "json").stdout == without_index(
        built, "show", "lodz-again", "--format", "json").stdout


def test_add_to_an_archive_emptied_with_a_current_index(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(db, "add", "--title", "Gone soon", "--id", "gone")
    ok(db, "rm", "gone")
    assert len(assert_current(db)) == 0
    refuse_parsing_records(monkeypatch)
    ok(db, "add", "--title", "First again", "--id", "gone")  # the id is free again
    monkeypatch.undo()
    data = json.loads(db.read_bytes())
    assert [r["id"] for r in data["records"].values()] == ["gone"]
    assert_current(db)
    assert table_ids(ok(db, "list").stdout) == ["gone"]


def test_add_with_a_current_index_refuses_a_taken_id_in_any_case(
        built: Path, unchanged: Callable[[], Any]) -> None:
    before = summaryindex.index_path(built).read_bytes()
    with unchanged():
        result = run(built, "add", "--title", "Again", "--id", "WSWS")
    assert result.exit_code == 1 and "wsws" in result.stderr.lower()
    assert summaryindex.index_path(built).read_bytes() == before


def test_ids_generated_with_the_index_are_those_generated_without(built: Path) -> None:
    fast = ok(built, "add", "--title", "Dear Comrades", "--creator", "Clara Weiss",
              "--date", "2021-02-09").stdout
    assert fast == "weiss-2021-dear-comrades-2\n"
    slow = without_index(built, "add", "--title", "Dear Comrades", "--creator",
                         "Clara Weiss", "--date", "2021-02-09")
    assert slow.stdout == "weiss-2021-dear-comrades-3\n"


# -- 5. add appends to the index file, up to APPEND_LIMIT rows -------------------------


def test_add_appends_a_line_then_rewrites_past_the_limit(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summaryindex, "APPEND_LIMIT", 3)
    ok(db, "add", "--title", "Zero", "--id", "r0")
    path = summaryindex.index_path(db)
    assert appended_lines(db) == []
    for n in range(1, 4):
        before, inode = path.read_bytes(), path.stat().st_ino
        ok(db, "add", "--title", f"Number {n}", "--id", f"r{n}")
        after = path.read_bytes()
        assert path.stat().st_ino == inode  # appended to, not written again
        assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
        [line] = appended_lines(db)[-1:]
        assert {"base", "source", "rows"} <= set(line) and len(line["rows"]) == 1
        assert len(appended_lines(db)) == n
        assert_current(db)
    inode = path.stat().st_ino
    ok(db, "add", "--title", "Number 4", "--id", "r4")  # a fourth row: written whole
    assert path.stat().st_ino != inode
    assert appended_lines(db) == []
    assert_current(db)
    ok(db, "add", "--title", "Number 5", "--id", "r5")
    assert len(appended_lines(db)) == 1
    assert table_ids(ok(db, "list").stdout) == [f"r{n}" for n in range(6)]
    assert_current(db)


def test_an_import_appends_its_rows_in_one_line(db: Path, tmp_path: Path) -> None:
    ok(db, "add", "--title", "Zero", "--id", "r0")
    write(tmp_path / "batch.yaml", "- {id: b1, title: One}\n- {id: b2, title: Two}\n")
    ok(db, "import", str(tmp_path / "batch.yaml"))
    [line] = appended_lines(db)
    assert [row[summaryindex.COLUMNS.index("id")] for row in line["rows"]] == ["b1", "b2"]
    assert_current(db)


def test_a_write_that_changes_a_record_appends_its_new_row(built: Path) -> None:
    before = len(appended_lines(built))
    ok(built, "set", "wsws", "title=WSWS")
    lines = appended_lines(built)
    assert len(lines) == before + 1
    assert lines[-1]["rows"] == []
    [(_, row)] = lines[-1]["replace"]
    assert row[summaryindex.COLUMNS.index("title")] == "WSWS"
    assert_current(built)
    ok(built, "set", "wsws", "title=WSWS again")  # a row replaced twice: the last wins
    assert_current(built)


def test_a_write_that_removes_a_record_rewrites_the_index(built: Path) -> None:
    assert appended_lines(built) != []
    ok(built, "rm", "--force", "wsws")
    assert appended_lines(built) == []
    assert_current(built)


def test_a_link_appends_an_empty_line(built: Path) -> None:
    before = summaryindex.index_path(built).read_bytes()
    ok(built, "link", "north-2021-comrades-two", "related", "zolkiewski-zolw")
    after = summaryindex.index_path(built).read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    assert_current(built)


# -- 6. a list answered from the index never reads the archive -------------------------


def test_a_list_from_the_index_never_reads_the_archive(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table_cases = [[], ["tag:film"], ["--sort", "-date,title", "--limit", "3"],
                   ["dear", "comrades"], ["--", "date:1920..1925", "-kind:book"], ["id:w*"]]
    reading_cases = [["--format", "json"], ["rel:references"], ["kicker:review"],
                     ["--columns", "id,title"]]
    expected = {tuple(a): ok(sample, "list", *a).stdout for a in table_cases + reading_cases}
    real_read = reader.read
    reads: list[Path] = []

    def counting_read(path: Path, **kwargs: Any) -> reader.ArchiveFile:
        reads.append(path)
        return real_read(path, **kwargs)

    monkeypatch.setattr(reader, "read", counting_read)
    for args in table_cases:
        assert ok(sample, "list", *args).stdout == expected[tuple(args)]
        assert reads == [], args
    for args in reading_cases:
        assert ok(sample, "list", *args).stdout == expected[tuple(args)]
        assert reads == [sample], args
        reads.clear()
    assert json.loads(expected[("--format", "json")])[0]["id"] == SAMPLE_IDS[0]


# -- 7. mapped files read as files read whole ------------------------------------------


def test_mapped_archives_behave_as_read_ones(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import mmap

    monkeypatch.setattr("archivist.store.jsonfile.recordtable.new_archive_id", lambda: "same-id")

    fixed_clock(monkeypatch)
    write(tmp_path / "sample.yaml", SAMPLE_YAML)
    commands: list[tuple[str, ...]] = [
        ("import", str(tmp_path / "sample.yaml")),
        ("list",),
        ("add", "--title", "Mapped", "--id", "mapped", "--tag", "film", "--date", "1999"),
        ("add", "--title", "Mapped twice", "--creator", "Anna Łęcka"),
        ("set", "wsws", "title=WSWS", "language=en"),
        ("tag", "wsws", "Film"),
        ("link", "mapped", "related", "wsws"),
        ("list",), ("list", "tag:film", "--sort", "-date,title"), ("list", "rel:related"),
        ("list", "--format", "json"),
        ("show", "mapped"), ("show", "wsws", "--format", "json"),
        ("history",), ("history", "wsws", "--format", "json"),
        ("check",), ("info",), ("tags",),
        ("rm", "--force", "mapped"), ("undo",), ("list",),
    ]

    def session(folder: str) -> tuple[list[tuple[int, str]], bytes]:
        db = tmp_path / folder / "archive.json"
        db.parent.mkdir()
        monkeypatch.setenv("ARCHIVIST_DB", str(db))
        outputs = []
        for command in commands:
            result = CliRunner().invoke(cli, list(command), catch_exceptions=False)
            text = result.stdout.replace(str(db), "ARCHIVE")
            outputs.append((result.exit_code, text))
        return outputs, db.read_bytes()

    read_whole = session("read")
    maps: list[int] = []
    real_mmap = mmap.mmap

    def counting_mmap(*args: Any, **kwargs: Any) -> mmap.mmap:
        maps.append(1)
        return real_mmap(*args, **kwargs)

    monkeypatch.setattr(atomic, "MAP_FROM", 0)
    monkeypatch.setattr(mmap, "mmap", counting_mmap)
    mapped = session("mapped")
    assert maps  # (commands that know the layout from the index read regions instead)
    assert mapped == read_whole
    assert all(code == 0 for code, _ in mapped[0])


# -- 8. an index that cannot be written does not fail commands -------------------------


def test_an_index_that_cannot_be_replaced_is_dropped(built: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def refuse(src: Any, dst: Any) -> None:
        if str(dst).endswith(".index"):
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(summaryindex, "APPEND_LIMIT", 0)  # every change rewrites the index
    ok(built, "set", "wsws", "title=WSWS")
    # The index could not be written again, and the one there describes the old file:
    # it is removed (and would be ignored if it could not be).
    assert not summaryindex.index_path(built).exists()
    result = ok(built, "list", "--sort", "title")
    assert "World Socialist Web Site" not in result.stdout
    assert [line.split()[0] for line in result.stdout.splitlines()
            if line.endswith("  WSWS")] == ["wsws"]
    assert not summaryindex.index_path(built).exists()  # the reader could not write one
    ok(built, "add", "--title", "Still added", "--tag", "film")
    assert "still-added" in table_ids(ok(built, "list", "tag:film").stdout)
    assert list(summaryindex.stray_files(built)) == []
    assert sorted(p.name for p in built.parent.iterdir() if p.name.startswith(".")) == []
    monkeypatch.undo()
    listed = ok(built, "list", "--sort", "title").stdout
    assert_current(built)
    assert listed == without_index(built, "list", "--sort", "title").stdout
    assert "still-added" in table_ids(listed)


def test_an_index_that_cannot_be_appended_to_is_dropped(built: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    import builtins

    def refuse(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "a" in mode and str(file).endswith(".index"):
            raise OSError(28, "No space left on device", str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(summaryindex, "open", refuse, raising=False)
    ok(built, "add", "--title", "Appended nowhere", "--id", "nowhere")
    monkeypatch.undo()
    assert not summaryindex.index_path(built).exists()  # stale now: removed
    assert table_ids(ok(built, "list").stdout)[-1] == "nowhere"
    assert_current(built)


def test_stray_temporary_index_files_are_removed_by_the_next_write(built: Path) -> None:
    strays = [built.parent / f".{built.name}.index.{n}.deadbeef.index-tmp" for n in (1, 2)]
    for stray in strays:
        stray.write_bytes(b"half an index")
    other = built.parent / ".unrelated.index-tmp"
    other.write_bytes(b"")
    assert sorted(summaryindex.stray_files(built)) == sorted(strays)
    ok(built, "list")
    assert_current(built)
    ok(built, "add", "--title", "Cleaning up")
    assert list(summaryindex.stray_files(built)) == []
    assert not any(stray.exists() for stray in strays)
    assert other.exists()


def test_a_reader_that_cannot_write_beside_the_archive_builds_no_index(
        built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summaryindex.discard(built)
    real_access = os.access

    def no_writing_in_folders(path: Any, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and os.path.isdir(path):
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", no_writing_in_folders)
    assert table_ids(ok(built, "list").stdout) == SAMPLE_IDS
    assert not summaryindex.index_path(built).exists()


# -- 9. a reader without an index makes one --------------------------------------------


@pytest.mark.parametrize("command", [
    ("list", "--format", "json"),
    ("list", "--columns", "id,title"),
    ("list",),
    ("show", "wsws"),
    ("show", "wsws", "--format", "yaml"),
])
def test_a_reader_without_an_index_makes_one(built: Path, command: tuple[str, ...]) -> None:
    expected = ok(built, *command).stdout
    summaryindex.discard(built)
    assert ok(built, *command).stdout == expected
    assert summaryindex.index_path(built).exists()
    assert_current(built)


# -- in-process use of the summaries ---------------------------------------------------


def test_summaries_are_withheld_once_the_archive_changes(built: Path) -> None:
    with open_archive(built, write=True, command="archivist test") as archive:
        assert listing.select_summaries(archive, ["tag:film"]) is not None
        archive.add(record_from_mapping({"title": "Brand new film", "tags": ["film"],
                                         "id": "brand-new"}))
        assert archive.summaries() is None
        assert listing.select_summaries(archive, ["tag:film"]) is None
        text = exporters.export(archive, ["tag:film"]).text
    assert "Brand new film" in text
    with open_archive(built) as archive:
        assert archive.summaries() is not None
        assert exporters.export(archive, ["tag:film"]).text == text
    assert memory_archive().summaries() is None
    assert listing.select_summaries(memory_archive(), []) is None


# -- damage the identity check cannot see, and readers racing writers ----------------


def not_json(lines: list[bytes]) -> list[bytes]:
    """Every column's line ends in "}" instead of "]": the same length, not JSON."""
    return [line[:-1] + b"}" if line.startswith(b"[") else line for line in lines]


def wrong_type(lines: list[bytes]) -> list[bytes]:
    """A column of numbers whose last number (two digits) becomes ``[]``: the same
    length, valid JSON, a value of the wrong type."""
    out = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if (isinstance(value, list) and value and type(value[-1]) is int
                and 10 <= value[-1] < 100):
            line = line[:-3] + b"[]]"
        out.append(line)
    assert out != lines
    return out


@pytest.mark.parametrize("damage", [not_json, wrong_type])
def test_damaged_columns_of_a_current_index_are_ignored(
        built: Path, damage: Callable[[list[bytes]], list[bytes]]) -> None:
    path = summaryindex.index_path(built)
    path.write_bytes(b"\n".join(damage(path.read_bytes().split(b"\n"))))
    assert summaryindex.load(built) is not None  # the damage is not seen when loading
    assert table_ids(ok(built, "list").stdout) == SAMPLE_IDS
    assert table_ids(ok(built, "list", "tag:film").stdout) == [
        "weiss-2021-dear-comrades", "north-2021-comrades-two", "zolkiewski-zolw",
        "norstein-ezhik", "alpha-2021"]
    assert "World Socialist Web Site" in ok(built, "show", "wsws").stdout
    checked = ok(built, "check")
    assert "13 records" in checked.stdout + checked.stderr
    assert "Film" in ok(built, "tags").stdout
    ok(built, "info")
    ok(built, "set", "wsws", "title=WSWS")
    assert_current(built)  # the write replaced the damaged index
    path.write_bytes(b"\n".join(damage(path.read_bytes().split(b"\n"))))
    ok(built, "add", "--title", "After the damage", "--id", "after", "--tag", "FILM")
    assert_current(built)
    assert table_ids(ok(built, "list", "tag:film").stdout)[-1] == "after"
    assert json.loads(ok(built, "show", "after", "--format", "json").stdout)["tags"] == [
        "Film"]


def test_a_reader_never_mixes_the_index_with_a_newer_archive(built: Path) -> None:
    """A reader that looks a record up after another process wrote finds it as the
    archive now is (or not at all), never another record in its place."""
    with open_archive(built) as archive:
        assert archive.summaries() is not None
        # Another process writes between this reader's open and its first look at a record.
        ok(built, "rm", "--force", "Escapes-1923")
        ok(built, "add", "--title", "Took its number", "--id", "newcomer")
        with pytest.raises(RecordNotFound):
            archive.document("Escapes-1923")
        assert archive.document("newcomer")["title"] == "Took its number"
        assert "escapes-1923" not in archive


# -- rows replaced in place ----------------------------------------------------------------


def test_a_replacement_beyond_the_rows_makes_the_index_untrusted(built: Path) -> None:
    ok(built, "set", "wsws", "title=WSWS")
    path = summaryindex.index_path(built)
    lines = path.read_bytes().splitlines()
    last = json.loads(lines[-1])
    last["replace"] = [[10_000, last["replace"][0][1]]]
    path.write_bytes(b"\n".join([*lines[:-1], json.dumps(last).encode()]) + b"\n")
    index = summaryindex.load(built)
    assert index is not None  # the chain holds, but the row it replaces does not exist
    with pytest.raises(IndexUnusable):  # the engine's own condition, caught by its name
        index.column("title")
    expected = ok(built, "list", "--sort", "title").stdout
    assert "WSWS" in expected
    ok(built, "add", "--title", "After the damage")  # drops the index, parses the records
    assert_current(built)
    assert "WSWS" in ok(built, "list", "--sort", "title").stdout


def test_replaced_rows_survive_the_rewrite_after_the_append_limit(
        built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summaryindex, "APPEND_LIMIT", 2)
    for n in range(4):
        ok(built, "set", "wsws", f"title=Title {n}")
        assert_current(built)
    assert len(appended_lines(built)) <= 2
    assert "Title 3" in ok(built, "list", "id:wsws").stdout


def test_rewriting_an_index_with_replaced_rows_keeps_no_column_it_did_not_read(
        built: Path) -> None:
    ok(built, "set", "wsws", "title=Rewritten")
    index = summaryindex.load(built)
    assert index is not None and index._replaced
    index.column("title")
    lines = index.encode([0])
    # Only what was read stays parsed: a bulk edit's rewrite holds one column at a time.
    assert set(index._columns) == {"title", "tags"}  # tags: for the header's spellings
    fresh = summaryindex.Index({name: line for name, line in zip(summaryindex.COLUMNS, lines[1:])})
    assert fresh.rows() == index.rows()


def test_an_appended_row_of_the_wrong_types_makes_the_index_untrusted(built: Path) -> None:
    ok(built, "add", "--title", "Typed", "--tag", "film")
    path = summaryindex.index_path(built)
    lines = path.read_bytes().splitlines()
    last = json.loads(lines[-1])
    last["rows"][0][summaryindex.COLUMNS.index("tags")] = 7
    path.write_bytes(b"\n".join([*lines[:-1], json.dumps(last).encode()]) + b"\n")
    assert summaryindex.load(built) is None
    ok(built, "add", "--title", "After", "--tag", "film")  # parses, writes a sound index
    assert_current(built)


def test_has_key_answers_from_the_text_as_the_parsed_column_would(built: Path) -> None:
    ok(built, "add", "--title", "Appended", "--id", "Appended.One")
    index = assert_current(built)
    keys = list(index.column(summaryindex.ID_KEY))
    fresh = summaryindex.load(built)
    assert fresh is not None
    asked = [*keys, *(k[:-1] for k in keys), *(k + "x" for k in keys), *("x" + k for k in keys),
             *(k.upper() for k in keys), "", "appended", "appended.one"]
    answers = [fresh.has_key(key) for key in asked]
    assert summaryindex.ID_KEY not in fresh._columns  # answered without parsing
    assert answers == [key in keys for key in asked]
    assert fresh.has_key("appended.one")  # a row appended after the body


def test_add_with_a_current_index_never_parses_the_ids(
        built: Path, monkeypatch: pytest.MonkeyPatch, unchanged: Callable[[], Any]) -> None:
    original = summaryindex.Index.column

    def refuse(self: summaryindex.Index, name: str) -> list[Any]:
        assert name != summaryindex.ID_KEY, "the id column was parsed"
        return original(self, name)

    monkeypatch.setattr(summaryindex.Index, "column", refuse)
    assert ok(built, "add", "--title", "Dear Comrades", "--creator", "Clara Weiss",
              "--date", "2021-02-09").stdout == "weiss-2021-dear-comrades-2\n"
    assert ok(built, "add", "--title", "Fresh", "--id", "Fresh-ID").stdout == "Fresh-ID\n"
    with unchanged():
        result = run(built, "add", "--title", "Again", "--id", "FRESH-id")
    assert result.exit_code == 1 and "FRESH-id" in result.stderr and "exists" in result.stderr
    monkeypatch.undo()
    assert_current(built)


def _row(doc_id: int, key: str) -> list[Any]:
    row: list[Any] = [None] * len(summaryindex.COLUMNS)
    row[0], row[1] = doc_id, key
    return row


@given(st.lists(st.from_regex(r"[a-d]{1,2}", fullmatch=True), min_size=0, max_size=6,
                unique=True),
       st.lists(st.from_regex(r"[a-d]{1,2}", fullmatch=True), max_size=3, unique=True),
       st.dictionaries(st.integers(0, 8), st.from_regex(r"[a-e]{1,2}", fullmatch=True),
                       max_size=3))
def test_has_key_agrees_with_the_parsed_column_whatever_was_replaced(
        body: list[str], tail: list[str], replacements: dict[int, str]) -> None:
    tail = [key for key in tail if key not in body]
    rows = len(body) + len(tail)
    # Document ids unlike row numbers, so that a wrong row gives a wrong answer.
    texts = {summaryindex.DOC_KEY: json.dumps([100 + n for n in range(len(body))]).encode(),
             summaryindex.ID_KEY: json.dumps(body, separators=(",", ":")).encode()}

    def index() -> summaryindex.Index:
        made = summaryindex.Index(texts, [_row(200 + n, k) for n, k in enumerate(tail)])
        made._replaced = {n: _row(300 + n, k) for n, k in replacements.items() if n < rows}
        return made

    parsed = index()
    expected = dict(zip(parsed.column(summaryindex.ID_KEY), parsed.column(summaryindex.DOC_KEY)))
    probe = index()
    assert probe.keys_sound()
    for key in ("a", "b", "c", "d", "e", "aa", "ab", "ba", "dd", "ee"):
        assert probe.has_key(key) == (key in expected), key
        if len(set(expected)) == len(parsed.column(summaryindex.ID_KEY)):  # ids unique
            assert probe.doc_id_of(key) == expected.get(key), key
    assert summaryindex.ID_KEY not in probe._columns



@pytest.mark.parametrize("id_line", [b'["aa", "bb", "cc"]', b'["aa","\x01b","cc"]'])
def test_an_id_column_not_written_by_archivist_is_never_searched(
        tmp_path: Path, id_line: bytes) -> None:
    db = tmp_path / "a.json"
    for record_id in ("aa", "bb", "cc"):
        ok(db, "add", "--title", "T", "--id", record_id)
    path = summaryindex.index_path(db)
    stat = os.stat(path)
    lines = path.read_bytes().split(b"\n")
    header = json.loads(lines[0])
    position = summaryindex.COLUMNS.index(summaryindex.ID_KEY)
    lines[position + 1] = id_line
    header["lengths"][position] = len(id_line)
    lines[0] = json.dumps(header, separators=(",", ":")).encode()
    path.write_bytes(b"\n".join(lines))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert summaryindex.load(db) is not None  # the damage is inside a column
    before = db.read_bytes()
    result = run(db, "add", "--title", "Again", "--id", "bb")
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert db.read_bytes() == before
    assert ok(db, "rm", "cc").stdout.strip() in ("", "cc")
    assert [r["id"] for r in json.loads(db.read_bytes())["records"].values()] == ["aa", "bb"]


def _stored_docs(count: int) -> dict[str, dict[str, Any]]:
    docs = {}
    for n in range(1, count + 1):
        record = record_from_mapping({"id": f"R-{n}", "title": f"Title {n} “Łódź”",
                                      "date": "1921~", "tags": ["Film", "x y"],
                                      "creators": ["A", "Б"]})
        docs[str(n * 2)] = record.to_document()
    return docs


@pytest.mark.parametrize(("before", "after"), [(0, 0), (0, 3), (4, 0), (4, 3)])
def test_a_new_index_written_a_row_at_a_time_is_the_index_built_at_once(
        tmp_path: Path, before: int, after: int) -> None:
    docs = _stored_docs(before + after)
    keys = list(docs)
    writer = summaryindex.ColumnsWriter({k: docs[k] for k in keys[:before]})
    for key in keys[before:]:
        writer.append(summaryindex.summary_row(key, docs[key]))
    written, built = writer.index(), summaryindex.build(docs)
    assert written.rows() == built.rows()
    assert written.encode([1, 2, 3, 4, 5]) == built.encode([1, 2, 3, 4, 5])
