"""The archive as linked data: Dublin Core for what records describe, PROV-O for where
they came from, written as JSON-LD or Turtle (``export --format jsonld|turtle``).

The graph (docs/linked-data.md has the whole mapping):

* each record is a resource ``BASE + id``: a ``prov:Entity`` for a document, a
  ``prov:Agent`` (``foaf:Organization``, ``foaf:Person``) for an organisation or a
  person, a ``prov:Activity`` for an event, described in DCMI terms;
* each link is one statement in the term :data:`archivist.links.RELATIONS` maps its
  relation to (``created-by`` and ``published-by`` also as ``prov:wasAttributedTo``;
  a relation sharing its term with others also in an archivist term, defined in the
  output itself);
* a record's source file is a ``prov:Entity`` with its path, size and SPDX sha256
  checksum, the record's ``prov:hadPrimarySource``;
* each history entry is a ``prov:Activity``: when, by which user (a ``prov:Agent``),
  which command, and what it read (``prov:used``) and wrote (``prov:generated``); a
  fixity check is one too, with its outcome.

Records are written a batch at a time, then the history entries, so the text of the
whole graph is never in memory.  :mod:`.rdfsyntax` writes the nodes in either format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from archivist.errors import InvalidRecord
from archivist.exporters.rdfsyntax import (
    RDF_TYPE,
    SAFE_LOCAL,
    SHARED,
    Blank,
    Iri,
    Node,
    Object,
    Shared,
    Typed,
)

if TYPE_CHECKING:
    from archivist.store import Archive

#: The formats of this module, by ``--format`` name.
FORMATS = ("jsonld", "turtle")
#: The namespace of archivist's own terms (defined in every export, see :data:`TERMS`).
ARCHIVIST_TERMS = "urn:archivist:term:"
#: The namespaces every export declares, by prefix (``rec`` and ``hist`` come from the
#: base IRI).
NAMESPACES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
    "premis": "http://id.loc.gov/vocabulary/preservation/eventType/",
    "archivist": ARCHIVIST_TERMS,
}
#: The DCMI type of each kind of document (agents and ``other`` have none).
DCMI_TYPES: dict[str, str] = {
    **dict.fromkeys(("article", "web-page", "listing", "book", "chapter", "pamphlet",
                     "speech", "letter", "interview", "review"), "Text"),
    "film": "MovingImage", "video": "MovingImage", "image": "StillImage",
    "audio": "Sound", "dataset": "Dataset", "series": "Collection",
    "collection": "Collection", "event": "Event",
}
#: The classes of each kind that is not a document.
AGENT_CLASSES: dict[str, tuple[Iri, ...]] = {
    "organisation": (Iri("prov", "Agent"), Iri("foaf", "Organization")),
    "person": (Iri("prov", "Agent"), Iri("foaf", "Person")),
    "event": (Iri("prov", "Activity"),),
}
#: archivist's own terms, with the definition each export carries:
#: name → (label, comment, the standard term it refines or ``None``).
TERMS: dict[str, tuple[str, str, str | None]] = {
    "subtitle": ("subtitle", "The subtitle of a work, as given on it.", None),
    "command": ("command", "The archivist command line that made a change.", None),
    "action": ("action", "What a history entry did: add, set, tag, link, rm, verify…",
               None),
    "change": ("change", "The number of the change (one command) a history entry is part "
               "of; undo takes a whole change back.", None),
    "outcome": ("outcome", "The result of a fixity check: ok, changed, missing or "
                "unreadable.", None),
    "foundSha256": ("found SHA-256", "The SHA-256 a fixity check found, when it is not "
                    "the one recorded.", None),
    "sourceFirstLine": ("first line", "The first line of the source file that holds what "
                        "the record describes.", None),
    "sourceLastLine": ("last line", "The last line of the source file that holds what the "
                       "record describes.", None),
    "sourceOffset": ("offset", "Where what the record describes starts in the source "
                     "file, in bytes (a WARC file's record).", None),
    "sourceRetrieved": ("retrieved", "When the source file was retrieved (EDTF).", None),
    "translationOf": ("translation of", "The resource is a translation of the other "
                      "(archivist's translation-of).", "prov:wasDerivedFrom"),
    "splitFrom": ("split from", "The resource was split off the other (archivist's "
                  "split-from).", "prov:wasDerivedFrom"),
}
#: Relations whose standard term other relations share, also written in their own term.
OWN_TERMS = {"translation-of": "translationOf", "split-from": "splitFrom"}
#: Relations also written as ``prov:wasAttributedTo``.
ATTRIBUTIONS = frozenset({"created-by", "published-by"})
#: A URL written as an IRI (``foaf:page``); anything else is kept as text.
_WEB_URL = re.compile(r"(?:https?|ftp)://[^\x00-\x20<>\"{}|^`\\\x7f-\x9f\u2028\u2029\ufeff]+")
# A date to the year, month or day, with nothing uncertain or approximate about it.
_EXACT_DATE = re.compile(r"[0-9]{4}(-(?:0[1-9]|1[0-2])(-[0-3][0-9])?)?")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
                        r"(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_BASE_END = ("/", "#", ":")
#: Records turned into nodes at a time.
BATCH = 1000

_A = RDF_TYPE
_ENTITY = Iri("prov", "Entity")
_ACTIVITY = Iri("prov", "Activity")
_AGENT = Iri("prov", "Agent")
# The terms written for every record and entry, made once: a million of each would
# otherwise be made again.
_DC = {name: Iri("dcterms", name) for name in (
    "identifier", "title", "creator", "date", "publisher", "language", "abstract",
    "subject", "type", "source")}
_SUBTITLE = Iri("archivist", "subtitle")
_NAME, _FOAF_AGENT, _PAGE = Iri("foaf", "name"), Iri("foaf", "Agent"), Iri("foaf", "page")
_DATE_TYPES = {name: Iri("xsd", name) for name in ("gYear", "gYearMonth", "date")}
_DCMI = {kind: Iri("dcmitype", name) for kind, name in DCMI_TYPES.items()}
_NON_NEGATIVE = Iri("xsd", "nonNegativeInteger")
_DATE_TIME_TYPE = Iri("xsd", "dateTime")
_USED, _GENERATED = Iri("prov", "used"), Iri("prov", "generated")
_INVALIDATED = Iri("prov", "invalidated")
_STARTED, _ENDED = Iri("prov", "startedAtTime"), Iri("prov", "endedAtTime")
_ASSOCIATED = Iri("prov", "wasAssociatedWith")
_OWN = {name: Iri("archivist", name) for name in TERMS}
_FIXITY_CHECK = Iri("premis", "fix")
_PRIMARY_SOURCE = Iri("prov", "hadPrimarySource")


def _term(compact: str) -> Iri:
    prefix, _, local = compact.partition(":")
    return Iri(prefix, local)


def _relation_terms() -> dict[str, tuple[Iri, bool]]:
    """Each relation's term, and whether it is read backwards (``^``: the link's target
    is the statement's subject)."""
    from archivist.links import RELATIONS

    return {rel: (_term(term.removeprefix("^")), term.startswith("^"))
            for rel, (_, term) in RELATIONS.items()}


