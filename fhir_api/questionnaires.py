"""Input templates as FHIR `Questionnaire` (the ROR's « modèles de saisie », RORQuestionnaire,
`exemples/modeles-de-saisie.md`): the two contributor forms of this server, generated from the declarations the
forms themselves validate with, so the templates cannot drift from the forms:

- `description-offre`: the offer description form (`quality.description`): its text fields as string / text items
  with their maximum length, its code fields as repeating choices bound to their NOS value set, each item's
  `definition` the HealthcareService element it fills;
- `capacite-lieu`: the capacity entry form (`capacity.validation`): the counts as integers 0–MAX_BEDS, the forecast
  date, the crisis type as answer options, the note.

Both apply to every category of geographic entity of the ROR (`useContext`: the codes of JDV_J55 in the bundled
nomenclature), so `Questionnaire?context=…TRE-R66-CategorieEtablissement|124` finds them. A served type
(`fhir_api.served`): built once per data folder, matched in memory.
"""

from __future__ import annotations

import csv
import gzip
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context

from capacity import validation as capacity
from core.settings import PROJECT_ROOT
from fhir_api import codes, served
from fhir_api import extract as x
from fhir_api import searchparams as sp
from quality import description

BASE = "https://ror-graph.fr/fhir/Questionnaire/"
SYSTEM_TEMPLATE = "https://ror-graph.fr/fhir/sid/modele-saisie"
PROFILE_HEALTHCARESERVICE = codes.ROR_SD + "ror-questionnaire-healthcareservice"
SYSTEM_STRUCTURE_TYPE = codes.NOS + "TRE_R67-TypeStructure-EJ-EG/FHIR/TRE-R67-TypeStructure-EJ-EG"
SYSTEM_USAGE_CONTEXT = "http://terminology.hl7.org/CodeSystem/usage-context-type"
SD = codes.ROR_SD
PUBLISHED_ON = "2026-12-03"  # date of the forms' declarations below (their version)
VERSION = "1"
CATEGORY_VALUE_SET = "JDV_J55"
# NOS value set of each code field of the description form (JDV id → canonical URL of the ROR's value sets)
VALUE_SET_URL = codes.NOS + "{table}/FHIR/{table_dash}"
HEALTHCARESERVICE_ELEMENT = {  # description field → the HealthcareService element it fills
    "name": "HealthcareService.name", "phone": "HealthcareService.telecom", "email": "HealthcareService.telecom",
    "opening": "HealthcareService.availableTime", "description": "HealthcareService.comment",
    "activities": "HealthcareService.characteristic", "care_modes": "HealthcareService.characteristic",
    "acts": "HealthcareService.characteristic", "age_groups": "HealthcareService.characteristic",
    "publics": "HealthcareService.characteristic", "fields": "HealthcareService.type",
    "reception_modes": "HealthcareService.characteristic",
}
LONG_TEXT = 500  # text fields longer than this are `text` items (multi-line), the others `string`


