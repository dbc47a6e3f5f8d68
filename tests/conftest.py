"""Session fixtures: the real Neo4j and OpenSearch, started once per test run on free ports.

When NEO4J_URI / OPENSEARCH_URL are set, those servers are used instead and nothing is started.
Tests only ever wipe a database they started themselves, or one explicitly allowed by ROR_TEST_ALLOW_WIPE=1.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from core.settings import Settings
from engines import manager, process

# Process-wide state a test module may change and the next one must not inherit (issue 19: a CI run failed on a
# test that found the FHIR index's listeners installed by another module's app, pushing to its fake client).
HOOK_LISTS = ("change_listeners", "build_hooks", "sync_hooks")  # search.sync: filled by fhir_api.register / the CLI


@pytest.fixture(scope="module", autouse=True)
def _module_leaves_no_global_state():
    """Each test module starts from the process state the previous one found: environment variables and the write
    listeners of `search.sync` are put back when the module ends (its module-scoped apps are gone by then)."""
    environ = dict(os.environ)
    sync = sys.modules.get("search.sync")
    hooks = {name: list(getattr(sync, name)) for name in HOOK_LISTS} if sync else {}
    yield
    if dict(os.environ) != environ:
        os.environ.clear()
        os.environ.update(environ)
    sync = sys.modules.get("search.sync")
    if sync is not None:
        for name in HOOK_LISTS:
            getattr(sync, name)[:] = hooks.get(name, [])


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def engine_endpoints(settings: Settings):
    """Endpoints of real engines for this test session (own instance, free ports, stopped at the end)."""
    if settings.neo4j_uri and settings.opensearch_url:
        yield manager.endpoints(settings), os.environ.get("ROR_TEST_ALLOW_WIPE") == "1"
        return
    slot = _engine_slot()
    instance = f"test-{os.getpid()}"
    test_settings = settings.replace(
        neo4j_bolt_port=process.free_port(), neo4j_http_port=process.free_port(),
        opensearch_port=_free_port_pair(), engine_heap="1g", neo4j_pagecache="256m",  # fixed footprint per slot
    )
    try:
        manager.up(test_settings, instance)
        yield manager.endpoints(test_settings, instance), True
    finally:
        manager.down(test_settings, instance)
        shutil.rmtree(test_settings.engines_dir / "instances" / instance, ignore_errors=True)
        slot.close()


def _engine_slot():
    """Hold one of ROR_TEST_ENGINE_SLOTS machine-wide slots while this session's engines run.

    Several test sessions on one developer machine each start a Neo4j and an OpenSearch (≈ 2.7 GB); past a few, the
    machine swaps and every session slows to a crawl. A session alone (CI) takes a slot at once. The lock is an
    flock, so a killed session frees its slot.
    """
    slots = max(1, int(os.environ.get("ROR_TEST_ENGINE_SLOTS", "3")))
    folder = Path(tempfile.gettempdir()) / "ror-test-engine-slots"
    folder.mkdir(exist_ok=True)
    waited = False
    while True:
        for i in range(slots):
            handle = open(folder / f"slot-{i}.lock", "w")  # held for the whole session
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                handle.close()
        if not waited:
            print(f"\nwaiting for a free test-engine slot ({slots} in use on this machine)…", file=sys.stderr)
            waited = True
        time.sleep(2)


def _free_port_pair() -> int:
    """OpenSearch uses port and port+100 (transport)."""
    for _ in range(50):
        port = process.free_port()
        if port + 100 < 65535 and not process.port_in_use(port + 100):
            return port
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="session")
def graph(settings, engine_endpoints):
    from graph.driver import Graph

    endpoints, _ = engine_endpoints
    g = Graph.from_settings(settings, endpoints.neo4j_uri)
    yield g
    g.close()


@pytest.fixture(scope="session")
def search_client(settings, engine_endpoints):
    from search.client import make_client

    endpoints, _ = engine_endpoints
    # The tests' own setup and admin calls (index creation, bulk loads, deletes) wait as long as a loaded CI machine
    # needs; the product's 10 s client default is for people waiting on a page, not for fixtures.
    client = make_client(settings, endpoints.opensearch_url, timeout=120)
    yield client
    client.close()


@pytest.fixture
def empty_graph(graph, engine_endpoints):
    """A wiped database (refused on a server the tests did not start, unless allowed)."""
    _, may_wipe = engine_endpoints
    if not may_wipe and graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] > 0:
        pytest.fail("Refusing to wipe a non-empty external Neo4j; set ROR_TEST_ALLOW_WIPE=1 to allow it.")
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    return graph
