"""The query language: one table of queries against a small fixed archive."""

from __future__ import annotations

import doctest
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist import query
from archivist.dates import date_bounds
from archivist.errors import QuerySyntaxError
from archivist.query import (
    And,
    Dates,
    Everything,
    Field,
    Has,
    Match,
    Not,
    Or,
    Rel,
    Text,
    compile_query,
    join_words,
    match,
    matches,
    parse,
)
from archivist.query import parser as query_parser

SHA = "ab" * 32


def _doc(**values: Any) -> dict[str, Any]:
    """A stored document as ``Record.to_document()`` writes it (``_dates`` included)."""
    values.setdefault("kind", "article")
    if "date" in values:
        values["_dates"] = list(date_bounds(values["date"]))
    return values


def _archive_info(added: str, fixity: str | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"added": added, "added_by": "ola", "added_how": "archivist add",
                            "changed": added}
    if fixity is not None:
        info["fixity"] = {"checked": "2025-01-02T03:04:05Z", "result": fixity,
                          "sha256_found": SHA}
    return info


DOCS: list[dict[str, Any]] = [
    _doc(id="weiss-2021-dear-comrades",
         title="Dear Comrades: Russian film about the 1962 Novocherkassk massacre",
         creators=["Clara Weiss"], date="2021-02-09", publisher="World Socialist Web Site",
         language="en", url="https://www.wsws.org/en/articles/2021/02/09/dear-f09.html",
         summary="A review of Konchalovsky’s “Dear Comrades!”", tags=["Film", "stalinism"],
         source={"path": "sources/003.txt", "sha256": SHA, "size": 29759, "span": [5, 9]},
         archive=_archive_info("2024-05-03T10:00:00Z", "ok")),
    _doc(id="wsws-history-of-russia", kind="collection",
         title="History of the Russian Revolution series", publisher="World Socialist Web Site",
         tags=["history"], archive=_archive_info("2024-05-03T10:00:01Z")),
    _doc(id="ru-novocherkassk-1962", title="Новочеркасская трагедия 1962 года",
         creators=["Пётр Ёлкин"], date="1962-06~", language="ru",
         summary="Расстрел рабочих в Новочеркасске.", tags=["История", "СССР"],
         archive=_archive_info("2024-06-10T08:00:00Z")),
    _doc(id="pl-klushino", kind="book", title="Żółkiewski i bitwa pod Kłuszynem",
         creators=["Józef Łęcki"], date="1920/1925", language="pl",
         publisher="Ośrodek Karta", tags=["Historia", "polska"],
         fields={"kicker": "Wojna", "series": {"name": "Zeszyty", "number": "3"}},
         archive=_archive_info("2023-12-31T23:59:59Z")),
    _doc(id="trotsky-lessons", kind="pamphlet", title="“The Lessons of October”",
         creators=["Leon Trotsky"], date="1924?", language="en-GB",
         tags=["TROTSKY", "history"], archive=_archive_info("2024-05-03T10:00:02Z")),
    _doc(id="lenin-speech-1917", kind="speech",
         title="Speech at the Second Congress of Soviets", creators=["V. I. Lenin"],
         date="1917-11-07", language="ru", tags=["revolution"],
         archive=_archive_info("2024-05-04T00:00:00Z")),
    _doc(id="sedova-letter", kind="letter", title="Letter to a comrade",
         creators=["Natalia Sedova", "Leon Trotsky"], summary="Written for Mr O’Brien.",
         fields={"Recipient": "A. O’Brien", "pages": ["1", "2"]},
         archive=_archive_info("2024-05-05T00:00:00Z")),
    _doc(id="fi-archive", kind="web-page", title="Archive of the Fourth International",
         url="https://example.org/fi", date="2020-05", tags=["archive", "FILM"],
         source={"path": "sources/fi.html", "sha256": SHA, "size": 10},
         archive=_archive_info("2023-01-15T12:00:00Z")),
    _doc(id="film-1962", kind="film", title="Novocherkassk 1962 (documentary)",
         subtitle="Part two", date="1962", language="ru",
         source={"path": "sources/film.mp4", "size": 99},
         archive=_archive_info("2024-05-06T00:00:00Z", "changed")),
    _doc(id="strike-data", kind="dataset", title="Strike statistics", date="2019/..",
         publisher="Ośrodek Karta", summary="", tags=["data"],
         source={"path": "sources/strikes.csv"},
         archive=_archive_info("2024-05-07T00:00:00Z", "missing")),
    _doc(id="dear-comrades-notes", kind="book", title="dear-comrades: notes",
         date="1930", tags=["notes"], source={"path": "/elsewhere/notes.txt"},
         archive=_archive_info("2024-05-08T00:00:00Z", "unreadable")),
    _doc(id="person-weiss", kind="person", title="Clara Weiss", subtitle="historian",
         fields={"born": "1988"}, archive=_archive_info("2024-05-09T00:00:00Z")),
]

