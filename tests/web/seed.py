"""A small real graph and index for the web tests: NOS, territories, the FINESS sample (01, 2A, 971) and the
synthetic offer of those départements, indexed under a prefix of its own.

The graph is shared with other test modules of the session (which may wipe it), so `ensure_seeded` checks a
fingerprint and reloads only when it no longer matches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from core.settings import Settings

DEPARTMENTS = {"01", "2A", "971"}
SAMPLE = "finess/finess_etablissements_2021-01_sample_01_2A_971.csv"
SEED = 7
INDEX_PREFIX = "webtest"
TIMINGS: dict[str, float] = {}  # seconds per seeding step, printed by the tests for CI logs


@dataclass(frozen=True)
class Fingerprint:
    sites: int
    offers: int
    indexed_offers: int


def fingerprint(graph, client, prefix: str) -> Fingerprint:
    row = graph.read("MATCH (s:Site) WITH count(s) AS sites MATCH (o:Offer) RETURN sites, count(o) AS offers")
    sites, offers = (row[0]["sites"], row[0]["offers"]) if row else (0, 0)
    try:
        indexed = client.count(index=f"{prefix}-offers")["count"]
    except Exception:  # noqa: BLE001 - a missing alias simply means "not indexed"
        indexed = -1
    return Fingerprint(sites, offers, indexed)


def seed(graph, client, settings: Settings) -> Fingerprint:
    """Wipe, load and index the fixture data; return its fingerprint."""
    from loaders.finess import load_finess
    from loaders.generator import generate_offer
    from loaders.nos import load_nos
    from loaders.territories import load_territories
    from search.indexer import Indexer

    steps = (
        ("wipe", lambda: graph.run_autocommit(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")),
        ("schema", graph.apply_schema),
        ("nos", lambda: load_nos(graph, settings.data_dir)),
        ("territories", lambda: load_territories(graph, settings.data_dir)),
        ("finess", lambda: load_finess(graph, settings.data_dir / SAMPLE, settings.data_dir,
                                       departments=DEPARTMENTS)),
        ("generate", lambda: generate_offer(graph, settings.data_dir, seed=SEED, departments=DEPARTMENTS)),
        ("index", lambda: Indexer(graph, client, settings.index_prefix).build()),
    )
    for name, step in steps:
        started = time.perf_counter()
        step()
        TIMINGS[name] = round(time.perf_counter() - started, 1)
    return fingerprint(graph, client, settings.index_prefix)


MARKER_INDEX = f"{INDEX_PREFIX}-fixture"


def _recorded(client) -> Fingerprint | None:
    """The fingerprint recorded after the last seeding (kept in OpenSearch, so a reused server skips it)."""
    try:
        return Fingerprint(**client.get(index=MARKER_INDEX, id="fingerprint")["_source"])
    except Exception:  # noqa: BLE001 - no marker: never seeded here
        return None


def ensure_seeded(graph, client, settings: Settings, may_wipe: bool) -> Settings:
    """Settings for an app on the seeded data (reseeding if another test changed the graph)."""
    web_settings = settings.replace(index_prefix=INDEX_PREFIX)
    known = _recorded(client)
    if known is not None and known.offers > 0 and fingerprint(graph, client, INDEX_PREFIX) == known:
        return web_settings
    if not may_wipe and graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] > 0:
        raise RuntimeError("Refusing to wipe a non-empty external Neo4j; set ROR_TEST_ALLOW_WIPE=1 to allow it.")
    fp = seed(graph, client, web_settings)
    if not client.indices.exists(index=MARKER_INDEX):
        client.indices.create(index=MARKER_INDEX, body={"settings": {"number_of_replicas": 0}})
    client.index(index=MARKER_INDEX, id="fingerprint", body=fp.__dict__, refresh=True)
    return web_settings
