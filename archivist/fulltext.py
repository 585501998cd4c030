"""Searching inside the archived sources: ``text:`` in queries, and ``grep``.

Each distinct source file (by SHA-256) has its text extracted once
(:mod:`archivist.textextract`) and kept by the archive's engine
(:func:`archivist.store.source_texts`): when a source is described
(:func:`offer_bytes`, from :func:`archivist.provenance.describe_source`), when
``verify`` finds a file changed (:func:`reindex_changed`), and at the first search for
the files already archived (:func:`indexed`).  The engine sieves the texts that may
hold a search's words; which lines of them do is decided here, for every engine alike:

* a search is folded as bare words are (case, accents, typographic quotes), and any
  run of white space in it matches any run in the text, line ends included;
* a record with a ``source.span`` searches only its own lines; a record whose source is
  the whole file, all of it;
* a file whose text cannot be read matches nothing (``grep --verbose`` says why).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archivist.folding import fold

if TYPE_CHECKING:
    from archivist.store import Archive
    from archivist.store.sourcetexts import Parts, SourceText, SourceTexts


class Progress(Protocol):
    """A progress display for reading many files' text (a bar on a terminal)."""

    def start(self, total: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def finish(self) -> None: ...


#: The display the command line shows while files are read for their text, when it
#: has one (stderr is a terminal); searches deep in a query find it here.
PROGRESS: contextvars.ContextVar[Callable[[], Progress] | None] = contextvars.ContextVar(
    "archivist_text_progress", default=None)


@dataclass(frozen=True)
class Located:
    """A record's source as searched: which text, and which of its lines."""

    record_id: str
    sha256: str
    path: str
    span: tuple[int, int] | None


def located(doc: Mapping[str, Any]) -> Located | None:
    """Where a stored document's text is: the SHA-256 its file has now as far as the
    archive knows (the one ``verify`` found, when it found the file changed)."""
    source = doc.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("path"), str):
        return None
    sha = source.get("sha256")
    info = doc.get("archive")
    fixity = info.get("fixity") if isinstance(info, dict) else None
    if isinstance(fixity, dict) and fixity.get("result") == "changed" and isinstance(
            fixity.get("sha256_found"), str):
        sha = fixity["sha256_found"]
    if not isinstance(sha, str):
        return None
    span = source.get("span")
    pair = (int(span[0]), int(span[1])) if isinstance(span, (list, tuple)) else None
    return Located(str(doc.get("id")), sha, source["path"], pair)


# -- keeping the texts ------------------------------------------------------------------


def read_source(file: Path, sha256: str) -> SourceText:
    """The text of ``file``, kept under ``sha256`` only when the file still has it."""
    from archivist.store.sourcetexts import SourceText
    from archivist.textextract import read_and_extract

    try:
        found, extraction = read_and_extract(file)
    except OSError as err:
        return SourceText(sha256, "unread", None, f"cannot read the file ({err.strerror})")
    if found != sha256:
        return SourceText(sha256, "unread", None,
                          "the file changed since it was recorded (see archivist verify)")
    return SourceText(sha256, extraction.kind, extraction.text, extraction.note)


class BytesKept:
    """The bytes of a file as they are hashed (fed like a hash object), so that its text
    is extracted without reading it again; none once there are more than a text's."""

    def __init__(self) -> None:
        from archivist.textextract import MAX_TEXT_BYTES

        self.limit = MAX_TEXT_BYTES
        self.chunks: list[bytes] = []
        self.size = 0

    def update(self, chunk: bytes | memoryview) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.chunks.clear()
        else:
            self.chunks.append(bytes(chunk))


def offer_bytes(kept: BytesKept, name: str, sha256: str) -> None:
    """Extract the text of a source being added from the bytes it was hashed from
    (as :func:`read_source` would read them again), to be kept with the command's commit."""
    from archivist.store.sourcetexts import SourceText, offer
    from archivist.textextract import extract, skipped

    extraction = (skipped(f"larger than {kept.limit >> 20} MB") if kept.size > kept.limit
                  else extract(b"".join(kept.chunks), name))
    offer(SourceText(sha256, extraction.kind, extraction.text, extraction.note))


@dataclass
class Indexed:
    """The texts of an archive, every source among some records read."""

    texts: SourceTexts
    #: The kind of each text kept, by SHA-256.
    kinds: dict[str, str]
    #: Why a file could not be read now (missing, changed), by SHA-256.
    unread: dict[str, str] = field(default_factory=dict)


