"""Search values read from a rendered FHIR resource (the JSON a client receives), per search parameter.

The search index holds what these functions return, so a search matches the resources as they are served.
Tokens come back as `(system, code)` pairs, identifiers also with their type codings (`:of-type`), quantities
as numbers, dates as ISO strings, references as logical ids of the target type.
"""

from __future__ import annotations

from fhir_api import codes

Token = tuple[str | None, str]


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def codings(concepts) -> list[Token]:
    """The (system, code) pairs of CodeableConcepts (one or a list)."""
    out = []
    for cc in as_list(concepts):
        for coding in (cc or {}).get("coding") or []:
            if coding.get("code") is not None:
                out.append((coding.get("system"), str(coding["code"])))
    return out


def extensions(element: dict | None, url: str) -> list[dict]:
    return [e for e in (element or {}).get("extension") or [] if e.get("url") == url]


def sub(extension: dict, url: str) -> list[dict]:
    return extensions(extension, url)


def first_value(extension: dict, url: str, kind: str):
    for part in sub(extension, url):
        if kind in part:
            return part[kind]
    return None


def identifiers(resource: dict) -> list[dict]:
    """Identifier tokens: (system, value) plus the identifier's type codings, for `:of-type`."""
    out = []
    for ident in resource.get("identifier") or []:
        if ident.get("value") is None:
            continue
        out.append({"system": ident.get("system"), "value": str(ident["value"]),
                    "types": codings(ident.get("type"))})
    return out


def references(value, target: str) -> list[str]:
    prefix = f"{target}/"
    return [ref["reference"][len(prefix):] for ref in as_list(value)
            if isinstance(ref, dict) and str(ref.get("reference", "")).startswith(prefix)]


def tags(resource: dict) -> list[Token]:
    return [(t.get("system"), t["code"]) for t in (resource.get("meta") or {}).get("tag") or [] if t.get("code")]


def last_updated(resource: dict) -> list[str]:
    value = (resource.get("meta") or {}).get("lastUpdated")
    return [value] if value else []


def strings(*values) -> list[str]:
    return [str(v) for v in values if v not in (None, "")]


def text(resource: dict) -> str:
    """The words a person reads in the resource (names, displays, address, free text) for `_content`; the
    capacity figures' codings (the same nine labels on every place) are left out."""
    words: list[str] = []
    kept = [e for e in resource.get("extension") or [] if e.get("url") != codes.EXT_SUPPORTED_CAPACITY]
    _collect({**resource, "extension": kept}, words)
    return " ".join(words)


_TEXT_KEYS = {"name", "display", "text", "city", "line", "family", "given", "valueString", "description",
              "availabilityExceptions", "comment", "alias"}


