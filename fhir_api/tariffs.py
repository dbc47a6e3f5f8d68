"""Tariffs of a geographic entity (EHPAD accommodation and dependency prices) as the ROR models them: one
`ror-organization-price` extension per tariff on the Organization (IG: ROROrganizationPrice — priceType TRE_R246,
priceUnit TRE_R228, amount (Money), startDate, residentialType TRE_R242, specialPrice TRE_R250, welcomeType
TRE_R240, dependencyLevel TRE_R237), searched with the documented `price-*` parameters (declared in
`searchparams`, one nested item per tariff: `price-type` and `price-amount-value` combined with *and* hold for
one tariff). The tariffs of the demo are synthetic (`loaders/tariffs.py`): each says so in a `synthetic`
sub-extension.
"""

from __future__ import annotations

from fhir_api import codes
from fhir_api import extract as x

EXT_PRICE = codes.ROR_SD + "ror-organization-price"
EXT_SYNTHETIC = "https://ror-graph.fr/fhir/StructureDefinition/donnee-synthetique"
SYSTEM_PRICE_TYPE = codes.NOS + "TRE_R246-TypeTarif/FHIR/TRE-R246-TypeTarif"
SYSTEM_PRICE_UNIT = codes.NOS + "TRE_R228-UnitePrix/FHIR/TRE-R228-UnitePrix"
SYSTEM_RESIDENTIAL_TYPE = codes.NOS + "TRE_R242-TypeHabitation/FHIR/TRE-R242-TypeHabitation"
SYSTEM_SPECIAL_PRICE = codes.NOS + "TRE_R250-ConditionTarifaire/FHIR/TRE-R250-ConditionTarifaire"
SYSTEM_WELCOME_TYPE = codes.NOS + "TRE_R240-TemporaliteAccueil/FHIR/TRE-R240-TemporaliteAccueil"
SYSTEM_DEPENDENCY = codes.NOS + "TRE_R237-GroupeTarifaireDependance/FHIR/TRE-R237-GroupeTarifaireDependance"

PRICE_TYPES = {"01": "Supplément tarif Hébergement SMR", "02": "Forfait socle hébergement", "03": "Dépendance",
               "04": "Prestation supplémentaire tarifée", "05": "Accueil de jour", "06": "Aide humaine à domicile",
               "07": "Portage de repas à domicile"}
PRICE_UNITS = {"1": "Tarif horaire", "2": "Tarif journalier", "3": "Tarif mensuel", "4": "Tarif unitaire"}
RESIDENTIAL_TYPES = {"01": "Chambre double", "02": "Chambre simple", "03": "F1", "04": "F2", "05": "F1bis",
                     "06": "F3", "07": "F4"}
SPECIAL_PRICES = {"01": "Tarif public", "02": "Tarif agréé Aide Sociale", "03": "Tarif agréé ASH"}
WELCOME_TYPES = {"01": "Temporaire", "02": "Permanent"}  # the documentation: 02 = permanent
DEPENDENCY_LEVELS = {"01": "GIR 1-2", "02": "GIR 3-4", "03": "GIR 5-6"}

# Tariff property (graph `Tariff` node) → (sub-extension, system, labels)
CODED = {
    "price_type": ("priceType", SYSTEM_PRICE_TYPE, PRICE_TYPES),
    "unit": ("priceUnit", SYSTEM_PRICE_UNIT, PRICE_UNITS),
    "residential_type": ("residentialType", SYSTEM_RESIDENTIAL_TYPE, RESIDENTIAL_TYPES),
    "special_price": ("specialPrice", SYSTEM_SPECIAL_PRICE, SPECIAL_PRICES),
    "welcome_type": ("welcomeType", SYSTEM_WELCOME_TYPE, WELCOME_TYPES),
    "dependency_level": ("dependencyLevel", SYSTEM_DEPENDENCY, DEPENDENCY_LEVELS),
}
# search parameter → sub-extension of a coded part
TOKEN_PARAMS = {"price-type": "priceType", "price-unit": "priceUnit", "price-residential-type": "residentialType",
                "special-price": "specialPrice", "price-welcome-type": "welcomeType",
                "price-dependency-level": "dependencyLevel"}


def price_extensions(tariffs: list[dict]) -> list[dict]:
    """The `ror-organization-price` extensions of a site's tariffs (graph `Tariff` properties)."""
    out = []
    for tariff in sorted(tariffs, key=lambda t: t.get("key") or ""):
        parts = []
        for prop, (url, system, labels) in CODED.items():
            code = tariff.get(prop)
            if code:
                parts.append({"url": url, "valueCodeableConcept": {"coding": [
                    {"system": system, "code": code, "display": labels.get(code, code)}]}})
            if prop == "unit" and tariff.get("amount") is not None:
                parts.append({"url": "amount", "valueMoney": {"value": float(tariff["amount"]),
                                                               "currency": tariff.get("currency") or "EUR"}})
                if tariff.get("start_date"):
                    parts.append({"url": "startDate", "valueDateTime": str(tariff["start_date"])})
        if tariff.get("synthetic"):
            parts.append({"url": EXT_SYNTHETIC, "valueBoolean": True})
        out.append({"url": EXT_PRICE, "extension": parts})
    return out


def price_items(resource: dict) -> list[dict]:
    """One search item per tariff: its codings, `price-amount-value` and the currency."""
    out = []
    for ext in x.extensions(resource, EXT_PRICE):
        item: dict = {param: x.codings(x.first_value(ext, part, "valueCodeableConcept"))
                      for param, part in TOKEN_PARAMS.items()}
        money = x.first_value(ext, "amount", "valueMoney") or {}
        item["price-amount-value"] = [float(money["value"])] if money.get("value") is not None else []
        item["price-amount-currency"] = [(None, money["currency"])] if money.get("currency") else []
        out.append(item)
    return out


def start_dates(resource: dict) -> list[str]:
    """Every tariff's start of validity (sorting by `-price-validity-start-date` puts the latest first)."""
    return [d for ext in x.extensions(resource, EXT_PRICE) if (d := x.first_value(ext, "startDate", "valueDateTime"))]
