"""The root command, its global options, and the one place errors become exit codes.

Only the ``archivist.cli`` package imports click.  Command modules import the
library lazily inside their functions so that ``archivist --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from archivist.config import DB_ENVVAR, LOCK_TIMEOUT_ENVVAR
from archivist.version import VERSION

if TYPE_CHECKING:
    from archivist.store import Archive

F = TypeVar("F", bound=Callable[..., Any])

#: The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


class ProblemsError(click.ClickException):
    """Several problems (an import's), printed one per line, then a summary."""

    def __init__(self, problems: list[str], summary: str) -> None:
        super().__init__(summary)
        self.problems = problems

    def show(self, file: Any = None) -> None:
        for problem in self.problems:
            click.echo(problem, err=True)
        click.echo(f"Error: {self.message}", err=True)


def translate(err: Exception) -> click.ClickException:
    """The Click exception (exit 1) for a library error.

    Messages quote what the user typed or what a file holds, so they are escaped like
    every other human output: one line each, and nothing a terminal would obey.  The
    library speaks of its own parameters; here the options that give them are named.
    """
    from archivist.display import escape
    from archivist.errors import ImportFailed, InvalidRecord, RecordInUse, UnknownField

    if isinstance(err, ImportFailed):
        count = err.total
        noun = "problem" if count == 1 else "problems"
        return ProblemsError([escape(named_options(p)) for p in err.problems],
                             f"import failed with {count} {noun}; nothing was changed")
    if isinstance(err, UnknownField) and err.what in _OPTION_OF_NAME:
        err = err.given_in(_OPTION_OF_NAME[err.what])
    elif isinstance(err, RecordInUse):
        err = err.with_remedy("use --force")
    elif (known := getattr(err, "known_styles", None)) is not None:
        return click.ClickException(escape(
            f"{err} (archivist cite --list-styles shows all {known})"))
    elif isinstance(err, InvalidRecord):
        from archivist.listing import EMPTY_COLUMN

        if str(err) == EMPTY_COLUMN:
            err = InvalidRecord("an empty column name in --columns")
    return click.ClickException(escape(str(err)))


#: The option that gives each kind of name a listing checks (see UnknownField.what).
_OPTION_OF_NAME = {"column": "--columns", "sort key": "--sort"}


def named_options(problem: str) -> str:
    """An import problem ending with the library's advice, naming the option instead."""
    import re

    from archivist.importing.problems import CONFLICT_HINT, FORMAT_HINT, SIZE_HINT

    for hint, option in ((CONFLICT_HINT, "(use --on-conflict skip or update)"),
                         (SIZE_HINT, "(--max-size)"),
                         (FORMAT_HINT, "(give --format to read it as one, or - to read "
                                       "standard input)")):
        if problem.endswith(hint):
            return problem[:-len(hint)] + option
    return re.sub(r"set format to '([\w-]+)'", r"give --format \1", problem)


class ArchivistGroup(click.Group):
    """A group that records its command line and turns library errors into exit 1."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            ctx.meta["archivist.argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from archivist.errors import ArchivistError

        try:
            return super().invoke(ctx)
        except ArchivistError as err:
            raise translate(err) from err
        except BrokenPipeError:
            # The reader went away (`archivist list | head`): not an error of ours.
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            ctx.exit(0)
        except (KeyboardInterrupt, click.Abort) as err:
            # Click's prompts turn Ctrl-C into Abort (and so does end of input there,
            # which stays Click's "Aborted!").
            if isinstance(err, click.Abort) and not isinstance(err.__context__,
                                                               KeyboardInterrupt):
                raise
            env = ctx.find_object(Env)
            written = env is not None and env.wrote
            what = "the import" if ctx.invoked_subcommand == "import" else "the change"
            if sys.stderr.isatty():
                click.echo(err=True)  # past the "^C" the terminal echoed
            click.echo("interrupted; " + (f"{what} was written" if written
                                          else "nothing was changed"), err=True)
            ctx.exit(INTERRUPTED)


class ArchiveLocation(click.Path):
    """``--db``: an archive file's name, or a URL (``postgresql://…``) kept as typed."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and _URL.match(value):
            return value
        return super().convert(value, param, ctx)


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def without_password(location: str) -> str:
    """An archive's location for messages: a URL's password (user part or query)
    replaced by ``***``."""
    shown = re.sub(r"((?:^|[?&])password=)[^&]*", r"\1***", location, flags=re.I)
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", shown)


@dataclass
class Env:
    """What every command needs: the archive path, why that one, and the lock timeout."""

    db: Path
    origin: str
    lock_timeout: float
    argv: list[str]
    #: Whether this command has replaced the archive file (what Ctrl-C reports).
    wrote: bool = False
    #: The archive's URL, when it is in a database (``db`` is then no file).
    url: str | None = None

    @property
    def location(self) -> Path | str:
        """Where the archive is, for :func:`archivist.store.open_archive`."""
        return self.db if self.url is None else self.url

    @property
    def shown(self) -> str:
        """The archive's name for messages (a URL without its password)."""
        return str(self.db) if self.url is None else without_password(self.url)

    @property
    def command(self) -> str:
        """The command line as typed, for history and provenance.

        An argument that is not valid UTF-8 reaches Python with lone surrogates, which
        JSON cannot store: its undecodable bytes are recorded as ``\\xNN`` instead.
        """
        args = [os.fsencode(a).decode("utf-8", "backslashreplace") for a in self.argv]
        return shlex.join(["archivist", *args])

    @contextlib.contextmanager
    def reading(self, *, quiet: bool = False, dry_run: bool = False) -> Iterator[Archive]:
        """Open the archive to read (no lock); note on stderr when it does not exist.

        :param dry_run: for a command that only says what it would change: it leaves
            every file as it was (no index file is written either).
        """
        from archivist.store import open_archive

        with _gc_paused(), open_archive(self.location, command=self.command,
                                        write_index=not dry_run) as archive:
            if not archive.exists and not quiet:
                click.echo(f"note: the archive {self.shown} does not exist yet", err=True)
            yield archive

    @contextlib.contextmanager
    def writing(self) -> Iterator[Archive]:
        """Open the archive to change it: lock, read, and on success write once."""
        from archivist.store import open_archive, version_of

        if self.origin == "default":
            self.db.parent.mkdir(parents=True, exist_ok=True)
        # The file as read under the lock: when it is another file afterwards, this
        # command replaced it, even if it was interrupted before it finished.
        read: list[Any] = []
        try:
            with _gc_paused(), open_archive(
                    self.location, write=True, command=self.command,
                    lock_timeout=self.lock_timeout,
                    on_wait=lambda msg: click.echo(msg, err=True)) as archive:
                read.append(version_of(self.location))
                yield archive
        finally:
            if read and version_of(self.location) != read[0]:
                self.wrote = True


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Keep Python's cycle collector off while a command works on its archive.

    Parsing an archive makes about a million objects for 10,000 records, and the
    collector would walk them again and again while they are made (tables are parsed
    when first used, anywhere in the command): a third of the time ``list`` takes.
    Archive data holds no cycles, and a command is short, so nothing is missed.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Freezing and unfreezing moves every young object to the oldest generation
        # without walking them; re-enabling the collector would otherwise walk them
        # all at once (tests run many commands in one process).
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


pass_env = click.make_pass_decorator(Env)


def stdout_width() -> int | None:
    """The terminal's width when stdout is a terminal, else ``None`` (no shortening)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((100, 24)).columns


def emit(text: str) -> None:
    """Write data to stdout, as is (it already ends with a newline when it should)."""
    # color=True: click.echo would otherwise strip escape sequences from a pipe, and
    # machine formats (csv, bibtex, ris) must carry the text exactly.
    click.echo(text, nl=False, color=True)


def emit_all(pieces: Iterable[str]) -> None:
    """Write output to stdout as it is made (a large export or list); a problem met
    after its start says that what came before is incomplete."""
    from archivist.errors import ArchivistError

    started = False
    try:
        for piece in pieces:
            emit(piece)
            started = True
    except ArchivistError as err:
        if not started:
            raise
        raise ArchivistError(f"{err} (the output written before this is incomplete)"
                             ) from None


def _completion_records(ctx: click.Context) -> Iterable[dict[str, Any]]:
    from archivist.store import open_archive

    with open_archive(_env_for_completion(ctx), write_index=False) as archive:
        return list(archive.documents())


def complete_ids(ctx: click.Context, param: click.Parameter, incomplete: str
                 ) -> list[Any]:
    """Shell completion of record ids (with titles) from the archive in use."""
    from click.shell_completion import CompletionItem

    prefix = incomplete.lower()
    try:
        return [CompletionItem(doc["id"], help=str(doc.get("title", ""))[:60])
                for doc in _completion_records(ctx) if doc["id"].lower().startswith(prefix)]
    except Exception:
        # Completion must never print a traceback into the user's prompt.
        return []


def complete_tags(ctx: click.Context, param: click.Parameter, incomplete: str
                  ) -> list[Any]:
    """Shell completion of tags from the archive in use."""
    from click.shell_completion import CompletionItem

    prefix = incomplete.casefold()
    try:
        tags = {t for doc in _completion_records(ctx) for t in doc.get("tags", ())}
    except Exception:
        return []
    return [CompletionItem(t) for t in sorted(tags) if t.casefold().startswith(prefix)]


def _env_for_completion(ctx: click.Context) -> Path | str:
    root = ctx.find_root()
    db = root.params.get("db") or os.environ.get(DB_ENVVAR)
    if db:
        return db if isinstance(db, str) and _URL.match(db) else Path(db)
    from archivist.config import default_archive_path

    return default_archive_path()


@click.group(cls=ArchivistGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=ArchiveLocation(dir_okay=False, path_type=Path),
              envvar=DB_ENVVAR,
              help=f"The archive file, or a postgresql:// URL. Default: ${DB_ENVVAR}, "
                   "else one archive per user in the platform's data folder (see "
                   "`archivist info`).")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=30.0,
              envvar=LOCK_TIMEOUT_ENVVAR, show_default=True,
              help="Seconds to wait for another archivist process to finish writing.")
@click.version_option(VERSION, prog_name="archivist")
@click.pass_context
def cli(ctx: click.Context, db: Path | str | None, lock_timeout: float) -> None:
    """Keep, describe, link and prove an archive of documents.

    \b
    Examples:
      archivist --db demo.json import records/
      archivist add --title "Dear Comrades" --creator "Clara Weiss" --date 2021-02-09
      archivist list tag:film --sort -date
      archivist show weiss-2021-dear-comrades
    """
    from archivist.cli.grepping import show_text_progress

    show_text_progress()
    source = ctx.get_parameter_source("db")
    if isinstance(db, str):
        ctx.obj = Env(db=Path(db), origin="--db" if source ==
                      click.core.ParameterSource.COMMANDLINE else f"${DB_ENVVAR}",
                      lock_timeout=lock_timeout, argv=ctx.meta.get("archivist.argv", []),
                      url=db)
        return
    if db is not None:
        origin = "--db" if source == click.core.ParameterSource.COMMANDLINE else f"${DB_ENVVAR}"
        path = db
    else:
        from archivist.config import default_archive_path

        origin, path = "default", default_archive_path()
    if str(path) == "" or path.name in ("", ".", ".."):
        raise click.BadParameter("the archive must be a file name", param_hint="--db")
    ctx.obj = Env(db=path, origin=origin, lock_timeout=lock_timeout,
                  argv=ctx.meta.get("archivist.argv", []))


def selection_options(func: F) -> F:
    """The options ``list`` and ``export`` share: columns, sort, limit, headers, style."""
    options = [
        click.option("--columns", "-c", help="Comma-separated columns for table/csv/tsv "
                                             "(any field: tags, creators, fields.kicker…)."),
        click.option("--sort", "-s", "sort", help="Sort keys, e.g. -date,title "
                                                  "('-' for descending)."),
        click.option("--limit", "-n", type=click.IntRange(min=0),
                     help="At most N records."),
        click.option("--no-headers", is_flag=True, help="Leave out the header row."),
        click.option("--table-format", default="simple", show_default=True, metavar="STYLE",
                     help="tabulate style for tables: simple, github, grid, pipe, html, "
                          "latex, rst, orgtbl…"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class QueryCommand(click.Command):
    """A command taking a QUERY whose words may start with ``-``.

    Click reads ``list -tag:film`` as the option ``-t`` and ``-creator:weiss`` as
    ``-c reator:weiss``.  Here a word is an option only when it is exactly one of the
    command's option names (or ``--name=value``); any other word that starts with
    ``-`` and a character other than ``-`` is a query word.  Options may still stand
    before, between and after the query words, and an option's value is taken as it
    is (``--sort -date``).  So a short option's value is a word of its own (``-c id``
    is a column, ``-cid`` a query word), except a number, which may be joined to it
    as grep users write it: ``-C1`` is ``-C 1``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, query_words_last(args, self.get_params(ctx)))


