"""The search parameters each resource type supports: FHIR name → (type, Cypher parameter, parser).

This table is the single source for the search engine, the CapabilityStatement and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fhir_api import codes, params
from fhir_api.params import Param

Parser = Callable[[Param], dict]

COMMON_DOC = {
    "_id": "Identifiant logique de la ressource",
    "_lastUpdated": "Date de la dernière mise à jour (préfixes eq, ne, gt, ge, lt, le, sa, eb)",
    "_tag": "Code de la région de la source de la donnée",
    "_content": "Recherche plein texte dans le contenu (index de recherche)",
    "_has": "Chaînage inverse (_has:Type:référence:paramètre)",
}


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR search parameter type
    target: str | None  # Cypher parameter receiving the groups (None: handled by the engine)
    parse: Parser | None
    doc: str
    reference_to: str | None = None  # for reference parameters: the target resource type


def _token(name, target, doc):
    return SearchParam(name, "token", target, params.token_group, doc)


def _string(name, target, doc):
    return SearchParam(name, "string", target, params.string_group, doc)


def _reference(name, target, to, doc):
    return SearchParam(name, "reference", target, lambda p: params.reference_group(p, to), doc, reference_to=to)


def _date(name, target, doc):
    return SearchParam(name, "date", target, params.date_group, doc)


COMMON = [
    SearchParam("_id", "token", "ids", None, COMMON_DOC["_id"]),
    _date("_lastUpdated", "last_updated", COMMON_DOC["_lastUpdated"]),
    _token("_tag", "tag", COMMON_DOC["_tag"]),
    SearchParam("_content", "string", None, None, COMMON_DOC["_content"]),
    SearchParam("_has", "special", None, None, COMMON_DOC["_has"]),
]
NO_CONTENT = [p for p in COMMON if p.name != "_content"]

PARAMS: dict[str, list[SearchParam]] = {
    "HealthcareService": COMMON + [
        _token("specialty", "specialty", "Activité opérationnelle (TRE_R211)"),
        _token("characteristic", "characteristic", "Mode de prise en charge (TRE_R213) ou acte spécifique (TRE_R210)"),
        _token("service-type", "service_type", "Champ d'activité (TRE_R227)"),
        _token("service-category", "service_category", "Famille d'activité opérationnelle (JDV_J51)"),
        _token("patient-type", "patient_type", "Public pris en charge (TRE_R239)"),
        _token("identifier", "identifier", "Identifiant de l'offre"),
        _token("active", "active", "Offre publiée (true) ou non (false)"),
        _string("name", "name", "Nom de l'offre"),
        SearchParam("age-range-low", "quantity", "age_low", params.age_quantity_group,
                    "Âge minimum de la patientèle (années)"),
        SearchParam("age-range-high", "quantity", "age_high", params.age_quantity_group,
                    "Âge maximum de la patientèle (années)"),
        _reference("location", "location", "Location", "Lieu de réalisation de l'offre"),
        _reference("organization", "organization", "Organization", "Entité géographique ou juridique"),
    ],
    "Location": COMMON + [
        _token("identifier", "identifier", "Identifiant du lieu"),
        _string("name", "name", "Nom du lieu"),
        _string("address-postalcode", "postal_code", "Code postal"),
        _string("address-city", "city", "Localité"),
        _token("commune-cog", "commune_cog", "Code officiel géographique de la commune"),
        _token("equipment-type", "equipment_type", "Type d'équipement (TRE_R212)"),
        _token("capacity-status", "capacity_status", "Statut de la capacité (JDV_J188, TRE_R330)"),
        _token("gender-capacity-available", "gender_capacity", "Genre de la capacité disponible (JDV_J190, TRE_R332)"),
        SearchParam("nb-capacity", "number", "nb_capacity", params.number_group, "Nombre de lits ou places"),
        _date("capacity-update-date", "capacity_update", "Date de mise à jour de la capacité"),
        _reference("organization", "organization", "Organization", "Entité gestionnaire"),
        SearchParam("near", "special", None, None, "Lieux proches : latitude|longitude|distance|unité"),
        SearchParam("near-insee-code", "special", None, None,
                    "Lieux proches du centre d'une commune : code INSEE[|distance|unité]"),
    ],
    "Organization": COMMON + [
        _token("identifier", "identifier", "FINESS, SIRET ou SIREN"),
        _token("type", "type", "Catégorie d'établissement (TRE_R66) ou statut juridique (TRE_R72)"),
        _string("name", "name", "Raison sociale"),
        _reference("partof", "partof", "Organization", "Entité juridique de rattachement"),
    ],
    "PractitionerRole": NO_CONTENT + [
        _token("identifier", "identifier", "RPPS du professionnel"),
        _reference("service", "service", "HealthcareService", "Offre dans laquelle le professionnel exerce"),
        _reference("practitioner", "practitioner", "Practitioner", "Professionnel"),
        _reference("organization", "organization", "Organization", "Entité géographique"),
        _token("role", "role", "Fonction (TRE_R251) ou profession"),
        _token("specialty", "specialty", "Spécialité ordinale (TRE_R38)"),
    ],
    "Practitioner": NO_CONTENT + [
        _token("identifier", "identifier", "RPPS"),
        _string("name", "name", "Nom ou prénom"),
        _string("family", "family", "Nom d'exercice"),
        _string("given", "given", "Prénom"),
    ],
}

BY_NAME: dict[str, dict[str, SearchParam]] = {t: {p.name: p for p in ps} for t, ps in PARAMS.items()}

# Cypher filter parameters of each search query (all start as empty lists = no filter).
FILTERS: dict[str, list[str]] = {t: sorted({p.target for p in ps if p.target}) for t, ps in PARAMS.items()}

# _include / _revinclude pairs (those of the national server, plus the reverse of each reference we expose).
INCLUDES: dict[str, tuple[str, str, str]] = {
    # "Source:param": (source type, JSON element holding the reference(s), target type)
    "HealthcareService:organization": ("HealthcareService", "providedBy", "Organization"),
    "HealthcareService:location": ("HealthcareService", "location", "Location"),
    "Organization:partof": ("Organization", "partOf", "Organization"),
    "PractitionerRole:practitioner": ("PractitionerRole", "practitioner", "Practitioner"),
    "PractitionerRole:service": ("PractitionerRole", "healthcareService", "HealthcareService"),
    "PractitionerRole:organization": ("PractitionerRole", "organization", "Organization"),
    "Location:organization": ("Location", "managingOrganization", "Organization"),
}
REVINCLUDES: dict[str, list[str]] = {
    "HealthcareService": ["PractitionerRole:service"],
    "Location": ["HealthcareService:location"],
    "Organization": ["HealthcareService:organization", "Organization:partof"],
    "Practitioner": ["PractitionerRole:practitioner"],
    "PractitionerRole": [],
}

CONSTANTS = {
    "region_system": codes.SYSTEM_REGION, "offer_system": codes.SYSTEM_OFFER, "place_system": codes.SYSTEM_PLACE,
    "commune_system": codes.SYSTEM_COMMUNE, "capacity_status_system": codes.SYSTEM_CAPACITY_STATUS,
    "capacity_gender_system": codes.SYSTEM_CAPACITY_GENDER,
    "rpps_system": codes.SYSTEM_RPPS,
}

# Organization identifier/type tokens are compared to one node property chosen by the token's system.
ORG_IDENTIFIER_PROPS = {codes.SYSTEM_FINESS: ["finess"], codes.SYSTEM_SIRET: ["siret"], codes.SYSTEM_SIREN: ["siren"],
                        None: ["finess", "siret", "siren"]}
ORG_TYPE_PROPS = {codes.SYSTEM_SITE_CATEGORY: ["category_code"], codes.SYSTEM_LEGAL_STATUS: ["legal_status"],
                  None: ["category_code", "legal_status"]}


def resolve_props(group: dict, table: dict) -> dict:
    """Tokens → [{prop, code}] for a system-dependent property (unknown system: matches nothing)."""
    values = []
    for t in group["values"]:
        for prop in table.get(t["system"], []):
            if t["code"] is not None:
                values.append({"prop": prop, "code": t["code"]})
    return {"negate": group["negate"], "values": values}
