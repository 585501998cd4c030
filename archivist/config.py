"""Where the archive lives: ``--db``, else ``$ARCHIVIST_DB``, else one file per user."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
