"""After a bulk load, `Graph.replan` makes Neo4j plan again on fresh statistics: a query planned while the
`offer_status` index counted no entries stops seeking that index from every site."""

from __future__ import annotations

import pytest

import cypher
from tests.integration.access_world import wipe

pytestmark = pytest.mark.integration
SITES, OFFERS = 300, 600


def index_seeks_per_site(graph) -> bool:
    """Whether the site-documents plan seeks the offer status index under the per-site subqueries."""
    with graph.driver.session(database=graph.database) as session:
        plan = session.run("EXPLAIN " + cypher.query("index/sites"), ids=None).consume().plan

    def details(p):
        yield p["args"].get("Details", "")
        for child in p.get("children", []):
            yield from details(child)

    return any("Offer(status)" in d for d in details(plan))


def test_replan_after_a_bulk_load_drops_the_stale_index_seek(graph, engine_endpoints):
    wipe(graph, engine_endpoints)
    graph.apply_schema()
    graph.write("UNWIND range(1, $n) AS i CREATE (:Site {finess: 'S' + i})", n=SITES)
    graph.replan()
    stale = index_seeks_per_site(graph)  # planned now, while no offer exists: an index seek looks free
    graph.write("MATCH (s:Site) UNWIND range(1, $k) AS j "
                "CREATE (s)-[:OFFERS]->(:Offer {id: s.finess + '-' + j, status: 'published'})", k=OFFERS // SITES)
    cached = index_seeks_per_site(graph)  # the bulk load alone does not change the plan
    graph.replan()
    fresh = index_seeks_per_site(graph)
    rows = graph.read(cypher.query("index/sites"), ids=None)
    assert len(rows) == SITES and all(r["offer_count"] == OFFERS // SITES for r in rows)
    assert stale and cached and not fresh