def default_base(archive_id: str) -> str:
    """The base IRI of an archive's records: ``urn:archivist:ID:``."""
    return f"urn:archivist:{archive_id}:"


def check_base(base: str) -> str:
    """Refuse a base IRI records cannot be named under.

    :raises InvalidRecord: unless it is an absolute IRI without spaces or characters
        IRIs cannot hold, ending with ``/``, ``#`` or ``:`` (the id is appended).
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*", base):
        raise InvalidRecord(f"base IRI {base!r} is not an absolute IRI (for example "
                            "https://example.org/archive/)")
    if not base.endswith(_BASE_END):
        raise InvalidRecord(f"base IRI {base!r} must end with /, # or : (each record's "
                            "id is appended to it)")
    return base


class Namer:
    """The IRIs of one export: records, history entries, users and files."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.prefixes = {**NAMESPACES, "rec": base, "hist": base + "_history/"}
        # Each id, time and user is met many times (links, history): named once.
        self._records: dict[str, Iri] = {}
        self._times: dict[str, Typed] = {}
        self._users: dict[str, Iri] = {}
        #: The term of each relation.
        self.relations = _relation_terms()
        #: What the entries of each change say alike (see :func:`entry_nodes`).
        self.changes: dict[tuple[Any, Any, Any, Any], Shared] = {}

    def record(self, record_id: str) -> Iri:
        """``rec:ID``; an id a damaged archive spells oddly is percent-encoded."""
        found = self._records.get(record_id)
        if found is None:
            found = Iri("rec", record_id) if SAFE_LOCAL.fullmatch(record_id) else Iri(
                None, self.base + quote(record_id, safe=""))
            self._records[record_id] = found
        return found

    def time(self, text: object) -> Typed | None:
        """A history entry's time as an ``xsd:dateTime`` (``None`` if it is not one)."""
        if not isinstance(text, str):
            return None
        found = self._times.get(text)
        if found is None and _DATE_TIME.fullmatch(text):
            found = self._times[text] = Typed(text, _DATE_TIME_TYPE)
        return found

    def entry(self, seq: object) -> Iri:
        """The history entry numbered ``seq``."""
        text = str(seq)
        return Iri("hist", text) if text.isdigit() else Iri(None, self.base + "_history/"
                                                             + quote(text, safe=""))

    def user(self, name: str) -> Iri:
        """The agent of a user name."""
        found = self._users.get(name)
        if found is None:
            found = self._users[name] = Iri(None, self.base + "_agent/" + quote(name, safe=""))
        return found

    def file(self, path: str) -> Iri:
        """The entity of a source file, named by its path as stored."""
        return Iri(None, self.base + "_file/" + quote(path, safe=""))


