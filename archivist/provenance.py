"""Where a record's bytes are and what they were: streamed hashing and source description.

Everything here reads files (never the archive): :func:`sha256_file` hashes a file of
any size in constant memory, :func:`describe_source` turns a path given by a user or an
imported YAML file into the :class:`~archivist.models.Source` a record stores, and
:func:`record_digest` is the canonical digest of a record's values.

Files are opened without blocking and checked *after* opening (``fstat`` on the open
descriptor), so a FIFO, a device or a folder swapped in at the last moment is refused
instead of hanging the command or hashing the wrong thing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archivist import atomic
from archivist.errors import InvalidRecord, SourceError
from archivist.models import Source, interchange

#: Bytes read per system call: large enough that hashing, not the call, dominates.
CHUNK_SIZE = 1 << 20
#: The folder beside the archive file where ``--copy`` keeps sources, by their hash.
SOURCES_FOLDER = "sources"
# A suffix worth keeping on a content-addressed copy: short, plain, no separators.
_PLAIN_SUFFIX = re.compile(r"^\.[A-Za-z0-9_-]{1,16}$")

#: Called with the number of bytes just read (progress bars).
ProgressCallback = Callable[[int], None]


class NotRegularFile(OSError):
    """The path names a folder, FIFO, device or socket, not a regular file."""


@dataclass(frozen=True)
class Digest:
    """What one streamed read of a file found.

    :param sha256: hexadecimal SHA-256 of the bytes.
    :param size: number of bytes.
    :param lines: number of lines, when counting was asked for (a last line without a
        newline counts).
    """

    sha256: str
    size: int
    lines: int | None = None


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str | Path) -> int:
    """Open ``path`` for reading and return the descriptor, refusing non-regular files.

    ``O_NONBLOCK`` makes opening a FIFO return at once (instead of waiting for a
    writer forever); the file type is then checked on the open descriptor.

    :raises FileNotFoundError: when nothing is there (or a symlink dangles).
    :raises PermissionError: when the file may not be read.
    :raises NotRegularFile: for a folder, FIFO, device or socket.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise NotRegularFile(errno.EISDIR, "a folder", str(path)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, _kind_of(mode), str(path))
        if hasattr(os, "O_NONBLOCK"):
            # Regular files ignore O_NONBLOCK, but clear it so reads behave as usual.
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def hash_descriptor(fd: int, *, count_lines: bool = False, copy_to: int | None = None,
                    also: Iterable[Any] = (), progress: ProgressCallback | None = None
                    ) -> Digest:
    """Stream the open file ``fd`` through SHA-256 in :data:`CHUNK_SIZE` reads.

    One buffer is allocated and reused, so memory stays flat for a file of any size.

    :param count_lines: also count lines (costs one ``count`` over each chunk).
    :param copy_to: a descriptor that receives every byte read, so a copy holds
        exactly the bytes hashed.
    :param also: more hash objects (e.g. ``hashlib.sha512()``) fed the same bytes.
    :param progress: called with the size of each chunk read.
    """
    digest = hashlib.sha256()
    others = list(also)
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    size = newlines = 0
    last = b"\n"
    with contextlib.suppress(AttributeError, OSError):
        # Tell the kernel to read ahead aggressively; only a hint.
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
    while True:
        n = os.readv(fd, [buffer])
        if not n:
            break
        chunk = view[:n]
        digest.update(chunk)
        for other in others:
            other.update(chunk)
        if count_lines:
            newlines += buffer.count(b"\n", 0, n)
            last = bytes(view[n - 1:n])
        if copy_to is not None:
            _write_all(copy_to, chunk)
        size += n
        if progress is not None:
            progress(n)
    lines = None
    if count_lines:
        lines = newlines + (0 if last == b"\n" else 1)
    return Digest(digest.hexdigest(), size, lines)


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def sha256_file(path: str | Path) -> tuple[str, int]:
    """The SHA-256 (hexadecimal) and size of the regular file at ``path``, streamed.

    :raises OSError: ``FileNotFoundError``, ``PermissionError`` or
        :class:`NotRegularFile` (see :func:`open_regular`).
    """
    fd = open_regular(path)
    try:
        found = hash_descriptor(fd)
    finally:
        os.close(fd)
    return found.sha256, found.size


