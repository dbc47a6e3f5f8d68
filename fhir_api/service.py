"""FHIR interactions (read, search-type, capabilities) over the graph and the search index.

The blueprint only parses HTTP and renders; everything a client sees is built here from `store` (graph
reads), `search` (search parameters → Cypher) and `searchparams` (what is supported).
"""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from core.errors import NotFound
from fhir_api import codes, params, searchparams, store
from fhir_api.params import InvalidParam
from fhir_api.search import DEFAULT_COUNT, MAX_COUNT, SearchEngine

MAX_INCLUDED = 5000


@dataclass(frozen=True)
class SearchRequest:
    resource_type: str
    items: list[tuple[str, str]]  # the query string, in order, repeated keys kept
    base_url: str  # e.g. http://host/fhir
    lenient: bool = False


class FhirService:
    def __init__(self, graph, search_client=None, index_prefix: str = "ror"):
        self.graph = graph
        self.engine = SearchEngine(graph, search_client, index_prefix)
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fhir-include")

    def read(self, resource_type: str, resource_id: str) -> dict:
        resource = store.read(self.graph, resource_type, resource_id)
        if resource is None:
            raise NotFound(f"Ressource {resource_type}/{resource_id} introuvable.")
        return resource

    def search(self, req: SearchRequest) -> dict:
        """A searchset Bundle: the page of matches, then the _include/_revinclude resources."""
        rtype = req.resource_type
        values = _values(req.items)
        count = params.positive_int(_last(values, "_count"), "_count", DEFAULT_COUNT, MAX_COUNT)
        offset = params.positive_int(_last(values, "_offset"), "_offset", 0, 10**9)
        summary = _last(values, "_summary")
        if summary not in (None, "count", "false"):
            raise InvalidParam("Seul « _summary=count » est pris en charge.")
        if summary == "count":
            count = 0
        crit = self.engine.criteria(rtype, req.items, lenient=req.lenient)
        includes, revincludes = self._include_specs(rtype, req.items, req.lenient, crit.ignored)
        matches = self.engine.run(crit, offset=offset, count=count)
        found, early = self._matches_and_revincludes(rtype, matches.ids, revincludes, includes)
        entries = []
        for resource in found:
            entry = {"fullUrl": f"{req.base_url}/{rtype}/{resource['id']}", "resource": resource,
                     "search": {"mode": "match"}}
            distance = matches.distances.get(resource["id"])
            if distance is not None:
                entry["search"]["extension"] = [{"url": codes.EXT_LOCATION_DISTANCE, "valueDistance": {
                    "value": round(distance / 1000.0, 3), "unit": "km", "system": codes.SYSTEM_UCUM, "code": "km"}}]
            entries.append(entry)
        for resource in self._included(found, early, includes):
            entries.append({"fullUrl": f"{req.base_url}/{resource['resourceType']}/{resource['id']}",
                            "resource": resource, "search": {"mode": "include"}})
        if crit.ignored:
            entries.append({"resource": outcome("warning", "not-supported",
                                                "Paramètres ignorés : " + ", ".join(sorted(set(crit.ignored))) + "."),
                            "search": {"mode": "outcome"}})
        return {
            "resourceType": "Bundle", "id": str(uuid.uuid4()), "meta": {"lastUpdated": now()},
            "type": "searchset", "total": matches.total,
            "link": _links(req, offset, count, matches.total),
            "entry": entries,
        }

    def _include_specs(self, rtype: str, items, lenient: bool, ignored: list[str]):
        includes, revincludes = [], []
        for key, value in items:
            name, _, modifier = key.partition(":")
            if name not in ("_include", "_revinclude"):
                continue
            spec = ":".join(value.split(":")[:2])
            ok = spec in searchparams.INCLUDES and modifier in ("", "iterate")
            if name == "_revinclude":
                ok = ok and spec in searchparams.REVINCLUDES[rtype]
            if not ok:
                if not lenient:
                    raise InvalidParam(f"« {key}={value} » n'est pas pris en charge.")
                ignored.append(f"{key}={value}")
                continue
            (includes if name == "_include" else revincludes).append((spec, modifier == "iterate"))
        return includes, revincludes

    def _matches_and_revincludes(self, rtype: str, ids: list[str], revincludes, includes=()
                                 ) -> tuple[list[dict], list[dict]]:
        """The page's resources, its _revinclude resources and, for a page of HealthcareServices, what the usual
        _includes pull in from the offers (EG + EJ, places, practitioners of the revincluded roles), all read in
        parallel (they need only the ids). The include waves then find nothing left to read."""
        tasks = [partial(store.fetch, self.graph, rtype, ids)]
        for spec, _ in revincludes:
            source, _element, target = searchparams.INCLUDES[spec]
            if target == rtype and ids:
                tasks.append(partial(self._referencing, source, spec.split(":")[1], ids))
        if rtype == "HealthcareService" and ids:
            specs = {spec for spec, _ in includes}
            if "HealthcareService:organization" in specs:
                tasks.append(partial(store.included_by_offers, self.graph, "organization", ids,
                                     with_parents=("Organization:partof", True) in includes))
            if "HealthcareService:location" in specs:
                tasks.append(partial(store.included_by_offers, self.graph, "location", ids))
            if "PractitionerRole:practitioner" in specs and any(
                    spec == "PractitionerRole:service" for spec, _ in revincludes):
                tasks.append(partial(store.included_by_offers, self.graph, "practitioner", ids))
        results = list(self.pool.map(lambda task: task(), tasks))
        return results[0], [r for rs in results[1:] for r in rs]

    def _referencing(self, source: str, ref: str, ids: list[str]) -> list[dict]:
        if (source, ref) == ("PractitionerRole", "service"):
            return store.practitioner_roles_in(self.graph, ids)
        rows = self.graph.read_named("fhir/referencing", source=source, ref=ref, ids=ids)
        return store.fetch(self.graph, source, [row["id"] for row in rows])

    def _fetch_for_include(self, rtype: str, ids: list[str], iterate_partof: bool) -> list[dict]:
        if rtype == "Organization" and iterate_partof:
            found, parents = store.organizations_with_parents(self.graph, ids)
            return found + parents
        return store.fetch(self.graph, rtype, ids)

    def _included(self, matches: list[dict], revincluded: list[dict], includes) -> list[dict]:
        """The _revinclude resources, then those _include pulls in, fetched in waves of parallel reads until
        nothing new. Every _include applies to all resources gathered so far (matches and included ones):
        the national server's own example query relies on it for PractitionerRole:practitioner."""
        seen = {(r["resourceType"], r["id"]) for r in matches}
        pool, added = list(matches), []

        def keep(resources: list[dict]) -> None:
            for resource in resources:
                key = (resource["resourceType"], resource["id"])
                if key not in seen:
                    seen.add(key)
                    pool.append(resource)
                    added.append(resource)

        keep(revincluded)
        # Organization:partof with :iterate: the EJ of each EG comes in the same read as the EG (one wave less)
        iterate_partof = ("Organization:partof", True) in includes
        for _wave in range(5):
            wanted: dict[str, list[str]] = {}
            for spec, _ in includes:
                source, element, target = searchparams.INCLUDES[spec]
                for r in pool:
                    if r["resourceType"] == source:
                        wanted.setdefault(target, []).extend(
                            i for i in _references(r.get(element), target) if (target, i) not in seen)
            tasks = [(rtype, list(dict.fromkeys(ids))) for rtype, ids in wanted.items() if ids]
            if not tasks:
                break
            for resources in self.pool.map(lambda task: self._fetch_for_include(*task, iterate_partof), tasks):
                keep(resources)
            if len(added) > MAX_INCLUDED:
                raise InvalidParam(f"Trop de ressources incluses (plus de {MAX_INCLUDED}) : réduisez « _count ».")
        return added


def _references(value, target: str) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    prefix = f"{target}/"
    return [i["reference"][len(prefix):] for i in items
            if isinstance(i, dict) and str(i.get("reference", "")).startswith(prefix)]


def _values(items) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


def _last(values: dict[str, list[str]], key: str) -> str | None:
    return values[key][-1] if key in values else None


def _links(req: SearchRequest, offset: int, count: int, total: int) -> list[dict]:
    kept = [(k, v) for k, v in req.items if k not in ("_offset", "_count")]

    def url(at: int) -> str:
        return f"{req.base_url}/{req.resource_type}?" + urlencode(kept + [("_count", str(count)), ("_offset", str(at))])

    links = [{"relation": "self", "url": url(offset)}]
    if count <= 0:
        return links
    links.append({"relation": "first", "url": url(0)})
    if offset > 0:
        links.append({"relation": "previous", "url": url(max(0, offset - count))})
    if offset + count < total:
        links.append({"relation": "next", "url": url(offset + count)})
    last = max(0, (total - 1) // count * count) if total else 0
    links.append({"relation": "last", "url": url(last)})
    return links


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def outcome(severity: str, code: str, diagnostics: str) -> dict:
    """An OperationOutcome with one issue (diagnostics in French)."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]}
