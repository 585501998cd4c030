"""add, show, list, set, edit and rm through the command line."""

from __future__ import annotations

import json
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


def _editor(monkeypatch: pytest.MonkeyPatch, *replies: str | None) -> list[str]:
    """Replace click.edit with a scripted editor; returns the texts it was shown."""
    import click

    shown: list[str] = []
    answers = list(replies)

    def fake_edit(text: str | None = None, **_: Any) -> str | None:
        shown.append(text or "")
        return answers.pop(0)

    monkeypatch.setattr(click, "edit", fake_edit)
    return shown


def test_edit_applies_a_valid_change(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t", "--date", "2021")
    shown = _editor(monkeypatch, "id: t\ntitle: New title\ndate: 2021-02-09\nkicker: K\n")
    result = invoke("edit", "t")
    assert result.exit_code == 0, result.stderr
    assert "title: T" in shown[0] and "date: '2021'" in shown[0]
    data = show_json(invoke, "t")
    assert (data["title"], data["date"], data["fields"]) == ("New title", "2021-02-09",
                                                            {"kicker": "K"})
    assert json.loads(invoke("history", "t", "--format", "json").stdout)[0]["action"] == "edit"


def test_edit_unchanged_or_empty_changes_nothing(invoke: Invoke, unchanged: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t")
    _editor(monkeypatch, None, "# only a comment\n")
    with unchanged():
        assert invoke("edit", "t").exit_code == 0
        assert invoke("edit", "t").exit_code == 0


def test_edit_error_then_abort(invoke: Invoke, unchanged: Any,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t")
    _editor(monkeypatch, "title: T\ndate: 2021-13\n")
    with unchanged():
        result = invoke("edit", "t", input="n\n")
    assert result.exit_code == 1
    assert "no month 13" in result.stderr and "nothing was changed" in result.stderr


def test_edit_error_then_fix(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t")
    shown = _editor(monkeypatch, "title: T\nkind: novel\n", "title: T\nkind: book\n")
    result = invoke("edit", "t", input="y\n")
    assert result.exit_code == 0, result.stderr
    assert shown[1] == "title: T\nkind: novel\n"
    assert show_json(invoke, "t")["kind"] == "book"


def test_edit_yaml_error_names_line_and_column(invoke: Invoke, unchanged: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    add(invoke, "--title", "T", "--id", "t")
    _editor(monkeypatch, "title: T\ntitle: U\n")
    with unchanged():
        result = invoke("edit", "t", input="n\n")
    assert "t.yaml:2:1: duplicate key 'title'" in result.stderr


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
