"""A real 3-node OpenSearch cluster on loopback (`ror engines up --search-nodes 3`): it starts and reports its
health, and losing a data node in the middle of a search load fails no request; index build and sync work with a
node down; the node comes back and the cluster turns green again.

Lean on purpose (3 nodes × 512 MB heap, the small web fixture graph); it runs next to the session's own engines.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid

import pytest

from engines import manager, process
from search.client import make_client
from search.indexer import Indexer
from search.models import Where
from search.orientation import OrientationService
from tests.support.waits import wait_until
from tests.web.seed import ensure_seeded

pytestmark = pytest.mark.integration

NODES = 3
# Condition waits: generous bounds (a loaded 2-core machine), never a fixed sleep standing for a condition.
BOUND_S = 240
# Places of the fixture graph (Ain, Corse-du-Sud, Guadeloupe).
PLACES = [(46.2052, 5.2255), (45.7597, 5.6883), (46.0125, 4.9853), (41.9192, 8.7386), (16.2411, -61.5331)]


def _free_port_run(nodes: int) -> int:
    """A base port such that base..base+n-1 (HTTP) and base+100..base+100+n-1 (transport) are all free."""
    for _ in range(100):
        base = process.free_port()
        ports = [base + i for i in range(nodes)] + [base + 100 + i for i in range(nodes)]
        if max(ports) < 65535 and not any(process.port_in_use(p) for p in ports[1:]):
            return base
    raise RuntimeError("no free run of ports")


@pytest.fixture(scope="module")
def cluster(settings, engine_endpoints):
    endpoints, _ = engine_endpoints
    instance = f"cluster-{os.getpid()}"
    cluster_settings = settings.replace(
        neo4j_uri=endpoints.neo4j_uri, opensearch_url=None, search_nodes=NODES,
        opensearch_port=_free_port_run(NODES), search_node_heap="512m",
    )
    try:
        manager.up(cluster_settings, instance)
        yield cluster_settings, instance
    finally:
        manager.down(cluster_settings, instance)
        shutil.rmtree(cluster_settings.engines_dir / "instances" / instance, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster_client(cluster):
    cluster_settings, instance = cluster
    # A read timeout is never retried on another node (the node may be slow, not gone): on a machine at load 20+
    # the product's interactive 10 s would let the machine's load, not the node loss, decide this test.
    client = make_client(cluster_settings, manager.endpoints(cluster_settings, instance).opensearch_url, timeout=120)
    assert len(client.transport.connection_pool.connections) == NODES
    yield client
    client.close()


def _green(client) -> bool:
    # Not green within the 5 s: the health API answers 408 with the current health (not an error: ask again).
    health = client.cluster.health(params={"wait_for_status": "green", "timeout": "5s"}, request_timeout=30, ignore=408)
    return health["status"] == "green" and health["number_of_nodes"] == NODES


def test_cluster_starts_with_every_node_and_reports_its_health(cluster):
    cluster_settings, instance = cluster
    statuses = [s for s in manager.status(cluster_settings, instance) if s.name.startswith("opensearch")]
    assert [s.name for s in statuses] == [f"opensearch-{i}" for i in range(NODES)]
    assert all(s.running and s.healthy and s.version == "2.19.4" for s in statuses)
    assert len({s.url for s in statuses}) == NODES
    health = manager.cluster_health(cluster_settings, instance)
    assert health["number_of_nodes"] == NODES and health["status"] in {"green", "yellow"}
    urls = manager.endpoints(cluster_settings, instance).opensearch_url.split(",")
    assert urls == [s.url for s in statuses]


def test_losing_a_node_under_search_load_fails_no_request(cluster, cluster_client, graph, search_client, settings,
                                                         engine_endpoints):
    cluster_settings, instance = cluster
    _, may_wipe = engine_endpoints
    ensure_seeded(graph, search_client, settings, may_wipe)
    prefix = f"c{uuid.uuid4().hex[:8]}"
    indexer = Indexer(graph, cluster_client, prefix)
    indexer.build()
    wait_until(lambda: _green(cluster_client), "a green cluster after the build", BOUND_S)
    shards = cluster_client.cat.shards(index=f"{prefix}-*", format="json")
    copies: dict[str, list[tuple[str, str]]] = {}
    for shard in shards:
        copies.setdefault(shard["index"], []).append((shard["prirep"], shard["node"]))
    for index, where in copies.items():  # one replica: every shard lives on two different nodes
        assert sorted(kind for kind, _ in where) == ["p", "r"] and len({node for _, node in where}) == 2, index

    service = OrientationService(graph, cluster_client, settings.replace(index_prefix=prefix))

    def ask(lat, lon):
        return [(s.finess, round(s.distance_km, 3)) for s in service.nearest_sites(Where(lat=lat, lon=lon), limit=5)]

    expected = {place: ask(*place) for place in PLACES}
    assert all(len(hits) == 5 for hits in expected.values())

    done, failures, wrong = [0], [], []
    stop = threading.Event()
    lock = threading.Lock()

    def load(worker: int) -> None:
        n = worker
        while not stop.is_set():
            place = PLACES[n % len(PLACES)]
            n += 1
            try:
                got = ask(*place)
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none may happen
                with lock:
                    failures.append(repr(exc))
                continue
            with lock:
                done[0] += 1
                if got != expected[place]:
                    wrong.append((place, got))

    # Stop the node that holds the most primaries of the sites indices (the ones these searches read).
    primaries = [s["node"] for s in shards if s["prirep"] == "p" and s["index"].startswith(f"{prefix}-sites-")]
    primary_node = max(set(primaries), key=primaries.count)
    victim = next(s for s in manager.search_servers(cluster_settings, instance)
                  if s.node_name == primary_node)
    threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: done[0] >= 100, "100 searches before the node loss", BOUND_S)
        victim.stop()
        at_loss = done[0]
        wait_until(lambda: cluster_client.cluster.health(request_timeout=30)["number_of_nodes"] == NODES - 1,
                   "the cluster to notice the lost node", BOUND_S)
        wait_until(lambda: done[0] >= at_loss + 200, "200 searches after the node loss", BOUND_S)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=BOUND_S)
    assert failures == []
    assert wrong == []
    assert not victim.status().running

    # With the node still down: a full build and a sync both work, and searches answer the same.
    rebuilt = indexer.build()
    assert rebuilt.counts["sites"] > 0
    site = expected[PLACES[0]][0][0]
    graph.write("MATCH (s:Site {finess: $finess}) SET s.updated_at = datetime()", finess=site)
    synced = indexer.sync()
    assert synced.sites >= 1
    assert {place: ask(*place) for place in PLACES} == expected

    # The node comes back and the cluster turns green with all its nodes.
    victim.start()
    wait_until(lambda: _green(cluster_client), "a green cluster after the node's return", BOUND_S)
    assert {place: ask(*place) for place in PLACES} == expected
    cluster_client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, request_timeout=BOUND_S)
