"""ROR FHIR import against the real Neo4j: the IG examples round-trip to the same facts; bad input is rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.fhir import load_fhir
from loaders.nos import load_nos

pytestmark = pytest.mark.integration

DATA = Path(__file__).parent.parent.parent / "data"
EXAMPLES = DATA / "ror_fhir" / "examples_json"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "loaders"


@pytest.fixture
def nos_graph(empty_graph):
    empty_graph.apply_schema()
    load_nos(empty_graph, DATA)
    return empty_graph


def _example(kind: str) -> dict:
    return json.loads(next(EXAMPLES.glob(f"{kind}-*.json")).read_text(encoding="utf-8"))


def test_ror_examples_round_trip_to_the_same_facts(nos_graph):
    summary = load_fhir(nos_graph, EXAMPLES)
    assert summary.rows_loaded == 4 and not summary.rejects

    org = _example("Organization")
    site = nos_graph.read("MATCH (s:Site {fhir_id: $id}) RETURN s.finess AS finess, s.name AS name, "
                          "s.category_code AS cat, s.postal_code AS cp, s.city AS city, s.phone AS phone",
                          id=org["id"])
    assert site == [{"finess": "458174839", "name": org["name"], "cat": org["type"][0]["coding"][0]["code"],
                     "cp": "92270", "city": "BOIS-COLOMBES", "phone": "01.01.01.01.01"}]

    hs = _example("HealthcareService")
    offer = nos_graph.read("""
        MATCH (o:Offer {id: $id})
        RETURN o.name AS name, o.status AS status,
               [(o)-[:PROVIDES]->(c) | c.code] AS activities, [(o)-[:MODE]->(c) | c.key] AS modes,
               [(o)-[:PERFORMS]->(c) | c.code] AS acts, [(o)-[:IN_FIELD]->(c) | c.code] AS fields,
               [(o)-[:FOR_AGE]->(c) | c.code] AS ages""", id=hs["id"])[0]
    assert offer["name"] == hs["name"] == "Hospitalisation complète de Neurochirurgie"
    assert offer["activities"] == ["183"] and offer["modes"] == ["J19|28"] and offer["acts"] == ["0320"]
    assert offer["fields"] == ["01"] and sorted(offer["ages"]) == ["05", "06", "10", "11"]  # ageRange 18–90

    place = nos_graph.read("MATCH (p:Place {id: 'ror-location-exemple'}) RETURN p.city AS city, "
                           "p.postal_code AS cp, p.commune_insee AS insee")
    assert place == [{"city": "Versailles", "cp": "78000", "insee": "78646"}]

    role = nos_graph.read("""
        MATCH (c:Profession)<-[:HAS_PROFESSION]-(p:Professional {rpps: '11102379616'})-[w:WORKS_IN]->(o:Offer)
        RETURN p.first_name AS first, p.last_name AS last, c.label AS profession, o.id AS offer,
               o.status AS status""")
    assert role == [{"first": "Mylène", "last": "Tenor", "profession": "Infirmier", "offer": "9597",
                     "status": "draft"}]  # the referenced service is not in the import: a draft stub

    before = nos_graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    again = load_fhir(nos_graph, EXAMPLES)
    assert again.nodes_created == 0 and again.relationships_created == 0
    assert nos_graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before


def test_bad_fhir_input_is_rejected_and_valid_resources_load(nos_graph):
    summary = load_fhir(nos_graph, FIXTURES / "fhir_with_bad_rows.ndjson")
    found = {(r.line, r.field): r.reason for r in summary.rejects}
    assert found == {(2, "specialty"): "code NOS inconnu", (3, "*"): found.get((3, "*")),
                     (6, "identifier"): "numéro FINESS invalide (9 caractères attendus)",
                     (7, "resourceType"): "type de ressource non pris en charge", (8, "id"): "identifiant en double"}
    assert found[(3, "*")].startswith("JSON invalide")
    assert summary.rows_loaded == 3
    linked = nos_graph.read("MATCH (le:LegalEntity {finess: '010780054'})-[:OPERATES]->(s:Site)-[:OFFERS]->"
                            "(o:Offer {id: 'hs-ok'})-[:PROVIDES]->(a:Activity) "
                            "RETURN le.name AS le, s.name AS site, a.code AS activity")
    assert linked == [{"le": "Entité juridique FHIR", "site": "Site FHIR", "activity": "013"}]
