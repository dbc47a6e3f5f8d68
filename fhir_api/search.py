"""The FHIR search engine: the query string → criteria (`fhir_api.filter` trees) → ONE OpenSearch query on the
FHIR index of the type (`fhir_api.index`), which returns the page's ids, the exact total and the distances of
`near`; the page's rendered resources are then read by id from the type's resource store. `_has` first asks
the source type's index (or a registered provider, `fhir_api.hooks`) for the ids it points to.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from opensearchpy import exceptions as os_errors

from core.errors import BadRequest, ServiceUnavailable
from fhir_api import filter as fl
from fhir_api import hooks, params
from fhir_api import searchparams as sp
from fhir_api.budget import Deadline, SearchTimeout, TooCostly
from fhir_api.index.documents import RESOURCE
from fhir_api.index.names import alias
from fhir_api.index.names import resources as resources_alias
from fhir_api.params import InvalidParam
from fhir_api.query import Context, compile_tree, resolve
from search.client import translated

RESULT_PARAMS = {"_count", "_offset", "_sort", "_summary", "_elements", "_format", "_pretty", "_total",
                 "_include", "_revinclude"}
log = logging.getLogger(__name__)
STORE_TYPES = ("HealthcareService", "Location", "Organization", "Practitioner", "PractitionerRole")
MAX_WINDOW = 10_000  # results a search can page through (beyond: $export, as the ROR documentation says)
MAX_HAS_IDS = 65_000  # ids an inner `_has` search may contribute
# A search returns ids only, read from the last sort key (always `id`, equal to `_id`): no stored field is
# fetched, so OpenSearch decompresses no stored-field block of the page's documents (the fetch phase of a
# 200-hit page of the national indices: 5-30 ms of its time).
NO_FETCH = {"_source": False, "stored_fields": "_none_"}
# Rendered resources a process keeps (`ResourceCache`), in bytes of JSON text: the 121 documented requests
# read 11,655 resources, 35 MB (≈ 110 MB more resident memory in a web process, with the pages' buffers).
CACHE_BYTES = 64 * 2**20


@dataclass(frozen=True, slots=True)
class Hit:
    """One resource as the resource store holds it, shared by every page that shows it (`ResourceCache`)."""
    id: str
    resource: bytes  # the rendered resource, UTF-8 JSON text: spliced into the Bundle as it is
    refs: dict[str, list[str]]  # reference parameter → target ids (for _include)


@dataclass
class Matches:
    total: int
    hits: list[Hit]
    near: dict | None = None
    distances: list[float | None] = field(default_factory=list)  # km, per hit (`near`), else empty


@dataclass
class Criteria:
    resource_type: str
    tree: fl.And
    ignored: list[str] = field(default_factory=list)


def criteria(resource_type: str, items: list[tuple[str, str]], *, lenient: bool = False) -> Criteria:
    """The comparisons of a query string (ordinary parameters and `_filter`), AND-ed; unknown parameters raise
    unless `lenient` (then listed in `ignored`)."""
    nodes, ignored = [], []
    for key, value in items:
        base = key.partition(":")[0]
        if base in RESULT_PARAMS:
            continue
        try:
            nodes.append(_node(resource_type, key, value))
        except InvalidParam:
            if not lenient or not _unknown(resource_type, key):
                raise
            ignored.append(key)
    return Criteria(resource_type, fl.And(tuple(nodes)), ignored)


def _node(rtype: str, key: str, value: str):
    if key == "_filter":
        return fl.parse(value)
    if key.startswith("_has"):
        _has_parts(rtype, key)
    elif key.partition(":")[0] in ("near", "near-insee-code") or key.endswith((".near", ".near-insee-code")):
        return fl.Compare(key, "=", (value,))
    else:
        resolve(rtype, key)  # unknown parameter or modifier: 400 naming it
    values = tuple(params.split_values(value))
    if not values:
        raise InvalidParam(f"Le paramètre « {key} » n'a pas de valeur.")
    return fl.Compare(key, "=", values)


def _unknown(rtype: str, key: str) -> bool:
    try:
        if key.startswith("_has"):
            _has_parts(rtype, key)
        else:
            resolve(rtype, key)
    except InvalidParam:
        return True
    return False


def _has_parts(rtype: str, key: str) -> tuple[str, str, str]:
    """`_has:Source:reference:param` → (Source, reference, param); 400 when malformed or unsupported."""
    parts = key.split(":")
    if len(parts) < 4 or not all(parts[1:4]):
        raise InvalidParam(f"Chaînage inverse invalide : « {key} » (attendu _has:Type:référence:paramètre).")
    source, reference, param = parts[1], parts[2], ":".join(parts[3:])
    spec = f"{source}:{reference}"
    if spec in hooks.has_providers:
        return source, reference, param
    if sp.INCLUDES.get(spec, (None, None, None))[2] != rtype:
        raise InvalidParam(f"Chaînage inverse non pris en charge : « {key} » pour {rtype}.")
    resolve(source, param)
    return source, reference, param


class SearchEngine:
    def __init__(self, client, prefix: str, graph=None, cache_bytes: int = CACHE_BYTES):
        self.client, self.prefix, self.graph = client, prefix, graph
        self.cache = ResourceCache(cache_bytes)

    def run(self, crit: Criteria, *, offset: int, count: int, sort: list | None, deadline: Deadline,
            state: Callable[[], StoreState | None] | None = None) -> Matches:
        """The page of matches; `state`: gives the stores' state read at the start of the request
        (`store_state`), once the search has answered (its resources are then read with it)."""
        if offset + count > MAX_WINDOW:
            raise TooCostly(f"Au-delà de {MAX_WINDOW} résultats, utilisez l'export en masse ($export) ou "
                            "précisez la recherche.")
        ctx = Context(commune_point=lambda insee: self.commune_point(insee, deadline),
                      has_ids=lambda rtype, cmp: self.has_ids(rtype, cmp, deadline))
        query = compile_tree(crit.resource_type, crit.tree, ctx)
        keys = self._sort(sort, ctx)
        page = {"query": query, "from": offset, "size": count, "track_total_hits": True, **NO_FETCH, "sort": keys}
        if count and keys == [{"id": "asc"}]:
            # In id order, the page and the exact total as two searches of one request: sorted without
            # counting, a search skips what cannot enter the page, and a count alone is answered from the
            # index's statistics when the query allows it (every offer: 5-8 ms as one search, under 1 ms as
            # these two). Not with other sorts: a nested sort without counting fails in OpenSearch 2.19
            # (unsupported_operation_exception), and a distance sort reads every match anyway.
            counted = {"query": query, "size": 0, "track_total_hits": True}
            response, total = self.msearch(crit.resource_type, [{**page, "track_total_hits": False}, counted],
                                           deadline)
        else:
            response = total = self.search(crit.resource_type, page, deadline)
        near = dict(ctx.near, field=ctx.near_field) if ctx.near else None
        raw = response["hits"]["hits"]
        found = {h.id: h for h in self.resources(crit.resource_type, [hit_id(h) for h in raw], deadline,
                                                 state() if state is not None and raw else None)}
        hits = [found[i] for i in map(hit_id, raw) if i in found]  # one deleted between the reads: left out
        distances = [_distance_km(h, near) for h in raw if hit_id(h) in found] if near is not None else []
        return Matches(total["hits"]["total"]["value"], hits, near, distances)

    def resources(self, rtype: str, ids: list[str], deadline: Deadline, state: StoreState | None = None) -> list[Hit]:
        """Rendered resources by id from the type's resource store, in the order asked, unknown ids skipped
        (`resources_of` of one type)."""
        return self.resources_of({rtype: ids}, deadline, state).get(rtype, [])

    def resources_of(self, wanted: dict[str, list[str]], deadline: Deadline,
                     state: StoreState | None = None) -> dict[str, list[Hit]]:
        """Rendered resources of one or several types by id from their resource stores: per type, in the order
        asked, unknown ids skipped.

        Two `mget`s at most whatever the number of types: the current versions of the documents (no
        `_source`), then the whole documents that the process's `ResourceCache` does not hold at that version
        (none on a warm cache). A resource is thus never older than the store's: a write is read at once, as
        with one plain `mget`. With `state` (`store_state`, read at the start of the request), a resource the
        cache confirmed at that same state of its store (no write, no delete in the store since) is taken as
        it is, without asking its version."""
        gens = state.generations if state is not None else {}
        held_now: dict[tuple[str, str], Hit] = {}
        to_check: list[tuple[str, str]] = []
        for rtype, ids in wanted.items():
            store = state.stores.get(rtype) if state is not None else None
            held = self.cache.current(store[0], ids, store[1]) if store is not None else [None] * len(ids)
            for i, hit in zip(ids, held, strict=True):
                if hit is not None:
                    held_now[(rtype, i)] = hit
                else:
                    to_check.append((rtype, i))
        read: dict[tuple[str, str], Hit] = {}
        if to_check:
            versions = self._mget_docs([(resources_alias(self.prefix, t), i) for t, i in to_check], deadline,
                                       source=False)
            found = [(key, doc) for key, doc in zip(to_check, versions, strict=True) if doc.get("found")]
            held = self.cache.get_many([doc for _, doc in found], gens)
            missing = {(doc["_index"], doc["_id"]): key for (key, doc), hit in zip(found, held, strict=True)
                       if hit is None}
            read = {key: hit for (key, _), hit in zip(found, held, strict=True) if hit is not None}
            for doc in self._mget_docs(list(missing), deadline, source=True) if missing else ():
                if doc.get("found"):  # a resource deleted between the two reads is left out
                    read[missing[(doc["_index"], doc["_id"])]] = self.cache.put(doc, gens.get(doc["_index"]))
        out: dict[str, list[Hit]] = {}
        for rtype, ids in wanted.items():
            out[rtype] = [hit for hit in (held_now.get((rtype, i)) or read.get((rtype, i)) for i in ids)
                          if hit is not None]
        return out

    def store_state(self, rtypes: tuple[str, ...], deadline: Deadline) -> StoreState | None:
        """Where each type's resource store stands: its concrete index and the write position of its primary
        shards (index uuid, `max_seq_no`: every write and every delete moves it), in one `_stats` request.
        Only a settled position is given (every copy has every operation: `global_checkpoint` = `max_seq_no`),
        so that a resource confirmed at it is current on whichever copy answers. None when the engine cannot
        say (the reads then ask every version, as without it)."""
        aliases = {resources_alias(self.prefix, t): t for t in rtypes}
        try:
            with translated():
                response = self.client.indices.stats(
                    index=",".join(aliases), metric="docs",
                    params={"level": "shards", "filter_path": "indices.*.uuid,indices.*.shards.*.routing.primary,"
                                                             "indices.*.shards.*.seq_no"},
                    request_timeout=deadline.remaining())
        except (ServiceUnavailable, BadRequest, os_errors.TransportError) as exc:
            log.info("resource store state unknown, versions asked: %s", exc)
            return None
        stores, generations = {}, {}
        for index, stats in (response.get("indices") or {}).items():
            rtype = aliases.get(index.rpartition("-v")[0])
            shards = []
            for number, copies in sorted((stats.get("shards") or {}).items()):
                for copy in copies:
                    if (copy.get("routing") or {}).get("primary"):
                        seq = copy.get("seq_no") or {}
                        if seq.get("global_checkpoint") != seq.get("max_seq_no"):
                            shards = None  # writes being replicated: not settled
                            break
                        shards.append((number, seq.get("max_seq_no")))
                if shards is None:
                    break
            if rtype is None or not shards or rtype in stores:
                continue
            generation = (stats.get("uuid"), tuple(shards))
            stores[rtype] = (index, generation)
            generations[index] = generation
        return StoreState(stores, generations)

    def cached_hits(self, rtype: str, docs: list[dict], deadline: Deadline) -> list[Hit]:
        """Hits for resource store documents given with their version (`_index`, `_id`, `_seq_no`,
        `_primary_term`, no `_source`), in their order: from the cache, else read whole (one `mget`) and kept."""
        docs = [d if "_id" in d else {**d, "_id": hit_id(d)} for d in docs]
        hits = self.cache.get_many(docs)
        missing = [d["_id"] for d, hit in zip(docs, hits, strict=True) if hit is None]
        if not missing:
            return hits
        read = {doc["_id"]: self.cache.put(doc) for doc in self._mget(rtype, missing, deadline, source=True)
                if doc.get("found")}
        return [hit if hit is not None else read[d["_id"]] for d, hit in zip(docs, hits, strict=True)
                if hit is not None or d["_id"] in read]  # a resource deleted between the two reads is left out

    def _mget(self, rtype: str, ids: list[str], deadline: Deadline, *, source: bool) -> list[dict]:
        return self._mget_docs([(resources_alias(self.prefix, rtype), i) for i in ids], deadline, source=source)

    def _mget_docs(self, keys: list[tuple[str, str]], deadline: Deadline, *, source: bool) -> list[dict]:
        """Resource store documents by (index or alias, id), in that order, in one `mget`."""
        with translated():
            response = self.client.mget(body={"docs": [{"_index": index, "_id": i} for index, i in keys]},
                                        params=None if source else {"_source": "false"},
                                        request_timeout=deadline.remaining())
        errors = [d["error"] for d in response["docs"] if d.get("error")]
        if errors:  # no resource store (indices built by older code): never a silently empty page
            raise ServiceUnavailable("L'index FHIR n'est pas à jour : lancez « ror index build "
                                     "--projections-only ».", detail=str(errors[0])[:500])
        return response["docs"]

    def _sort(self, sort: list | None, ctx: Context) -> list:
        keys = list(sort or [])
        if not keys and ctx.near is not None and ctx.near_field == "near":
            keys.append({"_geo_distance": {"near": {"lat": ctx.near["lat"], "lon": ctx.near["lon"]},
                                           "order": "asc", "unit": "km", "ignore_unmapped": True}})
        return keys + [{"id": "asc"}]

    def search(self, rtype: str, body: dict, deadline: Deadline, *, store: bool = False) -> dict:
        """One search on the type's FHIR index (or its resource store) within the time limit (the OpenSearch
        task ends with it)."""
        extra, request = deadline.opensearch()
        index = resources_alias(self.prefix, rtype) if store else alias(self.prefix, rtype)
        return _checked(lambda: self.client.search(
            index=index, body={**body, **extra},
            params={"cancel_after_time_interval": request["cancel_after_time_interval"]},
            request_timeout=request["request_timeout"]))

    def msearch(self, rtype: str, bodies: list[dict], deadline: Deadline) -> list[dict]:
        """Several searches on the type's FHIR index in one request (run side by side by OpenSearch), within
        the time limit; the first one that failed raises as `search` would."""
        extra, request = deadline.opensearch()
        lines: list[dict] = []
        for body in bodies:
            lines += [{"cancel_after_time_interval": request["cancel_after_time_interval"]}, {**body, **extra}]

        def call() -> list[dict]:
            responses = self.client.msearch(index=alias(self.prefix, rtype), body=lines,
                                            request_timeout=request["request_timeout"])["responses"]
            for item in responses:
                if "error" in item:  # said as the same failure of one search would be
                    error, status = item["error"], item.get("status", 500)
                    kind = error.get("type", "error") if isinstance(error, dict) else str(error)
                    if "cancel" in str(error).lower():
                        raise SearchTimeout("La recherche a dépassé son temps limite : précisez les critères "
                                            "ou réessayez.", detail=str(error)[:500])
                    raise os_errors.HTTP_EXCEPTIONS.get(status, os_errors.TransportError)(status, kind, item)
            return responses

        return _checked(call)

    def has_ids(self, rtype: str, cmp: fl.Compare, deadline: Deadline) -> list[str]:
        """Ids of `rtype` resources that the `_has` comparison's source resources point to."""
        source, reference, param = _has_parts(rtype, cmp.path)
        provider = hooks.has_providers.get(f"{source}:{reference}")
        if provider is not None:
            request = hooks.HasRequest(rtype, source, reference, param, cmp.op, cmp.values, deadline, self.graph)
            return sorted(set(provider(request)))
        ctx = Context(commune_point=lambda insee: self.commune_point(insee, deadline),
                      has_ids=lambda r, c: self.has_ids(r, c, deadline))
        query = compile_tree(source, fl.Compare(param, cmp.op, cmp.values), ctx)
        body = {"query": query, "size": 0, "track_total_hits": False,
                "aggs": {"ids": {"terms": {"field": reference, "size": MAX_HAS_IDS + 1}}}}
        buckets = self.search(source, body, deadline)["aggregations"]["ids"]["buckets"]
        if len(buckets) > MAX_HAS_IDS:
            raise TooCostly(f"« {cmp.path} » désigne plus de {MAX_HAS_IDS} ressources : précisez la recherche.")
        return [b["key"] for b in buckets]

    def commune_point(self, insee: str, deadline: Deadline) -> tuple[float, float, float]:
        if self.graph is None:
            raise ServiceUnavailable("La recherche par commune demande la base de données.")
        point = _commune_point(self.graph, insee, deadline.remaining())
        if point is None:
            raise InvalidParam(f"Commune inconnue pour « near-insee-code » : {insee!r}.")
        return point


