"""Anomaly reports (the ROR's « signalement d'anomalie », published as FHIR `Task`): anyone signed in reports that
something is wrong with an offer, a site, a place or a professional (theme, element, comment); the report lands in
the worklist of the contributors of the sites concerned and of the coordinators of their régions, who move it
à traiter → en cours → corrigée / rejetée; its author (or a handler) may cancel it. Every change is audited in its
own transaction; a move is refused (409) when someone moved the report meanwhile.

The states carry the ROR codes (TRE_R352 statut métier, FHIR Task.status); themes are TRE_R350, the expected
actions TRE_R349 (code lists below, from the ANS terminology server, see data/PROVENANCE.md).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import cypher
from accounts.audit import append
from accounts.models import Principal, Target
from core.errors import BadRequest, Conflict, Forbidden, NotFound
from core.freshness import native
from graph.driver import Graph
from graph.fhir_ids import split_practitioner_role_id


@dataclass(frozen=True)
class State:
    code: str  # our key
    label: str  # French, as people read it
    business_status: str  # TRE_R352-StatutMetierAnomalie
    business_label: str
    task_status: str  # FHIR Task.status
    closed: bool


STATES = {s.code: s for s in (
    State("a_traiter", "À traiter", "02", "À traiter", "requested", False),
    State("en_cours", "En cours", "10", "À vérifier", "in-progress", False),
    State("corrigee", "Corrigée", "08", "Corrigé", "completed", True),
    State("rejetee", "Rejetée", "09", "Refusé", "rejected", True),
    State("annulee", "Annulée", "03", "Annulé", "cancelled", True),
)}
BY_BUSINESS_STATUS = {s.business_status: s for s in STATES.values()}
NEXT_STATES = {"a_traiter": ("en_cours", "corrigee", "rejetee", "annulee"),
               "en_cours": ("a_traiter", "corrigee", "rejetee", "annulee"),
               "corrigee": (), "rejetee": (), "annulee": ()}
# TRE_R350-ThematiqueAnomalie
THEMES = {"01": "Complétude", "02": "Exhaustivité", "03": "Cohérence", "04": "Récence", "05": "Structuration",
          "06": "Exactitude"}
# TRE_R349-ActionAnomalie
ACTIONS = {"COR": "Correction", "AJO": "Ajout", "SUP": "Suppression"}
FOCUS_TYPES = {"HealthcareService": "offre", "Organization": "établissement", "Location": "lieu",
               "Practitioner": "professionnel", "PractitionerRole": "professionnel dans une offre"}
REQUESTERS = ("IHM", "API")
MAX_COMMENT = 4000
MAX_PATH = 500
MAX_NOTE = 2000
MAX_LIST = 50_000


@dataclass(frozen=True)
class Anomaly:
    id: str
    number: str
    focus_type: str
    focus_id: str
    focus_display: str | None
    theme: str
    action: str
    element_path: str | None
    comment: str
    system_requester: str
    state: str
    site_finesses: tuple[str, ...]
    department_codes: tuple[str, ...]
    region_codes: tuple[str, ...]
    created_by: str
    created_by_role: str
    created_at: datetime | None
    updated_at: datetime | None
    updated_by: str | None
    closed_at: datetime | None
    note: str | None
    revision: int

    @property
    def state_info(self) -> State:
        return STATES[self.state]

    @property
    def theme_label(self) -> str:
        return THEMES.get(self.theme, self.theme)

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)

    @property
    def focus_label(self) -> str:
        return FOCUS_TYPES.get(self.focus_type, self.focus_type)


def from_row(row: dict) -> Anomaly:
    return Anomaly(
        id=row["id"], number=row.get("number") or row["id"], focus_type=row["focus_type"], focus_id=row["focus_id"],
        focus_display=row.get("focus_display"), theme=row.get("theme") or "06", action=row.get("action") or "COR",
        element_path=row.get("element_path"), comment=row.get("comment") or "",
        system_requester=row.get("system_requester") or "IHM", state=row["state"],
        site_finesses=tuple(row.get("site_finesses") or ()), department_codes=tuple(row.get("department_codes") or ()),
        region_codes=tuple(row.get("region_codes") or ()), created_by=row.get("created_by") or "",
        created_by_role=row.get("created_by_role") or "", created_at=native(row.get("created_at")),
        updated_at=native(row.get("updated_at")), updated_by=row.get("updated_by"),
        closed_at=native(row.get("closed_at")), note=row.get("note"), revision=int(row.get("revision") or 0))


@dataclass(frozen=True)
class Focus:
    type: str
    id: str
    display: str | None
    site_finesses: tuple[str, ...]
    department_codes: tuple[str, ...]
    region_codes: tuple[str, ...]


def locate(graph: Graph, focus_type: str, focus_id: str) -> Focus:
    """The resource a report is about (FHIR type and logical id), with the sites and régions that handle it."""
    if focus_type not in FOCUS_TYPES:
        raise BadRequest(f"Type de ressource non signalable : {focus_type!r} (attendu : {', '.join(FOCUS_TYPES)}).",
                         fields={"focus": "type de ressource"})
    finess = focus_id[3:] if focus_type == "Organization" and focus_id[:3] in ("eg-", "ej-") else None
    parts = split_practitioner_role_id(focus_id) if focus_type == "PractitionerRole" else None
    rows = graph.read_named("read/anomaly_focus", kind=focus_type, id=focus_id, finess=finess,
                            rpps=parts[0] if parts else None, offer=parts[1] if parts else None)
    if not rows:
        raise NotFound(f"{focus_type}/{focus_id} introuvable : l'anomalie doit porter sur une ressource du "
                       "répertoire.")
    row = rows[0]
    return Focus(focus_type, focus_id, row["display"] or None, tuple(row["site_finesses"]),
                 tuple(row["department_codes"]), tuple(row["region_codes"]))


def _target(anomaly_id: str, focus) -> Target:
    sites, departments, regions = focus.site_finesses, focus.department_codes, focus.region_codes
    return Target(kind="Anomaly", id=anomaly_id, site_finess=sites[0] if sites else None,
                  department_code=departments[0] if departments else None,
                  region_code=regions[0] if regions else None)


def check_report(theme, action, element_path, comment, system_requester) -> dict:
    """The typed fields of a new report, or BadRequest naming each faulty one (French)."""
    errors = {}
    theme = str(theme or "").strip()
    if theme not in THEMES:
        errors["theme"] = "Thème attendu : " + ", ".join(f"{k} {v}" for k, v in THEMES.items()) + "."
    action = str(action or "COR").strip().upper()
    if action not in ACTIONS:
        errors["action"] = "Action attendue : " + ", ".join(f"{k} ({v})" for k, v in ACTIONS.items()) + "."
    path = str(element_path or "").strip() or None
    if path is not None and (len(path) > MAX_PATH or "\n" in path):
        errors["element"] = f"Élément en anomalie : une expression FHIRPath d'au plus {MAX_PATH} caractères."
    text = str(comment or "").strip()
    if not text:
        errors["comment"] = "Décrivez l'anomalie (ce qui est faux, ce qui serait juste)."
    elif len(text) > MAX_COMMENT:
        errors["comment"] = f"Commentaire trop long (au plus {MAX_COMMENT} caractères)."
    requester = str(system_requester or "IHM")
    if requester not in REQUESTERS:
        requester = "API"
    if errors:
        raise BadRequest("Signalement d'anomalie invalide : " + ", ".join(sorted(errors)) + ".", fields=errors)
    return {"theme": theme, "action": action, "element_path": path, "comment": text, "system_requester": requester}


def report(graph: Graph, principal: Principal, focus_type: str, focus_id: str, *, theme, comment,
           element_path=None, action="COR", system_requester="IHM") -> Anomaly:
    """Report an anomaly on a resource of the directory (any signed-in person); audited."""
    principal.require("anomaly.report")
    fields = check_report(theme, action, element_path, comment, system_requester)
    focus = locate(graph, focus_type, focus_id)
    anomaly_id = uuid.uuid4().hex
    record = {"id": anomaly_id, "number": f"ANO-{datetime.now(UTC):%Y}-{secrets.token_hex(4).upper()}",
              "focus_type": focus.type, "focus_id": focus.id, "focus_display": focus.display, **fields,
              "site_finesses": list(focus.site_finesses), "department_codes": list(focus.department_codes),
              "region_codes": list(focus.region_codes), "created_by": principal.username,
              "created_by_role": principal.role}

    def work(tx):
        row = tx.run(cypher.query("write/anomaly_create"), anomaly=record).single()
        append(tx, principal, "anomaly.report", _target(anomaly_id, focus), None, row["anomaly"])
        return row["anomaly"]

    return from_row(graph.transaction(work))


def handles(principal: Principal, anomaly: Anomaly) -> bool:
    """May this person change the report's state? The contributors of a site it concerns, the coordinators of
    a région it concerns, administrators."""
    user = principal.user
    if not user.active or not principal.can("anomaly.handle"):
        return False
    if principal.role == "admin":
        return True
    if principal.role == "contributor":
        return any(f in user.sites for f in anomaly.site_finesses)
    if principal.role == "coordinator":
        return any(r in user.regions for r in anomaly.region_codes)
    return False


def may_cancel(principal: Principal, anomaly: Anomaly) -> bool:
    return principal.user.active and (anomaly.created_by == principal.username or handles(principal, anomaly))


def allowed_moves(principal: Principal, anomaly: Anomaly) -> tuple[str, ...]:
    moves = NEXT_STATES[anomaly.state]
    if handles(principal, anomaly):
        return moves
    return tuple(m for m in moves if m == "annulee") if may_cancel(principal, anomaly) else ()


def get(graph: Graph, anomaly_id: str) -> Anomaly:
    rows = rows_of(graph, ids=[anomaly_id])
    if not rows:
        raise NotFound(f"Anomalie {anomaly_id} introuvable.")
    return rows[0]


def rows_of(graph: Graph, *, ids=None, focus_type=None, focus_ids=None, states=None, timeout=None) -> list[Anomaly]:
    """Reports by id, by what they are about and by state (every filter optional), newest change first."""
    params = {"ids": ids, "focus_type": focus_type, "focus_ids": focus_ids, "states": states, "all": True,
              "username": None, "sites": [], "regions": [], "limit": MAX_LIST + 1}
    rows = graph.read_named("read/anomaly_list", timeout_=timeout, **params)
    if len(rows) > MAX_LIST:
        raise BadRequest(f"Plus de {MAX_LIST} anomalies correspondent : précisez la recherche.")
    return [from_row(r["anomaly"]) for r in rows]


def worklist(graph: Graph, principal: Principal, *, state: str | None = None, limit: int = 500) -> list[Anomaly]:
    """The reports this person follows: those of their sites (contributors) or régions (coordinators), every one
    (administrators), and those they made; newest change first."""
    principal.require("anomaly.report")
    if state is not None and state not in STATES:
        raise BadRequest("État inconnu.", fields={"state": "attendu : " + ", ".join(STATES)})
    user = principal.user
    rows = graph.read_named("read/anomaly_list", ids=None, focus_type=None, focus_ids=None,
                            states=[state] if state else None, all=principal.role == "admin",
                            username=user.username, sites=list(user.sites) if principal.role == "contributor" else [],
                            regions=list(user.regions) if principal.role == "coordinator" else [], limit=limit)
    return [from_row(r["anomaly"]) for r in rows]


def transition(graph: Graph, principal: Principal, anomaly_id: str, to_state: str, *, note: str | None = None,
               expected_state: str | None = None) -> Anomaly:
    """Move a report to `to_state` (the handlers; its author may only cancel it); 409 when it moved meanwhile
    (`expected_state`: the state the caller saw)."""
    principal.require("anomaly.report")
    anomaly = get(graph, anomaly_id)
    if to_state not in STATES:
        raise BadRequest(f"État inconnu : {to_state!r}.", fields={"state": "attendu : " + ", ".join(STATES)})
    if expected_state is not None and expected_state != anomaly.state:
        raise Conflict(f"L'anomalie est passée à l'état « {anomaly.state_info.label} » entre-temps : rechargez-la.")
    if to_state not in NEXT_STATES[anomaly.state]:
        raise Conflict(f"Une anomalie « {anomaly.state_info.label} » ne peut pas passer à l'état "
                       f"« {STATES[to_state].label} ».")
    if to_state not in allowed_moves(principal, anomaly):
        raise Forbidden("Anomalie hors de votre périmètre : seuls les contributeurs des établissements concernés, "
                        "les coordinateurs de leur région (et son auteur, pour l'annuler) peuvent la faire avancer.",
                        detail=f"{principal.username} may not move {anomaly_id} to {to_state}")
    text = str(note).strip() if note else None
    if text and len(text) > MAX_NOTE:
        raise BadRequest(f"Note trop longue (au plus {MAX_NOTE} caractères).", fields={"note": "trop longue"})

    def work(tx):
        row = tx.run(cypher.query("write/anomaly_transition"), id=anomaly_id, to=to_state, note=text or None,
                     actor=principal.username, closed=STATES[to_state].closed, **{"from": anomaly.state}).single()
        if row is None:
            raise Conflict("L'anomalie a changé d'état entre-temps : rechargez-la.")
        append(tx, principal, "anomaly.status", _target(anomaly_id, anomaly), row["before"], row["anomaly"])
        return row["anomaly"]

    return from_row(graph.transaction(work))
