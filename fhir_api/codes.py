"""Canonical URLs, identifier systems and local code tables of the FHIR facade (one place, no magic strings).

NOS codes carry the `system_url` stored on their `Concept` node (from the bundled nomenclature). Capacity
codings use the ROR capacity value sets (JDV_J187 … J194, see `CAPACITY_FIELDS`).
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
EXT_INTERVENTION_ZONE = ROR_SD + "ror-territorial-division"  # HealthcareService: communes of its zone (TRE_R13)
EXT_PSYCHIATRIC_SECTOR = ROR_SD + "ror-healthcareservice-psychiatric-sector"
EXT_RESIDENTIAL_CAPACITY = ROR_SD + "ror-location-residential-capacity"

# Identifier systems (FINESS, SIRET, SIREN, RPPS as in the ROR examples; offers and places are local ids).
SYSTEM_FINESS = "https://finess.esante.gouv.fr"
SYSTEM_SIRET = "https://sirene.fr"
SYSTEM_SIREN = "https://sirene.fr/siren"
SYSTEM_RPPS = "urn:oid:1.2.250.1.71.4.2.1"
SYSTEM_OFFER = "https://ror-graph.fr/fhir/sid/offre"
SYSTEM_PLACE = "https://ror-graph.fr/fhir/sid/lieu"
SYSTEM_IDENTIFIER_TYPE = NOS + "TRE_G07-TypeIdentifiantStructure/FHIR/TRE-G07-TypeIdentifiantStructure"
SYSTEM_PLACE_IDENTIFIER_TYPE = NOS + "JDV_J236-TypologieIdentifiantLieu-ROR/FHIR/JDV-J236-TypologieIdentifiantLieu-ROR"
SYSTEM_PLACE_FUNCTION = NOS + "TRE_R343-FonctionLieu/FHIR/TRE-R343-FonctionLieu"
SYSTEM_EQUIPMENT_FEATURE = NOS + "TRE_R340-TypeCaracteristiqueEquipement/FHIR/TRE-R340-TypeCaracteristiqueEquipement"
EQUIPMENT_FEATURES = {"001": "Poids maximal"}
# Functions of a place (TRE_R343, the codes the ROR documentation and IG examples use).
PLACE_FUNCTIONS = {"001": "Hébergement", "002": "Consultation"}

SYSTEM_REGION = NOS + "TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
SYSTEM_ACTIVITY = NOS + "TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"  # JDV_J17
SYSTEM_COMMUNE = NOS + "TRE_R13-Commune/FHIR/TRE-R13-Commune"
SYSTEM_SITE_CATEGORY = NOS + "TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
SYSTEM_LEGAL_STATUS = NOS + "TRE_R72-FinessStatutJuridique/FHIR/TRE-R72-FinessStatutJuridique"
SYSTEM_PROFESSION = NOS + "TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
SYSTEM_SPECIALTY = NOS + "TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
SYSTEM_CONTACT_FUNCTION = NOS + "TRE_R251-FonctionContact/FHIR/TRE-R251-FonctionContact"
SYSTEM_PROVENANCE = "https://ror-graph.fr/fhir/CodeSystem/provenance"
SYSTEM_UCUM = "http://unitsofmeasure.org"

# Capacity codings: the ROR value sets JDV_J187 … J194 (NOS code systems TRE_R329 … R336, as the ROR IG's own
# Location example codes them); the value sets: data/nos/ror_capacity_value_sets.csv (data/PROVENANCE.md).
SYSTEM_CAPACITY_TYPE = NOS + "TRE_R329-NatureCapacite/FHIR/TRE-R329-NatureCapacite"  # JDV_J187
SYSTEM_CAPACITY_STATUS = NOS + "TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite"  # JDV_J188
SYSTEM_CAPACITY_TEMPORALITY = NOS + "TRE_R331-TemporaliteCapacite/FHIR/TRE-R331-TemporaliteCapacite"  # JDV_J189
SYSTEM_CAPACITY_GENDER = NOS + "TRE_R332-GenreCapacite/FHIR/TRE-R332-GenreCapacite"  # JDV_J190
SYSTEM_CAPACITY_CLOSING = NOS + "TRE_R333-TypeFermetureCapacite/FHIR/TRE-R333-TypeFermetureCapacite"  # JDV_J191
SYSTEM_ADDITIONAL_BED = NOS + "TRE_R334-TypeLitSupplementaire/FHIR/TRE-R334-TypeLitSupplementaire"  # JDV_J192
SYSTEM_CRISIS_TYPE = NOS + "TRE_R336-TypeCrise/FHIR/TRE-R336-TypeCrise"  # JDV_J194
# The capacity form's crisis types (capacity/validation.py) are finer than JDV_J194: they travel as a second,
# local coding next to the NOS one (when there is one), so a PATCH gives back exactly what was published.
SYSTEM_LOCAL_CRISIS_TYPE = "https://ror-graph.fr/fhir/CodeSystem/type-crise"
CRISIS_TO_NOS = {"plan_blanc": "02", "sse": "02"}

CAPACITY_LABELS = {  # (system, code) → display, from the value sets
    (SYSTEM_CAPACITY_TYPE, "01"): "Lit",
    (SYSTEM_CAPACITY_STATUS, "01"): "Installé", (SYSTEM_CAPACITY_STATUS, "02"): "Disponible",
    (SYSTEM_CAPACITY_STATUS, "05"): "Fermé", (SYSTEM_CAPACITY_STATUS, "06"): "Supplémentaire",
    (SYSTEM_CAPACITY_TEMPORALITY, "01"): "Courant", (SYSTEM_CAPACITY_TEMPORALITY, "03"): "Prévisionnel 24 heures",
    (SYSTEM_CAPACITY_TEMPORALITY, "04"): "Prévisionnel 48 heures",
    (SYSTEM_CAPACITY_GENDER, "01"): "Femme", (SYSTEM_CAPACITY_GENDER, "02"): "Homme",
    (SYSTEM_CAPACITY_GENDER, "04"): "Indéterminé",
    (SYSTEM_CAPACITY_CLOSING, "01"): "Réactivable", (SYSTEM_ADDITIONAL_BED, "01"): "Mobilisé",
    (SYSTEM_CRISIS_TYPE, "01"): "PMIE 1",
    (SYSTEM_CRISIS_TYPE, "02"): "Situation sanitaire Exceptionnelle (SSE) (Plan blanc)",
}
CAPACITY_TYPE_BED = "01"  # every figure of a CapacitySnapshot counts beds (TRE_R329 01 « Lit »)

# One row per capacity figure of a CapacitySnapshot: the graph property and the codes it is published under
# (status J188, gender J190, temporality J189; closed beds carry closing type J191 « Réactivable », extra beds
# additional-bed type J192 « Mobilisé »). « Prévision J » / « J+1 » of the form are published as the J189
# forecasts at 24 h / 48 h, the closest codes of the value set. Shared by the mapper, the Location search
# (passed to Cypher as $capacity_fields) and the PATCH reader.
CAPACITY_FIELDS: list[dict] = [
    {"field": "installed", "status": "01", "gender": None, "temporality": "01"},
    {"field": "available_men", "status": "02", "gender": "02", "temporality": "01"},
    {"field": "available_women", "status": "02", "gender": "01", "temporality": "01"},
    {"field": "available_undifferentiated", "status": "02", "gender": "04", "temporality": "01"},
    {"field": "available_total", "status": "02", "gender": None, "temporality": "01"},
    {"field": "forecast_d", "status": "02", "gender": None, "temporality": "03"},
    {"field": "forecast_d1", "status": "02", "gender": None, "temporality": "04"},
    {"field": "closed_reopenable", "status": "05", "gender": None, "temporality": "01", "closing": "01"},
    {"field": "extra_beds", "status": "06", "gender": None, "temporality": "01", "additional": "01"},
]
# Gender codes read back by PATCH: TRE_R332 03 « Indifférencié » (used by the ROR IG's Location example, no
# longer in JDV_J190) is taken as 04.
GENDER_ALIASES = {"03": "04"}

# Age bounds in years of the ROR age groups (JDV_J15 / TRE_R208), from their labels; high is inclusive.
AGE_GROUP_BOUNDS: dict[str, list[int]] = {
    "01": [0, 0], "02": [0, 1], "03": [2, 11], "04": [12, 15], "05": [16, 21],
    "06": [22, 64], "10": [65, 75], "11": [76, 120],
}


# Systems a client may write otherwise: the documentation's commune system (TRE_R13-CommuneOM) for ours, and the
# NOS URL whose last segment is misspelt with an underscore (…/FHIR/TRE_R66-… for …/FHIR/TRE-R66-…).
SYSTEM_ALIASES = {NOS + "TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM": SYSTEM_COMMUNE}


def canonical_system(system: str) -> str:
    """The system a search token means (see SYSTEM_ALIASES)."""
    if system.startswith(NOS) and "/FHIR/" in system:
        head, _, last = system.partition("/FHIR/")
        if last[:4] in ("TRE_", "JDV_"):
            system = f"{head}/FHIR/{last[:3]}-{last[4:]}"
    return SYSTEM_ALIASES.get(system, system)