def _checked(call):
    """`call()` (one or several OpenSearch searches) with its failures said as the product says them: past the
    time limit a SearchTimeout, an engine out of reach a ServiceUnavailable."""
    try:
        with translated():
            response = call()
    except (os_errors.ConnectionTimeout, SearchTimeout) as exc:
        raise SearchTimeout("La recherche a dépassé son temps limite : précisez les critères ou réessayez.",
                            detail=str(exc)) from exc
    except ServiceUnavailable as exc:
        if "cancel" in str(exc.detail or "").lower() or "timeout" in str(exc.detail or "").lower():
            raise SearchTimeout("La recherche a dépassé son temps limite : précisez les critères ou "
                                "réessayez.", detail=exc.detail) from exc
        raise
    for one in response if isinstance(response, list) else [response]:
        if one.get("timed_out"):
            raise SearchTimeout("La recherche a dépassé son temps limite : précisez les critères ou réessayez.")
    return response


def _commune_point(graph, insee: str, timeout: float) -> tuple[float, float, float] | None:
    cached = _POINTS.get((id(graph), insee))
    if cached is not None:
        return cached
    rows = graph.read_named("fhir/commune_point", timeout_=timeout, insee=insee)
    if not rows or rows[0]["lat"] is None:
        return None
    point = (rows[0]["lat"], rows[0]["lon"], rows[0]["radius_km"] or 30.0)
    if len(_POINTS) < 40_000:
        _POINTS[(id(graph), insee)] = point
    return point