def indexed(archive: Archive, sources: Iterable[Located]) -> Indexed:
    """The archive's texts, with those of ``sources`` not yet kept read now (a progress
    bar shows while there are many); they are written when the command succeeds."""
    from archivist.provenance import resolve_stored
    from archivist.store import source_texts

    texts = source_texts(archive)
    kinds = texts.kinds()
    missing: dict[str, str] = {}
    for source in sources:
        if source.sha256 not in kinds:
            missing.setdefault(source.sha256, source.path)
    found = Indexed(texts, kinds)
    if not missing:
        return found
    factory = PROGRESS.get()
    progress = factory() if factory is not None and len(missing) > 20 else None
    if progress is not None:
        progress.start(len(missing))
    try:
        read: list[SourceText] = []
        for sha, path in missing.items():
            text = read_source(resolve_stored(path, archive.path), sha)
            if text.kind == "unread":
                found.unread[sha] = text.note
            else:
                read.append(text)
                kinds[sha] = text.kind
            if progress is not None:
                progress.advance(1)
        texts.put(read)
    finally:
        if progress is not None:
            progress.finish()
    return found


def sieved(archive: Archive, sources: list[Located], words: Iterable[str],
           parts: Parts = "both") -> tuple[Indexed, list[SourceText]]:
    """The archive's texts (:func:`indexed`) and those of ``sources`` that may hold
    every one of ``words`` (with ``parts`` of their texts); read from the files again
    when the kept ones are damaged."""
    from archivist.store.sourcetexts import TextsDamaged

    wanted, words = {source.sha256 for source in sources}, list(words)
    for _ in range(2):
        index = indexed(archive, sources)
        try:
            return index, list(index.texts.candidates(wanted, words, parts))
        except TextsDamaged:
            continue  # the engine reads nothing more of what it kept: read the files
    raise AssertionError("an engine kept reporting damaged texts")


def reindex_changed(archive: Archive, files: Mapping[str, str]) -> None:
    """Read again the files ``verify`` found changed (new SHA-256 → stored path)."""
    from archivist.provenance import resolve_stored
    from archivist.store import source_texts

    texts = source_texts(archive)
    kinds = texts.kinds()
    fresh = [read_source(resolve_stored(path, archive.path), sha)
             for sha, path in files.items() if sha not in kinds]
    texts.put(text for text in fresh if text.kind != "unread")


def text_counts(archive: Archive) -> dict[str, int]:
    """How many distinct source files have text kept, were skipped (not text), or
    were not read yet; nothing is read for this."""
    from archivist.store import source_texts

    shas = {found.sha256 for doc in archive.documents() if (found := located(doc))}
    kinds = source_texts(archive).kinds() if shas else {}
    counts = {"with text": 0, "skipped": 0, "not read yet": 0}
    for sha in shas:
        kind = kinds.get(sha)
        key = "not read yet" if kind is None else "skipped" if kind == "skipped" else (
            "with text")
        counts[key] += 1
    return counts


# -- searching ----------------------------------------------------------------------------


class Needle:
    """A search, folded as bare words are; white space matches any white space."""

    def __init__(self, value: str) -> None:
        from archivist.store.sourcetexts import search_words

        parts = fold(value).split()
        self.words = search_words(value)
        self.regex = re.compile(r"\s+".join(map(re.escape, parts)))

    def spans(self, folded: str) -> Iterator[tuple[int, int]]:
        """The first and last line (from 1) of every match in ``folded``."""
        line, counted = 1, 0
        for match in self.regex.finditer(folded):
            line += folded.count("\n", counted, match.start())
            counted = match.start()
            yield line, line + folded.count("\n", match.start(), match.end())

    def found_in(self, folded: str, spans: Iterable[tuple[int, int] | None]) -> bool:
        """Whether ``folded`` holds a match within one of ``spans`` (``None``: anywhere)."""
        wanted = list(spans)
        if None in wanted:
            return self.regex.search(folded) is not None
        return any(within([found], span) for found in self.spans(folded) for span in wanted)


def folded_lines(text: str) -> str:
    """The folded text, with as many lines as ``text`` (folding keeps line ends)."""
    from archivist.store.sourcetexts import folded_text

    return folded_text(text)


def within(spans: Iterable[tuple[int, int]], span: tuple[int, int] | None) -> bool:
    """Whether some match lies within the record's lines (any, for the whole file)."""
    return any(span is None or (span[0] <= first and last <= span[1])
               for first, last in spans)


def matching_ids(archive: Archive, value: str) -> set[str]:
    """The lower ids of the records whose source text holds ``value`` (``text:``)."""
    sources = [found for doc in archive.documents() if (found := located(doc))]
    if not sources:
        return set()
    needle = Needle(value)
    spans: dict[str, list[tuple[int, int] | None]] = {}
    for source in sources:
        spans.setdefault(source.sha256, []).append(source.span)
    hits: dict[str, list[tuple[int, int]]] = {}
    for text in sieved(archive, sources, needle.words, "folded")[1]:
        folded = text.folded_text()
        if folded is None or not needle.found_in(folded, spans[text.sha256]):
            continue
        wanted = spans[text.sha256]
        hits[text.sha256] = [] if None in wanted and len(set(wanted)) == 1 else list(
            needle.spans(folded))
    return {source.record_id.lower() for source in sources if source.sha256 in hits
            and (source.span is None or within(hits[source.sha256], source.span))}