def vocabulary() -> list[Node]:
    """The definitions of archivist's own terms, part of every export."""
    nodes: list[Node] = []
    for name, (label, comment, refines) in TERMS.items():
        pairs: list[tuple[Iri, Object]] = [(_A, Iri("rdf", "Property")),
                                           (Iri("rdfs", "label"), label),
                                           (Iri("rdfs", "comment"), comment),
                                           (Iri("rdfs", "isDefinedBy"), Iri(None,
                                                                           ARCHIVIST_TERMS))]
        if refines is not None:
            pairs.append((Iri("rdfs", "subPropertyOf"), _term(refines)))
        nodes.append((Iri("archivist", name), pairs))
    return nodes


def date_values(date: str) -> list[Object]:
    """A record's date: the EDTF text, and an ``xsd`` form when it is exact."""
    exact = _EXACT_DATE.fullmatch(date)
    if exact is None:
        return [date]
    datatype = "date" if exact.group(2) else "gYearMonth" if exact.group(1) else "gYear"
    return [date, Typed(date, _DATE_TYPES[datatype])]


def _named(name: str) -> Blank:
    return Blank(((_A, _FOAF_AGENT), (_NAME, name)))


def _integer(value: int) -> Typed:
    return Typed(str(value), _NON_NEGATIVE)


def _described(doc: dict[str, Any], pairs: list[tuple[Iri, Object]]) -> None:
    """The Dublin Core statements of a record (text fields, kind, url)."""
    add = pairs.append
    add((_DC["identifier"], doc["id"]))
    kind = doc.get("kind", "other")
    for key, term in (("title", "title"), ("subtitle", None)):
        value = doc.get(key)
        if isinstance(value, str):
            add((_DC[term] if term else _SUBTITLE, value))
    for creator in doc.get("creators") or ():
        add((_DC["creator"], _named(creator)))
    date = doc.get("date")
    if isinstance(date, str):
        for value in date_values(date):
            add((_DC["date"], value))
    publisher = doc.get("publisher")
    if isinstance(publisher, str):
        add((_DC["publisher"], _named(publisher)))
    for key, term in (("language", "language"), ("summary", "abstract")):
        value = doc.get(key)
        if isinstance(value, str):
            add((_DC[term], value))
    for tag in doc.get("tags") or ():
        add((_DC["subject"], tag))
    add((_DC["type"], kind))
    if kind in DCMI_TYPES:
        add((_DC["type"], _DCMI[kind]))
    if kind in ("organisation", "person"):
        add((_NAME, doc["title"]))
    url = doc.get("url")
    if isinstance(url, str):
        add((Iri("foaf", "page"), Iri(None, url)) if _WEB_URL.fullmatch(url)
            else (_DC["source"], url))


