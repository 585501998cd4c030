"""BagIt (RFC 8493): records and their source files as a self-checking transfer package.

A bag written by :func:`write_bag` looks like this::

    OUT/
      bagit.txt                 BagIt-Version 1.0, UTF-8 tag files
      bag-info.txt              who, when, with what, how much (see below)
      manifest-sha256.txt       one line per payload file, and the same in SHA-512
      manifest-sha512.txt
      tagmanifest-sha256.txt    one line per tag file (everything outside data/ but
      tagmanifest-sha512.txt    the tag manifests themselves)
      data/sources/NAME         the payload: each selected record's source file, once
      metadata/records.json     the records in interchange form, ``source.path``
      metadata/records.yaml     pointing at the payload copy (``../data/sources/NAME``),
                                so ``archivist import OUT/metadata/records.yaml``
                                works from the bag alone
      metadata/sources.json     for each record with a source: the path it had in the
                                archive, its payload path, sha256 and size

``bag-info.txt`` carries ``Source-Organization`` (the records' publishers, one line
each, or ``unknown``), ``Bagging-Date``, ``Bag-Software-Agent``, ``Payload-Oxum``,
``Bag-Size``, one ``External-Identifier`` per record id and an
``External-Description``.

Each source is copied while it is hashed (SHA-256 and SHA-512 in the same pass), and
its SHA-256 must be the one recorded: a bag never carries bytes that differ from
what the archive vouches for.  The bag is built in a temporary folder beside ``OUT``
and renamed into place at the end, so a failure leaves nothing half-made.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archivist.errors import ArchivistError, SourceError

if TYPE_CHECKING:
    from archivist.store import Archive

#: The BagIt version written.
BAGIT_VERSION = "1.0"
#: Checksum algorithms of the manifests, strongest last.
ALGORITHMS: tuple[str, ...] = ("sha256", "sha512")
#: The folder, inside ``data/``, holding the source files.
PAYLOAD_FOLDER = "data/sources"
#: The folder holding the records (tag files, outside the payload).
METADATA_FOLDER = "metadata"
# Characters that must not appear in a payload name: path separators, controls, and
# "%", which manifests would have to escape in a way not every reader undoes.
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\%]")


@dataclass(frozen=True)
class BagSummary:
    """What :func:`write_bag` made.

    :param path: the bag's folder.
    :param records: how many records the tag files hold.
    :param files: how many payload files (distinct sources).
    :param octets: the payload's size in bytes.
    """

    path: Path
    records: int
    files: int
    octets: int

    @property
    def oxum(self) -> str:
        """``Payload-Oxum``: ``octets.files``."""
        return f"{self.octets}.{self.files}"


def human_size(octets: int) -> str:
    """A size for people, in decimal units as BagIt examples use (``1.2 MB``)."""
    value = float(octets)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{octets} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def payload_name(original: str) -> str:
    """A safe file name for the payload copy of ``original`` (its last part, cleaned)."""
    name = unicodedata.normalize("NFC", os.path.basename(original.rstrip("/\\")))
    name = _UNSAFE_NAME.sub("_", name).strip()
    return name if name not in ("", ".", "..") else "source"


def _tag_value(text: str) -> str:
    """One ``bag-info.txt`` value on one line (line breaks and controls become spaces)."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _checksums(path: Path) -> dict[str, str]:
    hashes = {name: hashlib.new(name) for name in ALGORITHMS}
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            for digest in hashes.values():
                digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in hashes.items()}