def display_path(path: str) -> str:
    """``path`` as a user can read it: bytes that are not UTF-8 shown as ``\\xNN``."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", "backslashreplace")


def _check_name(path: str) -> None:
    if not path:
        raise SourceError("no file name given")
    if "\x00" in path:
        raise SourceError("a file name cannot contain a NUL character")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise SourceError(
            f"the file name '{display_path(path)}' is not valid UTF-8; rename the file"
        ) from None


def _absolute(path: str, base: Path | None) -> str:
    """``path`` made absolute against ``base`` (or the working folder), ``..`` folded.

    Symlinks are left as written: the path recorded is the one the user gave.
    """
    joined = os.path.join(os.fspath(base) if base is not None else os.getcwd(), path)
    return os.path.normpath(os.path.abspath(joined))


def _inside(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` (POSIX separators) when it lies inside it."""
    try:
        if os.path.commonpath([path, folder]) != folder:
            return None
    except ValueError:
        # Different drives on Windows: not inside.
        return None
    return Path(os.path.relpath(path, folder)).as_posix()


def stored_path(absolute: str, archive_path: Path | None) -> str:
    """How a source path is stored: relative to the archive's folder when inside it.

    The check is made on the path as written and, failing that, with the folders on
    both sides resolved (so ``/tmp/x`` and ``/private/tmp/x`` agree), while the file
    name itself is never resolved: a symlink is recorded as the link.
    """
    if archive_path is None:
        return absolute
    folder = os.path.normpath(os.path.abspath(archive_path.parent))
    relative = _inside(absolute, folder)
    if relative is None:
        real_folder = os.path.realpath(folder)
        head, name = os.path.split(absolute)
        relative = _inside(os.path.join(os.path.realpath(head), name), real_folder)
    return absolute if relative is None else relative


def resolve_stored(path: str, archive_path: Path | None) -> Path:
    """The file a stored source path names: relative paths start at the archive's folder."""
    candidate = Path(path)
    if candidate.is_absolute() or archive_path is None:
        return candidate
    return Path(os.path.abspath(archive_path.parent)) / candidate


def source_error(path: str, err: OSError, actual: str | None = None) -> SourceError:
    """A one-line :class:`SourceError` for a file that could not be described.

    :param path: the path as the user gave it (shown in the message).
    :param actual: the path that was opened, when it differs (relative to another folder).
    """
    shown = display_path(path)
    if isinstance(err, NotRegularFile):
        return SourceError(f"{shown} is {err.strerror}, not a regular file")
    if isinstance(err, FileNotFoundError):
        if os.path.islink(actual or path):
            return SourceError(f"{shown} is a symlink to a file that does not exist")
        return SourceError(f"no such file: {shown}")
    if isinstance(err, PermissionError):
        return SourceError(f"cannot read {shown}: permission denied")
    if isinstance(err, NotADirectoryError):
        return SourceError(f"no such file: {shown} (a part of the path is not a folder)")
    reason = err.strerror or str(err)
    return SourceError(f"cannot read {shown}: {reason}")


def copy_name(sha256: str, original: str) -> str:
    """The content-addressed name of a copy: the hash plus the original's plain suffix."""
    suffix = os.path.splitext(original)[1]
    return sha256 + (suffix if _PLAIN_SUFFIX.match(suffix) else "")


