"""The ``cite`` command: formatted references and in-text citations in any CSL style."""

from __future__ import annotations

from typing import Any

import click

from archivist.cli.base import Env, emit, pass_env, query_command

# Kept here as well as in archivist.cite so that `--help` imports nothing more.
CITE_FORMATS = ("text", "html", "markdown", "rtf")
DEFAULT_STYLE = "chicago-author-date"


def complete_styles(ctx: click.Context, param: click.Parameter, incomplete: str
                    ) -> list[Any]:
    """Shell completion of the style names shipped with the styles."""
    from click.shell_completion import CompletionItem

    try:
        from archivist.cite import style_names

        return [CompletionItem(name) for name in style_names(incomplete)]
    except Exception:
        # Completion must never print a traceback into the user's prompt.
        return []


@query_command("cite")
@click.option("--style", "-s", default=DEFAULT_STYLE, show_default=True,
              metavar="NAME|FILE.csl", shell_complete=complete_styles,
              help="A style of the CSL styles repository by its short name (apa, "
                   "chicago-author-date, modern-language-association, "
                   "gost-r-7-0-5-2008, iso690-author-date-en…) or a .csl file.")
@click.option("--locale", "-l", metavar="xx-XX",
              help="The language of terms and dates (de-DE, pl-PL, ru-RU…). Default: "
                   "the style's.")
@click.option("--format", "-f", "fmt", type=click.Choice(CITE_FORMATS), default="text",
              show_default=True,
              help="text for the terminal, html to paste into a page, markdown "
                   "(italics as *…*), rtf for word processors.")
@click.option("--in-text", is_flag=True,
              help="Print each record's in-text citation, \"(Weiss 2021)\", instead of "
                   "the bibliography.")
@click.option("--list-styles", is_flag=True,
              help="List every style shipped (short name, tab, title) and exit.")
@pass_env
def cite_(env: Env, query: tuple[str, ...], style: str, locale: str | None, fmt: str,
          in_text: bool, list_styles: bool) -> None:
    """Print the bibliography of the records (all, or those matching QUERY) in a
    citation style, sorted as the style sorts.

    Organisations, people and events are not cited (noted on stderr). Needs the
    optional extra: pip install 'archivist[cite]'.

    \b
    Examples:
      archivist cite creator:weiss
      archivist cite tag:film --style apa --in-text
      archivist cite 'kind:article date:2017' --style modern-language-association
      archivist cite language:ru --style gost-r-7-0-5-2008
      archivist cite tag:film --style apa --format html > films.html
      archivist cite --list-styles | grep -i harvard
    """
    if list_styles:
        from archivist.cite import style_titles

        emit("".join(f"{name}\t{title}\n" for name, title in style_titles()))
        return
    from archivist.cite import cite
    from archivist.display import escape

    with env.reading() as archive:
        cited = cite(archive, query, style=style, locale=locale, fmt=fmt, in_text=in_text)
    if cited.skipped:
        noun = "record" if len(cited.skipped) == 1 else "records"
        shown = ", ".join(cited.skipped[:5]) + (", …" if len(cited.skipped) > 5 else "")
        click.echo(f"note: left out {len(cited.skipped)} {noun} that are not citable "
                   f"works (organisations, people, events): {shown}", err=True)
    if fmt in ("text", "markdown"):
        # Read on a terminal: nothing in a record may be obeyed by it.
        emit("".join(escape(line) + "\n" for line in cited.text.splitlines()))
    else:
        emit(cited.text)