class _Payload:
    """The payload files being copied, each distinct source once, names kept unique."""

    def __init__(self, root: Path, archive_path: Path | None) -> None:
        self.root = root
        self.archive_path = archive_path
        self.by_file: dict[str, str] = {}
        self.names: set[str] = set()
        self.checksums: dict[str, dict[str, str]] = {}
        self.octets = 0

    def add(self, record_id: str, source: dict[str, Any]) -> str:
        """Copy a record's source into the payload (once) and return its bag path."""
        from archivist.provenance import (
            hash_descriptor,
            open_regular,
            resolve_stored,
            source_error,
        )

        path = resolve_stored(str(source["path"]), self.archive_path)
        key = os.path.realpath(path)
        if key in self.by_file:
            return self.by_file[key]
        bag_path = self._unique(payload_name(str(source["path"])),
                                str(source.get("sha256") or ""))
        try:
            fd = open_regular(path)
        except OSError as err:
            raise SourceError(f"cannot bag {record_id}: "
                              f"{source_error(str(path), err)}") from None
        target = self.root / bag_path
        target.parent.mkdir(parents=True, exist_ok=True)
        sha512 = hashlib.sha512()
        try:
            out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                found = hash_descriptor(fd, copy_to=out, also=[sha512])
                os.fsync(out)
            finally:
                os.close(out)
        except OSError as err:
            raise SourceError(f"cannot bag {record_id}: copying {source['path']} failed: "
                              f"{err.strerror or err}") from None
        finally:
            os.close(fd)
        expected = source.get("sha256")
        if expected is not None and expected != found.sha256:
            raise SourceError(f"cannot bag {record_id}: its source {source['path']} has "
                              f"changed since it was recorded (run `archivist verify`)")
        self.by_file[key] = bag_path
        self.checksums[bag_path] = {"sha256": found.sha256, "sha512": sha512.hexdigest()}
        self.octets += found.size
        return bag_path

    def _unique(self, name: str, sha256: str) -> str:
        candidate = name
        if candidate.casefold() in self.names:
            stem, suffix = os.path.splitext(name)
            candidate = f"{stem}-{sha256[:12]}{suffix}" if sha256 else name
            counter = 2
            while candidate.casefold() in self.names:
                candidate = f"{stem}-{counter}{suffix}"
                counter += 1
        # Case-folded, so the bag unpacks without clashes on case-insensitive disks.
        self.names.add(candidate.casefold())
        return f"{PAYLOAD_FOLDER}/{candidate}"


def _manifest(entries: dict[str, dict[str, str]], algorithm: str) -> bytes:
    lines = [f"{sums[algorithm]}  {path}\n" for path, sums in sorted(entries.items())]
    return "".join(lines).encode("utf-8")


