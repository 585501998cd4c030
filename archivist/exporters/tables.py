"""Tables for people: the ``simple`` style drawn fast, any tabulate style, and rows
fitted to a terminal, all measured in terminal cells (:func:`.display_width`).

Wide characters (CJK, emoji) take two cells and combining marks none, so columns are
padded by the cells their text takes, not by its length; tabulate is given the same
measure.  On a terminal, :func:`table_text` shortens the widest cells until a row
fits, but never those of the columns it is told to keep (ids, which people copy).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import filterfalse

from archivist.display import display_width, narrow, pad, shorten

#: Columns never shortened to fit a terminal, unless told otherwise.
KEEP: tuple[str, ...] = ("id",)
#: The fewest cells a shortened column keeps while that is enough.
MIN_WIDTH = 8
#: The fewest cells a shortened column keeps at all.
LEAST_WIDTH = 6
#: Columns that give way only once the others cannot.
LAST: tuple[str, ...] = ("kind", "date")


def _narrow(column: Sequence[str]) -> bool:
    """Whether every cell of ``column`` takes one cell per character (fast)."""
    # Only the cells that are not ASCII need a look: 2 ms for 100,000 titles.
    return narrow("".join(filterfalse(str.isascii, column)))


def _width(column: Sequence[str]) -> int:
    if _narrow(column):
        return max(map(len, column), default=0)
    return max(map(display_width, column), default=0)


def _narrow_to(widths: list[int], floors: list[int], shrinkable: list[int],
               excess: int) -> int:
    """Take cells from the widest shrinkable columns, down to their floors, until
    ``excess`` is gone or none can give more; returns what is still in excess."""
    while excess > 0:
        open_ = [i for i in shrinkable if widths[i] > floors[i]]
        if not open_:
            break
        # Of the widest, the rightmost gives way (titles come last in a row).
        widest = max(reversed(open_), key=widths.__getitem__)
        widths[widest] -= 1
        excess -= 1
    return excess


def fit(rows: list[list[str]], columns: Sequence[str], max_width: int, *,
        keep: Collection[str] = KEEP, last: Collection[str] = LAST, headers: bool = True,
        gap: int = 2, edges: int = 0) -> list[str]:
    """Shorten the widest cells, in place, until a row fits ``max_width`` cells.

    Cells of the columns named in ``keep`` are never shortened; the others give way,
    the widest first and those named in ``last`` after the others, down to
    :data:`MIN_WIDTH` cells or their header's width, then, if that is not enough,
    down to :data:`LEAST_WIDTH` cells, headers shortened too.  When even that is not
    enough the rows stay wider than ``max_width``.

    :param gap: the cells between two columns; ``edges``: those before and after a row.
    :returns: the headers to print, shortened where their columns had to be.
    """
    names = list(columns)
    if not rows:
        return names
    widths = [_width(column) for column in zip(*rows)]
    heads = [display_width(c) + 2 if headers else 0 for c in columns]
    widths = [max(w, h) for w, h in zip(widths, heads)]
    excess = sum(widths) + gap * (len(widths) - 1) + edges - max_width
    shrinkable = [i for i, column in enumerate(columns) if column not in keep]
    floors = [max(MIN_WIDTH, h) for h in heads]
    # Text (titles, creators) gives way first, then the columns that give way last
    # (kinds, dates), then everything but the kept columns down to what can still
    # be read.
    first = [i for i in shrinkable if columns[i] not in last]
    excess = _narrow_to(widths, floors, first, excess)
    excess = _narrow_to(widths, floors, shrinkable, excess)
    _narrow_to(widths, [min(LEAST_WIDTH, w) for w in widths], shrinkable, excess)
    for i in shrinkable:
        width = widths[i]
        if headers and heads[i] > width:
            names[i] = shorten(names[i], width - 2)
        if _narrow([row[i] for row in rows]):
            cut = width - 1
            for row in rows:
                if len(row[i]) > width:
                    row[i] = row[i][:cut] + "…"
        else:
            for row in rows:
                row[i] = shorten(row[i], width)
    return names


def simple_table(rows: Sequence[Sequence[str]], headers: Sequence[str] | None) -> str:
    """tabulate's ``simple`` style for text cells, in a fraction of the time; without
    headers, the bare rows (no rules), so that one column is a plain list.

    Cells must be stripped of surrounding whitespace, as tabulate would strip them
    (:func:`.export_table` does).  With headers the text is what tabulate draws, byte
    for byte, given :func:`.display_width` (``tests/test_exporters.py`` checks it).

    tabulate inspects every cell several times; listing 10,000 records through it
    takes longer than everything else ``list`` does.
    """
    return "\n".join(_simple_lines(rows, headers))


def _simple_lines(rows: Sequence[Sequence[str]], headers: Sequence[str] | None
                  ) -> list[str]:
    if not rows and headers is None:
        return []
    ncols = len(headers) if headers is not None else len(rows[0])
    columns: list[Sequence[str]] = list(zip(*rows)) if rows else [()] * ncols
    widths, wide = [], set()
    for i, column in enumerate(columns):
        if _narrow(column):
            widths.append(max(map(len, column), default=0))
        else:
            wide.add(i)
            widths.append(max(map(display_width, column)))
    if headers is not None:
        widths = [max(w, display_width(h) + 2) for w, h in zip(widths, headers)]
    if wide:
        # Padded here by the cells they take; str.format pads by length.
        for i in wide:
            columns[i] = [pad(c, widths[i]) for c in columns[i]]
        rows = list(zip(*columns))
    # Through one format string per row: the same padding as str.ljust, at a
    # fraction of the cost of a loop over cells.
    line = "  ".join("{}" if i in wide else f"{{:<{w}}}" for i, w in enumerate(widths)).format
    body = [line(*row).rstrip() for row in rows]
    if headers is None:
        return body
    head = "  ".join(pad(h, w) for h, w in zip(headers, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths).rstrip()
    return [head, rule, *body]


class _Widths:
    """What tabulate looks for in the optional ``wcwidth`` module: our measure."""

    @staticmethod
    def wcswidth(text: str) -> int:
        return display_width(text)

    @staticmethod
    def wcwidth(char: str) -> int:
        return display_width(char)


def tabulated(rows: Sequence[Sequence[str]], headers: Sequence[str] | None, style: str
              ) -> str:
    """The rows in any tabulate style, columns measured in terminal cells."""
    import tabulate

    if not isinstance(getattr(tabulate, "wcwidth", None), _Widths):
        # tabulate measures wide characters only through wcwidth, which archivist
        # does not depend on; it reads the module and the switch when it draws.
        setattr(tabulate, "wcwidth", _Widths())  # noqa: B010
        setattr(tabulate, "WIDE_CHARS_MODE", True)  # noqa: B010
    table: str = tabulate.tabulate(rows, headers=headers or (), tablefmt=style,
                                   disable_numparse=True)
    return table


def table_text(rows: list[list[str]], columns: Sequence[str], *, style: str = "simple",
               headers: bool = True, max_width: int | None = None,
               keep: Collection[str] = KEEP, last: Collection[str] = LAST) -> str:
    """A table of rows already drawn (cells escaped and stripped), in any style, each
    line ending with a newline; nothing at all for no rows without headers.

    :param max_width: fit the rows to this many cells (see :func:`fit`), in place.
    :param keep: the columns never shortened; ``last``: those shortened last.
    """
    names: list[str] | None = list(columns)
    if max_width:
        plain = style in ("simple", "plain")
        names = fit(rows, columns, max_width, keep=keep, last=last, headers=headers,
                    gap=2 if plain else 3, edges=0 if plain else 4)
    if not headers:
        names = None
    if style == "simple":
        # Joined with the last newline: adding it after would copy the whole text.
        lines = _simple_lines(rows, names)
        return "\n".join([*lines, ""]) if lines else ""
    text = tabulated(rows, names, style)
    return text + "\n" if text else ""
