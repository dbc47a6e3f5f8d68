"""Graph rows → FHIR R4 resources shaped like the ROR profiles (plain dicts, JSON-ready).

Each `*_resource(row)` takes one row of the matching `cypher/fhir/*_by_ids.cypher` query. Logical ids:
Organization `eg-<finess>` (Site) / `ej-<finess>` (LegalEntity), HealthcareService = Offer.id,
Location = Place.id, Practitioner = Professional.rpps, PractitionerRole `<rpps>.<offer id>`.
"""

from __future__ import annotations

import datetime as dt
import re

from core.freshness import native
from fhir_api import codes, tariffs
from graph.fhir_ids import practitioner_role_id
from graph.fhir_ids import split_practitioner_role_id as split_practitioner_role_id

FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def instant(value) -> str | None:
    """A FHIR instant (ISO 8601 with time zone, millisecond precision) from a graph temporal value."""
    if value is None:
        return None
    value = native(value)  # the export streams the driver's own values
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC).isoformat(timespec="milliseconds")
    return str(value)


def coding(concept: dict | None) -> dict | None:
    """A Coding from a Concept projection {system_url, code, label}."""
    if not concept or not concept.get("code"):
        return None
    out = {}  # built key by key (no dict comprehension): called ~20 times per resource in a full $export
    if system := concept.get("system_url"):
        out["system"] = system
    out["code"] = concept["code"]
    if label := concept.get("label"):
        out["display"] = label
    return out


def concept(concept_row: dict | None) -> dict | None:
    c = coding(concept_row)
    return {"coding": [c]} if c else None


def _meta(resource_type: str, last_updated, region_code: str | None, region_name: str | None,
          synthetic: bool | None) -> dict:
    meta: dict = {"profile": [codes.PROFILE[resource_type]]}
    if last_updated is not None:
        meta["lastUpdated"] = instant(last_updated)
    tags = []
    if region_code:
        tags.append(_drop_none({"system": codes.SYSTEM_REGION, "code": region_code, "display": region_name}))
    if synthetic:
        tags.append({"system": codes.SYSTEM_PROVENANCE, "code": "synthetic", "display": "Donnée synthétique"})
    if tags:
        meta["tag"] = tags
    return meta


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, [], "", {})}


def _telecom(phone: str | None, email: str | None) -> list[dict]:
    out = []
    if phone:
        out.append({"system": "phone", "value": phone})
    if email:
        out.append({"system": "email", "value": email})
    return out


def _address(line1, line2, postal_code, city, insee=None) -> dict | None:
    address = _drop_none({"line": [x for x in (line1, line2) if x], "postalCode": postal_code, "city": city,
                          "country": "FR" if (postal_code or city) else None})
    if insee and address:
        address["extension"] = [{"url": codes.EXT_ADDRESS_INSEE, "valueCode": insee}]
    return address or None


def _identifier(system: str, value: str | None, type_code: str | None = None, type_label: str | None = None,
                use: str | None = None) -> dict | None:
    if not value:
        return None
    ident: dict = {"system": system, "value": value}
    if use:
        ident["use"] = use
    if type_code:
        ident["type"] = {"coding": [{"system": codes.SYSTEM_IDENTIFIER_TYPE, "code": type_code,
                                     "display": type_label}]}
    return ident


def organization_resource(row: dict) -> dict:
    """Organization for a geographic entity (EG, `Site`) or a legal entity (EJ, `LegalEntity`)."""
    org, kind = row["org"], row["kind"]
    is_eg = kind == "EG"
    identifiers = [
        _identifier(codes.SYSTEM_FINESS, org.get("finess"), "1", "FINESS", use="official"),
        _identifier(codes.SYSTEM_SIRET, org.get("siret"), "3", "SIRET") if is_eg else None,
        _identifier(codes.SYSTEM_SIREN, org.get("siren"), "2", "SIREN") if not is_eg else None,
    ]
    if is_eg:
        org_type = coding({"system_url": codes.SYSTEM_SITE_CATEGORY, "code": org.get("category_code"),
                           "label": org.get("category_label")})
    else:
        org_type = coding({"system_url": codes.SYSTEM_LEGAL_STATUS, "code": org.get("legal_status")})
    resource = {
        "resourceType": "Organization",
        "id": ("eg-" if is_eg else "ej-") + org["finess"],
        "meta": _meta("Organization", org.get("last_updated"), row.get("region_code"), row.get("region_name"),
                      org.get("synthetic")),
        "identifier": [i for i in identifiers if i],
        "active": True,
        "type": [{"coding": [org_type]}] if org_type else [],
        "name": org.get("name"),
        "telecom": _telecom(org.get("phone"), org.get("email")),
    }
    if is_eg:
        address = _address(org.get("address_line1"), org.get("address_line2"), org.get("postal_code"),
                           org.get("city"), row.get("commune_insee"))
        resource["address"] = [address] if address else []
        if row.get("parent_finess"):
            resource["partOf"] = {"reference": f"Organization/ej-{row['parent_finess']}"}
        if org.get("tariffs"):
            resource["extension"] = tariffs.price_extensions(org["tariffs"])
    return _drop_none(resource)


