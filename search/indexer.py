"""Build (versioned indices + atomic alias swap) and incremental sync of the search index from the graph."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from opensearchpy import OpenSearch, helpers

from core.errors import BadRequest
from graph.driver import Graph
from search.client import translated
from search.documents import DOCUMENT_ID, NO_REGION, TO_DOCUMENT, region_of
from search.mappings import KINDS, index_body, meta_body

BULK_CHUNK = 2000
BULK_THREADS = 2
SWAP_GRACE_SECONDS = 2.0
SYNC_BATCH = 1000
META_ID = "sync"


@dataclass(frozen=True)
class IndexNames:
    prefix: str

    def alias(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"

    def physical(self, kind: str, region: str, version: int) -> str:
        return f"{self.prefix}-{kind}-{region.lower()}-v{version}"

    def pattern(self, kind: str) -> str:
        return f"{self.prefix}-{kind}-*-v*"

    def parse(self, kind: str, index: str) -> tuple[str, int] | None:
        """(region, version) of a physical index name of this kind."""
        match = re.fullmatch(rf"{re.escape(self.prefix)}-{kind}-([0-9a-z]+)-v(\d+)", index)
        return (match.group(1), int(match.group(2))) if match else None

    @property
    def meta(self) -> str:
        return f"{self.prefix}-meta"


@dataclass
class BuildReport:
    version: int
    counts: dict[str, int] = field(default_factory=dict)
    indices: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class SyncReport:
    since: datetime | None
    watermark: datetime | None
    offers: int = 0
    sites: int = 0
    professionals: int = 0
    seconds: float = 0.0


# A build's admin calls (settings, refresh of a hundred fresh indices) take well over the client's interactive
# 10 s on a loaded machine; the national build failed there twice before this bound.
BUILD_ADMIN_TIMEOUT_S = 120


def graph_now(graph: Graph) -> datetime:
    return graph.read("RETURN datetime() AS now")[0]["now"]


class Indexer:
    def __init__(self, graph: Graph, client: OpenSearch, prefix: str):
        self.graph, self.client, self.names = graph, client, IndexNames(prefix)

    # ------------------------------------------------------------------------------------------- build

    def build(self, kinds: Iterable[str] = KINDS, progress: Callable[[str, int], None] | None = None) -> BuildReport:
        """New versioned indices per région, filled from the graph (kinds in parallel), then every alias
        swapped in one atomic request: searches keep working on the previous version until then."""
        started = time.perf_counter()
        kinds = list(kinds)
        self.graph.replan()  # the documents are read with plans made on current statistics
        watermark = graph_now(self.graph)
        regions = [row["code"] for row in self.graph.read_named("index/regions")]
        with translated():
            version = self._next_version()
            report = BuildReport(version=version)
            with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
                futures = {kind: pool.submit(self._fill, kind, regions, version, progress) for kind in kinds}
                for kind, future in futures.items():
                    report.counts[kind], report.indices[kind] = future.result()
            self._swap(report.indices)
            self._save_meta(watermark, version)
        report.seconds = time.perf_counter() - started
        return report

    def _fill(self, kind: str, regions: list[str], version: int,
              progress: Callable[[str, int], None] | None) -> tuple[int, list[str]]:
        created = {r.lower(): self._create(self.names.physical(kind, r, version), kind) for r in regions}
        count = self._bulk(kind, self.graph.stream_named(f"index/{kind}", ids=None), created, version, progress)
        for index in created.values():
            self.client.indices.put_settings(index=index, body={"index": {"refresh_interval": "1s"}},
                                             request_timeout=BUILD_ADMIN_TIMEOUT_S)
        self.client.indices.refresh(index=",".join(created.values()), request_timeout=BUILD_ADMIN_TIMEOUT_S)
        return count, sorted(created.values())

    def _next_version(self) -> int:
        existing = self.client.indices.get(index=f"{self.names.prefix}-*", ignore_unavailable=True,
                                           allow_no_indices=True, expand_wildcards="open")
        versions = [parsed[1] for kind in KINDS for index in existing if (parsed := self.names.parse(kind, index))]
        return max(versions, default=0) + 1

    def _create(self, index: str, kind: str) -> str:
        self.client.indices.create(index=index, body=index_body(kind), request_timeout=BUILD_ADMIN_TIMEOUT_S)
        return index

    def _bulk(self, kind: str, rows: Iterable[dict], indices: dict[str, str], version: int,
              progress: Callable[[str, int], None] | None) -> int:
        def actions() -> Iterator[dict]:
            for row in rows:
                doc = TO_DOCUMENT[kind](row)
                region = region_of(doc)
                if region not in indices:
                    indices[region] = self._create(self.names.physical(kind, region, version), kind)
                yield {"_op_type": "index", "_index": indices[region], "_id": doc[DOCUMENT_ID[kind]], "_source": doc}

        count = 0
        # Threads overlap the graph projection (this thread) with OpenSearch indexing (bulk threads).
        for _ok, _item in helpers.parallel_bulk(self.client, actions(), thread_count=BULK_THREADS,
                                                chunk_size=BULK_CHUNK, queue_size=BULK_THREADS * 2,
                                                raise_on_error=True, request_timeout=120):
            count += 1
            if progress and count % 10000 == 0:
                progress(kind, count)
        return count

    def _swap(self, new_indices: dict[str, list[str]]) -> None:
        """Point each kind's alias at its new indices in one atomic request, then drop the old indices."""
        actions, old = [], []
        for kind, indices in new_indices.items():
            alias = self.names.alias(kind)
            aliased = self.client.indices.get_alias(name=alias, ignore=[404])
            stale = [i for i in self.client.indices.get(index=self.names.pattern(kind), ignore_unavailable=True,
                                                        allow_no_indices=True) if i not in indices]
            actions += [{"add": {"index": i, "alias": alias}} for i in indices]
            actions += [{"remove": {"index": i, "alias": alias}} for i in stale if i in aliased]
            old += stale
        self.client.indices.update_aliases(body={"actions": actions}, request_timeout=BUILD_ADMIN_TIMEOUT_S)
        if old:  # searches already running on the old indices finish before they go
            time.sleep(SWAP_GRACE_SECONDS)
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True,
                                      request_timeout=BUILD_ADMIN_TIMEOUT_S)

    # ------------------------------------------------------------------------------------------- sync

    def sync(self) -> SyncReport:
        """Re-project what changed in the graph since the last build/sync and upsert it."""
        started = time.perf_counter()
        with translated():
            meta = self._load_meta()
            if meta is None:
                raise BadRequest("Aucun index à synchroniser : lancez d'abord « ror index build ».")
            since = datetime.fromisoformat(meta["watermark"])
            now = graph_now(self.graph)
            report = SyncReport(since=since, watermark=now)
            changed = [row["id"] for row in self.graph.read_named("index/offers_changed", since=since)]
            report.offers, report.professionals = self._sync_offers(changed, professionals=True)
            sites = [row["finess"] for row in self.graph.read_named("index/sites_changed", since=since)]
            report.sites = self.sync_sites(sites)
            if report.offers or report.sites or report.professionals:
                self.client.indices.refresh(index=",".join(self.names.alias(k) for k in KINDS))
            self._save_meta(now, int(meta.get("version") or 0))
        report.seconds = time.perf_counter() - started
        return report

    def sync_offers(self, ids: Iterable[str], *, professionals: bool = False, relocate: bool = True) -> int:
        """Re-project these offers from the graph into the offers index now (capacity, tension, status or
        description changed); offers gone from the graph leave the index. With `professionals`, their
        professional-role documents too. `relocate=False` skips the search for copies in other régions'
        indices (one OpenSearch round trip across every regional shard): for changes that cannot move an
        offer to another région or delete it (capacity, tension, status, description), the document simply
        overwrites itself in its région's index. Visible to searches at the next refresh (≤ 1 s). Returns the
        number of offer documents written."""
        with translated():
            return self._sync_offers(ids, professionals=professionals, relocate=relocate)[0]

    def sync_sites(self, finess: Iterable[str]) -> int:
        """Re-project these sites (name, activities and count of published offers…) into the sites index."""
        finess = sorted({str(f) for f in finess})
        count = 0
        with translated():
            for start in range(0, len(finess), SYNC_BATCH):
                chunk = finess[start:start + SYNC_BATCH]
                count += self._upsert("sites", self.graph.stream_named("index/sites", ids=chunk),
                                      {"ids": {"values": chunk}})
        return count

    def _sync_offers(self, ids: Iterable[str], *, professionals: bool, relocate: bool = True) -> tuple[int, int]:
        ids = sorted({str(i) for i in ids})
        offers = roles = 0
        for start in range(0, len(ids), SYNC_BATCH):
            chunk = ids[start:start + SYNC_BATCH]
            offers += self._upsert("offers", self.graph.stream_named("index/offers", ids=chunk),
                                   {"ids": {"values": chunk}} if relocate else None)
            if professionals:
                roles += self._upsert("professionals", self.graph.stream_named("index/professionals", ids=chunk),
                                      {"terms": {"offer_id": chunk}})
        return offers, roles

    def _current_indices(self, kind: str) -> tuple[dict[str, str], int]:
        """{region: physical index} behind the alias, and the alias version."""
        aliased = self.client.indices.get_alias(name=self.names.alias(kind))
        by_region, version = {}, 0
        for index in aliased:
            parsed = self.names.parse(kind, index)
            if parsed:
                by_region[parsed[0]], version = index, max(version, parsed[1])
        return by_region, version

    def _upsert(self, kind: str, rows: Iterable[dict], previous: dict | None) -> int:
        """Index the re-projected documents; delete those of `previous` (a query; None: none looked for) that
        are gone or moved."""
        indices, version = self._current_indices(kind)
        rows = list(rows)
        docs = [TO_DOCUMENT[kind](row) for row in rows]
        actions = []
        for row, doc in zip(rows, docs, strict=True):
            region = region_of(doc)
            if region not in indices:
                indices[region] = self._create(self.names.physical(kind, region, version), kind)
                self.client.indices.put_settings(index=indices[region], body={"index": {"refresh_interval": "1s"}})
                self.client.indices.update_aliases(body={"actions": [
                    {"add": {"index": indices[region], "alias": self.names.alias(kind)}}]})
            action = {"_op_type": "index", "_index": indices[region], "_id": doc[DOCUMENT_ID[kind]], "_source": doc}
            if row.get("changed_us"):  # pushes from several processes: an older state never wins
                action.update(version=max(row["changed_us"]), version_type="external_gte")
            actions.append(action)
        if previous is not None:
            found = {d[DOCUMENT_ID[kind]]: indices.get(region_of(d)) for d in docs}
            hits = self.client.search(index=self.names.alias(kind), body={
                "query": previous, "_source": False, "size": 10_000})["hits"]["hits"]
            actions += [{"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]}
                        for h in hits if found.get(h["_id"]) != h["_index"]]
        if actions:
            _, errors = helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, raise_on_error=False,
                                     request_timeout=60)
            failed = [e for e in errors if next(iter(e.values())).get("status") != 409]  # 409: a newer one is there
            if failed:
                raise helpers.BulkIndexError(f"{len(failed)} document(s) failed to index", failed)
        return len(docs)

    # ------------------------------------------------------------------------------------------- meta

    def _save_meta(self, watermark: datetime, version: int) -> None:
        if not self.client.indices.exists(index=self.names.meta):
            self.client.indices.create(index=self.names.meta, body=meta_body(), request_timeout=BUILD_ADMIN_TIMEOUT_S)
        self.client.index(index=self.names.meta, id=META_ID, refresh=True, request_timeout=BUILD_ADMIN_TIMEOUT_S, body={
            "watermark": watermark.isoformat(), "version": version,
            "updated_at": datetime.now().astimezone().isoformat()})

    def _load_meta(self) -> dict | None:
        if not self.client.indices.exists(index=self.names.meta):
            return None
        found = self.client.get(index=self.names.meta, id=META_ID, ignore=[404])
        return found.get("_source") if found.get("found") else None


__all__ = ["Indexer", "IndexNames", "BuildReport", "SyncReport", "NO_REGION"]
