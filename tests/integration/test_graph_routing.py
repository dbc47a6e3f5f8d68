"""A `neo4j://` URI (routing: the driver asks the server for a routing table, reads go to readers, writes to the
leader) works against the product's server exactly like `bolt://`: reads run in read transactions, writes in write
transactions, so a Neo4j cluster behind that URI spreads reads with no code change."""

from __future__ import annotations

import neo4j
import pytest

from graph.driver import Graph

pytestmark = pytest.mark.integration


def test_routing_uri_reads_and_writes(settings, engine_endpoints):
    endpoints, may_wipe = engine_endpoints
    routed = endpoints.neo4j_uri.replace("bolt://", "neo4j://", 1)
    assert routed.startswith("neo4j://")
    graph = Graph.from_settings(settings, routed)
    try:
        table = graph.driver.execute_query("CALL dbms.routing.getRoutingTable({}, $db) YIELD servers RETURN servers",
                                           {"db": settings.neo4j_database}, routing_=neo4j.RoutingControl.READ)
        roles = {server["role"] for server in table.records[0]["servers"]}
        assert roles == {"READ", "WRITE", "ROUTE"}
        assert graph.read("RETURN 1 AS one") == [{"one": 1}]
        if may_wipe:
            graph.write("CREATE (:RoutingProbe {k: $k})", k="r")
            assert graph.read("MATCH (p:RoutingProbe {k: $k}) RETURN count(p) AS c", k="r") == [{"c": 1}]
            graph.write("MATCH (p:RoutingProbe) DELETE p")
        with pytest.raises(Exception, match="(?i)access ?mode|read"):
            graph.read("CREATE (:RoutingProbe {k: 'never'})")  # a read transaction refuses to write
    finally:
        graph.close()
