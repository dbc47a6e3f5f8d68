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

Other templates are written through the API, as the ROR documents it (`exemples/modeles-de-saisie.md`): `POST
/fhir/Questionnaire` creates one (the server gives its id, a body `id` is ignored as FHIR says), `PUT
/fhir/Questionnaire/<id>` replaces an existing one by a new version (no update-as-create: the ROR documents PUT as
the replacement of an existing resource), `If-Match: W/"<versionId>"` honoured (412 on a stale version). Only
administrators (`template.manage`, like the national nomenclature); checked by `fhir_api.questionnaire_check`
(400 naming the faulty element); audited (`questionnaire.create` / `questionnaire.update`). The two generated
templates cannot be replaced (409: they are the forms). Stored in Neo4j (`:Questionnaire`, the resource as JSON
text, `version_id`, `updated_at`), read back through `graph.changes.Summaries`: a write is seen at once by the
process that made it, and within STORED_MAX_AGE seconds by the other worker processes.
"""

from __future__ import annotations

import csv
import gzip
import uuid
from functools import cache
from pathlib import Path

import orjson
from flask import current_app, has_app_context, request

import cypher
from accounts.audit import append
from accounts.models import Principal, Target
from capacity import validation as capacity
from core.errors import BadRequest, Conflict, NotFound, RorError
from core.freshness import native
from core.settings import PROJECT_ROOT
from fhir_api import codes, served
from fhir_api import extract as x
from fhir_api import questionnaire_check as check
from fhir_api import searchparams as sp
from graph import changes
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
        "meta": {"versionId": "1", "lastUpdated": PUBLISHED_ON + "T00:00:00+00:00"},  # one version: generated
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


# --- templates written through the API ------------------------------------------------------------------------

STORED_MAX_AGE = 5.0  # seconds another worker process may serve the templates it read before a write
MAX_STORED = 10_000
_stored = changes.Summaries((changes.ANY,), max_age=STORED_MAX_AGE)


class PreconditionFailed(RorError):
    status = 412
    code = "precondition_failed"
    issue = "conflict"


def _instant(value) -> str | None:
    value = native(value)
    return value.isoformat(timespec="milliseconds") if value else None


def render_stored(row: dict) -> dict:
    """The FHIR resource of a stored template: its body, its id, its version and last update."""
    body = orjson.loads(row["resource"])
    meta = {"versionId": str(row["version_id"]), "lastUpdated": _instant(row["updated_at"]),
            **(body.get("meta") or {})}
    return {"resourceType": "Questionnaire", "id": row["id"], "meta": meta,
            **{k: v for k, v in body.items() if k not in ("resourceType", "id", "meta")}}


def _rows(graph, ids: list[str] | None) -> list[dict]:
    return graph.read_named("read/questionnaire_list", ids=ids, limit=MAX_STORED)


def stored(graph) -> dict[str, dict]:
    """The templates written through the API, by id (shared: never changed by the caller)."""
    if graph is None:
        return {}
    return _stored.get(graph, "questionnaires", lambda: {r["id"]: render_stored(r) for r in _rows(graph, None)})


def _templates(ctx: served.Ctx | None = None, tree=None) -> list[dict]:
    generated = list(templates(_data_dir()).values())
    return generated + list(stored(ctx.graph if ctx is not None else None).values())


def _read(ctx: served.Ctx, template_id: str) -> dict | None:
    return templates(_data_dir()).get(template_id) or stored(ctx.graph).get(template_id)


def _summary(row: dict) -> dict:
    """What the audit log keeps of a version (not the whole template)."""
    body = orjson.loads(row["resource"])
    return {"id": row["id"], "versionId": row["version_id"], "url": body.get("url"), "name": body.get("name"),
            "title": body.get("title"), "version": body.get("version"), "status": body.get("status"),
            "items": len(body.get("item") or [])}


def _refuse_generated(template_id: str | None, resource: dict) -> None:
    generated = templates(_data_dir())
    if template_id in generated:
        raise Conflict(f"Le modèle de saisie « {template_id} » est généré à partir des formulaires de ce serveur : "
                       "il ne peut pas être remplacé (modifiez le formulaire).")
    urls = {t["url"]: t["id"] for t in generated.values()}
    if resource.get("url") in urls:
        raise Conflict(f"L'URL « {resource['url']} » est celle du modèle généré « {urls[resource['url']]} » : "
                       "choisissez une autre URL canonique.", fields={"Questionnaire.url": "URL déjà utilisée"})


def _text(resource: dict) -> str:
    return orjson.dumps({k: v for k, v in resource.items() if k != "id"}).decode()


def create(graph, principal: Principal, body) -> dict:
    """Store a new template (version 1); audited. The server gives its id."""
    principal.require("template.manage")
    resource = check.check(body)
    _refuse_generated(None, resource)
    template_id = uuid.uuid4().hex

    def work(tx):
        row = tx.run(cypher.query("write/questionnaire_create"), id=template_id, resource=_text(resource),
                     actor=principal.username).single()["questionnaire"]
        append(tx, principal, "questionnaire.create", Target("Questionnaire", template_id), None, _summary(row))
        return row

    return render_stored(graph.transaction(work))


def version_of(if_match: str | None) -> int | None:
    """The version an `If-Match` header names (`W/"3"`, `"3"`), None without one; 400 when it names none."""
    if if_match is None or not if_match.strip():
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise BadRequest(f"En-tête If-Match invalide : {if_match!r} (attendu W/\"<versionId>\").",
                         fields={"If-Match": "ETag de la version lue, ex. W/\"1\""})
    return int(text)


def update(graph, principal: Principal, template_id: str, body, if_match: str | None = None) -> dict:
    """Replace a stored template by a new version; 404 when it does not exist (no update-as-create), 409 for a
    generated one, 412 when `If-Match` names another version than the current one; audited."""
    principal.require("template.manage")
    _refuse_generated(template_id, {})
    resource = check.check(body, url_id=template_id)
    _refuse_generated(template_id, resource)
    wanted = version_of(if_match)
    rows = _rows(graph, [template_id]) if check.valid_id(template_id) else []
    if not rows:
        raise NotFound(f"Modèle de saisie Questionnaire/{template_id} introuvable : créez-le par "
                       "POST /fhir/Questionnaire (PUT ne remplace qu'un modèle existant).")
    current = rows[0]["version_id"]
    if wanted is not None and wanted != current:
        raise PreconditionFailed(f"Le modèle Questionnaire/{template_id} est à la version {current}, pas {wanted} "
                                 "(If-Match) : relisez-le avant de le remplacer.")

    def work(tx):
        row = tx.run(cypher.query("write/questionnaire_update"), id=template_id, expected=current,
                     resource=_text(resource), actor=principal.username).single()
        if row is None:
            error = PreconditionFailed if wanted is not None else Conflict
            raise error(f"Le modèle Questionnaire/{template_id} a été modifié entre-temps : relisez-le.")
        append(tx, principal, "questionnaire.update", Target("Questionnaire", template_id),
               _summary(row["before"]), _summary(row["questionnaire"]))
        return row["questionnaire"]

    return render_stored(graph.transaction(work))


def _principal() -> Principal:
    from fhir_api.blueprint import NotImplementedYet

    if "ror" not in current_app.extensions:
        raise NotImplementedYet("L'écriture des modèles de saisie demande l'application web (comptes et jetons).")
    from accounts.web import authenticated

    return authenticated("template.manage")


def _written(resource: dict, status: int):
    from fhir_api.blueprint import _base_url, fhir_response

    meta = resource["meta"]
    headers = {"ETag": f'W/"{meta["versionId"]}"', "Last-Modified": meta["lastUpdated"]}
    if status == 201:
        headers["Location"] = f"{_base_url()}/Questionnaire/{resource['id']}/_history/{meta['versionId']}"
    return fhir_response(resource, status, headers=headers)


def _graph():
    from fhir_api.blueprint import _graph_and_search

    return _graph_and_search()[0]


@served.bp.post("/Questionnaire")
def create_route():
    principal = _principal()
    return _written(create(_graph(), principal, request.get_json(force=True, silent=True)), 201)


@served.bp.put("/Questionnaire/<template_id>")
def update_route(template_id: str):
    principal = _principal()
    body = request.get_json(force=True, silent=True)
    return _written(update(_graph(), principal, template_id, body, request.headers.get("If-Match")), 200)


@served.bp.get("/Questionnaire/<template_id>/_history/<version_id>")
def vread_route(template_id: str, version_id: str):
    """The current version by its version id (earlier versions are not kept: 404 naming the current one)."""
    from fhir_api.blueprint import fhir_response

    ctx = served._ctx()
    resource = _read(ctx, template_id)
    if resource is None:
        raise NotFound(f"Ressource Questionnaire/{template_id} introuvable.")
    current = (resource.get("meta") or {}).get("versionId", "1")
    if version_id != current:
        raise NotFound(f"Version {version_id} de Questionnaire/{template_id} introuvable : seule la version "
                       f"courante ({current}) est conservée.")
    return fhir_response(resource, headers={"ETag": f'W/"{current}"'})


def _one(key: str):
    return lambda q: [q[key]] if isinstance(q.get(key), str) else []


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
            sp.token("url", lambda q: [(None, v) for v in _one("url")(q)], "URL canonique du modèle"),
            sp.token("version", lambda q: [(None, v) for v in _one("version")(q)], "Version du modèle"),
            sp.string("name", _one("name"), "Nom informatique du modèle"),
            sp.string("title", _one("title"), "Titre du modèle"),
            sp.string("description", _one("description"), "Description du modèle"),
            sp.date("date", _one("date"), "Date de publication du modèle")),
    candidates=_templates, read=_read, versioning="versioned-update",
    interactions=({"code": "read"}, {"code": "vread"}, {"code": "search-type"},
                  {"code": "create", "documentation": "Création d'un modèle de saisie (jeton Bearer, rôle "
                                                      "administrateur : template.manage)"},
                  {"code": "update", "documentation": "Remplacement d'un modèle créé par l'API par une nouvelle "
                                                      "version (If-Match honoré ; pas de création par PUT)"}),
    documentation="Modèles de saisie (profil RORQuestionnaire) : les formulaires de description d'une offre "
                  "(description-offre) et de saisie des capacités d'un lieu (capacite-lieu), générés, et les modèles "
                  "créés par l'API (POST, PUT).")

served.register_type(QUESTIONNAIRE)