def link_pairs(record: Iri, links: Iterable[dict[str, str]], namer: Namer
               ) -> tuple[list[tuple[Iri, Object]], list[Node]]:
    """The statements of a record's stored links, in their vocabulary terms: those about
    the record, and the nodes of the targets a term read backwards speaks of."""
    terms = namer.relations
    pairs: list[tuple[Iri, Object]] = []
    backwards: list[Node] = []
    for link in links:
        rel = link["rel"]
        target = namer.record(link["target"])
        known, backward = terms.get(rel, (None, False))
        if known is not None and backward:
            backwards.append((target, [(known, record)]))
            continue
        pairs.append((known or Iri(None, ARCHIVIST_TERMS + quote(rel, safe="")), target))
        if rel in OWN_TERMS:
            pairs.append((_OWN[OWN_TERMS[rel]], target))
        if rel in ATTRIBUTIONS:
            pairs.append((Iri("prov", "wasAttributedTo"), target))
    return pairs, backwards


def source_node(source: dict[str, Any], file: Iri) -> Node:
    """The source file: a ``prov:Entity`` with its path, size and checksum."""
    pairs: list[tuple[Iri, Object]] = [(_A, _ENTITY), (_A, Iri("spdx", "File")),
                                       (Iri("spdx", "fileName"), str(source["path"]))]
    size = source.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        pairs.append((Iri("dcat", "byteSize"), _integer(size)))
    sha = source.get("sha256")
    if isinstance(sha, str):
        pairs.append((Iri("spdx", "checksum"), Blank((
            (_A, Iri("spdx", "Checksum")),
            (Iri("spdx", "algorithm"), Iri("spdx", "checksumAlgorithm_sha256")),
            (Iri("spdx", "checksumValue"), Typed(sha, Iri("xsd", "hexBinary")))))))
    return file, pairs


def record_nodes(doc: dict[str, Any], links: list[dict[str, str]], namer: Namer,
                 files: dict[str, Iri]) -> list[Node]:
    """A record's node, and its source file's the first time that file is met.

    :param files: the file entity of each path met so far (added to).
    """
    kind = doc.get("kind", "other")
    pairs: list[tuple[Iri, Object]] = [(_A, t) for t in AGENT_CLASSES.get(kind, (_ENTITY,))]
    _described(doc, pairs)
    subject = namer.record(doc["id"])
    about_record, about_targets = link_pairs(subject, links, namer)
    pairs += about_record
    nodes: list[Node] = [(subject, pairs), *about_targets]
    source = doc.get("source")
    if isinstance(source, dict) and isinstance(source.get("path"), str):
        path = source["path"]
        file = files.get(path)
        if file is None:
            file = files[path] = namer.file(path)
            nodes.append(source_node(source, file))
        pairs.append((_PRIMARY_SOURCE, file))
        span = source.get("span")
        if isinstance(span, list) and len(span) == 2 and all(
                isinstance(n, int) and n >= 0 for n in span):
            pairs.append((_OWN["sourceFirstLine"], _integer(span[0])))
            pairs.append((_OWN["sourceLastLine"], _integer(span[1])))
        offset = source.get("offset")
        if isinstance(offset, int) and not isinstance(offset, bool) and offset >= 0:
            pairs.append((_OWN["sourceOffset"], _integer(offset)))
        if isinstance(source.get("retrieved"), str):
            pairs.append((_OWN["sourceRetrieved"], source["retrieved"]))
    return nodes


