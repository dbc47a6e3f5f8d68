"""The crisis board of a région or département for coordinators: each establishment's plan blanc state and crisis
resources, who has not answered the région's survey and since when, totals, and the CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from accounts.models import Principal
from crisis.declarations import (
    CRISIS_CAPACITY_TYPES,
    EQUIPMENT,
    MEDICINES,
    PLAN_LEVELS,
    RESOURCE_FIELDS,
    SSE_CATEGORIES,
)
from crisis.plan import PlanState, Resources, Survey, answered, bed_labels, to_plan, to_resources, to_survey
from graph import changes
from graph.driver import Graph

SUMMARY_MAX_AGE = 10.0  # seconds a board is reused while nothing changed in this process (others' writes)


@dataclass(frozen=True)
class BoardRow:
    finess: str
    site_name: str | None
    category_label: str | None
    department_code: str
    department_name: str | None
    region_code: str | None
    synthetic: bool
    lat: float | None
    lon: float | None
    plan: PlanState | None
    resources: Resources | None
    answered: bool
    waiting_since: datetime | None  # start of the open survey this establishment has not answered
    crisis_beds_available: int  # beds available in places whose latest capacity entry is a crisis one
    crisis_places: int


@dataclass(frozen=True)
class Totals:
    sites: int
    plans_active: int
    plans_by_level: dict  # level → count
    declared: int
    not_answered: int
    beds_24h: int
    beds_48h: int
    counts: dict  # RESOURCE_FIELDS key → total declared
    crisis_beds_available: int


@dataclass(frozen=True)
class Board:
    region_codes: tuple[str, ...] | None
    department: str | None
    surveys: dict  # région code → open Survey
    rows: tuple[BoardRow, ...]
    totals: Totals


def board(graph: Graph, principal: Principal, *, region: str | None = None, department: str | None = None,
          now: datetime | None = None) -> Board:
    """The board of `region` (default: the coordinator's régions; every région for an admin)."""
    principal.require("crisis.board")
    regions = principal.regions_within(region)
    if now is not None:
        return _board(graph, regions, department, now)
    key = ("crisis-board", tuple(regions) if regions is not None else None, department)
    return _summaries.get(graph, key, lambda: _board(graph, regions, department, None))


# the emergency feed's commits ("emergency") change nothing a board shows: only the other writes renew it
_summaries = changes.Summaries((changes.ANY,), max_age=SUMMARY_MAX_AGE)


def forget() -> None:
    """Drop the kept boards (tests)."""
    _summaries.forget()


def _board(graph: Graph, regions: list[str] | None, department: str | None, now: datetime | None) -> Board:
    surveys = {r["region_code"]: to_survey(r["survey"])
               for r in graph.read_named("read/crisis_surveys", regions=regions)}
    found = graph.read_named("read/crisis_board", regions=regions, department=department,
                             categories=list(SSE_CATEGORIES), fields=list(RESOURCE_FIELDS))
    beds = {r["finess"]: r for r in graph.read_named("read/crisis_capacity_beds", regions=regions,
                                                     department=department,
                                                     crisis_types=list(CRISIS_CAPACITY_TYPES))}
    rows = []
    for r in found:
        plan, resources = to_plan(r["plan"]), to_resources(r["resources"], now)
        survey: Survey | None = surveys.get(r["region_code"])
        done = answered(resources, plan, survey)
        location = r["location"] or {}
        rows.append(BoardRow(
            finess=r["finess"], site_name=r["site_name"], category_label=r["category_label"],
            department_code=r["department_code"], department_name=r["department_name"],
            region_code=r["region_code"], synthetic=r["synthetic"], lat=location.get("lat"), lon=location.get("lon"),
            plan=plan, resources=resources, answered=done, waiting_since=None if done else survey.opened_at,
            crisis_beds_available=beds.get(r["finess"], {}).get("available", 0),
            crisis_places=beds.get(r["finess"], {}).get("places", 0)))
    rows.sort(key=_order)
    return Board(region_codes=tuple(regions) if regions is not None else None, department=department,
                 surveys=surveys, rows=tuple(rows), totals=totals(rows))


def _order(row: BoardRow):
    """Plans triggered first (highest level first), then those who have not answered, then by name."""
    active = row.plan is not None and row.plan.active
    return (not active, -(row.plan.level or 0) if active else 0, row.answered, row.department_code,
            row.site_name or "")


def totals(rows: list[BoardRow]) -> Totals:
    counts = {name: 0 for name in RESOURCE_FIELDS}
    levels = {level: 0 for level in PLAN_LEVELS}
    for row in rows:
        if row.plan is not None and row.plan.active and row.plan.level in levels:
            levels[row.plan.level] += 1
        if row.resources is not None:
            for name, value in row.resources.counts.items():
                counts[name] += value or 0
    return Totals(sites=len(rows), plans_active=sum(levels.values()), plans_by_level=levels,
                  declared=sum(1 for r in rows if r.resources is not None),
                  not_answered=sum(1 for r in rows if not r.answered),
                  beds_24h=sum(r.resources.beds_24h for r in rows if r.resources),
                  beds_48h=sum(r.resources.beds_48h for r in rows if r.resources), counts=counts,
                  crisis_beds_available=sum(r.crisis_beds_available for r in rows))


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="minutes") if value else ""


def to_csv(found: Board) -> str:
    """One line per establishment (semicolon-separated, as French spreadsheets expect), figures as declared."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    labels = {**bed_labels(), **EQUIPMENT, **MEDICINES}
    writer.writerow(["FINESS", "Établissement", "Département", "Région", "Plan blanc", "Niveau", "Déclenché le",
                     "Ressources déclarées le", "Déclarées par", "A répondu à l'enquête", "Sans réponse depuis",
                     "Lits ouvrables 24 h", "Lits ouvrables 48 h", "Lits disponibles ouverts en crise",
                     *(labels[name] for name in RESOURCE_FIELDS), "Données synthétiques"])
    for row in found.rows:
        plan, res = row.plan, row.resources
        writer.writerow([
            row.finess, row.site_name or "", row.department_code, row.region_code or "",
            "déclenché" if plan and plan.active else ("levé" if plan else "jamais déclaré"),
            plan.level if plan and plan.active else "", _when(plan.since) if plan and plan.active else "",
            _when(res.updated_at) if res else "", res.updated_by if res else "", "oui" if row.answered else "non",
            _when(row.waiting_since), res.beds_24h if res else "", res.beds_48h if res else "",
            row.crisis_beds_available,
            *((res.counts.get(name) if res and res.counts.get(name) is not None else "") for name in RESOURCE_FIELDS),
            "oui" if row.synthetic else "non"])
    return out.getvalue()
