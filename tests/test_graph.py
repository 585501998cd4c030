"""The link graph: choosing nodes and edges, and writing DOT, Mermaid and JSON."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivist.errors import InvalidLink, RecordNotFound
from archivist.graph import (
    Edge,
    Graph,
    Node,
    dot_quote,
    mermaid_text,
    subgraph,
    to_dot,
    to_json,
    to_mermaid,
)
from archivist.links import add_link
from archivist.models import Record
from archivist.store import Archive, memory_archive


def chain_archive() -> Archive:
    """a part-of b part-of c part-of d, e related a, org publisher of a; lone f."""
    archive = memory_archive()
    archive.add_many((Record(id=i, title=f"Title {i.upper()}"), None)
                     for i in ("a", "b", "c", "d", "e", "f"))
    archive.add(Record(id="Org", title="Org", kind="organisation"))
    for src, rel, dst in (("a", "part-of", "b"), ("b", "part-of", "c"), ("c", "part-of", "d"),
                          ("e", "related", "a"), ("a", "published-by", "org")):
        add_link(archive, src, rel, dst)
    return archive


def ids(graph: Graph) -> list[str]:
    return [node.id for node in graph.nodes]


def test_whole_archive_holds_every_linked_record() -> None:
    graph = subgraph(chain_archive())
    assert sorted(ids(graph)) == ["Org", "a", "b", "c", "d", "e"]
    assert len(graph.edges) == 5
    assert graph.root is None and graph.depth is None


def test_neighbourhood_follows_links_both_ways_to_depth() -> None:
    archive = chain_archive()
    assert ids(subgraph(archive, "B", depth=1)) == ["b", "a", "c"]
    two = subgraph(archive, "b", depth=2)
    assert ids(two) == ["b", "a", "c", "d", "e", "Org"]
    assert two.root == "b" and two.depth == 2
    assert ids(subgraph(archive, "b", depth=0)) == ["b"]
    assert subgraph(archive, "b", depth=0).edges == ()


def test_neighbourhood_edges_only_among_chosen_nodes() -> None:
    graph = subgraph(chain_archive(), "a", depth=1)
    assert {(e.src, e.rel, e.dst) for e in graph.edges} == {
        ("a", "part-of", "b"), ("e", "related", "a"), ("a", "published-by", "Org")}


def test_rels_restrict_and_take_either_name() -> None:
    archive = chain_archive()
    graph = subgraph(archive, "a", depth=5, rels=["has-part"])
    assert ids(graph) == ["a", "b", "c", "d"]
    assert {e.rel for e in graph.edges} == {"part-of"}
    assert graph.rels == ("part-of",)
    whole = subgraph(archive, rels=["related", "publisher-of"])
    assert sorted(ids(whole)) == ["Org", "a", "e"]


def test_record_without_links_is_its_own_graph() -> None:
    graph = subgraph(chain_archive(), "f")
    assert ids(graph) == ["f"] and graph.edges == ()


def test_bad_root_relation_and_depth() -> None:
    archive = chain_archive()
    with pytest.raises(RecordNotFound):
        subgraph(archive, "ghost")
    with pytest.raises(InvalidLink, match="did you mean part-of"):
        subgraph(archive, rels=["partof"])
    with pytest.raises(ValueError):
        subgraph(archive, "a", depth=-1)


def test_dangling_link_end_still_shows() -> None:
    archive = memory_archive()
    archive.add(Record(id="a", title="A"))
    archive.store_link("a", "part-of", "gone")
    graph = subgraph(archive)
    assert [(n.id, n.title, n.label) for n in graph.nodes] == [
        ("a", "A", "A"), ("gone", None, "gone")]


def test_to_json() -> None:
    data = to_json(subgraph(chain_archive(), "e", depth=1))
    assert data == {
        "root": "e", "depth": 1, "rels": None,
        "nodes": [{"id": "e", "title": "Title E", "kind": "other"},
                  {"id": "a", "title": "Title A", "kind": "other"}],
        "edges": [{"source": "e", "rel": "related", "target": "a",
                   "term": "dcterms:relation"}],
    }


TRICKY = 'Say "no" \\N to C:\\temp\nТретий путь ✊ <b>&amp; #1;'


def tricky_graph() -> Graph:
    return Graph(nodes=(Node("a", TRICKY, "article"), Node("o", "Org", "organisation")),
                 edges=(Edge("a", "published-by", "o"), Edge("a", "related", "o")),
                 root="a", depth=1)


def test_dot_escaping() -> None:
    assert dot_quote('a "b" \\c\nd') == '"a \\"b\\" \\\\c\\nd"'
    assert dot_quote("Третий ✊") == '"Третий ✊"'
    assert dot_quote("bell\x07") == '"bell\\\\x07"'
    dot = to_dot(tricky_graph(), wrap=None)
    assert ('"a" [label="Say \\"no\\" \\\\N to C:\\\\temp\\nТретий путь ✊ <b>&amp; #1;", '
            'tooltip="a", penwidth=2];') in dot
    assert '"o" [label="Org", tooltip="o", shape=ellipse];' in dot
    assert '"a" -> "o" [label="published-by"];' in dot
    assert '"a" -> "o" [label="related", dir=none];' in dot


def test_dot_wraps_long_titles() -> None:
    graph = Graph(nodes=(Node("a", "one two three four five six", "book"),), edges=())
    assert 'label="one two three\\nfour five six"' in to_dot(graph, wrap=14)


def test_mermaid_escaping() -> None:
    assert mermaid_text('"#<>&`\n') == "#quot;#35;#lt;#gt;#amp;#96;<br>"
    text = to_mermaid(tricky_graph())
    assert text.splitlines() == [
        "flowchart LR",
        "  %% n1: a",
        '  n1["Say #quot;no#quot; \\N to C:\\temp<br>Третий путь ✊ #lt;b#gt;#amp;amp; '
        '#35;1;"]',
        "  style n1 stroke-width:3px",
        "  %% n2: o",
        '  n2(["Org"])',
        '  n1 -->|"published-by"| n2',
        '  n1 ---|"related"| n2',
    ]


def _dot_unquote(quoted: str) -> str:
    """Read back a DOT string as Graphviz shows it (\\n as a line break)."""
    assert quoted.startswith('"') and quoted.endswith('"')
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), quoted[1:-1])


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs"),
                                  blacklist_characters="\u200e\u200f\u202a\u202b\u202c"
                                                       "\u202d\u202e\u2066\u2067\u2068\u2069")
                    | st.just("\n"))


@given(printable)
def test_dot_quote_round_trips(text: str) -> None:
    quoted = dot_quote(text)
    assert _dot_unquote(quoted) == text
    # Nothing but the escaped quotes can end the string early.
    assert re.fullmatch(r'"(?:[^"\\]|\\.)*"', quoted, re.S)


@given(printable)
def test_mermaid_label_never_breaks_out(text: str) -> None:
    label = mermaid_text(text)
    assert not set(label.replace("<br>", "")) & set('"<>`\n')
    # Mermaid turns "#name;" into "&name;" and "#123;" into "&#123;", then HTML decodes.
    entities = re.sub(r"#(\d+);", r"&#\1;", re.sub(r"#([a-z]+);", r"&\1;", label))
    assert html.unescape(entities.replace("<br>", "\n")) == text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_renders_the_titles() -> None:
    archive = chain_archive()
    archive.add(Record(id="ru", title='«Третий» "q" & \\ back'))
    add_link(archive, "ru", "about", "a")
    svg = subprocess.run(["dot", "-Tsvg"], input=to_dot(subgraph(archive)).encode(),
                         capture_output=True, check=True).stdout.decode()
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    for title in ("Title A", "Title D", "Org", '«Третий» "q" & \\ back',
                  "part-of", "about"):
        assert any(title in t for t in texts), (title, texts)
