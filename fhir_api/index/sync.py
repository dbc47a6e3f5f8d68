"""Keep the FHIR indices current: `sync()` after any write (what changed since the last build/sync, found by
the `$export` change queries `cypher/fhir/export_changed_<type>.cypher` and the tombstones), and `push_*` right
after a capacity / status / description write. Changed resources are rendered again from the graph (by id,
the same mappers as reads); the documents that copy them (chains) get fresh copies from the index.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson

from fhir_api import store
from fhir_api.index import chains, names
from fhir_api.index.build import ADMIN_TIMEOUT, ORDER, FhirIndex
from search.client import translated

MARGIN = timedelta(minutes=15)  # as the incremental $export: a write that began before the watermark
BATCH = 1000
MAX_DEPENDENTS = 10_000  # documents re-copied per search round


@dataclass
class SyncReport:
    since: datetime | None
    watermark: datetime | None
    written: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    recopied: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class FhirSync(FhirIndex):
    def sync(self) -> SyncReport:
        """Re-render what changed since the last build/sync (minus MARGIN) and drop what was deleted."""
        started = time.perf_counter()
        with translated():
            meta = self.load_meta()
            if meta is None:
                raise LookupError("no FHIR index to sync")
            since = datetime.fromisoformat(meta["watermark"]) - MARGIN
            now = self.graph.read("RETURN datetime() AS now")[0]["now"]
            report = SyncReport(since, now)
            changed: dict[str, set[str]] = {}
            for rtype in ORDER:
                ids = [r["id"] for r in self.graph.read_named(f"fhir/export_changed_{rtype.lower()}",
                                                              since=since.isoformat())]
                gone = [r["resource_id"] for r in self.graph.read_named(
                    "fhir/export_tombstones", types=[rtype], since=since.isoformat())]
                written, deleted = self.upsert(rtype, sorted(set(ids) | set(gone)))
                report.written[rtype], report.deleted[rtype] = written, deleted
                changed[rtype] = set(ids) | set(gone)
            self.refresh()
            report.recopied = self.recopy(changed)
            self.refresh()
            self.save_meta(now, int(meta.get("version") or 0))
        report.seconds = time.perf_counter() - started
        return report

    def upsert(self, rtype: str, ids: list[str], *, refresh: bool = False) -> tuple[int, int]:
        """Render these resources from the graph into the index; ids the graph no longer serves are deleted."""
        written = deleted = 0
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            found = store.fetch(self.graph, rtype, chunk)
            batch = [(r, orjson.dumps(r).decode()) for r in found]
            indices = (names.alias(self.prefix, rtype), names.resources(self.prefix, rtype))
            written += self.index(rtype, batch, indices, self._fetch_live, refresh=refresh)
            missing = set(chunk) - {r["id"] for r in found}
            self.bulk([{"_op_type": "delete", "_index": index, "_id": i} for i in sorted(missing)
                       for index in self._physical(rtype)], refresh=refresh)
            deleted += len(missing)
        return written, deleted

    def recopy(self, changed: dict[str, set[str]], *, skip: dict[str, set[str]] | None = None,
               refresh: bool = False) -> dict[str, int]:
        """Give fresh copies of the changed documents to the documents that chain to them."""
        counts: dict[str, int] = {}
        for target, ids in changed.items():
            if not ids:
                continue
            for source, reference, above in chains.dependents(target):
                found = self._referencing(source, reference, above, sorted(ids))
                found = [h for h in found if h["_id"] not in (skip or {}).get(source, set())]
                self._rewrite(source, found, refresh)
                counts[source] = counts.get(source, 0) + len(found)
        return counts

    def _referencing(self, source: str, reference: str, above: bool, ids: list[str]) -> list[dict]:
        out = []
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            if above:
                path = f"chain-{reference}-above"
                query = {"nested": {"path": path, "query": {"terms": {f"{path}.id": chunk}}}}
            else:
                query = {"terms": {reference: chunk}}
            hits = self.client.search(index=names.alias(self.prefix, source), body={
                "query": query, "size": MAX_DEPENDENTS,
                "seq_no_primary_term": True}, request_timeout=ADMIN_TIMEOUT)["hits"]["hits"]
            out += hits
        return out

    def _rewrite(self, rtype: str, hits: list[dict], refresh: bool) -> None:
        """New copies in documents found by a search (their `_source`: own fields); a document written or deleted
        since that search is left alone (its sequence number moved: 409, ignored), so a rewrite never brings a
        deleted one back."""
        if not hits:
            return
        owns = [chains.own_part(h["_source"]) for h in hits]
        copies = chains.chains(rtype, owns, self._fetch_live)
        actions = [{"_op_type": "index", "_index": h["_index"], "_id": h["_id"], "_source": {**h["_source"], **chained},
                    "if_seq_no": h["_seq_no"], "if_primary_term": h["_primary_term"]}
                   for h, chained in zip(hits, copies, strict=True)]
        self.bulk(actions, refresh=refresh)

    def _fetch_live(self, rtype: str, ids: list[str]) -> dict[str, dict]:
        return self.own_documents(names.alias(self.prefix, rtype), ids)

    def _physical(self, rtype: str) -> tuple[str, str]:
        """The physical (search index, resource store) of a type (deletes need them: not an alias' job)."""
        out = []
        for alias in (names.alias(self.prefix, rtype), names.resources(self.prefix, rtype)):
            aliased = self.client.indices.get_alias(name=alias, request_timeout=ADMIN_TIMEOUT)
            out.append(sorted(aliased)[-1])
        return out[0], out[1]

    def refresh(self) -> None:
        """Make every write visible to searches, in one request (search indices and resource stores; an index
        without new writes costs nothing)."""
        self.client.indices.refresh(index=",".join(i for t in ORDER for i in (names.alias(self.prefix, t),
                                                                              names.resources(self.prefix, t))),
                                    request_timeout=ADMIN_TIMEOUT)

    # --- pushes right after a write (search/sync.py listeners) ------------------------------------------

    def push_places_of(self, offer_ids: Iterable[str]) -> None:
        """A capacity or tension change: the Locations of these offers, and the offers that copy them."""
        places = self._places(sorted(set(offer_ids)))
        if places:
            self.upsert("Location", places)
            self.recopy({"Location": set(places)})  # copies read by id (real-time): no refresh needed before
            self.refresh()  # one refresh makes the places and their copies visible together

    def push_offers(self, offer_ids: Iterable[str]) -> None:
        """A status or description change: the offers, their roles and places, and what copies them."""
        offers = sorted(set(offer_ids))
        roles = [r["id"] for r in store.practitioner_roles_in(self.graph, offers)]
        self.upsert("HealthcareService", offers, refresh=False)
        places = self._places(offers)
        self.upsert("Location", places, refresh=False)
        old_roles = self._role_ids(offers)
        self.upsert("PractitionerRole", sorted(set(roles) | set(old_roles)), refresh=False)
        self.refresh()  # the copies are looked for by search: it must see the writes above
        self.recopy({"HealthcareService": set(offers), "Location": set(places)},
                    skip={"PractitionerRole": set(roles)})
        self.refresh()

    def _places(self, offers: list[str]) -> list[str]:
        docs = self.own_documents(names.alias(self.prefix, "HealthcareService"), offers)
        places = {p for d in docs.values() for p in d.get("location") or []}
        rows = self.graph.read_named("fhir/place_ids_of_offers", ids=offers)
        return sorted(places | {r["id"] for r in rows})

    def _role_ids(self, offers: list[str]) -> list[str]:
        hits = self.client.search(index=names.alias(self.prefix, "PractitionerRole"), body={
            "query": {"terms": {"service": offers}}, "size": MAX_DEPENDENTS, "_source": False},
            request_timeout=ADMIN_TIMEOUT)["hits"]["hits"]
        return [h["_id"] for h in hits]
