"""archivist: keep, describe, link and prove an archive of documents from the shell.

``import archivist`` is the Python interface; names are loaded on first use so that
the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from archivist.version import VERSION as __version__

_EXPORTS = {
    "Archive": "archivist.store",
    "Record": "archivist.models",
    "Source": "archivist.models",
    "Link": "archivist.links",
    "RELATIONS": "archivist.links",
    "KINDS": "archivist.models",
    "ArchivistError": "archivist.errors",
    "RecordNotFound": "archivist.errors",
    "DuplicateRecord": "archivist.errors",
    "InvalidRecord": "archivist.errors",
    "InvalidLink": "archivist.errors",
    "RecordInUse": "archivist.errors",
    "ImportFailed": "archivist.errors",
    "QuerySyntaxError": "archivist.errors",
    "ArchiveCorrupt": "archivist.errors",
    "LockTimeout": "archivist.errors",
    "SourceError": "archivist.errors",
}
__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from archivist.errors import (
        ArchiveCorrupt,
        ArchivistError,
        DuplicateRecord,
        ImportFailed,
        InvalidLink,
        InvalidRecord,
        LockTimeout,
        QuerySyntaxError,
        RecordInUse,
        RecordNotFound,
        SourceError,
    )
    from archivist.links import RELATIONS, Link
    from archivist.models import KINDS, Record, Source
    from archivist.store import Archive


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'archivist' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
