"""Which reader reads each input of an import, by its format.

YAML and JSON (and papis' ``info.yaml`` and CSL-JSON, which are YAML and JSON) are read
by :func:`archivist.yamlio.records`; BibTeX and RIS by readers of their own.  Each item
read is turned into a record of the interchange form here, by the mapping of its
format, so that :mod:`archivist.importing.reading` checks every record alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from archivist.importing.formats import mapping_lookalike
from archivist.importing.problems import Problems
from archivist.yamlio import MarkedDict, YamlError, records

if TYPE_CHECKING:
    from archivist.importing.reading import InputFile


def items_of(source_file: InputFile, problems: Problems, skipped: Problems | None
           ) -> Iterator[tuple[int, Any, tuple[int, int], int]]:
    """What a file holds, as :func:`archivist.yamlio.records` gives it, by its format."""
    if source_file.format == "bibtex":
        from archivist.importing import bibtex

        assert isinstance(source_file.source, str)
        return bibtex.records(source_file.source, _reporter(source_file, problems, skipped))
    if source_file.format == "ris":
        from archivist.importing import ris

        assert isinstance(source_file.source, str)
        return ris.records(source_file.source, _reporter(source_file, problems, skipped))
    return records(source_file.source, source_file.label)


def _reporter(source_file: InputFile, problems: Problems,
              skipped: Problems | None) -> Callable[[tuple[int, int], str], None]:
    """Where a reader of a format reports a problem of an entry: skipped or not."""
    into = problems if skipped is None else skipped
    return lambda position, message: into.add(source_file.at(position), message)


def as_record(source_file: InputFile, number: int, item: Any, position: tuple[int, int],
               problems: Problems, skipped: Problems | None, *, first: bool
               ) -> MarkedDict | None:
    """``item`` as a record of the interchange form, or ``None`` (its problem noted)."""
    if not isinstance(item, MarkedDict):
        what = "empty" if item is None else ("a list" if isinstance(item, list)
                                             else f"the text {item!r:.40}")
        problems.add(source_file.at(position),
                     f"expected a record (a mapping of field: value), found "
                     f"{what} (document {number})")
        return None
    if source_file.format in ("bibtex", "ris"):
        return item
    from archivist.importing import csljson

    if first and source_file.format == "json" and csljson.looks_like_csl(item):
        source_file.format = "csl-json"
    if source_file.format == "csl-json":
        return csljson.record(item, _reporter(source_file, problems, skipped))
    if source_file.format == "papis":
        from archivist.importing import papis

        return papis.record(item, _reporter(source_file, problems, skipped))
    lookalike = mapping_lookalike(item)
    if lookalike is not None and first and lookalike.startswith("looks like CSL"):
        # The file is of another format: one problem says so, not one a record.
        raise YamlError(source_file.label, 1, 1, lookalike)
    if lookalike is not None:
        problems.add(source_file.at(position), lookalike)
        return None
    return item