LINKS = [
    {"src": "weiss-2021-dear-comrades", "rel": "part-of", "dst": "wsws-history-of-russia"},
    {"src": "weiss-2021-dear-comrades", "rel": "references", "dst": "film-1962"},
    {"src": "ru-novocherkassk-1962", "rel": "references", "dst": "FILM-1962"},
    {"src": "weiss-2021-dear-comrades", "rel": "created-by", "dst": "person-weiss"},
    {"src": "trotsky-lessons", "rel": "related", "dst": "lenin-speech-1917"},
]


class FakeArchive:
    """Just enough of :class:`archivist.store.Archive` for link queries."""

    def __init__(self, links: Iterable[dict[str, str]]) -> None:
        self.links = list(links)

    def link_documents(self) -> Iterable[dict[str, str]]:
        return self.links


@pytest.fixture(scope="module")
def archive() -> FakeArchive:
    return FakeArchive(LINKS)


def ids(docs: Iterable[dict[str, Any]]) -> set[str]:
    return {doc["id"] for doc in docs}


ALL = ids(DOCS)

ROWS: list[tuple[str, set[str]]] = [
    # everything
    ("", ALL),
    ("   ", ALL),
    # bare words: title, subtitle, summary, creators; any case, any accent
    ("novocherkassk", {"weiss-2021-dear-comrades", "film-1962"}),
    ("NOVOCHERKASSK film", {"weiss-2021-dear-comrades"}),
    ("weiss", {"weiss-2021-dear-comrades", "person-weiss"}),
    ("historian", {"person-weiss"}),
    ("konchalovsky", {"weiss-2021-dear-comrades"}),
    ("zolkiewski", {"pl-klushino"}),
    ("ŻÓŁKIEWSKI kłuszynem", {"pl-klushino"}),
    ("lecki", {"pl-klushino"}),
    ("новочеркасская", {"ru-novocherkassk-1962"}),
    ("НОВОЧЕРКАССКЕ", {"ru-novocherkassk-1962"}),
    ("елкин петр", {"ru-novocherkassk-1962"}),
    ("o'brien", {"sedova-letter"}),
    ('"lessons of october"', {"trotsky-lessons"}),
    ('"dear comrades"', {"weiss-2021-dear-comrades"}),
    ('"dear comrades!"', {"weiss-2021-dear-comrades"}),
    ("dear-comrades", {"dear-comrades-notes"}),
    ("comrade", {"weiss-2021-dear-comrades", "sedova-letter", "dear-comrades-notes"}),
    ("wsws", set()),  # the url is not searched by bare words
    ("or", {"wsws-history-of-russia", "sedova-letter", "person-weiss"}),
    # field:value substrings, custom fields, dotted paths
    ("title:russian", {"weiss-2021-dear-comrades", "wsws-history-of-russia"}),
    ('title:"russian revolution"', {"wsws-history-of-russia"}),
    ("creator:trotsky", {"trotsky-lessons", "sedova-letter"}),
    ("creators:sedova", {"sedova-letter"}),
    ("publisher:osrodek", {"pl-klushino", "strike-data"}),
    ("publisher:socialist", {"weiss-2021-dear-comrades", "wsws-history-of-russia"}),
    ("url:wsws.org", {"weiss-2021-dear-comrades"}),
    ("summary:o’brien", {"sedova-letter"}),
    ("kicker:wojna", {"pl-klushino"}),
    ("fields.kicker:WOJNA", {"pl-klushino"}),
    ("recipient:obrien", set()),
    ("recipient:o'brien", {"sedova-letter"}),
    ("series.name:zeszyty", {"pl-klushino"}),
    ("series:3", {"pl-klushino"}),
    ("fields:1988", {"person-weiss"}),
    ("pages:2", {"sedova-letter"}),
    ("source.path:sources/", {"weiss-2021-dear-comrades", "fi-archive", "film-1962",
                              "strike-data"}),
    ("source:29759", {"weiss-2021-dear-comrades"}),
    ("added_by:ola", ALL),
    # whole values
    ('title:="clara weiss"', {"person-weiss"}),
    ("title:=clara", set()),
    ("title:=clara*", {"person-weiss"}),
    ("creator:=leon*", {"trotsky-lessons", "sedova-letter"}),
    ("kicker:=wojna", {"pl-klushino"}),
    ("date:=1924?", {"trotsky-lessons"}),
    # tags: whole tag, any case
    ("tag:film", {"weiss-2021-dear-comrades", "fi-archive"}),
    ("tags:FILM", {"weiss-2021-dear-comrades", "fi-archive"}),
    ("tag:fil", set()),
    ("tag:hist*", {"wsws-history-of-russia", "pl-klushino", "trotsky-lessons"}),
    ("tag:история", {"ru-novocherkassk-1962"}),
    ("tag:ссср", {"ru-novocherkassk-1962"}),
    ("tag:trotsky", {"trotsky-lessons"}),
    # id, kind, language
    ("id:FILM-1962", {"film-1962"}),
    ("id:weiss*", {"weiss-2021-dear-comrades"}),
    ("id:*weiss*", {"weiss-2021-dear-comrades", "person-weiss"}),
    ("id:weiss", set()),
    ("kind:book", {"pl-klushino", "dear-comrades-notes"}),
    ("kind:PERSON", {"person-weiss"}),
    ("lang:ru", {"ru-novocherkassk-1962", "lenin-speech-1917", "film-1962"}),
    ("lang:en", {"weiss-2021-dear-comrades"}),
    ("language:en*", {"weiss-2021-dear-comrades", "trotsky-lessons"}),
    # dates overlap the record's [earliest, latest]; undated records never match
    ("date:1962", {"ru-novocherkassk-1962", "film-1962"}),
    ("date:1962-06", {"ru-novocherkassk-1962", "film-1962"}),
    ("date:1962-07-01", {"film-1962"}),
    ("date:1921", {"pl-klushino"}),
    ("date:1924", {"pl-klushino", "trotsky-lessons"}),
    ("date:1925..1930", {"pl-klushino", "dear-comrades-notes"}),
    ("date:..1920", {"pl-klushino", "lenin-speech-1917"}),
    ("date:2019..", {"weiss-2021-dear-comrades", "fi-archive", "strike-data"}),
    ("date:3000", {"strike-data"}),
    ("date:2020-05-31..2020-06", {"fi-archive", "strike-data"}),
    ("date:..9999", {"weiss-2021-dear-comrades", "ru-novocherkassk-1962", "pl-klushino",
                     "trotsky-lessons", "lenin-speech-1917", "fi-archive", "film-1962",
                     "strike-data", "dear-comrades-notes"}),
    ("-date:..9999", {"wsws-history-of-russia", "sedova-letter", "person-weiss"}),
    ("added:2023", {"pl-klushino", "fi-archive"}),
    ("added:2024-05-03", {"weiss-2021-dear-comrades", "wsws-history-of-russia",
                          "trotsky-lessons"}),
    ("changed:2024-06..", {"ru-novocherkassk-1962"}),
    # fixity
    ("fixity:ok", {"weiss-2021-dear-comrades"}),
    ("fixity:CHANGED", {"film-1962"}),
    ("fixity:missing", {"strike-data"}),
    ("fixity:unreadable", {"dear-comrades-notes"}),
    ("fixity:never", {"fi-archive"}),
    # has: and missing:
    ("has:date -date:1900..2100", set()),
    ("missing:date", {"wsws-history-of-russia", "sedova-letter", "person-weiss"}),
    ("has:subtitle", {"film-1962", "person-weiss"}),
    ("has:summary", {"weiss-2021-dear-comrades", "ru-novocherkassk-1962", "sedova-letter"}),
    ("has:source missing:source.sha256", {"film-1962", "strike-data",
                                          "dear-comrades-notes"}),
    ("has:kicker", {"pl-klushino"}),
    ("has:fields.Recipient", {"sedova-letter"}),
    ("has:fields", {"pl-klushino", "sedova-letter", "person-weiss"}),
    ("missing:tags", {"sedova-letter", "film-1962", "person-weiss"}),
    ("has:nonsense", set()),
    ("has:fixity", {"weiss-2021-dear-comrades", "film-1962", "strike-data",
                    "dear-comrades-notes"}),
    ("has:links", {"weiss-2021-dear-comrades", "wsws-history-of-russia",
                   "ru-novocherkassk-1962", "film-1962", "person-weiss", "trotsky-lessons",
                   "lenin-speech-1917"}),
    ("missing:links kind:book", {"pl-klushino", "dear-comrades-notes"}),
    # links, read from each record's own end
    ("rel:part-of:wsws-history-of-russia", {"weiss-2021-dear-comrades"}),
    ("rel:has-part:weiss-2021-dear-comrades", {"wsws-history-of-russia"}),
    ("rel:has-part:wsws-history-of-russia", set()),
    ("rel:references:film-1962", {"weiss-2021-dear-comrades", "ru-novocherkassk-1962"}),
    ("rel:referenced-by:RU-NOVOCHERKASSK-1962", {"film-1962"}),
    ("rel:referenced-by", {"film-1962"}),
    ("rel:creator-of:weiss-2021-dear-comrades", {"person-weiss"}),
    ("rel:related:lenin-speech-1917", {"trotsky-lessons"}),
    ("rel:related:trotsky-lessons", {"lenin-speech-1917"}),
    ("linked:film-1962", {"weiss-2021-dear-comrades", "ru-novocherkassk-1962"}),
    ("linked:weiss-2021-dear-comrades", {"wsws-history-of-russia", "film-1962",
                                         "person-weiss"}),
    ("linked:nobody", set()),
    # negation, NOT, OR, |, AND, grouping and precedence
    ("-tag:film tag:history", {"wsws-history-of-russia", "trotsky-lessons"}),
    ("NOT kind:book NOT kind:article -has:date", {"wsws-history-of-russia", "sedova-letter",
                                                  "person-weiss"}),
    ("NOT NOT kind:film", {"film-1962"}),
    ("--kind:film", {"film-1962"}),
    ("kind:film OR kind:speech", {"film-1962", "lenin-speech-1917"}),
    ("kind:film|kind:speech", {"film-1962", "lenin-speech-1917"}),
    ("kind:film AND date:1962", {"film-1962"}),
    ("kind:film OR kind:speech date:1962", {"film-1962"}),
    ("(kind:film OR kind:speech) lang:ru", {"film-1962", "lenin-speech-1917"}),
    ("kind:book OR kind:film -date:1962", {"pl-klushino", "dear-comrades-notes"}),
    ("kind:book OR (kind:film -date:1962)", {"pl-klushino", "dear-comrades-notes"}),
    ("-(kind:book OR kind:article)", ALL - {"pl-klushino", "dear-comrades-notes",
                                            "weiss-2021-dear-comrades",
                                            "ru-novocherkassk-1962"}),
    ("NOT (tag:film OR tag:history) has:tags", {"ru-novocherkassk-1962", "pl-klushino",
                                                "lenin-speech-1917", "strike-data",
                                                "dear-comrades-notes"}),
    ("((weiss))", {"weiss-2021-dear-comrades", "person-weiss"}),
]


