"""How fast archivist searches inside sources: indexing, ``list text:`` and ``grep``.

Writes 10,000 source files of about 30 KB each (English prose from the sample sources'
words, one file in ten HTML, each of five names in one file of a hundred) in a
temporary folder, and an archive of one record per file (their texts not yet read, as
in an archive made before texts were kept), then times whole processes:

* the first ``list text:WORD``, which reads every file's text and writes ``ARCHIVE.fts``
  (target: 60 s);
* ``list text:WORD`` once indexed, against ``list`` of the same archive (target: 2×),
  for a name in one file of a hundred, and for a word in most files (no target);
* ``grep WORD`` (target: 1 s), and ``grep --regex`` for comparison (no target).

Run it with the interpreter of the environment archivist is installed in::

    .venv/bin/python benchmarks/fulltext.py
    .venv/bin/python benchmarks/fulltext.py --count 2000 --runs 3
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVIST = Path(sys.executable).with_name("archivist")
#: Names put in a few files only: what a search looks for.
RARE = ("Azaryan", "Miftakhov", "Novocherkassk", "Konchalovsky", "Żółkiewski")


def vocabulary() -> list[str]:
    words: list[str] = []
    for path in sorted((ROOT / "records" / "sources").iterdir()):
        words += re.findall(r"[^\W\d_]{2,}", path.read_text("utf-8"))
    return [word for word in words if word not in RARE]


def source_text(rng: random.Random, words: list[str], n: int, size: int) -> str:
    lines: list[str] = []
    length = 0
    while length < size:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(8, 16))) + "."
        lines.append(line)
        length += len(line) + 1
    if n % 20 == 0:  # each name in one file of a hundred
        lines[rng.randrange(len(lines))] += f" {RARE[n // 20 % len(RARE)]} spoke."
    lines.append(f"Document number {n}.")
    return "\n".join(lines) + "\n"


def make_sources(folder: Path, count: int, size: int) -> list[Path]:
    rng = random.Random(7)
    words = vocabulary()
    paths = []
    for n in range(count):
        text = source_text(rng, words, n, size)
        if n % 10 == 0:
            path = folder / f"s{n:05d}.html"
            body = "".join(f"<p>{line}</p>\n" for line in text.splitlines())
            text = f"<html><head><style>p {{ margin: 0 }}</style></head><body>\n{body}</body>"
        else:
            path = folder / f"s{n:05d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def make_archive(db: Path, paths: list[Path]) -> None:
    """One record per file, its text not read (as before texts were kept)."""
    from archivist.models import Record
    from archivist.provenance import describe_source
    from archivist.store import open_archive
    from archivist.store.sourcetexts import take_offered

    with open_archive(db, write=True, command="benchmark") as archive:
        archive.add_many((Record(id=f"r{i:05d}", title=path.name,
                                 source=describe_source(str(path), db)), None)
                         for i, path in enumerate(paths))
        take_offered()


def timed(db: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(ARCHIVIST), "--db", str(db), *args], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def median(db: Path, runs: int, *args: str) -> float:
    timed(db, *args)  # warm-up
    return statistics.median(timed(db, *args) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="source files")
    parser.add_argument("--size", type=int, default=30_000, help="bytes of each file")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each search")
    args = parser.parse_args()
    # Time what users run: an installed package has its bytecode compiled, which an
    # environment with PYTHONDONTWRITEBYTECODE never caches (as benchmarks/run.py does).
    import compileall
    import sysconfig

    for package in (ROOT / "archivist", Path(sysconfig.get_paths()["purelib"])):
        compileall.compile_dir(str(package), quiet=2)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sources").mkdir()
        paths = make_sources(folder / "sources", args.count, args.size)
        db = folder / "archive.json"
        make_archive(db, paths)
        timed(db, "list", "--limit", "1")  # the summaries index, outside the timings
        indexing = timed(db, "list", "text:qqqzzzqqq")
        fts = db.with_name(db.name + ".fts").stat().st_size
        listing = median(db, args.runs, "list")
        text = median(db, args.runs, "list", "text:azaryan")
        common = median(db, args.runs, "list", "text:revolution")
        grep = median(db, args.runs, "grep", "azaryan")
        regex = median(db, max(1, args.runs // 2), "grep", "--regex", "Azar[a-z]+")
    rows = [("index the sources (first text: search)", indexing, "≤ 60 s"),
            ("list", listing, ""),
            ("list text:azaryan", text, f"≤ 2× list ({text / listing:.2f}×)"),
            ("list text:revolution", common, f"(in most files: {common / listing:.2f}×)"),
            ("grep azaryan", grep, "≤ 1 s"),
            ("grep --regex 'Azar[a-z]+'", regex, "")]
    print(f"{args.count:,} sources of {args.size:,} bytes; ARCHIVE.fts {fts / 2**20:.0f} MiB\n")
    print("| command | seconds | target |\n|---|---|---|")
    for name, seconds, target in rows:
        print(f"| `{name}` | {seconds:.2f} | {target} |")
    ok = indexing <= 60 and text <= 2 * listing and grep <= 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
