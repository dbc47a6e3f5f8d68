"""FHIR `near` / `near-insee-code` without a distance: the adaptive radius of the pages, /api/v1 and the CLI.

FHIR R4 leaves the distance of a `near` without one to the server. This one starts at the SAS radius of the
point's département, widens by half the radius while fewer than N matches, up to the maximum
(`search.widening`), and for a time-critical act, activity or equipment (data/orientation/time_critical.csv)
returns the nearest K whatever the distance. An explicit distance is honoured as given. The search then runs
with the chosen distance: the Bundle's self link carries it, and an OperationOutcome entry
(`search.mode = outcome`, severity `information`) says in French how far it went and why.

One extra index request (`probe`): the matches within each radius of the sequence (a `filters` aggregation: the
`near` alone at each radius within the query at the largest, or the whole query at each radius when other criteria
read the same chained place); when time-critical and too few within the largest radius, a second one: the K
nearest anywhere, sorted by distance.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, replace
from pathlib import Path

from fhir_api import filter as fl
from fhir_api import params
from fhir_api.query import Context, compile_tree
from fhir_api.search import NO_FETCH
from geo.sas import FALLBACK_RADIUS_KM
from search.models import Widening
from search.widening import Probe, WideningPolicy, codes_reason, km, widen

NEAR_PARAMS = ("near", "near-insee-code")
# parameter → (kind of the time-critical table, the NOS code system its codes belong to)
CODED = {"specialty": ("activity", "TRE_R211"), "characteristic": ("act", "TRE_R210"),
         "equipment-type": ("equipment", "TRE_R212")}
POINT_FIRST_KM = 8.0
POINT_SEARCH_KM = 60.0  # a bare point's département is the one of the nearest commune within this distance


@dataclass(frozen=True)
class Adapted:
    tree: fl.And  # the criteria with the chosen distance
    widening: Widening
    items: list[tuple[str, str]]  # the query string with the chosen distance (the Bundle's links)


def adapt(engine, rtype: str, tree: fl.And, items: list[tuple[str, str]], deadline, policy: WideningPolicy,
          data_dir: Path) -> Adapted | None:
    """The criteria with the distance the adaptive radius chose, or None (no `near`, or one with a distance)."""
    at = _adaptive_near(tree)
    if at is None:
        return None
    cmp = tree.items[at]
    start = _start_km(engine, cmp, deadline)
    reason = _time_critical(tree, data_dir)
    memo: dict = {}
    alone = fl.And((cmp,)) if _independent(tree, at) else None

    def context() -> Context:
        def has_ids(source: str, c: fl.Compare) -> list[str]:
            if (source, c) not in memo:
                memo[(source, c)] = engine.has_ids(source, c, deadline)
            return memo[(source, c)]
        return Context(commune_point=lambda insee: engine.commune_point(insee, deadline), has_ids=has_ids)

    def compiled(tree_: fl.And) -> tuple[dict, Context]:
        ctx = context()
        return compile_tree(rtype, tree_, ctx), ctx

    def probe(radii: tuple[float, ...], k: int) -> Probe:
        """The matches within each radius (one request); when time-critical and too few within the largest,
        the K nearest anywhere and how many there are (a second request)."""
        filters, ctx = {}, None
        for radius in radii:  # within the outer query, the `near` alone counts when nothing else reads its item
            filters[f"{radius:g}"], ctx = compiled(_with_distance(alone if alone else tree, 0 if alone else at,
                                                                  radius))
        outer, _ = compiled(_with_distance(tree, at, radii[-1]))
        body = {"query": outer, "size": 0, "track_total_hits": False,
                "aggs": {"radii": {"filters": {"filters": filters}}}}
        buckets = engine.search(rtype, body, deadline)["aggregations"]["radii"]["buckets"]
        counts = {r: buckets[f"{r:g}"]["doc_count"] for r in radii}
        if not k or counts[radii[-1]] >= policy.min_results:
            return Probe(counts)
        anywhere, _ = compiled(fl.And(tree.items[:at] + tree.items[at + 1:]))
        body = {"query": anywhere, "size": k, **NO_FETCH, "track_total_hits": True,
                "sort": [_distance_sort(ctx), {"id": "asc"}]}
        response = engine.search(rtype, body, deadline)
        hits = response["hits"]["hits"]
        return Probe(counts, total_anywhere=response["hits"]["total"]["value"],
                     kth_km=float(hits[-1]["sort"][0]) if hits else None)

    widening = widen(start, policy, probe, reason=reason)
    if widening.mode == "nearest":
        chosen = min(params.MAX_NEAR_KM, math.ceil((widening.farthest_km or 0.0) * 1000 + 10) / 1000)
    else:
        chosen = widening.radius_km
    adapted = _with_distance(tree, at, chosen)
    value = adapted.items[at].values[0]
    new_items = [(k, value if k == cmp.path and v == cmp.values[0] else v) for k, v in items]
    return Adapted(adapted, widening, new_items)


def explanation(widening: Widening) -> str:
    """The French sentence of the Bundle's outcome entry."""
    if widening.explanation:
        return widening.explanation
    return f"Rayon du SAS du département : {km(widening.radius_km)} km, non élargi."