@pytest.mark.parametrize(("text", "expected"), ROWS, ids=[row[0] or "<empty>" for row in ROWS])
def test_query_table(text: str, expected: set[str], archive: FakeArchive) -> None:
    assert ids(matches(text, DOCS, archive)) == expected


BAD: list[tuple[str, int]] = [
    ("(a", 1),
    ("a)", 2),
    ("a OR", 3),
    ("OR a", 1),
    ("a AND", 3),
    ("AND a", 1),
    ("a OR OR b", 3),
    ("a | | b", 3),
    ("NOT", 1),
    ("a NOT", 3),
    ("-", 1),
    ("a - b", 3),
    ("-)", 1),
    ("()", 1),
    ("a (b OR) c", 6),
    ("((a)", 1),
    ("(a))", 4),
    ("title:", 1),
    ("a title:= b", 3),
    ("tag:", 1),
    ('a "b', 3),
    ('title:"abc', 7),
    ('""', 1),
    ("date:2021-13", 6),
    ("date:2021-02-30", 6),
    ("date:2021..abc", 12),
    ("date:abc..2021", 6),
    ("date:..", 6),
    ("date:2022..2021", 6),
    ('date:"2021-13"', 7),
    ("date:١٩٦٢", 6),
    ("x added:yesterday", 9),
    ("kind:novel", 6),
    ("fixity:great", 8),
    ("rel:nonsense:x", 5),
    ("rel:part-of:", 5),
    ("rel::x", 5),
    ("(" * 65 + "a" + ")" * 65, 65),
    ('"dear\x1fcomrades"', 6),  # the separator of fields in the search text
    ("a\x1b[2J", 2),
]


