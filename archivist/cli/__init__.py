"""The ``archivist`` command line: a thin layer over the library.

Each command module adds its commands to :data:`cli`; a command parses its options,
makes one library call and renders the result.
"""

from __future__ import annotations

# Imported for their side effect: each registers its commands on ``cli``.
from archivist.cli import (  # noqa: F401
    admin,
    capturing,
    citing,
    copying,
    curation,
    exporting,
    fixity,
    grepping,
    linking,
    publishing,
    records,
    tags,
    transfer,
)
from archivist.cli.base import cli

__all__ = ["cli"]
