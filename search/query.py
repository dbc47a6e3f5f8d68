"""OpenSearch query bodies built from typed, validated values (never from raw user text as DSL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from core import freshness
from core.errors import BadRequest
from search.models import BaseQuery, Gender, Origin

if TYPE_CHECKING:
    from search.interpret import Reading

MAX_SIZE = 100
MAX_WINDOW = 10_000  # OpenSearch's default max_result_window; deeper pages use search_after
PUBLISHED = "published"
FACETS = {"activity": "activity_keys", "care_mode": "care_mode_keys", "department": "department_key",
          "region": "region_key", "field": "field_keys", "category": "category_key"}
# Where the codes of each kind of concept a text names are searched.
CODE_FIELDS = {"activity": "activity_codes", "act": "act_codes", "equipment": "equipment_codes",
               "care_mode": "care_mode_codes", "age_group": "age_group_codes", "category": "category_code"}
TEXT_FIELDS = ["all_text", "name^3", "site_name^2", "activity_labels^2", "city^2"]
FUZZINESS = "AUTO:5,8"  # no typo under 5 letters, one from 5, two from 8 (search.interpret.allowed_edits)


@dataclass(frozen=True)
class Scope:
    """Where a query looks: an origin and a radius (None = no distance limit)."""

    origin: Origin | None
    radius_km: float | None

    def around(self) -> tuple[Origin, float]:
        """The origin and radius of a search around a place (a scope that has both)."""
        if self.origin is None or self.radius_km is None:
            raise ValueError("not a search around a place: origin and radius expected")
        return self.origin, self.radius_km


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
    assert origin is not None, "a distance sort needs an origin"
    return [{"_geo_distance": {"location": {"lat": origin.lat, "lon": origin.lon}, "unit": "km",
                               "order": "asc", "distance_type": "arc", "ignore_unmapped": True}},
            {tiebreak: "asc"}]


def terms(field: str, codes: Iterable[str]) -> dict:
    return {"terms": {field: sorted(codes)}}


def open_now_filter(codes: Iterable[str], local_minute: int) -> dict:
    """Equipment of one of `codes` with an opening slot containing this minute of the week."""
    return {"nested": {"path": "equipment_slots", "query": {"bool": {"filter": [
        terms("equipment_slots.code", codes),
        {"range": {"equipment_slots.minutes": {"gte": local_minute, "lte": local_minute, "relation": "contains"}}},
    ]}}}}


def beds_filters(gender: Gender, min_available: int, include_stale: bool, now: datetime,
                 stale_hours: float) -> list[dict]:
    field = {Gender.WOMAN: "capacity.available_for_women", Gender.MAN: "capacity.available_for_men",
             Gender.ANY: "capacity.available_total"}[gender]
    filters: list[dict] = [{"range": {field: {"gte": max(1, int(min_available))}}}]
    if not include_stale:
        filters.append({"range": {"capacity.updated_at": {"gt": freshness.stale_cutoff(stale_hours, now).isoformat()}}})
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
        body["aggs"] = facet_aggs()
    return body


def facet_aggs() -> dict:
    return {name: {"terms": {"field": field, "size": 30}} for name, field in FACETS.items()}


def radius_counts(origin: Origin, radii: tuple[float, ...], sub_aggs: dict | None = None) -> dict:
    """Hits within each radius of the widening sequence (overlapping ranges from 0), one request for all."""
    agg: dict = {"geo_distance": {"field": "location", "origin": {"lat": origin.lat, "lon": origin.lon},
                                  "unit": "km", "distance_type": "arc", "keyed": True,
                                  "ranges": [{"key": f"{r:g}", "to": r} for r in radii]}}
    if sub_aggs:
        agg["aggs"] = sub_aggs
    return agg


def text_query(reading: Reading, optional: tuple[str, ...] = ()) -> list[dict]:
    """Clauses of a free text read as concepts: each run of words must match one of the codes it names (any
    kind), the words no concept accounts for must match the text fields (typo-tolerant) — except `optional`
    ones, which only rank; texts that name no concept are searched as text only. A name matching the whole
    text ranks first (optional clause)."""
    runs: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for match in reading.matches:
        runs[match.words][match.kind].add(match.code)
    clauses = []
    for by_kind in runs.values():
        options = [{"terms": {CODE_FIELDS[kind]: sorted(codes)}} for kind, codes in by_kind.items()
                   if kind in CODE_FIELDS]
        clauses.append({"bool": {"should": options, "minimum_should_match": 1}})
    if not clauses:
        return text_clause(reading.text)
    required = [w for w in reading.leftover if w not in optional]
    if required:  # place names, checked against the gazetteer: exact words, cheaper than fuzzy ones
        clauses.append({"multi_match": {"query": " ".join(required)[:200], "type": "most_fields", "operator": "and",
                                        "fields": ["all_text", "city^2", "commune_name^2"]}})
    ranking = [{"multi_match": {"query": reading.text[:200], "type": "most_fields", "fields": ["name^3", "site_name"]}}]
    if optional:
        ranking.append({"multi_match": {"query": " ".join(optional)[:200], "type": "most_fields",
                                        "fields": TEXT_FIELDS}})
    return [{"bool": {"must": clauses, "should": ranking}}]


def fuzzy_text(text: str) -> dict:
    """Every word somewhere in the text fields, each within its allowed typos."""
    return {"multi_match": {"query": text[:200], "type": "most_fields", "operator": "and", "fields": TEXT_FIELDS,
                            "fuzziness": FUZZINESS, "prefix_length": 1, "max_expansions": 20}}


def text_clause(text: str) -> list[dict]:
    """Free-text relevance: every word must match somewhere (French analysis + synonyms), names boosted."""
    if not text.strip():
        return []
    return [fuzzy_text(text)]
