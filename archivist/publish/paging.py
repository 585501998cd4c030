"""Long lists of a published site split into pages of a bounded size.

A tag held by ten thousand records would otherwise make one page of ten thousand
links, slow to open on a phone and to print.  :func:`paginate` cuts any list into
:class:`Page` slices of at most :data:`PAGE_SIZE` items.  The first page keeps the
list's own file name (``tags/film-1a2b3c4d.html``), so links into the site survive a
republish however the list grows; the later ones are ``STEM.page-N.html``.  Facet
slugs and kinds never hold a dot, so these names cannot meet another value's page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

#: The most items one page lists.
PAGE_SIZE = 100

Item = TypeVar("Item")


def page_file(stem: str, number: int) -> str:
    """The file name of page ``number`` (from 1) of the list ``stem``."""
    return f"{stem}.html" if number == 1 else f"{stem}.page-{number}.html"


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list: its items, where it stands, and its neighbours' files."""

    stem: str
    number: int
    count: int
    items: Sequence[Item]
    #: The position (from 1) of the first item in the whole list.
    first: int
    #: How many items the whole list holds.
    total: int

    @property
    def file(self) -> str:
        return page_file(self.stem, self.number)

    @property
    def last(self) -> int:
        """The position (from 1) of the last item in the whole list."""
        return self.first + len(self.items) - 1

    @property
    def first_page(self) -> str:
        return page_file(self.stem, 1)

    @property
    def last_page(self) -> str:
        return page_file(self.stem, self.count)

    @property
    def previous(self) -> str | None:
        return page_file(self.stem, self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return page_file(self.stem, self.number + 1) if self.number < self.count else None


def paginate(stem: str, items: Sequence[Item], size: int = PAGE_SIZE
             ) -> Iterator[Page[Item]]:
    """The pages of ``items``, ``size`` to a page; an empty list still has one page."""
    if size < 1:
        raise ValueError("a page holds at least one item")
    count = max(1, -(-len(items) // size))
    for number in range(1, count + 1):
        start = (number - 1) * size
        yield Page(stem, number, count, items[start:start + size], start + 1, len(items))
