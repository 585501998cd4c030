"""The pages of a published site, made from a :class:`~.catalogue.Catalogue` by Jinja2.

Jinja2 escapes every value (autoescape) and no template marks record data as safe.
Before escaping, every value passes :func:`visible`, which shows control characters
and bidirectional overrides as escapes instead of letting them reorder the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archivist.publish.catalogue import FACETS, Catalogue, LinkEntry, is_agent
from archivist.publish.paging import paginate

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"
#: Files copied into the site as they are.
STATIC_FILES = ("style.css", "fold.js", "search.js")
# C0 and C1 controls but tab and newline, the marks that reorder text, and the
# noncharacters, which HTML5 forbids: U+FDD0-U+FDEF and the last two code points of
# each plane.  Past the first plane the class takes everything from U+1FFFE on, and
# _escape keeps what is not a noncharacter: a class of the 32 scattered code points
# makes every search six times slower, and this runs on every value of every page.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                        r"\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")
# Only these become links: javascript:, data: and the rest stay text.
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


@dataclass
class PageOptions:
    """What the pages add to the catalogue itself."""

    #: The lang attribute of the pages (their own words are English).
    site_lang: str = "en"
    #: When the site was made, shown in the footer.
    published: str | None = None
    #: Ids (lower case) of the records whose link graph was drawn into ``graphs/``.
    graphs: set[str] = field(default_factory=set)
    #: The site path of each record's copied source file, by lower id.
    sources: dict[str, str] = field(default_factory=dict)


def visible(value: Any) -> Any:
    """A value as shown: control characters, bidi overrides and noncharacters as
    ``\\u202e`` text (``\\U0010fffe`` past the first plane)."""
    from markupsafe import Markup

    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup) and _INVISIBLE.search(value):
        return _INVISIBLE.sub(_escape, value)
    return value


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}" if code & 0xFFFE == 0xFFFE else match.group()


def is_web_url(url: object) -> bool:
    """Whether a record's URL may become a link: ``http:`` or ``https:`` only."""
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


def language_attribute(language: object) -> str | None:
    """A record's language as a ``lang`` attribute, when it reads as a language tag."""
    if isinstance(language, str) and _LANGUAGE_TAG.fullmatch(language.strip()):
        return language.strip()
    return None


def how_text(how: object) -> str | None:
    """How a record came in, in words (``import of FILE (sha256 …)``, or the command)."""
    if isinstance(how, str):
        return how
    if not isinstance(how, Mapping):
        return None
    if how.get("file"):
        digest = f" (sha256 {str(how['sha256'])[:12]}…)" if how.get("sha256") else ""
        return f"import of {how['file']}{digest}"
    command = how.get("command")
    return str(command) if command else None


def environment() -> jinja2.Environment:
    """The templates of the package, escaping everything."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              finalize=visible, trim_blocks=True, lstrip_blocks=True)


def _grouped_links(catalogue: Catalogue, record_id: str) -> list[tuple[str, list[LinkEntry]]]:
    """A record's links by relation, named in words (``has part``), ids as the records
    spell them (so each link names a page that exists)."""
    groups: dict[str, list[LinkEntry]] = {}
    for link in catalogue.links.get(record_id.lower(), []):
        other = catalogue.by_id.get(link.other.lower())
        if other is not None:
            link = LinkEntry(link.rel, other["id"], link.title, True)
        groups.setdefault(link.rel.replace("-", " "), []).append(link)
    return list(groups.items())


class Pages:
    """Renders each page of a catalogue into a folder."""

    def __init__(self, catalogue: Catalogue, folder: Path, options: PageOptions) -> None:
        self.catalogue = catalogue
        self.folder = folder
        self.options = options
        self.env = environment()

    def _write(self, relative: str, template: str, root: str, **values: Any) -> None:
        text = self.env.get_template(template).render(
            catalogue=self.catalogue, facets=FACETS, root=root,
            site_lang=self.options.site_lang, published=self.options.published, **values)
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def front(self) -> None:
        """``index.html``: counts by kind, the latest additions, the search box."""
        kinds = sorted(self.catalogue.facets["kinds"].values(), key=lambda v: v.label)
        self._write("index.html", "index.html", "", kinds=kinds,
                    recent=self.catalogue.recent())

    def facets(self) -> None:
        """A list page per facet and a page per value, each a sorted list of records,
        both split into pages of :data:`~.paging.PAGE_SIZE`."""
        by_id = self.catalogue.by_id
        for folder, singular, heading in FACETS:
            values = sorted(self.catalogue.facets[folder].values(),
                            key=lambda v: (v.label.casefold(), v.label))
            self._write_pages(folder, "index", "facets.html", values, heading=heading,
                              label=heading)
            for value in values:
                docs = sorted((by_id[i.lower()] for i in value.record_ids), key=_title_key)
                self._write_pages(folder, value.slug, "facet.html", docs, heading=heading,
                                  singular=singular, value=value, label=value.label)

    def _write_pages(self, folder: str, stem: str, template: str, items: Sequence[Any],
                     **values: Any) -> None:
        """The list ``items`` as ``folder/STEM.html`` and, past one page, its sequels."""
        for page in paginate(stem, items):
            self._write(f"{folder}/{page.file}", template, "../", page=page, **values)

    def record(self, doc: Mapping[str, Any]) -> None:
        """``records/ID.html``: every field, the links both ways, provenance, history."""
        key = doc["id"].lower()
        info = doc.get("archive", {})
        self._write(f"records/{doc['id']}.html", "record.html", "../", doc=doc,
                    values=self.catalogue.facet_slugs(doc),
                    lang=language_attribute(doc.get("language")),
                    url_is_link=is_web_url(doc.get("url")),
                    links=_grouped_links(self.catalogue, doc["id"]), agent=is_agent(doc),
                    graph=key in self.options.graphs, source=doc.get("source"),
                    source_href=self.options.sources.get(key), fixity=info.get("fixity"),
                    info=info, how=how_text(info.get("added_how")),
                    history=self.catalogue.history.get(key, []))

    def write_all(self, progress: Callable[[int], None] | None = None) -> None:
        """Write every page, telling ``progress`` of each record page written."""
        self.front()
        self.facets()
        for doc in self.catalogue.records:
            self.record(doc)
            if progress is not None:
                progress(1)


def _title_key(doc: Mapping[str, Any]) -> tuple[str, str]:
    title = str(doc.get("title") or doc["id"])
    return title.casefold(), doc["id"].lower()


def copy_static(folder: Path) -> None:
    """The stylesheet and the scripts, copied as they are."""
    for name in STATIC_FILES:
        (folder / name).write_bytes((TEMPLATES / name).read_bytes())