@cache
def _nomenclature(data_dir: Path) -> tuple[dict[str, str], tuple[tuple[str, str, str], ...]]:
    """The value sets' full names (J17 → JDV_J17-ActiviteOperationnelle-ROR) and the J55 categories
    (system, code, label), from the bundled nomenclature (no engine needed)."""
    tables: dict[str, str] = {}
    categories = []
    with gzip.open(Path(data_dir) / "nos" / "ror_nomenclatures.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            short = row["table"].split("-", 1)[0].removeprefix("JDV_")
            tables.setdefault(short, row["table"])
            if row["table"].startswith(CATEGORY_VALUE_SET + "-") and not row.get("date_fin"):
                categories.append((row["system_url"], row["code"], row["libelle"]))
    return tables, tuple(sorted(categories, key=lambda c: c[1]))


def _data_dir() -> Path:
    settings = current_app.extensions.get("ror_settings") if has_app_context() else None
    return Path(settings.data_dir) if settings is not None else PROJECT_ROOT / "data"


def _value_set(tables: dict[str, str], short: str) -> str | None:
    table = tables.get(short)
    return VALUE_SET_URL.format(table=table, table_dash=table.replace("_", "-")) if table else None


def _use_context(categories) -> list[dict]:
    return [{"code": {"system": SYSTEM_STRUCTURE_TYPE, "code": "EG"},
             "valueCodeableConcept": {"coding": [{"system": system, "code": code, "display": label}]}}
            for system, code, label in categories]


def _common(template_id: str, title: str, subject: str, purpose: str, text: str, categories) -> dict:
    return {
        "resourceType": "Questionnaire", "id": template_id,
        "meta": {"lastUpdated": PUBLISHED_ON + "T00:00:00+00:00"},
        "url": BASE + template_id, "identifier": [{"use": "official", "system": SYSTEM_TEMPLATE,
                                                   "value": template_id}],
        "version": VERSION, "name": "".join(p.capitalize() for p in template_id.split("-")), "title": title,
        "status": "active", "date": PUBLISHED_ON, "publisher": "ror-graph", "description": text,
        "purpose": purpose, "subjectType": [subject],
        "jurisdiction": [{"coding": [{"system": "urn:iso:std:iso:3166", "code": "FR", "display": "FRANCE"}]}],
        "useContext": _use_context(categories),
    }


def description_template(data_dir: Path) -> dict:
    tables, categories = _nomenclature(data_dir)
    items = []
    for name, (label, limit) in description.TEXT_FIELDS.items():
        items.append({"linkId": f"offre.{name}", "definition": SD + "ror-healthcareservice#"
                      + HEALTHCARESERVICE_ELEMENT[name], "text": label,
                      "type": "text" if limit > LONG_TEXT else "string", "required": name == "name",
                      "repeats": False, "maxLength": limit})
    for name, (short, label) in description.CODE_FIELDS.items():
        item = {"linkId": f"offre.{name}", "definition": SD + "ror-healthcareservice#"
                + HEALTHCARESERVICE_ELEMENT[name], "text": label, "type": "choice", "required": False,
                "repeats": True}
        value_set = _value_set(tables, short)
        if value_set:
            item["answerValueSet"] = value_set
        items.append(item)
    resource = _common("description-offre", "Description d'une offre opérationnelle", "HealthcareService",
                       "Les contributeurs d'un établissement décrivent ses offres opérationnelles avec ce modèle "
                       "(formulaire « Décrire l'offre »).",
                       "Champs du formulaire de description d'une offre : textes (longueur maximale) et codes "
                       "des nomenclatures NOS du ROR.", categories)
    resource["meta"]["profile"] = [PROFILE_HEALTHCARESERVICE]
    resource["item"] = [{"linkId": "offre", "text": "Offre opérationnelle", "type": "group", "item": items}]
    return resource


def capacity_template(data_dir: Path) -> dict:
    _, categories = _nomenclature(data_dir)
    counts = [{"linkId": f"capacite.{name}", "text": label, "type": "integer",
               "required": name == "installed", "repeats": False,
               "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
                             {"url": "http://hl7.org/fhir/StructureDefinition/maxValue",
                              "valueInteger": capacity.MAX_BEDS}]}
              for name, label in capacity.COUNT_FIELDS.items()]
    others = [
        {"linkId": "capacite.forecast_date", "text": capacity.FIELD_LABELS["forecast_date"], "type": "date",
         "required": False, "repeats": False},
        {"linkId": "capacite.crisis_type", "text": capacity.FIELD_LABELS["crisis_type"], "type": "choice",
         "required": False, "repeats": False,
         "answerOption": [{"valueCoding": {"system": codes.SYSTEM_LOCAL_CRISIS_TYPE, "code": code or "aucune",
                                           "display": label}} for code, label in capacity.CRISIS_TYPES.items()]},
        {"linkId": "capacite.note", "text": capacity.FIELD_LABELS["note"], "type": "text", "required": False,
         "repeats": False, "maxLength": capacity.MAX_NOTE},
    ]
    resource = _common("capacite-lieu", "Saisie des capacités d'un lieu", "Location",
                       "Les contributeurs d'un établissement déclarent les lits installés, disponibles et prévus "
                       "d'un lieu avec ce modèle (formulaire de saisie des capacités).",
                       f"Champs du formulaire de saisie des capacités : nombres de lits (0 à {capacity.MAX_BEDS}), "
                       "date de la prévision, type de crise, note.", categories)
    resource["item"] = [{"linkId": "capacite", "text": "Capacités du lieu", "type": "group",
                         "item": counts + others}]
    return resource


@cache
def templates(data_dir: Path) -> dict[str, dict]:
    return {t["id"]: t for t in (description_template(data_dir), capacity_template(data_dir))}


def _templates(ctx: served.Ctx | None = None, tree=None) -> list[dict]:
    return list(templates(_data_dir()).values())


QUESTIONNAIRE = served.ServedType(
    name="Questionnaire", profile=PROFILE_HEALTHCARESERVICE,
    params=(*served.common_params(),
            sp.token("identifier", lambda q: [(i.get("system"), i["value"]) for i in q.get("identifier") or []],
                     "Identifiant du modèle de saisie"),
            sp.token("context", lambda q: [c for u in q.get("useContext") or []
                                           for c in x.codings(u.get("valueCodeableConcept"))],
                     "Contexte d'usage (catégorie d'établissement TRE_R66)"),
            sp.token("context-type", lambda q: [(u["code"].get("system"), u["code"]["code"])
                                                for u in q.get("useContext") or []],
                     "Type de contexte d'usage"),
            sp.token("subject-type", lambda q: [(None, s) for s in q.get("subjectType") or []],
                     "Type de ressource que le modèle renseigne"),
            sp.token("status", lambda q: [(None, q["status"])], "Statut du modèle"),
            sp.token("url", lambda q: [(None, q["url"])], "URL canonique du modèle"),
            sp.token("version", lambda q: [(None, q["version"])], "Version du modèle"),
            sp.string("name", lambda q: [q["name"]], "Nom informatique du modèle"),
            sp.string("title", lambda q: [q["title"]], "Titre du modèle"),
            sp.date("date", lambda q: [q["date"]], "Date de publication du modèle")),
    candidates=_templates, read=lambda ctx, i: templates(_data_dir()).get(i),
    documentation="Modèles de saisie (profil RORQuestionnaire) : les formulaires de description d'une offre "
                  "(description-offre) et de saisie des capacités d'un lieu (capacite-lieu).")

served.register_type(QUESTIONNAIRE)
