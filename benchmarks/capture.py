"""How much time ``archivist capture`` adds to the fetch itself, and how long it takes
to describe 1,000 saved pages.

    .venv/bin/python benchmarks/capture.py [--runs 20] [--pages 1000]

(a) A page (the seed topic page's text, about 30 KB, with JSON-LD, Open Graph and
    Dublin Core metadata) is served by a local server on 127.0.0.1.  The fetch alone
    (``archivist.capture.fetch.fetch``) is timed, then a whole capture into an
    archive file (fetch, WARC file, description, hash, copy into ``sources/``, the
    record, its history and the archive's write), in the same process; the median
    difference is what capture adds.  Target: at most 0.3 s.
(b) 1,000 saved pages are captured by one ``archivist capture`` process (one
    write), timed whole, start-up included.  Target: at most 30 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
ARCHIVIST = Path(sys.executable).parent / "archivist"
SEEDS = HERE.parent / "records" / "sources"


def page(number: int, text: str) -> str:
    """A saved page with metadata of every kind, varied by ``number``."""
    article = {"@context": "https://schema.org", "@type": "NewsArticle",
               "headline": f"History of Russia, part {number}",
               "datePublished": f"20{10 + number % 10}-0{1 + number % 9}-1{number % 10}"
                                "T19:50:00-07:00",
               "author": {"@type": "Person", "name": f"Author {number % 37}"},
               "publisher": {"@type": "Organization", "name": "World Socialist Web Site"}}
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>History of Russia, part {number} | World Socialist Web Site</title>\n"
            f'<meta property="og:site_name" content="World Socialist Web Site">\n'
            f'<meta property="og:title" content="History of Russia, part {number}">\n'
            f'<meta name="DC.language" content="en">\n'
            f'<meta name="description" content="Entry {number} of the topic page.">\n'
            f'<script type="application/ld+json">{json.dumps(article)}</script>\n'
            f"</head><body>{paragraphs}</body></html>\n")


def seed_text() -> str:
    return (SEEDS / "003_e424884a53b18103.txt").read_text(encoding="utf-8")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def time_added_to_fetch(runs: int, folder: Path) -> tuple[float, float, float]:
    """Median seconds of the fetch alone, of a whole capture, and of an
    ``archivist capture URL`` process (start-up and imports included)."""
    from archivist.capture import CaptureRequest, capture
    from archivist.capture.fetch import fetch
    from archivist.store import open_archive

    (folder / "page.html").write_text(page(1, seed_text()), encoding="utf-8")
    server, base = serve(folder)
    url = f"{base}/page.html"
    try:
        fetch(url)  # warm up: imports, the first connection
        fetches, captures = [], []
        for run in range(runs):
            start = time.perf_counter()
            fetch(url)
            fetches.append(time.perf_counter() - start)
            db = folder / f"archive-{run}.json"
            start = time.perf_counter()
            capture(CaptureRequest(inputs=(url,)),
                    lambda db=db: open_archive(db, write=True, command="archivist capture"))
            captures.append(time.perf_counter() - start)
        processes = []
        for run in range(min(runs, 5)):
            start = time.perf_counter()
            subprocess.run([str(ARCHIVIST), "--db", str(folder / f"process-{run}.json"),
                            "capture", url], check=True, capture_output=True)
            processes.append(time.perf_counter() - start)
    finally:
        server.shutdown()
    return (statistics.median(fetches), statistics.median(captures),
            statistics.median(processes))


def time_saved_pages(count: int, folder: Path) -> float:
    """Seconds one ``archivist capture`` process takes over ``count`` saved pages."""
    text = seed_text()
    pages = folder / "pages"
    pages.mkdir()
    paths = []
    for number in range(count):
        path = pages / f"page-{number:04d}.html"
        path.write_text(page(number, text), encoding="utf-8")
        paths.append(str(path))
    start = time.perf_counter()
    subprocess.run([str(ARCHIVIST), "--db", str(folder / "pages.json"), "capture", *paths],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        fetched, captured, process = time_added_to_fetch(args.runs, Path(scratch))
        described = time_saved_pages(args.pages, Path(scratch))
    added = captured - fetched
    print("| measure | figure | target |\n|---|---|---|")
    print(f"| fetch alone (median of {args.runs}) | {fetched * 1000:.1f} ms | |")
    print(f"| whole capture (median of {args.runs}) | {captured * 1000:.1f} ms | |")
    print(f"| added by capture | {added * 1000:.1f} ms | ≤ 300 ms |")
    print(f"| `archivist capture URL` process, start-up included (median of "
          f"{min(args.runs, 5)}) | {process * 1000:.0f} ms | |")
    print(f"| {args.pages} saved pages, one process | {described:.1f} s | ≤ 30 s |")
    print(f"| per saved page | {described / args.pages * 1000:.1f} ms | |")


if __name__ == "__main__":
    main()
