"""The search parameters of each resource type, declared once: name, FHIR type, how its values are read from the
rendered resource (`fhir_api.extract`), its group and its target.

This table is the single source of the index documents and mapping (`fhir_api.index`), of the query compiler
(`fhir_api.query`), of `GET /fhir/metadata` (`fhir_api.capability`) and of the tests. Parameters of a *group*
(a Location's capacity figures, its equipment) are stored as one nested item per figure: those combined with
`and` must hold for the same figure. A chain `ref.param` (`location.address-postalcode`) reads the target's
parameters copied into the source document (`CHAINS`); `ref.param:above` (`organization.type:above`) also
reads the target's parents (an EG's EJ).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fhir_api import codes, tariffs
from fhir_api import extract as x

Extract = Callable[[dict], list]


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # FHIR search parameter type: token string date number quantity reference special
    doc: str
    extract: Extract | None = None  # rendered resource → values (None: the engine handles it)
    group: str | None = None  # nested group of the document (one item per capacity figure, equipment…)
    target: str | None = None  # reference parameters: the target resource type
    modifiers: tuple[str, ...] = ()  # modifiers accepted besides those of the type
    period: bool = False  # date parameters whose values are periods
    unit: tuple[str, ...] = ()  # quantity parameters: accepted UCUM units (empty: any)
    choices: tuple[str, ...] = ()  # token parameters with a closed set of codes (active: true/false)
    minimum: float = 0.0  # number and quantity parameters: every ROR figure is a count, an age, a mass…

    @property
    def field(self) -> str:
        """Its field in the index documents (`_lastUpdated` → `meta-lastUpdated`)."""
        return "meta-" + self.name[1:] if self.name.startswith("_") else self.name


TYPE_MODIFIERS = {"token": ("not",), "string": ("contains", "exact"), "reference": (), "date": (), "number": (),
                  "quantity": (), "special": ()}


def token(name, extract, doc, **kw) -> SearchParam:
    return SearchParam(name, "token", doc, extract, **kw)


def string(name, extract, doc, **kw) -> SearchParam:
    return SearchParam(name, "string", doc, extract, **kw)


def reference(name, element: str, target: str, doc: str) -> SearchParam:
    return SearchParam(name, "reference", doc, lambda r: x.references(r.get(element), target), target=target)


def date(name, extract, doc, **kw) -> SearchParam:
    return SearchParam(name, "date", doc, extract, **kw)


def number(name, extract, doc, **kw) -> SearchParam:
    return SearchParam(name, "number", doc, extract, **kw)


def quantity(name, extract, doc, unit: tuple[str, ...], **kw) -> SearchParam:
    return SearchParam(name, "quantity", doc, extract, unit=unit, **kw)


def special(name, doc) -> SearchParam:
    return SearchParam(name, "special", doc)


def _identifier_doc(doc: str) -> SearchParam:
    return token("identifier", x.identifiers, doc, modifiers=("of-type",))


COMMON = [
    SearchParam("_id", "token", "Identifiant logique de la ressource"),
    date("_lastUpdated", x.last_updated, "Date de la dernière mise à jour (eq ne gt lt ge le sa eb)"),
    token("_tag", x.tags, "Code de la région de la source de la donnée"),
    SearchParam("_content", "special", "Recherche plein texte dans le contenu de la ressource", x.text),
    special("_has", "Chaînage inverse (_has:Type:référence:paramètre)"),
    special("_filter", "Expression de filtre (grammaire FHIR _filter : eq ne gt lt ge le sa eb co sw ew, and/or/not)"),
]

BOOLEAN = ("true", "false")
YEARS = ("a", "an", "ans", "annee", "années", "year", "years", "yr")

HEALTHCARE_SERVICE = [
    _identifier_doc("Identifiant de l'offre"),
    string("name", x.names, "Nom de l'offre"),
    token("active", lambda r: [(None, "true" if r.get("active") else "false")], "Offre publiée (true) ou non",
          choices=BOOLEAN),
    token("specialty", lambda r: x.codings(r.get("specialty")), "Activité opérationnelle (TRE_R211)"),
    token("characteristic", lambda r: x.codings(r.get("characteristic")),
          "Mode de prise en charge (TRE_R213), acte spécifique (TRE_R210), modalité d'accueil (TRE_R338)…"),
    token("service-type", lambda r: x.codings(r.get("type")), "Champ d'activité (TRE_R227)"),
    token("service-category", lambda r: x.codings(r.get("category")),
          "Type d'offre (TRE_R244) ou famille d'activité (JDV_J51)"),
    token("patient-type", x.supported_patients, "Public pris en charge (TRE_R239)"),
    quantity("age-range-low", lambda r: x.age_bound(r, "low"), "Âge minimum de la patientèle (années)", YEARS),
    quantity("age-range-high", lambda r: x.age_bound(r, "high"), "Âge maximum de la patientèle (années)", YEARS),
    token("intervention-zone", lambda r: x.extension_codings(r, codes.EXT_INTERVENTION_ZONE),
          "Commune de la zone d'intervention (TRE_R13)"),
    string("psychiatric-sector", lambda r: x.extension_strings(r, codes.EXT_PSYCHIATRIC_SECTOR),
           "Secteur de psychiatrie"),
    date("notavailable-closing-reopeningdate", x.not_available_periods,
         "Période de fermeture (date de fermeture – date prévisionnelle de réouverture)", period=True),
    reference("location", "location", "Location", "Lieu de réalisation de l'offre"),
    reference("organization", "providedBy", "Organization", "Entité géographique de l'offre"),
]

CAPACITY = "capacity"
EQUIPMENT = "equipment"
RESIDENCE = "residence"
PRICE = "price"  # an Organization's tariffs


def _capacity_token(name: str, doc: str) -> SearchParam:
    return token(name, lambda r: [], doc, group=CAPACITY)


LOCATION = [
    _identifier_doc("Identifiant du lieu"),
    string("name", x.names, "Nom du lieu"),
    token("status", lambda r: [(None, r["status"])] if r.get("status") else [], "Statut du lieu (active…)",
          choices=("active", "suspended", "inactive")),
    token("type", lambda r: x.codings(r.get("type")), "Fonction du lieu (TRE_R343)"),
    string("address-postalcode", x.postal_codes, "Code postal"),
    string("address-city", x.cities, "Localité"),
    token("commune-cog", lambda r: x.extension_codings(r, codes.EXT_COMMUNE_COG),
          "Code officiel géographique de la commune (TRE_R13)"),
    SearchParam("near", "special", "Lieux proches : latitude|longitude|distance|unité", x.position),
    special("near-insee-code", "Lieux proches du centre d'une commune : code INSEE[|distance|unité]"),
    _capacity_token("capacity-type", "Nature de la capacité (TRE_R329)"),
    _capacity_token("capacity-status", "Statut de la capacité (TRE_R330)"),
    _capacity_token("temporality-capacity", "Temporalité de la capacité (TRE_R331)"),
    _capacity_token("gender-capacity-available", "Genre de la capacité disponible (TRE_R332)"),
    _capacity_token("capacity-closing-type", "Type de fermeture de la capacité (TRE_R333)"),
    _capacity_token("additional-bed-type", "Type de lit supplémentaire (TRE_R334)"),
    _capacity_token("crisis-type", "Type de crise (TRE_R336)"),
    number("nb-capacity", lambda r: [], "Nombre de lits ou places de la capacité", group=CAPACITY),
    date("capacity-update-date", lambda r: [], "Date de mise à jour de la capacité", group=CAPACITY),
    token("equipment-type", lambda r: [], "Type d'équipement (TRE_R212)", group=EQUIPMENT),
    token("equipment-feature", lambda r: [], "Caractéristique limite de l'équipement (TRE_R340)", group=EQUIPMENT),
    quantity("limit-value", lambda r: [], "Valeur limite de la caractéristique de l'équipement", (),
             group=EQUIPMENT),
    token("residential-type", lambda r: [], "Type d'habitation (TRE_R242)", group=RESIDENCE),
    number("residential-number", lambda r: [], "Nombre d'habitations du type", group=RESIDENCE),
    reference("organization", "managingOrganization", "Organization", "Entité géographique gestionnaire"),
]
GROUPS: dict[str, dict[str, Extract]] = {  # type → group → rendered resource → items {param: values}
    "Location": {CAPACITY: x.capacities, EQUIPMENT: x.equipments, RESIDENCE: x.residences},
    "Organization": {PRICE: tariffs.price_items},
}

def _price_token(name: str, doc: str) -> SearchParam:
    return token(name, lambda r: [], doc, group=PRICE)


ORGANIZATION = [
    _identifier_doc("FINESS, SIRET ou SIREN"),
    string("name", x.names, "Raison sociale ou dénomination"),
    token("type", lambda r: x.codings(r.get("type")),
          "Catégorie d'établissement (TRE_R66) ou statut juridique (TRE_R72)"),
    token("active", lambda r: [(None, "true" if r.get("active", True) else "false")], "Organisation active",
          choices=BOOLEAN),
    string("address-postalcode", x.postal_codes, "Code postal"),
    string("address-city", x.cities, "Localité"),
    reference("partof", "partOf", "Organization", "Entité juridique de rattachement"),
    # tariffs (fhir_api.tariffs): one item per tariff
    _price_token("price-type", "Type de tarif (TRE_R246)"),
    number("price-amount-value", lambda r: [], "Montant du tarif (euros)", group=PRICE),
    _price_token("price-amount-currency", "Devise du tarif"),
    _price_token("price-unit", "Unité de prix (TRE_R228)"),
    _price_token("price-residential-type", "Type d'habitation du tarif (TRE_R242)"),
    _price_token("special-price", "Condition tarifaire (TRE_R250)"),
    _price_token("price-welcome-type", "Temporalité d'accueil du tarif (TRE_R240)"),
    _price_token("price-dependency-level", "Groupe tarifaire de dépendance (TRE_R237)"),
    date("price-validity-start-date", tariffs.start_dates, "Date de début de validité des tarifs (tri : "
         "-price-validity-start-date, le plus récent d'abord)"),
]

PRACTITIONER_ROLE = [
    token("identifier", x.identifiers, "RPPS du professionnel", modifiers=("of-type",)),
    token("active", lambda r: [(None, "true" if r.get("active", True) else "false")], "Situation active",
          choices=BOOLEAN),
    token("role", lambda r: x.codings(r.get("code")), "Profession (TRE_G15) ou fonction (TRE_R251)"),
    token("specialty", lambda r: x.codings(r.get("specialty")), "Spécialité ordinale (TRE_R38)"),
    reference("service", "healthcareService", "HealthcareService", "Offre dans laquelle le professionnel exerce"),
    reference("practitioner", "practitioner", "Practitioner", "Professionnel"),
    reference("organization", "organization", "Organization", "Entité géographique"),
]

PRACTITIONER = [
    token("identifier", x.identifiers, "RPPS (idNat_PS)", modifiers=("of-type",)),
    string("name", x.human_names, "Nom ou prénom"),
    string("family", lambda r: x.human_names(r, "family"), "Nom d'exercice"),
    string("given", lambda r: x.human_names(r, "given"), "Prénom"),
    token("active", lambda r: [(None, "true" if r.get("active", True) else "false")], "Professionnel actif",
          choices=BOOLEAN),
]

PARAMS: dict[str, list[SearchParam]] = {
    "HealthcareService": COMMON + HEALTHCARE_SERVICE,
    "Location": COMMON + LOCATION,
    "Organization": COMMON + ORGANIZATION,
    "PractitionerRole": COMMON + PRACTITIONER_ROLE,
    "Practitioner": COMMON + PRACTITIONER,
}
TYPES = tuple(PARAMS)
BY_NAME: dict[str, dict[str, SearchParam]] = {t: {p.name: p for p in ps} for t, ps in PARAMS.items()}

# Chains answered from the source document: (source type, reference parameter) → target type. The target's
# own parameters are copied into the source document under `chain-<reference>`.
CHAINS: dict[str, dict[str, str]] = {
    "HealthcareService": {"location": "Location", "organization": "Organization"},
    "Location": {"organization": "Organization"},
    "Organization": {"partof": "Organization"},
    "PractitionerRole": {"service": "HealthcareService", "practitioner": "Practitioner",
                         "organization": "Organization"},
    "Practitioner": {},
}
TEXT_CHAINS = {"location"}  # chains whose copies keep the target's text (`location._content`)
# `ref.param:above`: the target and its parents (the EJ of an EG), under `chain-<reference>-above`. Such a chain has
# no `chain-<reference>` field: the copies of the referenced resources themselves carry `DIRECT` (true), and the
# plain chain `ref.param` reads those only (one copy of each target per document instead of two).
ABOVE = {("HealthcareService", "organization"), ("Location", "organization"), ("PractitionerRole", "organization")}
DIRECT = "direct"
PARENT = ("Organization", "partof")  # how a target's parents are found

# _include / _revinclude: every reference parameter of an indexed type ("Source:param" → (source, param, target)).
INCLUDES: dict[str, tuple[str, str, str]] = {
    f"{t}:{p.name}": (t, p.name, p.target) for t, ps in PARAMS.items() for p in ps if p.type == "reference"}
REVINCLUDES: dict[str, list[str]] = {
    t: sorted(k for k, (_, _, target) in INCLUDES.items() if target == t) for t in PARAMS}


def chain_field(reference: str, above: bool = False) -> str:
    return f"chain-{reference}" + ("-above" if above else "")


def own_params(rtype: str) -> list[SearchParam]:
    """The parameters stored in a document of `rtype` (and copied into the documents that chain to it)."""
    return [p for p in PARAMS[rtype] if p.extract is not None or p.group is not None]
