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
    """What ``archivist info`` reports: the file, why it is used, its size and contents."""
    facts: dict[str, Any] = {"archive": str(archive.path), "chosen by": origin}
    if archive.path is not None and archive.exists:
        facts["size"] = f"{archive.path.stat().st_size} bytes"
    else:
        facts["size"] = "(does not exist yet)"
    facts.update(archive.info())
    return facts
