"""Link commands: link, unlink, links, graph."""

from __future__ import annotations

from typing import Any

import click

from archivist.cli.base import Env, cli, complete_ids, emit, pass_env
from archivist.cli.output import format_option, render


def complete_relations(ctx: click.Context, param: click.Parameter, incomplete: str
                       ) -> list[Any]:
    """Shell completion of relation names (either name of each pair)."""
    from click.shell_completion import CompletionItem

    from archivist.links import RELATION_NAMES

    return [CompletionItem(name) for name in RELATION_NAMES
            if name.startswith(incomplete.lower())]


@cli.command()
@click.argument("source", shell_complete=complete_ids)
@click.argument("rel", metavar="REL", shell_complete=complete_relations)
@click.argument("target", shell_complete=complete_ids)
@pass_env
def link(env: Env, source: str, rel: str, target: str) -> None:
    """Link two records: SOURCE REL TARGET, e.g. an article part-of a series.

    REL is any relation name, or its inverse (part-of or has-part); the link is
    stored once and shown from both ends.  A link that exists already is left as
    it is (a note on stderr, exit 0).  Relations: part-of/has-part,
    version-of/has-version, replaces/replaced-by, references/referenced-by,
    derived-from/source-of, translation-of/translated-as, precedes/follows,
    about/subject-of, created-by/creator-of, published-by/publisher-of,
    member-of/has-member, split-from/split-into, merged-into/merged-from,
    duplicate-of, related.

    \b
    Examples:
      archivist link weiss-2021-dear-comrades part-of wsws-history-of-russia
      archivist link wsws-history-of-russia has-part weiss-2021-dear-comrades
      archivist link workers-power-russia split-from oci-russia
    """
    from archivist.links import add_link, canonical

    canonical(rel)  # an unknown relation is refused before the archive is locked
    with env.writing() as archive:
        stored = add_link(archive, source, rel, target)
    if stored is None:
        from archivist.display import escape

        click.echo(escape(f"{source} {rel} {target} exists already; nothing changed"),
                   err=True)
    else:
        click.echo(f"linked {stored.src} {stored.rel} {stored.dst}", err=True)


@cli.command()
@click.argument("source", shell_complete=complete_ids)
@click.argument("rel", metavar="REL", shell_complete=complete_relations)
@click.argument("target", shell_complete=complete_ids)
@pass_env
def unlink(env: Env, source: str, rel: str, target: str) -> None:
    """Remove the link SOURCE REL TARGET (written with either name of the relation).

    \b
    Examples:
      archivist unlink weiss-2021-dear-comrades part-of wsws-history-of-russia
      archivist unlink wsws-history-of-russia has-part weiss-2021-dear-comrades
    """
    from archivist.links import canonical, remove_link

    canonical(rel)
    with env.writing() as archive:
        removed = remove_link(archive, source, rel, target)
    click.echo(f"unlinked {removed.src} {removed.rel} {removed.dst}", err=True)


@cli.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_ids)
@format_option("table", "json", description="table for people; json carries the Dublin "
                                            "Core / PROV-O term of each link.")
@pass_env
def links(env: Env, record_id: str, fmt: str) -> None:
    """List a record's links both ways, each named as read from this record.

    \b
    Examples:
      archivist links wsws-history-of-russia
      archivist links oci-russia --format json | jq '.[] | select(.rel == "has-member")'
    """
    from archivist.links import links_table

    with env.reading() as archive:
        rows = links_table(archive, record_id)

    def table() -> None:
        if not rows:
            click.echo("no links", err=True)
            return
        from archivist.display import cell
        from archivist.exporters.tables import simple_table

        cells = [[row["rel"], cell(row["id"]), cell(row["title"])] for row in rows]
        emit(simple_table(cells, ["rel", "id", "title"]) + "\n")

    render(fmt, lambda: rows, table)


@cli.command()
@click.argument("record_id", metavar="[ID]", required=False, shell_complete=complete_ids)
@click.option("--depth", "-d", type=click.IntRange(min=0), metavar="N",
              help="With ID: follow links (either way) up to N steps from it.  [default: 2]")
@click.option("--rel", "-r", "rels", multiple=True, metavar="REL",
              shell_complete=complete_relations,
              help="Follow only this relation (either name); repeat for several.")
@format_option("dot", "mermaid", "json",
               description="dot for Graphviz, mermaid for Markdown, json for programs.")
@pass_env
def graph(env: Env, record_id: str | None, depth: int | None, rels: tuple[str, ...],
          fmt: str) -> None:
    """Write the link graph: the whole archive, or the records near ID.

    Nodes are labelled with titles, edges with relation names.  The whole archive
    shows every record that has a link (of the chosen relations).

    \b
    Examples:
      archivist graph --format dot | dot -Tsvg > archive.svg
      archivist graph oci-russia --depth 1 --format mermaid
      archivist graph wsws-history-of-russia --rel part-of --rel references -f json
    """
    from archivist.graph import DEFAULT_DEPTH, subgraph, to_dot, to_json, to_mermaid
    from archivist.links import canonical

    if depth is not None and record_id is None:
        raise click.UsageError("--depth goes with an ID")
    for rel in rels:
        canonical(rel)
    with env.reading() as archive:
        found = subgraph(archive, record_id, DEFAULT_DEPTH if depth is None else depth,
                         rels or None)
    render(fmt, lambda: to_json(found),
           lambda: emit(to_mermaid(found) if fmt == "mermaid" else to_dot(found)))
