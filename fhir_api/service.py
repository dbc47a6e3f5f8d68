"""FHIR interactions: read by id (the graph, source of truth) and search-type (the FHIR search index).

A search is one index query (`search.SearchEngine`); its page and its `_include` / `_revinclude` targets come
from the index documents, which hold each resource as rendered JSON: the Bundle is put together from that
text without parsing it again. Everything runs within the search's time limit (`budget.Deadline`).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

import orjson

from core.errors import NotFound
from core.settings import PROJECT_ROOT
from fhir_api import codes, hooks, near, params, store
from fhir_api.budget import Deadline
from fhir_api.includes import Included, IncludeSpec, gather, include_specs, soon
from fhir_api.params import InvalidParam
from fhir_api.query import sort_keys
from fhir_api.search import STORE_TYPES, Hit, Matches, SearchEngine, criteria, haversine_km
from search.sync import IndexSync
from search.widening import WideningPolicy

DEFAULT_COUNT = 200  # the ROR's page size
MAX_COUNT = 1000
# From this page size (or with includes) the stores' state is read beside the search, so that the resources the cache
# confirmed at that state are not asked their versions again (`SearchEngine.store_state`).
STATE_FROM = 100
DEFAULT_TIME_LIMIT = 10.0
SUMMARY = {"true", "false", "count", "data", "text"}
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


@dataclass(frozen=True)
class SearchRequest:
    resource_type: str
    items: list[tuple[str, str]]  # the query string, in order, repeated keys kept
    base_url: str  # e.g. http://host/fhir
    lenient: bool = False


class FhirService:
    def __init__(self, index: IndexSync, time_limit: float = DEFAULT_TIME_LIMIT,
                 policy: WideningPolicy | None = None, data_dir: Path | None = None):
        """`index`: the graph, the search client (None: no index, searches answer 503) and the index prefix,
        as the app's services hold them (`web.services.Services.index_sync`)."""
        self.graph = index.graph
        self.engine = SearchEngine(index.client, index.prefix, index.graph)
        self.time_limit = time_limit
        self.policy = policy or WideningPolicy()  # the adaptive radius of a `near` without a distance
        self.data_dir = Path(data_dir) if data_dir else PROJECT_ROOT / "data"

    def read(self, resource_type: str, resource_id: str) -> dict:
        resource = store.read(self.graph, resource_type, resource_id)
        if resource is None:
            raise NotFound(f"Ressource {resource_type}/{resource_id} introuvable.")
        return resource

    def search(self, req: SearchRequest) -> dict:
        """A searchset Bundle (resources as `orjson.Fragment`s): the page of matches, then the included ones."""
        return self.page(req).bundle()

    def search_json(self, req: SearchRequest) -> bytes:
        """The same Bundle as compact JSON, the resources' stored text spliced in (`Page.json`)."""
        return self.page(req).json()

    def page(self, req: SearchRequest) -> Page:
        """The answer to a search, before it is written as a Bundle."""
        if self.engine.client is None:
            from core.errors import ServiceUnavailable

            raise ServiceUnavailable("La recherche FHIR demande l'index de recherche (OpenSearch).")
        deadline = Deadline(self.time_limit)
        rtype, values = req.resource_type, _values(req.items)
        count = params.positive_int(_last(values, "_count"), "_count", DEFAULT_COUNT, MAX_COUNT)
        offset = params.positive_int(_last(values, "_offset"), "_offset", 0, 10**9)
        summary = _last(values, "_summary")
        if summary is not None and summary not in SUMMARY:
            raise InvalidParam(f"Valeur de « _summary » non prise en charge : {summary!r} "
                               "(true, false, count, data, text).")
        if summary == "count":
            count = 0
        elements = [e for v in values.get("_elements", []) for e in params.split_values(v)]
        crit = criteria(rtype, req.items, lenient=req.lenient)
        includes, revincludes = include_specs(rtype, req.items, req.lenient, crit.ignored)
        adapted = near.adapt(self.engine, rtype, crit.tree, req.items, deadline, self.policy, self.data_dir)
        if adapted is not None:  # `near` without a distance: the radius the widening chose, said in the Bundle
            crit, req = replace(crit, tree=adapted.tree), replace(req, items=adapted.items)
        state = None
        if includes or revincludes or count >= STATE_FROM:  # many resources to read: the stores' state first
            pending = soon(self.engine.store_state, STORE_TYPES, deadline)

            def resolved():  # still queued behind other requests' reads when needed: ask the versions instead
                return None if pending.cancel() else pending.result()

            state = functools.cache(resolved)
        matches = self.engine.run(crit, offset=offset, count=count, sort=sort_keys(rtype, _last(values, "_sort")),
                                  deadline=deadline, state=state)
        included = gather(self.engine, rtype, matches.hits, includes, revincludes, deadline,
                          state() if state is not None else None) if matches.hits else []
        outcomes = []
        if crit.ignored:
            outcomes.append({"resource": outcome("warning", "not-supported", "Paramètres ignorés : "
                                                 + ", ".join(sorted(set(crit.ignored))) + "."),
                             "search": {"mode": "outcome"}})
        if adapted is not None:
            outcomes.append({"resource": outcome("information", "informational",
                                                 near.explanation(adapted.widening)),
                             "search": {"mode": "outcome"}})
        return Page(req, offset, count, matches, included, outcomes, summary, elements)


