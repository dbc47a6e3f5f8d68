"""The index outbox: re-projections that could not reach OpenSearch wait in the graph, and are replayed when it
is back — in the background, without a command.

Issue 19: a capacity entry written while OpenSearch was down answered `indexed: false`, and after the restart
search kept showing the old value until someone ran `ror index sync`. Now a failed push (search/sync.py) queues
its offers as `IndexOutbox` nodes (one per offer and index prefix; private: the console cannot read them), and
the app's replayer (`Replayer`, started by `ror web serve`) looks every few seconds: when entries wait and
OpenSearch answers, it re-projects them from the graph (offers, their professionals and sites, and the other
projections such as the FHIR index) and removes what it replayed. The health endpoint shows the lag
(`stats`: entries waiting, age of the oldest). `ror index sync` stays the catch-all for anything else.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from opensearchpy import OpenSearch

from graph.driver import Graph

log = logging.getLogger(__name__)
REPLAY_EVERY_S = 5.0
BATCH = 200


def queue(graph: Graph, prefix: str, offer_ids: Iterable[str], kind: str, sites: Iterable[str] = ()) -> bool:
    """Keep `offer_ids` (and `sites`) for a later replay; False when even the graph could not take them."""
    ids = sorted({str(i) for i in offer_ids if i})
    if not ids:
        return True
    try:
        graph.write_named("write/index_outbox_queue", prefix=prefix, kind=kind, offer_ids=ids,
                          sites=sorted({s for s in sites if s}))
        return True
    except Exception as exc:  # noqa: BLE001 - both engines down: `ror index sync` is what is left
        log.error("offers %s could not be queued for re-indexing: %s", ids[:5], exc)
        return False


def stats(graph: Graph, prefix: str) -> dict:
    """{"pending": entries waiting, "oldest_seconds": age of the oldest (None when none waits)}."""
    row = graph.read_named("read/index_outbox_stats", prefix=prefix)[0]
    return {"pending": row["pending"], "oldest_seconds": row["oldest_seconds"]}


def replay(graph: Graph, client: OpenSearch, prefix: str) -> int:
    """Re-project the waiting entries (a batch at a time) until none is left; how many were replayed. Raises
    when OpenSearch still fails (the entries stay queued, their attempts counted)."""
    from search.indexer import Indexer
    from search.sync import notify

    replayed = 0
    while True:
        entries = graph.read_named("read/index_outbox_pending", prefix=prefix, limit=BATCH)
        if not entries:
            return replayed
        ids = sorted({e["offer_id"] for e in entries})
        sites = sorted({s for e in entries for s in e["sites"]})
        try:
            indexer = Indexer(graph, client, prefix)
            indexer.sync_offers(ids, professionals=True)
            if sites:
                indexer.sync_sites(sites)
            for kind in sorted({e["kind"] for e in entries}):
                if not notify(graph, client, prefix, sorted({e["offer_id"] for e in entries if e["kind"] == kind}),
                              kind):
                    raise RuntimeError(f"a projection listener failed for {kind} changes")
        except Exception:
            graph.write_named("write/index_outbox_failed", ids=[e["id"] for e in entries])
            raise
        graph.write_named("write/index_outbox_done",
                          entries=[{"id": e["id"], "updated_at": e["updated_at"]} for e in entries])
        replayed += len(entries)
        log.info("index outbox: %d offer(s) re-indexed after an outage", len(entries))


class Replayer:
    """A daemon thread that replays the outbox whenever entries wait and OpenSearch answers."""

    def __init__(self, get_graph: Callable[[], Graph], get_client: Callable[[], OpenSearch], prefix: str,
                 every_s: float = REPLAY_EVERY_S):
        self.get_graph, self.get_client, self.prefix, self.every_s = get_graph, get_client, prefix, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"ror-index-outbox-{prefix}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                graph = self.get_graph()
                if not stats(graph, self.prefix)["pending"]:
                    continue
                client = self.get_client()
                if not client.ping():
                    continue
                replay(graph, client, self.prefix)
            except Exception as exc:  # noqa: BLE001 - an engine is down: try again at the next round
                log.debug("index outbox replay deferred: %s", exc)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
