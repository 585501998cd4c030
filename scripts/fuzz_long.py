#!/usr/bin/env python3
"""Run archivist's fuzz properties for much longer than the test suite does.

Two engines:

* **Hypothesis** (always): runs ``tests/test_fuzz.py`` with every example count
  multiplied by ``--scale`` (the environment variable ``ARCHIVIST_FUZZ_SCALE``), so
  the same properties (import input, queries, ``set`` and ``add --field``) see many
  more inputs.  Failing examples are kept in Hypothesis' database (``.hypothesis/``)
  and replayed first on the next run.
* **atheris** (``--atheris SECONDS``, when the ``atheris`` package is installed):
  coverage-guided fuzzing of the library, in-process, for each of the targets
  ``import`` (bytes → YAML reader → import checks into an in-memory archive),
  ``query`` (text → parser and compiler) and ``set`` (text → one assignment).  A target
  may raise archivist's own errors and nothing else; anything else is a crash, which
  atheris reports with the input that caused it (saved as ``crash-*`` in ``--corpus``).

Run it with the interpreter of the environment archivist is installed in::

    .venv/bin/python scripts/fuzz_long.py                  # Hypothesis, 100 times the examples
    .venv/bin/python scripts/fuzz_long.py --scale 1000 -k import
    .venv/bin/pip install atheris
    .venv/bin/python scripts/fuzz_long.py --scale 0 --atheris 600 --target import

Exits non-zero when any property fails or atheris finds a crash.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("import", "query", "set")
#: Inputs above this size are cut: the properties are about structure, not volume.
MAX_INPUT = 64 * 1024


def run_hypothesis(scale: float, select: str | None) -> int:
    """Run the Hypothesis properties with ``scale`` times the examples."""
    env = {**os.environ, "ARCHIVIST_FUZZ_SCALE": str(scale)}
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_fuzz.py"),
               "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics"]
    if select:
        command += ["-k", select]
    shown = " ".join(command[1:])
    print(f"$ ARCHIVIST_FUZZ_SCALE={scale} {shown}", flush=True)
    return subprocess.call(command, cwd=ROOT, env=env)


# -- atheris targets ---------------------------------------------------------------------


def import_target(data: bytes) -> None:
    """Bytes through the YAML reader and every import check, into an in-memory archive."""
    from archivist import atomic
    from archivist.errors import ArchivistError
    from archivist.importing import ImportOptions, InputFile, Inputs, import_records
    from archivist.store import memory_archive
    from archivist.yamlio import load_all

    data = data[:MAX_INPUT]
    try:
        documents = load_all(data, "fuzz.yaml")
        inputs = Inputs(files=[InputFile("fuzz.yaml", "fuzz.yaml", Path(tempfile.gettempdir()),
                                         hashlib.sha256(data).hexdigest(), documents)])
        archive = memory_archive()
        import_records(archive, inputs, ImportOptions())
        # Whatever was accepted must be writable.
        atomic.dumps(list(archive.documents()))
    except ArchivistError:
        pass


def query_target(data: bytes) -> None:
    """Text through the query parser and compiler, then against a few documents."""
    from archivist.errors import QuerySyntaxError
    from archivist.query import compile_query, parse

    text = data[:4096].decode("utf-8", "replace")
    docs: list[dict[str, Any]] = [
        {"id": "a", "title": "Dear Comrades", "tags": ["film"], "date": "2021-02-09",
         "_dates": ["2021-02-09", "2021-02-09"], "creators": ["Clara Weiss"]},
        {"id": "b", "title": "Новочеркасск", "fields": {"kicker": "x"}}]
    try:
        parse(text)
        predicate = compile_query(text)
    except QuerySyntaxError:
        return
    for doc in docs:
        predicate(doc)


def set_target(data: bytes) -> None:
    """One ``set`` assignment (or a few, split on NUL) applied to a record."""
    from archivist import atomic
    from archivist.editing import apply_assignments
    from archivist.errors import ArchivistError
    from archivist.models import record_from_mapping

    texts = data[:4096].decode("utf-8", "surrogateescape").split("\x00")
    record = record_from_mapping({"id": "r", "title": "T", "tags": ["film"],
                                  "fields": {"kicker": "k"}})
    try:
        changed = apply_assignments(record, texts)
        atomic.dumps(changed.to_document())
    except ArchivistError:
        pass


TARGET_FUNCTIONS: dict[str, Callable[[bytes], None]] = {
    "import": import_target, "query": query_target, "set": set_target}


def run_atheris(seconds: int, targets: Sequence[str], corpus: Path) -> int:
    """Fuzz each target for ``seconds`` in a child process; the first crash fails."""
    try:
        import atheris  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        print("atheris is not installed: `.venv/bin/pip install atheris`", file=sys.stderr)
        return 2
    status = 0
    for target in targets:
        folder = corpus / target
        folder.mkdir(parents=True, exist_ok=True)
        if target == "import" and not any(folder.iterdir()):
            # Seed with the sample records, so mutation starts from real input.
            for path in sorted((ROOT / "records").glob("*.yaml"))[:8]:
                (folder / path.name).write_bytes(path.read_bytes()[:MAX_INPUT])
        print(f"atheris: {target} for {seconds} s (corpus {folder})", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, __file__, "--atheris-child", target,
                                f"-max_total_time={seconds}", f"-artifact_prefix={folder}/",
                                "-rss_limit_mb=4096", str(folder)], cwd=ROOT)
        print(f"atheris: {target} ended with {code} after "
              f"{time.monotonic() - started:.0f} s", flush=True)
        status = status or code
    return status


def atheris_child(target: str, args: list[str]) -> None:
    import atheris

    with atheris.instrument_imports():
        import archivist.editing
        import archivist.importing
        import archivist.query
        import archivist.store
        import archivist.yamlio  # noqa: F401
    atheris.Setup([sys.argv[0], *args], TARGET_FUNCTIONS[target])
    atheris.Fuzz()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--atheris-child"]:
        atheris_child(argv[1], argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=100,
                        help="Multiply the Hypothesis example counts (0: skip). Default 100.")
    parser.add_argument("-k", dest="select", help="Only the properties matching (pytest -k).")
    parser.add_argument("--atheris", type=int, default=0, metavar="SECONDS",
                        help="Also fuzz each target with atheris for this long.")
    parser.add_argument("--target", action="append", choices=TARGETS,
                        help="An atheris target (repeatable). Default: all.")
    parser.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "out" / "fuzz",
                        help="Where atheris keeps its corpus and crashes.")
    args = parser.parse_args(argv)
    status = 0
    if args.scale > 0:
        status = run_hypothesis(args.scale, args.select)
    if args.atheris > 0:
        status = run_atheris(args.atheris, args.target or TARGETS, args.corpus) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
