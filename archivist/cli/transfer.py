"""Moving records into and out of the archive: import."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click

from archivist.cli.base import Env, cli, emit, named_options, pass_env

#: An import of more characters than this (about 500 records) shows a progress bar
#: (on a terminal only).
PROGRESS_THRESHOLD = 250_000


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for a large import, when stderr is a terminal.

    It counts characters read, since records are counted only as they are read.
    """
    if total <= PROGRESS_THRESHOLD or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="checking records", file=sys.stderr) as bar:
        yield bar.update


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH…")
@click.option("--dry-run", is_flag=True,
              help="Check everything and list what would happen (add/update/skip ID); "
                   "change nothing.")
@click.option("--on-conflict", type=click.Choice(["error", "skip", "update"]),
              default="error", show_default=True,
              help="When a record's id exists: refuse the import, skip the record (and "
                   "its links), or update it with the imported values.")
@click.option("--max-size", type=click.IntRange(min=1), metavar="BYTES",
              help="Refuse input files larger than this.  [default: 10485760 (10 MiB)]")
@click.option("--format", "format_",
              type=click.Choice(["bibtex", "ris", "csl-json", "papis", "yaml", "json"]),
              help="Read every PATH in this format.  [default: by each file's name: .bib "
                   "BibTeX, .ris RIS, .json JSON or CSL-JSON, a folder of */info.yaml "
                   "papis, else YAML]")
@click.option("--skip-bad", is_flag=True,
              help="Leave out each entry with a problem (listed on stderr) and import "
                   "the rest, instead of nothing.")
@pass_env
def import_(env: Env, paths: tuple[str, ...], dry_run: bool, on_conflict: str,
            max_size: int | None, format_: str | None, skip_bad: bool) -> None:
    """Import records (YAML, JSON, BibTeX, RIS, CSL-JSON, papis), all or nothing.

    PATH is a file, a folder (searched for .yaml, .yml, .json, .bib and .ris files, in
    sorted order; a papis library is read as one), or - for stdin.  A YAML file holds
    one record, a list of records, or a stream of documents separated by ---.
    Everything is checked first; any problem is reported as FILE:LINE:COLUMN and
    nothing is changed.

    \b
    Examples:
      archivist import records/
      archivist import new.yaml more/ --dry-run
      archivist import records/ --on-conflict skip
      archivist import library.bib zotero.json
      archivist import ~/papers --format papis
      archivist --db other.json list --format json | archivist import - --on-conflict update
    """
    from archivist.importing import ImportOptions, import_records, read_inputs

    inputs = read_inputs(paths, max_size=max_size, stdin=sys.stdin.buffer, skip=env.db,
                         format=format_)
    options = ImportOptions(on_conflict=on_conflict, dry_run=dry_run, command=env.command,
                            skip_bad=skip_bad)
    opening = env.reading(quiet=True, dry_run=True) if dry_run else env.writing()
    with opening as archive, _progress(inputs.length()) as progress:
        result = import_records(archive, inputs, options, progress)
    if dry_run:
        emit("".join(f"{action} {record_id}\n" for action, record_id in result.actions))
    for problem in result.skipped:
        click.echo(f"skipped: {named_options(problem)}", err=True)
    click.echo(result.summary(), err=True)