@pytest.mark.parametrize(("text", "column"), BAD, ids=[row[0][:20] for row in BAD])
def test_malformed_queries(text: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(text)
    assert caught.value.column == column
    assert caught.value.query == text
    assert f"(column {column})" in str(caught.value)


def test_unknown_relation_lists_the_valid_ones() -> None:
    with pytest.raises(QuerySyntaxError, match="part-of"):
        parse("rel:prat-of:x")


def test_deep_but_allowed_nesting() -> None:
    depth = query.MAX_DEPTH
    assert parse("(" * depth + "a" + ")" * depth) == Text("a")


@pytest.mark.parametrize(("text", "tree"), [
    ("", Everything()),
    ("a b", And((Text("a"), Text("b")))),
    ("a AND b", And((Text("a"), Text("b")))),
    ("a OR b c", Or((Text("a"), And((Text("b"), Text("c")))))),
    ("(a OR b) c", And((Or((Text("a"), Text("b"))), Text("c")))),
    ("NOT a OR b", Or((Not(Text("a")), Text("b")))),
    ("dear-comrades", Text("dear-comrades")),
    ('"say \\"hi\\" \\\\ now"', Text('say "hi" \\ now')),
    ("kicker:x", Field("fields.kicker", "x")),
    ("Creator:x", Field("creators", "x")),
    ("source.path:x", Field("source.path", "x")),
    ("added_how:x", Field("archive.added_how", "x")),
    ("title:=X", Match("title", "X")),
    ("tag:X", Match("tags", "X")),
    ("lang:en", Match("language", "en")),
    ("date:1920..1925", Dates("date", "1920-01-01", "1925-12-31")),
    ("date:2021-02", Dates("date", "2021-02-01", "2021-02-28")),
    ("changed:2024..", Dates("changed", "2024-01-01", "9999-12-31")),
    ("has:Tag", Has("tags")),
    ("missing:links", Not(Rel())),
    ("linked:X", Rel(None, "X")),
    ("rel:Has-Part:X", Rel("has-part", "X")),
    ("12:30", Text("12:30")),
    ("fixity:OK", Match("archive.fixity.result", "OK")),
    ("fixity:never", And((Has("source"), Not(Has("archive.fixity.result"))))),
])
def test_parse_trees(text: str, tree: query.Node) -> None:
    assert parse(text) == tree


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(query_parser)
    assert tried >= 4
    assert failures == 0


@pytest.mark.parametrize(("words", "text"), [
    (["dear comrades"], '"dear comrades"'),
    (["title:dear comrades"], 'title:"dear comrades"'),
    (["-title:dear comrades"], '-title:"dear comrades"'),
    (["tag:film OR tag:book"], "tag:film OR tag:book"),
    (["(a b)", "c"], "(a b) c"),
    (['say "hi" now'], 'say "hi" now'),
    (["back\\slash word"], '"back\\\\slash word"'),
    (["tag:film", "", "-kind:book"], "tag:film -kind:book"),
    (["  "], "  "),
])
def test_join_words(words: list[str], text: str) -> None:
    assert join_words(words) == text


def test_words_from_the_command_line(archive: FakeArchive) -> None:
    assert ids(matches(["dear comrades"], DOCS)) == {"weiss-2021-dear-comrades"}
    assert ids(matches(["dear", "comrades"], DOCS)) == {"weiss-2021-dear-comrades",
                                                        "dear-comrades-notes"}
    assert ids(matches(["title:history of", "OR", "kind:film"], DOCS)) == {
        "wsws-history-of-russia", "film-1962"}
    assert ids(matches(("linked:film-1962", "-lang:ru"), DOCS, archive)) == {
        "weiss-2021-dear-comrades"}
    assert ids(matches([], DOCS)) == ALL


def test_links_need_an_archive() -> None:
    assert matches("has:links", DOCS) == []
    assert ids(matches("missing:links", DOCS)) == ALL
    assert matches("rel:part-of:wsws-history-of-russia", DOCS, FakeArchive([])) == []


def test_without_the_relation_vocabulary(monkeypatch: pytest.MonkeyPatch,
                                         archive: FakeArchive) -> None:
    # Names are then taken as stored, and any name is accepted (by the parser and
    # by the matching alike).
    for module in (query_parser, match):
        monkeypatch.setattr(module, "relation_vocabulary",
                            lambda: (None, frozenset({"related"})))
    assert ids(matches("rel:part-of:wsws-history-of-russia", DOCS, archive)) == {
        "weiss-2021-dear-comrades"}
    assert ids(matches("rel:related:trotsky-lessons", DOCS, archive)) == {
        "lenin-speech-1917"}
    assert matches("rel:whatever:x", DOCS, archive) == []


def test_predicate_is_reusable_and_order_is_kept() -> None:
    predicate = compile_query("kind:book OR kind:film")
    assert [doc["id"] for doc in DOCS if predicate(doc)] == [
        "pl-klushino", "film-1962", "dear-comrades-notes"]
    assert [doc["id"] for doc in matches("kind:book OR kind:film", DOCS)] == [
        "pl-klushino", "film-1962", "dear-comrades-notes"]


# -- properties ------------------------------------------------------------------------

PIECES = ["a", "dear", "Żółw", "ёж", "(", ")", "|", "-", "--", "OR", "AND", "NOT", '"',
          '"x y"', "tag:", "tag:film", "date:", "date:1962", "date:..1930", "date:2019..",
          "date:2021-13", "date:1..2", "title:=", "title:=Clara*", "kicker:", "has:",
          "has:links", "missing:date", "rel:", "rel:part-of:", "rel:part-of:x", "linked:x",
          "fixity:never", "fixity:", "kind:film", "id:*", "lang:en", ":", "=", "*", "..",
          "\\", "\u0301", " ", "\t", "\n"]

soups = st.lists(st.sampled_from(PIECES), max_size=12).flatmap(
    lambda parts: st.sampled_from(["", " "]).map(lambda sep: sep.join(parts)))


def _parses_or_reports(text: str) -> query.Node | None:
    try:
        return parse(text)
    except QuerySyntaxError as err:
        assert err.query == text
        assert err.column is not None and 1 <= err.column <= len(text) + 1
        return None


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_text_parses_or_reports_a_syntax_error(text: str) -> None:
    _parses_or_reports(text)


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(soups)
def test_token_soups_parse_or_report_a_syntax_error(text: str) -> None:
    _parses_or_reports(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(soups, st.text()))
def test_compiled_queries_never_fail_on_documents(text: str) -> None:
    try:
        predicate = compile_query(text, FakeArchive(LINKS))
    except QuerySyntaxError:
        return
    kept = [doc for doc in DOCS if predicate(doc)]
    negated = compile_query(f"NOT ({text})", FakeArchive(LINKS)) if text.strip() else None
    if negated is not None:
        assert [doc for doc in DOCS if not negated(doc)] == kept


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=6))
def test_command_line_words_compile_or_report(words: list[str]) -> None:
    try:
        compile_query(words)
    except QuerySyntaxError:
        pass


@pytest.mark.parametrize(("text", "names"), [
    ("dear comrades tag:film", [("tag", "tags")]),
    ("Kicker:stalin -Title:x", [("Kicker", "fields.Kicker"), ("Title", "title")]),
    ("has:url missing:fields.note has:links", [("url", "url"),
                                               ("fields.note", "fields.note")]),
    ("rel:part-of:x linked:y fixity:ok added_by:ana",
     [("fixity", "archive.fixity"), ("added_by", "archive.added_by")]),
    ('(source.path:"a b" OR lang:en)', [("source.path", "source.path"),
                                       ("lang", "language")]),
])
def test_the_field_names_a_query_holds(text: str, names: list[tuple[str, str]]) -> None:
    assert query.field_names(text) == names


def test_text_searches_the_sources_and_is_no_field() -> None:
    from archivist.query import InText

    assert parse("text:azaryan") == InText("azaryan")
    assert parse('-text:"dear comrades"') == Not(InText("dear comrades"))
    assert parse("fields.text:x") == Field("fields.text", "x")
    assert query.field_names("text:x kicker:y") == [("kicker", "fields.kicker")]
    with pytest.raises(QuerySyntaxError, match="text: takes a word or phrase"):
        parse("text:=x")
