"""How fast ``archivist import`` reads 10,000 BibTeX entries, CSL-JSON items and YAML records.

Each run builds the three files from the same 10,000 made-up works (names with
particles and accents, LaTeX in titles, @string macros, months), then times one
``archivist import`` process per file into an empty archive: wall time, CPU time, and
the process's peak memory (maximum resident set).  The target (issue 19): at most 5 s
and 200 MiB on two cores for BibTeX and CSL-JSON; YAML is the yardstick.

Usage::

    .venv/bin/python benchmarks/import_formats.py [--count 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).with_name("archivist")
GIVEN = ["Clara", "Leon", "Jean-Paul", "Ana María", "G. T.", "Stanisław", "Kevin", "David"]
FAMILY = ["Weiss", "Trotsky", "Żółkiewski", "O’Connor", "Miasnikov", "Reed", "Walsh"]
PARTICLE = ["", "", "", "van", "de la"]
WORDS = ["workers", "revolution", "history", "Kronstadt", "strike", "letters", "council",
         "party", "film", "review", "crisis", "memory", "archive", "press"]


def works(count: int) -> list[dict[str, Any]]:
    """``count`` made-up works, the same for every seed."""
    rng = random.Random(19)
    out = []
    for n in range(count):
        creators = []
        for _ in range(rng.randint(1, 3)):
            particle = rng.choice(PARTICLE)
            creators.append((rng.choice(GIVEN), particle, rng.choice(FAMILY)))
        out.append({"key": f"w{n}", "title": " ".join(rng.choice(WORDS)
                                                      for _ in range(rng.randint(3, 9))),
                    "creators": creators, "year": rng.randint(1900, 2024),
                    "month": rng.randint(1, 12), "pages": f"{n % 300}--{n % 300 + 12}",
                    "tags": rng.sample(WORDS, 2)})
    return out


def bibtex(items: list[dict[str, Any]]) -> str:
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
              "dec"]
    parts = ['@string{wsws = "World Socialist Web Site"}\n']
    for w in items:
        names = " and ".join(f"{p + ' ' if p else ''}{f}, {g}".replace("ł", r"{\l}")
                             .replace("Ż", r"\.{Z}").replace("ó", r"\'{o}")
                             for g, p, f in w["creators"])
        parts.append(
            f"@article{{{w['key']},\n  author = {{{names}}},\n"
            f"  title = {{The {{Kronstadt}} \\emph{{{w['title']}}}}},\n"
            f"  journal = wsws,\n  year = {w['year']},\n  month = {months[w['month'] - 1]},\n"
            f"  pages = {{{w['pages']}}},\n  keywords = {{{', '.join(w['tags'])}}},\n}}\n\n")
    return "".join(parts)


def csl(items: list[dict[str, Any]]) -> str:
    out = []
    for w in items:
        authors = [{"family": f, "given": g, **({"non-dropping-particle": p} if p else {})}
                   for g, p, f in w["creators"]]
        out.append({"id": w["key"], "type": "article-journal",
                    "title": f"The Kronstadt {w['title']}", "author": authors,
                    "issued": {"date-parts": [[w["year"], w["month"]]]},
                    "container-title": "World Socialist Web Site", "page": w["pages"],
                    "keyword": ", ".join(w["tags"])})
    return json.dumps(out, ensure_ascii=False, indent=1)


def yaml_records(items: list[dict[str, Any]]) -> str:
    out = []
    for w in items:
        out.append({"id": w["key"], "kind": "article", "title": f"The Kronstadt {w['title']}",
                    "creators": [" ".join(x for x in c if x) for c in w["creators"]],
                    "date": f"{w['year']}-{w['month']:02d}",
                    "publisher": "World Socialist Web Site", "tags": w["tags"],
                    "pages": w["pages"]})
    return _yaml(out)


def _yaml(records: list[dict[str, Any]]) -> str:
    import yaml

    return yaml.safe_dump(records, allow_unicode=True, sort_keys=False)


def measure(path: Path, runs: int) -> dict[str, float]:
    """Fastest and median wall time, median CPU time and peak memory of the import."""
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "archive.json"
            start = time.perf_counter()
            process = subprocess.Popen([str(SCRIPT), "--db", str(db), "import",
                                        "--max-size", str(64 << 20), str(path)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(process.pid, 0)
            walls.append(time.perf_counter() - start)
            if status != 0:
                raise SystemExit(f"import of {path} failed: {process.stderr.read().decode()}"
                                 if process.stderr else f"import of {path} failed")
            cpus.append(usage.ru_utime + usage.ru_stime)
            peaks.append(usage.ru_maxrss / 1024)
    return {"fastest": min(walls), "median": statistics.median(walls),
            "cpu": statistics.median(cpus), "peak_mib": max(peaks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    items = works(args.count)
    with tempfile.TemporaryDirectory() as folder:
        files = {"BibTeX": (Path(folder) / "works.bib", bibtex(items)),
                 "CSL-JSON": (Path(folder) / "works.json", csl(items)),
                 "YAML": (Path(folder) / "works.yaml", yaml_records(items))}
        print(f"| {args.count:,} records from | fastest s | median s | CPU s | peak MiB |")
        print("|---|---|---|---|---|")
        for label, (path, text) in files.items():
            path.write_text(text, encoding="utf-8")
            result = measure(path, args.runs)
            print(f"| {label} | {result['fastest']:.2f} | {result['median']:.2f} | "
                  f"{result['cpu']:.2f} | {result['peak_mib']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
