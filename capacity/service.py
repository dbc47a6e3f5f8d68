"""Capacity entries: validated, written as a new latest CapacitySnapshot with its audit entry, in one
transaction holding the place's lock; then pushed to the search index."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import cypher
from accounts.models import Principal, Target
from audit.log import entry as audit_entry
from audit.log import in_write_transaction
from capacity import freshness
from capacity.sync import reindex_offers
from capacity.validation import CRISIS_TYPES, CapacityErrors, validate
from graph.driver import Graph
from ror.errors import BadRequest, NotFound

PARIS = ZoneInfo("Europe/Paris")
SNAPSHOT_KEYS = ("installed", "available_men", "available_women", "available_undifferentiated", "available_total",
                 "forecast_d", "forecast_d1", "closed_reopenable", "extra_beds", "note")


@dataclass(frozen=True)
class Capacity:
    id: str
    place_id: str
    installed: int | None
    available_men: int | None
    available_women: int | None
    available_undifferentiated: int | None
    available_total: int | None
    forecast_d: int | None
    forecast_d1: int | None
    forecast_date: date | None
    closed_reopenable: int | None
    extra_beds: int | None
    crisis_type: str
    crisis_label: str
    note: str | None
    updated_at: datetime | None
    updated_by: str | None
    age_minutes: int | None
    age_text: str
    stale: bool
    latest: bool


@dataclass(frozen=True)
class CapacityWrite:
    capacity: Capacity
    offer_ids: tuple[str, ...]
    indexed: bool


def paris_today() -> date:
    return datetime.now(PARIS).date()


def to_capacity(place_id: str, snap: dict, stale_hours: float, now: datetime | None = None) -> Capacity:
    updated_at = freshness.native(snap.get("updated_at"))
    minutes = freshness.age_minutes(updated_at, now)
    forecast_date = freshness.native(snap.get("forecast_date"))
    crisis = snap.get("crisis_type") or ""
    return Capacity(id=snap.get("id") or "", place_id=place_id, **{k: snap.get(k) for k in SNAPSHOT_KEYS},
                    forecast_date=forecast_date, crisis_type=crisis, crisis_label=CRISIS_TYPES.get(crisis, crisis),
                    updated_at=updated_at, updated_by=snap.get("updated_by"), age_minutes=minutes,
                    age_text=freshness.age_text(minutes),
                    stale=freshness.is_stale(updated_at, stale_hours, now), latest=bool(snap.get("latest")))


def _public(snap: dict | None) -> dict | None:
    """What the audit log keeps of a snapshot (no lock counters)."""
    if snap is None:
        return None
    return {k: v for k, v in snap.items() if not k.startswith("_") and k not in {"loaded_at", "source"}}


def update(graph: Graph, principal: Principal, place_id: str, payload: dict, *, stale_hours: float,
           search_client=None, index_prefix: str = "ror") -> CapacityWrite:
    """Record a capacity entry for `place_id` on behalf of `principal` (checked: role, scope, values)."""
    principal.require("capacity.write")
    today = paris_today()

    def work(tx):
        # One round trip for the lock, the scope and the previous snapshot; out-of-scope callers are refused
        # inside the transaction, which then rolls back without a trace (nothing was written).
        locked = tx.run(cypher.query("write/capacity_entry_lock"), place_id=place_id).single()
        if locked is None:
            raise NotFound("Lieu introuvable.")
        target = Target(kind="Place", id=place_id, site_finess=locked["site_finess"],
                        department_code=locked["department_code"], region_code=locked["region_code"])
        principal.require("capacity.write", target)
        before = locked["snapshot"]
        checked = validate(payload, installed_beds=locked["installed_beds"], today=today)
        props, snapshot_id = checked.properties(), str(uuid.uuid4())
        after = {**props, "id": snapshot_id, "latest": True, "updated_by": principal.username, "synthetic": False}
        row = tx.run(cypher.query("write/capacity_snapshot_create"), place_id=place_id, id=snapshot_id,
                     props=props, actor=principal.username,
                     entry=audit_entry(principal, "capacity.update", target, _public(before), after)).single()
        return row["snapshot"], row["offer_ids"]

    try:
        snapshot, offer_ids = in_write_transaction(graph, work)
    except CapacityErrors as exc:
        raise BadRequest("Saisie de capacité invalide : " + ", ".join(sorted(exc.fields)) + ".",
                         fields=exc.fields) from None
    indexed = reindex_offers(graph, search_client, index_prefix, offer_ids)
    return CapacityWrite(to_capacity(place_id, snapshot, stale_hours), tuple(offer_ids), indexed)


def latest(graph: Graph, place_id: str, *, stale_hours: float) -> tuple[dict, Capacity | None]:
    """(place {place_id, place_name, installed_beds}, its latest capacity or None)."""
    rows = graph.read_named("read/capacity_latest", place_id=place_id)
    if not rows:
        raise NotFound("Lieu introuvable.")
    row = rows[0]
    place = {"place_id": row["place_id"], "place_name": row["place_name"], "installed_beds": row["installed_beds"]}
    snap = row["snapshot"]
    return place, (to_capacity(place_id, snap, stale_hours) if snap else None)


def history(graph: Graph, place_id: str, *, stale_hours: float, limit: int = 50) -> list[Capacity]:
    rows = graph.read_named("read/capacity_history", place_id=place_id, limit=max(1, min(limit, 500)))
    return [to_capacity(place_id, r["snapshot"], stale_hours) for r in rows]
