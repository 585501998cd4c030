"""Recognising inputs that are not archivist records, to say what they look like.

An import reads the interchange form (DESIGN.md "The record"), where any key the
schema does not name lands in ``fields``.  Without a look at what came in, a CSL-JSON
export would import as records of kind ``other`` with every key in ``fields``, and a
BibTeX file would fail with a YAML syntax error about ``@``.  These checks name the
format instead, so that the import is refused with a message that helps:

* :func:`format_of` names the format of a file from its name (or ``--format``);
* :func:`text_lookalike` reads the start of an input (BibTeX, RIS);
* :func:`mapping_lookalike` reads one mapping about to be taken as a record (a
  CSL-JSON item, or a mapping none of whose keys a record has).

They only recognise; nothing is converted (the readers of each format do that:
:mod:`archivist.importing.bibtex`, ``ris``, ``csljson``, ``papis``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from archivist.importing.problems import format_advice
from archivist.models import INTERCHANGE_KEYS

#: What ``--format`` accepts.
FORMATS = ("yaml", "json", "bibtex", "ris", "csl-json", "papis")
#: The format of each file name ending (compared case-insensitively); a ``.json`` file
#: of CSL-JSON items is found to be one by its first item.
SUFFIX_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".bib": "bibtex",
                  ".ris": "ris"}

#: How much of an input :func:`text_lookalike` reads.
HEAD = 4096
# BibTeX: an entry such as "@article{key," after blank lines and % comments.
_BIBTEX = re.compile(rb"\A(?:\s|%[^\n]*\n)*@\s*[A-Za-z]+\s*[{(]")
# RIS: "TY  - JOUR" opens every reference.
_RIS = re.compile(rb"\A\s*TY  - ")
# The keys of an item that CSL-JSON has and a record does not.
_CSL_TYPE = "type"
_CSL_ANY = ("issued", "author", "container-title", "editor")
#: Keys a record may have: those of the interchange form and its ``archive`` section.
RECORD_KEYS = frozenset((*INTERCHANGE_KEYS, "archive"))


def text_lookalike(head: bytes) -> str | None:
    """What the start of an input looks like, when it is a format archivist cannot import.

    :param head: the first bytes of the input (a UTF-8 byte order mark is allowed).
    :returns: the message to refuse it with, or ``None`` when it may be records.
    """
    head = head[:HEAD].removeprefix(b"\xef\xbb\xbf")
    if _BIBTEX.match(head):
        return ("looks like BibTeX (entries such as @article{…}): name the file .bib or "
                f"{format_advice('bibtex')}")
    if _RIS.match(head):
        return ("looks like RIS (references opened by TY  - …): name the file .ris or "
                f"{format_advice('ris')}")
    return None


def format_of(path: str, forced: str | None = None) -> str | None:
    """The format to read ``path`` in: ``forced``, else its name's ending (``None`` when
    archivist reads no file so named)."""
    if forced is not None:
        return forced
    lower = path.lower()
    return next((fmt for suffix, fmt in SUFFIX_FORMATS.items() if lower.endswith(suffix)),
                None)


def mapping_lookalike(data: Mapping[str, Any]) -> str | None:
    """What a mapping read as a record looks like, when it is not one.

    :returns: the message to refuse it with, or ``None`` when it may be a record.
    """
    if _CSL_TYPE in data and "kind" not in data and any(key in data for key in _CSL_ANY):
        return ("looks like CSL-JSON (items with `type` and `issued`/`author`): name the "
                f"file .json or {format_advice('csl-json')}")
    if data and not any(key in RECORD_KEYS for key in data):
        keys = ", ".join(list(data)[:5]) + (", …" if len(data) > 5 else "")
        holding = next((key for key, value in data.items() if isinstance(value, list)
                        and value and all(isinstance(item, Mapping) for item in value)),
                       None)
        hint = (f"; if its records are the list under {holding!r}, import that list"
                if holding is not None else "")
        return (f"looks like a mapping that is not a record: none of its keys ({keys}) "
                f"is a record's (id, title, kind, creators, …){hint}")
    return None
