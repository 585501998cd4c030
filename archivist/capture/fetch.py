"""Fetching a page for capture: one GET per hop, every hop kept for the WARC file.

The client follows at most :data:`MAX_REDIRECTS` redirects itself (httpx's own
following is off) so that each hop's request and response can be written, and so that
a redirect to another scheme is refused before it is followed (http to https,
the common upgrade, is followed; https to http never is).  The body is streamed:
the size limit and the total timeout are enforced while it arrives, never after, so an
endless or trickling body stops at the limit instead of filling the disk or hanging.

httpx is imported only inside :func:`fetch`: ``archivist --help`` never loads it.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from archivist.errors import CaptureFailed
from archivist.version import VERSION

if TYPE_CHECKING:
    import ssl

#: Redirects followed before giving up (the issue's and most browsers' figure is 10-20).
MAX_REDIRECTS = 10
#: The defaults of ``--connect-timeout``, ``--timeout`` and ``--max-size``.
CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 60.0
MAX_SIZE = 50 * 1024 * 1024
#: An honest User-Agent: what is fetching, and which release.
USER_AGENT = f"archivist/{VERSION}"
#: Bytes asked of the connection per read.
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much a fetch may take: seconds and bytes."""

    connect_timeout: float = CONNECT_TIMEOUT
    total_timeout: float = TOTAL_TIMEOUT
    max_size: int = MAX_SIZE


@dataclass(frozen=True)
class Exchange:
    """One hop: the request as sent and the response as received.

    :param request_head: the request line and headers, as HTTP/1.1 bytes.
    :param status_line: e.g. ``HTTP/1.1 200 OK``.
    :param headers: the response headers as received, in order (bytes pairs).
    :param body: the body as served (content-encoding kept, transfer-encoding undone).
    """

    url: str
    request_head: bytes
    status: int
    status_line: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    started: float

    def header(self, name: str) -> str | None:
        """The first response header called ``name`` (any case), decoded as latin-1."""
        wanted = name.lower().encode("ascii")
        for key, value in self.headers:
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None

    def decoded_body(self, max_size: int = MAX_SIZE) -> bytes:
        """The body with its ``Content-Encoding`` (gzip, deflate) undone, at most
        ``max_size`` bytes of it (a small body can unpack to gigabytes).

        :raises CaptureFailed: for an encoding archivist cannot read, or a body that
            unpacks to more than ``max_size`` bytes.
        """
        encoding = (self.header("Content-Encoding") or "identity").strip().lower()
        if encoding in ("", "identity"):
            return self.body
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise CaptureFailed(f"{self.url}: the body is encoded as {encoding!r}, which "
                                "archivist cannot read (nothing was written)")
        # gzip or zlib by their headers; a raw deflate stream as some servers send it.
        for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):
            unpacker = zlib.decompressobj(wbits)
            try:
                data = unpacker.decompress(self.body, max_size + 1)
            except zlib.error:
                continue
            if len(data) > max_size:
                raise CaptureFailed(f"{self.url}: the {encoding} body unpacks to more than "
                                    f"the limit of {max_size} bytes (nothing was written)")
            return data
        raise CaptureFailed(f"{self.url}: the {encoding} body does not decompress "
                            "(nothing was written)")


@dataclass(frozen=True)
class Fetched:
    """Every hop of one capture, the last being the page, and the URL asked for."""

    requested: str
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def page(self) -> Exchange:
        """The final response: the page itself."""
        return self.exchanges[-1]


def check_url(url: str) -> str:
    """``url`` when it is an absolute http or https URL with a host and no password.

    :raises CaptureFailed: otherwise, naming the URL (without its credentials).
    """
    try:
        parts = urlsplit(url)
        hostname, _ = parts.hostname, parts.port
    except ValueError:  # a malformed port or IPv6 address
        raise CaptureFailed(f"cannot capture {url!r}: it is not a well-formed "
                            "URL") from None
    if parts.scheme.lower() not in _SCHEMES or not hostname:
        raise CaptureFailed(f"cannot capture {url!r}: only http and https URLs are "
                            "captured")
    if parts.username is not None or parts.password is not None:
        raise CaptureFailed(f"cannot capture {parts.scheme}://…@{parts.hostname}: a URL "
                            "with a user name or password would keep them in the WARC "
                            "file and the record")
    return url


