"""Data-quality reports per offer, per site and per région (distribution of completeness)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from accounts.models import Principal
from accounts.store import UserStore
from graph.driver import Graph
from quality.rules import Evaluator, OfferReport
from ror.errors import Forbidden

BATCH = 500
BUCKETS = ((0, 24, "0–24 %"), (25, 49, "25–49 %"), (50, 74, "50–74 %"), (75, 99, "75–99 %"), (100, 100, "100 %"))


@dataclass(frozen=True)
class SiteReport:
    finess: str
    offers: tuple[OfferReport, ...]
    completeness: int  # mean of its offers (100 when it has none)
    anomalies: int


@dataclass(frozen=True)
class RegionReport:
    region: str
    offers: int
    completeness: int
    distribution: dict[str, int]
    by_rule: dict[str, int]


def facts(graph: Graph, ids: list[str]) -> list[dict]:
    rows = []
    for start in range(0, len(ids), BATCH):
        rows += graph.read_named("read/quality_offer_facts", ids=ids[start:start + BATCH])
    return rows


def offer_reports(graph: Graph, ids: list[str], today: date | None = None) -> list[OfferReport]:
    evaluator = Evaluator(today=today)
    return [evaluator.evaluate(row) for row in facts(graph, ids)]


def offer_report(graph: Graph, principal: Principal, offer_id: str) -> OfferReport:
    principal.require("quality.read", UserStore(graph).locate("offer", offer_id))
    return offer_reports(graph, [offer_id])[0]


def site_report(graph: Graph, principal: Principal, finess: str) -> SiteReport:
    principal.require("quality.read", UserStore(graph).locate("site", finess))
    ids = [r["id"] for r in graph.read_named("read/quality_site_offer_ids", finess=finess)]
    reports = offer_reports(graph, ids)
    mean = round(sum(r.completeness for r in reports) / len(reports)) if reports else 100
    return SiteReport(finess=finess, offers=tuple(reports), completeness=mean,
                      anomalies=sum(len(r.anomalies) for r in reports))


def region_report(graph: Graph, principal: Principal, region: str) -> RegionReport:
    principal.require("quality.read")
    visible = principal.regions_visible()
    if principal.role == "contributor" or (visible is not None and region not in visible):
        raise Forbidden("Région hors de votre périmètre.")
    ids = [r["id"] for r in graph.read_named("read/quality_region_offer_ids", region=region)]
    reports = offer_reports(graph, ids)
    distribution = {label: 0 for _, _, label in BUCKETS}
    for report in reports:
        label = next(lab for low, high, lab in BUCKETS if low <= report.completeness <= high)
        distribution[label] += 1
    by_rule = Counter(a.rule for r in reports for a in r.anomalies)
    mean = round(sum(r.completeness for r in reports) / len(reports)) if reports else 100
    return RegionReport(region=region, offers=len(reports), completeness=mean, distribution=distribution,
                        by_rule=dict(by_rule.most_common()))
