"""The FHIR id scheme of the graph's nodes: which resource types the FHIR facade publishes and how a
PractitionerRole id is made of the professional's RPPS and the offer id (`<rpps>.<offer_id>`).

It lives with the graph because the loaders, the quality workflow (tombstones) and the FHIR API all name
resources by it.
"""

from __future__ import annotations

RESOURCE_TYPES = ("Organization", "HealthcareService", "Location", "PractitionerRole", "Practitioner")


def practitioner_role_id(rpps: str, offer_id: str) -> str:
    return f"{rpps}.{offer_id}"


def split_practitioner_role_id(role_id: str) -> tuple[str, str] | None:
    rpps, sep, offer_id = role_id.partition(".")
    return (rpps, offer_id) if sep and rpps and offer_id else None
