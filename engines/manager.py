"""`ror engines up|down|status`: start the real engines locally, or use external ones when configured."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.errors import EngineError
from core.settings import Settings
from engines import process, sizing
from engines.neo4j_server import Neo4jServer
from engines.opensearch_server import OpenSearchServer
from engines.process import EngineStatus


@dataclass(frozen=True)
class Endpoints:
    """Where the product finds its engines, whoever started them."""

    neo4j_uri: str
    opensearch_url: str


def local_servers(settings: Settings, instance: str = "default") -> tuple[Neo4jServer, OpenSearchServer]:
    """The local Neo4j and the first OpenSearch node (the only one unless a cluster runs)."""
    return neo4j_server(settings, instance), search_servers(settings, instance)[0]


def neo4j_server(settings: Settings, instance: str = "default") -> Neo4jServer:
    return Neo4jServer(
        engines_dir=settings.engines_dir, instance=instance, bolt_port=settings.neo4j_bolt_port,
        http_port=settings.neo4j_http_port, heap=sizing.heap(settings.engine_heap),
        pagecache=sizing.pagecache(settings.neo4j_pagecache),
        java_home=settings.java_home, timeout=settings.engine_start_timeout,
    )


def search_servers(settings: Settings, instance: str = "default", nodes: int | None = None) -> list[OpenSearchServer]:
    """Every local OpenSearch node: as many as `up` started for this instance, else ROR_SEARCH_NODES."""
    count = nodes or running_search_nodes(settings, instance) or settings.search_nodes
    heap = sizing.heap(settings.engine_heap if count == 1 else settings.search_node_heap)
    return [
        OpenSearchServer(
            engines_dir=settings.engines_dir, instance=instance, port=settings.opensearch_port, heap=heap,
            java_home=settings.java_home, timeout=settings.engine_start_timeout, node=node, nodes=count,
        )
        for node in range(count)
    ]


def _nodes_record(settings: Settings, instance: str) -> Path:
    return settings.engines_dir / "instances" / instance / "opensearch-nodes"


def running_search_nodes(settings: Settings, instance: str = "default") -> int | None:
    """The node count `up` recorded for this instance (kept until `down`), so every command finds every node."""
    try:
        return int(_nodes_record(settings, instance).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def up(settings: Settings, instance: str = "default") -> list[EngineStatus]:
    """Start whatever is not external and not already running; idempotent.

    With ROR_SEARCH_NODES > 1 every OpenSearch node is spawned first and waited for afterwards: a cluster elects
    its manager only once a majority of its nodes runs."""
    neo = neo4j_server(settings, instance)
    statuses = []
    if settings.neo4j_uri:
        statuses.append(_external("neo4j", settings.neo4j_uri))
    else:
        statuses.append(neo.start())
    if settings.opensearch_url:
        statuses.append(_external("opensearch", settings.opensearch_url))
        return statuses
    running = running_search_nodes(settings, instance)
    if running and running != settings.search_nodes and any(
            server.status().running for server in search_servers(settings, instance, running)):
        if not settings.neo4j_uri:
            neo.stop()
        raise EngineError(
            f"{running} nœud(s) OpenSearch tournent déjà pour l'instance « {instance} » : arrêtez-les "
            f"(ror engines down) avant d'en démarrer {settings.search_nodes}."
        )
    servers = search_servers(settings, instance, settings.search_nodes)
    try:
        record = _nodes_record(settings, instance)
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(str(len(servers)))
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        statuses.extend(server.status() for server in servers)
    except Exception:
        # A half-started stack is worse than none: stop what we may have just started.
        _stop_search(settings, instance)
        if not settings.neo4j_uri:
            neo.stop()
        raise
    return statuses


def down(settings: Settings, instance: str = "default") -> None:
    """Stop exactly the local engines that `up` started (by pid file); external ones are left alone."""
    _stop_search(settings, instance)
    neo4j_server(settings, instance).stop()


def _stop_search(settings: Settings, instance: str) -> None:
    """Stop every OpenSearch node of the instance, single or cluster, whatever the settings say now."""
    folder = settings.engines_dir / "instances" / instance
    for nodes in sorted({1, running_search_nodes(settings, instance) or 1, *_cluster_sizes(folder)}):
        for server in search_servers(settings, instance, nodes):
            server.stop()
    _nodes_record(settings, instance).unlink(missing_ok=True)


def _cluster_sizes(folder: Path) -> set[int]:
    """Cluster sizes whose node folders exist (one size per highest node folder found)."""
    found = [int(p.name.removeprefix("opensearch-node")) for p in folder.glob("opensearch-node[0-9]")]
    return {max(found) + 1} if found else set()


def down_all(settings: Settings) -> list[str]:
    """Stop every local instance under the engines folder (the default one and any left by tests)."""
    root = settings.engines_dir / "instances"
    stopped = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if (folder / "neo4j" / "neo4j.pid").exists() or any(folder.glob("opensearch*/opensearch.pid")):
            down(settings, folder.name)
            stopped.append(folder.name)
    return stopped


def status(settings: Settings, instance: str = "default") -> list[EngineStatus]:
    neo = neo4j_server(settings, instance)
    statuses = [_external("neo4j", settings.neo4j_uri) if settings.neo4j_uri else neo.status()]
    if settings.opensearch_url:
        return [*statuses, _external("opensearch", settings.opensearch_url)]
    return [*statuses, *(server.status() for server in search_servers(settings, instance))]


def cluster_health(settings: Settings, instance: str = "default") -> dict | None:
    """`_cluster/health` as the first answering node sees it (local or external), or None if none answers."""
    urls = (settings.opensearch_url.split(",") if settings.opensearch_url
            else [server.url for server in search_servers(settings, instance)])
    for url in urls:
        try:
            code, body = process.http_get(url.strip().rstrip("/") + "/_cluster/health", timeout=3.0)
        except OSError:
            continue
        if code == 200:
            return json.loads(body)
    return None


def endpoints(settings: Settings, instance: str = "default") -> Endpoints:
    """Where the product finds its engines; a cluster's URL lists every node, comma-separated."""
    return Endpoints(
        neo4j_uri=settings.neo4j_uri or neo4j_server(settings, instance).uri,
        opensearch_url=settings.opensearch_url or ",".join(s.url for s in search_servers(settings, instance)),
    )


def _external(name: str, url: str) -> EngineStatus:
    return EngineStatus(name=name, version=None, url=url, running=True, healthy=True, external=True,
                        message="serveur externe (non démarré par ror)")
