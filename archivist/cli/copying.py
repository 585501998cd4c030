"""``archivist copy``: an archive copied whole from one engine to another."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archivist.cli.base import ArchiveLocation, Env, cli, pass_env, without_password

_LOCATION = ArchiveLocation(dir_okay=False, path_type=Path)


@cli.command()
@click.argument("source", type=_LOCATION)
@click.argument("target", type=_LOCATION)
@pass_env
def copy(env: Env, source: Path | str, target: Path | str) -> None:
    """Copy the whole archive SOURCE into the empty or new archive TARGET.

    Either may be an archive file or a postgresql:// URL.  Records, links, history,
    provenance and fixity results are copied exactly; a TARGET that holds anything is
    refused and left as it was.  The global --db plays no part.

    \b
    Examples:
      archivist copy archive.json postgresql://archivist@db.example.org/archive
      archivist copy postgresql:///archive?host=/run/postgresql backup.json
      archivist copy old.json new.json
    """
    from archivist.store.copying import copy_archive

    shown = (without_password(str(source)), without_password(str(target)))

    def progress(message: str) -> None:
        if sys.stderr.isatty():
            click.echo(message, err=True)

    copied = copy_archive(source, target, command=env.command, shown=shown,
                          progress=progress)
    click.echo(copied.summary(shown[1]), err=True)
