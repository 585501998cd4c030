"""The capture library call: inputs of each kind become records added as ``add`` adds
them, with their sources, and a capture that fails adds and keeps nothing."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import threading
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archivist.capture import Captured, CaptureRequest, capture, input_kind
from archivist.capture.fetch import FetchLimits
from archivist.errors import CaptureFailed, InvalidRecord
from archivist.store import Archive, memory_archive, open_archive
from tests.webserver import SEEN, Page, Site, html, metas, write_warc

#: The seed texts, byte for byte as the sample archive keeps them.
SEEDS = Path(__file__).resolve().parent.parent / "records" / "sources"
LIMITS = FetchLimits(connect_timeout=2, total_timeout=3, max_size=1_000_000)
PAGE = html('<meta charset="utf-8"><title>Dear Comrades | WSWS</title>'
            '<meta property="og:site_name" content="WSWS">'
            '<meta name="author" content="Clara Weiss">'
            '<meta property="article:published_time" content="2021-02-09T18:00-05:00">')


def capture_in(archive: Archive, wanted: CaptureRequest) -> list[Captured]:
    """Capture into an archive already open (the lock, if any, held throughout)."""
    return capture(wanted, lambda: contextlib.nullcontext(archive))


def request(*inputs: str, **kwargs: object) -> CaptureRequest:
    return CaptureRequest(inputs=inputs, limits=LIMITS, **kwargs)  # type: ignore[arg-type]


def test_a_url_becomes_a_record_whose_source_is_its_warc_file(site: Site, db: Path) -> None:
    url = site.serve("/dear-comrades", PAGE)
    start = site.serve("/old", Page(status=301, headers=(("Location", "/dear-comrades"),)))
    with open_archive(db, write=True) as archive:
        [item] = capture_in(archive, request(start, tags=("film",)))
    record = item.record
    assert (record.title, record.creators, record.date, record.publisher, record.kind,
            record.tags) == ("Dear Comrades", ("Clara Weiss",), "2021-02-09", "WSWS",
                             "web-page", ("film",))
    assert record.url == url
    assert record.fields["url_requested"] == start
    assert record.fields["captured_from"]["url"] == "final URL after redirects"
    warc = db.parent / record.source.path
    data = warc.read_bytes()
    assert record.source.path == f"sources/{hashlib.sha256(data).hexdigest()}.warc"
    assert (record.source.sha256, record.source.size) == (
        hashlib.sha256(data).hexdigest(), len(data))
    assert record.source.retrieved == record.fields["captured_at"][:10]
    response = next(iter(ArchiveIterator(io.BytesIO(data[record.source.offset:]))))
    assert response.rec_headers.get_header("WARC-Target-URI") == url
    assert response.content_stream().read() == PAGE.encode("utf-8")
    with open_archive(db) as archive:
        assert archive.get(record.id).source == record.source


def test_a_saved_page_is_its_own_source_and_copy_keeps_it(db: Path, tmp_path: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_text(PAGE, encoding="utf-8")
    with open_archive(db, write=True) as archive:
        [kept] = capture_in(archive, request(str(page), copy=True))
        [plain] = capture_in(archive, request(str(page), kind="article"))
    assert kept.record.source.path.startswith("sources/")
    assert kept.record.source.path.endswith(".html")
    assert plain.record.source.path == "saved.html"
    assert plain.record.kind == "article"
    assert kept.record.source.sha256 == plain.record.source.sha256
    assert plain.record.source.retrieved is None  # a saved page does not say when


def _warc(path: Path) -> None:
    write_warc(path, [(f"https://a.org/{n}", "text/html",
                       html(f"<title>{title}</title>").encode(), "200 OK")
                      for n, title in ((1, "One"), (2, "Two"))], gz=path.suffix == ".gz")


def test_a_warc_file_gives_one_record_per_html_response(db: Path, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    with open_archive(db, write=True) as archive:
        found = capture_in(archive, request(str(warc)))
        [picked] = capture_in(archive, request(str(warc), url="https://a.org/2",
                                            title="The second"))
    assert [c.record.title for c in found] == ["One", "Two"]
    assert [c.record.url for c in found] == ["https://a.org/1", "https://a.org/2"]
    assert {c.record.source.path for c in found} == {"crawl.warc.gz"}
    assert found[1].record.source.offset > found[0].record.source.offset >= 0
    assert picked.record.title == "The second"
    assert "title" not in picked.record.fields["captured_from"]
    assert picked.record.source.offset == found[1].record.source.offset


def test_url_must_match_a_response_of_the_warc_file(db: Path, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    with open_archive(db, write=True) as archive, \
            pytest.raises(CaptureFailed, match=re.escape(
                "no WARC file given holds an HTML response for https://a.org/none (they "
                "hold 2: https://a.org/1, https://a.org/2;")):
        capture_in(archive, request(str(warc), url="https://a.org/none"))


def test_url_without_a_warc_file_is_refused(site: Site) -> None:
    with pytest.raises(CaptureFailed, match="a url picks a page from a WARC file"):
        capture_in(memory_archive(), request(site.url("/x"), url="https://a.org/"))


def test_title_names_one_page_only(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc"
    _warc(warc)
    with pytest.raises(CaptureFailed, match="a title names one page, and 2 were found"):
        capture_in(memory_archive(), request(str(warc), title="T"))


def test_a_page_that_states_no_title_needs_one(tmp_path: Path) -> None:
    page = tmp_path / "untitled.html"
    page.write_bytes(b"<p>no title</p>")
    with pytest.raises(CaptureFailed, match="states no title: give it a title"):
        capture_in(memory_archive(), request(str(page)))
    [item] = capture_in(memory_archive(), request(str(page), title="Given"))
    assert item.record.title == "Given"


@pytest.mark.parametrize("text", ["notes.txt", "page", "ftp://a.org/x"])
def test_inputs_of_another_kind_are_refused(text: str) -> None:
    if "://" in text:
        assert input_kind(text) == "url"
        with pytest.raises(CaptureFailed, match="only http and https"):
            capture_in(memory_archive(), request(text))
    else:
        with pytest.raises(CaptureFailed, match="a saved page"):
            input_kind(text)


def test_a_plain_text_capture_from_the_seeds_is_not_a_saved_page() -> None:
    seed = SEEDS / "001_ef0dc223d719c40a.txt"
    with pytest.raises(CaptureFailed, match="give an http or https URL, a saved page"):
        capture_in(memory_archive(), request(str(seed)))


def test_a_seed_saved_as_a_page_gets_no_invented_author_or_date(tmp_path: Path) -> None:
    """Seed 001 states no author and no date: its saved page gets neither."""
    seed = SEEDS / "001_ef0dc223d719c40a.txt"
    text = seed.read_text(encoding="utf-8")
    page = tmp_path / "masses.html"
    page.write_text(html("<title>Russia: masses on the streets</title>",
                         f"<p>{text}</p>"), encoding="utf-8")
    [item] = capture_in(memory_archive(), request(str(page)))
    assert (item.record.title, item.record.creators, item.record.date) == (
        "Russia: masses on the streets", (), None)


def test_a_failed_capture_leaves_no_copy_behind(db: Path, tmp_path: Path, site: Site) -> None:
    good = tmp_path / "good.html"
    good.write_text(PAGE, encoding="utf-8")
    missing = site.url("/gone")
    with open_archive(db, write=True) as archive:
        archive.log("test", None, None, {"made": True})  # the archive file exists
    with pytest.raises(CaptureFailed, match="404"), \
            open_archive(db, write=True) as archive:
        capture_in(archive, request(str(good), missing, copy=True))
    assert not (db.parent / "sources").exists()


def test_a_record_refused_after_others_were_copied_removes_their_copies(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import editing

    pages = []
    for name in ("one.html", "two.html"):
        pages.append(tmp_path / name)
        pages[-1].write_text(html(f"<title>{name}</title>"), encoding="utf-8")
    (db.parent / "sources").mkdir()
    (db.parent / "sources" / "kept.txt").write_text("x", encoding="utf-8")
    real = editing.add_record
    calls: list[str] = []

    def second_refused(archive: object, request: editing.NewRecord) -> object:
        calls.append(request.values["title"])
        if len(calls) == 2:
            raise InvalidRecord("refused")
        return real(archive, request)

    monkeypatch.setattr(editing, "add_record", second_refused)
    with pytest.raises(InvalidRecord), open_archive(db, write=True) as archive:
        capture_in(archive, request(*map(str, pages), copy=True))
    assert calls == ["one.html", "two.html"]
    assert os.listdir(db.parent / "sources") == ["kept.txt"]


def test_a_bad_kind_or_tag_is_refused_before_anything_is_fetched(site: Site) -> None:
    url = site.serve("/p", PAGE)
    with pytest.raises(InvalidRecord, match="unknown kind"):
        capture_in(memory_archive(), request(url, kind="novel"))
    with pytest.raises(InvalidRecord, match="blank"):
        capture_in(memory_archive(), request(url, tags=(" ",)))
    assert not any(path == "/p" for path, _ in SEEN)


def test_a_dry_run_keeps_no_file_and_names_the_warc_as_it_would_be_kept(
        site: Site, db: Path) -> None:
    url = site.serve("/p", PAGE)
    archive = memory_archive()
    [item] = capture_in(archive, request(url, dry_run=True))
    assert item.record.source.path == f"sources/{item.record.source.sha256}.warc"
    assert not (db.parent / "sources").exists()


def test_the_pages_of_one_warc_file_hash_it_once(db: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import provenance

    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    opened: list[str] = []
    real = provenance.open_regular

    def counting(path: str | Path) -> int:
        opened.append(str(path))
        return real(path)

    monkeypatch.setattr(provenance, "open_regular", counting)
    with open_archive(db, write=True) as archive:
        found = capture_in(archive, request(str(warc), copy=True))
    assert opened.count(str(warc)) == 2  # read for its pages once, hashed once
    assert found[0].record.source.sha256 == found[1].record.source.sha256
    assert found[0].record.source.offset != found[1].record.source.offset
    assert found[0].record.source.path.startswith("sources/")


def test_a_dry_run_of_a_warc_file(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc"
    _warc(warc)
    found = capture_in(memory_archive(), request(str(warc), dry_run=True, copy=True))
    assert [c.record.title for c in found] == ["One", "Two"]
    assert not (tmp_path / "sources").exists()


def test_a_response_that_is_not_html_keeps_its_media_type(site: Site, db: Path) -> None:
    url = site.serve("/paper.pdf", Page(b"%PDF-1.4 <title>not a title</title>",
                                        content_type="application/pdf"))
    with pytest.raises(CaptureFailed, match="states no title"), \
            open_archive(db, write=True) as archive:
        capture_in(archive, request(url))
    with open_archive(db, write=True) as archive:
        [item] = capture_in(archive, request(url, title="A paper", kind="article"))
    assert item.record.fields == {"content_type": "application/pdf",
                                  "url_requested": url,
                                  "captured_at": item.record.fields["captured_at"],
                                  "captured_from": {"url": "final URL after redirects"}}


def test_a_url_needs_an_archive_with_a_sources_folder(site: Site) -> None:
    url = site.serve("/p", PAGE)
    with pytest.raises(CaptureFailed, match=r"in memory has none \(nothing was written"):
        capture_in(memory_archive(), request(url))


@pytest.fixture
def pg_sources(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sources folder an archive in PostgreSQL remembers (the working folder of its
    first write), left for another working folder afterwards."""
    remembered = tmp_path / "remembered"
    remembered.mkdir()
    monkeypatch.chdir(remembered)
    with open_archive(pg_url, write=True) as archive:
        archive.log("test", None, None, {"made": True})
        assert archive.info()["sources"] == str(remembered)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return remembered


