"""Build (versioned indices + atomic alias swap) and incremental sync of the search index from the graph."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from opensearchpy import OpenSearch, helpers

import cypher
from core.errors import BadRequest
from graph.driver import Graph
from search.client import translated
from search.documents import DOCUMENT_ID, NO_REGION, TO_DOCUMENT, region_of
from search.mappings import AUTO_REPLICAS, KINDS, index_body, meta_body

BULK_CHUNK = 2000  # documents per bulk request of a sync
# A build streams each projection in large Bolt batches from a prefetch thread (Neo4j computes the next rows while
# Python converts), encodes every document once into NDJSON bulk bodies and keeps BUILD_WRITERS bulk requests
# in flight (all kinds together) while the projections go on. See docs/benchmarks.md, "National index build".
BUILD_SLICE = 10_000  # keys (offer ids, FINESS numbers) per projected slice
BUILD_READERS = 3  # slices projected at once (Neo4j runs each query on one core)
BUILD_FETCH = 2000  # records per Bolt round trip
BUILD_CHUNK_DOCS = 4000  # documents per bulk request
BUILD_WRITERS = 3  # bulk requests in flight
BUILD_ADMIN_THREADS = 8  # index creations at once
PROGRESS_EVERY = 10_000
SLICE_COST = {"offers": 3, "professionals": 2, "sites": 1}  # relative cost of a slice: the costliest start first
SERVING_SETTINGS = {"refresh_interval": "1s", "auto_expand_replicas": AUTO_REPLICAS}
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
        """New versioned indices per région, filled from the graph, then every alias swapped in one atomic
        request: searches keep working on the previous version until then.

        The projections are cut into slices of keys (offer ids, FINESS numbers) that BUILD_READERS threads
        project at once, the largest kind first, so Neo4j works on several slices in parallel and no kind waits
        for another; each slice's documents are encoded once into NDJSON bulk bodies that BUILD_WRITERS threads
        send while the reads go on. Indices are built without refresh, turned on at the end."""
        started = time.perf_counter()
        kinds = list(kinds)
        self.graph.replan()  # the documents are read with plans made on current statistics
        watermark = graph_now(self.graph)
        regions = [row["code"] for row in self.graph.read_named("index/regions")]
        with translated(), ThreadPoolExecutor(max_workers=BUILD_ADMIN_THREADS) as admin:
            version = self._next_version()
            report = BuildReport(version=version)
            # The keys are listed and the indices created (one cluster-state update each: tens of seconds for a
            # nation) at once, the costliest kind's first; a slice's first bulk body for a région waits for its index.
            keys = {"offers": "index/offer_keys", "professionals": "index/offer_keys", "sites": "index/site_keys"}
            listing = {name: admin.submit(self.graph.read_named, name) for name in {keys[k] for k in kinds}}
            created: dict[str, dict[str, Future | str]] = {
                kind: {r.lower(): admin.submit(self._create, self.names.physical(kind, r.lower(), version), kind)
                       for r in regions} for kind in sorted(kinds, key=SLICE_COST.__getitem__, reverse=True)}
            listed = {name: [row["id"] for row in future.result()] for name, future in listing.items()}
            slices = [(kind, listed[keys[kind]][i:i + BUILD_SLICE]) for kind in kinds
                      for i in range(0, len(listed[keys[kind]]), BUILD_SLICE)]
            slices.sort(key=lambda task: SLICE_COST[task[0]], reverse=True)  # the costliest first, for balance
            counts = dict.fromkeys(kinds, 0)
            lock = threading.Lock()

            def project(task: tuple[str, list[str]]) -> None:
                kind, ids = task
                rows = self.graph.stream(cypher.query(f"index/{kind}"), {"ids": ids}, fetch_size=BUILD_FETCH,
                                         plain_values=False)
                written = self._bulk(kind, rows, created[kind], version, writer, lock)
                with lock:
                    counts[kind] += written
                    total = counts[kind]
                if progress and total // PROGRESS_EVERY != (total - written) // PROGRESS_EVERY:
                    progress(kind, total)

            with _BulkWriter(self.client, BUILD_WRITERS) as writer:
                with ThreadPoolExecutor(max_workers=BUILD_READERS, thread_name_prefix="index-read") as readers:
                    for _ in readers.map(project, slices):
                        pass
                writer.wait()
            for kind in kinds:
                names = ",".join(_created(created[kind]).values())
                # Built: searchable (refresh).
                self.client.indices.put_settings(index=names, body={"index": SERVING_SETTINGS},
                                                 request_timeout=BUILD_ADMIN_TIMEOUT_S)
                self.client.indices.refresh(index=names, request_timeout=BUILD_ADMIN_TIMEOUT_S)
                report.counts[kind], report.indices[kind] = counts[kind], sorted(_created(created[kind]).values())
            self._swap(report.indices)
            self._save_meta(watermark, version)
        report.seconds = time.perf_counter() - started
        return report

    def _next_version(self) -> int:
        existing = self.client.indices.get(index=f"{self.names.prefix}-*", ignore_unavailable=True,
                                           allow_no_indices=True, expand_wildcards="open")
        versions = [parsed[1] for kind in KINDS for index in existing if (parsed := self.names.parse(kind, index))]
        return max(versions, default=0) + 1

    def _create(self, index: str, kind: str) -> str:
        self.client.indices.create(index=index, body=index_body(kind), request_timeout=BUILD_ADMIN_TIMEOUT_S)
        return index

    def _bulk(self, kind: str, rows: Iterable[dict], indices: dict[str, Future | str], version: int,
              writer: _BulkWriter, lock: threading.Lock) -> int:
        """Documents of the projection's rows, encoded once (orjson) into NDJSON bulk bodies of BUILD_CHUNK_DOCS
        documents handed to the writer threads. Returns the number of documents."""
        to_document, id_key, dumps = TO_DOCUMENT[kind], DOCUMENT_ID[kind], orjson.dumps
        heads: dict[str, bytes] = {}  # per région: the action line's fixed part
        lines: list[bytes] = []
        count = 0
        for values in rows:
            doc = to_document(values)
            region = (doc.get("region_code") or NO_REGION).lower()
            head = heads.get(region)
            if head is None:
                with lock:  # a région without its index yet (sites without région: "none")
                    if region not in indices:
                        indices[region] = self._create(self.names.physical(kind, region, version), kind)
                name = indices[region]
                if isinstance(name, Future):  # created in the background: ready before its first body is sent
                    name = name.result()
                head = heads[region] = b'{"index":{"_index":' + dumps(name) + b',"_id":'
            lines.append(head + dumps(doc[id_key]) + b"}}\n" + dumps(doc) + b"\n")
            if len(lines) >= BUILD_CHUNK_DOCS:
                writer.submit(lines)
                count, lines = count + len(lines), []
        if lines:
            writer.submit(lines)
            count += len(lines)
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
                self.client.indices.put_settings(index=indices[region], body={"index": SERVING_SETTINGS})
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


def _created(indices: dict[str, Future | str]) -> dict[str, str]:
    """{région: index name} once every background creation is done (a failed creation raises here)."""
    return {region: name.result() if isinstance(name, Future) else name for region, name in indices.items()}


class _BulkWriter:
    """Bulk requests of ready NDJSON bodies on `threads` threads, at most 2 × threads waiting (memory bound);
    a failure is raised by the next submit or by wait."""

    def __init__(self, client: OpenSearch, threads: int):
        self.client = client
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="index-bulk")
        self.slots = threading.BoundedSemaphore(threads * 2)
        self.futures: list = []
        self.lock = threading.Lock()

    def __enter__(self) -> _BulkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, lines: list[bytes]) -> None:
        body = b"".join(lines)
        self._raise_failures()
        self.slots.acquire()
        try:
            future = self.pool.submit(self._send, body)
        except BaseException:
            self.slots.release()
            raise
        future.add_done_callback(lambda _f: self.slots.release())
        with self.lock:
            self.futures.append(future)

    def wait(self) -> None:
        with self.lock:
            futures, self.futures = self.futures, []
        for future in futures:
            future.result()

    def _raise_failures(self) -> None:
        with self.lock:
            done = [f for f in self.futures if f.done()]
            self.futures = [f for f in self.futures if not f.done()]
        for future in done:
            future.result()

    def _send(self, body: bytes) -> None:
        answer = self.client.bulk(body=body, request_timeout=BUILD_ADMIN_TIMEOUT_S, filter_path="errors,items.*.error")
        if answer.get("errors"):
            failed = [item for item in answer.get("items", []) if next(iter(item.values())).get("error")]
            raise helpers.BulkIndexError(f"{len(failed)} document(s) failed to index", failed[:20])


__all__ = ["Indexer", "IndexNames", "BuildReport", "SyncReport", "NO_REGION"]