def _collect(node, words: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _TEXT_KEYS and isinstance(value, str | list):
                words.extend(v for v in as_list(value) if isinstance(v, str))
            if isinstance(value, dict | list):
                _collect(value, words)
    elif isinstance(node, list):
        for item in node:
            _collect(item, words)


# --- HealthcareService -----------------------------------------------------------------------------------

def patient_type(resource: dict) -> list[dict]:
    return [part for ext in extensions(resource, codes.EXT_PATIENT_TYPE) for part in ext.get("extension") or []]


def supported_patients(resource: dict) -> list[Token]:
    return [c for part in patient_type(resource) if part.get("url") == "supportedPatientInfo"
            for c in codings(part.get("valueCodeableConcept"))]


def age_bound(resource: dict, bound: str) -> list[float]:
    return [float(part["valueRange"][bound]["value"]) for part in patient_type(resource)
            if part.get("url") == "ageRange" and (part.get("valueRange") or {}).get(bound, {}).get("value") is not None]


def extension_codings(resource: dict, url: str) -> list[Token]:
    return [c for ext in extensions(resource, url) for c in codings(ext.get("valueCodeableConcept"))]


def extension_strings(resource: dict, url: str) -> list[str]:
    return [ext["valueString"] for ext in extensions(resource, url) if ext.get("valueString")]


def not_available_periods(resource: dict) -> list[dict]:
    """`notAvailable.during` periods as {start, end} (either may be open)."""
    out = []
    for item in resource.get("notAvailable") or []:
        during = item.get("during") or {}
        if during.get("start") or during.get("end"):
            out.append({"start": during.get("start"), "end": during.get("end")})
    return out


# --- Location --------------------------------------------------------------------------------------------

CAPACITY_PARTS = {  # search parameter → sub-extension of ror-location-supported-capacity
    "capacity-type": "capacityType", "capacity-status": "capacityStatus",
    "temporality-capacity": "temporalityCapacity", "gender-capacity-available": "genderCapacityAvailable",
    "capacity-closing-type": "capacityClosingType", "additional-bed-type": "additionalBedType",
    "crisis-type": "crisisType", "temporary-assignement": "temporaryAssignment",
}


def capacities(resource: dict) -> list[dict]:
    """One item per capacity figure: its codings, `nb-capacity` and `capacity-update-date`."""
    out = []
    for ext in extensions(resource, codes.EXT_SUPPORTED_CAPACITY):
        parts: dict[str, list[dict]] = {}  # url → sub-extensions, read once (a place has many figures)
        for part in ext.get("extension") or []:
            parts.setdefault(part.get("url"), []).append(part)

        def value(url: str, kind: str, parts=parts):
            return next((p[kind] for p in parts.get(url, ()) if kind in p), None)

        item: dict = {param: codings(value(part, "valueCodeableConcept")) for param, part in CAPACITY_PARTS.items()}
        number = value("nbCapacity", "valueInteger")
        item["nb-capacity"] = [float(number)] if number is not None else []
        updated = value("capacityUpdateDate", "valueDateTime")
        item["capacity-update-date"] = [updated] if updated else []
        out.append(item)
    return out


def equipments(resource: dict) -> list[dict]:
    """One item per equipment: its type, and its limit features with their values (`limit-value`)."""
    out = []
    for ext in extensions(resource, codes.EXT_EQUIPMENT):
        features, limits = [], []
        for limit in sub(ext, "equipmentLimit"):
            features.extend(codings(first_value(limit, "limitType", "valueCodeableConcept")))
            quantity = first_value(limit, "limitValue", "valueQuantity") or {}
            if quantity.get("value") is not None:
                limits.append(float(quantity["value"]))
        out.append({"equipment-type": codings(first_value(ext, "equipmentType", "valueCodeableConcept")),
                    "equipment-feature": features, "limit-value": limits})
    return out


def residences(resource: dict) -> list[dict]:
    out = []
    for ext in extensions(resource, codes.EXT_RESIDENTIAL_CAPACITY):
        number = first_value(ext, "residentialNumber", "valueInteger")
        out.append({"residential-type": codings(first_value(ext, "residentialType", "valueCodeableConcept")),
                    "residential-number": [float(number)] if number is not None else []})
    return out


def position(resource: dict) -> list[dict]:
    pos = resource.get("position") or {}
    if pos.get("latitude") is None or pos.get("longitude") is None:
        return []
    return [{"lat": float(pos["latitude"]), "lon": float(pos["longitude"])}]


def address(resource: dict) -> list[dict]:
    return [a for a in as_list(resource.get("address")) if isinstance(a, dict)]


def postal_codes(resource: dict) -> list[str]:
    return strings(*(a.get("postalCode") for a in address(resource)))


def cities(resource: dict) -> list[str]:
    return strings(*(a.get("city") for a in address(resource)))


def names(resource: dict) -> list[str]:
    """`name` of a HealthcareService, Location or Organization (and Organization aliases)."""
    return strings(resource.get("name"), *(resource.get("alias") or []))


def human_names(resource: dict, part: str | None = None) -> list[str]:
    out: list[str] = []
    for name in resource.get("name") or []:
        if part in (None, "family"):
            out.extend(strings(name.get("family")))
        if part in (None, "given"):
            out.extend(strings(*(name.get("given") or [])))
    return out
