"""Steering indicators (the ROR's « indicateurs de pilotage », published as FHIR Measure / MeasureReport): the
figures the coordinator pages compute, per région and per département (and for France), recorded as dated runs
(`ror quality indicateurs`), since computing them reads every offer of the country (minutes on the national demo):

- `completude`: mean completeness of the offers' descriptions (%), the coordinators' quality report
  (`quality.service.region_report`: every offer of the sites of the territory, rounded like the page);
- `peuplement`: the population follow-up (`quality.population`): share of the units populated (no « description
  minimale » anomaly), and the Ségur target on the establishments of the follow-up: share at 95 % of units
  populated or more (target reached) and at 85 % or more (floor);
- `capacites-perimees`: share of the published offers reporting capacity whose latest entry is older than
  ROR_CAPACITY_STALE_HOURS (`search.territory_picture`: `beds.stale / beds.places_reporting`), from the
  orientation index like the territory picture; left out when the index cannot be read.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import cypher
from core import freshness
from graph.driver import Graph
from quality import population
from quality.service import offer_reports
from search.sync import IndexSync

SEGUR_TARGET = 95  # % of units populated: the Ségur target reached
SEGUR_FLOOR = 85  # % of units populated: the floor


@dataclass(frozen=True)
class Group:
    code: str
    label: str  # French
    description: str


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    description: str
    purpose: str
    improvement: str  # increase / decrease
    groups: tuple[Group, ...]


INDICATORS = {i.key: i for i in (
    Indicator("completude", "Complétude des descriptions d'offres",
              "Moyenne, sur les offres des établissements du territoire, de la part des règles de qualité "
              "applicables que leur description respecte (rapport qualité des coordinateurs).",
              "Suivre la qualité des descriptions de l'offre de soins publiées dans le répertoire.", "increase",
              (Group("completude", "Complétude moyenne des offres (%)", "Moyenne des complétudes des offres, "
                                                                        "arrondie à l'unité."),)),
    Indicator("peuplement", "Peuplement des établissements (objectif Ségur)",
              "Part des unités décrites (sans anomalie de description minimale) et part des établissements du "
              f"suivi du peuplement dont au moins {SEGUR_TARGET} % (objectif) ou {SEGUR_FLOOR} % (plancher) des "
              "unités sont décrites.",
              "Suivre l'avancement du peuplement du répertoire au regard de l'objectif du Ségur numérique.",
              "increase",
              (Group("unites-peuplees", "Unités peuplées (%)", "Unités sans anomalie de description minimale."),
               Group(f"objectif-{SEGUR_TARGET}", f"Établissements peuplés à {SEGUR_TARGET} % ou plus (%)",
                     "Objectif du Ségur atteint."),
               Group(f"plancher-{SEGUR_FLOOR}", f"Établissements peuplés à {SEGUR_FLOOR} % ou plus (%)",
                     "Plancher du Ségur atteint."))),
    Indicator("capacites-perimees", "Capacités périmées",
              "Part des offres publiées déclarant des capacités dont le dernier relevé date de plus que le délai "
              "de fraîcheur (ROR_CAPACITY_STALE_HOURS).",
              "Suivre la fraîcheur des capacités en lits et places.", "decrease",
              (Group("perimees", "Relevés de capacité périmés (%)", "Offres dont le dernier relevé est périmé, "
                                                                     "parmi celles qui déclarent des capacités."),)),
)}


@dataclass(frozen=True)
class Value:
    indicator: str
    group: str
    level: str  # france / region / department
    code: str  # FR, région code, département code
    name: str
    score: float | None  # percent
    numerator: int
    denominator: int

    def row(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Run:
    id: str
    at: datetime
    stale_hours: float
    synthetic: bool
    values: tuple[Value, ...]


def _pct(numerator: int, denominator: int, rounded: bool = False) -> float | None:
    if not denominator:
        return None
    value = 100.0 * numerator / denominator
    return float(round(value)) if rounded else round(value, 1)


class _Tally:
    """Numerators and denominators of each group, per territory."""

    def __init__(self):
        self.counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.names: dict[tuple[str, str], str] = {}

    def add(self, group: str, level: str, code: str, numerator: int, denominator: int) -> None:
        entry = self.counts[(group, level, code)]
        entry[0] += numerator
        entry[1] += denominator


def compute(graph: Graph, *, index: IndexSync | None = None, stale_hours: float = 12.0,
            now: datetime | None = None) -> list[Value]:
    """Every indicator per région, département and for France (reads every offer: a batch job). The staleness
    figures need the search index (`index`, as the app's services hold it); without a client they are left out."""
    territories = graph.read_named("read/indicator_territories")
    names = {("region", t["code"]): t["name"] for t in territories}
    names.update({("department", d["code"]): d["name"] for t in territories for d in t["departments"]})
    names[("france", "FR")] = "France"
    completeness: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (level, code) → [sum, n]
    tally = _Tally()
    for territory in territories:
        region = territory["code"]
        rows = graph.read_named("read/indicator_region_offers", region=region)
        reports = {r.offer_id: r for r in offer_reports(graph, [r["id"] for r in rows])}
        for row in rows:
            report = reports.get(row["id"])
            if report is None:
                continue
            for key in (("region", region), ("department", row["department"]), ("france", "FR")):
                completeness[key][0] += report.completeness
                completeness[key][1] += 1
        for site in population.compute(graph, region, reports=reports):
            for level, code in (("region", region), ("department", site.department_code), ("france", "FR")):
                tally.add("unites-peuplees", level, code, site.units_populated, site.units)
                tally.add(f"objectif-{SEGUR_TARGET}", level, code, int(site.units_populated_pct >= SEGUR_TARGET), 1)
                tally.add(f"plancher-{SEGUR_FLOOR}", level, code, int(site.units_populated_pct >= SEGUR_FLOOR), 1)
    values = []
    for (level, code), name in sorted(names.items()):
        total, count = completeness.get((level, code), (0, 0))
        # the coordinators' report: the rounded mean, 100 when the territory has no offer
        values.append(Value("completude", "completude", level, code, name,
                            float(round(total / count)) if count else 100.0, total, count))
    for (group, level, code), (numerator, denominator) in sorted(tally.counts.items()):
        values.append(Value("peuplement", group, level, code, names.get((level, code), code),
                            _pct(numerator, denominator), numerator, denominator))
    if index is not None and index.client is not None:
        values += _staleness(index.client, index.prefix, stale_hours, names, now or datetime.now(UTC))
    return values


def _staleness(client, prefix: str, stale_hours: float, names: dict, now: datetime) -> list[Value]:
    """The territory picture's `beds` figures (same filters) for every région and département in one request."""
    from search.client import translated
    from search.query import published_filter

    cutoff = freshness.stale_cutoff(stale_hours, now).isoformat()
    stale = {"stale": {"filter": {"range": {"capacity.updated_at": {"lte": cutoff}}}}}
    body = {"size": 0, "track_total_hits": True, "query": {"bool": {"filter": [published_filter(),
                                                      {"exists": {"field": "capacity.updated_at"}}]}},
            "aggs": {**stale, "regions": {"terms": {"field": "region_code", "size": 500}, "aggs": stale},
                     "departments": {"terms": {"field": "department_code", "size": 1000}, "aggs": stale}}}
    with translated():
        found = client.search(index=f"{prefix}-offers", body=body, request_timeout=120)
    aggs = found["aggregations"]
    counts = {("france", "FR"): (aggs["stale"]["doc_count"], found["hits"]["total"]["value"])}
    for level, key in (("region", "regions"), ("department", "departments")):
        for bucket in aggs[key]["buckets"]:
            counts[(level, bucket["key"])] = (bucket["stale"]["doc_count"], bucket["doc_count"])
    out = []
    for (level, code), name in sorted(names.items()):
        numerator, denominator = counts.get((level, code), (0, 0))
        out.append(Value("capacites-perimees", "perimees", level, code, name, _pct(numerator, denominator),
                         numerator, denominator))
    return out


def record(graph: Graph, values: list[Value], *, stale_hours: float, at: datetime | None = None) -> str:
    """Store one run; returns its id."""
    run_id = uuid.uuid4().hex[:16]
    moment = (at or datetime.now(UTC)).isoformat(timespec="seconds")
    graph.write(cypher.query("write/indicator_run"), run={"id": run_id, "at": moment, "stale_hours": stale_hours},
                values=[v.row() for v in values])
    return run_id


def runs(graph: Graph, *, run_id: str | None = None, limit: int = 400, timeout: float | None = None) -> list[Run]:
    """Recorded runs, newest first."""
    rows = graph.read_named("read/indicator_runs", timeout_=timeout, id=run_id, limit=limit)
    return [Run(id=r["id"], at=datetime.fromisoformat(r["at"].replace("Z", "+00:00")),
                stale_hours=r["stale_hours"], synthetic=r["synthetic"],
                values=tuple(Value(**{k: v.get(k) for k in Value.__dataclass_fields__}) for v in r["values"]))
            for r in rows]
