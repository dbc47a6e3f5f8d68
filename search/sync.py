"""Push the offers touched by a capacity or tension change into the search index right after the commit.

Requests hand their offer ids to background pushers (SHARDS per graph/index client/prefix; an offer always goes
to the same one): each gathers what arrives within a few milliseconds and re-projects it in one go (group
re-indexing), so concurrent entries share the cost. The pushes of one offer happen one after another in its
shard (a later push always re-reads the graph after an earlier one, so an older state never overwrites a newer
one), while different offers are pushed in parallel. The request waits for its pushes.

The graph stays the source of truth: if the index cannot be reached the change is kept, the response says
so, and the offers are queued in the graph's index outbox (search/outbox.py), replayed in the background as
soon as OpenSearch answers again; `ror index sync` (which watches `updated_at`) remains the catch-all.

Other projections of the graph follow the same writes through the registries below (higher floors register:
the FHIR search index, `fhir_api.index.listeners`): `change_listeners(graph, client, prefix, offer_ids, kind)`
run after each push (`kind` "capacity" for capacity/tension, "offer" for status/description), `build_hooks` and
`sync_hooks(graph, client, settings, echo)` after `ror index build` / `ror index sync`.

Write services receive an `IndexSync` (the graph, the index client and the index prefix, owned by the app's
services: `web.services.Services.index_sync`) and call `offers` or `offer_change` on it after their commit.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from opensearchpy import OpenSearch

from graph.driver import Graph
from search import outbox

log = logging.getLogger(__name__)
WINDOW_SECONDS = 0.02
MAX_IDS = 500
WAIT_SECONDS = 10.0
# Pushers per process. On the 2-vCPU test machine one pusher (bigger groups) sustained more writes than eight
# (docs/benchmarks.md); raise it on machines with more cores.
SHARDS = 1


def _push(graph: Graph, client: OpenSearch, prefix: str, ids: list[str]) -> None:
    from search.indexer import Indexer

    Indexer(graph, client, prefix).sync_offers(ids, relocate=False)  # a capacity/tension change moves nothing


class _Pusher:
    def __init__(self, graph: Graph, client: OpenSearch, prefix: str):
        self.graph, self.client, self.prefix = graph, client, prefix
        self.pending: list[tuple[list[str], Future]] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._run, name=f"ror-reindex-{prefix}", daemon=True).start()

    def submit(self, ids: list[str]) -> Future:
        future: Future = Future()
        with self.cond:
            self.pending.append((ids, future))
            self.cond.notify()
        return future

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.pending:
                    self.cond.wait()
            time.sleep(WINDOW_SECONDS)  # let concurrent requests join this push
            with self.cond:
                batch, self.pending = self.pending, []
            ids = sorted({i for group, _ in batch for i in group})
            ok = True
            try:
                for start in range(0, len(ids), MAX_IDS):
                    _push(self.graph, self.client, self.prefix, ids[start:start + MAX_IDS])
            except Exception as exc:  # noqa: BLE001 - the index is a projection; a failed push is caught up later
                ok = False
                log.warning("offers %s not re-indexed after a capacity/tension change: %s", ids[:5], exc)
            for start in range(0, len(ids), MAX_IDS):  # the other projections, each on its own
                ok = notify(self.graph, self.client, self.prefix, ids[start:start + MAX_IDS], "capacity") and ok
            if not ok:
                outbox.queue(self.graph, self.prefix, ids, "capacity")
            for _, future in batch:
                future.set_result(ok)


change_listeners: list[Callable] = []
build_hooks: list[Callable] = []
sync_hooks: list[Callable] = []


def notify(graph: Graph, client: OpenSearch | None, prefix: str, ids: Sequence[str], kind: str) -> bool:
    ok = True
    for listener in list(change_listeners):
        try:
            listener(graph, client, prefix, ids, kind)
        except Exception as exc:  # noqa: BLE001 - a projection; `ror index sync` catches up
            ok = False
            log.warning("listener %s failed for offers %s: %s", getattr(listener, "__name__", listener), ids[:5], exc)
    return ok


_pushers: dict[tuple, _Pusher] = {}
_lock = threading.Lock()


def _pusher(graph: Graph, client: OpenSearch, prefix: str, shard: int) -> _Pusher:
    key = (os.getpid(), id(graph), id(client), prefix, shard)  # a forked child does not inherit the thread
    with _lock:
        pusher = _pushers.get(key)
        if pusher is None or pusher.graph is not graph or pusher.client is not client:
            pusher = _pushers[key] = _Pusher(graph, client, prefix)
        return pusher


def reindex_offers(graph: Graph, client: OpenSearch | None, prefix: str, offer_ids: Sequence[str]) -> bool:
    """Re-project `offer_ids` from the graph into the offers index; False when it could not be done."""
    if not offer_ids or client is None:
        return False
    by_shard: dict[int, list[str]] = {}
    for offer_id in sorted(set(offer_ids)):
        by_shard.setdefault(zlib.crc32(offer_id.encode()) % SHARDS, []).append(offer_id)
    futures = [_pusher(graph, client, prefix, shard).submit(ids) for shard, ids in by_shard.items()]
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        return all([f.result(timeout=max(0.0, deadline - time.monotonic())) for f in futures])
    except TimeoutError:
        log.warning("re-indexing of offers %s still pending after %.0f s", offer_ids[:5], WAIT_SECONDS)
        return False


def reindex_offer_change(graph: Graph, client: OpenSearch | None, prefix: str, offer_ids: Sequence[str],
                         sites: Sequence[str] = ()) -> bool:
    """After a status or description change: the offers (with their professional roles) and their sites
    (activities and count of published offers) re-projected now, in the caller's thread. False when the
    index could not be reached (the graph keeps the change and the offers wait in the index outbox)."""
    if not offer_ids or client is None:
        return False
    from search.indexer import Indexer

    ok = True
    try:
        indexer = Indexer(graph, client, prefix)
        indexer.sync_offers(offer_ids, professionals=True)
        if sites:
            indexer.sync_sites([s for s in sites if s])
    except Exception as exc:  # noqa: BLE001 - the index is a projection; a failed push is caught up later
        log.warning("offers %s not re-indexed after a status/description change: %s", offer_ids[:5], exc)
        ok = False
    ok = notify(graph, client, prefix, sorted(set(offer_ids)), "offer") and ok
    if not ok:
        outbox.queue(graph, prefix, offer_ids, "offer", sites)
    return ok


@dataclass(frozen=True)
class IndexSync:
    """Where a write pushes its change into the search index, right after its commit. `client` None: there is no
    index to push to (the graph keeps the change and `ror index sync` catches up); every push then answers False."""

    graph: Graph
    client: OpenSearch | None
    prefix: str

    def offers(self, offer_ids: Sequence[str]) -> bool:
        """After a capacity or tension change: the offers' documents re-projected (grouped with concurrent pushes)."""
        return reindex_offers(self.graph, self.client, self.prefix, offer_ids)

    def offer_change(self, offer_ids: Sequence[str], sites: Sequence[str] = ()) -> bool:
        """After a status, description or contact change: the offers, their roles and their sites re-projected."""
        return reindex_offer_change(self.graph, self.client, self.prefix, offer_ids, sites)
