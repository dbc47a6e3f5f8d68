"""A local OpenSearch cluster's layout, configuration and client, without starting a JVM."""

from __future__ import annotations

import pytest

from core.errors import EngineError
from core.settings import Settings
from engines import manager, sizing
from search.client import make_client


@pytest.fixture
def cluster_settings(tmp_path) -> Settings:
    return Settings.from_env({}, engines_dir=tmp_path, opensearch_port=19200, search_nodes=3)


def test_each_node_has_its_own_ports_folder_and_small_heap(cluster_settings, tmp_path):
    servers = manager.search_servers(cluster_settings, "x")
    assert [s.url for s in servers] == [f"http://127.0.0.1:{19200 + i}" for i in range(3)]
    assert [s.ports() for s in servers] == [(19200 + i, 19300 + i) for i in range(3)]
    assert [s.home for s in servers] == [tmp_path / "instances" / "x" / f"opensearch-node{i}" for i in range(3)]
    assert {s.heap for s in servers} == {"512m"}
    single = manager.search_servers(cluster_settings.replace(search_nodes=1), "x")
    assert [(s.home.name, s.heap) for s in single] == [("opensearch", sizing.heap("auto"))]  # sized from memory
    pinned = manager.search_servers(cluster_settings.replace(search_nodes=1, engine_heap="1g"), "x")
    assert [s.heap for s in pinned] == ["1g"]


def test_cluster_nodes_discover_each_other_on_loopback(cluster_settings):
    server = manager.search_servers(cluster_settings, "x")[1]
    server._write_config()
    config = (server.home / "config" / "opensearch.yml").read_text()
    assert "node.name: ror-local-1\n" in config
    assert "http.port: 19201\n" in config and "transport.port: 19301\n" in config
    assert 'discovery.seed_hosts: ["127.0.0.1:19300", "127.0.0.1:19301", "127.0.0.1:19302"]' in config
    assert 'cluster.initial_cluster_manager_nodes: ["ror-local-0", "ror-local-1", "ror-local-2"]' in config
    assert "single-node" not in config
    assert "-Xmx512m" in (server.home / "config" / "jvm.options").read_text()


def test_single_node_keeps_single_node_discovery(cluster_settings):
    server = manager.search_servers(cluster_settings.replace(search_nodes=1), "x")[0]
    server._write_config()
    config = (server.home / "config" / "opensearch.yml").read_text()
    assert "discovery.type: single-node\n" in config and "seed_hosts" not in config


def test_endpoints_list_every_node_of_the_running_cluster(cluster_settings):
    single = cluster_settings.replace(search_nodes=1)
    assert manager.endpoints(single, "x").opensearch_url == "http://127.0.0.1:19200"
    record = cluster_settings.engines_dir / "instances" / "x" / "opensearch-nodes"
    record.parent.mkdir(parents=True)
    record.write_text("3")  # what `up --search-nodes 3` leaves while the cluster runs
    assert manager.endpoints(single, "x").opensearch_url == ",".join(
        f"http://127.0.0.1:{19200 + i}" for i in range(3))


def test_node_count_is_bounded(cluster_settings):
    with pytest.raises(EngineError, match="ROR_SEARCH_NODES"):
        manager.search_servers(cluster_settings.replace(search_nodes=10), "x")


def test_client_is_given_every_node_and_retries_on_another(cluster_settings):
    client = make_client(cluster_settings, "http://127.0.0.1:19200, http://127.0.0.1:19201,http://127.0.0.1:19202")
    hosts = sorted(c.host for c in client.transport.connection_pool.connections)
    assert hosts == [f"http://127.0.0.1:{19200 + i}" for i in range(3)]
    assert client.transport.max_retries == 3
    assert make_client(cluster_settings, "http://127.0.0.1:19200").transport.max_retries == 1