def query_words_last(args: Sequence[str], params: Iterable[click.Parameter]) -> list[str]:
    """``args`` with the options first, then ``--`` and the positional words in order.

    A long option that is not one of ``params`` (``--colums``) stays an option, for
    Click to report (with its suggestion).
    """
    values: dict[str, int] = {}  # option name -> how many values follow it
    for param in params:
        if isinstance(param, click.Option):
            count = 0 if param.is_flag or param.count else max(param.nargs, 1)
            for name in (*param.opts, *param.secondary_opts):
                values[name] = count
    options: list[str] = []
    words: list[str] = []
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        if arg == "--":
            words.extend(args[position:])
            break
        if arg in values:
            count = values[arg]
            options.extend(args[position - 1:position + count])
            position += count
        elif arg.startswith("--"):  # --columns=id, or a misspelt option
            options.append(arg)
        elif values.get(arg[:2]) == 1 and arg[2:].isdigit():
            options.extend((arg[:2], arg[2:]))
        else:
            words.append(arg)
    return [*options, "--", *words] if words else options


def query_command(name: str | None = None) -> Callable[[F], click.Command]:
    """Register a command on :data:`cli` that takes ``QUERY…`` (see
    :class:`QueryCommand`); the callback gets the words as ``query``."""

    def register(func: F) -> click.Command:
        func = click.argument("query", nargs=-1)(func)
        return cli.command(name, cls=QueryCommand)(func)

    return register
