"""A real HTTP server on 127.0.0.1, in a thread, serving the pages capture is tested on.

Never the internet: every page is written here, with the bytes it is served as, so a
test can compare what a WARC file holds with what was sent.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass(frozen=True)
class Page:
    """What one path answers: a status, headers and a body (or a behaviour)."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html"
    headers: tuple[tuple[str, str], ...] = ()
    #: Seconds to wait before answering (a slow server).
    delay: float = 0.0
    #: Send bytes forever (no Content-Length), until the client stops reading.
    endless: bool = False


def html(head: str, body: str = "<p>Text.</p>", *, lang: str = "en") -> str:
    """A whole page with ``head`` in its ``<head>``."""
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}</head>\n'
            f"<body>{body}</body></html>\n")


def metas(attribute: str, *pairs: tuple[str, str]) -> str:
    """``<meta ATTRIBUTE="NAME" content="VALUE">`` for each (name, value) pair."""
    return "".join(f'<meta {attribute}="{name}" content="{value}">' for name, value in pairs)


PAGES: dict[str, Page] = {}
#: The headers of each request received, by path, latest last.
SEEN: list[tuple[str, dict[str, str]]] = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet tests

    def do_GET(self) -> None:
        try:
            self._answer()
        except OSError:
            self.close_connection = True  # the client gave up (a timeout test)

    def _answer(self) -> None:
        SEEN.append((self.path, dict(self.headers.items())))
        page = PAGES.get(self.path)
        if page is None:
            page = Page(b"<h1>Not found</h1>", status=404)
        time.sleep(page.delay)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        for name, value in page.headers:
            self.send_header(name, value)
        if page.endless:
            self.send_header("Connection", "close")
            self.end_headers()
            self._send_forever()
            return
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def _send_forever(self) -> None:
        chunk = b"<p>" + b"x" * 65_000 + b"</p>\n"
        while True:  # until the client stops reading, as it should
            self.wfile.write(chunk)


@dataclass(frozen=True)
class Site:
    """The running server: ``url(path)`` is a page's address."""

    base: str

    def url(self, path: str) -> str:
        return self.base + path

    def seen(self, path: str) -> dict[str, str]:
        """The headers of the last request for ``path``."""
        return [headers for seen, headers in SEEN if seen == path][-1]

    def serve(self, path: str, page: Page | bytes | str) -> str:
        """Serve ``page`` at ``path``; returns its URL."""
        if isinstance(page, str):
            page = page.encode("utf-8")
        PAGES[path] = page if isinstance(page, Page) else Page(page)
        return self.url(path)


_RUNNING: list[str] = []


def _base_url() -> str:
    """The server's address, started on first use and left running (a daemon thread)
    for the rest of the test run."""
    if not _RUNNING:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _RUNNING.append(f"http://127.0.0.1:{server.server_address[1]}")
    return _RUNNING[0]


def serving() -> Iterator[Site]:
    """The test server, with no pages but those this test serves (the ``site``
    fixture of tests/conftest.py)."""
    PAGES.clear()
    SEEN.clear()
    yield Site(_base_url())
    PAGES.clear()


#: One response a WARC file holds: URL, Content-Type, body and status.
Response = tuple[str, str, bytes, str]


def write_warc(path: Path, responses: list[Response], *, gz: bool = False) -> None:
    """A WARC file of ``responses``, written by warcio as a crawler would keep them."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gz, warc_version="1.1")
        for url, content_type, body, status in responses:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=headers))
