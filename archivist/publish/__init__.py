"""``archivist publish``: the archive as a static website that needs no server.

:func:`publish` writes the site: a front page with counts, the latest additions and a
search that runs in the browser (from ``file://`` too), a page per kind, tag, creator,
publisher and decade, and a page per record with its links both ways and its
provenance.  Needs Jinja2 (the ``web`` extra), imported only here.

The modules: :mod:`.catalogue` gathers what the pages show, :mod:`.pages` renders
them, :mod:`.searchindex` writes the search index, :mod:`.sitefolder` writes it all
beside the target and renames it into place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archivist.publish.sitefolder import MARKER, PublishRefused, check_target

if TYPE_CHECKING:
    from archivist.store import Archive

__all__ = ["MARKER", "PublishOptions", "PublishRefused", "PublishResult", "publish"]


@dataclass(frozen=True)
class PublishOptions:
    """How to publish: which records, under what title, with or without sources."""

    query: Sequence[str] = ()
    #: The site's title; the archive file's name without its suffix when ``None``.
    title: str | None = None
    #: Copy each record's source file into the site and link to it.
    copy_sources: bool = False
    #: Draw link graphs with Graphviz where it is installed.
    graphs: bool = True


@dataclass(frozen=True)
class PublishResult:
    """What was published."""

    path: Path
    records: int
    pages: int
    #: Bytes of ``search-index.js``.
    index_size: int
    #: Record pages with a drawn link graph.
    graphs: int
    #: Source files copied into the site.
    sources: int


def _title(archive: Archive, options: PublishOptions) -> str:
    if options.title is not None and options.title.strip():
        return options.title
    return archive.path.stem if archive.path is not None else "Archive"


def publish(archive: Archive, target: Path, options: PublishOptions = PublishOptions(),
            progress: Callable[[int], None] | None = None,
            on_count: Callable[[int], None] | None = None) -> PublishResult:
    """Write the site of ``archive`` (the records ``options.query`` selects) to ``target``.

    :param progress: told of each record page written.
    :param on_count: told once how many record pages there will be.
    :raises PublishRefused: when ``target`` is a file, the archive's folder or holds
        it, or a folder archivist did not publish; nothing is written then.
    :raises QuerySyntaxError: when the query does not parse.
    """
    from archivist.history import utc_now
    from archivist.listing import select
    from archivist.publish.catalogue import gather
    from archivist.publish.pages import PageOptions, Pages, copy_static
    from archivist.publish.searchindex import folding_script, index_script
    from archivist.publish.sitefolder import site_folder

    check_target(target, archive.path)
    records = select(archive, options.query)
    if on_count is not None:
        on_count(len(records))
    catalogue = gather(archive, records, _title(archive, options))
    page_options = PageOptions(published=utc_now())
    with site_folder(target) as folder:
        copy_static(folder)
        (folder / "folding-rules.js").write_text(folding_script(), encoding="utf-8")
        index = index_script(records).encode("utf-8")
        (folder / "search-index.js").write_bytes(index)
        if options.copy_sources:
            from archivist.publish.sources import copy_sources

            page_options.sources = copy_sources(archive, records, folder)
        if options.graphs:
            from archivist.publish.graphs import draw_graphs

            page_options.graphs = draw_graphs(archive, catalogue, folder)
        Pages(catalogue, folder, page_options).write_all(progress)
        pages = sum(1 for _ in folder.rglob("*.html"))
    return PublishResult(path=target, records=len(records), pages=pages,
                         index_size=len(index), graphs=len(page_options.graphs),
                         sources=len(set(page_options.sources.values())))
