"""Curating the archive: undo, redo, rename, duplicates, merge."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from archivist.cli.base import (
    Env,
    cli,
    complete_ids,
    emit,
    pass_env,
    query_command,
    stdout_width,
)
from archivist.cli.output import format_option, render

if TYPE_CHECKING:
    from archivist.duplicates import Group
    from archivist.store import Archive
    from archivist.undo import Reverted

F = TypeVar("F", bound=Callable[..., Any])


def walk_options(would: str) -> Callable[[F], F]:
    """The arguments undo and redo share: ``[N]``, ``--dry-run`` and ``--format``.

    :param would: what a dry run says would be done to the changes ("reverted").
    """
    def add(func: F) -> F:
        func = format_option("text", "json", description="text for people; json lists the "
                                                         "changes on stdout.")(func)
        func = click.option("--dry-run", is_flag=True,
                            help=f"Say what would be {would}; change nothing.")(func)
        return click.argument("count", metavar="[N]", type=click.IntRange(min=1),
                              default=1)(func)

    return add


@cli.command()
@walk_options("reverted")
@pass_env
def undo(env: Env, count: int, dry_run: bool, fmt: str) -> None:
    """Take back the last N changes (default 1); the undo is itself a change.

    Run again, undo walks further back; `archivist redo` walks forward again.
    Refused, changing nothing, when the archive is no longer as a change left it.

    \b
    Examples:
      archivist undo
      archivist undo 3 --dry-run
      archivist undo --format json
    """
    from archivist.undo import undo as take_back

    _walk(env, take_back, count, dry_run, fmt, ("would revert", "reverted"))


@cli.command()
@walk_options("redone")
@pass_env
def redo(env: Env, count: int, dry_run: bool, fmt: str) -> None:
    """Make again the last N changes undone (default 1); the redo is itself a change.

    Only changes undone since the last other change can be redone: a new change
    after an undo discards them, as in an editor.

    \b
    Examples:
      archivist undo 2
      archivist redo
      archivist redo --dry-run
    """
    from archivist.undo import redo as make_again

    _walk(env, make_again, count, dry_run, fmt, ("would redo", "redid"))


def _walk(env: Env, step: Callable[[Archive, int], list[Reverted]], count: int,
          dry_run: bool, fmt: str, verbs: tuple[str, str]) -> None:
    """Run undo or redo, then say what was (or would be) done."""
    if dry_run:
        with env.reading(dry_run=True) as archive:
            done = step(archive, count)
    else:
        with env.writing() as archive:
            done = step(archive, count)

    def text() -> None:
        from archivist.display import escape

        verb = verbs[0] if dry_run else verbs[1]
        for item in done:
            line = f"{verb} change {item.change} ({escape(item.command)}): " + "; ".join(
                escape(part) for part in item.steps)
            # A dry run's report is its output; a real undo only tells what it did.
            click.echo(line, err=not dry_run)

    render(fmt, lambda: [r.to_dict() for r in done], text)


@cli.command()
@click.argument("old", metavar="OLD", shell_complete=complete_ids)
@click.argument("new", metavar="NEW")
@pass_env
def rename(env: Env, old: str, new: str) -> None:
    """Give record OLD the id NEW, in its links and everywhere else ids are kept.

    `history OLD` and `history NEW` both show the whole story; `archivist undo`
    renames back.  Prints the new id on stdout.

    \b
    Examples:
      archivist rename weiss-2021-dear-comrades-2 weiss-2021-dear-comrades-film
      archivist show "$(archivist rename a1b2 konchalovsky-2020-dear-comrades)"
    """
    from archivist.renaming import rename as give_id

    with env.writing() as archive:
        done = give_id(archive, old, new)
    click.echo(done.summary(), err=True)
    click.echo(done.new)


@query_command()
@format_option("table", "json")
@click.option("--distinct", nargs=2, metavar="A B", shell_complete=complete_ids,
              help="Deprecated spelling of `archivist distinct A B`.")
@pass_env
def duplicates(env: Env, query: tuple[str, ...], fmt: str,
               distinct: tuple[str, str] | None) -> None:
    """Find groups of exact and likely duplicate records (among those matching QUERY).

    Exact: the same source bytes and lines, or the same URL.  Likely: the same
    title and subtitle, with year and first creator not disagreeing.  Records
    linked duplicate-of are shown as confirmed until they are merged.

    \b
    Examples:
      archivist duplicates
      archivist duplicates kind:article --format json
      archivist distinct weiss-2021-part-1 weiss-2021-part-2
      archivist merge weiss-2021-dear-comrades weiss-2021-dear-comrades-2
    """
    if distinct:
        if query:
            raise click.UsageError("--distinct takes no QUERY")
        click.echo("note: `duplicates --distinct A B` is now `archivist distinct A B`",
                   err=True)
        _mark_distinct(env, *distinct)
        return
    from archivist.duplicates import duplicates as find
    from archivist.duplicates import record_titles

    with env.reading() as archive:
        groups = find(archive, query)
        docs = record_titles(archive, groups)
    render(fmt, lambda: [g.to_dict(docs) for g in groups],
           lambda: _duplicates_table(groups, docs))


def _duplicates_table(groups: list[Group], docs: dict[str, dict[str, Any]]) -> None:
    """The groups for people: one row per record, numbered by group."""
    from archivist.display import cell
    from archivist.exporters.tables import table_text

    rows = []
    for number, group in enumerate(groups, 1):
        for record_id in group.ids:
            doc = docs[record_id.lower()]
            rows.append([str(number), f"{group.score:.2f}", group.kind, cell(group.reason),
                         record_id, cell(doc.get("date")), cell(doc.get("title"))])
    if rows:
        # Fitted to the terminal as list is: reasons and titles give way, ids never do.
        emit(table_text(rows, ["group", "score", "kind", "reason", "id", "date", "title"],
                        max_width=stdout_width(), keep=("group", "score", "id")))
    else:
        click.echo("no duplicates found", err=True)


@cli.command()
@click.argument("keep", metavar="KEEP", shell_complete=complete_ids)
@click.argument("others", nargs=-1, required=True, metavar="OTHER…",
                shell_complete=complete_ids)
@click.option("--dry-run", is_flag=True, help="Show the merged record; change nothing.")
@format_option("text", "json", "yaml", description="How --dry-run shows the merged record.")
@pass_env
def merge(env: Env, keep: str, others: tuple[str, ...], dry_run: bool, fmt: str) -> None:
    """Merge OTHER records into KEEP without loss, then remove them.

    KEEP's values win; OTHER's differing values go to KEEP's fields.merged.<id>,
    missing ones are filled in, tags and creators are united, links re-pointed.
    Undo with `archivist undo`.

    \b
    Examples:
      archivist merge weiss-2021-dear-comrades weiss-2021-dear-comrades-2
      archivist merge weiss-2021-dear-comrades weiss-2021-dear-comrades-2 --dry-run
    """
    from archivist.merging import merge as merge_records

    if not dry_run:
        with env.writing() as archive:
            result = merge_records(archive, keep, others)
        click.echo(f"merged {', '.join(result.merged)} into {result.record.id} "
                   f"({len(result.repointed)} link(s) re-pointed, {len(result.dropped)} "
                   "dropped)", err=True)
        return
    from archivist.listing import to_interchange

    with env.reading(dry_run=True) as archive:
        result = merge_records(archive, keep, others)
        record = to_interchange(archive, [archive.document(result.record.id)])[0]
        if fmt == "text":
            from archivist.links import link_summary

            links = link_summary(archive, result.record.id)

    def text() -> None:
        from archivist.display import show_text

        click.echo(show_text(record, links))

    # json tells what the merge did, with the record; yaml is the record, to re-import.
    render(fmt, lambda: {**result.to_dict(), "record": record} if fmt == "json" else record,
           text)


@cli.command()
@click.argument("first", metavar="A", shell_complete=complete_ids)
@click.argument("second", metavar="B", shell_complete=complete_ids)
@pass_env
def distinct(env: Env, first: str, second: str) -> None:
    """Remember that records A and B are not duplicates; they are never grouped again.

    The pair is kept in both records' `archive.distinct` list; `undo` forgets it.

    \b
    Examples:
      archivist distinct wsws-history-part-1 wsws-history-part-2
      archivist undo
    """
    _mark_distinct(env, first, second)


def _mark_distinct(env: Env, first: str, second: str) -> None:
    from archivist.duplicates import mark_distinct

    with env.writing() as archive:
        changed = mark_distinct(archive, first, second)
    click.echo(f"{first} and {second} are " + ("now marked distinct" if changed
                                               else "already marked distinct"), err=True)
