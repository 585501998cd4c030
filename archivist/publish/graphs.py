"""Link graphs drawn by Graphviz for the record pages (filled in below)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archivist.publish.catalogue import Catalogue
    from archivist.store import Archive


def draw_graphs(archive: Archive, catalogue: Catalogue, site: Path) -> set[str]:
    """Draw nothing yet."""
    return set()
