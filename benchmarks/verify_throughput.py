"""How fast ``archivist verify`` re-hashes sources, against ``sha256sum`` on the same files.

Creates about 1 GiB of source files in a temporary folder (a few large files and many
small ones), an archive describing each of them, then times the whole
``archivist verify`` process and ``sha256sum`` over the same files, several runs each
after one untimed warm-up (so both read from the page cache), and prints a Markdown
table.  The check passes when verify reaches at least 80% of sha256sum's throughput.

Run it with the interpreter of the environment archivist is installed in::

    .venv/bin/python benchmarks/verify_throughput.py
    .venv/bin/python benchmarks/verify_throughput.py --size-mib 256 --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The share of sha256sum's throughput verify must reach.
TARGET = 0.80
MIB = 1024 * 1024


def make_sources(folder: Path, total_mib: int) -> list[Path]:
    """Four large files holding 80% of ``total_mib``, the rest as 100 KiB files."""
    folder.mkdir()
    large_mib = total_mib * 8 // 10 // 4
    small_count = (total_mib - 4 * large_mib) * MIB // (100 * 1024)
    paths = []
    block = os.urandom(MIB)
    for i in range(4):
        path = folder / f"large-{i}.bin"
        with open(path, "wb") as out:
            for n in range(large_mib):
                # Vary each block a little so no two files (or blocks) are the same.
                out.write(n.to_bytes(8, "little") + bytes([i]) + block[9:])
        paths.append(path)
    for i in range(small_count):
        path = folder / f"small-{i:05d}.txt"
        path.write_bytes(i.to_bytes(8, "little") + block[: 100 * 1024 - 8])
        paths.append(path)
    return paths


def make_archive(db: Path, paths: list[Path]) -> None:
    """An archive with one record per file, each describing its file as the source."""
    from archivist.models import Record
    from archivist.provenance import describe_source
    from archivist.store import open_archive

    with open_archive(db, write=True, command="benchmark") as archive:
        archive.add_many(
            (Record(id=f"r{i:05d}", title=path.name,
                    source=describe_source(str(path), db)), None)
            for i, path in enumerate(paths))


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="total size of sources")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each")
    args = parser.parse_args()
    if shutil.which("sha256sum") is None:
        print("sha256sum is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="archivist-bench-") as tmp:
        root = Path(tmp)
        paths = make_sources(root / "sources", args.size_mib)
        total = sum(p.stat().st_size for p in paths)
        db = root / "archive.json"
        make_archive(db, paths)
        env = dict(os.environ, ARCHIVIST_DB=str(db))
        verify = [sys.executable, "-m", "archivist", "verify"]
        checksum = ["sha256sum", *map(str, paths)]
        timed(verify, env)
        timed(checksum)
        ours = [timed(verify, env) for _ in range(args.runs)]
        theirs = [timed(checksum) for _ in range(args.runs)]
    rows = [("archivist verify", ours), ("sha256sum", theirs)]
    print(f"{len(paths)} files, {total / MIB:.0f} MiB, {args.runs} runs each "
          f"(whole process, warm page cache)\n")
    print("| command | min (s) | median (s) | MiB/s (at min) |")
    print("|---|---:|---:|---:|")
    for name, times in rows:
        print(f"| {name} | {min(times):.3f} | {statistics.median(times):.3f} | "
              f"{total / MIB / min(times):.0f} |")
    ratio = min(theirs) / min(ours)
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(f"\nverify throughput = {ratio:.0%} of sha256sum's (target ≥ {TARGET:.0%}): "
          f"{verdict}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
