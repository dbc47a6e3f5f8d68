"""OpenSearch query bodies built from typed, validated values (never from raw user text as DSL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import BadRequest
from search.models import BaseQuery, Gender, Origin

MAX_SIZE = 100
MAX_WINDOW = 10_000  # OpenSearch's default max_result_window; deeper pages use search_after
PUBLISHED = "published"
FACETS = {"activity": "activity_keys", "care_mode": "care_mode_keys", "department": "department_key",
          "region": "region_key", "field": "field_keys", "category": "category_key"}


@dataclass(frozen=True)
class Scope:
    """Where a query looks: an origin and a radius (None = no distance limit)."""

    origin: Origin | None
    radius_km: float | None


def check_paging(q: BaseQuery) -> tuple[int, int]:
    if not isinstance(q.size, int) or not 1 <= q.size <= MAX_SIZE:
        raise BadRequest(f"Taille de page invalide : {q.size} (entre 1 et {MAX_SIZE}).", fields={"size": str(q.size)})
    if not isinstance(q.page, int) or q.page < 1:
        raise BadRequest(f"Numéro de page invalide : {q.page} (1 ou plus).", fields={"page": str(q.page)})
    if q.search_after is None and q.page * q.size > MAX_WINDOW:
        raise BadRequest("Page trop lointaine : utilisez la pagination par curseur (search_after).",
                         fields={"page": str(q.page)})
    return q.page, q.size


def published_filter() -> dict:
    """Readers and search only see published offers (docs/graph-model.md: a missing status counts as draft)."""
    return {"term": {"status": PUBLISHED}}


def territory_filters(q: BaseQuery) -> list[dict]:
    filters = []
    if q.region:
        filters.append({"term": {"region_code": str(q.region)}})
    if q.department:
        filters.append({"term": {"department_code": str(q.department).upper()}})
    return filters


def geo_filter(scope: Scope) -> list[dict]:
    if scope.origin is None or scope.radius_km is None:
        return []
    return [{"geo_distance": {"distance": f"{scope.radius_km}km", "distance_type": "arc",
                              "location": {"lat": scope.origin.lat, "lon": scope.origin.lon}}}]


def distance_sort(scope: Scope, tiebreak: str = "id") -> list[dict]:
    origin = scope.origin
    return [{"_geo_distance": {"location": {"lat": origin.lat, "lon": origin.lon}, "unit": "km",
                               "order": "asc", "distance_type": "arc", "ignore_unmapped": True}},
            {tiebreak: "asc"}]


def terms(field: str, codes) -> dict:
    return {"terms": {field: sorted(codes)}}


def open_now_filter(codes, local_minute: int) -> dict:
    """Equipment of one of `codes` with an opening slot containing this minute of the week."""
    return {"nested": {"path": "equipment_slots", "query": {"bool": {"filter": [
        terms("equipment_slots.code", codes),
        {"range": {"equipment_slots.minutes": {"gte": local_minute, "lte": local_minute, "relation": "contains"}}},
    ]}}}}


def beds_filters(gender: Gender, min_available: int, include_stale: bool, now: datetime,
                 stale_hours: float) -> list[dict]:
    field = {Gender.WOMAN: "capacity.available_for_women", Gender.MAN: "capacity.available_for_men",
             Gender.ANY: "capacity.available_total"}[gender]
    filters = [{"range": {field: {"gte": max(1, int(min_available))}}}]
    if not include_stale:
        filters.append({"range": {"capacity.updated_at": {"gte": (now - timedelta(hours=stale_hours)).isoformat()}}})
    return filters


def search_body(q: BaseQuery, scope: Scope, filters: list[dict], *, must: list[dict] | None = None,
                sort_by_distance: bool = True, facets: bool = False, tiebreak: str = "id") -> dict:
    """The full request body: filters, distance sort (or relevance), paging or cursor, optional facets."""
    page, size = check_paging(q)
    body: dict = {
        "query": {"bool": {"filter": [*filters, *territory_filters(q), *geo_filter(scope)]}},
        "size": size, "track_total_hits": True,
    }
    if must:
        body["query"]["bool"]["must"] = must
    if sort_by_distance and scope.origin is not None:
        body["sort"] = distance_sort(scope, tiebreak)
    elif must:
        body["sort"] = ["_score", {tiebreak: "asc"}]
    else:
        body["sort"] = [{tiebreak: "asc"}]
    if q.search_after is not None:
        body["search_after"] = list(q.search_after)
    else:
        body["from"] = (page - 1) * size
    if facets:
        body["aggs"] = {name: {"terms": {"field": field, "size": 30}} for name, field in FACETS.items()}
    return body


def text_clause(text: str) -> list[dict]:
    """Free-text relevance: every word must match somewhere (French analysis + synonyms), names boosted."""
    if not text.strip():
        return []
    return [{"multi_match": {
        "query": text[:200], "type": "most_fields", "operator": "and",
        "fields": ["all_text", "name^3", "site_name^2", "activity_labels^2"],
    }}]
