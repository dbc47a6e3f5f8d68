"""Issue 19, finding 2: the console and the library read the care-offer model only, enforced on Neo4j's plan.

Accounts (password hashes), API tokens (token hashes), the audit log (IPs, before/after values), FHIR
tombstones and any label not in graph/console_access.py's allow-list are unreadable, whatever the way round:
`MATCH (n)`, `labels(n)`, `keys(n)`, `properties(n)`, `db.*` procedures, `CALL {}`, `EXISTS {}`, untyped
relationships, internal ids.
"""

from __future__ import annotations

import json

import pytest

import cypher
from accounts.store import UserStore
from core.errors import Forbidden
from graph import library
from graph.console import check_plan, explain, run_console
from graph.console_access import (
    CONSOLE_LABELS,
    CONSOLE_RELATIONSHIP_TYPES,
    PRIVATE_LABELS,
    PRIVATE_RELATIONSHIP_TYPES,
)
from tests.integration.test_cypher_library import load_orientation_fixture
from tests.unit.test_console_access import schema_labels

pytestmark = pytest.mark.integration

SECRETS = ("192.0.2.77", "avant-secret", "apres-secret", "Location/secret-supprimee")

# The finding's inputs and the ways round an allow-list checked on the text alone would miss.
BYPASSES = [
    "MATCH (u:User) RETURN u.password_hash",
    "MATCH (t:ApiToken) RETURN t.token_hash",
    "MATCH (a:AuditEntry) RETURN a",
    "MATCH (n) RETURN n",
    "MATCH (n) RETURN labels(n), keys(n), properties(n)",
    "MATCH (n) WHERE n.password_hash IS NOT NULL RETURN n.password_hash",
    "MATCH (n) WHERE 'User' IN labels(n) RETURN properties(n)",
    "MATCH (n:!Site) RETURN properties(n)",
    "MATCH (n:%) RETURN keys(n)",
    "MATCH (n:Site|User) RETURN n",
    "MATCH (n) RETURN count(n)",
    "MATCH ()-[r]->() RETURN r",
    "MATCH ()-[r:HAS_TOKEN]->(t) RETURN t",
    "MATCH (s:Site)--(x) RETURN labels(x), properties(x)",
    "MATCH (s:Site)-[*1..3]-(x) RETURN properties(x)",
    "MATCH p = shortestPath((s:Site)-[*]-(u:User)) RETURN p",
    "MATCH (n) WHERE id(n) IN range(0, 1000) RETURN properties(n)",
    "MATCH (n) WHERE elementId(n) = '4:x:1' RETURN n",
    "CALL () { MATCH (u:User) RETURN u } RETURN u.password_hash",
    "MATCH (s:Site) RETURN COLLECT { MATCH (a:AuditEntry) RETURN a.ip } AS ips",
    "MATCH (s:Site) WHERE EXISTS { MATCH (u:User) WHERE u.password_hash STARTS WITH '$argon2' } RETURN s",
    "MATCH (s:Site) RETURN COUNT { MATCH (t:ApiToken) WHERE t.revoked = false } AS n",
    "MATCH (s:Site) RETURN [(s)--(x) | properties(x)] AS around",
    "MATCH (n:Site) RETURN n UNION MATCH (n:AuditEntry) RETURN n",
    "MATCH (t:Tombstone) RETURN t",
    "MATCH (o:IndexOutbox) RETURN o",
    "CALL db.schema.nodeTypeProperties()",
    "CALL db.index.fulltext.queryNodes('users', 'admin')",
    "MATCH (x:SecretFuture) RETURN x",
    "MATCH (s:Site)-[:SECRET_FUTURE]->(x) RETURN x",
]


@pytest.fixture(scope="module")
def private_graph(graph, engine_endpoints):
    from tests.integration.access_world import wipe

    wipe(graph, engine_endpoints)
    for name in ("schema/accounts_audit", "schema/fhir"):
        for statement in cypher.statements(name):
            graph.write(statement)
    load_orientation_fixture(graph)
    store = UserStore(graph)
    store.add("admin", "mot-de-passe-de-test", "admin")
    store.add("contrib", "mot-de-passe-de-test", "contributor", sites=["400000014"])
    store.create_token("admin", "tests")
    graph.write("CREATE (:AuditEntry {id: 'a1', at: datetime(), actor: 'admin', ip: $ip, action: 'user.add', "
                "before: $before, after: $after})", ip=SECRETS[0], before=json.dumps(SECRETS[1]),
                after=json.dumps(SECRETS[2]))
    graph.write("CREATE (:Tombstone {resource_type: 'Location', resource_id: $id, deleted_at: datetime(), "
                "deleted_by: 'admin'})", id=SECRETS[3])
    hashes = graph.read("MATCH (u:User) RETURN u.password_hash AS h UNION MATCH (t:ApiToken) RETURN t.token_hash AS h")
    return graph, [row["h"] for row in hashes]


