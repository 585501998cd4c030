"""How ``archivist export --format turtle|jsonld`` compares with ``--format json``.

Times the whole ``archivist export`` process on the same archive (by default the
cached 100,000-record archive of ``run.py``, generated when missing) for ``json``,
``turtle`` and ``jsonld``: one untimed warm-up, then several runs each, stdout to
``/dev/null``.  It prints a Markdown table of the median wall and CPU time (user +
system) and the peak memory (maximum resident set), and each linked-data format's
ratio to ``json``.  The check passes when Turtle takes at most :data:`TARGET` times
the CPU time of ``json``.

Run it with the interpreter of the environment archivist is installed in::

    .venv/bin/python benchmarks/linked_data.py
    .venv/bin/python benchmarks/linked_data.py --size 10000 --runs 5
    .venv/bin/python benchmarks/linked_data.py --archive path/to/archive.json
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: How many times the CPU time of ``export --format json`` Turtle may take.
TARGET = 3.0
FORMATS = ("json", "turtle", "jsonld")


def archivist() -> str:
    """The console script beside this interpreter."""
    return str(Path(sys.executable).with_name("archivist"))


def run_once(db: Path, fmt: str) -> tuple[float, float, int]:
    """``(wall seconds, CPU seconds, peak KiB)`` of one export process."""
    import time

    argv = [archivist(), "--db", str(db), "export", "--format", fmt]
    if fmt != "json":
        argv += ["--base-iri", "urn:benchmark:"]
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen(argv, stdout=sink)
        # wait4 gives this one process's own usage (getrusage would give every child's).
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure(db: Path, runs: int) -> dict[str, tuple[float, float, int]]:
    """Median wall, median CPU and peak memory of each format."""
    results = {}
    for fmt in FORMATS:
        run_once(db, fmt)  # warm-up: the page cache, the index file
        samples = [run_once(db, fmt) for _ in range(runs)]
        results[fmt] = (statistics.median(s[0] for s in samples),
                        statistics.median(s[1] for s in samples),
                        max(s[2] for s in samples))
    return results


def table(results: dict[str, tuple[float, float, int]]) -> str:
    """The Markdown table, ratios to ``json``."""
    base_cpu = results["json"][1]
    lines = ["| format | wall (median) | CPU (median) | peak memory | CPU × json |",
             "|---|---|---|---|---|"]
    for fmt, (wall, cpu, peak) in results.items():
        lines.append(f"| {fmt} | {wall:.2f} s | {cpu:.2f} s | {peak // 1024} MiB | "
                     f"{cpu / base_cpu:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000,
                        help="records of the cached archive of run.py (100000)")
    parser.add_argument("--archive", type=Path, help="time this archive instead")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (3)")
    args = parser.parse_args(argv)
    if args.archive is not None:
        db = args.archive
    else:
        sys.path.insert(0, str(HERE))
        from run import ensure_archive

        db = ensure_archive(args.size)
    results = measure(db, args.runs)
    print(table(results))
    ratio = results["turtle"][1] / results["json"][1]
    verdict = "pass" if ratio <= TARGET else "FAIL"
    print(f"\nturtle takes {ratio:.2f}× the CPU time of json (target ≤ {TARGET}×): {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
