"""Pictures of the link graph for the record pages, drawn by Graphviz when it is there.

A record with at least :data:`MIN_LINKS` links gets a drawing of its neighbourhood:
itself, the records it links to or is linked from, and the links among them (a
series with its parts, an organisation with its splits and members).  A neighbourhood
of more than :data:`MAX_NEIGHBOURS` records is not drawn: the page's list reads
better than a picture of a hairball.  The link list is on every page in any case.

The drawings are SVG files shown with ``<img>``: a browser runs no script and loads
nothing from an image, so a title can do nothing there even if Graphviz let it
through.  All of a site's graphs go to a few ``dot`` processes, not one per record.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from archivist.graph import Edge, Graph, Node, to_dot

if TYPE_CHECKING:
    from archivist.publish.catalogue import Catalogue
    from archivist.store import Archive

#: The fewest links for which a record's page shows a drawing.
MIN_LINKS = 2
#: The most records a drawn neighbourhood may hold besides its root.
MAX_NEIGHBOURS = 40
#: Graphs given to one ``dot`` process.
BATCH = 400
#: The site folder holding the drawings.
FOLDER = "graphs"
_SVG_START = b"<?xml"


def neighbourhoods(archive: Archive, catalogue: Catalogue) -> dict[str, Graph]:
    """The graph to draw for each record that gets one, by its id."""
    by_end: dict[str, list[tuple[str, str, str]]] = {}
    for link in archive.link_documents():
        triple = (link["src"], link["rel"], link["dst"])
        by_end.setdefault(link["src"].lower(), []).append(triple)
        by_end.setdefault(link["dst"].lower(), []).append(triple)
    graphs: dict[str, Graph] = {}
    titles: dict[str, str | None] = {}
    for doc in catalogue.records:
        own = by_end.get(doc["id"].lower(), [])
        near = {end.lower(): end for src, _, dst in own for end in (src, dst)}
        if len(own) < MIN_LINKS or len(near) - 1 > MAX_NEIGHBOURS:
            continue
        edges = {triple for key in near for triple in by_end.get(key, ())
                 if triple[0].lower() in near and triple[2].lower() in near}
        titles.update(archive.titles(key for key in near if key not in catalogue.by_id
                                     and key not in titles))
        graphs[doc["id"]] = Graph(nodes=tuple(_node(catalogue, titles, i)
                                              for i in near.values()),
                                  edges=tuple(Edge(*triple) for triple in sorted(edges)),
                                  root=doc["id"], depth=1)
    return graphs


def _node(catalogue: Catalogue, titles: dict[str, str | None], record_id: str) -> Node:
    """A node of a drawing; a record the query left out is drawn by its title alone."""
    doc = catalogue.by_id.get(record_id.lower())
    if doc is not None:
        return Node(doc["id"], doc.get("title"), str(doc.get("kind", "other")))
    title = titles.get(record_id.lower())
    return Node(record_id, title if isinstance(title, str) else None, "other")


def _render(dot: str, sources: Sequence[str]) -> list[bytes]:
    """SVG drawings of DOT ``sources``, in order, from one ``dot`` process."""
    done = subprocess.run([dot, "-Tsvg"], input="".join(sources).encode("utf-8"),
                          capture_output=True, check=True, timeout=600)
    pieces = done.stdout.split(_SVG_START)[1:]
    if len(pieces) != len(sources):
        raise subprocess.CalledProcessError(done.returncode, dot, done.stdout, done.stderr)
    return [_SVG_START + piece for piece in pieces]


def _batches(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def draw_graphs(archive: Archive, catalogue: Catalogue, site: Path) -> set[str]:
    """Draw each neighbourhood into ``site/graphs/ID.svg``.

    :returns: the lower ids of the records drawn (none when Graphviz is missing or
        fails: the pages then show their link lists only).
    """
    dot = shutil.which("dot")
    if dot is None:
        return set()
    graphs = neighbourhoods(archive, catalogue)
    if not graphs:
        return set()
    ids = list(graphs)
    sources = [to_dot(graphs[record_id]) for record_id in ids]
    workers = max(1, min(os.cpu_count() or 1, 4))
    try:
        with ThreadPoolExecutor(workers) as pool:
            drawn = [svg for batch in pool.map(lambda b: _render(dot, b),
                                               _batches(sources, BATCH)) for svg in batch]
    except (OSError, subprocess.SubprocessError):
        return set()
    folder = site / FOLDER
    folder.mkdir()
    for record_id, svg in zip(ids, drawn):
        (folder / f"{record_id}.svg").write_bytes(svg)
    return {record_id.lower() for record_id in ids}