def _age_range(age_groups: list[dict]) -> dict | None:
    bounds = [codes.AGE_GROUP_BOUNDS[g["code"]] for g in age_groups if g.get("code") in codes.AGE_GROUP_BOUNDS]
    if not bounds:
        return None
    years = {"unit": "années", "system": codes.SYSTEM_UCUM, "code": "a"}
    return {"low": {"value": min(b[0] for b in bounds), **years},
            "high": {"value": max(b[1] for b in bounds), **years}}


def healthcare_service_resource(row: dict) -> dict:
    """HealthcareService for one Offer (elementary unit): activities, care modes, acts, public, field."""
    offer = row["offer"]
    patient_type = []
    age_range = _age_range(row.get("age_groups") or [])
    if age_range:
        patient_type.append({"url": "ageRange", "valueRange": age_range})
    for group in row.get("age_groups") or []:
        if coding(group):
            patient_type.append({"url": "ageGroup", "valueCodeableConcept": concept(group)})
    for public in row.get("publics") or []:
        if coding(public):
            patient_type.append({"url": "supportedPatientInfo", "valueCodeableConcept": concept(public)})
    characteristic = [concept(c) for c in (row.get("care_modes") or []) + (row.get("reception_modes") or [])
                      if coding(c)]
    for act in row.get("acts") or []:
        if coding(act):
            characteristic.append({"extension": [{"url": codes.EXT_ACT_TYPE, "valueCode": "specificAct"}],
                                   **concept(act)})
    extensions = [{"url": codes.EXT_PATIENT_TYPE, "extension": patient_type}] if patient_type else []
    extensions += _offer_extensions(offer)
    resource = {
        "resourceType": "HealthcareService",
        "id": offer["id"],
        "meta": _meta("HealthcareService", offer.get("last_updated"), row.get("region_code"),
                      row.get("region_name"), offer.get("synthetic")),
        "extension": extensions,
        "identifier": [{"system": codes.SYSTEM_OFFER, "value": offer["id"]}],
        "active": offer.get("status") == "published",
        "providedBy": {"reference": f"Organization/eg-{row['site_finess']}"} if row.get("site_finess") else None,
        "category": [concept(c) for c in (row.get("offer_types") or []) + (row.get("families") or []) if coding(c)],
        "type": [concept(c) for c in row.get("fields") or [] if coding(c)],
        "specialty": [concept(c) for c in row.get("activities") or [] if coding(c)],
        "location": [{"reference": f"Location/{pid}"} for pid in row.get("place_ids") or []],
        "name": offer.get("name"),
        "telecom": _telecom(offer.get("phone"), offer.get("email")),
        "characteristic": characteristic,
        "notAvailable": _closing(offer),
        "availabilityExceptions": offer.get("opening"),
    }
    return _drop_none(resource)


def _offer_extensions(offer: dict) -> list[dict]:
    """Intervention zone (communes, TRE_R13) and psychiatric sector, when the offer has them."""
    out = [{"url": codes.EXT_INTERVENTION_ZONE, "valueCodeableConcept": {"coding": [
        {"system": codes.SYSTEM_COMMUNE, "code": insee}]}} for insee in offer.get("intervention_zone") or []]
    if offer.get("psychiatric_sector"):
        out.append({"url": codes.EXT_PSYCHIATRIC_SECTOR, "valueString": offer["psychiatric_sector"]})
    return out


