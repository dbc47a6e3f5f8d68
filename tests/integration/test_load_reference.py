"""NOS, territories and FINESS loaders against the real Neo4j: rejects, links, idempotency, constraints."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest

from geo.communes import CommuneIndex
from loaders.finess import load_finess
from loaders.nos import load_nos
from loaders.territories import load_territories

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures" / "loaders"
DATA = Path(__file__).parent.parent.parent / "data"


def _nodes_and_rels(graph) -> tuple[int, int]:
    nodes = graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    rels = graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return nodes, rels


@pytest.fixture
def schema_graph(empty_graph):
    empty_graph.apply_schema()
    return empty_graph


def _load_nos_fixture(graph):
    return load_nos(graph, DATA, path=FIXTURES / "nos_with_bad_rows.csv", a14_path=FIXTURES / "a14_small.csv")


def test_nos_loader_rejects_bad_rows_and_is_idempotent(schema_graph):
    summary = _load_nos_fixture(schema_graph)
    assert summary.rows_loaded == 12  # 11 concepts + 1 family link
    reasons = summary.reject_reasons()
    assert reasons["jeu de valeurs NOS inconnu"] == 1 and reasons["code NOS vide"] == 1
    assert reasons["code en double dans le jeu de valeurs"] == 1
    assert reasons["code NOS inconnu (activité opérationnelle J17)"] == 1
    assert reasons["code NOS inconnu (famille d'activité J51)"] == 1
    rows = schema_graph.read("MATCH (c:Concept:CareMode {key: 'R213|22'}) RETURN c.retired_on AS d, c.label AS l")
    assert str(rows[0]["d"]) == "2019-03-29"
    rows = schema_graph.read("MATCH (c:Concept:Activity {code: '157'}) RETURN c.system_url AS url, c.label AS l")
    assert rows == [{"url": "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/"
                            "TRE-R211-ActiviteOperationnelle", "l": "Urgences polyvalentes hospitalières"}]
    assert schema_graph.read("MATCH (:ActivityFamily {key: 'J51|004'})-[:GROUPS]->(a:Activity) RETURN a.code AS c"
                             ) == [{"c": "170"}]
    before = _nodes_and_rels(schema_graph)
    again = _load_nos_fixture(schema_graph)
    assert again.nodes_created == 0 and again.relationships_created == 0
    assert _nodes_and_rels(schema_graph) == before


def test_territories_and_finess_loaders(schema_graph):
    communes_path = FIXTURES / "communes_small.csv"
    territories = load_territories(schema_graph, DATA, communes_path=communes_path)
    assert territories.reject_reasons() == {"code INSEE invalide": 1}
    counts = schema_graph.counts()
    assert counts["Commune"] == 10 and counts["Region"] >= 18 and counts["Department"] >= 101
    path = schema_graph.read("MATCH (c:Commune {insee: '01451'})-[:IN]->(d:Department)-[:IN]->(r:Region) "
                             "RETURN d.code AS d, r.code AS r, d.sas_radius_km > 0 AS sas, "
                             "d.geometry STARTS WITH '{' AS polygon, c.location IS NOT NULL AS point")
    assert path == [{"d": "01", "r": "84", "sas": True, "polygon": True, "point": True}]

    communes = CommuneIndex.from_file(communes_path)
    finess = load_finess(schema_graph, FIXTURES / "finess_with_bad_rows.csv", DATA, communes=communes)
    assert finess.rows_loaded == 5 and len(finess.rejects) == 6
    assert {(r.line, r.field) for r in finess.rejects} >= {(7, "nofinesset"), (9, "latitude")}
    site = schema_graph.read(
        "MATCH (le:LegalEntity)-[:OPERATES]->(s:Site {finess: '010000024'})-[:IN]->(c:Commune)-[:IN]->(d) "
        "RETURN le.finess AS le, s.name AS name, s.category_code AS cat, s.siret AS siret, s.phone AS phone, "
        "c.insee AS insee, d.code AS dep, s.location.latitude AS lat, s.source AS source")
    assert site == [{"le": "010780054", "name": "CH DE FLEYRIAT", "cat": "355", "siret": "26010004500012",
                     "phone": "0474454647", "insee": "01451", "dep": "01", "lat": 46.222745,
                     "source": "finess"}]
    assert schema_graph.read("MATCH (s:Site) WHERE s.finess IN ['010000025', '01000003', '010000032'] "
                             "RETURN count(s) AS c") == [{"c": 0}]

    before = _nodes_and_rels(schema_graph)
    again = load_finess(schema_graph, FIXTURES / "finess_with_bad_rows.csv", DATA, communes=communes)
    assert again.nodes_created == 0 and again.relationships_created == 0
    load_territories(schema_graph, DATA, communes_path=communes_path)
    assert _nodes_and_rels(schema_graph) == before


def test_schema_is_repeatable_and_enforces_keys(schema_graph):
    assert schema_graph.apply_schema() == schema_graph.apply_schema()
    names = {r["name"] for r in schema_graph.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"site_finess", "offer_id", "professional_rpps", "concept_key", "commune_insee"} <= names
    schema_graph.write("CREATE (:Site {finess: '010000024'})")
    with pytest.raises(neo4j.exceptions.ConstraintError):
        schema_graph.driver.execute_query("CREATE (:Site {finess: '010000024'})")
