"""The ``publish`` command: the archive as a static website."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archivist.cli.base import Env, pass_env, query_command


class _Bar:
    """A progress bar of record pages on stderr, shown only when stderr is a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int) -> None:
        if sys.stderr.isatty() and total:
            self._bar = click.progressbar(length=total, label="writing pages",
                                          file=sys.stderr)
            self._bar.__enter__()

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _needs_jinja() -> None:
    try:
        import jinja2  # noqa: F401
    except ImportError:
        raise click.ClickException("publish needs Jinja2: pip install 'archivist[web]' "
                                   "(nothing was written)") from None


@query_command("publish")
@click.option("--output", "-o", "output", metavar="DIR", required=True,
              help="The folder to write the site to: a new or empty folder, or a site "
                   "published before (replaced whole).")
@click.option("--title", metavar="TEXT",
              help="The site's title (default: the archive file's name).")
@click.option("--copy-sources", is_flag=True,
              help="Copy each record's source file into the site and link to it.")
@click.option("--no-graphs", is_flag=True,
              help="Do not draw link graphs, even where Graphviz is installed.")
@pass_env
def publish_(env: Env, query: tuple[str, ...], output: str, title: str | None,
             copy_sources: bool, no_graphs: bool) -> None:
    """Write the archive (all, or the records QUERY selects) as a static website in DIR.

    The site needs no server and no network: open DIR/index.html in a browser, from
    a USB stick as well as over HTTP.  It has a search, pages per kind, tag, creator,
    publisher and decade, and a page per record with its links and provenance.

    \b
    Examples:
      archivist publish -o site
      archivist publish -o site --title "Workers' movement archive" --copy-sources
      archivist publish tag:film -o film-site
    """
    _needs_jinja()
    from archivist.publish import PublishOptions, publish

    options = PublishOptions(query=query, title=title, copy_sources=copy_sources,
                             graphs=not no_graphs)
    bar = _Bar()
    try:
        with env.reading() as archive:
            result = publish(archive, Path(output), options, progress=bar.advance,
                             on_count=bar.start)
    finally:
        bar.finish()
    noun = "record" if result.records == 1 else "records"
    click.echo(f"published {result.records} {noun} ({result.pages} pages) to {result.path}",
               err=True)
    click.echo(result.path.resolve() / "index.html")
