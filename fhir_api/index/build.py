"""Build the FHIR search indices from a full `$export` (incremental when the previous export's snapshot can be
used, `fhir_api.export`): new versioned indices, filled type by type in chain order (a document copies the
fields of the documents it references, read back from the indices being built), then every alias swapped in
one request. Searches keep using the previous version until then."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
from opensearchpy import helpers

from fhir_api.export import ExportJobs
from fhir_api.index import chains, documents, names
from fhir_api.index.mapping import index_body
from search.client import translated
from search.mappings import AUTO_REPLICAS

ORDER = ("Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole")
BATCH = 1000
SWAP_GRACE_SECONDS = 2.0
ADMIN_TIMEOUT = 120  # index creation, refresh, alias swap on a loaded machine (the client's default is 10 s)


@dataclass
class BuildReport:
    version: int
    counts: dict[str, int] = field(default_factory=dict)
    export_modes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


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
        try:
            state = jobs.state(job)
            if state["status"] != "completed":
                raise RuntimeError("; ".join(state.get("error") or ["export failed"]))
            with translated():
                report = BuildReport(version=self._next_version())
                report.export_modes = {t: m.get("text", "") for t, m in state.get("modes", {}).items()}
                built = {t: self._create(names.physical(self.prefix, t, report.version), t) for t in ORDER}
                for rtype in ORDER:
                    path = self.exports_dir / job / f"{rtype}.ndjson"
                    report.counts[rtype] = self._fill(rtype, path, built, progress)
                    self.client.indices.refresh(index=built[rtype], request_timeout=ADMIN_TIMEOUT)
                self._swap(built)
                self.save_meta(watermark, report.version)
        finally:
            jobs.delete(job)
            jobs.close()
        report.seconds = time.perf_counter() - started
        return report

    def _fill(self, rtype: str, path: Path, built: dict[str, str], progress) -> int:
        def fetch(target: str, ids: list[str]) -> dict[str, dict]:
            return self.own_documents(built[target], ids)

        count = 0
        passes = ([lambda r: not r.get("partOf"), lambda r: bool(r.get("partOf"))] if rtype == "Organization"
                  else [lambda r: True])  # an EG copies its EJ: the EJ go first
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fhir-bulk") as writer:
            for wanted in passes:
                pending: list = []
                for batch in _batches(_resources(path, wanted), BATCH):
                    # this thread builds the next batch while the writer sends the previous one
                    pending.append(writer.submit(self.bulk, self.actions(rtype, batch, built[rtype], fetch)))
                    if len(pending) > 2:
                        pending.pop(0).result()
                    count += len(batch)
                    if progress and count % (20 * BATCH) < BATCH:
                        progress(rtype, count)
                for future in pending:
                    future.result()
        return count

    def index(self, rtype: str, resources: list[tuple[dict, str]], index: str, fetch: chains.FetchOwn, *,
              refresh: bool = False) -> int:
        """Index rendered resources (dict, JSON text) with their chained copies."""
        actions = self.actions(rtype, resources, index, fetch)
        self.bulk(actions, refresh=refresh)
        return len(actions)

    def actions(self, rtype: str, resources: list[tuple[dict, str]], index: str, fetch: chains.FetchOwn) -> list:
        owns = [documents.own_document(rtype, r) for r, _ in resources]
        copies = chains.chains(rtype, owns, fetch)
        return [{"_op_type": "index", "_index": index, "_id": own["id"],
                 "_source": documents.full_document(own, text, chained)}
                for own, (_, text), chained in zip(owns, resources, copies, strict=True)]

    def bulk(self, actions: list[dict], *, refresh: bool = False) -> None:
        if not actions:
            return
        with translated():
            _, errors = helpers.bulk(self.client, actions, chunk_size=BATCH, raise_on_error=False,
                                     request_timeout=120, refresh=refresh)
        failed = [e for e in errors if next(iter(e.values())).get("status") not in (404, 409)]  # gone / newer
        if failed:
            raise helpers.BulkIndexError(f"{len(failed)} document(s) failed to index", failed)

    def own_documents(self, index: str, ids: list[str]) -> dict[str, dict]:
        """{id: own fields} of documents by id (no resource text, no chains)."""
        out = {}
        for start in range(0, len(ids), 5000):
            with translated():
                response = self.client.mget(index=index, body={"ids": ids[start:start + 5000]},
                                            params={"_source_excludes": ",".join(documents.OWN_EXCLUDES)},
                                            request_timeout=ADMIN_TIMEOUT)
            out.update({d["_id"]: d["_source"] for d in response["docs"] if d.get("found")})
        return out

    def _create(self, index: str, rtype: str) -> str:
        self.client.indices.create(index=index, body=index_body(rtype), request_timeout=ADMIN_TIMEOUT)
        return index

    def _next_version(self) -> int:
        existing = self.client.indices.get(index=f"{self.prefix}-fhir-*", ignore_unavailable=True,
                                           allow_no_indices=True, expand_wildcards="open",
                                           request_timeout=ADMIN_TIMEOUT)
        versions = [v for rtype in ORDER for index in existing
                    if (v := names.version_of(self.prefix, rtype, index)) is not None]
        return max(versions, default=0) + 1

    def _swap(self, built: dict[str, str]) -> None:
        actions, old = [], []
        for rtype, index in built.items():
            alias = names.alias(self.prefix, rtype)
            self.client.indices.put_settings(index=index, body={"index": {"refresh_interval": "1s"}},
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


def _resources(path: Path, wanted) -> Iterator[tuple[dict, str]]:
    if not path.exists():  # the export leaves no file for a type without resources
        return
    with path.open("rb") as lines:
        for line in lines:
            line = line.strip()
            if line:
                resource = orjson.loads(line)
                if wanted(resource):
                    yield resource, line.decode()


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