def _closing(offer: dict) -> list[dict] | None:
    """`notAvailable`: the closing date and the expected reopening date of a temporarily closed offer."""
    start, end = instant(offer.get("closed_from")), instant(offer.get("reopening_on"))
    if not start and not end:
        return None
    return [{"description": "Fermeture temporaire", "during": _drop_none({"start": start, "end": end})}]


def _coded(system: str, code: str | None) -> dict | None:
    if code is None:
        return None
    return {"coding": [{"system": system, "code": code, "display": codes.CAPACITY_LABELS.get((system, code), code)}]}


def _crisis(crisis: str | None) -> dict | None:
    """The crisis type: the JDV_J194 coding when the form's type has one, plus the form's own (local) code."""
    if not crisis:
        return None
    codings = []
    nos = codes.CRISIS_TO_NOS.get(crisis)
    if nos:
        codings.append(_coded(codes.SYSTEM_CRISIS_TYPE, nos)["coding"][0])
    codings.append({"system": codes.SYSTEM_LOCAL_CRISIS_TYPE, "code": crisis})
    return {"coding": codings}


def capacity_extensions(snapshot: dict | None) -> list[dict]:
    """One ror-location-supported-capacity extension per non-null figure of the latest snapshot, coded with
    the ROR capacity value sets (codes.CAPACITY_FIELDS)."""
    if not snapshot:
        return []
    updated = instant(snapshot.get("updated_at"))
    crisis = _crisis(snapshot.get("crisis_type") or None)
    bed = _coded(codes.SYSTEM_CAPACITY_TYPE, codes.CAPACITY_TYPE_BED)
    out = []
    for spec in codes.CAPACITY_FIELDS:
        value = snapshot.get(spec["field"])
        if value is None:
            continue
        parts = [
            ("capacityType", bed),
            ("capacityStatus", _coded(codes.SYSTEM_CAPACITY_STATUS, spec["status"])),
            ("temporalityCapacity", _coded(codes.SYSTEM_CAPACITY_TEMPORALITY, spec["temporality"])),
            ("genderCapacityAvailable", _coded(codes.SYSTEM_CAPACITY_GENDER, spec["gender"])),
            ("capacityClosingType", _coded(codes.SYSTEM_CAPACITY_CLOSING, spec.get("closing"))),
            ("additionalBedType", _coded(codes.SYSTEM_ADDITIONAL_BED, spec.get("additional"))),
            ("crisisType", crisis),
        ]
        extension = [{"url": url, "valueCodeableConcept": concept} for url, concept in parts if concept]
        extension.append({"url": "nbCapacity", "valueInteger": int(value)})
        if updated:
            extension.append({"url": "capacityUpdateDate", "valueDateTime": updated})
        out.append({"url": codes.EXT_SUPPORTED_CAPACITY, "extension": extension})
    return out


def location_resource(row: dict, distance_km: float | None = None) -> dict:
    """Location for one Place: address, position, commune COG, equipment and capacity extensions."""
    place = row["place"]
    extensions = []
    if row.get("commune_insee"):
        extensions.append({"url": codes.EXT_COMMUNE_COG, "valueCodeableConcept": {"coding": [_drop_none(
            {"system": codes.SYSTEM_COMMUNE, "code": row["commune_insee"], "display": row.get("commune_name")})]}})
    for equipment in row.get("equipment") or []:
        parts = [{"url": "equipmentType", "valueCodeableConcept": concept(equipment)}]
        if equipment.get("count") is not None:
            parts.append({"url": "nbInService", "valueInteger": int(equipment["count"])})
        if equipment.get("limit_type") and equipment.get("limit_value") is not None:
            parts.append({"url": "equipmentLimit", "extension": [
                {"url": "limitType", "valueCodeableConcept": {"coding": [_drop_none({
                    "system": codes.SYSTEM_EQUIPMENT_FEATURE, "code": equipment["limit_type"],
                    "display": codes.EQUIPMENT_FEATURES.get(equipment["limit_type"])})]}},
                {"url": "limitValue", "valueQuantity": {"value": equipment["limit_value"],
                                                        "unit": equipment.get("limit_unit") or "kg",
                                                        "system": codes.SYSTEM_UCUM,
                                                        "code": equipment.get("limit_unit") or "kg"}}]})
        extensions.append({"url": codes.EXT_EQUIPMENT, "extension": parts})
    extensions.extend(capacity_extensions(row.get("capacity")))
    position = None
    if place.get("latitude") is not None and place.get("longitude") is not None:
        position = {"latitude": place["latitude"], "longitude": place["longitude"]}
    resource = {
        "resourceType": "Location",
        "id": place["id"],
        "meta": _meta("Location", place.get("last_updated"), row.get("region_code"), row.get("region_name"),
                      place.get("synthetic")),
        "extension": extensions,
        "identifier": [{"system": codes.SYSTEM_PLACE, "value": place["id"], "type": {"coding": [
            {"system": codes.SYSTEM_PLACE_IDENTIFIER_TYPE, "code": "25", "display": "Identifiant fonctionnel"}]}}],
        "status": "active",
        "type": [{"coding": [{"system": codes.SYSTEM_PLACE_FUNCTION, "code": place["function_code"],
                              "display": codes.PLACE_FUNCTIONS.get(place["function_code"])}]}]
        if place.get("function_code") else None,
        "name": place.get("name"),
        "address": _address(place.get("address_line1"), None, place.get("postal_code"), place.get("city"),
                            row.get("commune_insee")),
        "position": position,
        "managingOrganization": ({"reference": f"Organization/eg-{row['site_finess']}"}
                                 if row.get("site_finess") else None),
    }
    return _drop_none(resource)


