"""The JSON-file engine's text cache, ``ARCHIVE.fts``: an SQLite FTS5 database that is
written only when a command succeeds, and made again when missing or damaged."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from archivist.store.jsonfile.textcache import TextCache, fts_path
from archivist.store.sourcetexts import SourceText
from tests.conftest import Invoke, write_file


def text(sha: str, body: str | None, kind: str = "text") -> SourceText:
    return SourceText(sha * 64, kind, body, "")


def cache_with(archive: Path, *texts: SourceText) -> TextCache:
    cache = TextCache(archive)
    cache.put(texts)
    cache.flush()
    return TextCache(archive)


def shas(cache: TextCache, words: list[str], among: str = "abcdef") -> list[str]:
    wanted = {c * 64 for c in among}
    return sorted(found.sha256[0] for found in cache.candidates(wanted, words))


def test_the_cache_is_beside_the_archive(tmp_path: Path) -> None:
    assert fts_path(tmp_path / "a.json") == tmp_path / "a.json.fts"


def test_words_inside_words_are_found(tmp_path: Path) -> None:
    cache = cache_with(tmp_path / "a.json", text("a", "Ter-Azaryan spoke"),
                       text("b", "the Novocherkassk massacre"), text("c", None, "skipped"))
    assert shas(cache, ["azar"]) == ["a"]
    assert shas(cache, ["kass", "massacre"]) == ["b"]
    assert shas(cache, ["kass", "spoke"]) == []
    assert shas(cache, []) == ["a", "b"]
    assert shas(cache, ["azaryan"], among="b") == []
    assert cache.kinds() == {"a" * 64: "text", "b" * 64: "text", "c" * 64: "skipped"}


def test_a_word_in_very_many_words_sieves_nothing(tmp_path: Path) -> None:
    body = " ".join(f"w{n}x" for n in range(2100))
    cache = cache_with(tmp_path / "a.json", text("a", body), text("b", "other"))
    # Over 2,000 indexed pieces hold "w": it sieves nothing, every text is read.
    assert shas(cache, ["w"]) == ["a", "b"]
    assert shas(cache, ["x", "other"]) == ["b"]


def test_texts_not_yet_written_are_searched_too(tmp_path: Path) -> None:
    cache = cache_with(tmp_path / "a.json", text("a", "alpha"))
    cache.put([text("b", "alphabet")])
    assert shas(cache, ["alpha"]) == ["a", "b"]


def test_a_damaged_or_foreign_file_is_made_again(tmp_path: Path) -> None:
    archive = tmp_path / "a.json"
    path = write_file(fts_path(archive), b"not a database at all" * 100)
    cache = TextCache(archive)
    assert cache.kinds() == {} and cache.damaged
    cache.put([text("a", "azaryan")])
    cache.flush()
    assert shas(TextCache(archive), ["azaryan"]) == ["a"]
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'old' WHERE key = 'version'")
    conn.close()
    assert TextCache(archive).kinds() == {}


def test_reading_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    archive = tmp_path / "a.json"
    cache_with(archive, text("a", "azaryan"))
    before = fts_path(archive).read_bytes()
    cache = TextCache(archive)
    assert shas(cache, ["azaryan"]) == ["a"] and cache.kinds()
    assert fts_path(archive).read_bytes() == before


def test_search_rebuilds_a_damaged_cache(invoke: Invoke, db: Path, tmp_path: Path) -> None:
    source = write_file(tmp_path / "s.txt", "Konchalovsky’s film\n")
    assert invoke("add", "--title", "T", "--id", "t", "--file", str(source)).exit_code == 0
    fts = fts_path(db)
    assert fts.is_file()
    fts.write_bytes(b"\x00" * 4096)
    result = invoke("list", "text:konchalovsky", "--format", "jsonl")
    assert result.exit_code == 0 and '"id": "t"' in result.stdout.replace('":"', '": "')
    assert TextCache(db).kinds() and not TextCache(db).damaged


def test_a_failed_command_leaves_the_cache_as_it_was(
        invoke: Invoke, db: Path, tmp_path: Path,
        unchanged: Any) -> None:
    first = write_file(tmp_path / "a.txt", "first\n")
    assert invoke("add", "--title", "A", "--id", "a", "--file", str(first)).exit_code == 0
    second = write_file(tmp_path / "b.txt", "second\n")
    with unchanged():  # a duplicate id: refused after the source was read
        result = invoke("add", "--title", "B", "--id", "a", "--file", str(second))
        assert result.exit_code == 1
    with unchanged():
        assert invoke("list", "text:(").exit_code != 0


def test_a_missing_cache_is_made_at_the_next_search(invoke: Invoke, db: Path,
                                                    tmp_path: Path) -> None:
    source = write_file(tmp_path / "a.txt", "word\n")
    assert invoke("add", "--title", "A", "--id", "a", "--file", str(source)).exit_code == 0
    fts_path(db).unlink()
    assert invoke("list", "text:word").exit_code == 0
    assert fts_path(db).is_file()


def test_a_cache_damaged_inside_is_read_around(tmp_path: Path) -> None:
    from archivist.models import Record
    from archivist.provenance import describe_source
    from archivist.query import parse
    from archivist.query.plan import matching
    from archivist.store import open_archive

    db = tmp_path / "a.json"
    source = write_file(tmp_path / "s.txt", "Miftakhov\n")
    with open_archive(db, write=True) as archive:
        archive.add(Record(id="s", title="S", source=describe_source(str(source), db)))
    with sqlite3.connect(fts_path(db)) as conn:  # sound tables, a text that is not zlib
        conn.execute("UPDATE bodies SET folded = x'00', body = x'00'")
    conn.close()
    with open_archive(db) as archive:
        assert [doc["id"] for doc in matching(archive, parse("text:miftakhov"))] == ["s"]
    assert not TextCache(db).damaged and TextCache(db).kinds()


def test_a_rebuild_killed_midway_leaves_nothing_the_archive_counts(tmp_path: Path) -> None:
    from archivist.atomic import stray_temp_files

    archive = tmp_path / "a.json"
    dead = write_file(tmp_path / ".a.json.fts.999999999.fts-tmp", b"half")
    alive = write_file(tmp_path / ".a.json.fts.1.fts-tmp", b"pid 1 runs")
    assert stray_temp_files(archive) == []  # not the archive's own leftovers
    cache_with(archive, text("a", "x"))
    assert not dead.exists() and alive.exists()


def test_a_search_unpacks_only_the_texts_it_reads(tmp_path: Path) -> None:
    cache = cache_with(tmp_path / "a.json", text("a", "Ter-Azaryan spoke"))
    wanted = {"a" * 64}
    [both] = cache.candidates(wanted, ["azar"])
    [folded] = cache.candidates(wanted, ["azar"], "folded")
    [body] = cache.candidates(wanted, ["azar"], "text")
    assert (both.text, both.folded) == ("Ter-Azaryan spoke", "ter-azaryan spoke")
    assert (folded.text, folded.folded_text()) == (None, "ter-azaryan spoke")
    assert (body.text, body.folded) == ("Ter-Azaryan spoke", None)
