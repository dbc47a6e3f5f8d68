"""The synthetic offer generator and the demo load against the real Neo4j: facts, determinism, idempotency."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo.communes import CommuneIndex
from loaders.demo import load_demo
from loaders.finess import FINESS_SAMPLE, load_finess
from loaders.generator import generate_offer
from loaders.nos import load_nos
from loaders.territories import load_territories

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures" / "loaders"
DATA = Path(__file__).parent.parent.parent / "data"
AS_OF = dt.datetime(2026, 11, 22, 6, tzinfo=dt.UTC)

FINGERPRINT = """
MATCH (s:Site)-[:HAS_ORG*1..2]->(io:InternalOrg)-[:OFFERS]->(o:Offer)-[:AT]->(p:Place)
OPTIONAL MATCH (o)-[r]->(c:Concept)
WITH s, io, o, p, collect(type(r) + ':' + c.key) AS links
OPTIONAL MATCH (pro:Professional)-[w:WORKS_IN]->(o)
WITH s, io, o, p, links, collect(pro.rpps + '/' + w.function + '/' + w.nature + '/' + w.email) AS roles
OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(cap:CapacitySnapshot)
RETURN s.finess AS site, io.id AS org, o.id AS offer, o.name AS name, o.email AS email, p.id AS place,
       p.installed_beds AS beds, links, roles,
       collect(cap.id + '/' + toString(cap.available_total) + '/' + toString(cap.updated_at)) AS capacity
ORDER BY offer
"""


def fingerprint(graph) -> list[dict]:
    rows = graph.read(FINGERPRINT)
    for row in rows:
        row["links"], row["roles"] = sorted(row["links"]), sorted(row["roles"])
    return rows


def _wipe_generated(graph) -> None:
    graph.run_autocommit("MATCH (n) WHERE n.synthetic = true "
                         "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS")


def test_generator_is_deterministic_idempotent_and_plausible(empty_graph):
    g = empty_graph
    g.apply_schema()
    load_nos(g, DATA)
    load_territories(g, DATA, communes_path=FIXTURES / "communes_small.csv")
    load_finess(g, DATA / FINESS_SAMPLE, DATA, departments={"2A"},
                communes=CommuneIndex.from_file(FIXTURES / "communes_small.csv"))

    first = generate_offer(g, DATA, seed=7, as_of=AS_OF)
    assert first.rows_loaded > 100 and not first.rejects
    facts = fingerprint(g)
    assert len(facts) == first.rows_loaded

    again = generate_offer(g, DATA, seed=7, as_of=AS_OF)
    assert again.nodes_created == 0 and again.relationships_created == 0
    assert fingerprint(g) == facts

    # What people changed since (a contributor's edit, a workflow step) survives a re-run.
    edited = facts[0]["offer"]
    g.write("MATCH (o:Offer {id: $id}) SET o.status = 'draft', o.name = 'Nom corrigé', o.phone = '0102030405'",
            id=edited)
    generate_offer(g, DATA, seed=7, as_of=AS_OF)
    assert g.read("MATCH (o:Offer {id: $id}) RETURN o.status AS s, o.name AS n, o.phone AS p", id=edited) == [
        {"s": "draft", "n": "Nom corrigé", "p": "0102030405"}]

    _wipe_generated(g)
    assert g.read("MATCH (o:Offer) RETURN count(o) AS c") == [{"c": 0}]
    generate_offer(g, DATA, seed=7, as_of=AS_OF)
    assert fingerprint(g) == facts  # same seed ⇒ same graph

    checks = g.read("""
        MATCH (p:Place) WHERE p.installed_beds > 0
        OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(c:CapacitySnapshot {latest: true})
        WITH p, count(c) AS latest
        RETURN min(latest) AS min_latest, max(latest) AS max_latest, count(p) AS bedded""")[0]
    assert checks["bedded"] > 0 and checks["min_latest"] == 1 and checks["max_latest"] == 1
    stale = g.read("MATCH (c:CapacitySnapshot) RETURN "
                   "sum(CASE WHEN c.updated_at < datetime($as_of) - duration('PT12H') THEN 1 ELSE 0 END) AS stale, "
                   "count(c) AS total", as_of=AS_OF.isoformat())[0]
    assert 0 < stale["stale"] < stale["total"]
    ias = g.read("""
        MATCH (pro:Professional)-[w:WORKS_IN]->(o:Offer)-[:PROVIDES]->(:Activity {code: '063'})
        RETURN collect(DISTINCT w.function) AS functions, collect(DISTINCT w.nature) AS natures,
               collect(DISTINCT o.email)[0] AS email, min(pro.rpps) AS rpps""")[0]
    assert sorted(ias["functions"]) == ["23", "24", "25", "26"] and ias["natures"] == ["07"]
    assert ias["email"].startswith("eoh@") and ias["rpps"].startswith("SYN")
    pharmacies = g.read("MATCH (s:Site {category_code: '620'}) "
                        "RETURN count(s) AS n, count { (s)-[:HAS_ORG]->() } AS orgs")
    assert pharmacies[0]["n"] > 0 and pharmacies[0]["orgs"] == 0
    stroke = g.read("MATCH (a:Activity)-[n:NEXT_STEP]->(b:Activity) WHERE n.pathway STARTS WITH 'AVC' "
                    "RETURN a.code AS a, b.code AS b ORDER BY n.rank")
    assert [(r["a"], r["b"]) for r in stroke] == [("157", "098"), ("098", "234"), ("234", "287")]


def test_other_seed_gives_another_offer(empty_graph):
    g = empty_graph
    g.apply_schema()
    load_nos(g, DATA)
    load_finess(g, DATA / FINESS_SAMPLE, DATA, departments={"2A"},
                communes=CommuneIndex.from_file(FIXTURES / "communes_small.csv"))
    generate_offer(g, DATA, seed=1, as_of=AS_OF)
    one = fingerprint(g)
    generate_offer(g, DATA, seed=2, as_of=AS_OF, replace=True)
    assert fingerprint(g) != one


def test_demo_load_on_one_departement_then_rerun_changes_nothing(empty_graph, settings):
    summary = load_demo(settings, empty_graph, progress=False, departments={"2A"},
                        finess_path=DATA / FINESS_SAMPLE)
    assert summary.counts["Site"] > 100 and summary.counts["Offer"] > 100
    assert summary.counts["Commune"] > 30_000 and summary.counts["Concept"] > 2_500
    before = empty_graph.counts()
    again = load_demo(settings, empty_graph, progress=False, departments={"2A"}, finess_path=DATA / FINESS_SAMPLE)
    assert again.nodes_created == 0 and again.relationships_created == 0
    assert empty_graph.counts() == before