def test_a_url_captured_into_postgresql_keeps_its_warc_in_its_sources_folder(
        site: Site, pg_url: str, pg_sources: Path) -> None:
    url = site.serve("/dear-comrades", PAGE)
    with open_archive(pg_url, write=True) as archive:
        [item] = capture_in(archive, request(url))
    source = item.record.source
    assert source.path == f"sources/{source.sha256}.warc"
    data = (pg_sources / source.path).read_bytes()
    assert (hashlib.sha256(data).hexdigest(), len(data)) == (source.sha256, source.size)
    assert os.listdir(Path.cwd()) == []  # not the working folder's
    with open_archive(pg_url) as archive:
        assert archive.get(item.record.id).source == source


def test_a_failed_capture_into_postgresql_leaves_no_warc_and_no_record(
        site: Site, pg_url: str, pg_sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archivist import editing
    from tests.conftest import fingerprint

    urls = [site.serve(f"/{n}", html(f"<title>Page {n}</title>")) for n in (1, 2)]
    before = fingerprint(pg_url)
    real = editing.add_record
    kept: list[str] = []

    def second_refused(archive: object, wanted: editing.NewRecord) -> object:
        if wanted.values["title"] == "Page 2":
            kept.extend(os.listdir(pg_sources / "sources"))  # the first page's WARC
            raise InvalidRecord("refused")
        return real(archive, wanted)

    monkeypatch.setattr(editing, "add_record", second_refused)
    with pytest.raises(InvalidRecord), open_archive(pg_url, write=True) as archive:
        capture_in(archive, request(*urls))
    assert len(kept) == 1 and kept[0].endswith(".warc")
    assert not (pg_sources / "sources").exists()
    assert fingerprint(pg_url) == before


def test_url_picks_its_page_from_whichever_warc_file_holds_it(tmp_path: Path) -> None:
    first, second = tmp_path / "a.warc", tmp_path / "b.warc"
    _warc(first)
    write_warc(second, [("https://a.org/3", "text/html",
                          html("<title>Three</title>").encode(), "200 OK")])
    [item] = capture_in(memory_archive(), request(str(first), str(second),
                                               url="https://a.org/3"))
    assert (item.record.title, item.record.source.path) == ("Three", str(second))


def test_a_warc_file_with_no_html_response_is_refused(tmp_path: Path) -> None:
    warc = tmp_path / "images.warc"
    write_warc(warc, [("https://a.org/x.png", "image/png", b"png", "200 OK")])
    with pytest.raises(CaptureFailed, match="holds no HTML response"):
        capture_in(memory_archive(), request(str(warc)))


TITLE, AUTHOR, DAY = "Dear Comrades", "Clara Weiss", "2021-02-09"
#: Each kind of metadata: a page head, and the sources of title, creators and date.
SERVED: dict[str, tuple[str, tuple[str | None, ...]]] = {
    "json-ld": ('<script type="application/ld+json">{"@type": "Article", "headline": '
                f'"{TITLE}", "author": {{"name": "{AUTHOR}"}}, "datePublished": "{DAY}"}}'
                "</script>", ("json-ld:headline", "json-ld:author", "json-ld:datePublished")),
    "dublin-core": (metas("name", ("DC.title", TITLE), ("DCTERMS.creator", AUTHOR),
                          ("DCTERMS.issued", DAY)),
                    ("DC.title", "DCTERMS.creator", "DCTERMS.issued")),
    "highwire": (metas("name", ("citation_title", TITLE), ("citation_author", AUTHOR),
                       ("citation_publication_date", "2021/02/09")),
                 ("citation_title", "citation_author", "citation_publication_date")),
    "open-graph": (metas("property", ("og:title", TITLE), ("article:author", AUTHOR),
                         ("article:published_time", "2021-02-09T23:00-05:00")),
                   ("og:title", "article:author", "article:published_time")),
    "meta": (f"<title>{TITLE}</title>" + metas("name", ("author", AUTHOR)),
             ("<title>", "author", None)),
    "title only": (f"<title>{TITLE}</title>", ("<title>", None, None)),
}


@pytest.mark.parametrize("kind", list(SERVED))
def test_each_kind_of_metadata_served_is_read_and_remembered(
        kind: str, site: Site, db: Path) -> None:
    head, expected = SERVED[kind]
    url = site.serve(f"/{kind.replace(' ', '-')}", html(head))
    with open_archive(db, write=True) as archive:
        [item] = capture_in(archive, request(url))
    record = item.record
    came_from = record.fields["captured_from"]
    assert tuple(map(came_from.get, ("title", "creators", "date"))) == expected
    assert (record.title, record.creators, record.date) == (
        TITLE, (AUTHOR,) if expected[1] else (), DAY if expected[2] else None)


@pytest.mark.parametrize(("codec", "content_type", "declared"), [
    ("windows-1251", "text/html", '<meta charset="windows-1251">'),
    ("windows-1251", "text/html; charset=windows-1251", ""),
    ("koi8-r", "text/html", '<meta http-equiv="Content-Type" '
                            'content="text/html; charset=koi8-r">'),
    ("utf-8", "text/html", '<meta charset="utf-8">'),
    ("utf-8", "text/html; charset=utf-8", ""),
    ("iso-8859-1", "text/html; charset=iso-8859-1", ""),
])
def test_pages_served_in_several_charsets_keep_their_text(
        codec: str, content_type: str, declared: str, site: Site, db: Path) -> None:
    title = "Café Ç" if codec == "iso-8859-1" else "Рабочая власть"
    body = html(f"{declared}<title>{title}</title>").encode(codec)
    url = site.serve("/page", Page(body, content_type=content_type))
    with open_archive(db, write=True) as archive:
        [item] = capture_in(archive, request(url))
    assert item.record.title == title
    assert item.record.fields["charset"] == codec
    data = (db.parent / item.record.source.path).read_bytes()
    payloads = [(r.rec_type, r.content_stream().read())
                for r in ArchiveIterator(io.BytesIO(data), check_digests="raise")]
    assert payloads[-1] == ("response", body)


def test_the_url_a_page_states_for_itself_is_kept_beside_the_one_captured(
        site: Site, db: Path) -> None:
    url = site.serve("/p?utm=x", html('<title>T</title>'
                                      '<link rel="canonical" href="https://a.org/p">'))
    with open_archive(db, write=True) as archive:
        [item] = capture_in(archive, request(url))
    assert (item.record.url, item.record.fields["url_stated"]) == (url, "https://a.org/p")


@pytest.mark.parametrize("name", ["pipe.html", "pipe.warc"])
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, name: str) -> None:
    from archivist.errors import SourceError

    os.mkfifo(tmp_path / name)
    with pytest.raises(SourceError, match="is a FIFO"):
        capture_in(memory_archive(), request(str(tmp_path / name)))


def test_the_archive_is_not_locked_while_pages_are_fetched(site: Site, db: Path) -> None:
    url = site.serve("/slow", Page(PAGE.encode(), delay=2.0))
    done: list[list[Captured]] = []
    worker = threading.Thread(target=lambda: done.append(capture(
        request(url), lambda: open_archive(db, write=True))))
    worker.start()
    time.sleep(0.3)
    # Another writer gets the archive at once while the page is still on its way.
    with open_archive(db, write=True, lock_timeout=0.1) as archive:
        archive.log("test", None, None, {"meanwhile": True})
    worker.join(timeout=10)
    [item] = done[0]
    with open_archive(db) as archive:
        assert archive.get(item.record.id).title == "Dear Comrades"
