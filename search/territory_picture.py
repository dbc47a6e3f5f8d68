"""The picture of a territory, read from the search index, and the services behind the territory API.

Why the index and not the graph: the offer documents already carry, denormalised, everything a picture counts
(activity and field codes, latest capacity with its date, open tension level, région/département codes and a
geo_point); a région or département is one term filter and a drawn polygon one `geo_shape` filter, and the
counts are a single aggregation request (tens of milliseconds for a région of the national demo) instead of
walking the organisation tree of every site in Neo4j. The graph is still read for what the index does not
hold: NOS labels, the activities of each family (J51 → J17) and the number of open tension alerts per level.
Population (for professionals per 100,000 inhabitants) is the sum over the bundled communes of the territory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch

from core import freshness
from core.errors import BadRequest, NotFound
from core.freshness import age_text
from geo import territory_coverage as coverage
from geo.territory import Territory, commune_table
from graph.driver import Graph
from search.client import translated
from search.query import published_filter  # orientation shows published offers only; so do pictures

CARDINALITY_PRECISION = 40_000  # distinct counts are exact below this, within about 1 % above
POINTS_PAGE = 10_000


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    offers: int


@dataclass(frozen=True)
class Beds:
    """Latest capacity entries of the bedded places of the territory's offers."""

    places_reporting: int
    installed: int
    available: int
    occupancy_pct: float | None
    stale: int
    stale_hours: float
    oldest_update: str | None
    newest_update: str | None
    oldest_age: str
    hospital_installed: int = 0  # MCO, SMR and psychiatry units (J20 01–03): beds and day places
    medico_social_installed: int = 0  # medico-social units (J20 04): places, counted apart


@dataclass(frozen=True)
class TensionLevel:
    level: int
    label: str
    alerts: int
    sites: int


@dataclass(frozen=True)
class Picture:
    """Offer, beds, tension and professionals of a territory (aggregates only; the offer is synthetic)."""

    territory: coverage.TerritoryRef
    offers: int
    sites: int
    by_family: list[CountRow]
    by_field: list[CountRow]
    top_activities: list[CountRow]
    beds: Beds
    tension: list[TensionLevel]
    open_alerts: int
    sites_in_tension: int
    professionals: int
    professional_roles: int
    professionals_per_100k: float | None
    generated_at: str
    seconds: float
    synthetic: bool = True


@dataclass(frozen=True)
class Difference:
    key: str
    label: str
    a: float | None
    b: float | None


@dataclass(frozen=True)
class Comparison:
    """Two territories side by side, with the main figures per 100,000 inhabitants."""

    a: Picture
    b: Picture
    rows: list[Difference] = field(default_factory=list)


TENSION_LABELS = {1: "Vigilance", 2: "Tension modérée", 3: "Tension forte", 4: "Crise"}


