"""`ror engines up|down|status`: start the real engines locally, or use external ones when configured."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings
from engines.neo4j_server import Neo4jServer
from engines.opensearch_server import OpenSearchServer
from engines.process import EngineStatus


@dataclass(frozen=True)
class Endpoints:
    """Where the product finds its engines, whoever started them."""

    neo4j_uri: str
    opensearch_url: str


def local_servers(settings: Settings, instance: str = "default") -> tuple[Neo4jServer, OpenSearchServer]:
    neo = Neo4jServer(
        engines_dir=settings.engines_dir, instance=instance, bolt_port=settings.neo4j_bolt_port,
        http_port=settings.neo4j_http_port, heap=settings.engine_heap, pagecache=settings.neo4j_pagecache,
        java_home=settings.java_home, timeout=settings.engine_start_timeout,
    )
    search = OpenSearchServer(
        engines_dir=settings.engines_dir, instance=instance, port=settings.opensearch_port,
        heap=settings.engine_heap, java_home=settings.java_home, timeout=settings.engine_start_timeout,
    )
    return neo, search


def up(settings: Settings, instance: str = "default") -> list[EngineStatus]:
    """Start whatever is not external and not already running; idempotent."""
    neo, search = local_servers(settings, instance)
    statuses = []
    if settings.neo4j_uri:
        statuses.append(_external("neo4j", settings.neo4j_uri))
    else:
        statuses.append(neo.start())
    if settings.opensearch_url:
        statuses.append(_external("opensearch", settings.opensearch_url))
    else:
        try:
            statuses.append(search.start())
        except Exception:
            # A half-started stack is worse than none: stop the Neo4j we may have just started.
            if not settings.neo4j_uri:
                neo.stop()
            raise
    return statuses


def down(settings: Settings, instance: str = "default") -> None:
    """Stop exactly the local engines that `up` started (by pid file); external ones are left alone."""
    neo, search = local_servers(settings, instance)
    search.stop()
    neo.stop()


def down_all(settings: Settings) -> list[str]:
    """Stop every local instance under the engines folder (the default one and any left by tests)."""
    root = settings.engines_dir / "instances"
    stopped = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if (folder / "neo4j" / "neo4j.pid").exists() or (folder / "opensearch" / "opensearch.pid").exists():
            down(settings, folder.name)
            stopped.append(folder.name)
    return stopped


def status(settings: Settings, instance: str = "default") -> list[EngineStatus]:
    neo, search = local_servers(settings, instance)
    return [
        _external("neo4j", settings.neo4j_uri) if settings.neo4j_uri else neo.status(),
        _external("opensearch", settings.opensearch_url) if settings.opensearch_url else search.status(),
    ]


def endpoints(settings: Settings, instance: str = "default") -> Endpoints:
    neo, search = local_servers(settings, instance)
    return Endpoints(
        neo4j_uri=settings.neo4j_uri or neo.uri,
        opensearch_url=settings.opensearch_url or search.url,
    )


def _external(name: str, url: str) -> EngineStatus:
    return EngineStatus(name=name, version=None, url=url, running=True, healthy=True, external=True,
                        message="serveur externe (non démarré par ror)")
