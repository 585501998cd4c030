"""The link graph: the whole archive or one record's neighbourhood, for drawing.

:func:`subgraph` chooses the records and links; :func:`to_dot`, :func:`to_mermaid`
and :func:`to_json` write them for Graphviz, Mermaid or other programs.  Nodes are
labelled with the records' titles and edges with the relation names, drawn in the
direction the link is stored (``A part-of B`` is an arrow from A to B); symmetric
relations (``related``, ``duplicate-of``) are drawn without an arrow head.

Titles are written exactly, whatever they hold: quotes, backslashes and newlines are
escaped for each language, control characters are shown as ``\\x1b``, and every other
character, Unicode included, is kept as it is.
"""

from __future__ import annotations

import re
import textwrap
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archivist.errors import RecordNotFound
from archivist.links import SYMMETRIC, canonical, term
from archivist.models import AGENT_KINDS

if TYPE_CHECKING:
    from archivist.store import Archive

#: How far from the chosen record :func:`subgraph` looks when no depth is given.
DEFAULT_DEPTH = 2
#: Node labels in DOT are wrapped at about this many characters.
DOT_WRAP = 28
# Control characters (newline aside, which becomes a line break) and bidi overrides
# are shown as escapes, so a title cannot break or reorder the drawing.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Node:
    """A record in the graph: its id, title (``None`` when the record is missing), kind."""

    id: str
    title: str | None
    kind: str

    @property
    def label(self) -> str:
        """What the drawing shows: the title, else the id."""
        return self.title if self.title else self.id


@dataclass(frozen=True)
class Edge:
    """A stored link ``src rel dst`` (``rel`` canonical)."""

    src: str
    rel: str
    dst: str

    @property
    def symmetric(self) -> bool:
        """Whether the relation reads the same both ways (drawn without direction)."""
        return self.rel in SYMMETRIC


@dataclass(frozen=True)
class Graph:
    """Records and the links between them.

    :param root: the record whose neighbourhood this is, or ``None`` for the archive.
    :param depth: how many links away from ``root`` the graph reaches.
    :param rels: the canonical relations followed, or ``None`` for all.
    """

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    root: str | None = None
    depth: int | None = None
    rels: tuple[str, ...] | None = None


def _relations(rels: Iterable[str] | None) -> frozenset[str] | None:
    """The canonical relations for names given either way (``None``: all of them)."""
    if rels is None:
        return None
    chosen = frozenset(canonical(name)[0] for name in rels)
    return chosen or None


def subgraph(archive: Archive, root: str | None = None, depth: int = DEFAULT_DEPTH,
             rels: Iterable[str] | None = None) -> Graph:
    """The graph of the whole archive, or of the records near ``root``.

    The whole archive holds every record that takes part in a chosen link.  Around a
    root it holds the records reached by following links either way, up to ``depth``
    links away (the root itself always), and every chosen link among them.

    :param rels: follow only these relations, each written with either name.
    :raises RecordNotFound: when ``root`` is not a record.
    :raises InvalidLink: for an unknown relation name.
    :raises ValueError: for a negative depth.
    """
    if depth < 0:
        raise ValueError("depth cannot be negative")
    chosen = _relations(rels)
    edges = [Edge(doc["src"], doc["rel"], doc["dst"]) for doc in archive.link_documents()
             if chosen is None or doc["rel"] in chosen]
    # Nodes are ordered by distance from the root, then id, so output is stable.
    distance: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for edge in edges:
        spelled.setdefault(edge.src.lower(), edge.src)
        spelled.setdefault(edge.dst.lower(), edge.dst)
    root_id: str | None = None
    if root is None:
        distance = dict.fromkeys(spelled, 0)
    else:
        root_id = archive.canonical_id(root)
        spelled[root_id.lower()] = root_id
        neighbours: dict[str, set[str]] = {}
        for edge in edges:
            a, b = edge.src.lower(), edge.dst.lower()
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
        distance = {root_id.lower(): 0}
        queue = deque([root_id.lower()])
        while queue:
            node = queue.popleft()
            if distance[node] == depth:
                continue
            for other in neighbours.get(node, ()):
                if other not in distance:
                    distance[other] = distance[node] + 1
                    queue.append(other)
        edges = [e for e in edges if e.src.lower() in distance and e.dst.lower() in distance]
    nodes = []
    for key in sorted(distance, key=lambda k: (distance[k], k)):
        record_id = spelled[key]
        try:
            doc = archive.document(record_id)
        except RecordNotFound:
            # A link to a record that is gone (an archive edited by hand) still shows.
            nodes.append(Node(record_id, None, "other"))
            continue
        nodes.append(Node(doc["id"], doc.get("title"), doc.get("kind", "other")))
    edges.sort(key=lambda e: (e.src.lower(), e.rel, e.dst.lower()))
    return Graph(tuple(nodes), tuple(edges), root_id,
                 depth if root_id is not None else None,
                 tuple(sorted(chosen)) if chosen is not None else None)


