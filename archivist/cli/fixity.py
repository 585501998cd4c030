"""Commands that prove the archive: verify (fixity of the sources) and check (integrity)."""

from __future__ import annotations

import sys
from typing import Any

import click

from archivist.cli.base import Env, cli, pass_env, query_command
from archivist.cli.output import format_option, render


class ProgressBar:
    """A progress bar on stderr (of bytes hashed, unless ``label`` says otherwise), for
    a command that shows it only when stderr is a terminal."""

    def __init__(self, label: str = "hashing", *, show_pos: bool = False) -> None:
        self._bar: Any = None
        self._label, self._show_pos = label, show_pos

    def start(self, total: int) -> None:
        self._bar = click.progressbar(length=max(total, 1), label=self._label,
                                      file=sys.stderr, show_pos=self._show_pos,
                                      show_percent=True, show_eta=True)
        self._bar.__enter__()

    def advance(self, n: int) -> None:
        self._bar.update(n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@query_command()
@format_option("text", "json", description="text: one line per record; json: an array of "
                                           "results.")
@pass_env
def verify(env: Env, query: tuple[str, ...], fmt: str) -> None:
    """Re-hash the source files and report each record as ok, changed, missing or unreadable.

    Every record with a source (or those QUERY selects) is checked; relative source
    paths start at the archive file's folder.  The result is stored on each record
    (see `show`, and `list fixity:changed`) and the run is logged in the history.
    Exits 1 when any source is not ok.

    \b
    Examples:
      archivist verify
      archivist verify tag:film
      archivist list fixity:changed
      archivist verify --format json | jq '.[] | select(.result != "ok")'
    """
    from archivist.errors import VerifyFailed
    from archivist.fixity import report_lines
    from archivist.fixity import verify as run_verify

    progress = ProgressBar() if sys.stderr.isatty() else None
    # Hash and store inside the write, then fail after it has committed: results that
    # are not ok must be recorded too.
    with env.writing() as archive:
        report = run_verify(archive, query, progress=progress)

    def text() -> None:
        for line in report_lines(report):
            click.echo(line)

    render(fmt, lambda: [item.to_dict() for item in report.results], text)
    if not report.ok:
        raise VerifyFailed(report.summary())
    click.echo(report.summary(), err=True)


@cli.command()
@click.option("--verify", "rehash", is_flag=True,
              help="Also re-hash every source file and compare it with its recorded hash.")
@pass_env
def check(env: Env, rehash: bool) -> None:
    """Check the integrity of the whole archive, changing nothing.

    Checks that every record is valid, ids are unique (ignoring case), links are well
    formed with both ends present and stored once, part-of, replaces and precedes
    have no cycle, source files are present, the history is in order, and no
    temporary file was left by an interrupted write.  Prints one line per problem
    and exits 1 when there is any.

    \b
    Examples:
      archivist check
      archivist check --verify
    """
    from archivist.integrity import check_archive

    report, exists = check_archive(env.location, verify=rehash)
    if not exists:
        click.echo(f"note: the archive {env.shown} does not exist yet", err=True)
    for problem in report.problems:
        click.echo(problem)
    if not report.ok:
        raise click.ClickException(report.summary())
    click.echo(report.summary(), err=True)
