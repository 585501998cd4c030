"""The linked-data export: rdflib reads both formats as one graph, SPARQL and SHACL
check what it says about the sample archive, and text survives exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist.cli import cli
from archivist.errors import InvalidRecord
from archivist.exporters import BATCH, ExportOptions, export
from archivist.exporters.linkeddata import check_base, date_values, default_base
from archivist.exporters.rdfsyntax import Iri, Typed
from archivist.models import record_from_mapping
from archivist.store import memory_archive, open_archive
from tests.conftest import RECORDS

rdflib = pytest.importorskip("rdflib")
SHAPES = Path(__file__).parent / "data" / "linkeddata-shapes.ttl"
PREFIXES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX archivist: <urn:archivist:term:>
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample archive, its sources checked once, exported in both formats."""
    folder = tmp_path_factory.mktemp("sample")
    db = folder / "demo.json"
    runner = CliRunner()
    for args in (("import", str(RECORDS)), ("verify",)):
        assert runner.invoke(cli, ["--db", str(db), *args]).exit_code == 0
    out: dict[str, Any] = {"db": db}
    for fmt in ("turtle", "jsonld"):
        target = folder / f"demo.{fmt}"
        result = runner.invoke(cli, ["--db", str(db), "export", "-f", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.stderr
        out[fmt] = rdflib.Graph().parse(target, format="json-ld" if fmt == "jsonld"
                                        else "turtle")
    with open_archive(db) as archive:
        out["id"] = archive.archive_id
        out["history"] = len(archive.history())
        out["links"] = list(archive.link_documents())
        out["docs"] = list(archive.documents())
    return out


def ask(graph: Any, query: str) -> list[Any]:
    return list(graph.query(PREFIXES + query))


def test_both_formats_parse_offline_to_the_same_graph(sample: dict[str, Any]) -> None:
    from rdflib.compare import isomorphic

    assert len(sample["turtle"]) > 5000
    assert isomorphic(sample["turtle"], sample["jsonld"])


def test_records_are_named_under_the_archives_own_id(sample: dict[str, Any]) -> None:
    base = default_base(sample["id"])
    subjects = {str(s) for s in sample["turtle"].subjects(
        rdflib.URIRef("http://purl.org/dc/terms/identifier"), None)}
    assert subjects == {base + doc["id"] for doc in sample["docs"]}


def test_every_record_has_exactly_one_title_and_an_identifier(sample: dict[str, Any]
                                                              ) -> None:
    rows = ask(sample["turtle"], """
        SELECT ?r (COUNT(DISTINCT ?t) AS ?titles) WHERE {
            ?r dcterms:identifier ?id . OPTIONAL { ?r dcterms:title ?t } } GROUP BY ?r""")
    assert len(rows) == len(sample["docs"]) == 134
    assert {int(row[1]) for row in rows} == {1}


def test_the_listing_references_its_entries(sample: dict[str, Any]) -> None:
    listing = "wsws-history-of-russia"
    expected = {link["dst"] for link in sample["links"]
                if link["src"] == listing and link["rel"] == "references"}
    rows = ask(sample["turtle"], f"""
        SELECT ?id WHERE {{ ?l dcterms:identifier "{listing}" ; dcterms:type "listing" ;
                             dcterms:references ?e . ?e dcterms:identifier ?id }}""")
    assert expected and {str(row[0]) for row in rows} == expected


def test_the_organisations_are_agents(sample: dict[str, Any]) -> None:
    rows = ask(sample["turtle"], """
        SELECT ?r WHERE { ?r dcterms:type "organisation" .
            FILTER NOT EXISTS { ?r a prov:Agent, foaf:Organization } }""")
    assert rows == []
    assert ask(sample["turtle"], """ASK { ?r dcterms:identifier "workers-power-russia" ;
                                           a prov:Agent }""")[0] is True


def test_history_activities_have_typed_times_and_an_agent(sample: dict[str, Any]) -> None:
    rows = ask(sample["turtle"], """
        SELECT ?a ?start ?who WHERE { ?a a prov:Activity ; archivist:action ?action ;
            prov:startedAtTime ?start ; prov:endedAtTime ?end ;
            prov:wasAssociatedWith ?who . ?who a prov:Agent }""")
    assert len({row[0] for row in rows}) == sample["history"] == 408
    assert {row[1].datatype for row in rows} == {rdflib.XSD.dateTime}


def test_fixity_checks_are_activities_with_their_outcome(sample: dict[str, Any]) -> None:
    rows = ask(sample["turtle"], """
        SELECT ?outcome ?sha WHERE { ?check archivist:outcome ?outcome ;
            prov:used ?file . ?file spdx:checksum/spdx:checksumValue ?sha }""")
    shas = {doc["source"]["sha256"] for doc in sample["docs"] if "source" in doc}
    assert len(rows) == 110 and {str(row[0]) for row in rows} == {"ok"}
    assert {str(row[1]) for row in rows} == shas


def test_records_are_linked_to_their_source_file(sample: dict[str, Any]) -> None:
    rows = ask(sample["turtle"], """
        SELECT ?id ?path ?size WHERE { ?r dcterms:identifier ?id ; prov:hadPrimarySource ?f .
            ?f a prov:Entity ; spdx:fileName ?path ;
               <http://www.w3.org/ns/dcat#byteSize> ?size }""")
    by_id = {doc["id"]: doc["source"] for doc in sample["docs"] if "source" in doc}
    assert {str(row[0]): (str(row[1]), int(row[2])) for row in rows} == {
        key: (source["path"], source["size"]) for key, source in by_id.items()}


def test_the_export_validates_against_the_shapes(sample: dict[str, Any]) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _, text = pyshacl.validate(sample["turtle"], shacl_graph=shapes)
    assert conforms, text


def test_the_shapes_catch_a_broken_export(sample: dict[str, Any]) -> None:
    """The shapes are no formality: a second title and a dangling link fail them."""
    pyshacl = pytest.importorskip("pyshacl")
    broken = rdflib.Graph() + sample["turtle"]
    record = rdflib.URIRef(default_base(sample["id"]) + "oci-russia")
    dc = rdflib.Namespace("http://purl.org/dc/terms/")
    broken.add((record, dc.title, rdflib.Literal("A second title")))
    broken.add((record, dc.references, rdflib.URIRef("urn:nowhere")))
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _, text = pyshacl.validate(broken, shacl_graph=shapes)
    assert not conforms and "maxCount" in text.replace("MaxCount", "maxCount")


def _exported(archive: Any, fmt: str, query: tuple[str, ...] = ()) -> Any:
    text = export(archive, query, fmt=fmt, options=ExportOptions(base_iri="urn:t:")).text
    return rdflib.Graph().parse(data=text, format="json-ld" if fmt == "jsonld" else "turtle")


# Any text archivist stores: everything but NUL and lone surrogates.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                max_size=40)
_HOSTILE = st.one_of(_TEXT, st.sampled_from([
    '"', '\\', '\\"', '"""', "'''", "\n", "\r\n", "\r", "\t", "\x07\x1b\x7f\x85",
    "Ёжик «в» тумане", "\u2028\u2029\ufeff", "> . ; @prefix x: <y> .", "\\u0041", "%20"]))


@settings(max_examples=60, deadline=None)
@given(title=_HOSTILE, summary=_HOSTILE, creator=_HOSTILE)
def test_hostile_text_goes_out_exactly(title: str, summary: str, creator: str) -> None:
    from rdflib.compare import isomorphic

    archive = memory_archive()
    archive.add(record_from_mapping({"id": "r", "title": "T" + title, "summary": summary,
                                     "creators": ["C" + creator]}))
    dc = rdflib.Namespace("http://purl.org/dc/terms/")
    foaf = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
    record = rdflib.URIRef("urn:t:r")
    graphs = [_exported(archive, fmt) for fmt in ("turtle", "jsonld")]
    for graph in graphs:
        assert [str(v) for v in graph.objects(record, dc.title)] == ["T" + title]
        assert [str(v) for v in graph.objects(record, dc.abstract)] == [summary]
        names = [str(graph.value(agent, foaf.name)) for agent in graph.objects(record,
                                                                              dc.creator)]
        assert names == list(archive.get("r").creators)  # creators are stored stripped
    assert isomorphic(*graphs)


def test_a_large_export_is_made_a_batch_at_a_time() -> None:
    archive = memory_archive()
    archive.add_many((record_from_mapping({"id": f"r{n}", "title": f"T{n}"}), None)
                     for n in range(BATCH * 2 + 5))
    for fmt in ("turtle", "jsonld"):
        result = export(archive, fmt=fmt, options=ExportOptions(base_iri="urn:t:"))
        pieces = list(result.pieces())
        assert len(pieces) >= 5 and max(map(len, pieces)) < sum(map(len, pieces)) / 2
        assert result.count == BATCH * 2 + 5


def test_a_query_exports_its_records_their_links_and_their_history() -> None:
    archive = memory_archive()
    for record_id, tags in (("a", ["x"]), ("b", []), ("c", ["x"])):
        archive.add(record_from_mapping({"id": record_id, "title": record_id.upper(),
                                         "tags": tags}))
    archive.store_link("a", "translation-of", "b")
    archive.store_link("b", "created-by", "c")
    graph = _exported(archive, "turtle", ("tag:x",))
    dc = rdflib.Namespace("http://purl.org/dc/terms/")
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    own = rdflib.Namespace("urn:archivist:term:")
    ids = {str(v) for v in graph.objects(None, dc.identifier)}
    assert ids == {"a", "c"}
    a, b = rdflib.URIRef("urn:t:a"), rdflib.URIRef("urn:t:b")
    assert (a, prov.wasDerivedFrom, b) in graph and (a, own.translationOf, b) in graph
    touched = {str(v) for v in graph.objects(None, prov.generated)} | {
        str(v) for v in graph.objects(None, prov.used)}
    assert touched == {"urn:t:a", "urn:t:b", "urn:t:c"}  # the link of a names b
    whole = _exported(archive, "turtle")
    c = rdflib.URIRef("urn:t:c")
    assert (b, dc.creator, c) in whole and (b, prov.wasAttributedTo, c) in whole


@pytest.mark.parametrize("fmt", ["turtle", "jsonld"])
def test_every_relation_is_stated_in_the_direction_its_term_reads(fmt: str) -> None:
    from archivist.links import RELATIONS, term

    archive = memory_archive()
    archive.add_many((record_from_mapping({"id": f"{end}-{n}", "title": "T"}), None)
                     for n in range(len(RELATIONS)) for end in ("src", "dst"))
    for n, rel in enumerate(RELATIONS):
        archive.store_link(f"src-{n}", rel, f"dst-{n}")
    graph = _exported(archive, fmt)
    for n, rel in enumerate(RELATIONS):
        compact = term(rel)
        prefix, _, local = compact.removeprefix("^").partition(":")
        predicate = rdflib.URIRef(graph.namespace_manager.expand_curie(f"{prefix}:{local}"))
        src, dst = rdflib.URIRef(f"urn:t:src-{n}"), rdflib.URIRef(f"urn:t:dst-{n}")
        subject, obj = (dst, src) if compact.startswith("^") else (src, dst)
        assert (subject, predicate, obj) in graph, rel
        assert (obj, predicate, subject) not in graph or rel in ("duplicate-of", "related")


def test_the_later_work_is_the_one_influenced_and_the_merge_the_revision() -> None:
    archive = memory_archive()
    for record_id in ("draft", "final", "old", "merged"):
        archive.add(record_from_mapping({"id": record_id, "title": record_id}))
    archive.store_link("draft", "precedes", "final")
    archive.store_link("old", "merged-into", "merged")
    graph = _exported(archive, "turtle")
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    t = rdflib.Namespace("urn:t:")
    assert set(graph.subject_objects(prov.wasInfluencedBy)) == {(t.final, t.draft)}
    assert set(graph.subject_objects(prov.wasRevisionOf)) == {(t.merged, t.old)}


def test_brief_entries_wait_for_the_entry_naming_their_changes_user() -> None:
    from archivist.exporters.linkeddata import _stamped

    items = [("1", {"change": 1, "user": "ann", "command": "add"}),
             ("2", {"change": 2, "action": "verify"}), ("3", {"change": 2}),
             ("4", {"change": 2, "user": "bo", "command": "verify"}),
             ("5", {"change": 3, "action": "verify"})]
    assert [(n, stamp) for n, _, stamp in _stamped(items)] == [
        ("1", ("ann", "add")), ("2", ("bo", "verify")), ("3", ("bo", "verify")),
        ("4", ("bo", "verify")), ("5", (None, None))]


def test_dates_keep_their_edtf_text_and_gain_a_type_when_exact() -> None:
    assert date_values("1917") == ["1917", Typed("1917", Iri("xsd", "gYear"))]
    assert date_values("1917-10") == ["1917-10", Typed("1917-10", Iri("xsd", "gYearMonth"))]
    assert date_values("1917-10-25") == ["1917-10-25",
                                         Typed("1917-10-25", Iri("xsd", "date"))]
    for inexact in ("1917~", "1917?", "1917/1920", "../1920", "1917-21", "191X"):
        assert date_values(inexact) == [inexact]


@pytest.mark.parametrize("bad", ["no-scheme/", "https://a b/", "https://e.org/x", "urn:x",
                                 "https://e.org/<x>/"])
def test_a_base_iri_records_cannot_be_named_under_is_refused(bad: str) -> None:
    with pytest.raises(InvalidRecord, match="base IRI"):
        check_base(bad)
    assert check_base("https://example.org/a/") == "https://example.org/a/"


def test_an_archive_without_an_id_needs_a_base_iri() -> None:
    with pytest.raises(InvalidRecord, match="no id yet"):
        export(memory_archive(), fmt="turtle")


def test_odd_ids_and_urls_still_make_valid_iris() -> None:
    """A damaged archive's odd id and a URL that is no IRI cannot break the syntax."""
    from archivist.exporters.linkeddata import Namer

    namer = Namer("urn:t:")
    assert namer.record("ends.") == Iri(None, "urn:t:ends.")
    assert namer.record("has space") == Iri(None, "urn:t:has%20space")
    archive = memory_archive()
    archive.add(record_from_mapping({"id": "r", "title": "T",
                                     "url": "https://e.org/a b\">"}))
    for fmt in ("turtle", "jsonld"):
        graph = _exported(archive, fmt)
        dc = rdflib.Namespace("http://purl.org/dc/terms/")
        assert [str(v) for v in graph.objects(rdflib.URIRef("urn:t:r"), dc.source)] == [
            "https://e.org/a b\">"]
