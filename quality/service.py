"""Data-quality reports per offer, per site and per région (distribution of completeness)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from accounts.models import Principal
from accounts.store import UserStore
from core.errors import BadRequest, Forbidden
from graph.driver import Graph
from quality.rules import Evaluator, OfferReport

BATCH = 500
# The coordinators' validation queues, in the order a coordinator works them: what awaits their decision first.
QUEUES = {"validated_direction": "À publier",
          "changed_since_publication": "Modifiées depuis leur publication",
          "validated_professionals": "En attente de la direction",
          "draft": "Brouillons"}
WORKLIST_LIMIT = 200
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


@dataclass(frozen=True)
class WorkItem:
    report: OfferReport
    site_finess: str
    site_name: str | None
    updated_at: str | None  # last change of the offer (status or description), ISO 8601
    updated_by: str | None


@dataclass(frozen=True)
class Worklist:
    region: str
    queue: str
    queue_label: str
    counts: dict[str, int]  # every queue, even empty ones
    offers: tuple[WorkItem, ...]  # the queue asked for, longest waiting first, at most `limit`
    limit: int


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


def _require_region(principal: Principal, region: str) -> None:
    visible = principal.regions_visible()
    if principal.role == "contributor" or (visible is not None and region not in visible):
        raise Forbidden("Région hors de votre périmètre.")


def region_report(graph: Graph, principal: Principal, region: str) -> RegionReport:
    principal.require("quality.read")
    _require_region(principal, region)
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


def worklist(graph: Graph, principal: Principal, region: str, queue: str,
             limit: int = WORKLIST_LIMIT) -> Worklist:
    """One validation queue of a région, with the size of every queue (coordinators of that région, admins)."""
    principal.require("validation.queue")
    _require_region(principal, region)
    if queue not in QUEUES:
        raise BadRequest("File de validation inconnue.", fields={"queue": "attendu : " + ", ".join(QUEUES)})
    rows = graph.read_named("read/quality_region_worklist", region=region, queue=queue, limit=limit)
    counts = {name: 0 for name in QUEUES} | {row["queue"]: row["total"] for row in rows}
    listed = next((row["offers"] for row in rows if row["queue"] == queue), [])
    reports = {r.offer_id: r for r in offer_reports(graph, [item["offer_id"] for item in listed])}
    offers = tuple(WorkItem(report=reports[item["offer_id"]], site_finess=item["finess"],
                            site_name=item["site_name"], updated_at=item["updated_at"],
                            updated_by=item["updated_by"])
                   for item in listed if item["offer_id"] in reports)
    return Worklist(region=region, queue=queue, queue_label=QUEUES[queue], counts=counts, offers=offers,
                    limit=limit)
