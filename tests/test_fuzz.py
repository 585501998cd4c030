"""Hostile and random input gets only the documented outcomes, quickly, never a traceback.

Properties, each over generated input and through the real command line:

* ``import``: bytes, YAML-like text, damaged valid files, and structured records
  written as YAML and JSON either import, or exit 1 with one ``file:line:column: …``
  line per problem and a summary, leaving the archive as it was;
* ``list QUERY…``: lists, or exits 1 with one ``Error: bad query …`` line;
  the parser itself (:mod:`archivist.query`) raises nothing but ``QuerySyntaxError``;
* ``set ID KEY=VALUE…`` and ``add --field KEY=VALUE``: exit 0, or exit 1 with one line
  and the archive byte-identical.

Every input must be handled within a second (Hypothesis' ``deadline``).  The example
counts are small so the module stays fast; ``scripts/fuzz_long.py`` runs the same
properties with ``ARCHIVIST_FUZZ_SCALE`` set to a large factor.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.cli import cli
from archivist.models import INTERCHANGE_KEYS, KINDS, RESERVED_KEYS

#: Multiplies every example count (``scripts/fuzz_long.py`` sets it).
SCALE = float(os.environ.get("ARCHIVIST_FUZZ_SCALE", "1"))
#: The longest any one input may take.
DEADLINE = timedelta(seconds=1)
SUMMARY = re.compile(r"^Error: import failed with \d+ problems?; nothing was changed$")
MORE = re.compile(r"^… and \d+ more$")

runner = CliRunner()


def fuzz_settings(examples: int) -> Any:
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=DEADLINE,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow,
                                           HealthCheck.filter_too_much])


def lines_of(text: str) -> list[str]:
    # Only newlines end a line: str.splitlines() would also split on \x1c-\x1e, \x85…
    return text.rstrip("\n").split("\n") if text else []


def run_cli(*args: str) -> Result:
    # Bugs propagate as exceptions (and fail the property); user errors are exit codes.
    return runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder shared by every example of one property (each cleans up after itself)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


# -- import ------------------------------------------------------------------------------

VALID_YAML = (
    "- id: weiss-2021-dear-comrades\n"
    "  kind: article\n"
    "  title: \"Dear Comrades: Russian film about the 1962 Novocherkassk massacre\"\n"
    "  creators: [Clara Weiss]\n"
    "  date: 2021-02-09\n"
    "  tags: [film, stalinism]\n"
    "  links:\n"
    "    - {rel: part-of, target: wsws-history}\n"
    "  fields: {kicker: Film review, notes: [one, two]}\n"
    "- id: wsws-history\n"
    "  kind: series\n"
    "  title: The history of Russia\n"
    "  language: ru\n"
    "  summary: |\n"
    "    Новочеркасск, 1962 — «Дорогие товарищи!»\n"
    "---\n"
    "title: no\n"
    "date: 1923~\n"
    "creators: Somebody\n"
).encode()

YAML_ALPHABET = st.sampled_from([*":-[]{},&*!|>'\"#%@`?~ \n\t.0123456789abcxyz",
    "title", "id", "kind", "tags", "links", "rel", "target", "source", "fields", "---",
    "\n- ", ": ", "null", "no", "2021-02-09", "!!str", "!!python/object", "&a", "*a",
    "<<", "\ufeff", "\u202e", "\x00", "\x1b", "é", "Ж", "😀"])

yaml_like = st.lists(YAML_ALPHABET, max_size=80).map("".join).map(
    lambda text: text.encode("utf-8", "surrogatepass"))


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """The valid file with a few bytes inserted, deleted or overwritten."""
    data = bytearray(VALID_YAML)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        what = draw(st.sampled_from(["insert", "delete", "overwrite"]))
        chunk = draw(st.binary(min_size=1, max_size=4))
        if what == "insert":
            data[at:at] = chunk
        elif what == "delete":
            del data[at:at + len(chunk)]
        else:
            data[at:at + len(chunk)] = chunk
    return bytes(data)


scalar_text = st.text(max_size=20)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | scalar_text
    | st.sampled_from([*KINDS, "2021", "2021-02-09", "1923~", "1920/1925", "2021-13"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(scalar_text, inner,
                                                                max_size=3),
    max_leaves=8)
record_keys = st.sampled_from([*INTERCHANGE_KEYS, *sorted(RESERVED_KEYS), "kicker"]) | (
    st.text(min_size=1, max_size=10))
records = st.dictionaries(record_keys, values, max_size=6)


class _NoAliases(yaml.SafeDumper):
    # Hypothesis may share one object twice; the reader refuses aliases on purpose.
    def ignore_aliases(self, data: Any) -> bool:
        return True


@st.composite
def structured(draw: st.DrawFn) -> tuple[str, bytes]:
    """Records (one, or a list) written as JSON or as YAML."""
    data: Any = draw(st.lists(records, max_size=3) | records)
    if draw(st.booleans()):
        return "json", json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8",
                                                                                "surrogatepass")
    text = yaml.dump(data, Dumper=_NoAliases, allow_unicode=draw(st.booleans()))
    return "yaml", text.encode("utf-8", "surrogatepass")


def check_import(folder: Path, data: bytes, suffix: str = "yaml") -> Result:
    """Import ``data`` into a new archive; assert the outcome is a documented one."""
    db = folder / "archive.json"
    source = folder / f"input.{suffix}"
    source.write_bytes(data)
    try:
        result = run_cli("--db", str(db), "import", str(source))
        assert "Traceback" not in result.stderr
        if result.exit_code == 0:
            listed = run_cli("--db", str(db), "list", "--format", "json")
            assert listed.exit_code == 0, listed.stderr
            json.loads(listed.stdout)
        else:
            assert result.exit_code == 1, result.stderr
            lines = lines_of(result.stderr)
            assert lines and SUMMARY.match(lines[-1]), result.stderr
            assert len(lines) >= 2, result.stderr
            for line in lines[:-1]:
                assert line.startswith(f"{source}:") or MORE.match(line), line
                if not MORE.match(line):
                    position = line[len(str(source)) + 1:]
                    assert re.match(r"^\d+:\d+: \S", position), line
            assert not db.exists(), "a failed import wrote the archive"
            assert result.stdout == ""
        return result
    finally:
        for path in folder.iterdir():
            path.unlink()


@fuzz_settings(150)
@given(st.binary(max_size=600))
def test_import_of_random_bytes(workdir: Path, data: bytes) -> None:
    check_import(workdir, data)


@fuzz_settings(200)
@given(yaml_like)
def test_import_of_yaml_like_text(workdir: Path, data: bytes) -> None:
    check_import(workdir, data)


@fuzz_settings(150)
@given(damaged())
def test_import_of_damaged_files(workdir: Path, data: bytes) -> None:
    check_import(workdir, data)


@fuzz_settings(150)
@given(structured())
def test_import_of_structured_records(workdir: Path, case: tuple[str, bytes]) -> None:
    suffix, data = case
    check_import(workdir, data, suffix)


def test_the_valid_sample_imports(workdir: Path) -> None:
    result = check_import(workdir, VALID_YAML)
    assert result.exit_code == 0, result.stderr


#: Plain YAML scalars that YAML 1.1 would turn into something other than text.
TRICKY = ["no", "No", "off", "on", "yes", "y", "n", "true", "False", "1e3", "0123", "0x1F",
          "0o17", "1_000", ".inf", "-.inf", ".nan", "2021-02-09", "12:30:00", "1:20", "+1",
          "-0", "0.", "3.0", "=", "<<"]
titles = st.sampled_from(TRICKY) | st.text(
    st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30).filter(
    lambda text: text.strip() == text and text != "")


@fuzz_settings(100)
@given(st.lists(titles, min_size=1, max_size=4), st.booleans())
def test_titles_survive_as_written(workdir: Path, written: list[str], plain: bool) -> None:
    """Imported titles come back exactly as written, quoted or (where YAML allows) plain."""
    lines = []
    for n, title in enumerate(written):
        shown = title if plain and title in TRICKY else json.dumps(title)
        lines.append(f"- id: r{n}\n  title: {shown}\n  tags: [{json.dumps(title)}]\n")
    db = workdir / "archive.json"
    source = workdir / "titles.yaml"
    source.write_text("".join(lines), encoding="utf-8")
    try:
        result = run_cli("--db", str(db), "import", str(source))
        assert result.exit_code == 0, result.stderr
        listed = json.loads(run_cli("--db", str(db), "list", "--format", "json").stdout)
        assert [r["title"] for r in listed] == written
        # Tags match case-insensitively and keep the spelling first given.
        first: dict[str, str] = {}
        for title in written:
            first.setdefault(title.casefold(), title)
        assert [r["tags"] for r in listed] == [[first[t.casefold()]] for t in written]
    finally:
        for path in workdir.iterdir():
            path.unlink()


# -- queries -----------------------------------------------------------------------------

QUERY_PIECES = st.sampled_from([
    "(", ")", "|", "-", "OR", "AND", "NOT", '"', "\\", ":", ":=", "*", "..", " ",
    "tag:", "title:", "date:", "date:2021", "date:..1930", "date:1920..", "kind:", "has:",
    "missing:", "rel:", "linked:", "fixity:", "id:", "film", "Новочеркасск", "\u0301",
    "\x1b[31m", "\t", "2021-13", "kind:film", "kind:novel"])
query_words = st.lists(st.lists(QUERY_PIECES | st.text(max_size=6), max_size=6).map("".join),
                       min_size=1, max_size=4)


@pytest.fixture(scope="module")
def query_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("query") / "archive.json"
    for args in (["--title", "Dear Comrades", "--kind", "film", "--date", "2021-02-09",
                  "--tag", "film", "--creator", "Clara Weiss"],
                 ["--title", "Новочеркасск", "--date", "1962", "--tag", "Stalinism"],
                 ["--title", "Undated", "--field", "kicker=Cinema"]):
        result = run_cli("--db", str(db), "add", *args)
        assert result.exit_code == 0, result.stderr
    return db


@fuzz_settings(200)
@given(query_words)
def test_list_with_any_query_lists_or_reports_one_line(query_archive: Path,
                                                       words: list[str]) -> None:
    before = query_archive.read_bytes()
    result = run_cli("--db", str(query_archive), "list", "--format", "json", "--", *words)
    if result.exit_code == 0:
        assert isinstance(json.loads(result.stdout), list)
    else:
        assert result.exit_code == 1, result.stderr
        lines = lines_of(result.stderr)
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert result.stdout == ""
    assert query_archive.read_bytes() == before


@fuzz_settings(300)
@given(st.one_of(query_words.map(" ".join), st.text(max_size=40)))
def test_the_query_parser_raises_only_query_syntax_errors(text: str) -> None:
    query = pytest.importorskip("archivist.query")
    from archivist.errors import QuerySyntaxError

    for function in (query.parse, query.compile_query):
        try:
            function(text)
        except QuerySyntaxError:
            pass


# -- set and add --field -----------------------------------------------------------------

BASE_ID = "weiss-2021-dear-comrades"
set_keys = st.sampled_from([*INTERCHANGE_KEYS, *sorted(RESERVED_KEYS), "fields.kicker",
                            "fields.", "kicker", "links", "source.path", "archive.added",
                            "Title", "tags ", " id"]) | st.text(max_size=12)
set_values = st.sampled_from(["", "film", "2021-02-09", "2021-13", "1923~", "book", "novel",
                              "http://x", "\x00", "\x1b[2J", "\udcff", "a\nb", " "]) | (
    st.text(max_size=20))
assignments = st.tuples(set_keys, st.sampled_from(["=", "+=", "-=", "", "=="]), set_values
                        ).map("".join)


@pytest.fixture(scope="module")
def base_archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    db = tmp_path_factory.mktemp("base") / "archive.json"
    result = run_cli("--db", str(db), "add", "--title", "Dear Comrades", "--id", BASE_ID,
                    "--creator", "Clara Weiss", "--date", "2021-02-09", "--tag", "film",
                    "--field", "kicker=Film review")
    assert result.exit_code == 0, result.stderr
    return db.read_bytes()


def check_change(db: Path, base: bytes, args: list[str]) -> Result:
    db.write_bytes(base)
    result = run_cli("--db", str(db), *args)
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        lines = lines_of(result.stderr)
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert db.read_bytes() == base, "a refused change altered the archive"
    else:
        assert result.exit_code == 0, result.stderr
        shown = run_cli("--db", str(db), "show", BASE_ID, "--format", "json")
        assert shown.exit_code == 0, shown.stderr
        json.loads(shown.stdout)
    return result


@fuzz_settings(250)
@given(st.lists(assignments, min_size=1, max_size=3))
def test_set_with_random_assignments(workdir: Path, base_archive: bytes,
                                     items: list[str]) -> None:
    check_change(workdir / "archive.json", base_archive, ["set", BASE_ID, "--", *items])


custom_names = st.text(st.characters(whitelist_categories=["Ll", "Lu", "Nd"]), min_size=1,
                       max_size=10).filter(
    lambda name: name not in INTERCHANGE_KEYS and name not in RESERVED_KEYS
    and name not in ("id", "links"))


@fuzz_settings(100)
@given(custom_names, st.text(min_size=1, max_size=20))
def test_set_of_a_custom_field_round_trips_or_is_refused(workdir: Path, base_archive: bytes,
                                                         name: str, value: str) -> None:
    db = workdir / "archive.json"
    result = check_change(db, base_archive, ["set", BASE_ID, "--", f"{name}={value}"])
    if result.exit_code == 0:
        shown = json.loads(run_cli("--db", str(db), "show", BASE_ID, "--format",
                                  "json").stdout)
        assert shown["fields"][name] == value


@fuzz_settings(150)
@given(st.lists(assignments, min_size=1, max_size=2))
def test_add_with_random_fields(workdir: Path, base_archive: bytes, items: list[str]) -> None:
    args = ["add", "--title", "Another"]
    for item in items:
        args += ["--field", item]
    check_change(workdir / "archive.json", base_archive, args)


# -- faults the fuzzers found, kept as plain regression tests ---------------------------


def test_fields_that_is_not_a_mapping_is_reported(workdir: Path) -> None:
    source = workdir / "input.yaml"
    source.write_bytes(b"title: T\nfields: false\n")
    result = run_cli("--db", str(workdir / "archive.json"), "import", str(source))
    assert result.exit_code == 1
    assert f"{source}:2:" in result.stderr


def test_error_messages_escape_control_characters(workdir: Path, base_archive: bytes) -> None:
    # A field name with a newline and an escape sequence, and a value from a command
    # line that is not UTF-8: one line, and nothing reaches the terminal raw.
    result = check_change(workdir / "archive.json", base_archive,
                          ["set", BASE_ID, "a\nb\x1b[2J=\udcff"])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and len(lines_of(result.stderr)) == 1


def test_an_argument_that_is_not_utf8_never_reaches_the_archive_file(
        workdir: Path, base_archive: bytes) -> None:
    # The later --field wins, so the record is valid; but the command line, kept in
    # history, still holds the undecodable byte (a lone surrogate once decoded).
    result = check_change(workdir / "archive.json", base_archive,
                          ["add", "--title", "T", "--field", "k=\udcff", "--field", "k=ok"])
    assert result.exit_code == 0, result.stderr
    data = json.loads((workdir / "archive.json").read_bytes())
    commands = [entry["command"] for entry in data["history"].values()]
    assert any("k=\\xff" in command for command in commands)
