"""Capacity entries: validated, written as a new latest CapacitySnapshot with its audit entry, in a
transaction holding the place's lock (concurrent entries are committed together, see graph/group_commit.py); then
pushed to the search index."""

from __future__ import annotations

import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date

import cypher
from accounts.audit import entry as audit_entry
from accounts.models import Principal, Target
from capacity.validation import CapacityErrors, validate
from core.clock import paris_today
from core.errors import BadRequest, NotFound, RorError
from graph import group_commit
from graph.driver import Graph
from search.models import Capacity
from search.sync import IndexSync


@dataclass(frozen=True)
class CapacityWrite:
    capacity: Capacity
    offer_ids: tuple[str, ...]
    indexed: bool


def _public(snap: dict | None) -> dict | None:
    """What the audit log keeps of a snapshot (no lock counters)."""
    if snap is None:
        return None
    return {k: v for k, v in snap.items() if not k.startswith("_") and k not in {"loaded_at", "source"}}


def update(graph: Graph, principal: Principal, place_id: str, payload: dict, *, stale_hours: float,
           sync: IndexSync | None = None) -> CapacityWrite:
    """Record a capacity entry for `place_id` on behalf of `principal` (checked: role, scope, values).

    Entries are committed in groups (graph.group_commit): concurrent entries share one transaction, each with its own
    checks, snapshot and audit entry; the call returns once its entry is committed (or refused)."""
    principal.require("capacity.write")
    pending = _Pending(principal, str(place_id), payload, paris_today())
    snapshot, offer_ids = _committer(graph).submit(pending).result()
    indexed = sync.offers(offer_ids) if sync else False
    return CapacityWrite(Capacity.read(snapshot, stale_hours=stale_hours, place_id=place_id), tuple(offer_ids), indexed)


def update_many(graph: Graph, principal: Principal, payloads: dict[str, dict], *, stale_hours: float,
                sync: IndexSync | None = None) -> dict[str, CapacityWrite | RorError]:
    """Entries for several places at once (a site's units on one screen): submitted together so they share one
    group commit; each is accepted or refused on its own (place id → its write, or the error refusing it)."""
    principal.require("capacity.write")
    today = paris_today()
    committer = _committer(graph)
    waiting = {place_id: committer.submit(_Pending(principal, str(place_id), payload, today))
               for place_id, payload in payloads.items()}
    out: dict[str, CapacityWrite | RorError] = {}
    for place_id, future in waiting.items():
        try:
            snapshot, offer_ids = future.result()
        except RorError as exc:
            out[place_id] = exc
            continue
        indexed = sync.offers(offer_ids) if sync else False
        out[place_id] = CapacityWrite(Capacity.read(snapshot, stale_hours=stale_hours, place_id=place_id),
                                      tuple(offer_ids), indexed)
    return out


# ---------------------------------------------------------------------------------------- group commit


@dataclass
class _Pending:
    principal: Principal
    place_id: str
    payload: dict
    today: date
    future: Future = field(default_factory=Future)

    @property
    def key(self) -> str:  # one entry per place in a commit group
        return self.place_id


def _write_group(tx, group: list[_Pending]) -> list:
    """One transaction for a group of entries on distinct places: lock and read them all (sorted ids: concurrent
    groups lock in the same order), check each entry (scope, values) on its own, then write the accepted ones
    with their audit entries. Returns, per entry, (snapshot, offer ids) or the error refusing it. Re-run as a
    whole by the driver on a transient error."""
    rows = tx.run(cypher.query("write/capacity_entries_lock"), place_ids=sorted(p.place_id for p in group))
    locked = {row["place_id"]: row for row in rows}
    outcomes: list = [None] * len(group)
    writes, slots = [], {}
    for n, pending in enumerate(group):
        row = locked.get(pending.place_id)
        if row is None:
            outcomes[n] = NotFound("Lieu introuvable.")
            continue
        target = Target(kind="Place", id=pending.place_id, site_finess=row["site_finess"],
                        department_code=row["department_code"], region_code=row["region_code"])
        try:
            pending.principal.require("capacity.write", target)
            checked = validate(pending.payload, installed_beds=row["installed_beds"], today=pending.today)
        except CapacityErrors as exc:
            outcomes[n] = BadRequest("Saisie de capacité invalide : " + ", ".join(sorted(exc.fields)) + ".",
                                     fields=exc.fields)
            continue
        except RorError as exc:  # out of scope: refused, nothing written for this entry
            outcomes[n] = exc
            continue
        props, snapshot_id = checked.properties(), str(uuid.uuid4())
        actor = pending.principal.username
        after = {**props, "id": snapshot_id, "latest": True, "updated_by": actor, "synthetic": False}
        writes.append({"place_id": pending.place_id, "id": snapshot_id, "props": props, "actor": actor,
                       "entry": audit_entry(pending.principal, "capacity.update", target, _public(row["snapshot"]),
                                            after)})
        slots[pending.place_id] = n
    if writes:
        for row in tx.run(cypher.query("write/capacity_snapshots_create"), writes=writes):
            outcomes[slots[row["place_id"]]] = (row["snapshot"], row["offer_ids"])
    return outcomes


def transact(graph: Graph):
    """`work(tx)` → its result, in one managed write transaction of `graph`."""
    return graph.transaction


def _committer(graph: Graph) -> group_commit.GroupCommitter:
    """This process's committer of capacity entries for `graph` (graph.group_commit: concurrent entries of
    distinct places share one transaction, each with its own checks)."""
    return group_commit.committer(graph, "capacity", transact(graph), _write_group)


def latest(graph: Graph, place_id: str, *, stale_hours: float) -> tuple[dict, Capacity | None]:
    """(place {place_id, place_name, installed_beds}, its latest capacity or None)."""
    rows = graph.read_named("read/capacity_latest", place_id=place_id)
    if not rows:
        raise NotFound("Lieu introuvable.")
    row = rows[0]
    place = {"place_id": row["place_id"], "place_name": row["place_name"], "installed_beds": row["installed_beds"]}
    snap = row["snapshot"]
    return place, (Capacity.read(snap, stale_hours=stale_hours, place_id=place_id) if snap else None)


def history(graph: Graph, place_id: str, *, stale_hours: float, limit: int = 50) -> list[Capacity]:
    rows = graph.read_named("read/capacity_history", place_id=place_id, limit=max(1, min(limit, 500)))
    return [Capacity.read(r["snapshot"], stale_hours=stale_hours, place_id=place_id) for r in rows]
