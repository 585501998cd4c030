"""The integrity check of a whole archive (``archivist check``): read everything, change
nothing, and name every problem found.

It works on the raw tables of the file rather than on an open
:class:`~archivist.store.Archive`, because its whole point is to describe damage
(a record without an id, a link that is not a mapping) that the store itself
assumes away.  What it looks at:

* every record re-validated from its interchange form, as an import would;
* ids unique, compared case-insensitively;
* every link well formed, with a known relation in its stored direction, both ends
  present, not to itself, stored once;
* no cycle through ``part-of``, ``replaces`` or ``precedes``;
* every source file present (and with ``verify``, unchanged);
* the history: each entry has its change number, time and action, and change
  numbers never go down;
* what the storage reports of itself (temporary files left beside the archive by an
  interrupted write).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archivist.display import escape

#: Relations that must never loop back on themselves.
ACYCLIC_RELATIONS: tuple[str, ...] = ("part-of", "replaces", "precedes")


@dataclass
class IntegrityReport:
    """What :func:`check_tables` found: the problems (one line each) and the counts."""

    records: int = 0
    links: int = 0
    problems: list[str] = field(default_factory=list)
    #: Distinct source files whose text search skips (not text, HTML, WARC or PDF).
    texts_skipped: int = 0

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def summary(self) -> str:
        """``check: ok (N records, M links)`` or ``check: found N problems``."""
        if self.ok:
            skipped = "" if not self.texts_skipped else (
                f"; {self.texts_skipped} source "
                f"{'file' if self.texts_skipped == 1 else 'files'} without text to search")
            return f"check: ok ({self.records} records, {self.links} links{skipped})"
        noun = "problem" if len(self.problems) == 1 else "problems"
        return (f"check: found {len(self.problems)} {noun} in {self.records} records and "
                f"{self.links} links")


def _label(key: str, doc: Any) -> str:
    if isinstance(doc, Mapping) and isinstance(doc.get("id"), str):
        return escape(doc["id"])
    return f"record #{key}"


def _numeric_order(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    def order(item: tuple[str, Any]) -> tuple[int, int, str]:
        key = item[0]
        return (0, int(key), "") if key.isdigit() else (1, 0, key)
    return sorted(table.items(), key=order)


def _check_records(records: Mapping[str, Any], report: IntegrityReport
                   ) -> dict[str, list[str]]:
    """Validate each record; returns every id by its case-folded form."""
    from archivist.errors import ArchivistError
    from archivist.models import interchange, record_from_mapping

    ids: dict[str, list[str]] = {}
    for key, doc in _numeric_order(records):
        label = _label(key, doc)
        if not isinstance(doc, Mapping):
            report.problems.append(f"{label}: not a record (a JSON {type(doc).__name__})")
            continue
        record_id = doc.get("id")
        if not isinstance(record_id, str) or not record_id:
            report.problems.append(f"{label}: has no id")
        else:
            ids.setdefault(record_id.lower(), []).append(record_id)
        try:
            # A missing id is reported above; validate the rest all the same.
            record_from_mapping(interchange(doc, with_archive=False), default_id="unknown")
        except ArchivistError as err:
            report.problems.append(f"{label}: invalid record: {escape(str(err))}")
        except (TypeError, AttributeError, KeyError) as err:
            # A value of a shape no validator expects (a number as the source…).
            report.problems.append(f"{label}: invalid record: malformed value ({err})")
        info = doc.get("archive", {})
        if not isinstance(info, Mapping):
            report.problems.append(f"{label}: its archive section is not a mapping")
    for spellings in ids.values():
        if len(spellings) > 1:
            shown = ", ".join(escape(s) for s in spellings)
            report.problems.append(f"{escape(spellings[0])}: id used by {len(spellings)} "
                                   f"records (ids are compared ignoring case): {shown}")
    return ids


def _check_links(links: Mapping[str, Any], ids: Mapping[str, list[str]],
                 report: IntegrityReport) -> dict[str, list[tuple[str, str]]]:
    """Check each link; returns the edges of the acyclic relations, by relation."""
    from archivist.errors import InvalidLink
    from archivist.links import RELATIONS, SYMMETRIC, canonical

    edges: dict[str, list[tuple[str, str]]] = {rel: [] for rel in ACYCLIC_RELATIONS}
    seen: set[tuple[str, str, str]] = set()
    for key, link in _numeric_order(links):
        if not isinstance(link, Mapping) or not all(
                isinstance(link.get(part), str) and link.get(part)
                for part in ("src", "rel", "dst")):
            report.problems.append(f"link #{key}: malformed (needs src, rel and dst text)")
            continue
        src, rel, dst = link["src"], link["rel"], link["dst"]
        shown = f"link {escape(src)} {escape(rel)} {escape(dst)}"
        if rel not in RELATIONS:
            try:
                name, flipped = canonical(rel)
                if flipped:
                    report.problems.append(f"{shown}: stored under the inverse name; it "
                                           f"should be {escape(dst)} {name} {escape(src)}")
                else:
                    report.problems.append(f"{shown}: the relation is spelled {name!r}")
            except InvalidLink:
                report.problems.append(f"{shown}: unknown relation {escape(rel)!r}")
            continue
        for end in (src, dst):
            if end.lower() not in ids:
                report.problems.append(f"{shown}: dangling, no record {escape(end)!r}")
        if src.lower() == dst.lower():
            report.problems.append(f"{shown}: a record linked to itself")
            continue
        identity = (src.lower(), rel, dst.lower())
        mirrored = (dst.lower(), rel, src.lower())
        if identity in seen or (rel in SYMMETRIC and mirrored in seen):
            report.problems.append(f"{shown}: stored more than once")
            continue
        seen.add(identity)
        if rel in edges:
            edges[rel].append((src.lower(), dst.lower()))
    return edges


def _strongly_connected(nodes: Iterable[str], graph: Mapping[str, list[str]]
                        ) -> list[list[str]]:
    """Tarjan's components, iteratively (a long chain must not exhaust the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, pos = work.pop()
            if pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph.get(node, [])
            if pos < len(children):
                work.append((node, pos + 1))
                child = children[pos]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _shortest_cycle(start: str, members: set[str], graph: Mapping[str, list[str]]
                    ) -> list[str]:
    """The shortest path start → … → start within one strongly connected component."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in graph.get(node, []):
            if child not in members:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return [start, start]


def _check_cycles(edges: Mapping[str, list[tuple[str, str]]],
                  ids: Mapping[str, list[str]], report: IntegrityReport) -> None:
    for rel, pairs in edges.items():
        graph: dict[str, list[str]] = {}
        for src, dst in pairs:
            graph.setdefault(src, []).append(dst)
        for component in _strongly_connected(sorted(graph), graph):
            if len(component) < 2:
                continue
            cycle = _shortest_cycle(min(component), set(component), graph)
            names = [escape(ids.get(node, [node])[0]) for node in cycle]
            report.problems.append(f"cycle in {rel}: {' → '.join(names)}")


def _check_history(history: Mapping[str, Any], report: IntegrityReport) -> None:
    last = 0
    for key, entry in _numeric_order(history):
        where = f"history #{key}"
        if not isinstance(entry, Mapping):
            report.problems.append(f"{where}: not a history entry")
            continue
        absent = [name for name in ("change", "time", "action") if entry.get(name) in
                  (None, "")]
        if absent:
            report.problems.append(f"{where}: has no {', '.join(absent)}")
        change = entry.get("change")
        if change is None:
            continue
        if isinstance(change, bool) or not isinstance(change, int):
            report.problems.append(f"{where}: change number {escape(repr(change))} is not "
                                   "a whole number")
            continue
        if change < last:
            report.problems.append(f"{where}: change {change} comes after change {last} "
                                   "(change numbers must not go down)")
        last = max(last, change)


def _check_sources(records: Mapping[str, Any], archive_path: Path | None, verify: bool,
                   report: IntegrityReport) -> None:
    from archivist.fixity import read_state
    from archivist.provenance import NotRegularFile, open_regular, resolve_stored

    for key, doc in _numeric_order(records):
        source = doc.get("source") if isinstance(doc, Mapping) else None
        if not isinstance(source, Mapping) or not isinstance(source.get("path"), str):
            continue
        label, shown = _label(key, doc), escape(source["path"])
        path = resolve_stored(source["path"], archive_path)
        if verify:
            state = read_state(path)
            if state.result == "read" and (state.sha256 != source.get("sha256") or
                                           source.get("size") not in (None, state.size)):
                report.problems.append(f"{label}: source changed: {shown} (expected sha256 "
                                       f"{source.get('sha256')}, found {state.sha256})")
            elif state.result != "read":
                detail = f" ({escape(state.detail)})" if state.detail else ""
                report.problems.append(f"{label}: source {state.result}: {shown}{detail}")
            continue
        try:
            os.close(open_regular(path))
        except (FileNotFoundError, NotADirectoryError):
            report.problems.append(f"{label}: source missing: {shown}")
        except NotRegularFile as err:
            report.problems.append(f"{label}: source unreadable: {shown} ({err.strerror}, "
                                   "not a regular file)")
        except OSError as err:
            report.problems.append(f"{label}: source unreadable: {shown} "
                                   f"({err.strerror or err})")


def check_tables(tables: Mapping[str, Any], archive_path: Path | None = None, *,
                 verify: bool = False, text_kinds: Mapping[str, str] | None = None
                 ) -> IntegrityReport:
    """Check the raw tables of an archive (as read from its file).

    :param archive_path: the archive file, to resolve relative source paths (``None``:
        in memory).
    :param verify: also re-hash every source and compare it with the recorded hash.
    :param text_kinds: the kind of each source text kept, by SHA-256, to count the
        files text search skips (:func:`archivist.store.source_texts`).
    """
    records = tables.get("records") or {}
    links = tables.get("links") or {}
    report = IntegrityReport(records=len(records), links=len(links))
    ids = _check_records(records, report)
    edges = _check_links(links, ids, report)
    _check_cycles(edges, ids, report)
    _check_sources(records, archive_path, verify, report)
    _check_history(tables.get("history") or {}, report)
    if text_kinds:
        from archivist.fulltext import located

        shas = {found.sha256 for doc in records.values()
                if isinstance(doc, dict) and (found := located(doc))}
        report.texts_skipped = sum(text_kinds.get(sha) == "skipped" for sha in shas)
    return report


def check_archive(location: Path | str, *, verify: bool = False
                  ) -> tuple[IntegrityReport, bool]:
    """Read the archive at ``location`` (a file or a database URL; never writing) and
    check it, with the problems the storage reports itself (such as temporary files
    left beside a file by an interrupted write).

    :returns: the report, and whether the archive exists (a missing one is empty).
    :raises ArchiveCorrupt: when the archive cannot be read as tables at all.
    """
    from archivist.store import raw_tables

    stored = raw_tables(location)
    # Relative source paths start where the engine says (a file's folder, a
    # database's sources folder).
    report = check_tables(stored.tables, stored.path or Path(location), verify=verify,
                          text_kinds=stored.text_kinds)
    report.problems += [escape(problem) for problem in stored.problems]
    return report, stored.exists


def check_file(path: Path, *, verify: bool = False) -> tuple[IntegrityReport, bool]:
    """:func:`check_archive` of the archive file at ``path``."""
    return check_archive(path, verify=verify)
