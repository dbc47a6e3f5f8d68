"""Plan blanc (SSE) of an establishment: its plan state (triggered or lifted, level, since when, by whom) and its
declared crisis resources. Every change is a new node (history kept) written with its audit entry in one
transaction; contributors act on their establishments, coordinators read their régions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import cypher
from accounts.audit import append
from accounts.models import Principal, Target
from accounts.store import UserStore
from core.errors import BadRequest, NotFound
from core.freshness import age_minutes, age_text, moment, native
from crisis import checks
from crisis.declarations import (
    BED_ACTIVITIES,
    BED_DELAYS,
    PLAN_LEVELS,
    RESOURCE_FIELDS,
    bed_totals,
    check_plan,
    check_resources,
)
from graph.driver import Graph

HISTORY = 20


@dataclass(frozen=True)
class PlanState:
    id: str
    active: bool
    level: int | None
    level_label: str
    since: datetime | None
    note: str | None
    updated_at: datetime | None
    updated_by: str | None

    @property
    def label(self) -> str:
        return f"Plan blanc déclenché — {self.level_label}" if self.active else "Plan blanc levé"


@dataclass(frozen=True)
class Resources:
    id: str
    counts: dict  # RESOURCE_FIELDS key → count or None (not declared)
    beds_24h: int
    beds_48h: int
    note: str | None
    updated_at: datetime | None
    updated_by: str | None
    age_text: str


@dataclass(frozen=True)
class Survey:
    id: str
    region_code: str
    reason: str
    open: bool
    opened_at: datetime | None
    opened_by: str | None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class CrisisSite:
    finess: str
    site_name: str | None
    department_code: str | None
    region_code: str | None
    synthetic: bool
    plan: PlanState | None
    resources: Resources | None
    plan_history: tuple[PlanState, ...]
    resources_history: tuple[Resources, ...]
    survey: Survey | None
    answered: bool  # resources declared since the région's open survey began (True when no survey is open)


def to_plan(row: dict | None) -> PlanState | None:
    if not row:
        return None
    level = row.get("level")
    return PlanState(id=row["id"], active=bool(row.get("active")), level=level,
                     level_label=PLAN_LEVELS.get(level, "") if level else "", since=moment(row, "since"),
                     note=row.get("note"), updated_at=moment(row, "updated_at"), updated_by=row.get("updated_by"))


def to_resources(row: dict | None, now: datetime | None = None) -> Resources | None:
    if not row:
        return None
    listed = row.get("counts")  # the board reads the counts as a list in the order of RESOURCE_FIELDS
    counts = dict(zip(RESOURCE_FIELDS, listed, strict=True)) if listed is not None else {
        name: row.get(name) for name in RESOURCE_FIELDS}
    totals = bed_totals(counts)
    updated = moment(row, "updated_at")
    return Resources(id=row["id"], counts=counts, beds_24h=totals["24h"], beds_48h=totals["48h"],
                     note=row.get("note"), updated_at=updated, updated_by=row.get("updated_by"),
                     age_text=age_text(age_minutes(updated, now)))


def to_survey(row: dict | None) -> Survey | None:
    if not row:
        return None
    return Survey(id=row["id"], region_code=row["region_code"], reason=row.get("reason") or "",
                  open=bool(row.get("open")), opened_at=native(row.get("opened_at")), opened_by=row.get("opened_by"),
                  closed_at=native(row.get("closed_at")))


def answered(resources: Resources | None, plan: PlanState | None, survey: Survey | None) -> bool:
    """Has the establishment answered the open survey (resources or plan state declared since it began)?"""
    if survey is None or survey.opened_at is None:
        return True
    return any(x is not None and x.updated_at is not None and x.updated_at >= survey.opened_at
               for x in (resources, plan))


def _site_target(graph: Graph, principal: Principal, finess: str, permission: str) -> Target:
    principal.require(permission)
    target = UserStore(graph).locate("site", finess)
    principal.require(permission, target)
    return target


def _bad(exc: checks.FieldErrors, what: str) -> BadRequest:
    return BadRequest(f"{what} : " + ", ".join(sorted(exc.fields)) + ".", fields=exc.fields)


def site(graph: Graph, principal: Principal, finess: str, *, limit: int = HISTORY) -> CrisisSite:
    """A site's plan state, resources and their history, for its contributors and its région's coordinators."""
    _site_target(graph, principal, finess, "crisis.read")
    rows = graph.read_named("read/crisis_site", finess=finess, limit=max(1, min(limit, 200)))
    if not rows:
        raise NotFound("Établissement introuvable.")
    row = rows[0]
    plans = tuple(to_plan(p) for p in row["plans"])
    resources = tuple(to_resources(k) for k in row["resources"])
    survey = to_survey(row["survey"])
    plan, latest = (plans[0] if plans else None), (resources[0] if resources else None)
    return CrisisSite(finess=row["finess"], site_name=row["site_name"], department_code=row["department_code"],
                      region_code=row["region_code"], synthetic=row["synthetic"], plan=plan, resources=latest,
                      plan_history=plans, resources_history=resources, survey=survey,
                      answered=answered(latest, plan, survey))


def set_plan(graph: Graph, principal: Principal, finess: str, payload, *, now: datetime | None = None) -> PlanState:
    """Trigger, change the level of, or lift the plan blanc of a site (a new state; audited)."""
    target = _site_target(graph, principal, finess, "crisis.write")
    try:
        plan = check_plan(payload, now=now or datetime.now(UTC))
    except checks.FieldErrors as exc:
        raise _bad(exc, "Plan blanc invalide") from exc
    state = {"id": str(uuid.uuid4()), "active": plan.active, "level": plan.level, "since": plan.since,
             "note": plan.note, "keep_since": not (isinstance(payload, dict) and payload.get("since"))}

    def work(tx):
        row = tx.run(cypher.query("write/crisis_plan_set"), finess=finess, state=state,
                     actor=principal.username).single()
        before, after = row["before"], row["after"]
        action = ("crisis.plan.trigger" if plan.active and not (before and before.get("active"))
                  else "crisis.plan.level" if plan.active else "crisis.plan.lift")
        append(tx, principal, action, replace(target, kind="CrisisPlanState", id=state["id"]), before, after)
        return after

    return to_plan(graph.transaction(work))


def declare_resources(graph: Graph, principal: Principal, finess: str, payload) -> Resources:
    """Declare the crisis resources of a site (a new declaration; the previous one stays in the history)."""
    target = _site_target(graph, principal, finess, "crisis.write")
    try:
        declared = check_resources(payload)
    except checks.FieldErrors as exc:
        raise _bad(exc, "Ressources de crise invalides") from exc
    note = declared.pop("note")
    new_id = str(uuid.uuid4())

    def work(tx):
        row = tx.run(cypher.query("write/crisis_resources_set"), finess=finess, id=new_id, counts=declared,
                     note=note, actor=principal.username).single()
        append(tx, principal, "crisis.resources", replace(target, kind="CrisisResources", id=new_id),
               row["before"], row["after"])
        return row["after"]

    return to_resources(graph.transaction(work))


def _region_target(principal: Principal, region: str) -> Target:
    principal.require("crisis.survey")
    target = Target(kind="CrisisSurvey", id=region, region_code=region)
    principal.require("crisis.survey", target)
    return target


def open_survey(graph: Graph, principal: Principal, region: str, reason) -> Survey:
    """Ask every establishment of a région to declare its crisis resources now (closes the previous survey)."""
    target = _region_target(principal, region)
    errors: dict[str, str] = {}
    reason = checks.text({"reason": reason}, "reason", "Motif de l'enquête", errors, limit=300, required=True)
    if errors:
        raise BadRequest("Enquête invalide : motif à renseigner.", fields=errors)
    new_id = str(uuid.uuid4())

    def work(tx):
        row = tx.run(cypher.query("write/crisis_survey_open"), region=region, id=new_id, reason=reason,
                     actor=principal.username).single()
        if row is None:
            raise NotFound("Région introuvable.")
        if row["before"]:
            append(tx, principal, "crisis.survey.close", replace(target, id=row["before"]["id"]), row["before"],
                   {**row["before"], "open": False})
        append(tx, principal, "crisis.survey.open", replace(target, id=new_id), None, row["after"])
        return row["after"]

    return to_survey(graph.transaction(work))


def close_survey(graph: Graph, principal: Principal, region: str) -> Survey:
    target = _region_target(principal, region)

    def work(tx):
        row = tx.run(cypher.query("write/crisis_survey_close"), region=region, actor=principal.username).single()
        if row is None:
            raise NotFound("Aucune enquête ouverte dans cette région.")
        append(tx, principal, "crisis.survey.close", replace(target, id=row["after"]["id"]), row["before"],
               row["after"])
        return row["after"]

    return to_survey(graph.transaction(work))


def bed_labels() -> dict[str, str]:
    """Column labels of the bed counts, for pages and CSV."""
    return {f"beds_{d}_{k}": f"{label} ({delay})" for d, delay in BED_DELAYS.items()
            for k, label in BED_ACTIVITIES.items()}
