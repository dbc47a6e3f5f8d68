"""Deleted resources: every path that deletes or un-publishes a node the FHIR facade publishes leaves a
`(:Tombstone {resource_type, resource_id, deleted_at, deleted_by, reason})` in the same transaction, so that
`$export?_since=` lists it in its `deleted` files and a read of the id answers 410 Gone.

Writers: the validation workflow (`offer_status_changed`, offer un-published / published again), the
generator's `--replace` (`cypher/write/delete_generated.cypher`, in the deleting transactions), and
`purge_recreated` after a reload, which forgets tombstones of resources published again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import cypher
from core.errors import BadRequest
from graph.driver import Graph, Transaction, row_of
from graph.fhir_ids import RESOURCE_TYPES, practitioner_role_id

PUBLISHED = "published"


def ids_for(label: str, key: str) -> list[tuple[str, str]]:
    """The FHIR (type, id) a graph node was published under, from its label and key."""
    mapping = {"Site": ("Organization", f"eg-{key}"), "LegalEntity": ("Organization", f"ej-{key}"),
               "Offer": ("HealthcareService", key), "Place": ("Location", key),
               "Professional": ("Practitioner", key)}
    return [mapping[label]] if label in mapping else []


def role_ids(rpps: Iterable[str], offer_id: str) -> list[tuple[str, str]]:
    return [("PractitionerRole", practitioner_role_id(r, offer_id)) for r in rpps]


def _rows(resources: Iterable[tuple[str, str]]) -> list[dict]:
    rows = [{"resource_type": t, "resource_id": i} for t, i in resources]
    unknown = sorted({r["resource_type"] for r in rows} - set(RESOURCE_TYPES))
    if unknown:
        raise BadRequest(f"Type de ressource inconnu pour une suppression : {', '.join(unknown)}.")
    return rows


def _run(tx_or_graph: Transaction | Graph, name: str, **params: Any) -> list[dict]:
    """In a transaction (`tx.run`) or, for a Graph, in a write transaction of its own."""
    text = cypher.query(name)
    if hasattr(tx_or_graph, "run") and not hasattr(tx_or_graph, "write"):
        return [row_of(record) for record in tx_or_graph.run(text, **params)]
    tx_or_graph.write(text, **params)
    return []


def record(tx_or_graph: Transaction | Graph, resources: Iterable[tuple[str, str]], deleted_by: str,
           reason: str = "deleted") -> int:
    """Write (or re-date) tombstones for (resource type, id) pairs; returns how many."""
    rows = _rows(resources)
    if rows:
        _run(tx_or_graph, "fhir/tombstone_write", rows=rows, deleted_by=deleted_by, reason=reason)
    return len(rows)


def clear(tx_or_graph: Transaction | Graph, resources: Iterable[tuple[str, str]]) -> None:
    """Forget the tombstones of resources published again."""
    rows = _rows(resources)
    if rows:
        _run(tx_or_graph, "fhir/tombstone_clear", rows=rows)


def offer_status_changed(tx: Transaction, offer_id: str, before: str, after: str, actor: str) -> int:
    """Called by the validation workflow in its transaction: leaving `published` deletes the HealthcareService
    and its PractitionerRoles from the FHIR view (tombstones), coming back to it clears them."""
    if (before == PUBLISHED) == (after == PUBLISHED):
        return 0
    rpps = [row["rpps"] for row in tx.run(cypher.query("fhir/offer_role_rpps"), id=offer_id)]
    resources = ids_for("Offer", offer_id) + role_ids(rpps, offer_id)
    if before == PUBLISHED:
        return record(tx, resources, actor, reason="offer.unpublished")
    clear(tx, resources)
    return 0


def purge_recreated(graph: Graph) -> None:
    """After a reload: drop the tombstones of resources that are published again."""
    graph.run_autocommit(cypher.query("fhir/tombstone_purge"))
