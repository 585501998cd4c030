"""Tagging commands: tag, untag, tags, tags rename; and the --where of bulk edits."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from archivist.cli.base import Env, cli, complete_ids, complete_tags, emit, pass_env
from archivist.cli.output import format_option, render

if TYPE_CHECKING:
    from archivist.bulk import Edit, Plan


def where_options(func: Any) -> Any:
    """``--where QUERY`` and ``--yes``, shared by tag, untag and set."""
    options = [
        click.option("--where", metavar="QUERY",
                     help="Change every record this query selects (as `archivist list "
                          "'QUERY'` lists them) instead of one ID."),
        click.option("--yes", "-y", is_flag=True,
                     help="With --where: change them without asking (needed when stdin "
                          "is not a terminal)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def stdin_is_terminal() -> bool:
    """Whether there is someone at a terminal to ask."""
    return sys.stdin.isatty()


def complete_id_then_tags(ctx: click.Context, param: click.Parameter, incomplete: str
                          ) -> list[Any]:
    """Shell completion of ``[ID] TAG…``: an id first, unless --where names the records."""
    if ctx.params.get("where") or ctx.params.get("words"):
        return complete_tags(ctx, param, incomplete)
    return complete_ids(ctx, param, incomplete)


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count:,} records"


def _show(planned: Plan) -> None:
    """What a bulk edit changes, one line per record, on stderr."""
    from archivist.bulk import describe
    from archivist.display import escape

    if not planned.matched:
        click.echo(f"no record matches {escape(repr(planned.query))}; nothing was changed",
                   err=True)
    elif not planned.changes:
        click.echo(f"{_records(planned.matched)} match {escape(repr(planned.query))}; none "
                   "would change", err=True)
    for change in planned.changes:
        click.echo(describe(change), err=True)


def run_bulk(env: Env, query: str, edit: Edit, yes: bool,
             refuse: Callable[[], None] | None = None) -> None:
    """A bulk edit from the command line: shown, confirmed (unless ``yes``), written.

    :param refuse: the command's own checks of its values, run before the library's.
    """
    from archivist import bulk

    if not yes and not stdin_is_terminal():
        raise click.ClickException(f"{edit.action} --where changes many records: give --yes "
                                   "to change them without asking (stdin is not a "
                                   "terminal); nothing was changed")
    if refuse is not None:
        refuse()
    bulk.check_edit(edit)
    if not query.strip():
        raise click.ClickException("--where needs a query (`--where 'id:*'` selects every "
                                   "record)")
    if yes:
        with env.writing() as archive:
            planned = bulk.plan(archive, query, edit)
            bulk.apply(archive, planned)
        _show(planned)
    else:
        # Read as a dry run: declined, it leaves every file as it was.
        with env.reading(dry_run=True) as archive:
            planned = bulk.plan(archive, query, edit)
        _show(planned)
        if not planned.changes:
            return
        if not click.confirm(f"Change {_records(len(planned.changes))}?", default=False,
                             err=True):
            raise click.ClickException("not confirmed; nothing was changed")
        with env.writing() as archive:
            planned = bulk.apply_confirmed(archive, planned)
    if planned.changes:
        click.echo(f"changed {len(planned.changes):,} of the {_records(planned.matched)} "
                   "the query selects, in one change (`archivist undo` reverts it)", err=True)


def _split(words: tuple[str, ...], where: str | None, yes: bool, what: str
           ) -> tuple[str | None, tuple[str, ...]]:
    """``ID VALUE…`` or, with --where, ``VALUE…``: the id (``None``) and the values."""
    if where is not None:
        return None, words
    if yes:
        raise click.UsageError("--yes goes with --where")
    if len(words) < 2:
        raise click.UsageError(f"give an ID and {what}, or --where QUERY and {what}")
    return words[0], words[1:]


@cli.command()
@click.argument("words", nargs=-1, required=True, metavar="[ID] TAG…",
                shell_complete=complete_id_then_tags)
@where_options
@pass_env
def tag(env: Env, words: tuple[str, ...], where: str | None, yes: bool) -> None:
    """Add tags to a record, or to every record --where QUERY selects (a tag the
    archive has is spelled as it was first given).

    \b
    Examples:
      archivist tag weiss-2021-dear-comrades film stalinism
      archivist tag --where kind:film cinema
    """
    record_id, tags = _split(words, where, yes, "tags")
    if record_id is None:
        from archivist.bulk import Edit

        run_bulk(env, str(where), Edit("tag", tags), yes)
        return
    from archivist.editing import with_tags

    with env.writing() as archive:
        archive.update(with_tags(archive.get(record_id), tags), action="tag")


@cli.command()
@click.argument("words", nargs=-1, required=True, metavar="[ID] TAG…",
                shell_complete=complete_id_then_tags)
@where_options
@pass_env
def untag(env: Env, words: tuple[str, ...], where: str | None, yes: bool) -> None:
    """Remove tags from a record, or from every record --where QUERY selects that has
    them (matched case-insensitively).

    \b
    Examples:
      archivist untag weiss-2021-dear-comrades Film
      archivist untag --where 'tag:draft date:..2000' draft
    """
    record_id, tags = _split(words, where, yes, "tags")
    if record_id is None:
        from archivist.bulk import Edit

        run_bulk(env, str(where), Edit("untag", tags), yes)
        return
    from archivist.editing import without_tags

    with env.writing() as archive:
        archive.update(without_tags(archive.get(record_id), tags), action="untag")


@cli.group(invoke_without_command=True)
@format_option("table", "json")
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

    def table() -> None:
        from archivist.display import escape
        from archivist.exporters.tables import simple_table

        if counts:
            emit(simple_table([[escape(t), str(n)] for t, n in counts], ["tag", "count"])
                 + "\n")

    render(fmt, lambda: [{"tag": t, "count": n} for t, n in counts], table)


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