def _adaptive_near(tree: fl.And) -> int | None:
    """The position of the top-level `near` / `near-insee-code` comparison that gives no distance."""
    for i, node in enumerate(tree.items):
        if not isinstance(node, fl.Compare) or node.path.rpartition(".")[2] not in NEAR_PARAMS:
            continue
        if len(node.values) != 1:
            return None
        parts = node.values[0].split("|")
        distance_at = 1 if node.path.endswith("near-insee-code") else 2
        return i if len(parts) <= distance_at or not parts[distance_at].strip() else None
    return None


def _independent(tree: fl.And, at: int) -> bool:
    """Whether the `near` comparison can be counted on its own: the other criteria are plain comparisons that
    do not read the same chained item (`location.near` with `location.capacity-status` must hold for one place)."""
    chain = tree.items[at].path.rpartition(".")[0]
    return all(isinstance(node, fl.Compare) and node.path != "_filter" and not node.path.startswith("_has")
               and not (chain and node.path.startswith(chain + ".")) for i, node in enumerate(tree.items) if i != at)


def _with_distance(tree: fl.And, at: int, radius_km: float) -> fl.And:
    cmp = tree.items[at]
    parts = cmp.values[0].split("|")
    head = parts[:1] if cmp.path.endswith("near-insee-code") else parts[:2]
    value = "|".join([*head, f"{radius_km:.3f}".rstrip("0").rstrip("."), "km"])
    return fl.And(tree.items[:at] + (replace(cmp, values=(value,)),) + tree.items[at + 1:])


def _start_km(engine, cmp: fl.Compare, deadline) -> float:
    """The SAS radius of the département of the commune (near-insee-code) or of the point's nearest commune."""
    raw = cmp.values[0]
    if cmp.path.endswith("near-insee-code"):
        return float(engine.commune_point(raw.partition("|")[0], deadline)[2])
    point = params.near(raw)
    if engine.graph is None:
        return FALLBACK_RADIUS_KM
    return _point_radius(engine.graph, round(point["lat"], 3), round(point["lon"], 3), deadline)


def _point_radius(graph, lat: float, lon: float, deadline) -> float:
    """The SAS radius of the nearest commune's département (kept with the graph, per point rounded to ~100 m):
    first within a few km (a commune centre is nearly always that close), then within POINT_SEARCH_KM."""
    kept = _RADII.setdefault(graph, {})
    if (lat, lon) not in kept:
        rows = []
        for km_ in (POINT_FIRST_KM, POINT_SEARCH_KM):
            rows = graph.read_named("fhir/point_sas_radius", timeout_=deadline.remaining(), lat=lat, lon=lon,
                                    meters=km_ * 1000)
            if rows:
                break
        if len(kept) >= 20_000:
            kept.clear()
        kept[(lat, lon)] = float(rows[0]["radius_km"]) if rows and rows[0]["radius_km"] else FALLBACK_RADIUS_KM
    return kept[(lat, lon)]


_RADII: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph → {(lat, lon): km}, gone with the graph


def _time_critical(tree: fl.And, data_dir: Path) -> str | None:
    """Why the search is time-critical: a top-level code comparison naming mostly time-critical codes."""
    for node in tree.items:
        if not isinstance(node, fl.Compare) or node.op not in ("=", "eq"):
            continue
        if node.path.startswith("_has:"):
            parts = node.path.split(":")
            name, modifier = (parts[3], parts[4] if len(parts) > 4 else "") if len(parts) > 3 else ("", "")
        else:
            base, _, modifier = node.path.partition(":")
            name = base.rpartition(".")[2]
        if name not in CODED or modifier:
            continue
        kind, system = CODED[name]
        codes = tuple(code for sys, _, code in (v.rpartition("|") for v in node.values)
                      if not sys or system in sys)
        reason = codes_reason(data_dir, kind, codes) if codes else None
        if reason:
            return reason
    return None


def _distance_sort(ctx: Context) -> dict:
    field = ctx.near_field or "near"
    key: dict = {field: {"lat": ctx.near["lat"], "lon": ctx.near["lon"]}, "order": "asc", "unit": "km",
                 "ignore_unmapped": True}
    if "." in field:
        key["nested"] = {"path": field.rpartition(".")[0]}
    return {"_geo_distance": key}