def _hash_and_copy(fd: int, original: str, archive_path: Path, count_lines: bool,
                   kept: Any = None) -> tuple[Digest, str]:
    """Hash ``fd`` while writing its bytes to a temporary file in ``sources/``.

    The temporary file is renamed to its content address once the hash is known,
    unless a copy with that hash is already there.  A failure leaves no temp file.
    """
    folder = Path(os.path.abspath(archive_path.parent)) / SOURCES_FOLDER
    try:
        folder.mkdir(exist_ok=True)
        tmp = folder / f".incoming.{os.getpid()}.{time.monotonic_ns()}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as err:
        raise SourceError(f"cannot write to {folder}: {err.strerror or err}") from None
    try:
        try:
            found = hash_descriptor(fd, count_lines=count_lines, copy_to=out,
                                    also=() if kept is None else (kept,))
            os.fsync(out)
        finally:
            os.close(out)
        target = folder / copy_name(found.sha256, original)
        if not _same_content(target, found.sha256):
            # Read-only, like git-annex's objects: a copy should never be edited.
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
            atomic.fsync_folder(folder)
    except OSError as err:
        raise SourceError(f"cannot copy {display_path(original)} into {folder}: "
                          f"{err.strerror or err}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return found, f"{SOURCES_FOLDER}/{target.name}"


def _same_content(target: Path, sha256: str) -> bool:
    try:
        return sha256_file(target)[0] == sha256
    except OSError:
        return False


def describe_source(path: str, archive_path: Path | None, *,
                    span: tuple[int, int] | None = None, retrieved: str | None = None,
                    copy: bool = False, base: Path | None = None) -> Source:
    """Hash the file at ``path`` (one streamed read) and describe it as a record's source.

    :param path: the file, absolute or relative to ``base``.
    :param archive_path: the archive file (``None`` for an in-memory archive); the
        path is stored relative to its folder when the file lies inside it, otherwise
        absolute.
    :param span: the lines ``(first, last)`` of the file the record was taken from.
    :param retrieved: when the file was retrieved (a date).
    :param copy: keep the bytes in the archive's ``sources/`` folder, named by their
        hash, and record that copy's path instead.
    :param base: the folder relative paths start from (default: the working folder;
        the importer passes the YAML file's folder).
    :raises SourceError: for a missing, unreadable or non-regular file, or a file name
        that is not UTF-8.
    :raises InvalidRecord: when ``span`` runs past the end of the file, or
        ``retrieved`` is not a date.
    """
    _check_name(path)
    if retrieved is not None:
        from archivist.dates import validate_date

        retrieved = validate_date(retrieved)
    if copy and archive_path is None:
        raise SourceError("a copy of the source needs an archive file to keep it beside")
    absolute = _absolute(path, base)
    try:
        fd = open_regular(absolute)
    except OSError as err:
        raise source_error(path, err, absolute) from None
    from archivist.fulltext import BytesKept, offer_bytes

    # The bytes hashed are kept for their text: the file is read once.
    kept = BytesKept()
    try:
        if copy:
            assert archive_path is not None
            found, recorded = _hash_and_copy(fd, absolute, archive_path, span is not None,
                                             kept)
        else:
            found = hash_descriptor(fd, count_lines=span is not None, also=(kept,))
            recorded = stored_path(absolute, archive_path)
    except OSError as err:
        raise source_error(path, err, absolute) from None
    finally:
        os.close(fd)
    if span is not None and found.lines is not None and span[1] > found.lines:
        raise InvalidRecord(
            f"span {span[0]}:{span[1]} runs past the end of {display_path(path)} "
            f"({found.lines} lines)"
        )
    # Every source added passes here: its text is extracted now, and kept with the commit.
    offer_bytes(kept, Path(absolute).name, found.sha256)
    return Source(path=recorded, sha256=found.sha256, size=found.size, span=span,
                  retrieved=retrieved)


def canonical_json(value: Any) -> bytes:
    """Sorted-keys compact UTF-8 JSON: the same values always give the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def record_digest(doc: Mapping[str, Any], *, exclude: Iterable[str] = ()) -> str:
    """The SHA-256 of a record's values: canonical JSON of its interchange form.

    ``doc`` may be a stored document or the interchange form; the maintained
    ``archive`` section is left out (it changes on every check), as are the private
    cached keys, so the digest changes exactly when a user-visible value does.

    :param exclude: more top-level keys to leave out (``("id",)`` compares content
        across ids).
    """
    links = doc.get("links")
    form = interchange(doc, list(links) if isinstance(links, list) else None,
                       with_archive=False)
    form["links"] = sorted(form["links"], key=lambda link: canonical_json(link))
    for key in exclude:
        form.pop(key, None)
    return hashlib.sha256(canonical_json(form)).hexdigest()
