"""Tension alerts (TES): open, update, close — each with its audit entry — and the live list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

import cypher
from accounts.audit import append
from accounts.models import Principal
from accounts.store import UserStore
from core.errors import BadRequest, Conflict, NotFound
from core.freshness import native
from graph.driver import Graph
from search.sync import IndexSync

LEVELS = {1: "Vigilance", 2: "Tension modérée", 3: "Tension forte", 4: "Crise"}
MAX_TEXT = 1000


@dataclass(frozen=True)
class TensionAlert:
    id: str
    finess: str
    site_name: str | None
    level: int
    level_label: str
    cause: str
    actions: str | None
    open: bool
    started_at: datetime | None
    ended_at: datetime | None
    updated_by: str | None
    department_code: str | None = None
    region_code: str | None = None


def _alert(row_alert: dict, finess: str, **extra) -> TensionAlert:
    return TensionAlert(id=row_alert["id"], finess=finess, site_name=extra.get("site_name"),
                        level=row_alert["level"], level_label=LEVELS.get(row_alert["level"], "?"),
                        cause=row_alert.get("cause") or "", actions=row_alert.get("actions"),
                        open=bool(row_alert.get("open")), started_at=native(row_alert.get("started_at")),
                        ended_at=native(row_alert.get("ended_at")), updated_by=row_alert.get("updated_by"),
                        department_code=extra.get("department_code"), region_code=extra.get("region_code"))


def check_fields(payload: dict, *, partial: bool) -> dict:
    """level (1–4), cause (required when opening), actions: a dict of the accepted values or BadRequest."""
    if not isinstance(payload, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    errors, out = {}, {}
    for name in sorted(set(payload) - {"level", "cause", "actions", "csrf_token"}):
        errors[name] = f"Champ inconnu : {name}."
    if "level" in payload or not partial:
        level = payload.get("level")
        try:
            level = int(level) if not isinstance(level, bool) else None
        except (TypeError, ValueError):
            level = None
        if level not in LEVELS:
            errors["level"] = "Niveau de tension : entier de 1 (vigilance) à 4 (crise)."
        else:
            out["level"] = level
    for name, label, required in (("cause", "Cause", not partial), ("actions", "Actions correctives", False)):
        if name not in payload and not required:
            continue
        value = payload.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                errors[name] = f"{label} : à renseigner."
            else:
                out[name] = None
            continue
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            errors[name] = f"{label} : texte d'au plus {MAX_TEXT} caractères."
        else:
            out[name] = value.strip()
    if errors:
        raise BadRequest("Alerte de tension invalide : " + ", ".join(sorted(errors)) + ".", fields=errors)
    if partial and not out:
        raise BadRequest("Rien à modifier.", fields={"body": "level, cause ou actions attendus"})
    return out


def _reindex_site(graph: Graph, finess: str, sync: IndexSync | None) -> bool:
    if sync is None:
        return False
    return sync.offers([r["id"] for r in graph.read_named("read/capacity_site_offer_ids", finess=finess)])


def open_alert(graph: Graph, principal: Principal, finess: str, payload: dict, *,
               sync: IndexSync | None = None) -> TensionAlert:
    principal.require("tension.write")
    target = UserStore(graph).locate("site", finess)
    principal.require("tension.write", target)
    values = check_fields(payload, partial=False)
    params = {"finess": finess, "id": str(uuid.uuid4()), "actions": None, **values, "actor": principal.username}

    def work(tx):
        alert = tx.run(cypher.query("write/capacity_tension_open"), params).single()["alert"]
        append(tx, principal, "tension.open", replace(target, kind="TensionAlert", id=params["id"]), None, alert)
        return alert

    alert = graph.transaction(work)
    _reindex_site(graph, finess, sync)
    return _alert(alert, finess)


def change_alert(graph: Graph, principal: Principal, alert_id: str, payload: dict, *, close: bool = False,
                 sync: IndexSync | None = None) -> TensionAlert:
    """Update an open alert (level, cause, actions) or close it (optionally with final actions)."""
    principal.require("tension.write")
    found = graph.read_named("read/capacity_tension_get", id=alert_id)
    if not found:
        raise NotFound("Alerte de tension introuvable.")
    finess = found[0]["finess"]
    target = UserStore(graph).locate("site", finess)
    principal.require("tension.write", target)
    changes = check_fields(payload or {}, partial=True) if (payload or not close) else {}

    def work(tx):
        row = tx.run(cypher.query("write/capacity_tension_update"), id=alert_id, changes=changes, close=close,
                     actor=principal.username).single()
        if row is None:
            raise Conflict("Cette alerte est déjà close.")
        append(tx, principal, "tension.close" if close else "tension.update",
               replace(target, kind="TensionAlert", id=alert_id), row["before"], row["alert"])
        return row["alert"]

    alert = graph.transaction(work)
    _reindex_site(graph, finess, sync)
    return _alert(alert, finess)


def live(graph: Graph, principal: Principal, *, department: str | None = None, include_closed: bool = False,
         limit: int = 200) -> list[TensionAlert]:
    """Alerts in the coordinator's régions (all for an admin), open first, highest level first."""
    principal.require("tension.list")
    rows = graph.read_named("read/capacity_tension_list", regions=principal.regions_visible(),
                            department=department, include_closed=include_closed, limit=max(1, min(limit, 1000)))
    return [_alert(r["alert"], r["finess"], site_name=r["site_name"], department_code=r["department_code"],
                   region_code=r["region_code"]) for r in rows]


def of_site(graph: Graph, principal: Principal, finess: str, limit: int = 20) -> tuple[str | None, list[TensionAlert]]:
    """(site name, its alerts: open first, then the latest closed) for whoever may raise its tension."""
    principal.require("tension.write", UserStore(graph).locate("site", finess))
    rows = graph.read_named("read/capacity_tension_site", finess=finess, limit=max(1, min(limit, 200)))
    if not rows:
        raise NotFound("Établissement introuvable.")
    return rows[0]["site_name"], [_alert(a, finess, site_name=rows[0]["site_name"]) for a in rows[0]["alerts"]]
