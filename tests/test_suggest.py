"""The closest known name to a misspelt one."""

from __future__ import annotations

from archivist.suggest import closest, did_you_mean


def test_the_closest_name_or_none() -> None:
    names = ["title", "subtitle", "tags", "kicker"]
    assert closest("tittle", names) == "title"
    assert closest("kiker", names) == "kicker"
    assert closest("zzz", names) is None
    assert closest("weiss-2021-dear-comrade", ["weiss-2021-dear-comrades",
                                               "weiss-2020-some-other"],
                   cutoff=0.8) == "weiss-2021-dear-comrades"
    assert closest("abc", [], cutoff=0.8) is None


def test_did_you_mean() -> None:
    assert did_you_mean("titel", ["title"]) == "; did you mean 'title'?"
    assert did_you_mean("qqq", ["title"]) == ""


def test_case_is_ignored_and_the_name_given_as_spelt() -> None:
    assert closest("KICKER", ["kicker", "title"]) == "kicker"
    assert closest("mod", ["Mood", "title"]) == "Mood"
