"""Commands about the archive as a whole: info and history."""

from __future__ import annotations

import click

from archivist.cli.base import Env, cli, complete_ids, emit, pass_env, stdout_width
from archivist.cli.output import format_option, render


@cli.command()
@format_option("text", "json")
@pass_env
def info(env: Env, fmt: str) -> None:
    """Say which archive file is in use and why, its size and what it holds.

    \b
    Examples:
      archivist info
      ARCHIVIST_DB=demo.json archivist info --format json
    """
    from archivist.config import archive_info

    with env.reading(quiet=True) as archive:
        facts = archive_info(archive, env.origin)

    def text() -> None:
        for key, value in facts.items():
            if key == "size":
                value = "(does not exist yet)" if value is None else f"{value} bytes"
            elif key == "id" and value is None:
                value = "(none yet: the archive gets one at its next change)"
            click.echo(f"{key.replace('_', ' ') + ':':<10} {value}")

    render(fmt, lambda: facts, text)


@cli.command()
@click.argument("record_id", metavar="[ID]", required=False, shell_complete=complete_ids)
@click.option("--limit", "-n", type=click.IntRange(min=0), help="Show the newest N entries.")
@format_option("table", "json")
@pass_env
def history(env: Env, record_id: str | None, limit: int | None, fmt: str) -> None:
    """Show the log of changes, newest first: time, user, command, record, before/after.

    \b
    Examples:
      archivist history
      archivist history weiss-2021-dear-comrades --format json
      archivist history --limit 5
    """
    from archivist.history import history_rows

    with env.reading() as archive:
        entries = archive.history(record_id)
    entries.reverse()
    if record_id is not None and not entries:
        # Not an error: a record removed long ago, or one not yet made, has no history.
        click.echo(f"note: no history for {record_id!r}", err=True)
    if limit is not None:
        entries = entries[:limit]

    def table() -> None:
        from archivist.exporters.tables import table_text

        if entries:
            # Fitted to the terminal as list is: what changed gives way, ids never do.
            emit(table_text(history_rows(entries),
                            ["#", "time", "user", "action", "record", "change"],
                            max_width=stdout_width(), keep=("#", "record"),
                            last=("time", "user", "action")))

    render(fmt, lambda: entries, table)