def fetch(url: str, limits: FetchLimits = FetchLimits(), *,
          verify: ssl.SSLContext | bool = True) -> Fetched:
    """GET ``url``, following redirects within the same scheme or from http to https,
    and keep every hop.

    :param verify: how https certificates are checked (httpx's ``verify``): the
        system's trust store by default; a caller may pass an ``ssl.SSLContext`` that
        trusts a certificate of its own.

    :raises CaptureFailed: for a refused connection, a timeout, a 4xx/5xx answer, a
        body over ``limits.max_size``, more than :data:`MAX_REDIRECTS` redirects, or a
        redirect to another scheme (but http to https) or from https to http.
    """
    import httpx

    check_url(url)
    deadline = time.monotonic() + limits.total_timeout
    fetched = Fetched(requested=url)
    timeout = httpx.Timeout(limits.total_timeout, connect=limits.connect_timeout)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
               "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    # trust_env: HTTP(S)_PROXY, NO_PROXY and SSL_CERT_FILE are honoured, as curl does.
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False,
                      verify=verify) as client:
        current = url
        while True:
            exchange = _one_hop(client, current, limits, deadline)
            fetched.exchanges.append(exchange)
            target = _redirect_target(exchange)
            if target is None:
                break
            if len(fetched.exchanges) > MAX_REDIRECTS:
                raise CaptureFailed(f"{url}: more than {MAX_REDIRECTS} redirects "
                                    "(nothing was written)")
            _check_scheme(current, target)
            current = target
    if not 200 <= exchange.status < 300:
        # A 4xx or 5xx, or a 3xx with no Location to follow: not the page itself.
        raise CaptureFailed(f"{exchange.url}: the server answered "
                            f"{exchange.status_line.partition(' ')[2]} (nothing was "
                            "written)")
    return fetched


def _redirect_target(exchange: Exchange) -> str | None:
    """Where a redirect points (made absolute), or ``None`` for any other answer."""
    location = exchange.header("Location")
    if exchange.status not in _REDIRECTS or not location:
        return None
    return urljoin(exchange.url, location.strip())


def _check_scheme(current: str, target: str) -> None:
    """Refuse a redirect to anything but the same scheme or the upgrade from http to
    https (which sites do for every page): a downgrade to plain http, or a scheme that
    is not http(s) (``file:``, ``ftp:``, ``data:``), is never followed."""
    here, there = urlsplit(current).scheme.lower(), urlsplit(target).scheme.lower()
    if here == there or (here, there) == ("http", "https"):
        return
    why = ("a downgrade from https to http" if (here, there) == ("https", "http")
           else f"another scheme ({here} to {there or 'none'})")
    hint = (f"; capture {target} itself if it is the page you want"
            if there in _SCHEMES else "")
    raise CaptureFailed(f"{current} redirects to {target}, {why}: not followed{hint} "
                        "(nothing was written)")


def _one_hop(client: object, url: str, limits: FetchLimits, deadline: float) -> Exchange:
    """GET ``url`` once, streaming the body within the limits."""
    import httpx

    assert isinstance(client, httpx.Client)
    started = time.time()
    # No wait of this hop may outlast what is left of the total timeout.
    left = max(deadline - time.monotonic(), 0.001)
    timeout = httpx.Timeout(left, connect=min(limits.connect_timeout, left))
    try:
        with client.stream("GET", url, timeout=timeout) as response:
            body = _read_body(response, url, limits, deadline)
            request = response.request
    except httpx.TimeoutException:
        raise CaptureFailed(f"{url}: timed out ({_timeouts(limits)}; nothing was "
                            "written)") from None
    except httpx.HTTPError as err:
        reason = str(err) or type(err).__name__
        raise CaptureFailed(f"{url}: {reason} (nothing was written)") from None
    except httpx.InvalidURL:
        # httpx reads a redirect's Location even when it does not follow it, and a
        # URL without a path of its own (data:, mailto:) is one it cannot read.
        raise CaptureFailed(f"{url} redirects to another scheme, one that is not http "
                            "or https: not followed (nothing was written)") from None
    version = response.http_version or "HTTP/1.1"
    return Exchange(
        url=str(response.url), request_head=_request_head(request),
        status=response.status_code,
        status_line=f"{version} {response.status_code} {response.reason_phrase}".rstrip(),
        headers=tuple(response.headers.raw), body=body, started=started)


def _read_body(response: object, url: str, limits: FetchLimits, deadline: float) -> bytes:
    """The body as served, stopped at the size limit or the deadline as it streams."""
    import httpx

    assert isinstance(response, httpx.Response)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_size:
        raise CaptureFailed(f"{url}: the body would be {int(declared)} bytes, over the "
                            f"limit of {limits.max_size} bytes (nothing was written)")
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_raw(_CHUNK):
        size += len(chunk)
        if size > limits.max_size:
            raise CaptureFailed(f"{url}: the body is over the limit of {limits.max_size} "
                                "bytes; stopped reading (nothing was written)")
        if time.monotonic() > deadline:
            raise CaptureFailed(f"{url}: timed out ({_timeouts(limits)}; nothing was "
                                "written)")
        parts.append(chunk)
    return b"".join(parts)


def _timeouts(limits: FetchLimits) -> str:
    return (f"connect timeout {limits.connect_timeout:g} s, total timeout "
            f"{limits.total_timeout:g} s")


def _request_head(request: object) -> bytes:
    """The request line and headers as sent (httpx speaks HTTP/1.1), for the WARC."""
    import httpx

    assert isinstance(request, httpx.Request)
    line = b"%s %s %s\r\n" % (request.method.encode("ascii"), request.url.raw_path,
                              b"HTTP/1.1")
    headers = b"".join(b"%s: %s\r\n" % (k, v) for k, v in request.headers.raw)
    return line + headers + b"\r\n"