@dataclass
class Page:
    """A search's page of matches, its included resources and its outcome entries, written as a Bundle either as
    dicts (`bundle`, for `_pretty`) or directly as JSON bytes (`json`): the same text, byte for byte."""
    req: SearchRequest
    offset: int
    count: int
    matches: Matches
    included: list[Included]
    outcomes: list[dict]
    summary: str | None
    elements: list[str]
    bundle_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    last_updated: str = field(default_factory=lambda: now())

    def _head(self) -> dict:
        total = self.matches.total
        return {"resourceType": "Bundle", "id": self.bundle_id, "meta": {"lastUpdated": self.last_updated},
                "type": "searchset", "total": total, "link": _links(self.req, self.offset, self.count, total)}

    def bundle(self) -> dict:
        m = self.matches
        entries = [self._match_entry(hit, m.distances[i] if m.distances else None) for i, hit in enumerate(m.hits)]
        entries += [self._include_entry(item) for item in self.included]
        return {**self._head(), "entry": entries + self.outcomes}

    def json(self) -> bytes:
        """`orjson.dumps(self.bundle())` without the entries' dicts: a match or an include that is the stored
        resource as it is (no subset, no distance, the common case) is written from constant pieces around
        its text; any other entry is the dict entry dumped alone (compact JSON nests as it is)."""
        head = orjson.dumps(self._head())
        parts = [head[:-1], b',"entry":[']  # the head without its closing brace
        m, near, base, sep = self.matches, self.matches.near, self.req.base_url, b""
        plain = _whole(self.summary, self.elements)
        located = near is not None and self.req.resource_type == "Location"  # a distance on every match
        match_url = f"{base}/{self.req.resource_type}/"
        for i, hit in enumerate(m.hits):
            distance_km = m.distances[i] if m.distances else None
            if plain and distance_km is None and not located:
                parts += (sep, b'{"fullUrl":', orjson.dumps(match_url + hit.id), b',"resource":', hit.resource,
                          b',"search":{"mode":"match"}}')
            else:
                parts += (sep, orjson.dumps(self._match_entry(hit, distance_km)))
            sep = b","
        for item in self.included:
            if near is not None and item.rtype == "Location":
                parts += (sep, orjson.dumps(self._include_entry(item)))
            else:
                parts += (sep, b'{"fullUrl":', orjson.dumps(f"{base}/{item.rtype}/{item.hit.id}"), b',"resource":',
                          item.hit.resource, b',"search":{"mode":"include"}}')
            sep = b","
        for entry in self.outcomes:
            parts += (sep, orjson.dumps(entry))
            sep = b","
        parts.append(b"]}")
        return b"".join(parts)

    def _match_entry(self, hit: Hit, distance_km: float | None) -> dict:
        req, near = self.req, self.matches.near
        entry = {"fullUrl": f"{req.base_url}/{req.resource_type}/{hit.id}",
                 "resource": _subset(hit.resource, self.summary, self.elements), "search": {"mode": "match"}}
        if distance_km is not None:
            entry["search"]["extension"] = [_distance(distance_km)]
        elif near is not None and req.resource_type == "Location":
            entry["search"]["extension"] = [_distance(_location_distance(hit.resource, near))]
        return entry

    def _include_entry(self, item: Included) -> dict:
        near = self.matches.near
        entry = {"fullUrl": f"{self.req.base_url}/{item.rtype}/{item.hit.id}",
                 "resource": orjson.Fragment(item.hit.resource), "search": {"mode": "include"}}
        if near is not None and item.rtype == "Location":  # the ROR puts the distance on the included places
            distance = _location_distance(item.hit.resource, near)
            if distance is not None:
                entry["search"]["extension"] = [_distance(distance)]
        return entry


def _location_distance(text: bytes, near: dict) -> float | None:
    position = orjson.loads(text).get("position") or {}
    if position.get("latitude") is None:
        return None
    return haversine_km(near["lat"], near["lon"], position["latitude"], position["longitude"])


def _distance(km: float) -> dict:
    return {"url": codes.EXT_LOCATION_DISTANCE, "valueDistance": {
        "value": round(km, 3), "unit": "km", "system": codes.SYSTEM_UCUM, "code": "km"}}


SUMMARY_ELEMENTS = {"identifier", "active", "name", "status", "type", "specialty", "category", "providedBy",
                    "location", "partOf", "managingOrganization", "practitioner", "organization",
                    "healthcareService", "code", "address", "position", "telecom"}


def _whole(summary: str | None, elements: list[str]) -> bool:
    """Whether `_summary` / `_elements` leave the resources as stored (no subset)."""
    return not elements and summary in (None, "false", "count")


def _subset(text: bytes, summary: str | None, elements: list[str]):
    """The resource as stored, or the subset `_summary` / `_elements` ask for (marked SUBSETTED)."""
    if _whole(summary, elements):
        return orjson.Fragment(text)
    resource = orjson.loads(text)
    if summary == "data":
        resource.pop("text", None)
        keep = set(resource)
    elif summary == "text":
        keep = {"text"}
    elif summary == "true":
        keep = SUMMARY_ELEMENTS
    else:
        keep = set(elements)
    out = {k: v for k, v in resource.items() if k in {"resourceType", "id", "meta"} | keep}
    meta = dict(out.get("meta") or {})
    meta["tag"] = [*meta.get("tag", []), SUBSETTED]
    out["meta"] = meta
    return out


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


__all__ = ["FhirService", "Page", "SearchRequest", "IncludeSpec", "hooks", "now", "outcome"]
