"""Fetching for capture, against a real server on 127.0.0.1: redirects, refusals,
timeouts and the size limit enforced while the body streams."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from warcio.archiveiterator import ArchiveIterator

from archivist.capture.fetch import (
    MAX_REDIRECTS,
    USER_AGENT,
    FetchLimits,
    check_url,
    fetch,
)
from archivist.capture.warcfile import write_capture
from archivist.errors import CaptureFailed
from archivist.version import VERSION
from tests.webserver import SEEN, Page, Site, html

SHORT = FetchLimits(connect_timeout=2, total_timeout=2, max_size=1_000_000)


def test_a_page_is_fetched_as_served_with_an_honest_user_agent(site: Site) -> None:
    body = html("<title>T</title>").encode("utf-8")
    url = site.serve("/page.html", body)
    fetched = fetch(url, SHORT)
    assert fetched.requested == url
    assert [e.status for e in fetched.exchanges] == [200]
    assert fetched.page.body == body
    assert fetched.page.header("content-type") == "text/html"
    assert site.seen("/page.html")["User-Agent"] == USER_AGENT == f"archivist/{VERSION}"
    assert fetched.page.request_head.startswith(b"GET /page.html HTTP/1.1\r\n")


def test_redirects_are_followed_and_every_hop_is_kept(site: Site) -> None:
    final = site.serve("/final.html", html("<title>F</title>"))
    site.serve("/b", Page(status=302, headers=(("Location", "/final.html"),)))
    start = site.serve("/a", Page(status=301, headers=(("Location", site.url("/b")),)))
    fetched = fetch(start, SHORT)
    assert [e.status for e in fetched.exchanges] == [301, 302, 200]
    assert fetched.page.url == final
    assert fetched.requested == start


def test_more_than_ten_redirects_are_refused(site: Site) -> None:
    for n in range(MAX_REDIRECTS + 2):
        site.serve(f"/r{n}", Page(status=307, headers=(("Location", f"/r{n + 1}"),)))
    with pytest.raises(CaptureFailed, match="more than 10 redirects"):
        fetch(site.url("/r0"), SHORT)


def test_ten_redirects_are_followed(site: Site) -> None:
    for n in range(MAX_REDIRECTS):
        site.serve(f"/r{n}", Page(status=308, headers=(("Location", f"/r{n + 1}"),)))
    site.serve(f"/r{MAX_REDIRECTS}", html("<title>end</title>"))
    assert len(fetch(site.url("/r0"), SHORT).exchanges) == MAX_REDIRECTS + 1


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/x", "file:///etc/passwd",
                                    "data:text/html,<title>x</title>"])
def test_a_redirect_to_another_scheme_is_not_followed(site: Site, target: str) -> None:
    url = site.serve("/away", Page(status=302, headers=(("Location", target),)))
    with pytest.raises(CaptureFailed, match="another scheme") as err:
        fetch(url, SHORT)
    message = str(err.value)
    assert "nothing was written" in message and url in message and "\n" not in message


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ssl.SSLContext]]:
    """An https server on 127.0.0.1 with a self-signed certificate made here (by
    openssl), serving the same pages as ``site``, and a client context trusting it."""
    from http.server import ThreadingHTTPServer

    from tests.webserver import _Handler

    if shutil.which("openssl") is None:
        reason = "the https tests make their certificate with openssl, which is missing"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: openssl is required)")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                    "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True,
                   capture_output=True)
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.socket = served.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield (f"https://127.0.0.1:{server.server_address[1]}",
           ssl.create_default_context(cafile=str(cert)))
    server.shutdown()
    server.server_close()


def test_a_redirect_from_http_to_https_is_followed_and_both_hops_kept(
        site: Site, secure: tuple[str, ssl.SSLContext]) -> None:
    base, trusting = secure
    body = html("<title>Secure</title>").encode("utf-8")
    site.serve("/secure.html", body)
    start = site.serve("/up", Page(status=301, headers=(("Location",
                                                         f"{base}/secure.html"),)))
    fetched = fetch(start, SHORT, verify=trusting)
    assert [(e.url, e.status) for e in fetched.exchanges] == [
        (start, 301), (f"{base}/secure.html", 200)]
    assert fetched.page.body == body
    out = io.BytesIO()
    write_capture(fetched, out, "up.warc")
    kept = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
             r.content_stream().read() if r.rec_type == "response" else None)
            for r in ArchiveIterator(io.BytesIO(out.getvalue()))]
    assert kept[1:] == [("request", start, None), ("response", start, b""),
                        ("request", f"{base}/secure.html", None),
                        ("response", f"{base}/secure.html", body)]


def test_an_untrusted_certificate_is_one_clear_error(
        site: Site, secure: tuple[str, ssl.SSLContext]) -> None:
    site.serve("/secure.html", html("<title>Secure</title>"))
    with pytest.raises(CaptureFailed, match="certificate") as err:
        fetch(f"{secure[0]}/secure.html", SHORT)
    assert "nothing was written" in str(err.value)


def test_a_redirect_from_https_down_to_http_is_refused(
        site: Site, secure: tuple[str, ssl.SSLContext]) -> None:
    base, trusting = secure
    plain = site.serve("/plain.html", html("<title>Plain</title>"))
    site.serve("/down", Page(status=302, headers=(("Location", plain),)))
    with pytest.raises(CaptureFailed) as err:
        fetch(f"{base}/down", SHORT, verify=trusting)
    assert str(err.value) == (
        f"{base}/down redirects to {plain}, a downgrade from https to http: not "
        f"followed; capture {plain} itself if it is the page you want (nothing was "
        "written)")
    assert not any(path == "/plain.html" for path, _ in SEEN)


@pytest.mark.parametrize(("status", "reason"), [(404, "404 Not Found"),
                                                (500, "500 Internal Server Error")])
def test_an_error_status_is_refused(site: Site, status: int, reason: str) -> None:
    url = site.serve("/bad", Page(b"oops", status=status))
    with pytest.raises(CaptureFailed, match=f"answered {reason}"):
        fetch(url, SHORT)


def test_a_slow_server_times_out_within_the_total_timeout(site: Site) -> None:
    url = site.serve("/slow", Page(html("<title>late</title>").encode(), delay=3))
    started = time.monotonic()
    with pytest.raises(CaptureFailed, match="timed out"):
        fetch(url, FetchLimits(connect_timeout=1, total_timeout=0.5))
    assert time.monotonic() - started < 2.5


def test_an_endless_body_is_cut_at_the_limit_while_it_streams(site: Site) -> None:
    url = site.serve("/endless", Page(endless=True))
    started = time.monotonic()
    with pytest.raises(CaptureFailed, match="over the limit of 200000 bytes"):
        fetch(url, FetchLimits(connect_timeout=1, total_timeout=10, max_size=200_000))
    assert time.monotonic() - started < 5


def test_a_declared_length_over_the_limit_is_refused_before_reading(site: Site) -> None:
    url = site.serve("/big", b"x" * 5000)
    with pytest.raises(CaptureFailed, match="would be 5000 bytes"):
        fetch(url, FetchLimits(max_size=4999))


def test_a_refused_connection_is_one_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CaptureFailed, match=f"127.0.0.1:{port}") as err:
        fetch(f"http://127.0.0.1:{port}/", SHORT)
    assert "\n" not in str(err.value)


def test_a_compressed_body_is_kept_as_served_and_read_decompressed(site: Site) -> None:
    page = html("<title>Сжатая</title>").encode("utf-8")
    url = site.serve("/gz", Page(gzip.compress(page), headers=(("Content-Encoding",
                                                                 "gzip"),)))
    fetched = fetch(url, SHORT)
    assert fetched.page.body == gzip.compress(page) or \
        gzip.decompress(fetched.page.body) == page
    assert fetched.page.decoded_body() == page


def test_an_unknown_content_encoding_is_refused(site: Site) -> None:
    url = site.serve("/br", Page(b"\x00\x01", headers=(("Content-Encoding", "br"),)))
    with pytest.raises(CaptureFailed, match="'br'"):
        fetch(url, SHORT).page.decoded_body()


@pytest.mark.parametrize("url", ["ftp://example.org/", "file:///etc/passwd", "http://",
                                 "mailto:a@b.org", "javascript:alert(1)"])
def test_only_http_and_https_urls_are_captured(url: str) -> None:
    with pytest.raises(CaptureFailed, match="only http and https"):
        check_url(url)


@pytest.mark.parametrize("url", ["http://[::1/", "http://host:99999/", "http://host:x/"])
def test_a_malformed_url_is_refused(url: str) -> None:
    with pytest.raises(CaptureFailed, match="not a well-formed URL"):
        check_url(url)


def test_a_url_with_credentials_is_refused_without_repeating_them() -> None:
    with pytest.raises(CaptureFailed, match="user name or password") as err:
        check_url("https://ana:secret@example.org/private")
    assert "secret" not in str(err.value)


def test_a_small_body_that_unpacks_past_the_limit_is_refused(site: Site) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    url = site.serve("/bomb", Page(bomb, headers=(("Content-Encoding", "gzip"),)))
    page = fetch(url, SHORT).page
    assert len(page.body) < 10_000
    with pytest.raises(CaptureFailed, match="unpacks to more than the limit of 1000000"):
        page.decoded_body(1_000_000)


def test_a_raw_deflate_body_is_read() -> None:
    import zlib

    from archivist.capture.fetch import Exchange

    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = packer.compress(b"<title>raw</title>") + packer.flush()
    exchange = Exchange("http://a.org/", b"", 200, "HTTP/1.1 200 OK",
                        ((b"Content-Encoding", b"deflate"),), raw, 0.0)
    assert exchange.decoded_body() == b"<title>raw</title>"
    broken = Exchange("http://a.org/", b"", 200, "HTTP/1.1 200 OK",
                      ((b"Content-Encoding", b"gzip"),), b"not gzip", 0.0)
    with pytest.raises(CaptureFailed, match="does not decompress"):
        broken.decoded_body()


def test_a_redirect_status_with_nowhere_to_go_is_not_a_page(site: Site) -> None:
    url = site.serve("/choices", Page(b"<title>pick</title>", status=300))
    with pytest.raises(CaptureFailed, match="answered 300 Multiple Choices"):
        fetch(url, SHORT)
