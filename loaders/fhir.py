"""ROR FHIR R4 resources → the same graph (Organization EJ/EG, HealthcareService, Location, PractitionerRole,
Practitioner). Input: one resource, a Bundle, NDJSON, or a folder of such files.

NOS codings are mapped through their system URL to the loaded concepts; a code from a known NOS system that
is not in it rejects the resource ("code NOS inconnu"); codings of systems the ROR value sets do not carry
(e.g. J209 savoir-faire) are ignored. References to resources not in the import are kept as `*_ref`
properties; a PractitionerRole pointing to a HealthcareService not yet imported creates a `draft` stub offer
that a later import of that service completes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from graph import tombstones
from graph.driver import Graph
from graph.fhir_ids import split_practitioner_role_id
from loaders.common import LoadSummary, Reject, RowError, Timer
from loaders.finess import finess_error

FINESS_SYSTEMS = ("https://finess.esante.gouv.fr", "urn:oid:1.2.250.1.71.4.2.2")
AGE_GROUPS = (("01", 0, 0), ("02", 0, 1), ("03", 2, 11), ("04", 12, 15), ("05", 16, 21), ("06", 22, 64),
              ("10", 65, 75), ("11", 76, 200))  # J15 age classes as inclusive year ranges
ROLE_NAME_EXT = "RORPractitionerRoleName"
AGE_EXT = "ror-healthcareservice-patient-type"
DELETE = "__delete__"
# What a DELETE entry may remove: the types this importer writes, except Organization (establishments come from
# FINESS and are never deleted by an import).
DELETABLE = ("HealthcareService", "Location", "Practitioner", "PractitionerRole")


def iter_resources(path: Path) -> Iterator[tuple[str, int, dict]]:
    """(file name, line or entry number, resource) for every resource found under `path`. A Bundle (a file, or
    one NDJSON line such as those of a `$export` delta's `deleted` files) yields its entries; an entry that is a
    DELETE request yields `{"resourceType": "__delete__", "url": "Type/id"}`."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.suffix in {".json", ".ndjson"}) if path.is_dir() else [path]
    for file in files:
        if file.suffix == ".ndjson":
            with file.open(encoding="utf-8") as stream:
                for line, text in enumerate(stream, start=1):
                    if text.strip():
                        for _, resource in _expand(_json(file.name, line, text)):
                            yield file.name, line, resource
            continue
        yield from ((file.name, number, resource)
                    for number, resource in _expand(_json(file.name, 1, file.read_text(encoding="utf-8"))))


def _expand(document: dict) -> Iterator[tuple[int, dict]]:
    """(entry number, resource) of a Bundle's entries, or (1, the resource itself)."""
    if document.get("resourceType") != "Bundle":
        yield 1, document
        return
    for index, entry in enumerate(document.get("entry") or [], start=1):
        request = entry.get("request") or {}
        if str(request.get("method", "")).upper() == "DELETE":
            yield index, {"resourceType": DELETE, "url": str(request.get("url") or "")}
        else:
            yield index, entry.get("resource") or {}


def _json(name: str, line: int, text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return {"resourceType": "__invalid__", "error": f"JSON invalide : {exc.msg}"}
    return value if isinstance(value, dict) else {"resourceType": "__invalid__", "error": "objet JSON attendu"}


class ConceptMap:
    """(system URL, code) → concept key, from the concepts already in the graph."""

    def __init__(self, graph: Graph):
        rows = graph.read("MATCH (c:Concept) RETURN c.system_url AS url, c.code AS code, c.key AS key, "
                          "c.value_set AS vs")
        self.keys: dict[tuple[str, str], str] = {}
        for row in sorted(rows, key=lambda r: r["vs"] == "R213"):  # a J19 code wins over its TRE_R213 twin
            self.keys.setdefault((row["url"], row["code"]), row["key"])
        self.systems = {url for url, _ in self.keys}

    def key(self, coding: dict, field: str) -> str | None:
        system, code = coding.get("system"), coding.get("code")
        if system not in self.systems:
            return None
        key = self.keys.get((system, code))
        if key is None:
            raise RowError(field, f"{system}|{code}", "code NOS inconnu")
        return key


def _codings(concepts: list | None) -> Iterator[dict]:
    for concept in concepts or []:
        yield from concept.get("coding") or []


def _ref_id(reference: dict | None) -> str | None:
    value = (reference or {}).get("reference") or ""
    return value.rsplit("/", 1)[-1] or None


def _address(resource: dict) -> dict:
    address = resource.get("address") or {}
    address = address[0] if isinstance(address, list) and address else address
    lines = address.get("line") or [None] if isinstance(address, dict) else [None]
    return {"address_line1": lines[0], "postal_code": address.get("postalCode"), "city": address.get("city")}


def _phone(resource: dict) -> str | None:
    telecoms = list(resource.get("telecom") or [])
    for contact in resource.get("contact") or []:
        telecoms.extend(contact.get("telecom") or [])
    return next((t.get("value") for t in telecoms if t.get("system") == "phone"), None)


def _extension(resource: dict, suffix: str) -> dict | None:
    return next((e for e in resource.get("extension") or [] if (e.get("url") or "").endswith(suffix)), None)


def organization_row(res: dict, concepts: ConceptMap) -> dict:
    finess = siret = None
    for identifier in res.get("identifier") or []:
        type_codes = {c.get("code") for c in _codings([identifier.get("type") or {}])}
        system, value = identifier.get("system"), identifier.get("value") or ""
        if "1" in type_codes or system == FINESS_SYSTEMS[0] or (system == FINESS_SYSTEMS[1] and len(value) == 9):
            finess = identifier.get("value")
        elif "3" in type_codes:
            siret = identifier.get("value")
    if not finess:
        raise RowError("identifier", "", "numéro FINESS absent")
    reason = finess_error(finess)
    if reason and "clé de contrôle" not in reason:  # IG examples use illustrative numbers: check digit not enforced
        raise RowError("identifier", finess, reason)
    category = next((c for c in _codings(res.get("type")) if "TRE_R66" in (c.get("system") or "")), None)
    if category:
        concepts.key(category, "type")
    kind = "EG" if category or res.get("partOf") else "EJ"
    return {"kind": kind, "fhir_id": res.get("id"), "finess": finess, "name": res.get("name"), "siret": siret,
            "category_code": category.get("code") if category else None,
            "category_label": category.get("display") if category else None, "phone": _phone(res),
            "part_of_ref": _ref_id(res.get("partOf")), "updated": (res.get("meta") or {}).get("lastUpdated"),
            **_address(res)}


def _ages(res: dict) -> list[str]:
    ext = _extension(res, AGE_EXT)
    for sub in (ext or {}).get("extension") or []:
        if sub.get("url") == "ageRange":
            low = ((sub.get("valueRange") or {}).get("low") or {}).get("value", 0)
            high = ((sub.get("valueRange") or {}).get("high") or {}).get("value", 200)
            return [f"J15|{code}" for code, a, b in AGE_GROUPS if a <= high and b >= low]
    return []


def service_row(res: dict, concepts: ConceptMap) -> dict:
    links = []
    for field, rel_of in (("specialty", {"J17": "PROVIDES"}), ("type", {"J20": "IN_FIELD"}),
                          ("characteristic", {"J19": "MODE", "R213": "MODE", "J16": "PERFORMS", "J29": "FOR_PUBLIC",
                                              "J15": "FOR_AGE", "J20": "IN_FIELD", "J17": "PROVIDES"})):
        for coding in _codings(res.get(field)):
            key = concepts.key(coding, field)
            if key and key.split("|")[0] in rel_of:
                links.append({"rel": rel_of[key.split("|")[0]], "key": key})
    links += [{"rel": "FOR_AGE", "key": key} for key in _ages(res)]
    locations = [_ref_id(ref) for ref in res.get("location") or []]
    return {"id": res.get("id"), "name": res.get("name"), "links": links, "phone": _phone(res),
            "provided_by_ref": _ref_id(res.get("providedBy")), "location_refs": [x for x in locations if x],
            "updated": (res.get("meta") or {}).get("lastUpdated")}


def location_row(res: dict, concepts: ConceptMap) -> dict:
    commune = _extension(res, "ror-commune-cog")
    codes = [c.get("code") for c in _codings([(commune or {}).get("valueCodeableConcept") or {}])]
    position = res.get("position") or {}
    return {"id": res.get("id"), "name": res.get("name") or _address(res)["address_line1"],
            "commune_insee": codes[0] if codes else None, "lat": position.get("latitude"),
            "lon": position.get("longitude"), "updated": (res.get("meta") or {}).get("lastUpdated"), **_address(res)}


def practitioner_row(res: dict, concepts: ConceptMap) -> dict:
    name = (res.get("name") or [{}])[0]
    identifier = next((i.get("value") for i in res.get("identifier") or [] if i.get("value")), None)
    return {"fhir_id": res.get("id"), "rpps": identifier or f"FHIR-{res.get('id')}",
            "first_name": (name.get("given") or [None])[0], "last_name": name.get("family")}


def role_row(res: dict, concepts: ConceptMap) -> dict:
    names = {e.get("url"): e.get("valueString") for e in (_extension(res, ROLE_NAME_EXT) or {}).get("extension", [])}
    profession = specialty = None
    for coding in _codings(res.get("code")):
        key = concepts.key(coding, "code")
        profession = profession or (key if key and key.startswith("J186|") else None)
    for coding in _codings(res.get("specialty")):
        key = concepts.key(coding, "specialty")
        specialty = specialty or (key if key and key.startswith("J210|") else None)
    identifier = next((i.get("value") for i in res.get("identifier") or [] if i.get("value")), None)
    services = [_ref_id(ref) for ref in res.get("healthcareService") or []]
    return {"fhir_id": res.get("id"), "rpps": identifier or f"FHIR-{res.get('id')}",
            "practitioner_ref": _ref_id(res.get("practitioner")), "first_name": names.get("exerciseFirstName"),
            "last_name": names.get("exerciseLastName"), "profession_key": profession, "specialty_key": specialty,
            "profession_code": profession.rsplit("|", 1)[-1] if profession else None,
            "specialty_code": specialty.rsplit("|", 1)[-1] if specialty else None,
            "offers": [s for s in services if s], "phone": _phone(res)}


MAPPERS = {"Organization": (organization_row, "organizations"), "HealthcareService": (service_row, "services"),
           "Location": (location_row, "locations"), "Practitioner": (practitioner_row, "practitioners"),
           "PractitionerRole": (role_row, "roles")}
WRITE_ORDER = ("organizations", "locations", "services", "practitioners", "roles")


def load_fhir(graph: Graph, path: Path, *, progress: bool = False) -> LoadSummary:
    """Import ROR FHIR resources (written in dependency order, one transaction per kind)."""
    summary, timer = LoadSummary(f"FHIR ({Path(path).name})"), Timer()
    concepts = ConceptMap(graph)
    rows: dict[str, list[dict]] = {name: [] for name in WRITE_ORDER}
    seen: set[tuple[str, str]] = set()
    deletes: list[dict] = []
    for file, line, res in iter_resources(path):
        summary.rows_read += 1
        kind = res.get("resourceType")
        if kind == "__invalid__":
            summary.rejects.append(Reject(file, line, "*", "", res["error"]))
            continue
        if kind == DELETE:
            try:
                deletes.append(delete_row(res["url"]))
            except RowError as exc:
                summary.rejects.append(Reject(file, line, exc.field, exc.value, exc.reason))
                continue
            summary.rows_loaded += 1
            continue
        if kind not in MAPPERS:
            summary.rejects.append(Reject(file, line, "resourceType", str(kind),
                                          "type de ressource non pris en charge"))
            continue
        if not res.get("id") or (kind, res["id"]) in seen:
            reason = "identifiant en double" if res.get("id") else "identifiant de ressource absent"
            summary.rejects.append(Reject(file, line, "id", res.get("id") or "", reason))
            continue
        mapper, bucket = MAPPERS[kind]
        try:
            rows[bucket].append(mapper(res, concepts))
        except RowError as exc:
            summary.rejects.append(Reject(file, line, exc.field, exc.value, exc.reason))
            continue
        seen.add((kind, res["id"]))
        summary.rows_loaded += 1
    _resolve_references(rows)
    for bucket in WRITE_ORDER:
        if rows[bucket]:
            summary.add_counters(graph.write_batches(f"write/fhir_{bucket}", rows[bucket]))
    tombstones.purge_recreated(graph)  # resources deleted earlier and imported again are no longer deleted
    if deletes:
        counters = graph.write_named("write/fhir_delete", rows=deletes, deleted_by=f"import FHIR ({Path(path).name})",
                                     reason="supprimée dans la source FHIR importée").counters
        summary.counts["suppressions demandées"] = len(deletes)
        summary.counts["nœuds supprimés"] = counters.nodes_deleted
        summary.counts["relations supprimées"] = counters.relationships_deleted
    summary.seconds = timer.seconds
    return summary


def delete_row(url: str) -> dict:
    """A DELETE entry's `Type/id` → the row of write/fhir_delete, or a RowError naming what is wrong."""
    kind, _, rid = url.strip().strip("/").rpartition("/")
    kind = kind.rsplit("/", 1)[-1]  # an absolute URL ends with Type/id too
    if kind not in MAPPERS:
        raise RowError("request.url", url, "suppression : type de ressource non pris en charge (Type/id attendu)")
    if kind not in DELETABLE:
        raise RowError("request.url", url, "suppression d'une Organization refusée : les établissements viennent "
                                           "du FINESS et ne sont pas supprimés par un import")
    if not rid:
        raise RowError("request.url", url, "suppression : identifiant de ressource absent")
    row = {"type": kind, "id": rid, "rpps": None, "offer_id": None}
    if kind == "PractitionerRole":
        split = split_practitioner_role_id(rid)
        if split is None:
            raise RowError("request.url", url, "suppression : identifiant de PractitionerRole attendu sous la "
                                               "forme <RPPS>.<identifiant de l'offre>")
        row["rpps"], row["offer_id"] = split
    return row


def _resolve_references(rows: dict[str, list[dict]]) -> None:
    """Point references at graph keys when the referenced resource is part of the same import."""
    finess_of = {r["fhir_id"]: r["finess"] for r in rows["organizations"]}
    for org in rows["organizations"]:
        org["legal_finess"] = finess_of.get(org["part_of_ref"]) if org["kind"] == "EG" else None
    for service in rows["services"]:
        service["site_finess"] = finess_of.get(service["provided_by_ref"])
    people = {p["fhir_id"]: p for p in rows["practitioners"]}
    for role in rows["roles"]:
        person = people.get(role["practitioner_ref"])
        if person:  # the Practitioner's own identifier (RPPS) wins over the role's
            role["rpps"] = person["rpps"]
            role["first_name"] = role["first_name"] or person["first_name"]
            role["last_name"] = role["last_name"] or person["last_name"]
