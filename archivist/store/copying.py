"""Copying a whole archive from one engine to another (``archivist copy``).

Records, links and history go across exactly as stored: document ids and order, link
and entry numbers, every history entry and every record's maintained ``archive``
section (provenance, fixity results).  A database target also remembers the folder
relative source paths start from: the source file's folder (or the source database's),
so ``verify`` finds the same files from the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archivist.errors import ArchivistError
from archivist.store import Archive, open_archive


@dataclass(frozen=True)
class Copied:
    """What a copy moved."""

    records: int
    links: int
    history: int

    def summary(self, target: str) -> str:
        """One line for the user."""
        return (f"copied {self.records} records, {self.links} links and {self.history} "
                f"history entries to {target}")


def _counts(archive: Archive) -> Copied:
    return Copied(len(archive), sum(1 for _ in archive.link_documents()),
                  len(archive.history()))


def copy_archive(source: Path | str, target: Path | str, *, command: str = "archivist",
                 shown: tuple[str, str] | None = None,
                 progress: Callable[[str], None] | None = None) -> Copied:
    """Copy the archive at ``source`` into the empty archive at ``target`` (any two
    engines), in one transaction or write: on any failure the target is unchanged.

    :param shown: the two locations as messages name them (passwords left out).
    :param progress: told, in words, what the copy is doing (for a terminal).
    :raises ArchivistError: when the source does not exist, the target is not empty,
        or the counts copied differ from the counts read (nothing is changed then).
    """
    source_name, target_name = shown or (str(source), str(target))
    tell = progress or (lambda _: None)
    with open_archive(source, command=command, write_index=False) as original:
        if not original.exists:
            raise ArchivistError(f"the archive {source_name} does not exist; nothing was "
                                 "copied")
        tell(f"reading {source_name}…")
        tables = original.snapshot()
        folder = original.path.parent if original.path is not None else None
        expected = Copied(len(tables["records"]), len(tables["links"]),
                          len(tables["history"]))
    with open_archive(target, write=True, command=command) as copy:
        if len(copy) or any(True for _ in copy.link_documents()) or copy.history():
            raise ArchivistError(f"the archive {target_name} is not empty; copy only into "
                                 "an empty or new archive (nothing was changed)")
        tell(f"writing {expected.records} records to {target_name}…")
        copy.fill(tables)
        remember: Any = getattr(copy, "remember_sources", None)
        if remember is not None and folder is not None:
            remember(str(folder.resolve()))
        found = _counts(copy)
        if found != expected:
            raise ArchivistError(f"the copy holds {found} but {source_name} held "
                                 f"{expected}; nothing was changed")
    return expected
