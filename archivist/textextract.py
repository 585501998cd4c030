"""The text inside a source file: what ``text:`` and ``grep`` search.

:func:`extract` reads the bytes of one file and gives its text as lines:

* plain text, its encoding detected (a byte-order mark, then UTF-8, which is preferred,
  then a single-byte code page);
* HTML: the visible text, without scripts, styles or markup, each piece of text on the
  line of the file it stands on, so line numbers are the file's (and ``source.span``'s);
* WARC: the text of its HTML and plain-text responses, one after another (``warcio``,
  the ``web`` extra);
* PDF: the text of its pages (``pypdf``, the ``pdf`` extra).

Anything else is skipped, with the reason.  Nothing is guessed: a file that cannot be
read as text has no text.  Extraction only reads; the file is never changed.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

#: Files larger than this are not read for their text (they are counted as skipped).
MAX_TEXT_BYTES = 256 * 1024 * 1024
#: The kinds of text extracted; any other file is ``skipped``.
KINDS = ("text", "html", "warc", "pdf")

_SNIFF = 4096
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]",
                         re.IGNORECASE | re.DOTALL)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""",
                           re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
# Elements whose content is never shown.
_HIDDEN = frozenset({"script", "style", "template", "head", "svg", "math", "object"})
# Control characters other than tab and newline: a sign of a binary file.
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


@dataclass(frozen=True)
class Extraction:
    """The text of one file, or why it has none.

    :param kind: one of :data:`KINDS`, or ``skipped``.
    :param text: the lines, joined by ``\\n`` (``None`` when skipped).
    :param note: how it was read (the encoding) or why it was skipped.
    """

    kind: str
    text: str | None
    note: str = ""


def skipped(reason: str) -> Extraction:
    return Extraction("skipped", None, reason)


def read_and_extract(path: Path) -> tuple[str, Extraction]:
    """The SHA-256 of the file at ``path`` and its text, from one read.

    :raises OSError: when the file cannot be opened or read.
    """
    from archivist.provenance import open_regular

    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_TEXT_BYTES:
            from archivist.provenance import hash_descriptor

            found = hash_descriptor(fd)
            return found.sha256, skipped(f"larger than {MAX_TEXT_BYTES >> 20} MB")
        with os.fdopen(os.dup(fd), "rb") as stream:
            data = stream.read()
    finally:
        os.close(fd)
    return hashlib.sha256(data).hexdigest(), extract(data, path.name)


def extract(data: bytes, name: str = "") -> Extraction:
    """The text of a file's bytes; ``name`` (the file's name) helps tell HTML apart."""
    head = data[:_SNIFF]
    lower = name.lower()
    if head.startswith(b"%PDF-"):
        return _pdf(data)
    if head.startswith(b"WARC/") or (head.startswith(b"\x1f\x8b")
                                     and lower.endswith((".warc.gz", ".warc"))):
        return _warc(data)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = decode(data)
        return _text_or_html(text, encoding, lower, head)
    if _BINARY.search(head):
        return skipped("not text (binary data)")
    text, encoding = decode(data, _declared_charset(head))
    return _text_or_html(text, encoding, lower, head)


def _text_or_html(text: str, encoding: str, lower: str, head: bytes) -> Extraction:
    if lower.endswith(_HTML_SUFFIXES) or _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return Extraction("html", html_text(text), encoding)
    return Extraction("text", plain_lines(text), encoding)


def _declared_charset(head: bytes) -> str | None:
    found = _META_CHARSET.search(head)
    if found is None:
        return None
    name = found.group(1).decode("ascii")
    try:
        encoding = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers (and capture) read a page labelled Latin-1 or ASCII as windows-1252,
    # whose curly quotes and dashes such pages really hold.
    return "cp1252" if encoding in ("iso8859-1", "ascii") else encoding


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text from bytes and the encoding used: a byte-order mark, UTF-8 (preferred), the
    encoding the file declares, then the likelier of windows-1251 and windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, "replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared is not None and declared not in ("utf-8", "utf-16"):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    # A text mostly of letters outside ASCII is in a non-Latin script (Cyrillic, in
    # the code pages met here); Latin text has an accented letter now and then.
    latin = data.decode("cp1252", "replace")
    ascii_letters = sum(1 for char in latin if char.isascii() and char.isalpha())
    other_letters = sum(1 for char in latin if not char.isascii() and char.isalpha())
    if other_letters > ascii_letters:
        return data.decode("cp1251", "replace"), "cp1251"
    return latin, "cp1252"


def plain_lines(text: str) -> str:
    """Text with its line ends made ``\\n`` (the file's lines, one for one)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Visible(HTMLParser):
    """Collects the visible text of a page, each piece on its line of the file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: dict[int, list[str]] = {}
        self.hidden = 0
        self.last_line = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        line = self.getpos()[0]
        self.last_line = max(self.last_line, line + data.count("\n"))
        if self.hidden:
            return
        for offset, piece in enumerate(plain_lines(data).split("\n")):
            piece = _SPACES.sub(" ", piece).strip()
            if piece:
                self.lines.setdefault(line + offset, []).append(piece)


def html_text(markup: str) -> str:
    """The visible text of an HTML page, line ``n`` holding the text on line ``n``."""
    parser = _Visible()
    parser.feed(plain_lines(markup))
    parser.close()
    count = max([plain_lines(markup).count("\n") + 1, *parser.lines])
    return "\n".join(" ".join(parser.lines.get(n, ())) for n in range(1, count + 1))


def _warc(data: bytes) -> Extraction:
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        return skipped("a WARC file: install archivist[web] to read it")
    texts: list[str] = []
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type not in ("response", "resource"):
                continue
            mime = ""
            if record.http_headers is not None:
                mime = record.http_headers.get_header("Content-Type") or ""
            else:
                mime = record.rec_headers.get_header("Content-Type") or ""
            if not mime.lower().startswith(("text/html", "application/xhtml", "text/plain")):
                continue
            body = record.content_stream().read()
            text, _ = decode(body, _charset_of(mime) or _declared_charset(body[:_SNIFF]))
            texts.append(html_text(text) if "html" in mime.lower() else plain_lines(text))
    except Exception as err:  # warcio raises many kinds on a damaged file
        return skipped(f"a damaged WARC file ({type(err).__name__})")
    if not texts:
        return skipped("a WARC file without HTML or text responses")
    return Extraction("warc", "\n".join(texts), f"{len(texts)} responses")


def _charset_of(mime: str) -> str | None:
    found = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", mime, re.IGNORECASE)
    return found.group(1) if found else None


def _pdf(data: bytes) -> Extraction:
    try:
        from pypdf import PdfReader
    except ImportError:
        return skipped("a PDF file: install archivist[pdf] to read it")
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as err:  # pypdf raises many kinds on a damaged or locked file
        return skipped(f"an unreadable PDF file ({type(err).__name__})")
    text = plain_lines("\n".join(pages))
    if not text.strip():
        return skipped("a PDF file without text (scanned images?)")
    return Extraction("pdf", text, f"{len(pages)} pages")
