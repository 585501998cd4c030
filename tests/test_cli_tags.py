"""tag, untag, tags and tags rename."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Invoke


def tags_of(invoke: Invoke, record_id: str) -> list[str]:
    data = json.loads(invoke("show", record_id, "--format", "json").stdout)
    tags: list[str] = data["tags"]
    return tags


def test_tag_untag_and_counts(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "Film")
    invoke("add", "--title", "B", "--id", "b")
    assert invoke("tag", "b", "FILM", "Stalinism", "film").exit_code == 0
    assert tags_of(invoke, "b") == ["Film", "Stalinism"]
    assert invoke("untag", "b", "stalinism").exit_code == 0
    assert tags_of(invoke, "b") == ["Film"]
    result = invoke("tags")
    assert result.stdout.splitlines()[2:] == ["Film   2"]
    assert json.loads(invoke("tags", "--format", "json").stdout) == [
        {"tag": "Film", "count": 2}]


def test_tag_refusals_change_nothing(invoke: Invoke, unchanged: Any) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "x")
    with unchanged():
        assert invoke("tag", "nope", "x").exit_code == 1
        assert invoke("tag", "a", "  ").exit_code == 1
        assert invoke("tag", "a", "bad\x1bescape").exit_code == 1
        result = invoke("untag", "a", "absent")
        assert result.exit_code == 1 and "has no tag 'absent'" in result.stderr
        assert invoke("tag", "a").exit_code == 2


def test_rename_merges_into_an_existing_tag(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "USSR", "--tag", "soviet")
    invoke("add", "--title", "B", "--id", "b", "--tag", "Soviet")
    result = invoke("tags", "rename", "SOVIET", "ussr")
    assert result.exit_code == 0
    assert "2 record(s)" in result.stderr
    assert tags_of(invoke, "a") == ["USSR"]
    assert tags_of(invoke, "b") == ["USSR"]


def test_rename_of_an_unknown_tag_changes_nothing(invoke: Invoke, unchanged: Any) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "x")
    with unchanged():
        result = invoke("tags", "rename", "nope", "y")
    assert result.exit_code == 1 and "no record has the tag 'nope'" in result.stderr


def test_tags_table_escapes_but_json_carries_exactly(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "rtl\u202etag")
    assert "\\u202e" in invoke("tags").stdout
    assert json.loads(invoke("tags", "-f", "json").stdout)[0]["tag"] == "rtl\u202etag"


def test_rename_can_change_only_the_case(invoke: Invoke) -> None:
    invoke("add", "--title", "A", "--id", "a", "--tag", "stalinism")
    invoke("add", "--title", "B", "--id", "b", "--tag", "Stalinism", "--tag", "x")
    assert invoke("tags", "rename", "stalinism", "Stalinism").exit_code == 0
    assert tags_of(invoke, "a") == ["Stalinism"]
    assert tags_of(invoke, "b") == ["Stalinism", "x"]
    assert json.loads(invoke("tags", "-f", "json").stdout)[0] == {"tag": "Stalinism",
                                                                  "count": 2}
