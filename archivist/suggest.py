"""The closest known name to a misspelt one, for "did you mean …?" in messages."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, names: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The name of ``names`` most like ``word`` (:mod:`difflib`'s similarity, case
    ignored: ``KICKER`` finds ``kicker``), or ``None`` when none is at least
    ``cutoff`` alike."""
    import difflib

    spelt: dict[str, str] = {}
    for name in names:
        spelt.setdefault(name.casefold(), name)
    found = difflib.get_close_matches(word.casefold(), spelt, n=1, cutoff=cutoff)
    return spelt[found[0]] if found else None


def did_you_mean(word: str, names: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the closest name to ``word``, or ``""``."""
    found = closest(word, names, cutoff=cutoff)
    return "" if found is None else f"; did you mean {found!r}?"
