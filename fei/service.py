"""Adverse-event forms of the territorial emergency network (FEI-RTU): filed by any professional of the network,
routed to the referents of the structures involved and to the network's coordinators, answered by each party,
moved through déclarée → en analyse → clôturée (with the actions decided). Access is by role and involvement;
every change is audited in its own transaction."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import cypher
from accounts.audit import append
from accounts.models import Principal, Target
from core.clock import paris_today
from core.errors import BadRequest, Conflict, Forbidden, NotFound
from core.freshness import native
from crisis import checks
from fei.form import STATES, category_label, check_answer, check_form, check_transition
from graph.driver import Graph

MAX_LIST = 500


@dataclass(frozen=True)
class Entry:
    """One line of a form's timeline: an answer or a state change."""

    id: str
    kind: str  # "answer" or "status"
    at: datetime | None
    by: str
    role: str
    site_finess: str | None
    text: str | None
    from_state: str | None
    to_state: str | None


@dataclass(frozen=True)
class Form:
    id: str
    number: str
    occurred_on: date | None
    category: str
    category_label: str
    description: str
    state: str
    state_label: str
    sites: tuple[dict, ...]  # {finess, name}
    region_codes: tuple[str, ...]
    routed_to: tuple[str, ...]
    created_at: datetime | None
    created_by: str
    actions: str | None
    closed_at: datetime | None
    timeline: tuple[Entry, ...] = ()
    answer_count: int = 0
    answered_by_me: bool = False


def _form(event: dict, sites: list, answers: list | None = None, **extra) -> Form:
    timeline = tuple(Entry(id=a["id"], kind=a.get("kind") or "answer", at=native(a.get("at")), by=a.get("by") or "",
                           role=a.get("role") or "", site_finess=a.get("site_finess"), text=a.get("text"),
                           from_state=a.get("from"), to_state=a.get("to")) for a in answers or ())
    return Form(id=event["id"], number=event["number"], occurred_on=native(event.get("occurred_on")),
                category=event["category"], category_label=category_label(event["category"]),
                description=event.get("description") or "", state=event["state"],
                state_label=STATES.get(event["state"], event["state"]), sites=tuple(sites),
                region_codes=tuple(event.get("region_codes") or ()), routed_to=tuple(event.get("routed_to") or ()),
                created_at=native(event.get("created_at")), created_by=event.get("created_by") or "",
                actions=event.get("actions"), closed_at=native(event.get("closed_at")), timeline=timeline, **extra)


def involved(principal: Principal, form: Form) -> bool:
    """May this person read (and, while open, answer) the form? Its author, the contributors of a structure it
    involves, the coordinators of a région it concerns, administrators."""
    user = principal.user
    if not user.active:
        return False
    if principal.role == "admin" or form.created_by == user.username:
        return True
    if principal.role == "contributor":
        return any(s["finess"] in user.sites for s in form.sites)
    if principal.role == "coordinator":
        return any(r in user.regions for r in form.region_codes)
    return False


def _bad(exc: checks.FieldErrors, what: str) -> BadRequest:
    return BadRequest(f"{what} : " + ", ".join(sorted(exc.fields)) + ".", fields=exc.fields)


def _target(form_id: str, sites: list[dict]) -> Target:
    first = sites[0] if sites else {}
    return Target(kind="AdverseEvent", id=form_id, site_finess=first.get("finess"),
                  department_code=first.get("department_code"), region_code=first.get("region_code"))


def file(graph: Graph, principal: Principal, payload, *, today: date | None = None) -> Form:
    """File a new form (state déclarée), routed to the structures' referents and their régions' coordinators."""
    principal.require("fei.file")
    try:
        new = check_form(payload, today=today or paris_today())
    except checks.FieldErrors as exc:
        raise _bad(exc, "Fiche d'évènement indésirable invalide") from exc
    found = {r["finess"]: r for r in graph.read_named("read/fei_sites", finesses=list(new.sites))}
    missing = [f for f in new.sites if f not in found]
    if missing:
        raise BadRequest("Structure inconnue du répertoire : " + ", ".join(missing) + ".",
                         fields={"sites": "FINESS inconnu : " + ", ".join(missing)})
    sites = [found[f] for f in new.sites]
    event_id = str(uuid.uuid4())
    event = {"id": event_id, "number": f"FEI-{new.occurred_on:%Y}-{secrets.token_hex(3).upper()}",
             "occurred_on": new.occurred_on, "category": new.category, "description": new.description,
             "site_finesses": list(new.sites),
             "region_codes": sorted({s["region_code"] for s in sites if s["region_code"]}),
             "created_by": principal.username, "created_by_role": principal.role}

    def work(tx):
        row = tx.run(cypher.query("write/fei_create"), event=event, finesses=list(new.sites)).single()
        append(tx, principal, "fei.file", _target(event_id, sites), None, row["event"])
        return row["event"]

    stored = graph.transaction(work)
    return _form(stored, [{"finess": s["finess"], "name": s["site_name"]} for s in sites])


