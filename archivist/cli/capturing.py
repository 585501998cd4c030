"""Capturing web pages into the archive: capture."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from archivist.cli.base import Env, cli, emit, pass_env

if TYPE_CHECKING:
    from archivist.capture import CaptureRequest

# The defaults of the fetch limits, repeated here so that `--help` loads no more than
# the command line (they are checked against the library's by the tests).
CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 60.0
MAX_SIZE = 50 * 1024 * 1024


def _needs_web_extra() -> None:
    missing = []
    for module in ("httpx", "warcio", "lxml"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise click.ClickException(f"capture needs {', '.join(missing)}: pip install "
                                   "'archivist[web]' (nothing was written)")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="URL|FILE…")
@click.option("--kind", help="What the pages are (default: web-page).")
@click.option("--tag", "tags", multiple=True, help="A tag for every page; repeat for "
                                                   "several.")
@click.option("--title", help="The title, instead of the one the page states (one page "
                              "only).")
@click.option("--url", metavar="URL", help="From a WARC file, capture only the response "
                                           "for this URL.")
@click.option("--copy", is_flag=True, help="Keep a copy of each saved page or WARC file "
                                           "in the archive's sources/ folder (a fetched "
                                           "URL's WARC file is always kept there).")
@click.option("--connect-timeout", type=click.FloatRange(min=0, min_open=True),
              default=CONNECT_TIMEOUT, show_default=True, metavar="SECONDS",
              help="Give up when a connection takes longer than this.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              default=TOTAL_TIMEOUT, show_default=True, metavar="SECONDS",
              help="Give up when fetching a URL, redirects and body included, takes "
                   "longer than this.")
@click.option("--max-size", type=click.IntRange(min=1), default=MAX_SIZE,
              metavar="BYTES", help="Refuse a body (or saved page) larger than this; "
                                    "enforced while it arrives.  [default: 52428800 "
                                    "(50 MiB)]")
@click.option("--dry-run", is_flag=True, help="Fetch and describe, print the records as "
                                              "YAML; keep nothing and change nothing.")
@pass_env
def capture(env: Env, inputs: tuple[str, ...], kind: str | None, tags: tuple[str, ...],
            title: str | None, url: str | None, copy: bool, connect_timeout: float,
            timeout: float, max_size: int, dry_run: bool) -> None:
    """Capture web pages and describe them from their own metadata; print each new
    record's id.

    A URL (http or https) is fetched into a WARC file kept in the archive's sources/
    folder; a saved page (.html, .htm) or a WARC file (.warc, .warc.gz: one record per
    HTML response) is described as it is.  Undo with `archivist undo`.

    \b
    Examples:
      archivist capture https://www.marxist.com/russia-masses-on-the-streets.htm
      archivist capture page.html --copy --tag protests
      archivist capture crawl.warc.gz --url https://www.wsws.org/en/topics/
      archivist capture https://example.org/ --timeout 20 --max-size 10000000 --dry-run
    """
    _needs_web_extra()
    from archivist.capture import CaptureRequest
    from archivist.capture.fetch import FetchLimits
    from archivist.errors import CaptureFailed

    request = CaptureRequest(
        inputs=inputs, kind=kind, tags=tags, title=title, url=url, copy=copy,
        dry_run=dry_run, limits=FetchLimits(connect_timeout, timeout, max_size))
    try:
        _capture(env, request)
    except CaptureFailed as err:
        raise CaptureFailed(_named_options(str(err))) from None


def _named_options(message: str) -> str:
    """A capture's message naming the options where the library names its parameters."""
    from archivist.capture import GIVE_TITLE, ONE_TITLE, SIZE_HINT, URL_PICKS

    for said, option in ((URL_PICKS, "--url picks a page from a WARC file"),
                         (ONE_TITLE, "--title names one page"),
                         (GIVE_TITLE, "give one with --title"), (SIZE_HINT, "(--max-size)")):
        message = message.replace(said, option)
    return message


def _capture(env: Env, request: CaptureRequest) -> None:
    """Capture, write once and print the ids; a dry run prints the records as YAML and
    writes nothing."""
    from archivist.capture import capture as capture_pages

    if not request.dry_run:
        captured = capture_pages(request, env.writing)
        emit("".join(f"{item.record.id}\n" for item in captured))
        return
    from archivist.models import interchange
    from archivist.yamlio import dump

    captured = capture_pages(request, lambda: env.reading(quiet=True, dry_run=True))
    emit("---\n".join(dump(interchange(item.record.to_document(), with_archive=False))
                      for item in captured))
    noun = "record" if len(captured) == 1 else "records"
    click.echo(f"dry run: would add {len(captured)} {noun}; nothing was written",
               err=True)
