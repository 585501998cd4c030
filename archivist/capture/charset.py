"""A page's bytes as the text it was written in: the charset the page states, then
the one the server sent, then detection.

The order is the one archivists need: a saved page carries only its own declaration,
and servers often send a default charset (Apache's ``ISO-8859-1``) for pages that say
otherwise in their ``<meta>``.  A stated charset that does not decode the bytes is
passed over for the next, so a wrong declaration never yields mojibake silently.
As browsers do, ``ISO-8859-1`` and ASCII labels are read as windows-1252 (its
typographic quotes at 0x80-0x9F), and the label is recorded as the page states it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# How far the <meta> declaration is looked for (HTML says 1024 bytes; real pages put
# it after long <script> or comment blocks, so the head is searched further).
_PRESCAN = 64 * 1024
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)"""
    rb"""|^\s*<\?xml[^>]+?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Labels browsers read as windows-1252 (the WHATWG Encoding standard).
_AS_WINDOWS_1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1",
                              "us-ascii", "ascii", "iso_8859-1", "cp819", "ibm819"})


@dataclass(frozen=True)
class Decoded:
    """The page's text, the charset it was read in, and what said so.

    :param how: ``BOM``, ``meta charset``, ``Content-Type`` or ``detected``.
    """

    text: str
    charset: str
    how: str


def charset_of_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def stated_in_page(body: bytes) -> str | None:
    """The charset a ``<meta charset>`` or ``<meta http-equiv>`` declaration (or an
    XHTML page's ``<?xml encoding?>``) names."""
    match = _META_CHARSET.search(body[:_PRESCAN])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def _decode_as(body: bytes, label: str) -> str | None:
    """``body`` decoded strictly in the charset ``label`` names, or ``None``."""
    name = label.strip().lower()
    codec = "windows-1252" if name in _AS_WINDOWS_1252 else name
    try:
        codecs.lookup(codec)
        return body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        if codec == "windows-1252" and name != codec:
            # A byte windows-1252 leaves undefined: ISO-8859-1 proper reads it.
            return body.decode("latin-1")
        return None


def decode_page(body: bytes, content_type: str | None = None) -> Decoded:
    """The text of a page, in the first charset that is stated and decodes it."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(codec), codec.removesuffix("-sig"), "BOM")
    for label, how in ((stated_in_page(body), "meta charset"),
                       (charset_of_content_type(content_type), "Content-Type")):
        if label is not None:
            text = _decode_as(body, label)
            if text is not None:
                return Decoded(text, label.lower(), how)
    try:
        return Decoded(body.decode("utf-8"), "utf-8", "detected")
    except UnicodeDecodeError:
        return Decoded(body.decode("windows-1252", errors="replace"), "windows-1252",
                       "detected")
