"""How long ``archivist publish`` takes, how large its search index is, and how fast the
search answers in Chromium, on a generated archive (10,000 records by default).

    .venv/bin/python benchmarks/publish.py [--size 10000]

The archive is generated as ``run.py`` generates its own (``generate.py``); the timings
are of the whole ``archivist publish`` process.  The search is timed in headless
Chromium (Debian's ``chromium`` and ``chromium-driver``) when it is installed: the
load of the front page with its index, and the time from typing a word to the
results being on the page.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
ARCHIVIST = Path(sys.executable).parent / "archivist"
#: Words typed into the search, one after another.
QUERIES = ("kronstadt", "strike", "sovet", "zz-nothing", "1921 trotsky")


def _publish(db: Path, site: Path, *extra: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(ARCHIVIST), "--db", str(db), "publish", "-o", str(site), *extra],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def _search_times(site: Path) -> tuple[float, list[float]] | None:
    """Seconds to load the front page, and for each query to show its results."""
    if not Path("/usr/bin/chromium").exists() or not Path("/usr/bin/chromedriver").exists():
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp()
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        start = time.perf_counter()
        driver.get((site / "index.html").as_uri())
        loaded = time.perf_counter() - start
        times = [driver.execute_script(
            "var box = document.getElementById('search'); var t = performance.now();"
            "box.value = arguments[0]; box.dispatchEvent(new Event('input'));"
            "document.getElementById('results').getBoundingClientRect();"
            "return (performance.now() - t) / 1000;", query) for query in QUERIES]
        return loaded, [float(t) for t in times]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    from benchmarks.generate import generate

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "archive.json"
        generate(args.size, path=db)
        site = Path(folder) / "site"
        plain = [_publish(db, site, "--no-graphs") for _ in range(2)]
        drawn = _publish(db, site) if shutil.which("dot") else None
        index = (site / "search-index.js").stat().st_size
        pages = sum(1 for _ in site.rglob("*.html"))
        print(f"records: {args.size:,}; pages: {pages:,}")
        print(f"publish --no-graphs: {statistics.median(plain):.1f} s")
        if drawn is not None:
            graphs = len(list((site / "graphs").glob("*.svg")))
            print(f"publish with graphs: {drawn:.1f} s ({graphs:,} graphs)")
        print(f"search-index.js: {index / 1e6:.2f} MB")
        found = _search_times(site)
        if found is not None:
            loaded, times = found
            print(f"front page load with index: {loaded:.2f} s")
            print(f"search, typing to results: median {statistics.median(times) * 1000:.0f} ms,"
                  f" slowest {max(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