class TerritoryService:
    """Pictures, comparisons and coverage gaps over one graph and one index (read only)."""

    def __init__(self, graph: Graph, client: OpenSearch, data_dir: Path, index_prefix: str, stale_hours: float):
        self.graph, self.client, self.data_dir = graph, client, Path(data_dir)
        self.prefix, self.stale_hours = index_prefix, stale_hours

    # -------------------------------------------------------------------------------------- reference

    def families(self) -> list[dict]:
        return self.graph.read_named("read/territory_families")

    def labels(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {"activity": {}, "field": {}}
        for row in self.graph.read_named("read/territory_labels"):
            out[row["kind"]][row["code"]] = row["label"]
        return out

    def activity(self, activity: str | None, family: str | None) -> coverage.ActivityRef:
        """The activity codes behind an `activity` (J17) or a `family` (J51) code, or a BadRequest."""
        if bool(activity) == bool(family):
            raise BadRequest("Indiquez une activité (code NOS J17) ou une famille d'activités (J51), pas les deux.",
                             fields={"activity": "activité ou famille", "family": "activité ou famille"})
        if activity:
            label = self.labels()["activity"].get(activity)
            if label is None:
                raise BadRequest(f"Activité inconnue : {activity} (code NOS J17 attendu, ex. 249).",
                                 fields={"activity": "code inconnu"})
            return coverage.ActivityRef(codes=(activity,), label=label, family=None)
        found = next((f for f in self.families() if f["code"] == family), None)
        if found is None:
            raise BadRequest(f"Famille d'activités inconnue : {family} (code NOS J51).",
                             fields={"family": "code inconnu"})
        return coverage.ActivityRef(codes=tuple(found["activities"]), label=found["label"], family=family)

    # -------------------------------------------------------------------------------------- picture

    def picture(self, territory: Territory) -> Picture:
        started = time.perf_counter()
        families, labels = self.families(), self.labels()
        now = datetime.now(UTC)
        cutoff = freshness.stale_cutoff(self.stale_hours, now).isoformat()
        query = {"bool": {"filter": [published_filter(), *territory.index_filter()]}}
        body: dict[str, Any] = {
            "size": 0, "track_total_hits": True, "query": query,
            "aggs": {
                "sites": {"cardinality": {"field": "site_finess", "precision_threshold": CARDINALITY_PRECISION}},
                "fields": {"terms": {"field": "field_codes", "size": 100}},
                "activities": {"terms": {"field": "activity_codes", "size": 15}},
                "beds": {"filter": {"exists": {"field": "capacity.updated_at"}}, "aggs": {
                    "installed": {"sum": {"field": "capacity.installed"}},
                    "hospital": {"filter": {"terms": {"field_codes": ["01", "02", "03"]}},
                                 "aggs": {"installed": {"sum": {"field": "capacity.installed"}}}},
                    "medico_social": {"filter": {"term": {"field_codes": "04"}},
                                      "aggs": {"installed": {"sum": {"field": "capacity.installed"}}}},
                    "available": {"sum": {"field": "capacity.available_total"}},
                    "stale": {"filter": {"range": {"capacity.updated_at": {"lte": cutoff}}}},
                    "oldest": {"min": {"field": "capacity.updated_at"}},
                    "newest": {"max": {"field": "capacity.updated_at"}}}},
                "tension": {"filter": {"range": {"tension_level": {"gte": 1}}}, "aggs": {
                    "sites": {"terms": {"field": "site_finess", "size": 10_000}}}},
            },
        }
        if families:  # a graph without the J51 families (no activity map loaded): no empty `filters`, refused
            body["aggs"]["families"] = {"filters": {"filters": {
                f["code"]: {"terms": {"activity_codes": f["activities"]}} for f in families}}}
        professionals = {"size": 0, "track_total_hits": True,
                         "query": {"bool": {"filter": territory.index_filter()}},
                         "aggs": {"people": {"cardinality": {"field": "rpps",
                                                             "precision_threshold": CARDINALITY_PRECISION}}}}
        with translated():
            found = self.client.search(index=f"{self.prefix}-offers", body=body, request_timeout=60)
            people = self.client.search(index=f"{self.prefix}-professionals", body=professionals, request_timeout=60)
        aggs = found["aggregations"]
        tension_sites = [b["key"] for b in aggs["tension"]["sites"]["buckets"]]
        alerts = self.graph.read_named("read/territory_open_alerts", finess=tension_sites) if tension_sites else []
        beds = aggs["beds"]
        installed, available = int(beds["installed"]["value"]), int(beds["available"]["value"])
        oldest = beds["oldest"].get("value_as_string") if beds["doc_count"] else None
        population = int(commune_table(self.data_dir).population[territory.rows].sum())
        headcount = int(people["aggregations"]["people"]["value"])
        family_rows = [CountRow(f["code"], f["label"], aggs["families"]["buckets"][f["code"]]["doc_count"])
                       for f in families]
        return Picture(
            territory=coverage.territory_ref(self.data_dir, territory),
            offers=found["hits"]["total"]["value"], sites=int(aggs["sites"]["value"]),
            by_family=sorted((r for r in family_rows if r.offers), key=lambda r: (-r.offers, r.code)),
            by_field=[CountRow(b["key"], labels["field"].get(b["key"], b["key"]), b["doc_count"])
                      for b in aggs["fields"]["buckets"]],
            top_activities=[CountRow(b["key"], labels["activity"].get(b["key"], b["key"]), b["doc_count"])
                            for b in aggs["activities"]["buckets"]],
            beds=Beds(places_reporting=beds["doc_count"], installed=installed, available=available,
                      occupancy_pct=round(100.0 * (installed - available) / installed, 1) if installed else None,
                      stale=beds["stale"]["doc_count"], stale_hours=self.stale_hours, oldest_update=oldest,
                      newest_update=beds["newest"].get("value_as_string") if beds["doc_count"] else None,
                      oldest_age=age_text(_age_minutes(oldest, now)),
                      hospital_installed=int(beds["hospital"]["installed"]["value"]),
                      medico_social_installed=int(beds["medico_social"]["installed"]["value"])),
            tension=[TensionLevel(r["level"], TENSION_LABELS.get(r["level"], "?"), r["alerts"], r["sites"])
                     for r in alerts],
            open_alerts=sum(r["alerts"] for r in alerts), sites_in_tension=len(tension_sites),
            professionals=headcount, professional_roles=people["hits"]["total"]["value"],
            professionals_per_100k=round(headcount * 100_000 / population, 1) if population else None,
            generated_at=now.isoformat(timespec="seconds"), seconds=round(time.perf_counter() - started, 3))

    def compare(self, a: Territory, b: Territory) -> Comparison:
        pa, pb = self.picture(a), self.picture(b)
        rows = [
            Difference("population", "Population (communes)", pa.territory.population, pb.territory.population),
            Difference("offers", "Offres publiées", pa.offers, pb.offers),
            Difference("offers_per_100k", "Offres pour 100 000 habitants", _per_100k(pa.offers, pa),
                       _per_100k(pb.offers, pb)),
            Difference("sites", "Établissements ayant une offre", pa.sites, pb.sites),
            Difference("beds_installed", "Lits installés (dernier relevé)", pa.beds.installed, pb.beds.installed),
            Difference("beds_available", "Lits disponibles", pa.beds.available, pb.beds.available),
            Difference("beds_per_100k", "Lits et places hospitaliers pour 100 000 habitants",
                       _per_100k(pa.beds.hospital_installed, pa), _per_100k(pb.beds.hospital_installed, pb)),
            Difference("medico_social_per_100k", "Places médico-sociales pour 100 000 habitants",
                       _per_100k(pa.beds.medico_social_installed, pa), _per_100k(pb.beds.medico_social_installed, pb)),
            Difference("stale", "Relevés de capacité périmés", pa.beds.stale, pb.beds.stale),
            Difference("open_alerts", "Alertes de tension ouvertes", pa.open_alerts, pb.open_alerts),
            Difference("professionals_per_100k", "Professionnels pour 100 000 habitants",
                       pa.professionals_per_100k, pb.professionals_per_100k),
        ]
        return Comparison(a=pa, b=pb, rows=rows)

    # -------------------------------------------------------------------------------------- coverage

    def offer_points(self, codes: tuple[str, ...]) -> coverage.OfferPoints:
        """Positions of every published offer of these activities, anywhere (no territory filter: a commune
        near a border is served by the offer across it). One composite aggregation by site: a site whose
        offers all sit at one position (its `geo_bounds` is a point) gives that point; the offers of the
        rare sites with units at several places are read one by one."""
        query = {"bool": {"filter": [published_filter(), {"terms": {"activity_codes": list(codes)}},
                                     {"exists": {"field": "location"}}]}}
        rows, spread, offers, after = [], [], 0, None
        with translated():
            while True:
                composite = {"size": POINTS_PAGE, "sources": [{"finess": {"terms": {"field": "site_finess"}}}]}
                if after:
                    composite["after"] = after
                found = self.client.search(index=f"{self.prefix}-offers", request_timeout=60, body={
                    "size": 0, "query": query,
                    "aggs": {"sites": {"composite": composite,
                                       "aggs": {"box": {"geo_bounds": {"field": "location"}}}}}})
                agg = found["aggregations"]["sites"]
                for bucket in agg["buckets"]:
                    offers += bucket["doc_count"]
                    box = bucket["box"].get("bounds")
                    if box is None:
                        continue
                    if box["top_left"] == box["bottom_right"]:
                        rows.append({**box["top_left"], "site_finess": bucket["key"]["finess"]})
                    else:
                        spread.append(bucket["key"]["finess"])
                after = agg.get("after_key")
                if not agg["buckets"] or not after:
                    break
            for start in range(0, len(spread), 1000):
                rows += self._offer_positions(query, spread[start:start + 1000])
        return coverage.offer_points(rows, offers)

    def _offer_positions(self, query: dict, finess: list[str]) -> list[dict]:
        rows, after = [], None
        body = {"size": POINTS_PAGE, "_source": False, "docvalue_fields": ["location", "site_finess"],
                "query": {"bool": {"filter": [*query["bool"]["filter"], {"terms": {"site_finess": finess}}]}},
                "sort": [{"id": "asc"}]}
        while True:
            hits = self.client.search(index=f"{self.prefix}-offers", request_timeout=60,
                                      body={**body, **({"search_after": after} if after else {})})["hits"]["hits"]
            for hit in hits:
                lat, lon = (float(x) for x in hit["fields"]["location"][0].split(","))
                rows.append({"lat": lat, "lon": lon, "site_finess": hit["fields"]["site_finess"][0]})
            if len(hits) < POINTS_PAGE:
                return rows
            after = hits[-1]["sort"]

    def coverage(self, territory: Territory, activity: str | None, family: str | None,
                 max_km: float) -> coverage.Coverage:
        ref = self.activity(activity, family)
        started = time.perf_counter()
        points = self.offer_points(ref.codes)
        result = coverage.compute(self.data_dir, territory, ref, points, max_km)
        used = result.nearest_finess()
        if used:
            result.site_names = {r["finess"]: r["name"] for r in
                                 self.graph.read_named("read/territory_site_names", finess=used)}
        result.seconds = time.perf_counter() - started
        return result


def _per_100k(value: int, picture: Picture) -> float | None:
    population = picture.territory.population
    return round(value * 100_000 / population, 1) if population else None


def _age_minutes(iso: str | None, now: datetime) -> int | None:
    return freshness.Freshness.of(freshness.instant(iso), 0, now).age_minutes


def require_rows(territory: Territory) -> Territory:
    """A shape holding no commune centroid has no population to measure."""
    if len(territory.rows) == 0:
        raise NotFound("Aucune commune dans cette zone : agrandissez-la ou placez-la sur le territoire français.")
    return territory
