"""Rows of the `cypher/index/*` projections → OpenSearch documents (pure functions, unit-tested)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

NO_REGION = "none"
PUBLIC_HOSPITAL_SPH = {"1"}  # FINESS "Etablissement public de santé"
_SLOT = re.compile(r"^\s*([1-7])\s+(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$")
MINUTES_PER_DAY = 1440


def parse_slot(text: str) -> tuple[int, int, int] | None:
    """"1 08:00-20:00" → (ISO weekday, start minute, end minute); None when malformed."""
    match = _SLOT.match(text or "")
    if not match:
        return None
    day, h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= start < end <= MINUTES_PER_DAY):
        return None
    return day, start, end


def week_minute(moment: datetime) -> int:
    """Minute of the ISO week (Monday 00:00 = 0) of a local time."""
    return (moment.isoweekday() - 1) * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


def iso(value: Any) -> str | None:
    """ISO 8601 as OpenSearch parses it: a datetime read from the graph, or a text (Neo4j's toString of a zoned
    datetime ends with "[Europe/Paris]", which OpenSearch cannot parse)."""
    if value is None:
        return None
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    text = str(value)
    return text.split("[", 1)[0] if "[" in text else text


def _key(code: str | None, label: str | None) -> str | None:
    return f"{code}|{label or code}" if code else None


def _codes(items: list[dict]) -> list[str]:
    return sorted({i["code"] for i in items if i.get("code")})


def _labels(items: list[dict]) -> list[str]:
    return sorted({i["label"] for i in items if i.get("label")})


def _territory(row: dict) -> dict:
    return {
        "commune_insee": row.get("commune_insee"), "commune_name": row.get("commune_name"),
        "postal_code": row.get("postal_code"), "city": row.get("city"),
        "department_code": row.get("department_code"), "department_name": row.get("department_name"),
        "department_key": _key(row.get("department_code"), row.get("department_name")),
        "region_code": row.get("region_code"), "region_name": row.get("region_name"),
        "region_key": _key(row.get("region_code"), row.get("region_name")),
        "location": row.get("location"),
    }


def region_of(doc: dict) -> str:
    return (doc.get("region_code") or NO_REGION).lower()


CAPACITY_KEYS = ("installed", "available_men", "available_women", "available_undifferentiated", "available_total",
                 "forecast_d", "forecast_d1", "updated_at")


def capacity_document(capacity: dict | None, installed_beds: int | None = None) -> dict | None:
    """The `capacity` part of an offer document from a latest snapshot (the keys of CAPACITY_KEYS), with the
    beds available for a woman / a man (their own plus the undifferentiated ones)."""
    if not capacity:
        return None
    undiff = capacity.get("available_undifferentiated") or 0
    out = {**{k: capacity.get(k) for k in CAPACITY_KEYS}, "updated_at": iso(capacity.get("updated_at")),
           "available_for_women": (capacity.get("available_women") or 0) + undiff,
           "available_for_men": (capacity.get("available_men") or 0) + undiff}
    if out.get("installed") is None:
        out["installed"] = installed_beds
    return out


def offer_document(row: dict) -> dict:
    """One offer document: searchable codes/labels, filterable capacity and slots, display-only details."""
    activities, care_modes, acts = row.get("activities") or [], row.get("care_modes") or [], row.get("acts") or []
    equipment = row.get("equipment") or []
    fields = row.get("fields") or []
    slots = []
    for item in equipment:
        for text in item.get("hours") or []:
            parsed = parse_slot(text)
            if parsed:
                day, start, end = parsed
                base = (day - 1) * MINUTES_PER_DAY
                slots.append({"code": item["code"], "minutes": {"gte": base + start, "lt": base + end}})
    capacity = capacity_document(row.get("capacity"), row.get("installed_beds"))
    return {
        "id": row["id"], "name": row.get("name"), "status": row.get("status"),
        "synthetic": bool(row.get("synthetic")), "updated_at": iso(row.get("updated_at")),
        "phone": row.get("phone") or row.get("site_phone"), "email": row.get("email") or row.get("site_email"),
        "opening": row.get("opening"),
        "site_finess": row.get("site_finess"), "site_name": row.get("site_name"),
        "legal_entity_finess": row.get("legal_entity_finess"), "legal_entity_name": row.get("legal_entity_name"),
        "category_code": row.get("category_code"), "category_label": row.get("category_label"),
        "category_key": _key(row.get("category_code"), row.get("category_label")),
        "sph_code": row.get("sph_code"), "sph_label": row.get("sph_label"),
        "public_hospital": row.get("sph_code") in PUBLIC_HOSPITAL_SPH,
        "address": row.get("address"),
        **_territory(row),
        "activity_codes": _codes(activities), "activity_labels": _labels(activities),
        "activity_keys": sorted({_key(a["code"], a.get("label")) for a in activities if a.get("code")}),
        "care_mode_codes": _codes(care_modes), "care_mode_labels": _labels(care_modes),
        "care_mode_keys": sorted({_key(a["code"], a.get("label")) for a in care_modes if a.get("code")}),
        "act_codes": _codes(acts), "act_labels": _labels(acts),
        "age_group_codes": _codes(row.get("age_groups") or []),
        "public_codes": _codes(row.get("publics") or []),
        "field_codes": _codes(fields),
        "field_keys": sorted({_key(a["code"], a.get("label")) for a in fields if a.get("code")}),
        "equipment_codes": _codes(equipment), "equipment_labels": _labels(equipment),
        "equipment_slots": slots,
        "capacity": capacity,
        "tension_level": row.get("tension_level"),
        "display": {
            "activities": activities, "care_modes": care_modes, "acts": acts,
            "age_groups": row.get("age_groups") or [], "publics": row.get("publics") or [],
            "fields": fields, "contacts": row.get("contacts") or [],
            "equipment": [{**e, "hours": list(e.get("hours") or [])} for e in equipment],
            # the crisis its latest capacity entry was made under (plan blanc…): shown, not filtered on
            "capacity_crisis": (row.get("capacity") or {}).get("crisis_type") or None,
        },
    }


def site_document(row: dict) -> dict:
    activities = row.get("activities") or []
    return {
        "finess": row["finess"], "name": row.get("name"),
        "category_code": row.get("category_code"), "category_label": row.get("category_label"),
        "category_key": _key(row.get("category_code"), row.get("category_label")),
        "sph_code": row.get("sph_code"), "sph_label": row.get("sph_label"),
        "public_hospital": row.get("sph_code") in PUBLIC_HOSPITAL_SPH,
        "phone": row.get("phone"), "email": row.get("email"), "address": row.get("address"),
        "legal_entity_finess": row.get("legal_entity_finess"), "legal_entity_name": row.get("legal_entity_name"),
        "synthetic": bool(row.get("synthetic")), "updated_at": iso(row.get("updated_at")),
        "offer_count": row.get("offer_count") or 0,
        "activity_codes": _codes(activities), "activity_labels": _labels(activities),
        **_territory(row),
    }


def professional_document(row: dict) -> dict:
    keys = ("id", "rpps", "first_name", "last_name", "profession_code", "specialty_code", "profession", "specialty",
            "function_code", "function_label", "phone", "email", "offer_id", "offer_name", "site_finess",
            "site_name", "department_code", "region_code", "location")
    return {**{k: row.get(k) for k in keys}, "synthetic": bool(row.get("synthetic"))}


DOCUMENT_ID = {"offers": "id", "sites": "finess", "professionals": "id"}
TO_DOCUMENT = {"offers": offer_document, "sites": site_document, "professionals": professional_document}
