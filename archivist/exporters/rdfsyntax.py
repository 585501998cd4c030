"""RDF written as Turtle and as JSON-LD, from one description of each node.

:mod:`.linkeddata` says what the graph holds as :data:`Node` values (a subject and its
``(predicate, object)`` pairs); the two writers here turn the same nodes into text, so
both formats hold the same graph by construction.  Both are written here rather than
by rdflib: rdflib builds the whole graph in memory before it writes a byte, and takes
about 45 seconds a million triples (an archive of 100,000 records holds several
million), while these writers make the text a node at a time.  rdflib reads both
formats back in the tests.

Text goes out exactly: in Turtle, ``\\``, ``"``, line breaks and every control
character are escaped (``\\n``, ``\\u0007``); in JSON-LD orjson escapes what JSON
must.  IRIs are made safe where they are made (:func:`iri_text`), never here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple


class Iri(NamedTuple):
    """An IRI: ``prefix:local`` with a prefix of :data:`Prefixes`, or a whole IRI
    (``prefix`` ``None``).  ``local`` is always a valid Turtle local name then."""

    prefix: str | None
    local: str


class Typed(NamedTuple):
    """A literal with a datatype (``"1917"^^xsd:gYear``)."""

    text: str
    datatype: Iri


class Blank(NamedTuple):
    """A node without a name, given where it is used (``[ … ]``)."""

    pairs: tuple[tuple[Iri, Object], ...]


class Shared(NamedTuple):
    """Statements many subjects make alike (every entry of one change), given once
    under the predicate :data:`SHARED` and written as if each were given there."""

    pairs: tuple[tuple[Iri, Object], ...]


#: What a predicate points at: plain text (a string literal), an IRI, a typed literal
#: or a blank node; or, under :data:`SHARED`, statements made alike.
Object = str | Iri | Typed | Blank | Shared
#: A subject and everything said about it, in order.
Node = tuple[Iri, list[tuple[Iri, Object]]]
#: Prefix → namespace IRI.
Prefixes = Mapping[str, str]

RDF_TYPE = Iri("rdf", "type")
#: The "predicate" of a :class:`Shared` object: its statements stand in its place.
SHARED = Iri(None, "")

# What a Turtle string cannot hold raw, and what reads badly raw (controls, DEL, C1,
# line and paragraph separators, the byte-order mark).
_TURTLE_UNSAFE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]')
_TURTLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                   "\b": "\\b", "\f": "\\f"}
# A local name Turtle and JSON-LD both read as written: no escapes, no trailing dot.
SAFE_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?")
# Characters an IRI cannot hold raw (IRIREF), which :func:`iri_text` percent-encodes.
_IRI_UNSAFE = re.compile('[\x00-\x20<>"{}|^`\\\\\x7f-\x9f\u2028\u2029\ufeff%]')


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _TURTLE_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def turtle_string(text: str) -> str:
    """``text`` as a Turtle string literal, every character kept."""
    if _TURTLE_UNSAFE.search(text) is None:
        return f'"{text}"'
    return '"' + _TURTLE_UNSAFE.sub(_escape_char, text) + '"'


def iri_text(text: str) -> str:
    """``text`` made safe to put in an IRI: space, ``<``, ``>``, quotes, braces, ``%``,
    controls and the like percent-encoded as UTF-8, everything else (letters of any
    script included) kept."""
    if _IRI_UNSAFE.search(text) is None:
        return text
    return _IRI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), text)


# -- Turtle -------------------------------------------------------------------------


def turtle_header(prefixes: Prefixes) -> str:
    """The ``@prefix`` lines, then a blank line."""
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items()) + "\n"


def _turtle_iri(iri: Iri) -> str:
    if iri.prefix is None:
        return f"<{iri.local}>"
    return f"{iri.prefix}:{iri.local}"


def _turtle_object(value: Object, indent: str) -> str:
    if type(value) is str:
        return turtle_string(value)
    if type(value) is Iri:
        return f"<{value.local}>" if value.prefix is None else f"{value.prefix}:{value.local}"
    if type(value) is Typed:
        return f"{turtle_string(value.text)}^^{_turtle_iri(value.datatype)}"
    assert type(value) is Blank
    inner = indent + "    "
    body = f" ;\n{inner}".join(f"{_turtle_predicate(p)} {_turtle_object(o, inner)}"
                               for p, o in value.pairs)
    return f"[\n{inner}{body}\n{indent}]"


def _turtle_predicate(iri: Iri) -> str:
    return "a" if iri == RDF_TYPE else _turtle_iri(iri)


def _turtle_term(iri: Iri, cache: dict[Any, str]) -> str:
    text = cache[iri] = "a" if iri == RDF_TYPE else _turtle_iri(iri)
    return text


def _shared_text(value: Object, cache: dict[Any, str]) -> str:
    assert isinstance(value, Shared)
    text = cache[value] = turtle_node((RDF_TYPE, list(value.pairs)), cache).split(
        "\n    ", 1)[1][:-4]
    return text


def _cached_object(value: Iri | Typed | Blank | Shared, cache: dict[Any, str]) -> str:
    text = cache[value] = _turtle_object(value, "    ")
    return text


def turtle_node(node: Node, cache: dict[Any, str] | None = None) -> str:
    """One subject and its statements, ending with `` .`` and a blank line.

    A predicate given several times in a row is written once, its objects separated
    by commas.

    :param cache: the text of predicates and of objects other than plain text written
        already (added to): the same terms, times and names come again and again.
    """
    if cache is None:
        cache = {}
    subject, pairs = node
    lines: list[str] = []
    last: Iri | None = None
    unsafe = _TURTLE_UNSAFE.search
    for predicate, value in pairs:
        if isinstance(value, str):
            text = f'"{value}"' if unsafe(value) is None else turtle_string(value)
        elif predicate is SHARED:
            # Written once a batch however many subjects share it.
            lines.append(cache.get(value) or _shared_text(value, cache))
            last = None
            continue
        else:
            # IRIs, typed literals and blank nodes (a creator, a publisher) recur.
            text = cache.get(value) or _cached_object(value, cache)
        # Predicates are the same objects each time (a term equal but not the same is
        # only written again, which says the same).
        if predicate is last:
            lines[-1] += ", " + text
        else:
            lines.append((cache.get(predicate) or _turtle_term(predicate, cache)) + " " + text)
            last = predicate
    return _turtle_iri(subject) + "\n    " + " ;\n    ".join(lines) + " .\n\n"


def turtle(prefixes: Prefixes, nodes: Iterable[Iterable[Node]]) -> Iterator[str]:
    """The whole Turtle document, a batch of nodes at a time."""
    yield turtle_header(prefixes)
    cache: dict[Any, str] = {}
    for batch in nodes:
        yield "".join([turtle_node(node, cache) for node in batch])
        if len(cache) > 100_000:
            cache.clear()  # memory stays flat however many records there are


# -- JSON-LD ------------------------------------------------------------------------


def _compact(iri: Iri) -> str:
    return iri.local if iri.prefix is None else f"{iri.prefix}:{iri.local}"


def _jsonld_object(value: Object) -> object:
    if type(value) is str:
        return value
    if type(value) is Iri:
        return {"@id": _compact(value)}
    if type(value) is Typed:
        return {"@value": value.text, "@type": _compact(value.datatype)}
    assert type(value) is Blank
    return _jsonld_properties({}, value.pairs)


def _jsonld_properties(out: dict[str, object], pairs: Iterable[tuple[Iri, Object]]
                       ) -> dict[str, object]:
    types: list[str] = []
    _jsonld_add(out, pairs, types)
    if types:
        out["@type"] = types[0] if len(types) == 1 else types
    return out


def _jsonld_add(out: dict[str, object], pairs: Iterable[tuple[Iri, Object]],
                types: list[str]) -> None:
    for predicate, value in pairs:
        if predicate is SHARED and isinstance(value, Shared):
            _jsonld_add(out, value.pairs, types)
            continue
        if predicate == RDF_TYPE and type(value) is Iri:
            types.append(_compact(value))
            continue
        key = _compact(predicate)
        found = out.get(key)
        item = _jsonld_object(value)
        if found is None:
            out[key] = item
        elif isinstance(found, list):
            found.append(item)
        else:
            out[key] = [found, item]


def jsonld_node(node: Node) -> dict[str, object]:
    """One subject and its statements as a JSON-LD node object (compact IRIs)."""
    subject, pairs = node
    return _jsonld_properties({"@id": _compact(subject)}, pairs)


def jsonld(prefixes: Prefixes, nodes: Iterable[Iterable[Node]]) -> Iterator[str]:
    """The whole JSON-LD document, its ``@context`` embedded, a batch at a time:
    ``{"@context": {prefixes}, "@graph": [node, …]}``."""
    import orjson

    context = orjson.dumps({"@context": dict(prefixes)}, option=orjson.OPT_INDENT_2).decode()
    # The context's closing brace is left off: the graph follows in the same object.
    yield context[:-2] + ',\n  "@graph": ['
    first = True
    for batch in nodes:
        parts = [orjson.dumps(jsonld_node(node)).decode() for node in batch]
        if parts:
            yield ("\n    " if first else ",\n    ") + ",\n    ".join(parts)
            first = False
    yield "\n  ]\n}\n"
