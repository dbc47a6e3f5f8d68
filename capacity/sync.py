"""Push the offers touched by a capacity or tension change into the search index right after the commit.

The graph stays the source of truth: if the index cannot be reached the change is kept and the next
`ror index sync` (which watches CapacitySnapshot/TensionAlert `updated_at`) catches up.
"""

from __future__ import annotations

import logging
import threading
import zlib

log = logging.getLogger(__name__)
# Per-process striped locks: the re-projection that runs last also read the graph last, so two concurrent
# entries for one place can never leave the older one in the index.
_STRIPES = [threading.Lock() for _ in range(64)]


def reindex_offers(graph, client, prefix: str, offer_ids: list[str]) -> bool:
    """Re-project `offer_ids` from the graph into the offers index; False when it could not be done."""
    if not offer_ids or client is None:
        return False
    ids = sorted(set(offer_ids))
    lock = _STRIPES[zlib.crc32(ids[0].encode()) % len(_STRIPES)]
    try:
        from search.indexer import Indexer, stream_rows

        indexer = Indexer(graph, client, prefix)
        with lock:
            sync_offers = getattr(indexer, "sync_offers", None)
            if sync_offers is not None:
                sync_offers(ids)
            else:  # until search/ offers a public per-offer sync: the same upsert `sync()` uses
                indexer._upsert("offers", stream_rows(graph, "index/offers", ids=ids), {"ids": {"values": ids}})
        return True
    except Exception as exc:  # noqa: BLE001 - the index is a projection; a failed push is caught up later
        log.warning("offers %s not re-indexed after a capacity/tension change: %s", ids[:5], exc)
        return False
