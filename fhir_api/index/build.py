"""Build the FHIR search indices from a full `$export` (incremental when the previous export's snapshot can be
used, `fhir_api.export`): new versioned indices, filled type by type in chain order (a document copies the
fields of the documents it references, read back from the indices being built), then every alias swapped in
one request. Searches keep using the previous version until then."""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
from opensearchpy import helpers

from fhir_api.export import ExportJobs
from fhir_api.index import chains, documents, names
from fhir_api.index.mapping import LIVE_SETTINGS, index_body, reference_fields, store_body
from loaders.common import chunks
from search.client import translated
from search.mappings import AUTO_REPLICAS

ORDER = ("Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole")
BATCH = 1000
OWN_WORKERS = 2  # processes computing the documents' own fields (Python-bound: one per core here)
WRITERS = 2  # bulk requests in flight while the next batches are prepared (one shard indexes on one thread)
SWAP_GRACE_SECONDS = 2.0
ADMIN_TIMEOUT = 120  # index creation, refresh, alias swap on a loaded machine (the client's default is 10 s)


@dataclass
class BuildReport:
    version: int
    counts: dict[str, int] = field(default_factory=dict)
    export_modes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds: "export", each type, "swap"


class FhirIndex:
    """The FHIR indices of one prefix: build, and the helpers sync and push share (own fields, bulk)."""

    def __init__(self, graph, client, prefix: str, exports_dir: Path | None = None):
        self.graph, self.client, self.prefix = graph, client, prefix
        self.exports_dir = Path(exports_dir) if exports_dir else None

    # --- build -------------------------------------------------------------------------------------------

    def build(self, progress: Callable[[str, int], None] | None = None) -> BuildReport:
        started = time.perf_counter()
        watermark = self.graph.read("RETURN datetime() AS now")[0]["now"]
        jobs = ExportJobs(self.graph, self.exports_dir)
        job = jobs.start(list(ORDER), None, "ror index build", wait=True)
        built: dict[str, tuple[str, str]] = {}
        try:
            state = jobs.state(job)
            if state["status"] != "completed":
                raise RuntimeError("; ".join(state.get("error") or ["export failed"]))
            exported = time.perf_counter()
            with translated():
                report = BuildReport(version=self._next_version())
                report.export_modes = {t: m.get("text", "") for t, m in state.get("modes", {}).items()}
                report.phases["export"] = exported - started
                for rtype in ORDER:
                    built[rtype] = self._create(rtype, report.version)
                with ProcessPoolExecutor(max_workers=OWN_WORKERS,
                                         mp_context=multiprocessing.get_context("spawn")) as workers:
                    for rtype in ORDER:
                        began = time.perf_counter()
                        path = self.exports_dir / job / f"{rtype}.ndjson"
                        report.counts[rtype] = self._fill(rtype, path, built, progress, workers)
                        self.client.indices.refresh(index=",".join(built[rtype]), request_timeout=ADMIN_TIMEOUT)
                        report.phases[rtype] = time.perf_counter() - began
                began = time.perf_counter()
                self._swap(built)
                self.save_meta(watermark, report.version)
                report.phases["swap"] = time.perf_counter() - began
        except BaseException:
            if built:  # a failed build leaves no half-filled index behind
                with contextlib.suppress(Exception):
                    self.client.indices.delete(index=",".join(i for pair in built.values() for i in pair),
                                               ignore_unavailable=True, request_timeout=ADMIN_TIMEOUT)
            raise
        finally:
            jobs.delete(job)
            jobs.close()
        report.seconds = time.perf_counter() - started
        return report

    def _fill(self, rtype: str, path: Path, built: dict[str, tuple[str, str]], progress,
              workers: ProcessPoolExecutor) -> int:
        """Index one type from its NDJSON export, as a pipeline: OWN_WORKERS processes compute the own fields
        of the next batches (the costly Python part), this thread adds the chained copies (read back from the
        indices already built) and WRITERS threads send the bulk requests."""
        def fetch(target: str, ids: list[str]) -> dict[str, dict]:
            return self.own_documents(built[target][0], ids)

        count = 0
        passes = ["ej", "eg"] if rtype == "Organization" else [None]  # an EG copies its EJ: the EJ go first
        with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="fhir-bulk") as writer:
            for wanted in passes:
                owned: deque = deque()
                written: deque = deque()
                batches = chunks(_lines(path), BATCH)
                while True:
                    lines = next(batches, None)
                    if lines is not None:
                        owned.append(workers.submit(own_documents_of, rtype, lines, wanted))
                    while owned and (lines is None or len(owned) > OWN_WORKERS):
                        batch = owned.popleft().result()
                        written.append(writer.submit(self.bulk, self._actions(rtype, batch, built[rtype], fetch)))
                        while len(written) > WRITERS:
                            written.popleft().result()
                        count += len(batch)
                        if progress and count % (50 * BATCH) < len(batch):
                            progress(rtype, count)
                    if lines is None:
                        break
                for future in written:
                    future.result()
        return count

    def index(self, rtype: str, resources: list[tuple[dict, str]], indices: tuple[str, str],
              fetch: chains.FetchOwn, *, refresh: bool = False) -> int:
        """Index rendered resources (dict, JSON text): search documents with their chained copies into
        `indices[0]`, the resources into the resource store `indices[1]`."""
        actions = self.actions(rtype, resources, indices, fetch)
        self.bulk(actions, refresh=refresh)
        return len(resources)

    def actions(self, rtype: str, resources: list[tuple[dict, str]], indices: tuple[str, str],
                fetch: chains.FetchOwn) -> list:
        owned = [(documents.own_document(rtype, r), text) for r, text in resources]
        return self._actions(rtype, owned, indices, fetch)

    def _actions(self, rtype: str, owned: list[tuple[dict, str]], indices: tuple[str, str],
                 fetch: chains.FetchOwn) -> list:
        """Bulk actions of resources given as (own fields, JSON text): search document and resource store."""
        index, store = indices
        references = reference_fields(rtype)
        owns = [own for own, _ in owned]
        copies = chains.chains(rtype, owns, fetch)
        out = []
        for (own, text), chained in zip(owned, copies, strict=True):
            out.append({"_op_type": "index", "_index": index, "_id": own["id"],
                        "_source": documents.full_document(own, chained)})
            out.append({"_op_type": "index", "_index": store, "_id": own["id"],
                        "_source": documents.store_document(own, text, references)})
        return out

    def bulk(self, actions: list[dict], *, refresh: bool = False) -> None:
        if not actions:
            return
        with translated():
            _, errors = helpers.bulk(self.client, actions, chunk_size=2 * BATCH, raise_on_error=False,
                                     request_timeout=120, refresh=refresh)
        failed = [e for e in errors if next(iter(e.values())).get("status") not in (404, 409)]  # gone / newer
        if failed:
            raise helpers.BulkIndexError(f"{len(failed)} document(s) failed to index", failed)

    def own_documents(self, index: str, ids: list[str]) -> dict[str, dict]:
        """{id: own fields} of search documents by id (their `_source`: no chains)."""
        out = {}
        for start in range(0, len(ids), 5000):
            with translated():
                response = self.client.mget(index=index, body={"ids": ids[start:start + 5000]},
                                            request_timeout=ADMIN_TIMEOUT)
            out.update({d["_id"]: d["_source"] for d in response["docs"] if d.get("found")})
        return out

    def _create(self, rtype: str, version: int) -> tuple[str, str]:
        """The type's new (search index, resource store)."""
        index = names.physical(self.prefix, rtype, version)
        store = names.resources_physical(self.prefix, rtype, version)
        self.client.indices.create(index=index, body=index_body(rtype), request_timeout=ADMIN_TIMEOUT)
        self.client.indices.create(index=store, body=store_body(rtype), request_timeout=ADMIN_TIMEOUT)
        return index, store

    def _next_version(self) -> int:
        existing = self.client.indices.get(index=f"{self.prefix}-fhir-*", ignore_unavailable=True,
                                           allow_no_indices=True, expand_wildcards="open",
                                           request_timeout=ADMIN_TIMEOUT)
        versions = [v for rtype in ORDER for index in existing
                    if (v := names.version_of(self.prefix, rtype, index)) is not None]
        return max(versions, default=0) + 1

    def _swap(self, built: dict[str, tuple[str, str]]) -> None:
        actions, old = [], []
        for rtype, pair in built.items():
            for alias, index in zip((names.alias(self.prefix, rtype), names.resources(self.prefix, rtype)), pair,
                                    strict=True):
                self.client.indices.put_settings(index=index, body={"index": LIVE_SETTINGS},
                                                 request_timeout=ADMIN_TIMEOUT)
                stale = [i for i in self.client.indices.get(index=f"{alias}-v*", ignore_unavailable=True,
                                                            allow_no_indices=True, request_timeout=ADMIN_TIMEOUT)
                         if i != index]
                aliased = self.client.indices.get_alias(name=alias, ignore=[404], request_timeout=ADMIN_TIMEOUT)
                actions.append({"add": {"index": index, "alias": alias}})
                actions += [{"remove": {"index": i, "alias": alias}} for i in stale if i in aliased]
                old += stale
        self.client.indices.update_aliases(body={"actions": actions}, request_timeout=ADMIN_TIMEOUT)
        if old:
            time.sleep(SWAP_GRACE_SECONDS)  # searches already running on the old indices finish first
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True, request_timeout=ADMIN_TIMEOUT)

    # --- meta --------------------------------------------------------------------------------------------

    def save_meta(self, watermark: datetime, version: int) -> None:
        index = names.meta(self.prefix)
        if not self.client.indices.exists(index=index, request_timeout=ADMIN_TIMEOUT):
            self.client.indices.create(request_timeout=ADMIN_TIMEOUT, index=index, body={
                "settings": {"number_of_shards": 1, "number_of_replicas": 0, "auto_expand_replicas": AUTO_REPLICAS},
                "mappings": {"properties": {"watermark": {"type": "date"}, "version": {"type": "integer"}}}})
        self.client.index(index=index, id="sync", refresh=True, request_timeout=ADMIN_TIMEOUT,
                          body={"watermark": watermark.isoformat(), "version": version})

    def load_meta(self) -> dict | None:
        index = names.meta(self.prefix)
        if not self.client.indices.exists(index=index):
            return None
        found = self.client.get(index=index, id="sync", ignore=[404])
        return found.get("_source") if found.get("found") else None

    def drop(self) -> None:
        """Delete every FHIR index of this prefix (tests, benchmarks)."""
        with translated():
            self.client.indices.delete(index=f"{self.prefix}-fhir-*", ignore_unavailable=True,
                                       request_timeout=ADMIN_TIMEOUT)


def _lines(path: Path) -> Iterator[bytes]:
    if not path.exists():  # the export leaves no file for a type without resources
        return
    with path.open("rb") as lines:
        for line in lines:
            line = line.strip()
            if line:
                yield line


def own_documents_of(rtype: str, lines: list[bytes], wanted: str | None) -> list[tuple[dict, str]]:
    """(own fields, JSON text) of exported resources (in a worker process); `wanted`: "ej" / "eg" keeps the
    Organizations without / with `partOf` only."""
    out = []
    for line in lines:
        resource = orjson.loads(line)
        if wanted is not None and (wanted == "eg") != bool(resource.get("partOf")):
            continue
        out.append((documents.own_document(rtype, resource), line.decode()))
    return out
