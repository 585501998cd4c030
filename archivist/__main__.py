"""``python -m archivist`` runs the command line."""

from __future__ import annotations

from archivist.cli import cli

if __name__ == "__main__":
    cli(prog_name="archivist")
