"""What every exporter shares: its signature and the options that shape its output.

The format modules (:mod:`.csl`, :mod:`.bibtex`, :mod:`.ris`) and the registry in the
package's front both import from here, so neither imports the other to learn them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExportOptions:
    """Choices that shape the output of some exporters.

    :param table_format: a tabulate style for ``table`` (``simple``, ``github``…).
    :param headers: whether tabular formats print a header row.
    :param max_width: shorten table cells so rows fit this many cells (a terminal);
        ids are never shortened (see :mod:`.tables`).
    :param base_iri: for ``jsonld`` and ``turtle``, what record ids are appended to.
    """

    table_format: str = "simple"
    headers: bool = True
    max_width: int | None = None
    base_iri: str | None = None


#: An exporter: records (interchange form), the columns tabular formats show, options.
Exporter = Callable[[Sequence[dict[str, Any]], Sequence[str], ExportOptions], str]
