"""JSON as archivist prints and exports it: indented, UTF-8, strict, ending in a newline.

The archive's own bytes are written by the storage engine; this is the text people and
programs read from stdout or an export (``show --format json``, a bag's
``records.json``), kept apart so that output does not depend on how storage writes.
"""

from __future__ import annotations

from typing import Any

import orjson

from archivist.errors import ArchivistError


def json_bytes(value: Any) -> bytes:
    """``value`` as indented (two spaces), UTF-8, strict JSON ending in a newline.

    :raises ArchivistError: when ``value`` holds what JSON cannot carry (a lone
        surrogate, say, from a command-line argument that is not valid UTF-8).
    """
    try:
        # orjson appends the newline itself: adding it here would copy all the text.
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError as err:
        raise ArchivistError(f"cannot write this as JSON ({err})") from None


def json_text(value: Any) -> str:
    """:func:`json_bytes` as text."""
    return json_bytes(value).decode()
