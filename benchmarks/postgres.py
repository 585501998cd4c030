"""The PostgreSQL engine against the JSON file: the same commands on the same records.

Generates (or reuses) the archive of ``generate.py`` in ``benchmarks/out/``, copies
it into PostgreSQL with ``archivist copy`` (timed), then times each command as a whole
process on both engines, with ``archivist --help`` as the floor.  The server is
``$ARCHIVIST_BENCH_POSTGRES`` (a URL; its archive tables are replaced) or, when that
is unset, a throwaway cluster made like the tests' one (``tests/pgserver.py``).

Command line::

    .venv/bin/python benchmarks/postgres.py --size 10000 --runs 5

Not run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
SCRIPT = str(Path(sys.executable).parent / "archivist")
URL_ENVVAR = "ARCHIVIST_BENCH_POSTGRES"


def timed(argv: Sequence[str], runs: int) -> float:
    """The best wall time of ``runs`` runs after one warm-up (seconds)."""
    return measured(argv, runs)[0]


def measured(argv: Sequence[str], runs: int) -> tuple[float, float]:
    """The best wall time (seconds) and the largest peak resident memory (MB) of
    ``runs`` runs of ``argv`` after one warm-up (the best: on a shared machine the
    others' load only ever adds time)."""
    # Compiled modules are kept, as an installed archivist keeps them.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ARCHIVIST_") and k != "PYTHONDONTWRITEBYTECODE"}
    times, peaks = [], []
    for n in range(runs + 1):
        # Timed by a small process of its own: a child of this one (which holds the
        # archive's records) would count this one's memory as its own peak.
        done = subprocess.run([sys.executable, "-c", _TIMER, *argv], capture_output=True,
                              env=env, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
        elapsed, peak = map(float, done.stdout.split())
        if n:
            times.append(elapsed)
            peaks.append(peak)
    return min(times), max(peaks)


_TIMER = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
sys.exit(done.returncode)
"""


def json_archive(size: int) -> Path:
    """The generated archive of ``size`` records (made once, then reused)."""
    sys.path.insert(0, str(HERE))
    import generate

    OUT.mkdir(exist_ok=True)
    path = OUT / f"archive-{size}.json"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr, flush=True)
        generate.build(size, 0, path)
    return path


def empty_database(url: str) -> None:
    """Drop the archive tables the database holds (a benchmark database only)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("archivist_links", "archivist_history", "archivist_records",
                      "archivist_meta"):
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    source = json_archive(args.size)
    cluster = None
    url = os.environ.get(URL_ENVVAR)
    if not url:
        sys.path.insert(0, str(ROOT))
        from tests.pgserver import start_cluster

        cluster = start_cluster()
        url = cluster.server.url
    try:
        empty_database(url)
        started = time.perf_counter()
        subprocess.run([SCRIPT, "copy", str(source), url], check=True,
                       stderr=subprocess.DEVNULL)
        copy_seconds = time.perf_counter() - started
        print(report(args.size, source, url, args.runs, copy_seconds))
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


def report(size: int, source: str | Path, url: str, runs: int, copy_seconds: float) -> str:
    """The Markdown table of every command on both engines."""
    import orjson

    work = OUT / f"work-pg-{size}.json"
    shutil.copyfile(source, work)
    docs = list(orjson.loads(Path(source).read_bytes())["records"].values())
    middle = docs[len(docs) // 2]["id"]
    tag = next(t for doc in docs[len(docs) // 3:] for t in doc.get("tags", ()))
    word = next(w for w in middle_title(docs).split() if len(w) > 4)
    floor = timed([SCRIPT, "--help"], runs)
    add = ["add", "--title", "Новая запись: “Łódź”", "--tag", tag, "--tag", "benchmark"]
    rows = [("`list`", ["list"]), ("`show ID`", ["show", middle]),
            (f"`list tag:\"{tag}\"`", ["list", f"tag:\"{tag}\""]),
            (f"`list tag:\"{tag}\" -kind:book date:1900..1950`",
             ["list", f"tag:\"{tag}\"", "-kind:book", "date:1900..1950"]),
            (f"`list {word} tag:\"{tag}\"`", ["list", word, f"tag:\"{tag}\""]),
            ("`list --sort -date --limit 20`", ["list", "--sort", "-date", "--limit", "20"]),
            ("`add`", add)]
    lines = [f"{size} records; `archivist --help`: {floor * 1000:.0f} ms; "
             f"`copy` of the file into PostgreSQL: {copy_seconds:.1f} s", "",
             "| command | JSON file | PostgreSQL | PostgreSQL / --help | peak memory "
             "(file / PostgreSQL) |", "|---|---|---|---|---|"]
    for label, command in rows:
        on_file, file_peak = measured([SCRIPT, "--db", str(work), *command], runs)
        on_pg, pg_peak = measured([SCRIPT, "--db", url, *command], runs)
        lines.append(f"| {label} | {on_file * 1000:.0f} ms | {on_pg * 1000:.0f} ms | "
                     f"{on_pg / floor:.1f}× | {file_peak:.0f} / {pg_peak:.0f} MB |")
    return "\n".join(lines)


def middle_title(docs: Sequence[dict[str, object]]) -> str:
    """The title of the record in the middle (its words are searched)."""
    return str(docs[len(docs) // 2].get("title") or "")


if __name__ == "__main__":
    raise SystemExit(main())
