"""The per-app resources: one Neo4j driver, one OpenSearch client, one orientation service.

They are created once per app (or passed in by the caller, who then keeps ownership), stored in
`app.extensions["ror"]`, and closed by `close(app)` when the app stops.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from ror.errors import ServiceUnavailable
from ror.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    graph: Any = None
    search: Any = None
    owns_graph: bool = False
    owns_search: bool = False
    _orientation: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get_graph(self):
        with self._lock:
            if self.graph is None:
                from engines import manager
                from graph.driver import Graph

                self.graph = Graph.from_settings(self.settings, manager.endpoints(self.settings).neo4j_uri)
                self.owns_graph = True
            return self.graph

    def get_search(self):
        with self._lock:
            if self.search is None:
                from engines import manager
                from search.client import make_client

                self.search = make_client(self.settings, manager.endpoints(self.settings).opensearch_url)
                self.owns_search = True
            return self.search

    @property
    def orientation(self):
        """The orientation service (built on first use, so the app starts even when the engines are down)."""
        if self._orientation is None:
            graph, client = self.get_graph(), self.get_search()
            with self._lock:
                if self._orientation is None:
                    self._orientation = _build_orientation(graph, client, self.settings)
        return self._orientation

    def close(self) -> None:
        with self._lock:
            if self.owns_graph and self.graph is not None:
                self.graph.close()
                self.graph = None
            if self.owns_search and self.search is not None:
                self.search.close()
                self.search = None
            self._orientation = None


def _build_orientation(graph, client, settings: Settings):
    try:
        from search.orientation import OrientationService
    except ImportError as exc:
        raise ServiceUnavailable("Le service d'orientation n'est pas disponible.", detail=str(exc)) from exc
    gazetteer = _gazetteer(settings)
    return OrientationService(graph, client, settings, gazetteer)


def _gazetteer(settings: Settings):
    from geo.gazetteer import Gazetteer
    from geo.geocoder import make_geocoder

    return Gazetteer.from_data_dir(settings.data_dir, geocoder=make_geocoder(settings.geocoder_url))


def services(app: Flask | None = None) -> Services:
    return (app or current_app).extensions["ror"]


def close(app: Flask) -> None:
    """Close the driver and client the app created itself (not those passed in by the caller)."""
    svc = app.extensions.get("ror")
    if svc is not None:
        svc.close()
