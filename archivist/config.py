"""Where the archive lives: ``--db``, else ``$ARCHIVIST_DB``, else one file per user."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archivist.store import Archive

#: The environment variable naming the archive file.
DB_ENVVAR = "ARCHIVIST_DB"
#: The environment variable giving the lock timeout in seconds.
LOCK_TIMEOUT_ENVVAR = "ARCHIVIST_LOCK_TIMEOUT"


def data_dir() -> Path:
    """The platform's per-user data folder for archivist (not created here)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "archivist"


def default_archive_path() -> Path:
    """The default archive: ``archive.json`` in :func:`data_dir`."""
    return data_dir() / "archive.json"


def archive_info(archive: Archive, origin: str) -> dict[str, Any]:
    """What ``archivist info`` reports: the file, why it is used, its size and contents.

    :returns: ``archive`` (the path), ``chosen_by`` (``--db``, ``$ARCHIVIST_DB`` or
        ``default``), ``size`` in bytes (``None`` while the file does not exist; no
        size for a database), then the counts of :meth:`Archive.info` (for a database:
        its engine, server version, database and sources folder first).
    """
    facts: dict[str, Any] = {"archive": str(archive.path), "chosen_by": origin}
    found = archive.info()
    if "engine" not in found:  # a file (a database names its engine and has no size)
        exists = archive.path is not None and archive.exists
        facts["size"] = archive.path.stat().st_size if exists and archive.path else None
    facts.update(found)
    from archivist.fulltext import text_counts

    counts = text_counts(archive)
    facts.update({"source_texts": counts["with text"], "sources_skipped": counts["skipped"],
                  "sources_unread": counts["not read yet"]})
    return facts
