"""Where a site is written: a temporary folder beside the target, then one rename.

An interrupted publish leaves the previous site whole (and a temporary folder, which
the next publish removes).  The target is refused when replacing it could lose
anything that is not a site: the archive's own folder, a folder holding the archive,
a file, or a folder of other things.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from archivist.errors import ArchivistError

#: The file that marks a folder as a site archivist published (and may replace).
MARKER = ".archivist-site"
_TEMP_PREFIX = ".publish-"


class PublishRefused(ArchivistError):
    """The site cannot be written where it was asked to go (nothing was changed)."""


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_target(target: Path, archive_path: Path | None) -> None:
    """Refuse ``target`` when writing the site there would replace anything else.

    :raises PublishRefused: naming the reason, when ``target`` is a file, the archive's
        folder or a folder above it, or a folder that is not a published site.
    """
    if target.exists() and not target.is_dir():
        raise PublishRefused(f"{target} is a file, not a folder; publish into a new "
                             "folder (nothing was written)")
    resolved = target.resolve()
    if archive_path is not None and _inside(archive_path.resolve().parent, resolved):
        what = "the archive's folder" if archive_path.resolve().parent == resolved \
            else "a folder holding the archive"
        raise PublishRefused(f"{target} is {what}; publish into a folder of its own "
                             "(nothing was written)")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise PublishRefused(f"{target} is a folder that archivist did not publish; publish "
                             "into a new or empty folder (nothing was written)")


def _leftovers(target: Path) -> list[Path]:
    """Temporary folders of earlier publishes into ``target`` that did not finish."""
    prefix = f"{_TEMP_PREFIX}{target.name}."
    return [path for path in target.parent.glob(prefix + "*") if path.is_dir()]


@contextlib.contextmanager
def site_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` to write the site in; on a clean exit it
    becomes ``target`` (the old site removed), on an exception it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in _leftovers(target):
        shutil.rmtree(leftover, ignore_errors=True)
    temp = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{target.name}.", dir=target.parent))
    try:
        yield temp
        (temp / MARKER).write_text("A catalogue published by archivist; "
                                   "`archivist publish` replaces this folder.\n",
                                   encoding="utf-8")
        os.chmod(temp, 0o755)  # mkdtemp makes it private; a site is for reading
        _replace(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _replace(temp: Path, target: Path) -> None:
    """Put ``temp`` where ``target`` is, by renames: the old site is moved aside first
    and removed only once the new one is in place."""
    if not target.exists():
        os.replace(temp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{target.name}.", dir=target.parent))
    os.replace(target, old / "site")
    try:
        os.replace(temp, target)
    except BaseException:
        os.replace(old / "site", target)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
