"""The link commands (link, unlink, links, graph) and links seen by add, show and rm."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from tests.conftest import Invoke

Unchanged = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def linked(invoke: Invoke) -> Invoke:
    """An archive with a series, two articles and an organisation."""
    for args in (("--id", "series", "--title", "History of Russia", "--kind", "series"),
                 ("--id", "art-1", "--title", "Dear Comrades", "--kind", "article"),
                 ("--id", "Art-2", "--title", "«Третий путь»", "--kind", "article"),
                 ("--id", "wsws", "--title", "World Socialist Web Site",
                  "--kind", "organisation")):
        assert invoke("add", *args).exit_code == 0
    return invoke


def links_of(invoke: Invoke, record_id: str) -> list[dict[str, str]]:
    result = invoke("links", record_id, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, str]] = json.loads(result.stdout)
    return rows


# -- link -----------------------------------------------------------------------------


def test_link_is_shown_from_both_ends(linked: Invoke) -> None:
    result = linked("link", "ART-1", "part-of", "series")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "linked art-1 part-of series\n"
    assert links_of(linked, "art-1") == [{
        "rel": "part-of", "id": "series", "title": "History of Russia",
        "term": "dcterms:isPartOf", "direction": "out"}]
    assert links_of(linked, "series") == [{
        "rel": "has-part", "id": "art-1", "title": "Dear Comrades",
        "term": "dcterms:hasPart", "direction": "in"}]


def test_link_with_inverse_name_is_stored_canonically(linked: Invoke) -> None:
    result = linked("link", "series", "has-part", "art-2")
    assert result.stderr == "linked Art-2 part-of series\n"
    exported = json.loads(linked("show", "art-2", "--format", "json").stdout)
    assert exported["links"] == [{"rel": "part-of", "target": "series"}]


@pytest.mark.parametrize("again", [
    ("art-1", "part-of", "series"), ("SERIES", "has-part", "Art-1"),
])
def test_repeated_link_changes_nothing_and_exits_0(linked: Invoke, unchanged: Unchanged,
                                                   again: tuple[str, ...]) -> None:
    linked("link", "art-1", "part-of", "series")
    with unchanged():
        result = linked("link", *again)
    assert result.exit_code == 0
    assert "exists already; nothing changed" in result.stderr
    assert len(links_of(linked, "series")) == 1


def test_symmetric_link_repeated_in_other_order(linked: Invoke, unchanged: Unchanged) -> None:
    linked("link", "art-1", "related", "art-2")
    with unchanged():
        result = linked("link", "art-2", "related", "art-1")
    assert result.exit_code == 0 and "exists already" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("art-1", "part-off", "series"),
     "Error: unknown relation 'part-off' (did you mean part-of?); valid relations: about, "),
    (("art-1", "part-of", "ghost"), "Error: no record with id 'ghost'"),
    (("ghost", "part-of", "series"), "Error: no record with id 'ghost'"),
    (("art-1", "related", "ART-1"), "Error: a record cannot be linked to itself"),
    (("series", "part-of", "art-1"),
     "Error: series part-of art-1 would form a cycle of part-of links: "
     "series → art-1 → series"),
])
def test_link_refusals_change_nothing(linked: Invoke, unchanged: Unchanged,
                                      args: tuple[str, ...], message: str) -> None:
    linked("link", "art-1", "part-of", "series")
    with unchanged():
        result = linked("link", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_long_cycle_through_inverse_names_refused(linked: Invoke, unchanged: Unchanged
                                                  ) -> None:
    linked("link", "art-1", "precedes", "art-2")
    linked("link", "series", "follows", "art-2")
    with unchanged():
        result = linked("link", "art-1", "follows", "series")
    assert result.exit_code == 1
    assert "would form a cycle of precedes links: series → art-1 → Art-2 → series" in (
        result.stderr)


def test_link_missing_argument_is_a_usage_error(linked: Invoke, unchanged: Unchanged) -> None:
    with unchanged():
        result = linked("link", "art-1", "part-of")
    assert result.exit_code == 2
    assert "Missing argument 'TARGET'" in result.stderr


# -- unlink ---------------------------------------------------------------------------


def test_unlink_by_either_name(linked: Invoke) -> None:
    linked("link", "art-1", "part-of", "series")
    result = linked("unlink", "series", "has-part", "art-1")
    assert result.exit_code == 0
    assert result.stderr == "unlinked art-1 part-of series\n"
    assert links_of(linked, "series") == []
    history = json.loads(linked("history", "--format", "json").stdout)
    assert history[0]["action"] == "unlink"
    assert history[0]["before"] == {"src": "art-1", "rel": "part-of", "dst": "series"}


@pytest.mark.parametrize(("args", "message"), [
    (("art-1", "references", "series"), "Error: there is no link art-1 references series"),
    (("art-1", "part-of", "ghost"), "Error: no record with id 'ghost'"),
    (("art-1", "contains", "series"), "Error: unknown relation 'contains'"),
])
def test_unlink_refusals_change_nothing(linked: Invoke, unchanged: Unchanged,
                                        args: tuple[str, ...], message: str) -> None:
    linked("link", "art-1", "part-of", "series")
    with unchanged():
        result = linked("unlink", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)


# -- links ----------------------------------------------------------------------------


def test_links_table(linked: Invoke) -> None:
    linked("link", "art-1", "part-of", "series")
    linked("link", "art-2", "part-of", "series")
    linked("link", "art-1", "published-by", "wsws")
    result = linked("links", "series")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "rel       id     title",
        "--------  -----  -------------",
        "has-part  art-1  Dear Comrades",
        "has-part  Art-2  «Третий путь»",
    ]


def test_links_of_record_without_links(linked: Invoke) -> None:
    result = linked("links", "wsws")
    assert result.exit_code == 0 and result.stdout == "" and "no links" in result.stderr
    assert links_of(linked, "wsws") == []


def test_links_of_missing_record(linked: Invoke) -> None:
    result = linked("links", "ghost")
    assert result.exit_code == 1
    assert result.stderr == "Error: no record with id 'ghost'\n"


# -- show, add with agents, rm --------------------------------------------------------


def test_show_lists_links_both_ways_with_titles(linked: Invoke) -> None:
    linked("link", "art-1", "part-of", "series")
    shown = linked("show", "series").stdout
    assert "links:" in shown
    assert "  has-part  art-1  Dear Comrades" in shown.splitlines()
    assert "  part-of  series  History of Russia" in linked("show", "art-1").stdout.splitlines()


def test_add_with_publisher_and_creator_ids(linked: Invoke) -> None:
    assert linked("add", "--id", "clara-weiss", "--title", "Clara Weiss",
                  "--kind", "person").exit_code == 0
    result = linked("add", "--title", "A review", "--id", "review", "--publisher-id", "WSWS",
                    "--creator-id", "clara-weiss")
    assert result.exit_code == 0
    assert result.stdout == "review\n"
    assert "  publisher-of  review  A review" in linked("show", "wsws").stdout.splitlines()
    assert links_of(linked, "clara-weiss")[0]["rel"] == "creator-of"
    assert {(r["rel"], r["id"]) for r in links_of(linked, "review")} == {
        ("created-by", "clara-weiss"), ("published-by", "wsws")}


@pytest.mark.parametrize("option", ["--publisher-id", "--creator-id"])
def test_add_with_missing_agent_changes_nothing(linked: Invoke, unchanged: Unchanged,
                                                option: str) -> None:
    with unchanged():
        result = linked("add", "--title", "A review", "--id", "review", option, "nobody")
    assert result.exit_code == 1
    assert result.stderr == "Error: no record with id 'nobody'\n"
    assert linked("show", "review").exit_code == 1


def test_rm_refuses_while_linked(linked: Invoke, unchanged: Unchanged) -> None:
    linked("link", "art-1", "part-of", "series")
    for target in ("series", "art-1"):
        with unchanged():
            result = linked("rm", target)
        assert result.exit_code == 1
        assert "unlink it first or use --force" in result.stderr


def test_rm_force_drops_links_and_history_keeps_them(linked: Invoke) -> None:
    linked("link", "art-1", "part-of", "series")
    linked("link", "art-2", "part-of", "series")
    result = linked("rm", "series", "--force")
    assert result.exit_code == 0
    assert links_of(linked, "art-1") == [] and links_of(linked, "art-2") == []
    history = json.loads(linked("history", "--format", "json").stdout)
    unlinks = [e["before"] for e in history if e["action"] == "unlink"]
    assert sorted(u["src"] for u in unlinks) == ["Art-2", "art-1"]
    assert all(u["dst"] == "series" and u["rel"] == "part-of" for u in unlinks)
    assert any(e["action"] == "rm" and e["record"] == "series" for e in history)


def test_rm_of_records_linked_only_to_each_other(linked: Invoke) -> None:
    linked("link", "art-1", "part-of", "series")
    assert linked("rm", "art-1", "series").exit_code == 0


# -- graph ----------------------------------------------------------------------------


@pytest.fixture
def graphed(linked: Invoke) -> Invoke:
    linked("link", "art-1", "part-of", "series")
    linked("link", "art-2", "part-of", "series")
    linked("link", "art-1", "published-by", "wsws")
    linked("link", "art-2", "related", "art-1")
    return linked


def test_graph_dot_of_whole_archive(graphed: Invoke) -> None:
    result = graphed("graph")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "digraph archivist {" and lines[-1] == "}"
    assert '  "Art-2" [label="«Третий путь»", tooltip="Art-2"];' in lines
    assert '  "art-1" -> "series" [label="part-of"];' in lines
    assert '  "Art-2" -> "art-1" [label="related", dir=none];' in lines


def test_graph_json_neighbourhood(graphed: Invoke) -> None:
    data = json.loads(graphed("graph", "wsws", "--depth", "1", "-f", "json").stdout)
    assert data["root"] == "wsws" and data["depth"] == 1
    assert [n["id"] for n in data["nodes"]] == ["wsws", "art-1"]
    assert data["edges"] == [{"source": "art-1", "rel": "published-by", "target": "wsws",
                              "term": "dcterms:publisher"}]
    default = json.loads(graphed("graph", "wsws", "-f", "json").stdout)
    assert default["depth"] == 2
    assert {n["id"] for n in default["nodes"]} == {"wsws", "art-1", "Art-2", "series"}


def test_graph_rel_either_name(graphed: Invoke) -> None:
    data = json.loads(graphed("graph", "-f", "json", "--rel", "has-part",
                              "--rel", "publisher-of").stdout)
    assert data["rels"] == ["part-of", "published-by"]
    assert {e["rel"] for e in data["edges"]} == {"part-of", "published-by"}


def test_graph_mermaid(graphed: Invoke) -> None:
    result = graphed("graph", "series", "-d", "1", "--format", "mermaid")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:4] == [
        "flowchart LR", "  %% n1: series", '  n1["History of Russia"]',
        "  style n1 stroke-width:3px"]
    assert '  n2 -->|"part-of"| n1' in result.stdout.splitlines()


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--rel", "partof"), 1, "Error: unknown relation 'partof' (did you mean part-of?)"),
    (("ghost",), 1, "Error: no record with id 'ghost'"),
    (("--depth", "1"), 2, "--depth goes with an ID"),
    (("series", "--depth", "-1"), 2, "Invalid value for '--depth'"),
    (("--format", "png"), 2, "Invalid value for '--format'"),
])
def test_graph_errors(graphed: Invoke, unchanged: Unchanged, args: tuple[str, ...],
                      code: int, message: str) -> None:
    with unchanged():
        result = graphed("graph", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""


def test_graph_of_missing_archive(invoke: Invoke) -> None:
    result = invoke("graph", "--format", "json")
    assert result.exit_code == 0
    assert "does not exist yet" in result.stderr
    assert json.loads(result.stdout)["nodes"] == []


def test_commands_have_help_with_examples(invoke: Invoke) -> None:
    for command in ("link", "unlink", "links", "graph"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout
