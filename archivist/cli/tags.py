"""Tagging commands: tag, untag, tags, tags rename."""

from __future__ import annotations

import click

from archivist.cli.base import Env, cli, complete_ids, complete_tags, emit, pass_env


@cli.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
@click.argument("tags", nargs=-1, required=True, metavar="TAG…", shell_complete=complete_tags)
@pass_env
def tag(env: Env, record_id: str, tags: tuple[str, ...]) -> None:
    """Add tags to a record (a tag the archive has is spelled as it was first given).

    \b
    Examples:
      archivist tag weiss-2021-dear-comrades film stalinism
    """
    from archivist.editing import with_tags

    with env.writing() as archive:
        archive.update(with_tags(archive.get(record_id), tags), action="tag")


@cli.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
@click.argument("tags", nargs=-1, required=True, metavar="TAG…", shell_complete=complete_tags)
@pass_env
def untag(env: Env, record_id: str, tags: tuple[str, ...]) -> None:
    """Remove tags from a record (matched case-insensitively).

    \b
    Examples:
      archivist untag weiss-2021-dear-comrades Film
    """
    from archivist.editing import without_tags

    with env.writing() as archive:
        archive.update(without_tags(archive.get(record_id), tags), action="untag")


@cli.group(invoke_without_command=True)
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.pass_context
def tags(ctx: click.Context, fmt: str) -> None:
    """List every tag with how many records carry it, sorted by tag.

    \b
    Examples:
      archivist tags
      archivist tags --format json
      archivist tags rename stalinism Stalinism
    """
    if ctx.invoked_subcommand is not None:
        return
    from archivist.tagging import tag_counts

    env = ctx.find_object(Env)
    assert env is not None
    with env.reading() as archive:
        counts = tag_counts(archive)
    if fmt == "json":
        from archivist.atomic import dumps

        emit(dumps([{"tag": t, "count": n} for t, n in counts]).decode())
        return
    from archivist.display import escape
    from archivist.exporters import simple_table

    if counts:
        emit(simple_table([[escape(t), str(n)] for t, n in counts], ["tag", "count"]) + "\n")


@tags.command()
@click.argument("old", shell_complete=complete_tags)
@click.argument("new")
@pass_env
def rename(env: Env, old: str, new: str) -> None:
    """Rename a tag on every record; merges into NEW when it exists (any case).

    \b
    Examples:
      archivist tags rename soviet-union USSR
    """
    from archivist.models import check_tag
    from archivist.tagging import rename_tag

    with env.writing() as archive:
        changed = rename_tag(archive, check_tag(old), check_tag(new))
    click.echo(f"renamed {old!r} to {new!r} on {changed} record(s)", err=True)
