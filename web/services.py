"""The per-app resources: one Neo4j driver, one OpenSearch client, one orientation service.

They are created once per app (or passed in by the caller, who then keeps ownership), stored in
`app.extensions["ror"]`, and closed by `close(app)` when the app stops.
"""

from __future__ import annotations

import gc
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from core.errors import ServiceUnavailable
from core.settings import Settings
from search.sync import IndexSync

log = logging.getLogger(__name__)
INTERACTIVE_POOL = 100  # above the server's threads (64): a request never waits for a connection another holds
REACHABLE_TTL_S = 5.0  # how long a successful reachability probe is trusted
PROBE_TIMEOUT_S = 0.5


@dataclass
class Services:
    settings: Settings
    graph: Any = None
    search: Any = None
    owns_graph: bool = False
    owns_search: bool = False
    _orientation: Any = None
    _board_tables: Any = None
    _population_tables: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _reachable_until: float = 0.0
    probe: bool = True  # unit tests that inject a stand-in service turn the reachability probe off
    closers: list = field(default_factory=list)  # called by `close` (e.g. the console's worker processes)
    _replayer: Any = None  # the index outbox's replayer (search/outbox.py), started by `ror web serve`
    # Set by the servers (`ror web serve`, one or several processes): the orientation service's tables, built once
    # per process, are then moved out of the collector's reach (gc.freeze) as soon as they are built.
    freeze_after_build: bool = False

    def get_graph(self):
        with self._lock:
            if self.graph is None:
                from engines import manager
                from graph.driver import Graph

                self.graph = Graph.from_settings(self.settings, manager.endpoints(self.settings).neo4j_uri,
                                                 interactive=True, pool_size=INTERACTIVE_POOL)
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

    def index_sync(self) -> IndexSync:
        """Where the app's writes push their changes into the search index. Without a client (OpenSearch could not
        be set up) the writes still happen and answer `indexed: false`; `ror index sync` catches up."""
        try:
            client = self.get_search()
        except Exception:  # noqa: BLE001 - the graph write must not depend on the index
            client = None
        return IndexSync(self.get_graph(), client, self.settings.index_prefix)

    def ensure_reachable(self, *, search: bool = True) -> None:
        """Fail fast (503) when an engine's port does not answer, instead of waiting for driver retries.

        The Neo4j driver retries a failed transaction for up to 30 s; a person on the phone needs the
        "service indisponible" banner at once. A successful probe is trusted for a few seconds.
        """
        if not self.probe or time.monotonic() < self._reachable_until:
            return
        engines = [("Neo4j", _address(getattr(self.get_graph(), "uri", None), 7687))]
        if search:
            engines.append(("OpenSearch", _search_address(self.get_search())))
        for name, address in engines:
            if address and not _port_open(*address):
                raise ServiceUnavailable(
                    "La base de données de l'offre de soins est indisponible pour le moment." if name == "Neo4j"
                    else "Le service de recherche est indisponible pour le moment.",
                    detail=f"{name} at {address[0]}:{address[1]} does not answer")
        if search:  # a success without the search engine's probe says nothing about it
            self._reachable_until = time.monotonic() + REACHABLE_TTL_S

    @property
    def orientation(self):
        """The orientation service (built on first use, so the app starts even when the engines are down)."""
        self.ensure_reachable()
        return self._orientation_service()

    @property
    def details(self):
        """The orientation service for the detail reads (a site, an offer), which come from the graph only: they
        answer while the search index is down (issue 19: they were 503 although the graph had the data)."""
        self.ensure_reachable(search=False)
        return self._orientation_service()

    def _orientation_service(self):
        if self._orientation is None:
            graph, client = self.get_graph(), self.get_search()
            built = False
            with self._lock:
                if self._orientation is None:
                    self._orientation, built = _build_orientation(graph, client, self.settings), True
            if built and self.freeze_after_build:  # outside the lock: the graph and client stay available
                _out_of_collector(self._orientation)
        return self._orientation

    @property
    def board_tables(self):
        """The capacity board's in-memory région tables of this app (capacity/board_table.py)."""
        graph = self.get_graph()
        with self._lock:
            if self._board_tables is None or self._board_tables.graph is not graph:
                from capacity.board_table import BoardTables

                self._board_tables = BoardTables(graph)
            return self._board_tables

    @property
    def population_tables(self):
        """The population follow-up kept per région for this app (quality/population.py)."""
        graph = self.get_graph()
        with self._lock:
            if self._population_tables is None or self._population_tables.graph is not graph:
                from quality.population import PopulationTables

                self._population_tables = PopulationTables(graph)
            return self._population_tables

    def start_index_replayer(self) -> None:
        """Replay the index outbox in the background whenever OpenSearch answers (idempotent)."""
        from search.outbox import Replayer

        with self._lock:
            if self._replayer is None:
                self._replayer = Replayer(self.get_graph, self.get_search, self.settings.index_prefix)
                self.closers.append(self._replayer.stop)

    def close(self) -> None:
        while self.closers:
            self.closers.pop()()
        with self._lock:
            if self.owns_graph and self.graph is not None:
                self.graph.close()
                self.graph = None
            if self.owns_search and self.search is not None:
                self.search.close()
                self.search = None
            self._orientation = None
            self._board_tables = None
            self._population_tables = None


def _address(uri: str | None, default_port: int) -> tuple[str, int] | None:
    if not uri:
        return None
    parts = urlsplit(uri)
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or default_port


def _search_address(client) -> tuple[str, int] | None:
    hosts = getattr(getattr(client, "transport", None), "hosts", None) or []
    if not hosts or not isinstance(hosts[0], dict):
        return None
    host = hosts[0]
    return host.get("host", "127.0.0.1"), int(host.get("port") or 9200)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def _build_orientation(graph, client, settings: Settings):
    from search.orientation import OrientationService

    gazetteer = _gazetteer(settings)
    return OrientationService(graph, client, settings, gazetteer)


def _out_of_collector(service) -> None:
    """Build the service's long-lived tables now and move everything the process holds out of the collector's
    full passes. The gazetteer (35k communes), the NOS vocabulary and the text interpreter's word index live as long
    as the process; left in the oldest generation, every full pass traversed them: 50-100 ms with the process's
    threads stopped, every few seconds under load, the p99 of the orientation endpoints (issue 15)."""
    try:
        service.prepare()
    except Exception as exc:  # noqa: BLE001 - a table not built now is built by the first request that needs it
        log.warning("could not prepare the orientation tables: %s", exc)
    gc.freeze()


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
