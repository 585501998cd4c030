"""Commands on single records: add, show, list, set, edit, rm."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archivist.cli.base import (
    Env,
    cli,
    complete_ids,
    emit_all,
    pass_env,
    query_command,
    selection_options,
    stdout_width,
)
from archivist.cli.output import format_option, render
from archivist.cli.tags import run_bulk, where_options

if TYPE_CHECKING:
    from archivist.editing import EditFile
    from archivist.models import Record

LIST_FORMATS = ("table", "csv", "tsv", "json", "jsonl", "yaml")


def source_options(func: Any) -> Any:
    """``--file``, ``--span``, ``--retrieved`` and ``--copy``, shared by add and set."""
    options = [
        click.option("--file", type=click.Path(), metavar="PATH",
                     help="The archived file this record describes; hashed (SHA-256) and "
                          "recorded."),
        click.option("--span", metavar="A:B", help="The lines A to B of the file that this "
                                                   "record was taken from."),
        click.option("--retrieved", metavar="DATE", help="When the file was retrieved."),
        click.option("--copy", is_flag=True, help="Keep a copy of the file in the archive's "
                                                  "sources/ folder, named by its hash."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@click.option("--title", required=True, help="The title (for agents: the name).")
@click.option("--id", "record_id", help="The id; generated from creator, year and title "
                                        "when not given.")
@click.option("--kind", help="What it is: article, book, web-page, organisation… "
                             "(default: other).")
@click.option("--subtitle", help="A subtitle, e.g. 'Part two'.")
@click.option("--creator", "creators", multiple=True, help="A creator; repeat for several.")
@click.option("--date", help="YYYY, YYYY-MM, YYYY-MM-DD, with ~ ? %, or an interval A/B.")
@click.option("--publisher", help="The publisher, as the document shows it.")
@click.option("--url", help="Where it was published.")
@click.option("--language", help="Its language, e.g. en, ru, pl.")
@click.option("--summary", help="A short summary.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for several.")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help="Any other field; repeat for several.")
@click.option("--publisher-id", "publisher_ids", multiple=True, metavar="ID",
              shell_complete=complete_ids,
              help="Link the record as published-by this agent record.")
@click.option("--creator-id", "creator_ids", multiple=True, metavar="ID",
              shell_complete=complete_ids, help="Link the record as created-by this agent "
                                                "record; repeat for several.")
@source_options
@pass_env
def add(env: Env, title: str, record_id: str | None, kind: str | None, subtitle: str | None,
        creators: tuple[str, ...], date: str | None, publisher: str | None, url: str | None,
        language: str | None, summary: str | None, tags: tuple[str, ...],
        fields: tuple[str, ...], publisher_ids: tuple[str, ...], creator_ids: tuple[str, ...],
        file: str | None, span: str | None, retrieved: str | None, copy: bool) -> None:
    """Add one record and print its id.

    \b
    Examples:
      archivist add --title "Dear Comrades" --creator "Clara Weiss" --date 2021-02-09 \\
          --kind article --publisher "World Socialist Web Site" --tag film
      archivist add --title "Workers' Power" --kind organisation --date 2024/2025-05-22
      archivist add --title "Russia: masses on the streets" --kind article \\
          --file records/sources/001_ef0dc223d719c40a.txt --copy
    """
    from archivist.editing import NewRecord, add_record

    if file is None and (span is not None or retrieved is not None or copy):
        raise click.ClickException("--span, --retrieved and --copy go with --file")
    _check_retrieved(retrieved)
    request = NewRecord(
        values={"id": record_id, "kind": kind, "title": title, "subtitle": subtitle,
                "creators": creators, "date": date, "publisher": publisher, "url": url,
                "language": language, "summary": summary, "tags": tags},
        fields=field_assignments(fields), file=file, span=span, retrieved=retrieved,
        copy=copy, links=[("published-by", p) for p in publisher_ids]
        + [("created-by", c) for c in creator_ids])
    with env.writing() as archive:
        record = add_record(archive, request)
    click.echo(record.id)


def field_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """Custom fields from ``--field KEY=VALUE`` options (``fields.KEY`` also accepted);
    an empty value leaves the field out.

    :raises InvalidRecord: for a schema or reserved key (those have their own options).
    """
    from archivist.editing import parse_assignment
    from archivist.errors import InvalidRecord
    from archivist.models import INTERCHANGE_KEYS, RESERVED_KEYS

    fields: dict[str, Any] = {}
    for text in assignments:
        item = parse_assignment(text)
        key = item.key.removeprefix("fields.")
        if item.op != "=":
            raise InvalidRecord(f"--field takes KEY=VALUE, not {text!r}")
        if key in RESERVED_KEYS:
            raise InvalidRecord(f"{key!r} is maintained by archivist and cannot be set")
        if key in INTERCHANGE_KEYS:
            raise InvalidRecord(f"{key!r} is a field of its own; use --{key} or set")
        if item.value != "":
            fields[key] = item.value
    return fields


def _check_retrieved(retrieved: str | None) -> None:
    """Refuse a ``--retrieved`` that is not storable text, naming the option."""
    if retrieved is not None:
        from archivist.models import check_text

        check_text(retrieved, "--retrieved")


def _refuse_assignments(assignments: Iterable[str], *, bulk: bool = False) -> None:
    """Refuse ``source=VALUE`` (and, for ``set --where``, ``id=``), saying how to do it."""
    from archivist.editing import parse_assignment
    from archivist.errors import ArchivistError, InvalidRecord

    for text in assignments:
        try:
            item = parse_assignment(text)
        except ArchivistError:
            continue  # reported as the edit reads it, in order
        if item.key == "source" and item.value:
            raise InvalidRecord("set a source with `archivist set ID --file PATH`")
        if bulk and item.key == "id":
            raise InvalidRecord("set --where cannot set id: an id belongs to one record "
                                "(`archivist rename` changes one)")


@cli.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
@format_option("text", "json", "yaml", description="text for people; json or yaml to "
                                                  "re-import.")
@pass_env
def show(env: Env, record_id: str, fmt: str) -> None:
    """Show one record, its links both ways, and its provenance.

    \b
    Examples:
      archivist show weiss-2021-dear-comrades
      archivist show weiss-2021-dear-comrades --format json | jq .archive
    """
    from archivist.display import show_text
    from archivist.links import link_summary
    from archivist.listing import to_interchange

    with env.reading() as archive:
        doc = archive.document(record_id)
        record = to_interchange(archive, [doc])[0]
        links = link_summary(archive, doc["id"])
    from archivist.links import with_inverse_links

    render(fmt, lambda: with_inverse_links(record, links),
           lambda: click.echo(show_text(record, links)))


@query_command("list")
@click.option("--format", "-f", "fmt", type=click.Choice(LIST_FORMATS), default="table",
              show_default=True, help="Output format.")
@selection_options
@pass_env
def list_(env: Env, query: tuple[str, ...], fmt: str, columns: str | None, sort: str | None,
          limit: int | None, no_headers: bool, table_format: str) -> None:
    """List records (all, or those matching QUERY) as a table or for other tools.

    QUERY searches fields (tag:film, creator:weiss, date:2019..2021, bare words in
    titles and summaries) and, with text:WORD or text:"a phrase", the text inside the
    records' source files (see also archivist grep).

    \b
    Examples:
      archivist list
      archivist list text:novocherkassk kind:article
      archivist list --sort -date --limit 10 --columns id,date,title
      archivist list tag:film date:2019..2021 --format csv > films.csv
      archivist list --format json | jq '.[].title'
    """
    from archivist.exporters import ExportOptions, rendered

    options = ExportOptions(table_format=table_format, headers=not no_headers,
                            max_width=stdout_width())
    with env.reading() as archive:
        if columns:
            from archivist.fieldcheck import check_column_names

            check_column_names(archive, columns)
        emit_all(rendered(archive, query, fmt=fmt, columns=columns, sort=sort,
                          limit=limit, options=options).pieces())


@cli.command(name="set")
@click.argument("words", nargs=-1, metavar="[ID] KEY=VALUE…", shell_complete=complete_ids)
@source_options
@where_options
@pass_env
def set_(env: Env, words: tuple[str, ...], file: str | None, span: str | None,
         retrieved: str | None, copy: bool, where: str | None, yes: bool) -> None:
    """Change fields of a record, or of every record --where QUERY selects: KEY=VALUE,
    KEY= to remove, LIST+=VALUE, LIST-=VALUE.

    \b
    Examples:
      archivist set weiss-2021-dear-comrades date=2021-02-10 language=en
      archivist set weiss-2021-dear-comrades tags+=film creators+="David North"
      archivist set weiss-2021-dear-comrades summary= kicker="Film review"
      archivist set weiss-2021-dear-comrades --file page.html --retrieved 2021-02-10
      archivist set --where publisher:wsws publisher="World Socialist Web Site"
    """
    if where is not None:
        _set_where(env, words, where, yes, file is not None or bool(span or retrieved or copy))
        return
    _check_retrieved(retrieved)
    from archivist.editing import SourceRequest, set_values

    if yes:
        raise click.UsageError("--yes goes with --where")
    if not words:
        raise click.UsageError("give an ID and KEY=VALUE assignments, or --where QUERY and "
                               "KEY=VALUE assignments")
    record_id, assignments = words[0], words[1:]
    if not assignments and file is None:
        raise click.UsageError("give KEY=VALUE assignments or --file")
    _refuse_assignments(assignments)
    source = None if file is None else SourceRequest(file, span, retrieved, copy)
    with env.writing() as archive:
        set_values(archive, record_id, assignments, source)


def _set_where(env: Env, assignments: tuple[str, ...], where: str, yes: bool,
               source: bool) -> None:
    """``set --where QUERY KEY=VALUE…``."""
    from archivist.bulk import Edit

    if assignments and "=" not in assignments[0]:
        raise click.UsageError("give an ID or --where QUERY, not both")
    if not assignments:
        raise click.UsageError("give KEY=VALUE assignments")
    if source:
        raise click.ClickException("set --where cannot take --file, --span, --retrieved or "
                                   "--copy: a source file describes one record; nothing "
                                   "was changed")
    run_bulk(env, where, Edit("set", assignments), yes,
             refuse=lambda: _refuse_assignments(assignments, bulk=True))


@cli.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
@click.option("--from", "from_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Apply this edited YAML file (one an edit kept, say) to the record as "
                   "it is now, without opening an editor.")
@pass_env
def edit(env: Env, record_id: str, from_file: Path | None) -> None:
    """Edit a record's YAML in $VISUAL or $EDITOR; it is checked when you save.

    \b
    Examples:
      EDITOR=nano archivist edit weiss-2021-dear-comrades
      archivist edit weiss-2021-dear-comrades --from weiss-2021-dear-comrades.yaml
    """
    from archivist.editing import EditFile, apply_edit_file

    if from_file is not None:
        with env.writing() as archive:
            if apply_edit_file(archive, record_id, from_file) is None:
                click.echo("no change", err=True)
        return
    # Read as a dry run: an edit that is abandoned leaves every file as it was.
    with env.reading(dry_run=True) as archive:
        original = archive.get(record_id)
    file = EditFile.create(original)
    try:
        record = _edit_until_valid(file, original)
        if record is not None:
            _save(env, original, record, file.path)
    except BaseException as err:
        _keep_or_remove(file, original.id, err)
        raise
    file.remove()
    if record is None:
        click.echo("no change", err=True)


def kept_note(record_id: str, path: Path) -> str:
    """Where an edit that was not saved is kept, and how to apply it."""
    return f"your edit is kept in {path}; {_apply_note(record_id, path)}"


def _apply_note(record_id: str, path: Path) -> str:
    return f"apply it with `archivist edit {record_id} --from {shlex.quote(str(path))}`"


def _save(env: Env, original: Record, record: Record, kept_in: Path) -> None:
    """Write an edited record; when another command changed it meanwhile, say how to
    save the kept edit over that change."""
    from archivist.editing import save_edit
    from archivist.errors import ChangeConflict

    with env.writing() as archive:
        try:
            save_edit(archive, original, record, kept_in=kept_in)
        except ChangeConflict as err:
            if original.id not in archive:
                raise  # removed: the message says how to add it again
            raise ChangeConflict(f"{err}; {_apply_note(original.id, kept_in)} to save it "
                                 "over that change") from None


def _keep_or_remove(file: EditFile, record_id: str, err: BaseException) -> None:
    """After an edit that failed: keep the file if the user changed it, and say where
    (unless the message does)."""
    if not file.changed():
        file.remove()
    elif str(file.path) not in str(err):
        click.echo(f"note: {kept_note(record_id, file.path)}", err=True)


def _edit_until_valid(file: EditFile, original: Record) -> Record | None:
    """Open the editor on ``file`` until what it holds is valid (or the user gives up):
    the edited record, or ``None`` when it changes nothing."""
    from archivist.display import escape
    from archivist.editing import parse_edit
    from archivist.errors import ArchivistError

    while True:
        click.edit(filename=str(file.path))
        try:
            text = file.read()
            return None if text == file.text else parse_edit(text, original,
                                                             name=str(file.path))
        except ArchivistError as err:
            click.echo(f"Error: {escape(str(err))}", err=True)
            if not click.confirm("Edit again?", default=True, err=True):
                raise click.ClickException("edit abandoned; nothing was changed; "
                                           f"{kept_note(original.id, file.path)} once "
                                           "fixed") from None


@cli.command()
@click.argument("record_ids", nargs=-1, required=True, metavar="ID…",
                shell_complete=complete_ids)
@click.option("--force", is_flag=True, help="Also remove the records' links.")
@pass_env
def rm(env: Env, record_ids: tuple[str, ...], force: bool) -> None:
    """Remove records (refused while other records link to them, unless --force).

    \b
    Examples:
      archivist rm zzz999-test
      archivist rm old-draft --force
    """
    with env.writing() as archive:
        removed = archive.remove(record_ids, force=force)
    for record_id in removed:
        click.echo(f"removed {record_id}", err=True)


