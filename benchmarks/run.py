"""The archivist benchmark: whole commands, timed as a user runs them, as a Markdown table.

Generates realistic archives of 1,000, 10,000 and 100,000 records (see
``generate.py``; cached in ``benchmarks/out/``, which git ignores) and times each
command as a whole process, several runs after one untimed warm-up, reporting the
fastest and the median run and the peak memory (maximum resident set) of the process.
Beside them it prints the floor no command can beat: starting Python, importing the
command line, and parsing the archive file alone.  Targets are checked against the
median and printed as ``pass``/``fail``.  A command that fails (not there yet, say) is
reported as ``n/a — not available``.

Run it with the interpreter of the environment archivist is installed in (never a
``python3`` from ``PATH``, which may be a slow shim)::

    .venv/bin/python benchmarks/run.py                      # 1k, 10k and 100k
    .venv/bin/python benchmarks/run.py --sizes 1000,10000 --runs 5

The table is printed and also written to ``benchmarks/out/results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PYTHON = sys.executable
#: The console script installed beside the interpreter (``.venv/bin/archivist``).
SCRIPT = str(Path(sys.executable).parent / "archivist")
IMPORT_SIZE = 10_000
WSWS = "World Socialist Web Site"
#: The bulk edit timed: one publisher's name written out on every record that has it.
BULK_SET_LABEL = f'`set --where publisher:wsws publisher="{WSWS}"`'
NOT_AVAILABLE = "n/a — not available"
#: Citing is timed on 1,000 records only (its target; docs/cite.md).
CITE_LABEL = "`cite --style apa` (every record)"
MIB = 1024 * 1024


@dataclass
class Result:
    """The runs of one command: wall seconds and peak memory (bytes) of each."""

    size: int | None
    label: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    error: str | None = None
    #: The size of the archive file the command wrote (import), for the memory target.
    written: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak(self) -> int:
        return max(self.peaks)


@dataclass
class Check:
    """A target: a description and a verdict (``None`` when it could not be judged)."""

    size: int | None
    label: str
    target: str
    passed: bool | None


def clean_env() -> dict[str, str]:
    """The environment for every command: no archive or lock setting leaks in."""
    env = dict(os.environ)
    for name in ("ARCHIVIST_DB", "ARCHIVIST_LOCK_TIMEOUT", "PYTHONPROFILEIMPORTTIME"):
        env.pop(name, None)
    return env


# The child of a big process inherits its high-water mark of resident memory (Linux
# keeps ``maxrss`` across fork and exec), so every command is started by this small
# launcher, itself started before the benchmark has read any archive.  It reads one
# JSON line per command (argv, working folder, stderr file), runs it with stdout to a
# pipe that it reads to the end, and answers with wall seconds, CPU seconds, peak
# resident memory and exit code, all from ``wait4`` of that one child.
LAUNCHER = r"""
import json, os, sys, time
for line in sys.stdin:
    argv, cwd, errpath = json.loads(line)
    read_end, write_end = os.pipe()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            os.dup2(write_end, 1)
            err = os.open(errpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(err, 2)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(write_end)
    while os.read(read_end, 1 << 16):
        pass
    os.close(read_end)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    scale = 1 if sys.platform == "darwin" else 1024
    print(json.dumps([elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale,
                      os.waitstatus_to_exitcode(status)]), flush=True)
"""


class Launcher:
    """The small process that starts every timed command (see :data:`LAUNCHER`)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([PYTHON, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=clean_env(), text=True)
        fd, name = tempfile.mkstemp(suffix=".stderr")
        os.close(fd)
        self.errors = Path(name)

    def run(self, argv: Sequence[str]) -> tuple[float, float, int, int, str]:
        """Run ``argv``: wall seconds, CPU seconds, peak bytes, exit code, last stderr line."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([list(argv), str(OUT), str(self.errors)]) + "\n")
        self.proc.stdin.flush()
        elapsed, cpu, peak, code = json.loads(self.proc.stdout.readline())
        lines = self.errors.read_text("utf-8", "replace").strip().splitlines()
        return elapsed, cpu, peak, code, (lines[-1] if lines else "")

    def close(self) -> None:
        """Stop the launcher and remove its stderr file."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()
        self.errors.unlink(missing_ok=True)


LAUNCH: Launcher | None = None


def measure(size: int | None, label: str, argv: Sequence[str], runs: int,
            setup: Callable[[], None] | None = None) -> Result:
    """One untimed warm-up run, then ``runs`` timed ones (``setup`` before each, untimed)."""
    result = Result(size, label)
    print(f"  {label} …", file=sys.stderr, flush=True)
    for n in range(runs + 1):
        if setup is not None:
            setup()
        assert LAUNCH is not None
        elapsed, cpu, peak, code, err = LAUNCH.run(argv)
        if code != 0:
            result.error = err or f"exit code {code}"
            return result
        if n:
            result.times.append(elapsed)
            result.cpu.append(cpu)
            result.peaks.append(peak)
    return result


# -- archives ------------------------------------------------------------------


def ensure_archive(size: int) -> Path:
    """The cached archive of ``size`` records, generated when missing or outdated."""
    sys.path.insert(0, str(HERE))
    import generate

    path = OUT / f"archive-{size}.json"
    source = Path(generate.__file__)
    if not path.exists() or path.stat().st_mtime < source.stat().st_mtime:
        print(f"generating {path.name} …", file=sys.stderr, flush=True)
        generate.build(size, 0, path)
    return path


def ensure_import_file() -> Path:
    """The cached YAML file of :data:`IMPORT_SIZE` records for the import benchmark."""
    sys.path.insert(0, str(HERE))
    import generate

    path = OUT / f"import-{IMPORT_SIZE}.yaml"
    source = Path(generate.__file__)
    if not path.exists() or path.stat().st_mtime < source.stat().st_mtime:
        print(f"generating {path.name} …", file=sys.stderr, flush=True)
        generate.write_yaml(generate.build(IMPORT_SIZE, 1), path)
    return path


@dataclass
class Sample:
    """Ids and tags of an archive to run commands on."""

    show_id: str
    link_src: str
    link_dst: str
    tag_a: str
    tag_b: str


def sample(path: Path) -> Sample:
    """Pick records from the middle and the end of the archive, and two of its tags."""
    import orjson

    docs = list(orjson.loads(path.read_bytes())["records"].values())
    middle = docs[len(docs) // 2]
    tags = [t for doc in docs[len(docs) // 3:] for t in doc.get("tags", ())][:2]
    return Sample(show_id=middle["id"], link_src=docs[-1]["id"], link_dst=docs[1]["id"],
                  tag_a=tags[0], tag_b=tags[1])


def index_of(archive: Path) -> Path:
    """The index file archivist keeps beside ``archive``."""
    return archive.with_name(archive.name + ".index")


def quoted(tag: str) -> str:
    """A tag as a query value (quoted when it holds a space)."""
    return f'"{tag}"' if " " in tag else tag


# -- the benchmark ---------------------------------------------------------------


def floors(runs: int) -> list[Result]:
    """Starting Python and importing the command line: no command is faster."""
    return [
        measure(None, "floor: `python -c pass`", [PYTHON, "-c", "pass"], runs),
        measure(None, "floor: `python -c \"import archivist.cli\"`",
                [PYTHON, "-c", "import archivist.cli"], runs),
        measure(None, "`archivist --help`", [SCRIPT, "--help"], runs),
        measure(None, "`python -m archivist --help`", [PYTHON, "-m", "archivist", "--help"],
                runs),
    ]


def parse_floors(size: int, db: Path, runs: int) -> list[Result]:
    """Parsing the archive file alone, with orjson and with the standard library."""
    return [
        measure(size, "floor: parse with orjson",
                [PYTHON, "-c", "import orjson,sys; orjson.loads(open(sys.argv[1],'rb').read())",
                 str(db)], runs),
        measure(size, "floor: parse with json",
                [PYTHON, "-c", "import json,sys; json.loads(open(sys.argv[1],'rb').read())",
                 str(db)], runs),
    ]


def commands(size: int, db: Path, runs: int) -> list[Result]:
    """Every command on an archive of ``size`` records."""
    picked = sample(db)
    work = OUT / f"work-{size}.json"

    def restore() -> None:
        shutil.copyfile(db, work)
        index_of(work).unlink(missing_ok=True)

    def on(*args: str) -> list[str]:
        return [SCRIPT, "--db", str(db), *args]

    def on_copy(*args: str) -> list[str]:
        return [SCRIPT, "--db", str(work), *args]

    def quietly(*args: str) -> Callable[[], None]:
        def run() -> None:
            subprocess.run(on_copy(*args), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        return run

    def no_index() -> None:
        index_of(db).unlink(missing_ok=True)

    tag_query = f"tag:{quoted(picked.tag_a)}"
    boolean = f"tag:{quoted(picked.tag_a)} OR tag:{quoted(picked.tag_b)} -kind:book"
    add = ("add", "--title", "Новая запись: “Łódź” and the strike", "--creator", "Jan Nowak",
           "--date", "1921~", "--kind", "article", "--tag", picked.tag_a, "--tag", "benchmark")
    results = [
        measure(size, "`list` (no index file yet)", on("list"), runs, no_index),
        measure(size, "`show ID`", on("show", picked.show_id), runs),
        measure(size, "`python -m archivist show ID`",
                [PYTHON, "-m", "archivist", "--db", str(db), "show", picked.show_id], runs),
        measure(size, "`add` (a fresh copy: no index file yet)", on_copy(*add), runs, restore),
    ]
    # Then the steady state: one copy, its index file made by the first command and
    # kept current by each write, as a user's archive is.
    restore()
    results += [
        measure(size, "`add`", on_copy(*add), runs),
        measure(size, "`tag ID TAG…`", on_copy("tag", picked.show_id, "benchmark", picked.tag_b),
                runs, quietly("untag", picked.show_id, "benchmark")),
        measure(size, "`link A translation-of B`",
                on_copy("link", picked.link_src, "translation-of", picked.link_dst), runs,
                quietly("unlink", picked.link_src, "translation-of", picked.link_dst)),
        # About 7 records in 100 have this publisher: the untimed run before each
        # timed one spells it `wsws` again.
        measure(size, BULK_SET_LABEL,
                on_copy("set", "--where", "publisher:wsws", f"publisher={WSWS}", "--yes"),
                runs, quietly("set", "--where", f'publisher:="{WSWS}"', "publisher=wsws",
                              "--yes")),
        measure(size, "`list`", on("list"), runs),
        measure(size, f"`list {tag_query}`", on("list", tag_query), runs),
        measure(size, "`list date:1920..1930`", on("list", "date:1920..1930"), runs),
        measure(size, "`list kronstadt`", on("list", "kronstadt"), runs),
        measure(size, f"`list {boolean}`", on("list", boolean), runs),
        measure(size, "`list --format json`", on("list", "--format", "json"), runs),
        measure(size, "`export --format csv`", on("export", "--format", "csv"), runs),
        measure(size, "`export --format json`", on("export", "--format", "json"), runs),
        measure(size, "`export --format bibtex`", on("export", "--format", "bibtex"), runs),
    ]
    if size <= 1000:
        results.append(measure(size, CITE_LABEL, on("cite", "--style", "apa"), runs))
    index_of(work).unlink(missing_ok=True)
    work.unlink(missing_ok=True)
    return results


def import_benchmark(runs: int) -> Result:
    """Import :data:`IMPORT_SIZE` records from one YAML file into an empty archive."""
    source = ensure_import_file()
    target = OUT / "import-target.json"

    def empty() -> None:
        target.unlink(missing_ok=True)

    result = measure(IMPORT_SIZE, f"`import` {IMPORT_SIZE:,} records from YAML (empty archive)",
                     [SCRIPT, "--db", str(target), "import", "--max-size", str(64 * MIB),
                      str(source)], runs, empty)
    if target.exists():
        result.written = target.stat().st_size
    empty()
    return result


# -- targets -----------------------------------------------------------------------

def is_query(label: str) -> bool:
    """Whether a row is a ``list QUERY`` (not a whole list in another format)."""
    return label.startswith("`list ") and not label.startswith("`list --")


def checks(results: list[Result], sizes: dict[int, int]) -> list[Check]:
    """Judge the targets against the medians (milliseconds) and peaks."""
    found: list[Check] = []
    by_key = {(r.size, r.label): r for r in results}

    def ms(result: Result | None) -> float | None:
        return result.median * 1000 if result is not None and result.ok else None

    def judge(size: int | None, label: str, target: str, value: float | None,
              limit: float | None) -> None:
        verdict = None if value is None or limit is None else value <= limit
        found.append(Check(size, label, target, verdict))

    judge(None, "`archivist --help`", "≤ 80 ms", ms(by_key.get((None, "`archivist --help`"))),
          80)
    for r in results:
        if r.label.startswith("`import`"):
            judge(r.size, r.label, "≤ 3 s", ms(r), 3000)
            if r.ok and r.written:
                judge(r.size, r.label, "peak memory ≤ 3× the archive written", r.peak / MIB,
                      3 * r.written / MIB)
    for r in results:
        if r.label == CITE_LABEL:
            judge(r.size, r.label, "≤ 5 s", ms(r), 5000)
    if 10_000 in sizes:
        for r in results:
            if r.size != 10_000:
                continue
            if r.label == "`list`":
                judge(r.size, r.label, "≤ 150 ms", ms(r), 150)
            elif is_query(r.label):
                judge(r.size, r.label, "≤ 130 ms", ms(r), 130)
            elif r.label == "`add`":
                judge(r.size, r.label, "≤ 150 ms", ms(r), 150)
            elif r.label == BULK_SET_LABEL:
                judge(r.size, r.label, "≤ 1 s", ms(r), 1000)
    if 100_000 in sizes:
        parse = ms(by_key.get((100_000, "floor: parse with orjson")))
        file_size = sizes[100_000]
        for r in results:
            if r.size != 100_000:
                continue
            if r.label == "`add`":
                judge(r.size, r.label, "≤ 300 ms", ms(r), 300)
            elif r.label == "`show ID`":
                judge(r.size, r.label, "≤ 2× bare parse", ms(r),
                      None if parse is None else 2 * parse)
            elif is_query(r.label):
                judge(r.size, r.label, "≤ 1.5 s", ms(r), 1500)
                judge(r.size, r.label, "≤ 1.5× bare parse", ms(r),
                      None if parse is None else 1.5 * parse)
            # Every command, not the floors: parsing the file alone is the yardstick.
            if not r.label.startswith("floor") and r.ok:
                judge(r.size, r.label, "peak memory ≤ 3× file", r.peak / MIB,
                      3 * file_size / MIB)
    return found


# -- output ------------------------------------------------------------------------


def size_name(size: int | None) -> str:
    """``10k`` for 10,000 records; ``—`` for rows that do not read an archive."""
    if size is None:
        return "—"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def table(results: list[Result], found: list[Check], sizes: dict[int, int]) -> str:
    """The whole report as Markdown."""
    lines = [
        "# archivist benchmark",
        "",
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M')}. Wall time of whole "
        "processes (stdout to a pipe), after one untimed warm-up; CPU is the process's "
        "user + system time (steadier than wall time on a busy machine); peak memory is "
        "its maximum resident set.",
        "",
        "Archive files: " + ", ".join(f"{size_name(s)} records = {b / MIB:.1f} MiB"
                                      for s, b in sizes.items()) + ".",
        "",
        "| records | command | runs | min ms | median ms | median CPU ms | peak MiB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.ok:
            lines.append(f"| {size_name(r.size)} | {r.label} | {len(r.times)} | "
                         f"{min(r.times) * 1000:.0f} | {r.median * 1000:.0f} | "
                         f"{statistics.median(r.cpu) * 1000:.0f} | {r.peak / MIB:.0f} |")
        else:
            lines.append(f"| {size_name(r.size)} | {r.label} | — | {NOT_AVAILABLE} | | | |")
    lines += ["", "| records | command | target | result |", "|---|---|---|---|"]
    for check in found:
        verdict = "n/a" if check.passed is None else ("pass" if check.passed else "**fail**")
        lines.append(f"| {size_name(check.size)} | {check.label} | {check.target} | "
                     f"{verdict} |")
    failures = [r for r in results if not r.ok]
    if failures:
        lines += ["", "Not available:"]
        lines += [f"- {r.label} ({size_name(r.size)}): {r.error}" for r in failures]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="archive sizes, comma-separated (default: 1000,10000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs below 100k (5)")
    parser.add_argument("--large-runs", type=int, default=3,
                        help="timed runs at 100k records and more (3)")
    parser.add_argument("--no-import", action="store_true", help="skip the import benchmark")
    args = parser.parse_args(argv)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    OUT.mkdir(exist_ok=True)
    if not Path(SCRIPT).exists():
        print(f"error: {SCRIPT} not found; run this with the interpreter of the "
              "environment archivist is installed in", file=sys.stderr)
        return 1
    # Time what users run: an installed package has its bytecode compiled, but an
    # environment with PYTHONDONTWRITEBYTECODE set never caches it, and compiling
    # archivist's modules on every start would add ~25 ms to each command.
    import compileall
    import sysconfig

    for folder in (Path(__file__).resolve().parent.parent / "archivist",
                   Path(sysconfig.get_paths()["purelib"])):
        compileall.compile_dir(str(folder), quiet=2)
    global LAUNCH
    LAUNCH = Launcher()
    try:
        results = run_all(args, sizes)
    finally:
        LAUNCH.close()
    file_sizes = {size: (OUT / f"archive-{size}.json").stat().st_size for size in sizes}
    report = table(results, checks(results, file_sizes), file_sizes)
    (OUT / "results.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


def run_all(args: argparse.Namespace, sizes: list[int]) -> list[Result]:
    """Every measurement, in order: startup, then each size, then import."""
    results: list[Result] = []
    print("startup", file=sys.stderr)
    results += floors(args.runs)
    for size in sizes:
        db = ensure_archive(size)
        runs = args.runs if size < 100_000 else args.large_runs
        print(f"{size_name(size)} records", file=sys.stderr)
        results += parse_floors(size, db, runs)
        results += commands(size, db, runs)
    if not args.no_import:
        print("import", file=sys.stderr)
        results.append(import_benchmark(args.runs if max(sizes, default=0) < 100_000
                                        else args.large_runs))
    return results


if __name__ == "__main__":
    sys.exit(main())
