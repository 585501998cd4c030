"""What the readers of other formats share: located records and names.

Every reader of a format other than archivist's own (BibTeX, RIS, CSL-JSON, papis)
turns its input into :class:`Located` mappings in the interchange form, each
remembering where it and each of its keys stood, so that the import checks them as
it checks a YAML record and names every problem as ``file:line:column``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from archivist.models import ID_PATTERN
from archivist.names import split_name
from archivist.yamlio import MarkedDict, MarkedList

#: Called with ``(line, column)`` and what is wrong there.
Report = Callable[[tuple[int, int], str], None]


class Located(MarkedDict):
    """A record read from another format, in the interchange form, with positions.

    :attr span: the first and last line of its entry, for its provenance.
    :attr from_key: whether its ``id`` is the entry's citation key, which gives way to a
        generated id when the archive has that id for another record.
    """

    __slots__ = ("from_key", "span")
    span: tuple[int, int] | None
    from_key: bool


def pack(line: int, column: int) -> int:
    """A position packed as :class:`~archivist.yamlio.MarkedDict` keeps it."""
    return line << 32 | column


def located(values: Mapping[str, Any], where: tuple[int, int],
            places: Mapping[str, tuple[int, int]], *, span: tuple[int, int] | None = None,
            from_key: bool = False) -> Located:
    """A :class:`Located` record of ``values`` (``None`` values left out).

    :param where: where the entry starts.
    :param places: where each key's value stands (keys without one are at ``where``).
    """
    out = Located((key, value) for key, value in values.items() if value is not None)
    out.mark = where
    out.key_marks = {key: pack(*places.get(key, where)) for key in out}
    out.span, out.from_key = span, from_key
    return out


def marked(values: Mapping[str, Any], where: tuple[int, int],
           places: Mapping[str, tuple[int, int]]) -> MarkedDict:
    """A nested mapping (``fields``, a link) with the positions of its keys."""
    out = MarkedDict(values)
    out.mark = where
    out.key_marks = {key: pack(*places.get(key, where)) for key in out}
    return out


def marked_list(items: Iterable[Any], where: tuple[int, int]) -> MarkedList:
    """A list (``links``) whose items all stand at ``where``."""
    out = MarkedList(items)
    out.mark = where
    out.item_marks = [pack(*where)] * len(out)
    return out


def usable_key(key: str) -> str | None:
    """A citation key as a record id, when it is a valid one."""
    return key if ID_PATTERN.match(key) else None


def person(family: str, given: str = "", particle: str = "", suffix: str = "") -> str:
    """A structured name in the form archivist stores names in.

    ``Given particle Family Suffix`` (``Ludwig van Beethoven``), as people write
    names and as the sample archive holds them, when the name rule of the exports
    (:func:`archivist.names.split_name`) splits it back into the same parts; else
    ``particle Family, Given`` (``Mao, Zedong``), which that rule always splits by its
    comma; a family name alone is kept as written.
    """
    family, given = " ".join(family.split()), " ".join(given.split())
    particle, suffix = " ".join(particle.split()), " ".join(suffix.split())
    if not given and not particle and not suffix:
        return family
    if not particle:
        # "van Gogh" as a family name: its leading lower-case words are its particle,
        # as BibTeX reads them.
        words = family.split()
        lead = 0
        while lead < len(words) - 1 and words[lead][:1].islower():
            lead += 1
        particle, family = " ".join(words[:lead]), " ".join(words[lead:])
    natural = " ".join(p for p in (given, particle, family, suffix) if p)
    name = split_name(natural)
    if (name.family == family and (name.given or "") == given
            and (name.particle or "") == particle and (name.suffix or "") == suffix):
        return natural
    last = f"{particle} {family}" if particle else family
    inverted = ", ".join(p for p in (last, suffix, given) if p)
    name = split_name(inverted)
    if name.family is not None:
        return inverted
    return natural
