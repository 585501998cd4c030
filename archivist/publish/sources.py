"""``publish --copy-sources``: the archived bytes themselves, copied into the site.

Each file is copied once under its content's name (``sources/SHA256.txt``), and only
when its bytes still hash to what the record says: a page never links to bytes that
are not the ones archived.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archivist.provenance import copy_name, resolve_stored, sha256_file

if TYPE_CHECKING:
    from archivist.store import Archive

#: The site folder holding the copies.
FOLDER = "sources"


def copy_sources(archive: Archive, records: Sequence[Mapping[str, Any]], site: Path
                 ) -> dict[str, str]:
    """Copy each record's source file into ``site/sources/``.

    :returns: the site path of each copied file, by lower record id (records whose
        file is missing, unreadable or changed are left out).
    """
    copied: dict[str, str] = {}
    by_path: dict[Path, str | None] = {}
    for doc in records:
        source = doc.get("source")
        if not isinstance(source, Mapping) or not source.get("path"):
            continue
        path = resolve_stored(str(source["path"]), archive.path)
        if path not in by_path:
            by_path[path] = _copy(path, source.get("sha256"), site)
        if by_path[path] is not None:
            copied[doc["id"].lower()] = str(by_path[path])
    return copied


def _copy(path: Path, recorded: object, site: Path) -> str | None:
    try:
        found, _ = sha256_file(path)
    except OSError:
        return None
    if recorded is not None and recorded != found:
        return None
    name = f"{FOLDER}/{copy_name(found, path.name)}"
    target = site / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return name
