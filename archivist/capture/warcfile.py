"""WARC files (ISO 28500): writing a capture, and reading the pages a WARC file holds.

A capture is written as WARC/1.1 by warcio: one ``warcinfo`` record naming archivist,
then a ``request`` and a ``response`` record for each hop (redirects included), each
response with ``WARC-Payload-Digest`` and every record with ``WARC-Block-Digest``.
The file is uncompressed (``.warc``): its content-addressed name in ``sources/`` keeps
one suffix, and any WARC tool reads it.

warcio is imported only inside these functions.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from archivist.capture.fetch import Exchange, Fetched
from archivist.errors import CaptureFailed
from archivist.version import VERSION

#: Media types read as pages (others in a WARC file are passed over).
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Undone by the client before archivist sees the body, so no longer true of it.
_HOP_BY_HOP = (b"transfer-encoding",)


@dataclass(frozen=True)
class WarcPage:
    """One HTML response found in a WARC file.

    :param offset: where its record starts in the file (bytes), so it can be found again.
    :param date: its ``WARC-Date``.
    :param content_type: the HTTP ``Content-Type`` header, when there is one.
    :param body: the payload with transfer- and content-encoding undone.
    """

    url: str
    offset: int
    record_id: str
    date: str
    content_type: str | None
    body: bytes


def warc_date(epoch: float) -> str:
    """A WARC/1.1 date, UTC with microseconds: ``2026-12-07T20:41:05.123456Z``."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_capture(fetched: Fetched, out: BinaryIO, filename: str) -> int:
    """Write every hop of ``fetched`` to ``out`` as WARC/1.1.

    :returns: the offset of the final page's ``response`` record.
    """
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=False, warc_version="1.1")
    info = writer.create_warcinfo_record(filename, {
        "software": f"archivist/{VERSION}", "format": "WARC File Format 1.1",
        "conformsTo": "https://iso.org/standard/68004.html",
        "isPartOf": fetched.requested})
    writer.write_record(info)
    offset = 0
    for exchange in fetched.exchanges:
        request, response = _records(writer, exchange)
        writer.write_record(request)
        offset = out.tell()
        writer.write_record(response)
    return offset


def _records(writer: Any, exchange: Exchange) -> tuple[Any, Any]:
    """The request and response records of one hop, the request concurrent to it."""
    from warcio.statusandheaders import StatusAndHeaders

    date = warc_date(exchange.started)
    head_lines = exchange.request_head.decode("latin-1").split("\r\n")
    request_headers = StatusAndHeaders(
        head_lines[0], [tuple(line.split(": ", 1)) for line in head_lines[1:] if line],
        is_http_request=True)
    protocol, _, rest = exchange.status_line.partition(" ")
    response_headers = StatusAndHeaders(
        rest, [(k.decode("latin-1"), v.decode("latin-1")) for k, v in exchange.headers
               if k.lower() not in _HOP_BY_HOP], protocol=protocol)
    response = writer.create_warc_record(
        exchange.url, "response", payload=io.BytesIO(exchange.body),
        length=len(exchange.body), http_headers=response_headers,
        warc_headers_dict={"WARC-Date": date})
    request = writer.create_warc_record(
        exchange.url, "request", payload=io.BytesIO(b""), length=0,
        http_headers=request_headers,
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To":
                           response.rec_headers.get_header("WARC-Record-ID")})
    return request, response


def is_warc_name(path: str) -> bool:
    """Whether a file name says WARC (``.warc``, ``.warc.gz``)."""
    return path.lower().endswith((".warc", ".warc.gz"))


def read_pages(path: Path) -> Iterator[WarcPage]:
    """Every HTML ``response`` record of the WARC file at ``path``, in file order.

    :raises CaptureFailed: when the file is not a WARC file warcio can read.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from archivist.provenance import open_regular, source_error

    try:
        stream = os.fdopen(open_regular(path), "rb")
    except OSError as err:
        raise source_error(str(path), err) from None
    try:
        with stream:
            records = ArchiveIterator(stream, check_digests=False)
            for record in records:
                page = _page(record, records.get_record_offset)
                if page is not None:
                    yield page
    except ArchiveLoadFailed as err:
        raise CaptureFailed(f"{path} is not a WARC file archivist can read: "
                            f"{err}") from None
    except OSError as err:
        raise source_error(str(path), err) from None


def _page(record: Any, offset_of: Any) -> WarcPage | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = record.http_headers.get_header("Content-Type")
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in HTML_TYPES:
        return None
    status = record.http_headers.get_statuscode()
    if not str(status).startswith("2"):
        return None
    headers = record.rec_headers
    # Read before asking the offset: warcio knows it only once the record is read.
    body = record.content_stream().read()
    return WarcPage(url=headers.get_header("WARC-Target-URI") or "",
                    offset=int(offset_of()),
                    record_id=headers.get_header("WARC-Record-ID") or "",
                    date=headers.get_header("WARC-Date") or "",
                    content_type=content_type, body=body)
