"""Append-only audit log: one `:AuditEntry` per change, written in the transaction of the change, and read back
for coordinators (was the `audit` package; it lives with the accounts whose principals it records)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cypher
from accounts.models import Principal, Target
from core.jsonable import jsonable
from graph.driver import Graph

MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: datetime
    actor: str
    actor_role: str
    via: str
    ip: str | None
    action: str
    target_label: str
    target_id: str
    before: Any
    after: Any
    site_finess: str | None
    region_code: str | None


def _json_default(value: Any) -> Any:
    """Dates and times (Python's or the driver's, as a write transaction reads them) as ISO 8601; the rest as text."""
    plain = jsonable(value)
    return plain if plain is not value else str(value)


def to_json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def entry(principal: Principal, action: str, target: Target, before, after) -> dict:
    """The properties of one audit entry (its `at` is set by the database when it is created)."""
    return {
        "id": str(uuid.uuid4()), "actor": principal.username, "actor_role": principal.role, "via": principal.via,
        "ip": principal.ip, "action": action, "target_label": target.kind, "target_id": target.id,
        "before": to_json(before), "after": to_json(after), "site_finess": target.site_finess,
        "region_code": target.region_code, "department_code": target.department_code,
    }


def append(tx, principal: Principal, action: str, target: Target, before, after) -> str:
    """Record one change in the current transaction `tx` (committed, or rolled back, with it). Writers on a hot
    path may instead pass `entry(…)` to their own write statement, which creates the AuditEntry itself."""
    record = entry(principal, action, target, before, after)
    tx.run(cypher.query("write/audit_append"), entry=record).consume()
    return record["id"]


def entries(graph: Graph, principal: Principal, *, target_id: str | None = None, actor: str | None = None,
            action: str | None = None, since: datetime | None = None, limit: int = 100) -> list[AuditEntry]:
    """Entries visible to `principal` (coordinators: their régions), newest first."""
    principal.require("audit.read")
    rows = graph.read_named("read/audit_entries", regions=principal.regions_visible(), target_id=target_id,
                            actor=actor, action=action, since=since, limit=max(1, min(limit, MAX_LIMIT)))
    return [AuditEntry(id=r["id"], at=r["at"], actor=r["actor"], actor_role=r["actor_role"],
                       via=r["via"], ip=r["ip"], action=r["action"], target_label=r["target_label"],
                       target_id=r["target_id"], before=_load(r["before"]), after=_load(r["after"]),
                       site_finess=r["site_finess"], region_code=r["region_code"]) for r in rows]


def count(graph: Graph, action: str | None = None) -> int:
    return graph.read_named("read/audit_count", action=action)[0]["c"]


def _load(text):
    return None if text is None else json.loads(text)