def _visible(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` / ``\\uNNNN``."""
    def show(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(show, text.replace("\r\n", "\n"))


def dot_quote(text: str) -> str:
    """``text`` as a DOT double-quoted string; a newline becomes a line break.

    Backslashes are doubled so that Graphviz's own escapes (``\\N``, ``\\l``…) cannot
    be triggered by a title.
    """
    text = _visible(text)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _wrap(text: str, width: int | None) -> str:
    if not width:
        return text
    return "\n".join("\n".join(textwrap.wrap(line, width, break_long_words=False,
                                             break_on_hyphens=False) or [""])
                     for line in text.split("\n"))


def to_dot(graph: Graph, *, wrap: int | None = DOT_WRAP) -> str:
    """The graph in Graphviz's DOT language (render with ``dot -Tsvg``).

    Documents are boxes, agents (organisations, people, events) ellipses; the root of
    a neighbourhood is drawn bold.  Each node's tooltip is its record id.

    :param wrap: wrap titles at about this many characters (``None``: never).
    """
    lines = ["digraph archivist {", "  rankdir=LR;",
             '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9, color="#555555"];']
    for node in graph.nodes:
        attrs = [f"label={dot_quote(_wrap(node.label, wrap))}",
                 f"tooltip={dot_quote(node.id)}"]
        if node.kind in AGENT_KINDS:
            attrs.append("shape=ellipse")
        if node.id == graph.root:
            attrs.append("penwidth=2")
        lines.append(f"  {dot_quote(node.id)} [{', '.join(attrs)}];")
    for edge in graph.edges:
        attrs = [f"label={dot_quote(edge.rel)}"]
        if edge.symmetric:
            attrs.append("dir=none")
        lines.append(f"  {dot_quote(edge.src)} -> {dot_quote(edge.dst)} "
                     f"[{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# Mermaid reads "#name;" and "#123;" as entities, so these are written as entities.
_MERMAID_ESCAPES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
                    "`": "#96;", "\n": "<br>"}


def mermaid_text(text: str) -> str:
    """``text`` for a double-quoted Mermaid label (quotes, ``#``, ``<``, ``>`` as entities)."""
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in _visible(text))


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart (paste into Markdown on GitHub, GitLab…).

    Mermaid node names cannot be any text (``end`` is a keyword, dots are syntax), so
    nodes are named ``n1``, ``n2``… with a comment giving each record id.
    """
    names = {node.id.lower(): f"n{i}" for i, node in enumerate(graph.nodes, start=1)}
    lines = ["flowchart LR"]
    for node in graph.nodes:
        name = names[node.id.lower()]
        label = f'"{mermaid_text(node.label)}"'
        shape = f"([{label}])" if node.kind in AGENT_KINDS else f"[{label}]"
        lines.append(f"  %% {name}: {mermaid_text(node.id)}")
        lines.append(f"  {name}{shape}")
        if node.id == graph.root:
            lines.append(f"  style {name} stroke-width:3px")
    for edge in graph.edges:
        arrow = "---" if edge.symmetric else "-->"
        lines.append(f'  {names[edge.src.lower()]} {arrow}|"{edge.rel}"| '
                     f"{names[edge.dst.lower()]}")
    return "\n".join(lines) + "\n"


def to_json(graph: Graph) -> dict[str, Any]:
    """The graph as plain data: nodes with id, title, kind; edges with the term."""
    return {
        "root": graph.root,
        "depth": graph.depth,
        "rels": list(graph.rels) if graph.rels is not None else None,
        "nodes": [{"id": n.id, "title": n.title, "kind": n.kind} for n in graph.nodes],
        "edges": [{"source": e.src, "rel": e.rel, "target": e.dst, "term": term(e.rel)}
                  for e in graph.edges],
    }


#: Writers for ``archivist graph --format``; ``json`` is handled by the caller.
FORMATS = ("dot", "mermaid", "json")