def get(graph: Graph, principal: Principal, form_id: str) -> Form:
    principal.require("fei.read")
    rows = graph.read_named("read/fei_get", id=form_id)
    if not rows:
        raise NotFound("Fiche d'évènement indésirable introuvable.")
    form = _form(rows[0]["event"], rows[0]["sites"], rows[0]["answers"])
    if not involved(principal, form):
        raise Forbidden("Fiche hors de votre périmètre : seuls son auteur, les référents des structures concernées "
                        "et les coordinateurs du réseau y ont accès.", detail=f"{principal.username} not involved")
    return form


def forms(graph: Graph, principal: Principal, *, state: str | None = None, limit: int = 100) -> list[Form]:
    """The forms this person may read, newest first."""
    principal.require("fei.read")
    if state is not None and state not in STATES:
        raise BadRequest("État inconnu.", fields={"state": "attendu : " + ", ".join(STATES)})
    user = principal.user
    rows = graph.read_named("read/fei_list", username=user.username, all=principal.role == "admin",
                            sites=list(user.sites) if principal.role == "contributor" else [],
                            regions=list(user.regions) if principal.role == "coordinator" else [], state=state,
                            limit=max(1, min(limit, MAX_LIST)))
    return [_form(r["event"], r["sites"], answer_count=r["answer_count"], answered_by_me=r["answered_by_me"])
            for r in rows]


def _site_of(principal: Principal, form: Form) -> str | None:
    """The structure a referent answers for (the first of the form's structures in their scope)."""
    if principal.role != "contributor":
        return None
    return next((s["finess"] for s in form.sites if s["finess"] in principal.user.sites), None)


def _record(graph: Graph, principal: Principal, form: Form, answer: dict, *, state: str | None = None,
            actions: str | None = None, action: str) -> Form:
    def work(tx):
        row = tx.run(cypher.query("write/fei_answer"), id=form.id, answer=answer, state=state,
                     actions=actions).single()
        if row is None:
            raise Conflict("Cette fiche est clôturée : elle ne reçoit plus de réponse.")
        target = Target(kind="AdverseEvent", id=form.id, site_finess=form.sites[0]["finess"] if form.sites else None,
                        region_code=form.region_codes[0] if form.region_codes else None)
        append(tx, principal, action, target, row["before"], {**row["after"], "entry": row["answer"]})

    graph.transaction(work)
    return get(graph, principal, form.id)


def answer(graph: Graph, principal: Principal, form_id: str, payload) -> Form:
    """Add the answer of one party (the author, a referent of a structure involved, a coordinator)."""
    form = get(graph, principal, form_id)
    if form.state == "cloturee":
        raise Conflict("Cette fiche est clôturée : elle ne reçoit plus de réponse.")
    try:
        text = check_answer(payload)
    except checks.FieldErrors as exc:
        raise _bad(exc, "Réponse invalide") from exc
    entry = {"id": str(uuid.uuid4()), "kind": "answer", "by": principal.username, "role": principal.role,
             "site_finess": _site_of(principal, form), "text": text}
    return _record(graph, principal, form, entry, action="fei.answer")


def transition(graph: Graph, principal: Principal, form_id: str, payload) -> Form:
    """Move the form on (déclarée → en analyse → clôturée with the actions decided): the network's coordinators."""
    principal.require("fei.manage")
    form = get(graph, principal, form_id)
    try:
        to, actions = check_transition(payload, form.state)
    except checks.FieldErrors as exc:
        raise _bad(exc, "Changement d'état invalide") from exc
    entry = {"id": str(uuid.uuid4()), "kind": "status", "by": principal.username, "role": principal.role,
             "site_finess": None, "text": actions, "from": form.state, "to": to}
    return _record(graph, principal, form, entry, state=to, actions=actions, action="fei.state")


@dataclass(frozen=True)
class Stats:
    total: int
    by_state: dict  # state → count
    by_category: tuple[dict, ...]  # {code, label, total, declaree, en_analyse, cloturee}
    by_site: tuple[dict, ...]  # {finess, name, total, open}
    median_days_to_close: float | None


def stats(graph: Graph, principal: Principal, *, region: str | None = None, start: date | None = None,
          end: date | None = None) -> Stats:
    """Forms per category and per structure for the network's review (coordinators: their régions)."""
    principal.require("fei.stats")
    regions = principal.regions_within(region or None)
    rows = graph.read_named("read/fei_stats", regions=regions, start=start, end=end)
    by_state = Counter(r["state"] for r in rows)
    categories: dict[str, Counter] = {}
    sites: dict[str, dict] = {}
    closing = sorted(r["days_open"] for r in rows if r["state"] == "cloturee")
    for r in rows:
        categories.setdefault(r["category"], Counter())[r["state"]] += 1
        for s in r["sites"]:
            line = sites.setdefault(s["finess"], {"finess": s["finess"], "name": s["name"], "total": 0, "open": 0})
            line["total"] += 1
            line["open"] += r["state"] != "cloturee"
    by_category = tuple(sorted(({"code": code, "label": category_label(code), "total": sum(c.values()),
                                 **{state: c.get(state, 0) for state in STATES}} for code, c in categories.items()),
                               key=lambda c: (-c["total"], c["label"])))
    median = closing[len(closing) // 2] if closing else None
    return Stats(total=len(rows), by_state={state: by_state.get(state, 0) for state in STATES},
                 by_category=by_category,
                 by_site=tuple(sorted(sites.values(), key=lambda s: (-s["total"], s["name"] or "")))[:100],
                 median_days_to_close=median)
