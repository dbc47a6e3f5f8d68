"""Resources by logical id, read from the graph (the same source of truth as the web pages)."""

from __future__ import annotations

from collections.abc import Iterable

from fhir_api import resources
from graph.fhir_ids import RESOURCE_TYPES as RESOURCE_TYPES


def _ordered(ids: list[str], by_id: dict[str, dict]) -> list[dict]:
    return [by_id[i] for i in ids if i in by_id]


def organizations(graph, ids: Iterable[str]) -> list[dict]:
    return organizations_with_parents(graph, ids, with_parents=False)[0]


def organizations_with_parents(graph, ids: Iterable[str], *, with_parents: bool = True
                              ) -> tuple[list[dict], list[dict]]:
    """Organizations by id, and (one read) the EJ each requested EG is part of, when not requested itself."""
    ids = list(dict.fromkeys(ids))
    eg = [i[3:] for i in ids if i.startswith("eg-")]
    ej = [i[3:] for i in ids if i.startswith("ej-")]
    if not eg and not ej:
        return [], []
    rows = graph.read_named("fhir/organization_by_ids", eg=eg, ej=ej, with_parents=with_parents)
    by_id = {}
    for row in rows:
        resource = resources.organization_resource(row)
        by_id[resource["id"]] = resource
    wanted = set(ids)
    return _ordered(ids, by_id), [r for i, r in sorted(by_id.items()) if i not in wanted]


def healthcare_services(graph, ids: Iterable[str]) -> list[dict]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = graph.read_named("fhir/healthcareservice_by_ids", ids=ids)
    return _ordered(ids, {row["offer"]["id"]: resources.healthcare_service_resource(row) for row in rows})


def locations(graph, ids: Iterable[str]) -> list[dict]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = graph.read_named("fhir/location_by_ids", ids=ids)
    return _ordered(ids, {row["place"]["id"]: resources.location_resource(row) for row in rows})


def practitioner_roles(graph, ids: Iterable[str]) -> list[dict]:
    ids = list(dict.fromkeys(ids))
    pairs = [{"rpps": p[0], "offer": p[1]} for p in map(resources.split_practitioner_role_id, ids) if p]
    if not pairs:
        return []
    rows = graph.read_named("fhir/practitionerrole_by_ids", pairs=pairs, services=[])
    by_id = {}
    for row in rows:
        resource = resources.practitioner_role_resource(row)
        by_id[resource["id"]] = resource
    return _ordered(ids, by_id)


def practitioner_roles_in(graph, offer_ids: Iterable[str]) -> list[dict]:
    """Every PractitionerRole of these offers (one read: the _revinclude=PractitionerRole:service path)."""
    offer_ids = list(dict.fromkeys(offer_ids))
    if not offer_ids:
        return []
    rows = graph.read_named("fhir/practitionerrole_by_ids", pairs=[], services=offer_ids)
    return sorted((resources.practitioner_role_resource(row) for row in rows), key=lambda r: r["id"])


def practitioners(graph, ids: Iterable[str]) -> list[dict]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = graph.read_named("fhir/practitioner_by_ids", ids=ids)
    return _ordered(ids, {row["professional"]["rpps"]: resources.practitioner_resource(row) for row in rows})


FETCH = {
    "Organization": organizations,
    "HealthcareService": healthcare_services,
    "Location": locations,
    "PractitionerRole": practitioner_roles,
    "Practitioner": practitioners,
}


def fetch(graph, resource_type: str, ids: Iterable[str]) -> list[dict]:
    """Resources of one type in the order of `ids` (unknown ids are skipped)."""
    return FETCH[resource_type](graph, ids)


def read(graph, resource_type: str, resource_id: str) -> dict | None:
    found = fetch(graph, resource_type, [resource_id])
    return found[0] if found else None
