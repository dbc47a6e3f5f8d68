"""The analyst console is read-only: every kind of write attempt is refused and the database is unchanged."""

from __future__ import annotations

import json

import neo4j
import pytest
from neo4j import exceptions as neo4j_errors

from core.errors import BadRequest, Forbidden
from graph.console import ConsoleLimits, check_plan, explain, run_console
from tests.integration.test_cypher_library import load_orientation_fixture

pytestmark = pytest.mark.integration

# (attempt, text expected in the French refusal; None when Neo4j itself rejects it, e.g. unknown procedure)
ATTEMPTS = [
    ("CREATE (:Intrus {x: 1})", "(CREATE)"),
    ("create (:Intrus)", "(CREATE)"),
    ("MERGE (s:Site {finess: '999999999'})", "(MERGE)"),
    ("MATCH (o:Offer) SET o.email = 'pirate@example.org'", "(SET)"),
    ("MATCH (o:Offer {id: 'o1'}) DELETE o", "(DELETE)"),
    ("MATCH (n) DETACH DELETE n", "(DETACH)"),
    ("MATCH (p:Professional) REMOVE p.rpps", "(REMOVE)"),
    ("FOREACH (x IN [1] | CREATE (:Intrus))", "(FOREACH)"),
    ("MATCH (o:Offer) FOREACH (x IN CASE WHEN o.email IS NULL THEN [1] ELSE [] END | SET o.email = 'x')", "(FOREACH)"),
    ("CALL { CREATE (:Intrus) } IN TRANSACTIONS", "IN TRANSACTIONS"),
    ("MATCH (n) CALL (n) { RETURN n AS m } IN TRANSACTIONS OF 10 ROWS RETURN m", "IN TRANSACTIONS"),
    ("MATCH (n) WITH n LIMIT 1 CALL (n) { CREATE (m:Intrus) RETURN m } RETURN m", "(CREATE)"),
    ("MATCH (n) WITH n LIMIT 1 CALL (n) { SET n.pirate = true } RETURN count(*)", "(SET)"),
    ("MATCH (n) /* rien à voir */ CREATE (:Intrus)", "(CREATE)"),
    ("MATCH (n)\n// commentaire\nSET n.pirate = true", "(SET)"),
    ("MATCH (n) RETURN n; CREATE (:Intrus)", "plusieurs instructions"),
    ("MATCH (n) RETURN count(n);\nMATCH (n) DETACH DELETE n;", "plusieurs instructions"),
    ("EXPLAIN CREATE (:Intrus)", "EXPLAIN"),
    ("PROFILE CREATE (:Intrus)", "PROFILE"),
    ("PROFILE MATCH (n) RETURN n", "PROFILE"),
    ("CYPHER runtime=slotted CREATE (:Intrus)", "(CREATE)"),
    ("CALL db.createLabel('Intrus')", "planificateur"),
    ("CALL db.createProperty('intrus')", "planificateur"),
    ("CALL db.createRelationshipType('INTRUS')", "planificateur"),
    ("CALL `db`.`createLabel`('Intrus')", "planificateur"),
    ("CREATE INDEX intrus IF NOT EXISTS FOR (n:Site) ON (n.name)", "(CREATE)"),
    ("CREATE CONSTRAINT intrus IF NOT EXISTS FOR (n:Intrus) REQUIRE n.id IS UNIQUE", "(CREATE)"),
    ("DROP INDEX site_name IF EXISTS", "(DROP)"),
    ("DROP CONSTRAINT site_finess IF EXISTS", "(DROP)"),
    ("CREATE DATABASE intrus", "(CREATE)"),
    ("CREATE USER intrus SET PASSWORD 'secret-secret'", "(CREATE)"),
    ("ALTER USER neo4j SET PASSWORD 'pirate-pirate'", "(ALTER)"),
    ("GRANT ROLE admin TO intrus", "(GRANT)"),
    ("STOP DATABASE neo4j", "(STOP)"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD CSV"),
    ("LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row", "LOAD CSV"),
    ("USE system SHOW USERS", "(USE)"),
    ("SHOW USERS", "administration"),
    ("SHOW TRANSACTIONS", "administration"),
    ("SHOW SETTINGS", "administration"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "(TERMINATE)"),
    ("CALL dbms.listConfig()", "administration"),
    ("CALL db.clearQueryCaches()", "administration"),
    ("CALL db.stats.collect('QUERIES')", "db.stats.collect"),
    ("CALL db.prepareForReplanning()", "db.prepareForReplanning"),
    ("CALL db.awaitIndexes(300)", "db.awaitIndexes"),
    ("CALL apoc.create.node(['Intrus'], {})", None),
    ("CALL apoc.cypher.runWrite('CREATE (:Intrus)', {})", None),
]


def snapshot(graph) -> dict:
    """Everything a write could change: content, tokens, schema, databases, users."""
    def rows(query: str, database: str | None = None) -> list[str]:
        records, _, _ = graph.driver.execute_query(query, database_=database or graph.database,
                                                   routing_=neo4j.RoutingControl.READ)
        return sorted(json.dumps(r.data(), sort_keys=True, default=str) for r in records)

    return {
        "nodes": rows("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"),
        "relationships": rows("MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS props, "
                              "elementId(a) AS start, elementId(b) AS end"),
        "labels": rows("CALL db.labels()"),
        "types": rows("CALL db.relationshipTypes()"),
        "property_keys": rows("CALL db.propertyKeys()"),
        "indexes": rows("SHOW INDEXES YIELD name, labelsOrTypes, properties RETURN *"),
        "constraints": rows("SHOW CONSTRAINTS YIELD name RETURN name"),
        "databases": rows("SHOW DATABASES YIELD name, currentStatus RETURN *", "system"),
        "users": rows("SHOW USERS YIELD user RETURN user", "system"),
    }


@pytest.fixture
def fixture_graph(empty_graph):
    load_orientation_fixture(empty_graph)
    return empty_graph


@pytest.mark.parametrize(("attempt", "expected"), ATTEMPTS, ids=[a for a, _ in ATTEMPTS])
def test_write_attempt_is_refused_and_nothing_changes(fixture_graph, attempt, expected):
    before = snapshot(fixture_graph)
    with pytest.raises((Forbidden, BadRequest)) as refused:
        run_console(fixture_graph, attempt)
    if expected is not None:
        assert isinstance(refused.value, Forbidden)
        assert refused.value.message.startswith("Requête refusée : ")
        assert expected in refused.value.message
        assert refused.value.message.endswith("La console est en lecture seule.")
    assert snapshot(fixture_graph) == before


@pytest.mark.parametrize("statement", [
    "CREATE (:Intrus)", "MERGE (:Intrus {id: 1})", "MATCH (n) DETACH DELETE n", "MATCH (n) SET n.x = 1",
    "FOREACH (x IN [1] | CREATE (:Intrus))", "CALL db.createLabel('Intrus')",
    "CREATE INDEX intrus FOR (n:Site) ON (n.name)", "CALL db.clearQueryCaches()",
    "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row", "TERMINATE TRANSACTIONS 'x'",
    "SHOW TRANSACTIONS", "CALL db.stats.collect('QUERIES')",
    "MATCH (n) CALL (n) { RETURN n AS m } IN TRANSACTIONS RETURN m",
])
def test_the_plan_check_alone_refuses_what_the_text_check_would(fixture_graph, statement):
    """Second lock: even if the keyword scan were fooled, Neo4j's plan gives the statement away."""
    query_type, plan = explain(fixture_graph, statement)
    with pytest.raises(Forbidden):
        check_plan(query_type, plan)


def test_neo4j_refuses_graph_and_schema_writes_in_a_read_transaction(fixture_graph):
    """Finding (Neo4j 5.26 Community, single instance): READ access mode is enforced for data and schema."""
    with fixture_graph.driver.session(database=fixture_graph.database) as session:
        for statement in ("CREATE (:Intrus)", "CALL db.createLabel('Intrus')",
                          "CREATE INDEX intrus FOR (n:Site) ON (n.name)"):
            with pytest.raises(neo4j_errors.ClientError, match="read access mode"):
                session.execute_read(lambda tx, s=statement: tx.run(s).consume())


def test_but_server_state_procedures_run_in_a_read_transaction(fixture_graph):
    """…which is why the console also needs its keyword scan and plan check: these are not refused by Neo4j."""
    with fixture_graph.driver.session(database=fixture_graph.database) as session:
        cleared = session.execute_read(lambda tx: tx.run("CALL db.clearQueryCaches()").single()[0])
        terminated = session.execute_read(
            lambda tx: tx.run("TERMINATE TRANSACTIONS 'neo4j-transaction-999999'").single()["message"])
    assert "cache" in cleared.lower()
    assert terminated == "Transaction not found."


def test_read_query_returns_a_table(fixture_graph):
    result = run_console(fixture_graph, "MATCH (s:Site) WHERE s.department_code = $dep "
                                        "RETURN s.finess AS finess, s.name AS nom ORDER BY finess",
                         {"dep": "64"})
    assert result.columns == ["finess", "nom"]
    assert result.rows == [["640000033", "CH de la Côte Basque"], ["640000044", "Clinique de Pau"],
                           ["640000066", "Cabinet sans offre décrite"]]
    assert not result.truncated


def test_keywords_in_strings_comments_and_property_names_are_not_refused(fixture_graph):
    result = run_console(fixture_graph, "// CREATE, DELETE: only words here\n"
                                        "MATCH (o:Offer {id: 'o1'}) RETURN 'DETACH DELETE' AS text, "
                                        "o.set AS `create`, {merge: 1} AS m;")
    assert result.records() == [{"text": "DETACH DELETE", "create": None, "m": {"merge": 1}}]


def test_paths_give_a_small_graph_view(fixture_graph):
    result = run_console(fixture_graph, "MATCH p = (:Activity {code: '157'})-[:NEXT_STEP*]->(:Activity {code: '234'}) "
                                        "RETURN p")
    captions = sorted(node["caption"] for node in result.graph["nodes"])
    assert len(result.graph["nodes"]) == 3 and len(result.graph["edges"]) == 2
    assert captions == sorted(["Urgences polyvalentes hospitalières", "Neurologie vasculaire",
                               "Réadaptation des affections du système nerveux"])
    assert {edge["type"] for edge in result.graph["edges"]} == {"NEXT_STEP"}


def test_row_cap_truncates(fixture_graph):
    result = run_console(fixture_graph, "UNWIND range(1, 50) AS x RETURN x", limits=ConsoleLimits(row_cap=10))
    assert [row[0] for row in result.rows] == list(range(1, 11))
    assert result.truncated


def test_timeout_interrupts_a_long_query(fixture_graph):
    with pytest.raises(BadRequest, match="dépassé 1 s"):
        run_console(fixture_graph, "UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN count(x)",
                    limits=ConsoleLimits(timeout_s=1.0))


def test_allowed_show_and_procedures(fixture_graph):
    labels = run_console(fixture_graph, "CALL db.labels() YIELD label RETURN label ORDER BY label")
    assert ["Site"] in labels.rows
    run_console(fixture_graph, "SHOW INDEXES YIELD name RETURN name")


def test_params_must_be_a_json_object(fixture_graph):
    with pytest.raises(BadRequest, match="JSON valide"):
        run_console(fixture_graph, "RETURN $x AS x", "{not json")
    with pytest.raises(BadRequest, match="objet JSON"):
        run_console(fixture_graph, "RETURN $x AS x", "[1, 2]")
    assert run_console(fixture_graph, "RETURN $x AS x", '{"x": [1, "a"]}').rows == [[[1, "a"]]]


def test_syntax_errors_are_bad_requests(fixture_graph):
    with pytest.raises(BadRequest, match="Requête invalide"):
        run_console(fixture_graph, "MATCH (n RETURN n")


def test_csv_and_json_exports(fixture_graph):
    result = run_console(fixture_graph, "MATCH (c:Commune {insee: '40088'}) "
                                        "RETURN c.name AS nom, c.location AS position, c.postal_codes AS cp")
    assert result.to_csv() == 'nom,position,cp\nDax,"{""latitude"": 43.7102, ""longitude"": -1.0536}",\n'
    assert json.loads(result.to_json())["rows"] == [
        {"nom": "Dax", "position": {"latitude": 43.7102, "longitude": -1.0536}, "cp": None}]
