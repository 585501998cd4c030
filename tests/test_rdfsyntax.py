"""The Turtle and JSON-LD writers: escaping, IRIs, and one node in each syntax."""

from __future__ import annotations

import json

import pytest

from archivist.exporters.rdfsyntax import (
    RDF_TYPE,
    SHARED,
    Blank,
    Iri,
    Shared,
    Typed,
    iri_text,
    jsonld,
    jsonld_node,
    turtle,
    turtle_node,
    turtle_string,
)

TITLE = Iri("dcterms", "title")
PREFIXES = {"dcterms": "http://purl.org/dc/terms/", "xsd": "http://www.w3.org/2001/XMLSchema#",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rec": "urn:t:",
            "prov": "http://www.w3.org/ns/prov#"}


@pytest.mark.parametrize(("text", "written"), [
    ("plain", '"plain"'), ('say "hi"', '"say \\"hi\\""'), ("a\\b", '"a\\\\b"'),
    ("one\ntwo\r\n", '"one\\ntwo\\r\\n"'), ("tab\t", '"tab\\t"'),
    ("\x07\x7f\x85", '"\\u0007\\u007F\\u0085"'),
    ("Ёжик", '"Ёжик"'), ("\u2028", '"\\u2028"')])
def test_turtle_strings_escape_what_they_must(text: str, written: str) -> None:
    assert turtle_string(text) == written


def test_iri_text_encodes_only_what_an_iri_cannot_hold() -> None:
    assert iri_text("https://e.org/ä/b") == "https://e.org/ä/b"
    assert iri_text('a b<>"{}|^`\\%') == "a%20b%3C%3E%22%7B%7D%7C%5E%60%5C%25"


def test_a_node_in_turtle_groups_a_repeated_predicate() -> None:
    node = (Iri("rec", "r"), [(RDF_TYPE, Iri("prov", "Entity")), (TITLE, "A"), (TITLE, "B"),
                              (Iri("dcterms", "date"), Typed("1917", Iri("xsd", "gYear"))),
                              (Iri("dcterms", "creator"), Blank(((Iri("prov", "x"), "C"),)))])
    assert turtle_node(node) == (
        'rec:r\n    a prov:Entity ;\n    dcterms:title "A", "B" ;\n'
        '    dcterms:date "1917"^^xsd:gYear ;\n'
        '    dcterms:creator [\n        prov:x "C"\n    ] .\n\n')


def test_shared_statements_stand_in_their_place_in_both_syntaxes() -> None:
    shared = Shared(((RDF_TYPE, Iri("prov", "Activity")), (TITLE, "same")))
    nodes = [(Iri("rec", str(n)), [(SHARED, shared), (Iri("dcterms", "identifier"), str(n))])
             for n in range(2)]
    text = "".join(turtle(PREFIXES, [nodes]))
    assert text.count("a prov:Activity ;\n    dcterms:title \"same\" ;") == 2
    data = json.loads("".join(jsonld(PREFIXES, [nodes])))
    assert data["@graph"][1] == {"@id": "rec:1", "dcterms:title": "same",
                                 "dcterms:identifier": "1", "@type": "prov:Activity"}


def test_a_node_in_jsonld_uses_compact_iris_and_typed_values() -> None:
    node = (Iri(None, "urn:x:whole"), [(RDF_TYPE, Iri("prov", "Entity")),
                                       (RDF_TYPE, Iri("prov", "Agent")),
                                       (TITLE, "A"), (TITLE, "B"),
                                       (Iri("rdf", "value"), Typed("1", Iri("xsd", "integer"))),
                                       (Iri("rdf", "seeAlso"), Iri("rec", "r"))])
    assert jsonld_node(node) == {
        "@id": "urn:x:whole", "dcterms:title": ["A", "B"],
        "rdf:value": {"@value": "1", "@type": "xsd:integer"},
        "rdf:seeAlso": {"@id": "rec:r"}, "@type": ["prov:Entity", "prov:Agent"]}


def test_the_jsonld_document_embeds_its_context_and_an_empty_graph_is_valid() -> None:
    data = json.loads("".join(jsonld(PREFIXES, [[], []])))
    assert data == {"@context": PREFIXES, "@graph": []}
