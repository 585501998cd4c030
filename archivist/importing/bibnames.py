"""BibTeX's name lists, split by BibTeX's own rules.

A list is split at the word ``and`` outside braces.  Each name is ``First von Last``,
``von Last, First`` or ``von Last, Jr, First``; the *von* part is the run of words that
begin in lower case.  A name in braces (``{Council on Clinical Cardiology}``) is one
collective creator, kept whole, and a list ending in ``and others`` says there are
more creators than it names.
"""

from __future__ import annotations

import re

from archivist.importing.latex import decode
from archivist.importing.located import person

_AND = re.compile(r"\s+and\s+", re.I)
_SPACES = re.compile(r"[\s~]+")


class NameError_(Exception):
    """A name BibTeX cannot read (more than two commas)."""


def _words(text: str) -> list[str]:
    """The words of ``text`` outside braces; a comma is a word of its own."""
    if "{" not in text:
        return [w for w in re.split(r"[\s~]+|(,)", text) if w]
    words: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        if depth == 0 and (char.isspace() or char in "~,"):
            if current:
                words.append("".join(current))
                current = []
            if char == ",":
                words.append(",")
            continue
        current.append(char)
    if current:
        words.append("".join(current))
    return words


def split_list(text: str) -> list[str]:
    """The names of a BibTeX name list, split at ``and`` outside braces."""
    if "{" not in text:
        return [n for n in _AND.split(text.strip()) if n]
    names: list[list[str]] = [[]]
    depth = 0
    for piece in re.split(r"(\s+and\s+|[{}])", text.strip(), flags=re.I):
        if piece == "{":
            depth += 1
        elif piece == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and piece.strip().lower() == "and" and piece != piece.strip():
            names.append([])
            continue
        names[-1].append(piece)
    return ["".join(n) for n in names if "".join(n).strip()]


def _lower(word: str) -> bool:
    """Whether a word begins in lower case, as BibTeX decides it."""
    depth = 0
    for i, char in enumerate(word):
        if char == "{":
            depth += 1
            if depth == 1 and word[i + 1:i + 2] == "\\":
                # A special character: its letters decide ({\"o}, {\aa}).
                letters = decode(word[i:]).lstrip("{")
                return bool(letters) and letters[0].islower()
            continue
        if char == "}":
            depth -= 1
            continue
        if depth == 0 and char.isalpha():
            return char.islower()
    return False  # caseless: a braced word, or no letters


def _text(words: list[str]) -> str:
    return " ".join(_SPACES.sub(" ", decode(w, ties=" ")).strip() for w in words).strip()


def parse_name(text: str) -> str:
    """One BibTeX name as archivist stores it (see :func:`located.person`).

    :raises NameError_: for a name with more than two commas.
    """
    words = _words(text)
    if len(words) == 1 and words[0].startswith("{") and words[0].endswith("}") \
            and _balanced_whole(words[0]):
        return _text([words[0][1:-1]])  # a collective name, kept whole
    parts: list[list[str]] = [[]]
    for word in words:
        if word == ",":
            parts.append([])
        else:
            parts[-1].append(word)
    if len(parts) > 3:
        raise NameError_(f"the name {text.strip()!r} has more than two commas")
    if len(parts) == 1:
        first, von, last, junior = _first_von_last(parts[0])
    else:
        von, last = _von_last(parts[0])
        junior = parts[1] if len(parts) == 3 else []
        first = parts[-1]
    return person(_text(last), _text(first), _text(von), _text(junior))


def _balanced_whole(word: str) -> bool:
    """Whether the braces opening ``word`` close only at its end."""
    depth = 0
    for i, char in enumerate(word):
        depth += (char == "{") - (char == "}")
        if depth == 0 and i < len(word) - 1:
            return False
    return True


def _first_von_last(words: list[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    if not words:
        return [], [], [], []
    lower = [i for i in range(len(words) - 1) if _lower(words[i])]
    if not lower:
        return words[:-1], [], words[-1:], []
    start, end = lower[0], lower[-1]
    return words[:start], words[start:end + 1], words[end + 1:], []


def _von_last(words: list[str]) -> tuple[list[str], list[str]]:
    lower = [i for i in range(len(words) - 1) if _lower(words[i])]
    if not lower:
        return [], words
    end = lower[-1]
    return words[:end + 1], words[end + 1:]


def is_others(name: str) -> bool:
    """Whether a name of the list is BibTeX's ``others`` (more names not given)."""
    return name.strip().lower() == "others"