@pytest.mark.parametrize("attempt", BYPASSES)
def test_private_data_is_unreadable_whatever_the_way_round(private_graph, attempt):
    graph, _ = private_graph
    with pytest.raises(Forbidden) as refused:
        run_console(graph, attempt)
    assert refused.value.message.startswith("Requête refusée : ") and refused.value.status == 403


@pytest.mark.parametrize("label", sorted(schema_labels() | {"IndexOutbox", "SecretFuture"}))
def test_every_label_the_schema_declares(private_graph, label):
    """Allowed labels are readable by scan, seek, count and subquery; every other one is refused by each."""
    graph, _ = private_graph
    for statement in (f"MATCH (n:{label}) RETURN n LIMIT 1", f"MATCH (n:{label}) RETURN count(n) AS c",
                      f"MATCH (n:{label}) WHERE n.id = 'x' RETURN n.id",
                      f"CALL () {{ MATCH (n:{label}) RETURN n }} RETURN n LIMIT 1",
                      f"UNWIND [1] AS x RETURN EXISTS {{ MATCH (n:{label}) }} AS e"):
        if label in CONSOLE_LABELS:
            run_console(graph, statement)
        else:
            with pytest.raises(Forbidden, match=label):
                run_console(graph, statement)


def test_allowed_exploration_never_shows_a_secret(private_graph):
    """What an analyst may still do (labels, schema, typed neighbourhoods) returns nothing private."""
    graph, hashes = private_graph
    texts = []
    for statement in ("CALL db.labels() YIELD label RETURN label", "CALL db.schema.visualization()",
                      "CALL db.propertyKeys()", "SHOW INDEXES YIELD name, labelsOrTypes RETURN *",
                      "MATCH (s:Site)-[r:HAS_ORG|OFFERS|IN]-(x) RETURN s, r, x, labels(x), properties(x)",
                      "MATCH (o:Offer)-[:AT]->(p:Place)-[:HAS_CAPACITY]->(k) RETURN o, p, k"):
        texts.append(json.dumps(run_console(graph, statement).rows, default=str))
    everything = "\n".join(texts)
    for secret in (*SECRETS, *hashes):
        assert secret not in everything


def test_no_allowed_relationship_touches_a_private_node(private_graph):
    """The invariant the allow-list rests on: following allowed types from allowed labels stays inside."""
    graph, _ = private_graph
    crossing = graph.read(
        "MATCH (a)-[r]-(b) WHERE type(r) IN $types OR any(l IN labels(a) WHERE l IN $private) "
        "WITH a, r, b WHERE any(l IN labels(a) + labels(b) WHERE NOT l IN $public) "
        "AND NOT all(l IN labels(a) + labels(b) WHERE l IN $private) "
        "RETURN DISTINCT type(r) AS type, labels(a) AS a, labels(b) AS b",
        types=sorted(CONSOLE_RELATIONSHIP_TYPES), private=sorted(PRIVATE_LABELS), public=sorted(CONSOLE_LABELS))
    assert crossing == []
    private_types = graph.read("MATCH (a)-[r]-() WHERE any(l IN labels(a) WHERE l IN $private) "
                               "RETURN collect(DISTINCT type(r)) AS types", private=sorted(PRIVATE_LABELS))
    assert "HAS_TOKEN" in private_types[0]["types"]
    assert set(private_types[0]["types"]) <= PRIVATE_RELATIONSHIP_TYPES


def test_library_queries_read_the_model_only(private_graph):
    graph, _ = private_graph
    for query in library.all_queries():
        check_plan(*explain(graph, query.text, query.defaults() | {p.name: _sample(p) for p in query.params
                                                                     if p.required}))


def _sample(param):
    return {"int": 1, "float": 1.0, "string": "40", "bool": True}.get(param.type, [])
