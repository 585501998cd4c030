"""The archive's lock: an exclusive ``flock`` of ``ARCHIVE.lock``, taken before reading.

Writers serialise on it *before* they read, so no update is lost between processes.
The kernel drops the lock when its holder dies, so a killed process never blocks the
next command.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from archivist.errors import ArchivistError, LockTimeout
from archivist.store.interface import DEFAULT_LOCK_TIMEOUT

__all__ = ["DEFAULT_LOCK_TIMEOUT", "exclusive_lock", "lock_path"]

#: Seconds of waiting after which the user is told why nothing happens yet.
WAIT_NOTICE_AFTER = 1.0


def lock_path(target: Path) -> Path:
    """The lock file of the archive ``target``: ``ARCHIVE.lock`` beside it."""
    return target.with_name(target.name + ".lock")


@contextlib.contextmanager
def exclusive_lock(target: Path, timeout: float = DEFAULT_LOCK_TIMEOUT,
                   on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the archive's exclusive lock for the duration of the ``with`` block.

    A lock file this holder made is removed again when the archive is left as it was
    (a refused command, or one that changed nothing): such a command leaves no file
    behind.  Removing it is safe because every holder checks, once it has the lock,
    that the file it locked is still the one at ``ARCHIVE.lock``, and starts again
    when it is not.

    :param on_wait: called once with a message when we have waited a second.
    :raises LockTimeout: when the lock is not free within ``timeout`` seconds.
    """
    path = lock_path(target)
    fd, made = _take_lock(path, timeout, on_wait)
    before = _version_of(target)
    try:
        yield
    finally:
        if made and _version_of(target) == before:
            # Still held while it goes: a waiter on this file finds it gone, and retries.
            with contextlib.suppress(OSError):
                os.unlink(path)
        # Closing the descriptor releases the flock.
        os.close(fd)


def _version_of(path: Path) -> tuple[int, ...] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def _open_lock(path: Path) -> tuple[int, bool] | None:
    """The lock file open, and whether this call made it (``None``: it just went)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644), True
    except FileExistsError:
        try:
            return os.open(path, os.O_RDWR), False
        except FileNotFoundError:
            return None
    except OSError as err:
        raise ArchivistError(f"cannot create the lock file {path}: {err.strerror}") from None


def _take_lock(path: Path, timeout: float, on_wait: Callable[[str], None] | None
               ) -> tuple[int, bool]:
    """Lock ``path``: its descriptor, and whether this holder made the file."""
    import fcntl

    start = time.monotonic()
    told = False
    delay = 0.005
    while True:
        opened = _open_lock(path)
        if opened is None:
            continue
        fd, made = opened
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - start
                    if waited >= timeout:
                        raise LockTimeout(
                            f"gave up after {timeout:g} s waiting for another archivist "
                            f"process to release {path}") from None
                    if not told and waited >= WAIT_NOTICE_AFTER and on_wait is not None:
                        on_wait(f"waiting for another archivist process to release {path}…")
                        told = True
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)
            locked, current = os.fstat(fd), _version_of(path)
        except BaseException:
            os.close(fd)
            raise
        if current is not None and current[:2] == (locked.st_dev, locked.st_ino):
            return fd, made
        # The holder before us removed the file we waited on: lock the one there now.
        os.close(fd)