def practitioner_role_resource(row: dict) -> dict:
    """PractitionerRole for one WORKS_IN: the professional's function and contact in one offer."""
    pro, role = row["professional"], row.get("role") or {}
    name_parts = [{"url": "exerciseFirstName", "valueString": pro.get("first_name")},
                  {"url": "exerciseLastName", "valueString": pro.get("last_name")}]
    name_parts = [p for p in name_parts if p["valueString"]]
    professions = [concept(c) for c in row.get("professions") or [] if coding(c)]
    if not professions and pro.get("profession_code"):
        professions = [{"coding": [{"system": codes.SYSTEM_PROFESSION, "code": pro["profession_code"]}]}]
    function = concept(row.get("function")) or (
        {"coding": [{"system": codes.SYSTEM_CONTACT_FUNCTION, "code": role["function"]}]}
        if role.get("function") else None)
    resource = {
        "resourceType": "PractitionerRole",
        "id": practitioner_role_id(pro["rpps"], row["offer_id"]),
        "meta": _meta("PractitionerRole", pro.get("last_updated"), row.get("region_code"), row.get("region_name"),
                      pro.get("synthetic")),
        "extension": [{"url": codes.EXT_PRACTITIONER_ROLE_NAME, "extension": name_parts}] if name_parts else [],
        "identifier": [{"system": codes.SYSTEM_RPPS, "value": pro["rpps"]}],
        "active": True,
        "practitioner": {"reference": f"Practitioner/{pro['rpps']}"},
        "organization": {"reference": f"Organization/eg-{row['site_finess']}"} if row.get("site_finess") else None,
        "healthcareService": [{"reference": f"HealthcareService/{row['offer_id']}"}],
        "code": professions + ([function] if function else []),
        "specialty": [concept(c) for c in row.get("specialties") or [] if coding(c)],
        "telecom": _telecom(role.get("phone"), role.get("email")),
    }
    return _drop_none(resource)


def practitioner_resource(row: dict) -> dict:
    """Practitioner for one Professional (RPPS identifier, name, profession as qualification)."""
    pro = row["professional"]
    professions = [concept(c) for c in row.get("professions") or [] if coding(c)]
    if not professions and pro.get("profession_code"):
        professions = [{"coding": [{"system": codes.SYSTEM_PROFESSION, "code": pro["profession_code"]}]}]
    name = _drop_none({"family": pro.get("last_name"),
                       "given": [pro["first_name"]] if pro.get("first_name") else None})
    resource = {
        "resourceType": "Practitioner",
        "id": pro["rpps"],
        "meta": _meta("Practitioner", pro.get("last_updated"), row.get("region_code"), row.get("region_name"),
                      pro.get("synthetic")),
        "identifier": [{"system": codes.SYSTEM_RPPS, "value": pro["rpps"]}],
        "active": True,
        "name": [name] if name else [],
        "qualification": [{"code": p} for p in professions],
    }
    return _drop_none(resource)
