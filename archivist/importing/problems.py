"""The problems of an import: where each one is, and in what order they are listed.

Every check of an import (:mod:`archivist.importing.reading`, :mod:`archivist.importing`)
notes what it finds in one :class:`Problems`, at a :class:`Place`; none raises on
the first.  They are listed by place, whichever check found them: the inputs in the
order given on the command line (a folder's files in their sorted order), then line
and column, so that the problems of one record stand together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archivist.display import escape
from archivist.errors import ImportFailed

#: Problems listed at most; the rest are counted.
MAX_PROBLEMS = 50
#: How to get past a problem, in the library's own terms (the parameters of
#: :class:`~archivist.importing.ImportOptions` and
#: :func:`~archivist.importing.read_inputs`); a problem ends with one, so that the
#: command line can name its option instead.
CONFLICT_HINT = "(set on_conflict to 'skip' or 'update')"
SIZE_HINT = "(the max_size limit)"
#: The advice ending a refused file name: the format may be given for it.
FORMAT_HINT = "(set format to read it as one, or read standard input)"


def format_advice(fmt: str) -> str:
    """The advice to read an input in ``fmt`` (the CLI names its option instead)."""
    return f"set format to {fmt!r}"


@dataclass(frozen=True, order=True)
class Place:
    """Where a problem is: ``label:line:column``, ordered as the inputs were given.

    :param rank: the input's place among the inputs, in the order of the command line
        (the files of a folder in their sorted order).
    """

    rank: int
    line: int
    column: int
    label: str = field(compare=False)

    def __str__(self) -> str:
        return f"{self.label}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """A problem met reading an input: the input cannot be read, or stopped parsing."""

    place: Place
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class Problems:
    """Problems found so far, each ``file:line:column: message``.

    They are listed in the order of their places (the files as given, then line and
    column), whichever check found them.  At most :data:`MAX_PROBLEMS` are shown; a
    file that could not be read or stopped parsing (``stop``) is shown before any
    other problem is, so that it is never lost among the problems of its records.
    """

    def __init__(self) -> None:
        self._found: list[tuple[Place, int, bool, str]] = []

    def add(self, where: Place, message: str, *, stop: bool = False) -> None:
        """Note a problem at ``where``; ``stop`` for an input that did not read to its end."""
        # One problem, one line: a newline or escape sequence in a key, a value or a
        # file name is shown escaped, never obeyed by the terminal.
        self._found.append((where, len(self._found), stop, escape(f"{where}: {message}")))

    def extend(self, other: Problems) -> None:
        """Note every problem of ``other`` too, in its place."""
        for where, _, stop, text in other._found:
            self._found.append((where, len(self._found), stop, text))

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    @property
    def items(self) -> list[str]:
        """Every problem, in order."""
        return [text for *_, text in sorted(self._found)]

    def raise_if_any(self) -> None:
        """Raise :class:`~archivist.errors.ImportFailed` listing them, if there are any."""
        if not self._found:
            return
        found = sorted(self._found)
        # The inputs that stopped first, then the earliest of the rest, shown in order.
        chosen = sorted([item for item in found if item[2]][:MAX_PROBLEMS])
        chosen += [item for item in found if not item[2]][:MAX_PROBLEMS - len(chosen)]
        shown = [text for *_, text in sorted(chosen)]
        if len(found) > len(shown):
            shown.append(f"… and {len(found) - len(shown)} more")
        raise ImportFailed(shown, total=len(found))
