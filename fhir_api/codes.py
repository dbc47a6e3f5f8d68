"""Canonical URLs, identifier systems and local code tables of the FHIR facade (one place, no magic strings).

NOS codes carry the `system_url` stored on their `Concept` node (from the bundled nomenclature). The capacity
value sets of the ROR (JDV_J187 … J195) are not in the bundled NOS extract, so capacity codings use the
provisional local codes of `CAPACITY_FIELDS` under `CAPACITY_CODE_SYSTEM` (documented in docs/fhir.md).
"""

from __future__ import annotations

ROR_SD = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
NOS = "https://mos.esante.gouv.fr/NOS/"

PROFILE = {
    "Organization": ROR_SD + "ror-organization",
    "HealthcareService": ROR_SD + "ror-healthcareservice",
    "Location": ROR_SD + "ror-location",
    "PractitionerRole": ROR_SD + "ror-practitionerrole",
    "Practitioner": ROR_SD + "ror-practitioner",
}

EXT_PATIENT_TYPE = ROR_SD + "ror-healthcareservice-patient-type"
EXT_ACT_TYPE = ROR_SD + "ror-act-type"
EXT_COMMUNE_COG = ROR_SD + "ror-commune-cog"
EXT_SUPPORTED_CAPACITY = ROR_SD + "ror-location-supported-capacity"
EXT_EQUIPMENT = ROR_SD + "ror-location-equipement"
EXT_PRACTITIONER_ROLE_NAME = ROR_SD + "RORPractitionerRoleName"
EXT_ADDRESS_INSEE = "http://www.interopsante.org/fhir/structuredefinition/datatype/fr-address-insee-code"
EXT_LOCATION_DISTANCE = "http://hl7.org/fhir/StructureDefinition/location-distance"

# Identifier systems (FINESS, SIRET, SIREN, RPPS as in the ROR examples; offers and places are local ids).
SYSTEM_FINESS = "https://finess.esante.gouv.fr"
SYSTEM_SIRET = "https://sirene.fr"
SYSTEM_SIREN = "https://sirene.fr/siren"
SYSTEM_RPPS = "urn:oid:1.2.250.1.71.4.2.1"
SYSTEM_OFFER = "https://ror-graph.fr/fhir/sid/offre"
SYSTEM_PLACE = "https://ror-graph.fr/fhir/sid/lieu"
SYSTEM_IDENTIFIER_TYPE = NOS + "TRE_G07-TypeIdentifiantStructure/FHIR/TRE-G07-TypeIdentifiantStructure"

SYSTEM_REGION = NOS + "TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
SYSTEM_COMMUNE = NOS + "TRE_R13-Commune/FHIR/TRE-R13-Commune"
SYSTEM_SITE_CATEGORY = NOS + "TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
SYSTEM_LEGAL_STATUS = NOS + "TRE_R72-FinessStatutJuridique/FHIR/TRE-R72-FinessStatutJuridique"
SYSTEM_PROFESSION = NOS + "TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
SYSTEM_SPECIALTY = NOS + "TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
SYSTEM_CONTACT_FUNCTION = NOS + "TRE_R251-FonctionContact/FHIR/TRE-R251-FonctionContact"
SYSTEM_PROVENANCE = "https://ror-graph.fr/fhir/CodeSystem/provenance"
SYSTEM_UCUM = "http://unitsofmeasure.org"

CAPACITY_CODE_SYSTEM = "https://ror-graph.fr/fhir/CodeSystem/capacite"

# One row per capacity figure of a CapacitySnapshot: the graph property and the codes it is published under.
# Shared by the mapper (extensions) and the Location search (passed to Cypher as $capacity_fields).
CAPACITY_FIELDS: list[dict] = [
    {"field": "installed", "status": "installed", "gender": None, "temporality": "current"},
    {"field": "available_men", "status": "available", "gender": "men", "temporality": "current"},
    {"field": "available_women", "status": "available", "gender": "women", "temporality": "current"},
    {"field": "available_undifferentiated", "status": "available", "gender": "undifferentiated",
     "temporality": "current"},
    {"field": "available_total", "status": "available", "gender": None, "temporality": "current"},
    {"field": "forecast_d", "status": "available", "gender": None, "temporality": "forecast-d"},
    {"field": "forecast_d1", "status": "available", "gender": None, "temporality": "forecast-d1"},
    {"field": "closed_reopenable", "status": "closed-reopenable", "gender": None, "temporality": "current"},
    {"field": "extra_beds", "status": "additional", "gender": None, "temporality": "current"},
]

CAPACITY_LABELS = {
    "installed": "Installée", "available": "Disponible", "closed-reopenable": "Fermée réouvrable",
    "additional": "Supplémentaire", "men": "Hommes", "women": "Femmes", "undifferentiated": "Indifférencié",
    "current": "Actuelle", "forecast-d": "Prévision J", "forecast-d1": "Prévision J+1",
}

# Age bounds in years of the ROR age groups (JDV_J15 / TRE_R208), from their labels; high is inclusive.
AGE_GROUP_BOUNDS: dict[str, list[int]] = {
    "01": [0, 0], "02": [0, 1], "03": [2, 11], "04": [12, 15], "05": [16, 21],
    "06": [22, 64], "10": [65, 75], "11": [76, 120],
}
