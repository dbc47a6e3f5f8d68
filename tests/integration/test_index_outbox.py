"""Issue 19, finding 5: a change written while OpenSearch is down reaches search once it is back, without a
command. The test kills its own private OpenSearch, writes a capacity entry (200, `indexed: false`, queued in
the graph's index outbox, shown by the health endpoint), restarts it, and waits — on the condition, with a
generous bound — for search to show the new value and the outbox to empty.
"""

from __future__ import annotations

import os
import shutil

import pytest

from engines import process
from engines.opensearch_server import OpenSearchServer
from search.client import make_client
from search.indexer import Indexer
from search.outbox import stats
from tests.conftest import _free_port_pair
from tests.integration.access_world import bearer, build_world, make_app
from tests.support.waits import wait_until
from web.services import close, services

pytestmark = pytest.mark.integration
PREFIX = "outbox"
WAIT_S = 600  # a guard only: on a loaded machine OpenSearch can take minutes to come back


@pytest.fixture(scope="module")
def private_search(settings):
    """An OpenSearch of this test alone (the session's one is shared by every other test)."""
    instance = f"test-outbox-{os.getpid()}"
    server = OpenSearchServer(engines_dir=settings.engines_dir, instance=instance, port=_free_port_pair(),
                              heap="512m", java_home=settings.java_home,
                              timeout=max(settings.engine_start_timeout, WAIT_S))
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(settings.engines_dir / "instances" / instance, ignore_errors=True)


def available_men(client, offer_id: str):
    try:
        hits = client.search(index=Indexer(None, client, PREFIX).names.alias("offers"),
                             body={"query": {"ids": {"values": [offer_id]}}})["hits"]["hits"]
    except Exception:  # noqa: BLE001 - not up yet
        return None
    return ((hits[0]["_source"].get("capacity") or {}).get("available_men")) if hits else None


def test_search_catches_up_after_an_outage_without_a_command(graph, engine_endpoints, settings, private_search,
                                                             tmp_path):
    tokens = build_world(graph, engine_endpoints)
    client = make_client(settings, private_search.url)
    Indexer(graph, client, PREFIX).build()
    app = make_app(settings.replace(index_prefix=PREFIX, var_dir=tmp_path), graph, client)
    services(app).start_index_replayer()  # what `ror web serve` does
    http = app.test_client()

    def enter(count: int):
        return http.put("/api/v1/places/pl-a/capacity", json={"available_men": count, "available_women": 0},
                        headers=bearer(tokens["contrib_a"]))

    try:
        before = enter(3)
        assert before.status_code == 200 and before.get_json()["indexed"] is True
        offer_id = before.get_json()["offer_ids"][0]
        wait_until(lambda: available_men(client, offer_id) == 3, "the first value in search",  # refresh: 1 s
                   WAIT_S, poll=1)

        private_search.stop()
        assert not process.port_in_use(private_search.port)
        during = enter(7)
        assert during.status_code == 200 and during.get_json()["indexed"] is False  # kept in the graph
        assert stats(graph, PREFIX)["pending"] >= 1
        health = http.get("/api/v1/health").get_json()
        assert health["index_outbox"]["pending"] >= 1 and health["index_outbox"]["oldest_seconds"] >= 0

        private_search.start()
        wait_until(lambda: available_men(client, offer_id) == 7, "the new value in search", WAIT_S, poll=1)
        wait_until(lambda: stats(graph, PREFIX)["pending"] == 0, "an empty outbox", WAIT_S, poll=1)
        assert http.get("/api/v1/health").get_json()["index_outbox"] == {"pending": 0, "oldest_seconds": None}
    finally:
        close(app)
        client.close()
