"""The ``export`` command: what ``list`` writes, plus BibTeX, CSL-JSON, RIS, linked data
(JSON-LD, Turtle) and BagIt."""

from __future__ import annotations

import os
from pathlib import Path

import click

from archivist.cli.base import Env, emit_all, pass_env, query_command, selection_options

# Kept here as well as in archivist.exporters so that `--help` needs no library import.
EXPORT_FORMATS = ("table", "csv", "tsv", "json", "jsonl", "yaml", "bibtex", "csl-json",
                  "ris", "jsonld", "turtle", "bagit")


@query_command("export")
@click.option("--format", "-f", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="table, csv, tsv, json, jsonl, yaml; bibtex, csl-json, ris for "
                   "reference managers; jsonld, turtle: PROV-O and Dublin Core linked "
                   "data; bagit (a folder, needs -o).")
@click.option("--output", "-o", metavar="FILE",
              help="Write to FILE (atomically) instead of stdout; for bagit, the folder "
                   "to create.")
@click.option("--base-iri", metavar="IRI",
              help="jsonld, turtle: name records IRI+id (ending in /, # or :); default "
                   "urn:archivist:ID: from the archive's id (see info).")
@selection_options
@pass_env
def export_(env: Env, query: tuple[str, ...], fmt: str, output: str | None,
            base_iri: str | None, columns: str | None, sort: str | None, limit: int | None,
            no_headers: bool, table_format: str) -> None:
    """Export records (all, or those matching QUERY) to a file or to stdout.

    Citation formats leave out organisations, people and events (noted on stderr).

    \b
    Examples:
      archivist export --format bibtex -o refs.bib
      archivist export creator:weiss --format csl-json --sort date > weiss.json
      archivist export tag:film --format ris -o films.ris
      archivist export --format csv --columns id,date,title,tags -o records.csv
      archivist export --format table --table-format github --limit 20
      archivist export --format turtle -o archive.ttl
      archivist export tag:film --format jsonld --base-iri https://example.org/a/
      archivist export kind:article --format bagit -o articles-bag
    """
    if base_iri is not None:
        _check_base_iri(base_iri, fmt)
    if fmt == "bagit":
        _bag(env, query, output, sort, limit)
        return
    if output is not None and output != "-":
        _refuse_archive_as_output(env, Path(output))
    from archivist.exporters import ExportOptions, export

    options = ExportOptions(table_format=table_format, headers=not no_headers,
                            base_iri=base_iri)
    # The output is written inside the block: a large export is made as it is written
    # (see archivist.exporters.Exported), with the cycle collector still paused.
    with env.reading() as archive:
        if columns:
            from archivist.fieldcheck import check_column_names

            check_column_names(archive, columns)
        if fmt in ("jsonld", "turtle") and base_iri is None and archive.archive_id is None:
            raise click.ClickException("this archive has no id yet to name its records by "
                                       "(it gets one at its next change); give --base-iri IRI")
        result = export(archive, query, fmt=fmt, columns=columns, sort=sort, limit=limit,
                        options=options)
        if result.skipped:
            noun = "record" if len(result.skipped) == 1 else "records"
            shown = ", ".join(result.skipped[:5]) + (", …" if len(result.skipped) > 5 else "")
            click.echo(f"note: left out {len(result.skipped)} {noun} that are not citable "
                       f"works (organisations, people, events): {shown}", err=True)
        if output is None or output == "-":
            emit_all(result.pieces())
            return
        from archivist.atomic import atomic_write_bytes

        atomic_write_bytes(Path(output), (piece.encode("utf-8") for piece in result.pieces()))
    noun = "record" if result.count == 1 else "records"
    click.echo(f"wrote {result.count} {noun} to {output}", err=True)


def _check_base_iri(base_iri: str, fmt: str) -> None:
    """Refuse ``--base-iri`` with a format that names nothing, or one records cannot
    be named under."""
    if fmt not in ("jsonld", "turtle"):
        raise click.UsageError("--base-iri names records in --format jsonld or turtle only")
    from archivist.errors import InvalidRecord
    from archivist.exporters.linkeddata import check_base

    try:
        check_base(base_iri)
    except InvalidRecord as err:
        raise click.ClickException(f"--base-iri: {err}") from None


def _refuse_archive_as_output(env: Env, output: Path) -> None:
    """Refuse ``-o`` naming the archive file itself, which the export would destroy."""
    same = output.resolve() == env.db.resolve()
    if not same and output.exists() and env.db.exists():
        same = os.path.samefile(output, env.db)
    if same:
        raise click.ClickException(f"{output} is the archive itself; export to another "
                                   "file (nothing was written)")


def _bag(env: Env, query: tuple[str, ...], output: str | None, sort: str | None,
         limit: int | None) -> None:
    """``export --format bagit``: select the records and write them as a bag."""
    if output is None or output == "-":
        raise click.UsageError("--format bagit writes a folder: give it with -o DIR")
    _refuse_archive_as_output(env, Path(output))
    from archivist.exporters.bagit import human_size, write_bag
    from archivist.listing import select

    with env.reading() as archive:
        docs = select(archive, query, sort=sort, limit=limit)
        summary = write_bag(archive, docs, Path(output), command=env.command)
    noun = "record" if summary.records == 1 else "records"
    files = "file" if summary.files == 1 else "files"
    click.echo(f"bagged {summary.records} {noun} and {summary.files} source {files} "
               f"({human_size(summary.octets)}) in {summary.path}", err=True)
