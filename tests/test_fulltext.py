"""``text:`` on every engine (in memory, JSON file, PostgreSQL): the same answers, from
texts extracted when sources are added, at the first search, and after verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivist.fixity import verify
from archivist.fulltext import Needle, folded_lines, located, matching_ids, text_counts
from archivist.models import Record
from archivist.provenance import describe_source
from archivist.query import parse
from archivist.query.plan import matching
from archivist.store import Archive, memory_archive, open_archive, source_texts
from archivist.store.sourcetexts import take_offered
from tests.conftest import write_file

LISTING = ("Listing of articles\n\nDear Comrades: a film\nOn Novocherkassk, 1962\n\n"
           "Another entry\nAbout Żółkiewski and O’Brien\n")


def add(archive: Archive, record_id: str, path: Path, *, kind: str = "article",
        span: tuple[int, int] | None = None, tags: tuple[str, ...] = ()) -> None:
    source = describe_source(str(path), archive.path, span=span)
    archive.add(Record(id=record_id, kind=kind, title=record_id, source=source, tags=tags))


def found(archive: Archive, query: str) -> list[str]:
    return [doc["id"] for doc in matching(archive, parse(query))]


@pytest.fixture
def sample(archive: Archive, tmp_path: Path) -> Archive:
    listing = write_file(tmp_path / "listing.txt", LISTING)
    add(archive, "listing", listing, kind="listing")
    add(archive, "dear", listing, span=(3, 4), tags=("film",))
    add(archive, "other", listing, span=(6, 7))
    page = "<html><body><p>Ter-Azaryan\nspoke</p><script>novocherkassk()</script></body>"
    add(archive, "page", write_file(tmp_path / "page.html", page))
    add(archive, "image", write_file(tmp_path / "image.png", b"\x89PNG\x00\x01\x02"))
    archive.add(Record(id="bare", kind="other", title="No source"))
    return archive


def test_text_finds_the_records_whose_lines_hold_the_word(sample: Archive) -> None:
    assert found(sample, "text:novocherkassk") == ["listing", "dear"]
    assert found(sample, "text:azaryan") == ["page"]
    assert found(sample, "text:entry") == ["listing", "other"]


def test_text_folds_as_bare_words_do(sample: Archive) -> None:
    assert found(sample, "text:zolkiewski") == ["listing", "other"]
    assert found(sample, "text:o'brien") == found(sample, "text:O’BRIEN") == ["listing",
                                                                             "other"]
    assert found(sample, 'text:"NOVOCHERKASSK, 1962"') == ["listing", "dear"]


def test_a_phrase_matches_across_a_line_end(sample: Archive) -> None:
    assert found(sample, 'text:"ter-azaryan spoke"') == ["page"]
    assert found(sample, 'text:"a film on novocherkassk"') == ["listing", "dear"]
    # …but not across the end of a record's span.
    assert found(sample, 'text:"1962 another"') == ["listing"]


def test_scripts_and_unreadable_files_match_nothing(sample: Archive) -> None:
    assert found(sample, "text:\"novocherkassk()\" OR text:png") == []


def test_text_combines_with_every_other_term(sample: Archive) -> None:
    assert found(sample, "text:novocherkassk kind:article") == ["dear"]
    assert found(sample, "text:novocherkassk tag:film") == ["dear"]
    assert found(sample, "-text:novocherkassk") == ["other", "page", "image", "bare"]
    assert found(sample, "text:azaryan OR text:zolkiewski") == ["listing", "other", "page"]
    assert found(sample, "(text:entry OR kind:other) -kind:listing") == ["other", "bare"]
    assert found(sample, "NOT text:entry text:novocherkassk") == ["dear"]


def test_the_texts_are_kept_by_sha256_once(sample: Archive) -> None:
    found(sample, "text:anything")
    kinds = source_texts(sample).kinds()
    assert sorted(kinds.values()) == ["html", "skipped", "text"]
    assert text_counts(sample) == {"with text": 2, "skipped": 1, "not read yet": 0}


def test_a_source_changed_since_is_searched_as_verify_found_it(
        archive: Archive, tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.txt", "the first draft\n")
    add(archive, "a", path)
    assert found(archive, "text:draft") == ["a"]
    path.write_text("the final text, Miftakhov\n", encoding="utf-8")
    assert found(archive, "text:miftakhov") == []  # nothing read until verify says so
    report = verify(archive)
    assert [item.result for item in report.results] == ["changed"]
    assert found(archive, "text:miftakhov") == ["a"]
    assert found(archive, "text:draft") == []


def test_files_already_archived_are_read_at_the_first_search(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    with open_archive(db, write=True) as archive:
        add(archive, "a", write_file(tmp_path / "a.txt", "Konchalovsky\n"))
        take_offered()  # as an archive made before texts were kept
    assert not db.with_name("a.json.fts").exists()
    with open_archive(db) as archive:
        assert text_counts(archive)["not read yet"] == 1
        assert found(archive, "text:konchalovsky") == ["a"]
    with open_archive(db) as archive:
        assert text_counts(archive) == {"with text": 1, "skipped": 0, "not read yet": 0}


def test_a_missing_file_matches_nothing_and_is_read_once_it_is_back(tmp_path: Path) -> None:
    archive = memory_archive()
    path = write_file(tmp_path / "a.txt", "word\n")
    add(archive, "a", path)
    take_offered()
    moved = path.rename(tmp_path / "b.txt")
    assert matching_ids(archive, "word") == set()
    moved.rename(path)
    assert matching_ids(archive, "word") == {"a"}


def test_located_reads_the_sha256_verify_found_when_changed() -> None:
    doc = {"id": "x", "source": {"path": "p", "sha256": "a" * 64, "span": [2, 3]},
           "archive": {"fixity": {"result": "changed", "sha256_found": "b" * 64}}}
    where = located(doc)
    assert where is not None and where.sha256 == "b" * 64 and where.span == (2, 3)
    assert located({"id": "y", "source": {"path": "p"}}) is None


def test_the_needle_reports_the_lines_of_each_match() -> None:
    needle = Needle("Dear  Comrades")
    assert list(needle.spans(folded_lines("x\nDear\ncomrades and dear comrades"))) == [
        (2, 3), (3, 3)]
    assert folded_lines("Ⅻ\nÉ") == "xii\ne"


def test_a_progress_display_shows_while_many_files_are_read(tmp_path: Path) -> None:
    from archivist.fulltext import PROGRESS

    archive = memory_archive()
    for n in range(25):
        add(archive, f"r{n}", write_file(tmp_path / f"{n}.txt", f"file {n}\n"))
    take_offered()
    seen: list[tuple[str, int]] = []

    class Recorder:
        def start(self, total: int) -> None:
            seen.append(("start", total))

        def advance(self, n: int) -> None:
            seen.append(("advance", n))

        def finish(self) -> None:
            seen.append(("finish", 0))

    token = PROGRESS.set(Recorder)
    try:
        assert matching_ids(archive, "file 24") == {"r24"}
    finally:
        PROGRESS.reset(token)
    assert seen[0] == ("start", 25) and seen[-1] == ("finish", 0) and len(seen) == 27


def test_a_source_added_is_read_once_for_its_hash_and_its_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archivist.provenance as provenance

    opened: list[str] = []
    real = provenance.open_regular

    def counting(path: str | Path) -> int:
        fd = real(path)  # (the copy's place is tried before it is made: not a read)
        opened.append(str(path))
        return fd

    monkeypatch.setattr(provenance, "open_regular", counting)
    take_offered()
    for copy in (False, True):
        path = write_file(tmp_path / f"a{copy}.html", f"<p>Ter-Azaryan {copy}</p>\n")
        opened.clear()
        source = describe_source(str(path), tmp_path / "a.json", copy=copy)
        assert opened == [str(path)]
        [text] = take_offered()
        assert (text.sha256, text.kind, text.text) == (source.sha256, "html",
                                                       f"Ter-Azaryan {copy}\n")


def test_a_source_larger_than_a_text_is_hashed_and_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("archivist.textextract.MAX_TEXT_BYTES", 4 << 20)
    path = write_file(tmp_path / "big.txt", "word " * (1 << 20))
    take_offered()
    source = describe_source(str(path), None)
    [text] = take_offered()
    assert (text.sha256, text.kind, text.text, text.note) == (
        source.sha256, "skipped", None, "larger than 4 MB")
