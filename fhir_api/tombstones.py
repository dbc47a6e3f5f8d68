"""Deleted resources: who deletes a published node records it here, for `_since` exports and 410 reads."""

from __future__ import annotations

from collections.abc import Iterable

import cypher
from fhir_api.resources import practitioner_role_id
from fhir_api.store import RESOURCE_TYPES
from ror.errors import BadRequest


def ids_for(label: str, key: str) -> list[tuple[str, str]]:
    """The FHIR (type, id) a graph node was published under, from its label and key."""
    mapping = {"Site": ("Organization", f"eg-{key}"), "LegalEntity": ("Organization", f"ej-{key}"),
               "Offer": ("HealthcareService", key), "Place": ("Location", key),
               "Professional": ("Practitioner", key)}
    return [mapping[label]] if label in mapping else []


def role_ids(rpps: str, offer_ids: Iterable[str]) -> list[tuple[str, str]]:
    return [("PractitionerRole", practitioner_role_id(rpps, o)) for o in offer_ids]


def record(tx_or_graph, resources: Iterable[tuple[str, str]], deleted_by: str) -> int:
    """Write tombstones for (resource type, id) pairs; a transaction (`tx.run`) or a Graph (`graph.write`)."""
    rows = [{"resource_type": t, "resource_id": i} for t, i in resources]
    unknown = sorted({r["resource_type"] for r in rows} - set(RESOURCE_TYPES))
    if unknown:
        raise BadRequest(f"Type de ressource inconnu pour une suppression : {', '.join(unknown)}.")
    if not rows:
        return 0
    text = cypher.query("fhir/tombstone_write")
    if hasattr(tx_or_graph, "run") and not hasattr(tx_or_graph, "write"):
        tx_or_graph.run(text, rows=rows, deleted_by=deleted_by).consume()
    else:
        tx_or_graph.write(text, rows=rows, deleted_by=deleted_by)
    return len(rows)