_POINTS: dict[tuple[int, str], tuple[float, float, float]] = {}


class ResourceCache:
    """Resource store documents already read, as `Hit`s (the rendered resource as bytes, its references), keyed
    by concrete index and id and valid for one document version (`_seq_no`, `_primary_term`: any write or rebuild
    changes it), least recently used dropped past `max_bytes` of resource text. Thread-safe.

    Each entry also notes the state of its store (`SearchEngine.store_state`) at which its version was last
    confirmed current: while the store stays at that state, `current` gives it without asking its version."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self._items: OrderedDict[tuple[str, str], list] = OrderedDict()  # [seq_no, primary_term, Hit, confirmed]
        self._lock = threading.Lock()

    def get(self, doc: dict) -> Hit | None:
        """The resource held for this document version, or None."""
        return self.get_many([doc])[0]

    def get_many(self, docs: list[dict], generations: dict | None = None) -> list[Hit | None]:
        """`get` of each document (one lock); a version found current is noted as confirmed at its store's state
        in `generations` (concrete index → state read before the versions were), if given."""
        out = []
        items = self._items
        with self._lock:
            for doc in docs:
                key = (doc["_index"], doc["_id"])
                held = items.get(key)
                if held is not None and held[0] == doc["_seq_no"] and held[1] == doc["_primary_term"]:
                    items.move_to_end(key)
                    if generations:
                        held[3] = generations.get(key[0])
                    out.append(held[2])
                else:
                    out.append(None)
        return out

    def current(self, index: str, ids: list[str], generation) -> list[Hit | None]:
        """The resources held and confirmed current at `generation` of their store `index` (None otherwise)."""
        out = []
        items = self._items
        with self._lock:
            for i in ids:
                held = items.get((index, i))
                if held is not None and held[3] is not None and held[3] == generation:
                    items.move_to_end((index, i))
                    out.append(held[2])
                else:
                    out.append(None)
        return out

    def put(self, doc: dict, generation=None) -> Hit:
        """Keep a whole document (with `_source`) at its version, confirmed current at `generation` of its store
        if given; its Hit, kept or not (larger than the cache)."""
        hit = store_hit(doc)
        cost = _cost(hit)
        if cost > self.max_bytes:
            return hit
        key = (doc["_index"], doc["_id"])
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= _cost(old[2])
            self._items[key] = [doc["_seq_no"], doc["_primary_term"], hit, generation]
            self.size += cost
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= _cost(dropped[2])
        return hit


@dataclass(frozen=True)
class StoreState:
    """The resource stores' state at one moment (`SearchEngine.store_state`): per type its concrete index and
    write position, and the same positions by concrete index."""
    stores: dict[str, tuple[str, tuple]]
    generations: dict[str, tuple]


def _cost(hit: Hit) -> int:
    """What a kept resource counts against the cache's bound: its JSON text, plus a little for the entry."""
    return len(hit.resource) + 200


def hit_id(raw: dict) -> str:
    """The id of a search hit fetched with `NO_FETCH` (the `id` sort key, last of every FHIR search's sort)."""
    return raw["_id"] if "_id" in raw else raw["sort"][-1]


def _distance_km(raw: dict, near: dict | None) -> float | None:
    if near is not None and near.get("field") == "near" and len(raw.get("sort") or []) > 1:
        return float(raw["sort"][0])
    return None


def store_hit(raw: dict) -> Hit:
    """A Hit from a whole resource store document: the resource's text and its reference fields (the document's
    other fields but `id`, `fhir_api.index.documents.store_document`)."""
    src = raw["_source"]
    return Hit(raw["_id"], src[RESOURCE].encode(), {k: v for k, v in src.items() if k not in (RESOURCE, "id")})


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))