# -- history ------------------------------------------------------------------------


def _what_it_touched(entry: dict[str, Any], namer: Namer, files: dict[str, Iri],
                     sources: dict[str, str]) -> list[tuple[Iri, Object]]:
    """``prov:used`` and ``prov:generated`` (or ``prov:invalidated``) of an entry, and a
    fixity check's outcome."""
    action, record = entry.get("action"), entry.get("record")
    pairs: list[tuple[Iri, Object]] = []
    used, generated = _USED, _GENERATED
    if action in ("link", "unlink"):
        link = entry.get("after") or entry.get("before") or {}
        for end in ("src", "dst"):
            if isinstance(link, dict) and isinstance(link.get(end), str):
                pairs.append((used, namer.record(link[end])))
        return pairs
    if not isinstance(record, str):
        return pairs
    target = namer.record(record)
    if action == "verify":
        pairs.append((_DC["type"], _FIXITY_CHECK))
        path = sources.get(record.lower())
        pairs.append((used, files.get(path, target) if path else target))
        after = entry.get("after")
        if isinstance(after, dict) and isinstance(after.get("fixity"), str):
            pairs.append((_OWN["outcome"], after["fixity"]))
            if isinstance(after.get("sha256"), str):
                pairs.append((_OWN["foundSha256"], after["sha256"]))
    elif action == "add":
        pairs.append((generated, target))
    elif action == "rm":
        pairs += [(used, target), (_INVALIDATED, target)]
    else:
        pairs += [(used, target), (generated, target)]
    return pairs


def _change_pairs(key: tuple[Any, Any, Any, Any], namer: Namer, users: set[str],
                  nodes: list[Node]) -> Shared:
    """What every entry of one change says alike: its type, time, user, command and
    change number (the user's agent is added to ``nodes`` when first met)."""
    time_text, user, command, change = key
    pairs: list[tuple[Iri, Object]] = [(_A, _ACTIVITY)]
    time = namer.time(time_text)
    if time is not None:
        pairs += [(_STARTED, time), (_ENDED, time)]
    if isinstance(user, str):
        agent = namer.user(user)
        pairs.append((_ASSOCIATED, agent))
        if user not in users:
            users.add(user)
            nodes.append((agent, [(_A, _AGENT), (Iri("rdfs", "label"), user)]))
    if isinstance(command, str):
        pairs.append((_OWN["command"], command))
    if isinstance(change, int) and not isinstance(change, bool) and change >= 0:
        pairs.append((_OWN["change"], _integer(change)))
    return Shared(tuple(pairs))


def entry_nodes(seq: str, entry: dict[str, Any], namer: Namer, files: dict[str, Iri],
                sources: dict[str, str], users: set[str],
                stamp: tuple[Any, Any] = (None, None)) -> list[Node]:
    """A history entry as a ``prov:Activity``, and its user's agent when first met.

    :param seq: the entry's number.
    :param sources: the source path of each record exported, by lower id.
    :param users: the users met so far (added to).
    :param stamp: the user and command of the entry's change, for a brief entry.
    """
    get = entry.get
    key = (get("time"), get("user", stamp[0]), get("command", stamp[1]), get("change"))
    nodes: list[Node] = []
    # The entries of one change (an import: one per record) share most of what they
    # say; it is made once a change.
    shared = namer.changes.get(key)
    if shared is None:
        if len(namer.changes) > 10_000:
            namer.changes.clear()
        shared = namer.changes[key] = _change_pairs(key, namer, users, nodes)
    pairs: list[tuple[Iri, Object]] = [(SHARED, shared)]
    action = get("action")
    if isinstance(action, str):
        pairs.append((_OWN["action"], action))
    pairs += _what_it_touched(entry, namer, files, sources)
    nodes.insert(0, (namer.entry(seq), pairs))
    return nodes


