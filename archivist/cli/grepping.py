"""``archivist grep``: search inside the sources of the selected records."""

from __future__ import annotations

import sys

import click

from archivist.cli.base import Env, QueryCommand, cli, pass_env
from archivist.cli.output import format_option, render


def show_text_progress() -> None:
    """Show a bar whenever a search first reads many sources, if stderr is a terminal."""
    if sys.stderr.isatty():
        from archivist.cli.fixity import ProgressBar
        from archivist.fulltext import PROGRESS

        PROGRESS.set(lambda: ProgressBar("reading sources", show_pos=True))


def _highlighted(text: str, marks: tuple[tuple[int, int], ...], color: bool) -> str:
    """``text`` escaped for the terminal, its matches in bold red when ``color``."""
    from archivist.display import escape

    if not color or not marks:
        return escape(text)
    out: list[str] = []
    position = 0
    for start, end in marks:
        if start < position:
            continue
        out.append(escape(text[position:start]))
        out.append(click.style(escape(text[start:end]), fg="red", bold=True))
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


@cli.command("grep", cls=QueryCommand)
@click.argument("pattern")
@click.argument("query", nargs=-1)
@click.option("--context", "-C", type=click.IntRange(min=0), default=0, metavar="N",
              help="Show N lines of context around each matching line.")
@click.option("--regex", is_flag=True,
              help="PATTERN is a Python regular expression, matched in each line as is "
                   "(case-sensitive; (?i) ignores case).")
@click.option("--verbose", "-v", is_flag=True,
              help="Say on stderr which selected records have no text to search, and why.")
@format_option("text", "json", description="text: ID:LINE: text lines; json: an array of "
                                           "lines.")
@pass_env
def grep_(env: Env, pattern: str, query: tuple[str, ...], context: int, regex: bool,
          verbose: bool, fmt: str) -> None:
    """Print the lines of the sources of the records QUERY selects that hold PATTERN.

    PATTERN is folded like a query's words (case, accents, typographic quotes
    ignored; any white space matches any); --regex takes a regular expression.  Each
    matching line is printed as ID:LINE: text, LINE counting lines of the source file
    (as source.span does); a record with a span is searched within its own lines.
    Context lines read ID-LINE- text, and -- separates groups.  Exits 0 when a line
    matched, 1 when none did, 2 for a bad pattern.

    \b
    Examples:
      archivist grep Konchalovsky
      archivist grep 'dear comrades' tag:film -C 1
      archivist grep --regex 'Novocherkass\\w+' kind:article
      archivist grep azaryan --format json | jq '.[].id'
    """
    from archivist.sourcegrep import BadPattern, compile_pattern, grep

    try:
        compile_pattern(pattern, regex)
    except BadPattern as err:
        raise click.BadParameter(str(err), param_hint="PATTERN") from None
    with env.reading() as archive:
        result = grep(archive, pattern, query, regex=regex, context=context)
    if verbose:
        from archivist.display import escape

        for record_id, why in result.without_text:
            click.echo(f"{escape(record_id)}: not searched: {escape(why)}", err=True)

    def text() -> None:
        color = sys.stdout.isatty()
        for number, hit in enumerate(result.hits):
            previous = None
            for line in hit.lines:
                if context and ((previous is not None and line.number > previous + 1)
                                or (previous is None and number)):
                    click.echo("--")
                mark = ":" if line.marks else "-"
                click.echo(f"{_highlighted(hit.record_id, (), False)}{mark}{line.number}"
                           f"{mark} {_highlighted(line.text, line.marks, color)}",
                           color=color)
                previous = line.number

    render(fmt, lambda: [row for hit in result.hits for row in hit.to_dicts()], text)
    if not result.hits:
        click.get_current_context().exit(1)
