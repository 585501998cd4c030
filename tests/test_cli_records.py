"""add, show, list, set, edit and rm through the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke


def add(invoke: Invoke, *args: str) -> str:
    result = invoke("add", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def show_json(invoke: Invoke, record_id: str) -> dict[str, Any]:
    result = invoke("show", record_id, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_add_prints_only_the_generated_id(invoke: Invoke) -> None:
    result = invoke("add", "--title",
                    "Dear Comrades: Russian film about the 1962 Novocherkassk massacre",
                    "--creator", "Clara Weiss", "--date", "2021-02-09", "--kind", "article")
    assert result.exit_code == 0
    assert result.stdout == "weiss-2021-dear-comrades\n"
    assert result.stderr == ""


def test_add_with_every_option_and_show_json(invoke: Invoke) -> None:
    record_id = add(invoke, "--title", "Новочеркасск", "--id", "nov-1962", "--kind", "film",
                    "--subtitle", "Part two", "--creator", "Андрей Кончаловский",
                    "--creator", "B", "--date", "1962~", "--publisher", "Mosfilm",
                    "--url", "https://example.org/x", "--language", "ru", "--summary", "S",
                    "--tag", "film", "--tag", "Film", "--field", "kicker=Cinema",
                    "--field", "fields.note=n")
    data = show_json(invoke, record_id)
    assert data["creators"] == ["Андрей Кончаловский", "B"]
    assert data["tags"] == ["film"]
    assert data["fields"] == {"kicker": "Cinema", "note": "n"}
    assert data["date"] == "1962~" and data["kind"] == "film"
    assert data["archive"]["added_how"].startswith("archivist add --title")
    assert data["archive"]["added"].endswith("Z")


def test_generated_ids_get_a_suffix_on_collision(invoke: Invoke) -> None:
    first = add(invoke, "--title", "Same", "--date", "2020")
    second = add(invoke, "--title", "Same", "--date", "2020")
    assert (first, second) == ("2020-same", "2020-same-2")


@pytest.mark.parametrize(("args", "message"), [
    (["--title", "T", "--kind", "novel"], "unknown kind 'novel'"),
    (["--title", "T", "--date", "2021-02-30"], "has no day 30"),
    (["--title", "T", "--date", "2021-13"], "no month 13"),
    (["--title", "T", "--id", "bad id"], "bad id"),
    (["--title", "T", "--id", "x;rm"], "bad id"),
    (["--title", "T", "--tag", " "], "blank"),
    (["--title", "T", "--field", "added=x"], "maintained by archivist"),
    (["--title", "T", "--field", "noequals"], "KEY=VALUE"),
    (["--title", "T", "--field", "x+=1"], "--field takes KEY=VALUE, not 'x+=1'"),
    (["--title", "T", "--field", "title=x"], "'title' is a field of its own; use --title or "
                                             "set"),
    (["--title", "T", "--span", "1:2"], "--span, --retrieved and --copy go with --file"),
    (["--title", "T", "--retrieved", "2021"], "--span, --retrieved and --copy go with --file"),
    (["--title", "  "], "title cannot be blank"),
    (["--title", "T", "--id", "existing"], "already exists"),
    (["--title", "T", "--id", "EXISTING"], "already exists"),
])
def test_add_refusals_change_nothing(invoke: Invoke, unchanged: Any, args: list[str],
                                     message: str) -> None:
    add(invoke, "--title", "E", "--id", "existing")
    with unchanged():
        result = invoke("add", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_malformed_command_lines_exit_2(invoke: Invoke, unchanged: Any) -> None:
    with unchanged():
        assert invoke("add").exit_code == 2
        assert invoke("add", "--title", "T", "--bogus").exit_code == 2
        assert invoke("frobnicate").exit_code == 2
        assert invoke("show").exit_code == 2


def test_show_text_shows_what_is_known_and_escapes_controls(invoke: Invoke) -> None:
    add(invoke, "--title", "Evil \x1b[31mred\u202e", "--id", "e", "--tag", "x")
    result = invoke("show", "e")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "\\x1b[31mred\\u202e" in result.stdout
    assert "subtitle" not in result.stdout
    data = show_json(invoke, "e")
    assert data["title"] == "Evil \x1b[31mred\u202e"


def test_show_yaml_is_unicode_and_reimportable_shape(invoke: Invoke) -> None:
    add(invoke, "--title", "Новочеркасск", "--id", "n", "--date", "2021-02-09")
    result = invoke("show", "n", "--format", "yaml")
    assert "title: Новочеркасск" in result.stdout
    assert "date: '2021-02-09'" in result.stdout


def test_show_unknown_id(invoke: Invoke) -> None:
    add(invoke, "--title", "T", "--id", "t")
    result = invoke("show", "nope")
    assert result.exit_code == 1
    assert result.stderr == "Error: no record with id 'nope'\n"


def test_read_commands_on_a_missing_archive(invoke: Invoke, db: Path) -> None:
    result = invoke("list", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "does not exist yet" in result.stderr
    assert not db.exists()


def test_list_formats(invoke: Invoke) -> None:
    add(invoke, "--title", "=HYPERLINK(1)", "--id", "a", "--date", "2020")
    add(invoke, "--title", "Второй", "--id", "b", "--creator", "C D", "--tag", "t")
    table = invoke("list").stdout.splitlines()
    assert table[0].split() == ["id", "kind", "date", "creators", "title"]
    assert len(table) == 4
    rows = json.loads(invoke("list", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[1]["archive"]["added_by"]
    lines = invoke("list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a", "b"]
    csv_out = invoke("list", "--format", "csv", "--columns", "id,title,tags").stdout
    assert csv_out.splitlines() == ["id,title,tags", "a,'=HYPERLINK(1),", "b,Второй,t"]
    tsv_out = invoke("list", "--format", "tsv", "--no-headers", "-c", "id").stdout
    assert tsv_out == "a\nb\n"
    yaml_out = invoke("list", "--format", "yaml").stdout
    assert "title: Второй" in yaml_out


def test_list_sort_and_limit(invoke: Invoke) -> None:
    add(invoke, "--title", "B", "--id", "b", "--date", "2020")
    add(invoke, "--title", "A", "--id", "a", "--date", "1920/1925")
    add(invoke, "--title", "C", "--id", "c")
    add(invoke, "--title", "D", "--id", "d", "--date", "2021~")

    def ids(*args: str) -> list[str]:
        out = invoke("list", "--format", "json", *args).stdout
        return [r["id"] for r in json.loads(out)]

    assert ids("--sort", "date") == ["a", "b", "d", "c"]
    assert ids("--sort", "-date") == ["d", "b", "a", "c"]
    assert ids("--sort", "title", "--limit", "2") == ["a", "b"]
    assert ids("--sort", "-title") == ["d", "c", "b", "a"]


def test_set_changes_removes_and_extends(invoke: Invoke) -> None:
    add(invoke, "--title", "T", "--id", "t", "--tag", "Film", "--summary", "S")
    result = invoke("set", "t", "date=2021-02-09", "summary=", "tags+=stalinism",
                    "tags-=FILM", "creators+=Clara Weiss", "kicker=Review",
                    "fields.note=n")
    assert result.exit_code == 0, result.stderr
    data = show_json(invoke, "t")
    assert data["date"] == "2021-02-09" and data["summary"] is None
    assert data["tags"] == ["stalinism"]
    assert data["creators"] == ["Clara Weiss"]
    assert data["fields"] == {"kicker": "Review", "note": "n"}
    assert invoke("set", "t", "kicker=").exit_code == 0
    assert show_json(invoke, "t")["fields"] == {"note": "n"}


@pytest.mark.parametrize(("args", "message"), [
    (["kind=novel"], "unknown kind"),
    (["date=2021-02-30"], "no day 30"),
    (["title="], "title cannot be removed"),
    (["id=x"], "cannot be changed"),
    (["added=x"], "maintained by archivist"),
    (["archive.added=x"], "maintained by archivist"),
    (["tags-=absent"], "no value 'absent'"),
    (["title+=x"], "holds one value"),
    (["novalue"], "KEY=VALUE"),
    (["links=x"], "archivist link"),
])
def test_set_refusals_change_nothing(invoke: Invoke, unchanged: Any, args: list[str],
                                     message: str) -> None:
    add(invoke, "--title", "T", "--id", "t")
    with unchanged():
        result = invoke("set", "t", *args)
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr


def test_set_needs_an_assignment(invoke: Invoke) -> None:
    add(invoke, "--title", "T", "--id", "t")
    assert invoke("set", "t").exit_code == 2


def test_set_unknown_id(invoke: Invoke, unchanged: Any) -> None:
    add(invoke, "--title", "T", "--id", "t")
    with unchanged():
        assert invoke("set", "nope", "date=2020").exit_code == 1


def test_set_tags_with_a_comma_is_refused_with_the_way_to_write_it(
        invoke: Invoke, unchanged: Any) -> None:
    add(invoke, "--title", "T", "--id", "t")
    with unchanged():
        result = invoke("set", "t", "tags=a,b")
    assert result.exit_code == 1
    assert result.stderr == ("Error: 'tags=a,b' would make one tag 'a,b': a list takes one "
                             "value per assignment, tags=a tags=b to replace the tags, "
                             "tags+=a tags+=b to add them\n")
    assert invoke("set", "t", "tags=a", "tags=b").exit_code == 0
    assert show_json(invoke, "t")["tags"] == ["a", "b"]
    assert invoke("set", "t", "tags+=c", "tags-=A", "tags+=B").exit_code == 0
    assert show_json(invoke, "t")["tags"] == ["b", "c"]
    assert invoke("set", "t", "creators+=Weiss, Clara", "creators+=North, David",
                  "creators+=Weiss, Clara").exit_code == 0
    assert invoke("set", "t", "creators-=North, David").exit_code == 0
    assert show_json(invoke, "t")["creators"] == ["Weiss, Clara"]


def test_set_where_changes_every_match_in_one_change(invoke: Invoke) -> None:
    add(invoke, "--title", "A", "--id", "a", "--publisher", "wsws")
    add(invoke, "--title", "B", "--id", "b", "--publisher", "WSWS", "--tag", "draft")
    add(invoke, "--title", "C", "--id", "c", "--publisher", "Verso")
    result = invoke("set", "--where", "publisher:wsws",
                    "publisher=World Socialist Web Site", "tags-=draft", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'a: publisher "wsws" → "World Socialist Web Site"',
        'b: publisher "WSWS" → "World Socialist Web Site"; tags -"draft"',
        "changed 2 of the 2 records the query selects, in one change (`archivist undo` "
        "reverts it)"]
    assert [show_json(invoke, i)["publisher"] for i in "abc"] == [
        "World Socialist Web Site", "World Socialist Web Site", "Verso"]
    assert invoke("undo").exit_code == 0
    assert [show_json(invoke, i)["publisher"] for i in "abc"] == ["wsws", "WSWS", "Verso"]
    assert show_json(invoke, "b")["tags"] == ["draft"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--where", "id:a", "id=x"], 1,
     "Error: set --where cannot set id: an id belongs to one record"),
    (["--where", "id:a", "--file", "x.txt", "date=2020"], 1,
     "Error: set --where cannot take --file, --span, --retrieved or --copy: a source file "
     "describes one record; nothing was changed\n"),
    (["--where", "id:a", "--span", "1:2", "date=2020"], 1, "cannot take --file"),
    (["a", "--where", "id:a", "date=2020"], 2, "give an ID or --where QUERY, not both"),
    (["--where", "id:a"], 2, "give KEY=VALUE assignments"),
    (["a", "date=2020", "--yes"], 2, "--yes goes with --where"),
    (["--where", "id:a", "date=2020-13", "-y"], 1, "Error: a: bad date '2020-13'"),
    (["--where", "id:a", "tags=x,y", "-y"], 1, "tags+=x tags+=y"),
])
def test_set_where_refusals_change_nothing(invoke: Invoke, unchanged: Any, args: list[str],
                                           code: int, message: str) -> None:
    add(invoke, "--title", "A", "--id", "a")
    with unchanged():
        result = invoke("set", *args, "--yes")
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    if code == 1:
        assert len(result.stderr.splitlines()) == 1


def test_rm(invoke: Invoke, unchanged: Any) -> None:
    add(invoke, "--title", "T", "--id", "t")
    add(invoke, "--title", "U", "--id", "u")
    with unchanged():
        result = invoke("rm", "t", "nope")
        assert result.exit_code == 1 and "nope" in result.stderr
    result = invoke("rm", "t", "U")
    assert result.exit_code == 0
    assert json.loads(invoke("list", "--format", "json").stdout) == []
    assert "removed t" in result.stderr


def _editor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *replies: str | None
            ) -> list[str]:
    """Replace click.edit with a scripted editor that writes each reply into the file it
    is given (``None``: closes it unsaved); returns the texts it was shown.  Edit files
    are made under ``tmp_path``."""
    import click

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(exist_ok=True)
    shown: list[str] = []
    answers = list(replies)

    def fake_edit(text: str | None = None, *, filename: str | None = None, **_: Any
                  ) -> None:
        assert text is None and filename is not None
        shown.append(Path(filename).read_text("utf-8"))
        answer = answers.pop(0)
        if answer is not None:
            Path(filename).write_text(answer, encoding="utf-8")

    monkeypatch.setattr(click, "edit", fake_edit)
    return shown


def kept_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "tmp").glob("archivist-edit-*/*.yaml"))


def test_edit_applies_a_valid_change(invoke: Invoke, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    add(invoke, "--title", "T", "--id", "t", "--date", "2021")
    shown = _editor(monkeypatch, tmp_path,
                    "id: t\ntitle: New title\ndate: 2021-02-09\nkicker: K\n")
    result = invoke("edit", "t")
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert "title: T" in shown[0] and "date: '2021'" in shown[0]
    data = show_json(invoke, "t")
    assert (data["title"], data["date"], data["fields"]) == ("New title", "2021-02-09",
                                                            {"kicker": "K"})
    assert json.loads(invoke("history", "t", "--format", "json").stdout)[0]["action"] == "edit"
    assert kept_files(tmp_path) == [] and list((tmp_path / "tmp").iterdir()) == []


def test_edit_lists_every_field_empty_ones_as_null(invoke: Invoke, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t")
    shown = _editor(monkeypatch, tmp_path, None)
    assert invoke("edit", "t").exit_code == 0
    body = [line for line in shown[0].splitlines() if not line.startswith("#")]
    assert body == ["id: t", "kind: other", "title: T", "subtitle: null", "creators: []",
                    "date: null", "publisher: null", "language: null", "url: null",
                    "summary: null", "tags: []", "source: null", "fields: {}"]
    filled = shown[0].replace("publisher: null", "publisher: Verso")
    _editor(monkeypatch, tmp_path, filled)
    assert invoke("edit", "t").exit_code == 0
    assert show_json(invoke, "t")["publisher"] == "Verso"


def test_edit_unchanged_or_empty_changes_nothing(invoke: Invoke, unchanged: Any, db: Path,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t")
    invoke("list")
    index = db.with_name(db.name + ".index").read_bytes()
    shown = _editor(monkeypatch, tmp_path, None, "# only a comment\n", None)
    with unchanged():
        for _ in range(2):
            result = invoke("edit", "t")
            assert (result.exit_code, result.stderr) == (0, "no change\n")
    # Saved exactly as shown: nothing changes either.
    _editor(monkeypatch, tmp_path, shown[0])
    with unchanged():
        assert invoke("edit", "t").stderr == "no change\n"
    assert db.with_name(db.name + ".index").read_bytes() == index
    assert kept_files(tmp_path) == []


def test_edit_error_then_abort_keeps_the_file(invoke: Invoke, unchanged: Any,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t")
    _editor(monkeypatch, tmp_path, "title: T\ndate: 2021-13\n")
    with unchanged():
        result = invoke("edit", "t", input="n\n")
    assert result.exit_code == 1
    [kept] = kept_files(tmp_path)
    assert kept.read_text("utf-8") == "title: T\ndate: 2021-13\n"
    assert result.stderr.splitlines() == [
        "Error: bad date '2021-13': there is no month 13", "Edit again? [Y/n]: n",
        f"Error: edit abandoned; nothing was changed; your edit is kept in {kept}; apply "
        f"it with `archivist edit t --from {kept}` once fixed"]
    kept.write_text("title: T\ndate: 2021-12\n", encoding="utf-8")
    result = invoke("edit", "t", "--from", str(kept))
    assert (result.exit_code, result.stderr) == (0, "")
    assert show_json(invoke, "t")["date"] == "2021-12"


def test_edit_error_then_fix(invoke: Invoke, monkeypatch: pytest.MonkeyPatch,
                             tmp_path: Path) -> None:
    add(invoke, "--title", "T", "--id", "t")
    shown = _editor(monkeypatch, tmp_path, "title: T\nkind: novel\n", "title: T\nkind: book\n")
    result = invoke("edit", "t", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert shown[1] == "title: T\nkind: novel\n"
    assert show_json(invoke, "t")["kind"] == "book"
    assert kept_files(tmp_path) == []


def test_edit_yaml_error_names_the_file_line_and_column(invoke: Invoke, unchanged: Any,
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    add(invoke, "--title", "T", "--id", "t")
    _editor(monkeypatch, tmp_path, "title: T\ntitle: U\n")
    with unchanged():
        result = invoke("edit", "t", input="n\n")
    [kept] = kept_files(tmp_path)
    assert f"Error: {kept}:2:1: duplicate key 'title'" in result.stderr


def test_edit_of_a_record_changed_meanwhile_keeps_the_file(
        invoke: Invoke, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    add(invoke, "--title", "T", "--id", "t")

    def edit_while_another_command_writes(*, filename: str, **_: Any) -> None:
        text = Path(filename).read_text("utf-8")
        Path(filename).write_text(text.replace("title: T", "title: Mine"), encoding="utf-8")
        assert invoke("set", "t", "summary=Theirs").exit_code == 0
        theirs.append(db.read_bytes())

    theirs: list[bytes] = []
    _editor(monkeypatch, tmp_path)
    monkeypatch.setattr(click, "edit", edit_while_another_command_writes)
    result = invoke("edit", "t")
    assert result.exit_code == 1
    [kept] = kept_files(tmp_path)
    assert result.stderr == (
        "Error: t was changed by another command while you edited it; nothing was saved; "
        f"your edit is kept in {kept}; apply it with `archivist edit t --from {kept}` to "
        "save it over that change\n")
    assert [db.read_bytes()] == theirs  # nothing of the edit was written
    assert show_json(invoke, "t")["summary"] == "Theirs"
    assert invoke("edit", "t", "--from", str(kept)).exit_code == 0
    data = show_json(invoke, "t")
    assert (data["title"], data["summary"]) == ("Mine", None)


def test_edit_from_a_file(invoke: Invoke, unchanged: Any, tmp_path: Path) -> None:
    add(invoke, "--title", "T", "--id", "t")
    path = tmp_path / "t.yaml"
    path.write_text("title: T\n", encoding="utf-8")
    with unchanged():
        assert invoke("edit", "t", "--from", str(path)).stderr == "no change\n"
        path.write_text("title: T\ntitle: U\n", encoding="utf-8")
        result = invoke("edit", "t", "--from", str(path))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {path}:2:1: duplicate key 'title'")
        path.write_bytes(b"title: \xff\n")
        assert invoke("edit", "t", "--from", str(path)).exit_code == 1
        assert invoke("edit", "t", "--from", str(tmp_path / "absent.yaml")).exit_code == 2
        assert invoke("edit", "nope", "--from", str(path)).exit_code == 1
    path.write_text("title: T\nsummary: From a file\n", encoding="utf-8")
    assert invoke("edit", "T", "--from", str(path)).exit_code == 0
    assert show_json(invoke, "t")["summary"] == "From a file"


def test_a_title_in_mathematical_bold_is_listed_for_plain_words(db: Path, invoke: Invoke
                                                                  ) -> None:
    assert invoke("add", "--title", "𝐃𝐞𝐚𝐫 𝐂𝐨𝐦𝐫𝐚𝐝𝐞𝐬", "--id", "bold").exit_code == 0
    assert invoke("add", "--title", "Something else", "--id", "other").exit_code == 0
    for query in ("dear", "DEAR", "Comrades"):
        result = invoke("list", query, "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert [r["id"] for r in json.loads(result.stdout)] == ["bold"], query
    # Shown as written.
    assert "𝐃𝐞𝐚𝐫 𝐂𝐨𝐦𝐫𝐚𝐝𝐞𝐬" in invoke("show", "bold").stdout


def test_help_examples_keep_their_line_breaks(invoke: Invoke) -> None:
    import re

    import click

    from archivist.cli import cli

    def commands(group: click.Group, path: list[str]) -> list[list[str]]:
        found = []
        for name, command in group.commands.items():
            found.append([*path, name])
            if isinstance(command, click.Group):
                found.extend(commands(command, [*path, name]))
        return found

    for path in commands(cli, []):
        text = invoke(*path, "--help").stdout
        # A backslash that swallowed its line break leaves the next line's indent
        # inside the example.
        examples = [line.strip() for line in text.splitlines()
                    if line.strip().startswith("archivist ")]
        assert not [line for line in examples if re.search(r"\S {3,}\S", line)], path
    text = invoke("add", "--help").stdout
    assert "--kind article \\\n        --file records/sources/" in text


def test_show_text_keeps_labels_apart_from_values(invoke: Invoke, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("text\n")
    add(invoke, "--title", "New Reds", "--id", "nr", "--kind", "organisation",
        "--field", "abbreviation=NR", "--file", str(page), "--retrieved", "2024-05-01")
    lines = invoke("show", "nr").stdout.splitlines()
    assert "abbreviation: NR" in lines
    assert "  retrieved:  2024-05-01" in lines
    assert "title:        New Reds" in lines


def test_show_text_prints_a_merge_as_an_indented_block(invoke: Invoke) -> None:
    add(invoke, "--title", "Dear Comrades", "--id", "a", "--date", "2021-02-09")
    add(invoke, "--title", "Dear comrades!", "--id", "b", "--date", "2021")
    assert invoke("merge", "a", "b").exit_code == 0
    text = invoke("show", "a").stdout
    assert "merged:\n  b:\n    title:" in text
    assert re.search(r"^    title: +Dear comrades!$", text, re.MULTILINE)
    assert re.search(r"^    date: +2021$", text, re.MULTILINE)
    assert "b=" not in text


def test_show_json_gives_the_links_both_ways_and_still_imports(invoke: Invoke,
                                                               tmp_path: Path) -> None:
    add(invoke, "--title", "Series", "--id", "s", "--kind", "series")
    add(invoke, "--title", "Part", "--id", "p")
    assert invoke("link", "p", "part-of", "s").exit_code == 0
    series, part = show_json(invoke, "s"), show_json(invoke, "p")
    assert series["links"] == [] and part["links"] == [{"rel": "part-of", "target": "s"}]
    assert series["inverse_links"] == [{"rel": "has-part", "target": "p"}]
    assert part["inverse_links"] == []
    assert list(series)[list(series).index("links") + 1] == "inverse_links"
    yaml_text = invoke("show", "s", "--format", "yaml").stdout
    assert "inverse_links:\n- rel: has-part\n  target: p\n" in yaml_text
    for name, text in (("s.json", json.dumps(series)), ("s.yaml", yaml_text)):
        other = tmp_path / f"other-{name}.json"
        (tmp_path / name).write_text(text)
        result = invoke("--db", str(other), "import", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        back = json.loads(invoke("--db", str(other), "show", "s", "-f", "json").stdout)
        assert back["fields"] == {} and back["inverse_links"] == []
        assert back["title"] == "Series"


def test_show_yaml_writes_emoji_as_they_are(invoke: Invoke) -> None:
    add(invoke, "--title", "Flagged 🚩", "--id", "f", "--tag", "📚")
    for args in (["show", "f", "--format", "yaml"], ["list", "--format", "yaml"],
                 ["export", "--format", "yaml"]):
        out = invoke(*args).stdout
        assert "Flagged 🚩" in out and "📚" in out and "\\U" not in out, args


def test_edit_file_writes_emoji_as_they_are(invoke: Invoke, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    add(invoke, "--title", "Flagged 🚩", "--id", "f")
    shown = _editor(monkeypatch, tmp_path, "id: f\ntitle: Flagged 🚩 📚\n")
    assert invoke("edit", "f").exit_code == 0
    assert "title: Flagged 🚩\n" in shown[0] and "\\U" not in shown[0]
    assert show_json(invoke, "f")["title"] == "Flagged 🚩 📚"


def _on_terminal(db: Path, *args: str, columns: int = 80) -> str:
    """What ``archivist ARGS…`` prints on a terminal ``columns`` wide (a pseudo-terminal)."""
    import os
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "ARCHIVIST_DB": str(db)}
    with subprocess.Popen([sys.executable, "-m", "archivist", *args], stdout=secondary,
                          stderr=subprocess.DEVNULL, env=env) as process:
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    os.close(main)
    return b"".join(chunks).decode().replace("\r\n", "\n")


LONG_ID = "weiss-2019-destroyed-1923-pamphlet-on-red-army"


def test_list_on_a_terminal_fits_it_and_never_cuts_an_id(invoke: Invoke, db: Path) -> None:
    from archivist.display import display_width

    add(invoke, "--title", "Destroyed 1923 pamphlet on Red Army, commissioned by Trotsky",
        "--id", LONG_ID, "--creator", "Clara Weiss", "--date", "2019-06-27",
        "--kind", "article")
    add(invoke, "--title", "東京物語 " * 12, "--id", "tokyo-story", "--creator", "小津安二郎",
        "--date", "1953")
    add(invoke, "--title", "🚩 " * 40, "--id", "flags", "--creator", "Céline")
    out = _on_terminal(db, "list")
    lines = out.splitlines()
    assert max(display_width(line) for line in lines) <= 80, out
    body = lines[2:]
    assert {line.split()[0] for line in body} == {LONG_ID, "tokyo-story", "flags"}
    # The last column starts in the same cell on every line (wide characters included).
    assert len({display_width(line[:line.rindex("  ") + 2]) for line in body}) == 1, out
    piped = invoke("list").stdout
    assert "東京物語 " * 11 in piped and "…" not in piped


def test_list_without_headers_is_bare_rows_for_xargs(invoke: Invoke, db: Path) -> None:
    add(invoke, "--title", "A", "--id", "a")
    add(invoke, "--title", "B", "--id", LONG_ID)
    result = invoke("list", "-c", "id", "--no-headers")
    assert result.stdout == f"a\n{LONG_ID}\n"
    assert invoke("list", "--no-headers", "-c", "id,title").stdout == (
        f"a{' ' * (len(LONG_ID) - 1)}  A\n{LONG_ID}  B\n")
    assert _on_terminal(db, "list", "-c", "id", "--no-headers", columns=20) == (
        f"a\n{LONG_ID}\n")
    assert invoke("list", "nothing-matches", "--no-headers").stdout == ""


def test_field_options_give_custom_fields_and_leave_empty_ones_out() -> None:
    from archivist.cli.records import field_assignments

    assert field_assignments(["a=1", "fields.b=2", "c="]) == {"a": "1", "b": "2"}


def test_a_source_given_as_a_value_is_refused_saying_how(invoke: Invoke, unchanged: Any
                                                         ) -> None:
    add(invoke, "--title", "T", "--id", "t")
    for args in (["t", "source=x.txt"], ["--where", "id:t", "--yes", "source=x.txt"]):
        with unchanged():
            result = invoke("set", *args)
        assert result.exit_code == 1
        assert result.stderr == "Error: set a source with `archivist set ID --file PATH`\n"


def test_a_blank_where_query_names_the_option(invoke: Invoke, unchanged: Any) -> None:
    add(invoke, "--title", "T", "--id", "t")
    with unchanged():
        result = invoke("tag", "--where", " ", "--yes", "x")
    assert result.exit_code == 1
    assert result.stderr == ("Error: --where needs a query (`--where 'id:*'` selects every "
                             "record)\n")