def _entries_of(archive: Archive, docs: Sequence[dict[str, Any]], whole: bool
                ) -> Iterator[tuple[str, dict[str, Any], tuple[Any, Any]]]:
    """The history entries an export holds, oldest first: all of them for the whole
    archive, else those of the records exported and of their links.  Each comes with
    its number and the user and command of its change (a brief entry has neither)."""
    from archivist.history import mentions

    keys = {doc["id"].lower() for doc in docs}
    for number, entry, stamp in _stamped(archive.history_items()):
        if whole or str(entry.get("record") or "").lower() in keys or mentions(entry, keys):
            yield number, entry, stamp


def _stamped(items: Iterable[tuple[str, dict[str, Any]]]
             ) -> Iterator[tuple[str, dict[str, Any], tuple[Any, Any]]]:
    """Each entry with the user and command of its change, read one entry at a time
    (the whole history is never held: 300,000 entries at 100,000 records).

    A change's entries are stored together, and its brief entries (``verify``'s, one a
    record) come before the one that names the user: they wait for it, and only they.
    """
    nobody: tuple[Any, Any] = (None, None)
    change: Any = object()
    stamp: tuple[Any, Any] | None = None
    waiting: list[tuple[str, dict[str, Any]]] = []
    for number, entry in items:
        if entry.get("change") != change:
            yield from ((n, e, nobody) for n, e in waiting)
            waiting, change, stamp = [], entry.get("change"), None
        if stamp is None and "user" in entry:
            stamp = (entry["user"], entry.get("command"))
            yield from ((n, e, stamp) for n, e in waiting)
            waiting = []
        if stamp is None:
            waiting.append((number, entry))
        else:
            yield number, entry, stamp
    yield from ((n, e, nobody) for n, e in waiting)


def graph(archive: Archive, docs: Sequence[dict[str, Any]], namer: Namer, *,
          whole: bool) -> Iterator[list[Node]]:
    """Every node of the export, in batches: the vocabulary, the records (with their
    links and source files), then the history."""
    from archivist.listing import links_of

    yield vocabulary()
    links = links_of(archive, docs)
    files: dict[str, Iri] = {}
    sources: dict[str, str] = {}
    for start in range(0, len(docs), BATCH):
        batch: list[Node] = []
        for doc in docs[start:start + BATCH]:
            key = doc["id"].lower()
            batch += record_nodes(doc, links.get(key, []), namer, files)
            source = doc.get("source")
            if isinstance(source, dict) and isinstance(source.get("path"), str):
                sources[key] = source["path"]
        yield batch
    del links
    users: set[str] = set()
    batch = []
    for seq, entry, stamp in _entries_of(archive, docs, whole):
        batch += entry_nodes(seq, entry, namer, files, sources, users, stamp)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    yield batch


def export_linked_data(archive: Archive, query: Sequence[str] = (), *, fmt: str,
                       sort: str | None = None, limit: int | None = None,
                       base_iri: str | None = None) -> tuple[Iterator[str], int]:
    """Select records and write them, their links, sources and history as linked data.

    :returns: the text, made a batch at a time as it is read, and how many records it
        holds.

    :param fmt: ``jsonld`` or ``turtle``.
    :param base_iri: what record ids are appended to; by default
        :func:`default_base` of the archive's id.
    :raises InvalidRecord: for a bad base IRI, or none to be had (an archive without
        an id, and no ``base_iri``).
    :raises QuerySyntaxError: for a malformed query.
    """
    from archivist.exporters.rdfsyntax import jsonld, turtle
    from archivist.listing import select

    if base_iri is None:
        if archive.archive_id is None:
            raise InvalidRecord("this archive has no id yet to name its records by (it gets "
                                "one at its next change); give a base IRI")
        base_iri = default_base(archive.archive_id)
    namer = Namer(check_base(base_iri))
    docs = select(archive, query, sort=sort, limit=limit)
    whole = not any(word.strip() for word in query) and limit is None
    write = jsonld if fmt == "jsonld" else turtle
    return write(namer.prefixes, graph(archive, docs, namer, whole=whole)), len(docs)
