"""Capturing web pages: a URL fetched into a WARC file, a saved page, or the pages a
WARC file holds, each described from its own metadata and added as a record.

:func:`capture` is the one library call behind ``archivist capture``.  Every input is
fetched and read first; only then are records added, each through
:func:`archivist.editing.add_record` exactly as ``add --file [--copy]`` adds one, so a
capture has the same validation, history and undo as ``add``.  A capture that fails
leaves no file behind in the archive's ``sources/`` folder: beside the archive file,
or under the sources folder an archive in PostgreSQL remembers.

Its libraries (httpx, warcio, lxml: the ``archivist[web]`` extra) are imported only
by the modules of this package, inside the functions that use them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archivist.capture.fetch import FetchLimits, check_url
from archivist.errors import CaptureFailed
from archivist.store import sources_folder

#: The kind a captured page gets unless told otherwise.
DEFAULT_KIND = "web-page"
#: The names of the files read as saved pages.
SAVED_PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
# Messages speak of the request's own parameters; the command line names its options
# instead (archivist.cli.capturing).
URL_PICKS = "a url picks a page from a WARC file"
ONE_TITLE = "a title names one page"
GIVE_TITLE = "give it a title"
SIZE_HINT = "(the max_size limit)"


@dataclass(frozen=True)
class CaptureRequest:
    """What ``capture`` was asked for.

    :param inputs: URLs (http, https), saved pages (``.html``/``.htm``) and WARC files.
    :param url: with WARC inputs, capture only the response for this URL.
    :param copy: keep a copy of each saved page or WARC file in ``sources/`` (a
        fetched URL's WARC file is always kept there).
    :param dry_run: describe everything, add the records to the open archive (which
        the caller does not write), and keep no file.
    """

    inputs: tuple[str, ...]
    kind: str | None = None
    tags: tuple[str, ...] = ()
    title: str | None = None
    url: str | None = None
    copy: bool = False
    dry_run: bool = False
    limits: FetchLimits = field(default_factory=FetchLimits)


@dataclass
class Planned:
    """One record to add: its values, custom fields and source file."""

    origin: str
    kind: str
    values: dict[str, Any]
    fields: dict[str, Any]
    file: str
    copy: bool
    retrieved: str | None = None
    #: Where the page's response record starts in its WARC file.
    offset: int | None = None


@dataclass(frozen=True)
class Captured:
    """A record added by a capture, and the input it came from."""

    origin: str
    record: Any


def input_kind(text: str) -> str:
    """``url``, ``warc`` or ``page`` for one input.

    :raises CaptureFailed: for anything else, saying what is accepted.
    """
    from archivist.capture.warcfile import is_warc_name

    if "://" in text:
        return "url"
    if is_warc_name(text):
        return "warc"
    if text.lower().endswith(SAVED_PAGE_SUFFIXES):
        return "page"
    raise CaptureFailed(f"cannot capture {text!r}: give an http or https URL, a saved "
                        "page (.html, .htm) or a WARC file (.warc, .warc.gz)")


def capture(request: CaptureRequest, opening: Callable[[], AbstractContextManager[Any]]
            ) -> list[Captured]:
    """Capture every input of ``request``, then add the records to the archive that
    ``opening()`` opens for writing.

    Every input is fetched and read before the archive is opened, so a slow server
    never keeps the archive locked from other commands.

    :param opening: opens the archive (``lambda: open_archive(path, write=True)``; a
        dry run passes one that is never written).
    :raises CaptureFailed: for an input that cannot be fetched or read (nothing is
        added then).
    :raises ArchivistError: for a value the record rules refuse, as ``add`` does.
    """
    kinds = _check_request(request)
    with tempfile.TemporaryDirectory(prefix="archivist-capture-") as scratch:
        planned: list[Planned] = []
        in_warcs: list[str] = []
        for text, kind in zip(request.inputs, kinds):
            planned += _plan(text, kind, request, Path(scratch), in_warcs)
        if request.url is not None and not any(p.kind == "warc" for p in planned):
            raise CaptureFailed(_not_in_warcs(request.url, in_warcs))
        if request.title is not None and len(planned) > 1:
            raise CaptureFailed(f"{ONE_TITLE}, and {len(planned)} were found")
        with opening() as archive:
            if "url" in kinds and sources_folder(archive) is None and not request.dry_run:
                raise CaptureFailed(
                    "a captured URL's WARC file is kept in the archive's sources/ "
                    "folder, and an archive in memory has none (nothing was written)")
            with _no_copies_left_on_failure(archive):
                described: dict[tuple[str, bool], Any] = {}
                return [_add(archive, item, request, described) for item in planned]


def _check_request(request: CaptureRequest) -> list[str]:
    """Refuse what can be refused before anything is fetched (a typo should not cost a
    download); returns the kind of each input."""
    from archivist.models import check_kind, check_tag

    if request.kind is not None:
        check_kind(request.kind)
    for tag in request.tags:
        check_tag(tag)
    kinds = [input_kind(text) for text in request.inputs]
    if request.url is not None and "warc" not in kinds:
        raise CaptureFailed(f"{URL_PICKS}; no WARC file was given")
    for text, kind in zip(request.inputs, kinds):
        if kind == "url":
            check_url(text)
    return kinds


def _plan(text: str, kind: str, request: CaptureRequest, scratch: Path,
          in_warcs: list[str]) -> list[Planned]:
    if kind == "url":
        return [_plan_url(text, request, scratch)]
    if kind == "warc":
        return _plan_warc(text, request, in_warcs)
    return [_plan_page(text, request)]


def _not_in_warcs(url: str, in_warcs: list[str]) -> str:
    """Why ``--url`` found nothing, with a few of the URLs there are."""
    shown = ", ".join(in_warcs[:3]) + (", …" if len(in_warcs) > 3 else "")
    return (f"no WARC file given holds an HTML response for {url} (they hold "
            f"{len(in_warcs)}: {shown}; nothing was written)")


def _plan_url(url: str, request: CaptureRequest, scratch: Path) -> Planned:
    """Fetch ``url`` into a WARC file in ``scratch`` and describe the page."""
    from archivist.capture.fetch import fetch
    from archivist.capture.warcfile import warc_date, write_capture

    fetched = fetch(url, request.limits)
    page = fetched.page
    path = scratch / f"capture-{len(list(scratch.iterdir()))}.warc"
    with open(path, "wb") as out:
        offset = write_capture(fetched, out, path.name)
    description = _describe_response(page.decoded_body(request.limits.max_size),
                                     page.header("Content-Type"))
    fields = _located(description, page.url, "final URL after redirects")
    fields.update({"url_requested": url, "captured_at": warc_date(page.started)})
    return Planned(url, "url", description.values, fields, str(path),
                   copy=not request.dry_run, retrieved=_utc_day(page.started), offset=offset)


def _located(description: Any, url: str, how: str) -> dict[str, Any]:
    """Give a captured page the URL it was captured from, said by ``how``; the one the
    page states for itself, when another, is kept as ``url_stated``.

    :returns: the description's fields, to add to.
    """
    stated = description.values.pop("url", None)
    description.values["url"] = url
    description.captured_from["url"] = how
    fields: dict[str, Any] = description.fields
    if stated not in (None, url):
        fields["url_stated"] = stated
    return fields


def _describe_response(body: bytes, content_type: str | None) -> Any:
    """A fetched page's description; a response that is not HTML (a PDF, an image)
    states nothing archivist reads, and keeps only its media type."""
    from archivist.capture.metadata import PageDescription, describe_page
    from archivist.capture.warcfile import HTML_TYPES

    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in HTML_TYPES:
        return PageDescription(fields={"content_type": content_type})
    return describe_page(body, content_type)


def _plan_warc(path: str, request: CaptureRequest, in_warcs: list[str]) -> list[Planned]:
    """Describe each HTML response in the WARC file (or those for ``--url``).

    :param in_warcs: gets the URL of every HTML response read, for a message.
    """
    from archivist.capture.metadata import describe_page
    from archivist.capture.warcfile import read_pages

    found = []
    before = len(in_warcs)
    for page in read_pages(Path(path)):
        in_warcs.append(page.url)
        if request.url is not None and page.url != request.url:
            continue
        description = describe_page(page.body, page.content_type)
        fields = _located(description, page.url, "WARC-Target-URI")
        fields.update({"captured_at": page.date, "warc_record_id": page.record_id})
        found.append(Planned(f"{path}@{page.offset}", "warc", description.values, fields,
                             path, copy=request.copy and not request.dry_run,
                             retrieved=_day_of(page.date), offset=page.offset))
    if len(in_warcs) == before:
        raise CaptureFailed(f"{path} holds no HTML response (nothing was written)")
    return found


def _plan_page(path: str, request: CaptureRequest) -> Planned:
    """Describe a saved page; the file itself is the source."""
    from archivist.capture.metadata import describe_page
    from archivist.provenance import display_path, open_regular, source_error

    try:
        # Opened as add opens a source: a FIFO or a folder is refused, never waited on.
        with os.fdopen(open_regular(path), "rb") as page:
            body = page.read(request.limits.max_size + 1)
    except OSError as err:
        raise source_error(path, err) from None
    if len(body) > request.limits.max_size:
        raise CaptureFailed(f"{display_path(path)} is over the limit of "
                            f"{request.limits.max_size} bytes {SIZE_HINT}")
    description = describe_page(body)
    return Planned(path, "page", description.values, description.fields, path,
                   copy=request.copy and not request.dry_run)


def _utc_day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d")


def _day_of(warc_date: str) -> str | None:
    """The day of a ``WARC-Date`` (``None`` when it is not one: a date archivist
    cannot read is no retrieval date)."""
    from archivist.capture.metadata import stated_day

    day = stated_day(warc_date)
    return day if day is not None and len(day) == 10 else None


def _add(archive: Any, item: Planned, request: CaptureRequest,
         described: dict[tuple[str, bool], Any]) -> Captured:
    """Add one planned record exactly as ``add --file`` would.

    :param described: the sources described so far, by file and copy: the pages of
        one WARC file share its source, hashed (and copied) once, each with its own
        retrieval day.
    """
    from dataclasses import replace

    from archivist.editing import NewRecord, add_record
    from archivist.provenance import display_path

    values = {**item.values, "kind": request.kind or DEFAULT_KIND,
              "tags": request.tags}
    if request.title is not None:
        values["title"] = request.title
        item.fields.get("captured_from", {}).pop("title", None)
    if not values.get("title"):
        raise CaptureFailed(f"{display_path(item.origin)} states no title: {GIVE_TITLE} "
                            "(nothing was written)")
    known = described.get((item.file, item.copy))
    record = add_record(archive, NewRecord(
        values=values, fields=item.fields, file=item.file, retrieved=item.retrieved,
        copy=item.copy, offset=item.offset,
        source=None if known is None else replace(known, retrieved=item.retrieved)))
    described[(item.file, item.copy)] = record.source
    if request.dry_run and item.kind == "url":
        record = _as_it_would_be_kept(record, item.file)
    return Captured(item.origin, record)


def _as_it_would_be_kept(record: Any, scratch_file: str) -> Any:
    """A dry run's record, its WARC file named as a real capture would keep it."""
    from dataclasses import replace

    from archivist.provenance import SOURCES_FOLDER, copy_name

    source = record.source
    kept = f"{SOURCES_FOLDER}/{copy_name(source.sha256, scratch_file)}"
    return record.with_changes(source=replace(source, path=kept))


@contextlib.contextmanager
def _no_copies_left_on_failure(archive: Any) -> Iterator[None]:
    """Remove the copies this capture made in ``sources/`` if it fails, so a failed
    capture leaves every file beside the archive as it was."""
    from archivist.provenance import SOURCES_FOLDER

    base = sources_folder(archive)
    folder = None if base is None else base / SOURCES_FOLDER
    existed = folder is not None and folder.is_dir()
    before = set(os.listdir(folder)) if folder is not None and existed else set()
    try:
        yield
    except BaseException:
        if folder is not None and folder.is_dir():
            for name in set(os.listdir(folder)) - before:
                with contextlib.suppress(OSError):
                    os.unlink(folder / name)
            if not existed:
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
