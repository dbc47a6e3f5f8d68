"""The orientation service: typed query → ranked, explained results. Used by web, CLI and FHIR alike."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from core.errors import BadRequest, NotFound, RorError
from core.settings import Settings
from geo.distance import check_radius
from geo.gazetteer import Gazetteer, name_key
from geo.geocoder import make_geocoder
from graph.driver import Graph
from search import query as dsl
from search.client import translated
from search.documents import offer_document, week_minute
from search.indexer import IndexNames
from search.interpret import Interpreter, Reading
from search.models import (
    ActTeamQuery,
    BaseQuery,
    BedsQuery,
    Coded,
    EquipmentQuery,
    OfferDetail,
    OfferSummary,
    ProfessionalRole,
    QueryKind,
    SearchResult,
    SiteDetail,
    SiteHit,
    SpecialistOpinionQuery,
    Suggestion,
    TextMatch,
    TextQuery,
    Where,
)
from search.results import Context, facets_of, offer_hit
from search.routing import IndexRouter
from search.vocabulary import KIND_LABELS, Vocabulary
from search.widening import WideningPolicy, decide, fixed, radius_steps, time_critical_reason

PARIS = ZoneInfo("Europe/Paris")
SUGGEST_KINDS = ("activity", "act", "equipment", "commune", "site")
# What a result is called in the widening explanation, per query kind ("aucune équipe à moins de 50 km").
NOUNS = {QueryKind.ACT_TEAM: "équipe", QueryKind.SPECIALIST_OPINION: "unité", QueryKind.EQUIPMENT: "équipement",
         QueryKind.BEDS: "unité avec lits disponibles", QueryKind.TEXT: "résultat"}
POPULARITY_TTL_S = 600.0


class OrientationService:
    """One instance per process/app: holds the gazetteer and the NOS vocabulary in memory."""

    def __init__(self, graph: Graph, client: OpenSearch, settings: Settings, gazetteer: Gazetteer | None = None, *,
                 vocabulary: Vocabulary | None = None, clock: Callable[[], datetime] | None = None):
        self.graph, self.client, self.settings = graph, client, settings
        self.gazetteer = gazetteer or Gazetteer.from_data_dir(settings.data_dir, make_geocoder(settings.geocoder_url))
        self._vocabulary = vocabulary
        self.names = IndexNames(settings.index_prefix)
        self.clock = clock or (lambda: datetime.now(PARIS))
        self.routers = {kind: IndexRouter(client, self.names.alias(kind)) for kind in ("offers", "sites")}
        self.policy = WideningPolicy(min_results=settings.widen_min_results, max_radius_km=settings.widen_max_km,
                                     step_ratio=settings.widen_step_ratio, time_critical_k=settings.time_critical_k)
        self._interpreter: Interpreter | None = None
        self._popularity_at = -float("inf")

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.from_graph(self.graph)
        return self._vocabulary

    def prepare(self) -> None:
        """Build the long-lived tables now (the NOS vocabulary from the graph, the text interpreter's word index)
        rather than in the first request that needs them: a server then moves them, with the gazetteer, out of
        the collector's reach (web.services). The interpreter's popularity is still read on its first use."""
        if self._interpreter is None:
            self._interpreter = Interpreter(self.vocabulary)

    @property
    def interpreter(self) -> Interpreter:
        """The typo-tolerant reader of texts; concepts ranked by how many offers provide them (refreshed)."""
        if self._interpreter is None:
            self._interpreter = Interpreter(self.vocabulary)
        if time.monotonic() - self._popularity_at > POPULARITY_TTL_S:
            self._popularity_at = time.monotonic()
            self._interpreter.popularity = self._popularity()
        return self._interpreter

    def _popularity(self) -> dict[tuple[str, str], int]:
        """(kind, code) → published offers providing it, from the index (empty when it cannot be read)."""
        fields = {"activity": "activity_codes", "act": "act_codes", "equipment": "equipment_codes"}
        body = {"size": 0, "query": {"bool": {"filter": [dsl.published_filter()]}},
                "aggs": {kind: {"terms": {"field": field, "size": 3000}} for kind, field in fields.items()}}
        try:
            with translated():
                aggs = self.client.search(index=self.names.alias("offers"), body=body).get("aggregations") or {}
        except RorError:  # popularity only ranks suggestions: a search never fails for it
            return {}
        return {(kind, b["key"]): b["doc_count"] for kind in fields for b in aggs.get(kind, {}).get("buckets", [])}

    # ------------------------------------------------------------------------------------------ queries

    def specialist_opinion(self, q: SpecialistOpinionQuery) -> SearchResult:
        """Nearest offers providing an activity, for an age group / public, with the contact to call."""
        activities = self.vocabulary.resolve("activity", q.activity)
        age = self._one("age_group", q.age_group)
        public = self._one("public", q.public)
        filters = [dsl.terms("activity_codes", _codes(activities))]
        if age:
            filters.append(dsl.terms("age_group_codes", [age.code]))
        if public:
            filters.append(dsl.terms("public_codes", [public.code]))
        return self._geo_search(QueryKind.SPECIALIST_OPINION, q, filters, activities=activities, age_group=age,
                                public=public, contact_function=q.contact_function,
                                urgent=time_critical_reason(self.settings.data_dir, "activity", activities, q.activity))

    def act_team(self, q: ActTeamQuery) -> SearchResult:
        """Nearest offers performing a specific act (thrombectomy, coronary angioplasty, ECMO…)."""
        acts = self.vocabulary.resolve("act", q.act)
        age = self._one("age_group", q.age_group)
        filters = [dsl.terms("act_codes", _codes(acts))]
        if age:
            filters.append(dsl.terms("age_group_codes", [age.code]))
        return self._geo_search(QueryKind.ACT_TEAM, q, filters, acts=acts, age_group=age,
                                urgent=time_critical_reason(self.settings.data_dir, "act", acts, q.act))

    def equipment(self, q: EquipmentQuery) -> SearchResult:
        """Nearest places with an equipment, today's hours and "open now" (Europe/Paris)."""
        kinds = self.vocabulary.resolve("equipment", q.equipment)
        at = (q.at or self.clock()).astimezone(PARIS)
        filters = [dsl.terms("equipment_codes", _codes(kinds))]
        if q.open_now:
            filters.append(dsl.open_now_filter(_codes(kinds), week_minute(at)))
        return self._geo_search(QueryKind.EQUIPMENT, q, filters, equipment=kinds, now=at,
                                urgent=time_critical_reason(self.settings.data_dir, "equipment", kinds, q.equipment))

    def beds(self, q: BedsQuery) -> SearchResult:
        """Nearest offers of an activity (and care mode) with available beds for the patient's gender."""
        activities = self.vocabulary.resolve("activity", q.activity)
        modes = self.vocabulary.resolve("care_mode", q.care_mode) if q.care_mode else ()
        age = self._one("age_group", q.age_group)
        now = self.clock().astimezone(PARIS)
        filters = [dsl.terms("activity_codes", _codes(activities)),
                   *dsl.beds_filters(q.gender, q.min_available, q.include_stale, now,
                                     self.settings.capacity_stale_hours)]
        if modes:
            filters.append(dsl.terms("care_mode_codes", _codes(modes)))
        if age:
            filters.append(dsl.terms("age_group_codes", [age.code]))
        return self._geo_search(QueryKind.BEDS, q, filters, activities=activities, care_modes=modes,
                                age_group=age, now=now, extra_why=("beds",),
                                urgent=time_critical_reason(self.settings.data_dir, "activity", activities, q.activity))

    def text(self, q: TextQuery) -> SearchResult:
        """Free text read as NOS concepts (typos, synonyms, abbreviations), with facets; distance-sorted and
        widened like the other searches when a place is given."""
        filters: list[dict] = []
        activities: tuple[Coded, ...] = ()
        modes: tuple[Coded, ...] = ()
        if q.activity:
            activities = self.vocabulary.resolve("activity", q.activity)
            filters.append(dsl.terms("activity_codes", _codes(activities)))
        if q.care_mode:
            modes = self.vocabulary.resolve("care_mode", q.care_mode)
            filters.append(dsl.terms("care_mode_codes", _codes(modes)))
        if q.field:
            filters.append(dsl.terms("field_codes", _codes(self.vocabulary.resolve("field", q.field))))
        if q.category:
            filters.append({"term": {"category_code": str(q.category)}})
        text = (q.text or "").strip()
        reading = self.interpreter.read(text) if text else Reading(text="")
        named = {kind: tuple(Coded(code=m.code, label=m.label) for m in reading.of_kind(kind))
                 for kind in ("activity", "act", "equipment", "care_mode")}
        urgent = (time_critical_reason(self.settings.data_dir, "act", named["act"], text)
                  or time_critical_reason(self.settings.data_dir, "activity", named["activity"], text))
        explain: dict[str, Any] = {"activities": activities + named["activity"], "acts": named["act"],
                   "equipment": named["equipment"], "care_modes": modes + named["care_mode"],
                   "text": text or None, "notes": reading.notes}
        must = dsl.text_query(reading, self._optional_words(reading)) if text else []
        scope, source, enlargement = self._scope(q, required=False)
        if scope.origin is None:
            ctx = Context(now=self.clock().astimezone(PARIS), stale_hours=self.settings.capacity_stale_hours,
                          **explain)
            body = dsl.search_body(q, scope, filters, must=must, facets=True)
            result = self._run(QueryKind.TEXT, q, body, ctx, scope, source, enlargement, activities + modes)
            return _with_reading(result, reading)
        result = self._geo_search(QueryKind.TEXT, q, filters, must=must, facets=True, urgent=urgent, **explain)
        return _with_reading(result, reading)

    # ------------------------------------------------------------------------------------------ lookups

    def autocomplete(self, prefix: str, kinds: Iterable[str] = SUGGEST_KINDS, limit: int = 10) -> list[Suggestion]:
        """Suggestions for a typed prefix: NOS labels (typos, synonyms and abbreviations tolerated), communes and
        site names (accent-insensitive). A known medical word puts activities, acts and equipment first."""
        kinds = [k for k in kinds if k in SUGGEST_KINDS]
        prefix = (prefix or "").strip()[:100]
        if len(prefix) < 2:
            return []
        limit = max(1, min(int(limit), 50))
        medical_kinds = [k for k in kinds if k in ("activity", "act", "equipment")]
        matches = self.interpreter.suggest(prefix, medical_kinds, limit) if medical_kinds else []
        medical = [Suggestion(kind=m.kind, code=m.code, label=m.label, detail=KIND_LABELS[m.kind], note=m.note)
                   for m in matches]
        places: list[Suggestion] = []
        if "commune" in kinds:
            places += self.gazetteer.suggest(prefix, limit)
        if "site" in kinds:
            body = {"size": limit, "_source": ["finess", "name", "city", "department_code"],
                    "query": {"match": {"name.prefix": {"query": prefix, "operator": "and"}}}}
            with translated():
                hits = self.client.search(index=self.names.alias("sites"), body=body)["hits"]["hits"]
            places += [Suggestion(kind="site", code=h["_source"]["finess"], label=h["_source"]["name"],
                                  detail=f"{h['_source'].get('city') or ''} ({h['_source'].get('department_code')})")
                       for h in hits]
        known = bool(matches) and (matches[0].how in ("exact", "synonym", "corrected") or len(prefix) >= 4)
        out = medical + places if known or not places else places + medical
        return out[: limit * max(1, len(kinds))]

    def nearest_sites(self, where: Where, *, limit: int = 10, radius_km: float | None = None,
                      category: str | None = None, region: str | None = None) -> list[SiteHit]:
        """Nearest FINESS sites (the sites index), great-circle distance in km."""
        origin = self.gazetteer.resolve(where)
        radius = check_radius(radius_km)
        filters = [{"term": {"category_code": category}}] if category else []
        q = BaseQuery(where=where, radius_km=radius, region=region, size=max(1, min(int(limit), 100)))
        body = dsl.search_body(q, dsl.Scope(origin, radius), filters, tiebreak="finess")
        body["query"]["bool"]["filter"].append({"exists": {"field": "location"}})
        body["track_total_hits"] = False  # the k nearest only: no count of every match
        hits = self._nearest("sites", dsl.Scope(origin, radius), body, q.size)
        return [SiteHit(finess=s["finess"], name=s.get("name") or "", category_code=s.get("category_code"),
                        category_label=s.get("category_label"), public_hospital=bool(s.get("public_hospital")),
                        city=s.get("city"), department_code=s.get("department_code"),
                        region_code=s.get("region_code"), lat=s["location"]["lat"], lon=s["location"]["lon"],
                        distance_km=round(float(h["sort"][0]), 3))
                for h in hits["hits"]["hits"] for s in (h["_source"],)]

    def site(self, finess: str, *, include_unpublished: bool = False) -> SiteDetail:
        """A site and its offers (only the published ones unless `include_unpublished`)."""
        rows = self.graph.read_named("index/sites", ids=[str(finess)])
        if not rows:
            raise NotFound(f"Établissement introuvable : FINESS {finess}.", fields={"finess": str(finess)})
        r = rows[0]
        offers = self.graph.read_named("index/site_offers", finess=str(finess),
                                       published_only=not include_unpublished)
        tension = self.graph.read_named("index/offers", ids=[offers[0]["id"]])[0]["tension_level"] if offers else None
        loc = r.get("location") or {}
        return SiteDetail(
            finess=r["finess"], name=r.get("name") or "", legal_entity_finess=r.get("legal_entity_finess"),
            legal_entity_name=r.get("legal_entity_name"), category_code=r.get("category_code"),
            category_label=r.get("category_label"), sph_code=r.get("sph_code"), sph_label=r.get("sph_label"),
            address=r.get("address"), postal_code=r.get("postal_code"), city=r.get("city"),
            commune_insee=r.get("commune_insee"), department_code=r.get("department_code"),
            region_code=r.get("region_code"), phone=r.get("phone"), email=r.get("email"),
            lat=loc.get("lat"), lon=loc.get("lon"), tension_level=tension,
            offers=tuple(OfferSummary(offer_id=o["id"], name=o.get("name") or "", synthetic=bool(o.get("synthetic")),
                                      activities=_coded(o.get("activities")), care_modes=_coded(o.get("care_modes")))
                         for o in offers),
        )

    def offer(self, offer_id: str, *, include_unpublished: bool = False) -> OfferDetail:
        """An offer's detail; an unpublished one is "not found" unless `include_unpublished` (the caller checks
        that the viewer may see it: contributor of its site, coordinator of its région, admin)."""
        rows = self.graph.read_named("index/offers", ids=[str(offer_id)])
        if not rows or (rows[0].get("status") != dsl.PUBLISHED and not include_unpublished):
            raise NotFound(f"Offre introuvable : {offer_id}.", fields={"offer_id": str(offer_id)})
        row = rows[0]
        doc = offer_document(row)
        ctx = Context(now=self.clock().astimezone(PARIS), stale_hours=self.settings.capacity_stale_hours)
        hit = offer_hit({"_source": doc}, ctx, distance_from_sort=False)
        roles = self.graph.read_named("index/professionals", ids=[str(offer_id)])
        return OfferDetail(
            offer=hit, status=row.get("status"), updated_at=_time(row.get("updated_at")),
            fields=_coded(row.get("fields")), publics=_coded(row.get("publics")),
            professionals=tuple(ProfessionalRole(
                rpps=p["rpps"], first_name=p.get("first_name"), last_name=p.get("last_name"),
                profession=p.get("profession"), specialty=p.get("specialty"), function_code=p.get("function_code"),
                function_label=p.get("function_label"), phone=p.get("phone"), email=p.get("email"),
                synthetic=bool(p.get("synthetic"))) for p in roles),
        )

    # ------------------------------------------------------------------------------------------ internals

    def _search(self, kind: str, scope: dsl.Scope, body: dict) -> dict:
        """Search the regional indices the circle can reach (around a place without a radius: the indices holding
        documents; without a place: the alias)."""
        with translated():
            if scope.origin is None:
                return self.client.search(index=self.names.alias(kind), body=body)
            router = self.routers[kind]
            for attempt in (1, 2):
                index = (router.indices(scope.origin.lat, scope.origin.lon, scope.radius_km)
                         if scope.radius_km is not None else router.populated())
                try:
                    response = self.client.search(index=index, body=body)
                except (os_errors.NotFoundError, os_errors.TransportError) as exc:
                    if attempt == 2 or (isinstance(exc.status_code, int) and exc.status_code < 500
                                        and not isinstance(exc, os_errors.NotFoundError)):
                        raise
                    router.invalidate()  # a rebuild swapped the indices since their bounds were read
                    continue
                if response.get("_shards", {}).get("failed") and attempt == 1:
                    router.invalidate()  # an index went away during the search: never return a partial answer
                    continue
                return response
        raise AssertionError("unreachable")

    def _nearest(self, kind: str, scope: dsl.Scope, body: dict, size: int) -> dict:
        """The `size` first hits of a distance-sorted search (no paging), asking the nearest régions first: the
        indices whose box holds the origin, then only those whose lower-bound distance does not exceed the k-th
        distance found so far (or all within the radius while fewer than k were found). Same answer as the alias
        (ties at the k-th distance included: an index at exactly that bound is searched), usually 1–3 shards."""
        if scope.origin is None:
            return self._search(kind, scope, body)
        router = self.routers[kind]
        with translated():
            for attempt in (1, 2):
                ranked = router.ranked(scope.origin.lat, scope.origin.lon, scope.radius_km)
                if not ranked:
                    break
                try:
                    hits = self._rings(ranked, body, size, everything=scope.radius_km is not None)
                except (os_errors.NotFoundError, os_errors.TransportError) as exc:
                    if attempt == 2 or (isinstance(exc.status_code, int) and exc.status_code < 500
                                        and not isinstance(exc, os_errors.NotFoundError)):
                        raise
                    hits = None
                if hits is not None:
                    return {"hits": {"hits": hits}}
                router.invalidate()  # a rebuild swapped the indices, or a shard failed: never a partial answer
        return self._search(kind, scope, body)

    def _rings(self, ranked: list[tuple[float, str]], body: dict, size: int, *, everything: bool) -> list[dict] | None:
        """`everything`: a radius already limits `ranked` to the few régions it reaches: one request for all."""
        searched: set[str] = set()
        hits: list[dict] = []
        batch = [index for _, index in ranked] if everything else \
            [index for bound, index in ranked if bound <= 0.0] or [ranked[0][1]]
        while batch:
            response = self.client.search(index=",".join(sorted(batch)), body=body)
            if response.get("_shards", {}).get("failed"):
                return None
            hits = sorted([*hits, *response["hits"]["hits"]], key=lambda h: tuple(h["sort"]))[:size]
            searched.update(batch)
            kth = float(hits[size - 1]["sort"][0]) if len(hits) >= size else math.inf
            batch = [index for bound, index in ranked if index not in searched and bound <= kth]
        return hits

    def _optional_words(self, reading: Reading) -> tuple[str, ...]:
        """Leftover words that only rank the results: when the text names concepts, a word that is not a place
        name ("IRM cérébrale": "cérébrale") must not empty the answer; a town ("cardiologie Brest") filters."""
        if not reading.matches:
            return ()
        places = {name_key(w) for w in reading.leftover if name_key(w) in self.gazetteer.by_key}
        return tuple(w for w in reading.leftover if w not in places)

    def _one(self, kind: str, value: str | None) -> Coded | None:
        if not value:
            return None
        found = self.vocabulary.resolve(kind, value)
        if len(found) > 1:
            labels = ", ".join(f"{c.label} ({c.code})" for c in found[:8])
            raise BadRequest(f"Valeur ambiguë pour {kind} : « {value} » ({labels}) ; indiquez un code.",
                             fields={kind: value})
        return found[0]

    def _scope(self, q: BaseQuery, *, required: bool = True) -> tuple[dsl.Scope, str | None, float | None]:
        radius = check_radius(q.radius_km)
        if q.where is None:
            if required:
                raise BadRequest("Lieu manquant : indiquez une commune, un code postal, une adresse ou un point.",
                                 fields={"where": "obligatoire"})
            return dsl.Scope(None, None), None, None
        origin = self.gazetteer.resolve(q.where)
        sas = self.gazetteer.radius_for(origin)
        if radius is not None:
            return dsl.Scope(origin, radius), "explicit", sas.enlargement_km
        return dsl.Scope(origin, sas.radius_km), "sas" if sas.from_table else "fallback", sas.enlargement_km

    def _geo_search(self, kind: QueryKind, q: BaseQuery, filters: list[dict], *, now: datetime | None = None,
                    must: list[dict] | None = None, facets: bool = False, urgent: str | None = None,
                    **explain: Any) -> SearchResult:
        """A search around a place: an explicit radius is honoured (unless `q.widen`); otherwise the SAS radius
        widens while too few results, and a time-critical query gets the nearest K whatever the distance."""
        scope, source, enlargement = self._scope(q)
        ctx = Context(now=now or self.clock().astimezone(PARIS), stale_hours=self.settings.capacity_stale_hours,
                      origin=scope.origin, **explain)
        matched = tuple(explain.get("activities", ())) + tuple(explain.get("acts", ())) + tuple(
            explain.get("equipment", ())) + tuple(explain.get("care_modes", ()))
        if source == "explicit" and not q.widen:
            body = dsl.search_body(q, scope, filters, must=must, facets=facets)
            result = self._run(kind, q, body, ctx, scope, source, enlargement, matched)
            return replace(result, widening=fixed(scope.around()[1], result.total, self.policy, NOUNS[kind]))
        return self._widened(kind, q, filters, ctx, scope, source, enlargement, matched, must=must, facets=facets,
                             urgent=urgent)

    def _widened(self, kind: QueryKind, q: BaseQuery, filters: list[dict], ctx: Context, scope: dsl.Scope,
                 source: str | None, enlargement: float | None, matched: tuple[Coded, ...], *,
                 must: list[dict] | None, facets: bool, urgent: str | None) -> SearchResult:
        """One request: the hits sorted by distance and the number of hits within each radius of the sequence
        (a `geo_distance` aggregation); then the radius is chosen from those counts and the hits beyond it dropped.

        The query has no distance filter: the indices searched are those the largest radius reaches (all of them
        when time-critical), the aggregation's ranges stop at the largest radius and the hits are distance-sorted,
        so the answer is the same as with a `geo_distance` filter at the largest radius — which made OpenSearch
        2–4× slower on the national demo (docs/benchmarks.md, issue 15). The total of every match is counted only
        when time-critical (the nearest K whatever the distance)."""
        started = time.perf_counter()
        origin, start_km = scope.around()
        radii = radius_steps(start_km, self.policy)
        outer = dsl.Scope(scope.origin, None if urgent else radii[-1])
        body = dsl.search_body(q, dsl.Scope(scope.origin, None), filters, must=must)
        body["query"]["bool"]["filter"].append(dsl.published_filter())
        body["track_total_hits"] = bool(urgent)
        body["aggs"] = {"radii": dsl.radius_counts(origin, radii, dsl.facet_aggs() if facets else None)}
        response = self._search("offers", outer, body)
        buckets = response["aggregations"]["radii"]["buckets"]
        counts = {r: buckets[f"{r:g}"]["doc_count"] for r in radii}
        raw = response["hits"]["hits"]
        anywhere = response["hits"]["total"]["value"] if urgent else 0
        first = (q.page - 1) * body["size"] if q.search_after is None else None
        k = self.policy.time_critical_k
        kth = raw[k - 1 - first] if first is not None and 0 <= k - 1 - first < len(raw) else None
        widening = decide(start_km, counts, self.policy, time_critical=bool(urgent), total_anywhere=anywhere,
                          farthest_km=float(kth["sort"][0]) if kth else None, noun=NOUNS[kind], reason=urgent)
        if widening.mode == "nearest" or widening.radius_km is None:
            total = min(k, anywhere)
            kept = [h for i, h in enumerate(raw) if first is None or first + i < total]
            facet_bucket = buckets[f"{radii[-1]:g}"]
        else:
            total = counts[widening.radius_km]
            kept = [h for h in raw if float(h["sort"][0]) <= widening.radius_km]
            facet_bucket = buckets[f"{widening.radius_km:g}"]
        hits = tuple(offer_hit(h, ctx, distance_from_sort=True) for h in kept)
        more = len(kept) == body["size"] and (first is None or first + len(kept) < total)
        return SearchResult(
            kind=kind, total=total, page=q.page, size=body["size"], hits=hits, origin=scope.origin,
            radius_km=widening.radius_km, radius_source=source, enlargement_km=enlargement,
            facets=facets_of({n: facet_bucket[n] for n in dsl.FACETS if n in facet_bucket}) if facets else (),
            next_search_after=tuple(kept[-1]["sort"]) if more and kept else None, matched=matched,
            took_ms=round((time.perf_counter() - started) * 1000, 2), widening=widening,
        )

    def _run(self, kind: QueryKind, q: BaseQuery, body: dict, ctx: Context, scope: dsl.Scope, source: str | None,
             enlargement: float | None, matched: tuple[Coded, ...]) -> SearchResult:
        started = time.perf_counter()
        body["query"]["bool"]["filter"].append(dsl.published_filter())  # every orientation query, no exception
        response = self._search("offers", scope, body)
        by_distance = "sort" in body and "_geo_distance" in body["sort"][0]
        hits = tuple(offer_hit(h, ctx, distance_from_sort=by_distance) for h in response["hits"]["hits"])
        raw = response["hits"]["hits"]
        cursor = tuple(raw[-1]["sort"]) if raw and len(raw) == body["size"] and "sort" in raw[-1] else None
        return SearchResult(
            kind=kind, total=response["hits"]["total"]["value"], page=q.page, size=body["size"], hits=hits,
            origin=scope.origin, radius_km=scope.radius_km, radius_source=source, enlargement_km=enlargement,
            facets=facets_of(response.get("aggregations")), next_search_after=cursor, matched=matched,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )


def _with_reading(result: SearchResult, reading: Reading) -> SearchResult:
    """The result with what its text was read as (for the API and the relevance explanation)."""
    return replace(result, interpretation=tuple(
        TextMatch(kind=m.kind, code=m.code, label=m.label, how=m.how, words=m.words, note=m.note)
        for m in reading.matches))


def _codes(items: Iterable[Coded]) -> list[str]:
    return sorted({c.code for c in items})


def _coded(items: Iterable[dict] | None) -> tuple[Coded, ...]:
    return tuple(Coded(code=i["code"], label=i.get("label") or i["code"]) for i in (items or []) if i.get("code"))


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).split("[", 1)[0].replace("Z", "+00:00"))
    except ValueError:
        return None