def _bag_info(records: Sequence[dict[str, Any]], summary: BagSummary, command: str
              ) -> bytes:
    from archivist.version import VERSION

    publishers = sorted({_tag_value(r["publisher"]) for r in records
                         if isinstance(r.get("publisher"), str) and r["publisher"].strip()},
                        key=str.casefold)
    lines = [f"Source-Organization: {p}" for p in publishers or ["unknown"]]
    lines += [
        f"Bagging-Date: {datetime.now(timezone.utc).date().isoformat()}",
        f"Bag-Software-Agent: archivist {VERSION}",
        f"Payload-Oxum: {summary.oxum}",
        f"Bag-Size: {human_size(summary.octets)}",
        f"External-Description: {len(records)} archivist records and their "
        f"{summary.files} source files, exported by: {_tag_value(command)}",
    ]
    lines += [f"External-Identifier: {_tag_value(r['id'])}" for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _refuse_existing(out_dir: Path) -> None:
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise ArchivistError(f"{out_dir} exists and is not a folder; choose a new folder "
                             "for the bag")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        raise ArchivistError(f"{out_dir} is not empty; choose a new or empty folder for "
                             "the bag")
    if not out_dir.parent.is_dir():
        raise ArchivistError(f"the folder {out_dir.parent} does not exist")


def write_bag(archive: Archive, docs: list[dict[str, Any]], out_dir: Path, *,
              command: str) -> BagSummary:
    """Write the records ``docs`` and their source files as a BagIt bag in ``out_dir``.

    The bag is made in a temporary folder beside ``out_dir`` and renamed into place
    once complete; on any failure nothing is left behind.

    :param docs: stored documents or interchange forms, e.g. from
        :func:`archivist.listing.select`.
    :param out_dir: the bag's folder: new, or an empty folder.
    :param command: the command line, recorded in ``bag-info.txt``.
    :raises ArchivistError: when ``out_dir`` is not empty or not a folder.
    :raises SourceError: when a source is missing, unreadable, or changed since it was
        recorded (nothing is left behind).
    """
    from archivist.listing import to_interchange

    out_dir = Path(os.path.abspath(out_dir))
    _refuse_existing(out_dir)
    records = to_interchange(archive, docs)
    tmp = _temporary_folder(out_dir)
    try:
        (tmp / "data").mkdir()
        payload = _Payload(tmp, archive.path)
        where = _copy_sources(records, payload)
        summary = BagSummary(out_dir, len(records), len(payload.checksums), payload.octets)
        _write_tag_files(tmp, _tag_files(records, where, payload, summary, command))
        if out_dir.is_dir():
            # Checked empty above; rename() cannot replace a folder on every platform.
            out_dir.rmdir()
        os.rename(tmp, out_dir)
    except ArchivistError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ArchivistError(f"could not write the bag {out_dir}: {err.strerror or err}; "
                             "nothing was left behind") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _sync_folder(out_dir.parent)
    return summary


def _temporary_folder(out_dir: Path) -> Path:
    """A new folder beside ``out_dir`` to build the bag in (so the rename stays on
    one file system)."""
    tmp = out_dir.parent / f".{out_dir.name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        tmp.mkdir()
    except OSError as err:
        raise ArchivistError(f"cannot write the bag beside {out_dir}: "
                             f"{err.strerror or err}") from None
    return tmp


def _copy_sources(records: list[dict[str, Any]], payload: _Payload) -> list[dict[str, Any]]:
    """Copy each record's source into the payload and point the record at its copy.

    :returns: the rows of ``sources.json``: where each source was and is in the bag.
    """
    where: list[dict[str, Any]] = []
    for record in records:
        source = record.get("source")
        if not source:
            continue
        bag_path = payload.add(record["id"], source)
        where.append({"id": record["id"], "archive_path": source["path"],
                      "bag_path": bag_path, "sha256": payload.checksums[bag_path]["sha256"],
                      "size": source.get("size")})
        # Re-importable from the bag: relative to metadata/, where the YAML lies.
        record["source"] = {**source, "path": f"../{bag_path}"}
    return where


def _tag_files(records: list[dict[str, Any]], where: list[dict[str, Any]],
               payload: _Payload, summary: BagSummary, command: str) -> dict[str, bytes]:
    """The bag's tag files, by name: declaration, bag-info, records and manifests."""
    from archivist.jsontext import json_bytes
    from archivist.yamlio import dump

    tags: dict[str, bytes] = {
        "bagit.txt": (f"BagIt-Version: {BAGIT_VERSION}\n"
                      "Tag-File-Character-Encoding: UTF-8\n").encode(),
        "bag-info.txt": _bag_info(records, summary, command),
        f"{METADATA_FOLDER}/records.json": json_bytes(records),
        f"{METADATA_FOLDER}/records.yaml": (dump(records) if records
                                             else "[]\n").encode("utf-8"),
        f"{METADATA_FOLDER}/sources.json": json_bytes(where),
    }
    for algorithm in ALGORITHMS:
        tags[f"manifest-{algorithm}.txt"] = _manifest(payload.checksums, algorithm)
    return tags


def _write_tag_files(folder: Path, tags: dict[str, bytes]) -> None:
    """Write the tag files, then the tag manifests that hash them."""
    for name, data in tags.items():
        _write(folder / name, data)
    tag_sums = {name: _checksums(folder / name) for name in tags}
    for algorithm in ALGORITHMS:
        _write(folder / f"tagmanifest-{algorithm}.txt", _manifest(tag_sums, algorithm))


def _sync_folder(folder: Path) -> None:
    """Make a rename inside ``folder`` survive a power cut (where the platform can)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
