"""Checks of a `Questionnaire` written through the FHIR API (`POST` / `PUT /fhir/Questionnaire`, the ROR's « modèles
de saisie »): what the server stores must stay a valid FHIR R4 Questionnaire, so a client's mistake is a 400
OperationOutcome naming the faulty element by its path (`Questionnaire.item[0].item[2].linkId`), in French.

Rules: `resourceType` Questionnaire; `status` in draft | active | retired | unknown; `id` (when given) a FHIR id;
`url`, `name`, `title`, `version`, `publisher`, `description`, `purpose`, `copyright` strings; `date` a FHIR dateTime;
`identifier`, `useContext`, `jurisdiction`, `subjectType`, `item` lists of the right shape; only the elements of a
FHIR R4 Questionnaire (and of its items) at the top level of the resource and of each item (an unknown element is
refused rather than kept: the stored resource is served back as it is); every item a `linkId` (non-empty, unique in
the whole questionnaire) and a `type` of the R4 value set `item-type`; `answerOption` / `answerValueSet` only on
`choice` / `open-choice` items; groups hold nested items, display items none. Pure: no engine, no Flask.
"""

from __future__ import annotations

import re

from core.errors import BadRequest

STATUSES = ("draft", "active", "retired", "unknown")
ITEM_TYPES = ("group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text",
              "url", "choice", "open-choice", "attachment", "reference", "quantity")  # R4 item-type, abstract aside
CHOICE_TYPES = ("choice", "open-choice")
ELEMENTS = frozenset({  # FHIR R4 Questionnaire
    "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension",
    "url", "identifier", "version", "name", "title", "derivedFrom", "status", "experimental", "subjectType", "date",
    "publisher", "contact", "description", "useContext", "jurisdiction", "purpose", "copyright", "approvalDate",
    "lastReviewDate", "effectivePeriod", "code", "item"})
ITEM_ELEMENTS = frozenset({
    "id", "extension", "modifierExtension", "linkId", "definition", "code", "prefix", "text", "type", "enableWhen",
    "enableBehavior", "required", "repeats", "readOnly", "maxLength", "answerValueSet", "answerOption", "initial",
    "item"})
STRINGS = ("url", "version", "name", "title", "publisher", "description", "purpose", "copyright", "implicitRules",
           "language")
LISTS = ("identifier", "useContext", "jurisdiction", "subjectType", "contact", "derivedFrom", "extension",
         "modifierExtension", "contained", "code", "item")
ITEM_STRINGS = ("linkId", "definition", "prefix", "text", "answerValueSet")
ITEM_BOOLEANS = ("required", "repeats", "readOnly")
ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
DATE_TIME = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
                       r"(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?")
DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
MAX_ITEMS = 5000  # items of one questionnaire, nested ones included
MAX_DEPTH = 20
ROOT = "Questionnaire"


class _Errors:
    def __init__(self):
        self.fields: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, message)


def valid_id(value) -> bool:
    return isinstance(value, str) and ID.fullmatch(value) is not None


def check(body, *, url_id: str | None = None) -> dict:
    """The resource to store (a copy without the server-managed `meta.versionId` / `meta.lastUpdated`), or 400
    naming every faulty element. `url_id`: the id of the PUT's URL, which the body's `id` must equal."""
    if not isinstance(body, dict):
        raise BadRequest("Corps attendu : une ressource Questionnaire (JSON FHIR).",
                         fields={ROOT: "objet JSON attendu"})
    errors = _Errors()
    if body.get("resourceType") != "Questionnaire":
        errors.add(f"{ROOT}.resourceType", f"« Questionnaire » attendu (reçu : {body.get('resourceType')!r})")
    for key in body:
        if key.removeprefix("_") not in ELEMENTS:
            errors.add(f"{ROOT}.{key}", "élément inconnu d'un Questionnaire FHIR R4")
    _check_id(body, url_id, errors)
    status = body.get("status")
    if status not in STATUSES:
        errors.add(f"{ROOT}.status", "obligatoire, parmi " + " | ".join(STATUSES)
                   + (f" (reçu : {status!r})" if status is not None else ""))
    for key in STRINGS:
        if key in body and (not isinstance(body[key], str) or not body[key].strip()):
            errors.add(f"{ROOT}.{key}", "texte non vide attendu")
    for key in LISTS:
        if key in body and not isinstance(body[key], list):
            errors.add(f"{ROOT}.{key}", "liste attendue")
    if "date" in body and not (isinstance(body["date"], str) and DATE_TIME.fullmatch(body["date"])):
        errors.add(f"{ROOT}.date", "date FHIR attendue (AAAA, AAAA-MM, AAAA-MM-JJ ou date et heure avec fuseau)")
    for key in ("approvalDate", "lastReviewDate"):
        if key in body and not (isinstance(body[key], str) and DATE.fullmatch(body[key])):
            errors.add(f"{ROOT}.{key}", "date attendue (AAAA-MM-JJ)")
    if "experimental" in body and not isinstance(body["experimental"], bool):
        errors.add(f"{ROOT}.experimental", "booléen attendu")
    if "meta" in body and not isinstance(body["meta"], dict):
        errors.add(f"{ROOT}.meta", "objet attendu")
    _check_identifiers(body, errors)
    _check_contexts(body, errors)
    if isinstance(body.get("subjectType"), list):
        for n, value in enumerate(body["subjectType"]):
            if not (isinstance(value, str) and re.fullmatch(r"[A-Z][A-Za-z]+", value)):
                errors.add(f"{ROOT}.subjectType[{n}]", "type de ressource FHIR attendu (ex. HealthcareService)")
    if isinstance(body.get("item"), list):
        _check_items(body["item"], ROOT, set(), errors, 1, [0])
    if errors.fields:
        first = next(iter(errors.fields))
        more = f" (et {len(errors.fields) - 1} autre(s))" if len(errors.fields) > 1 else ""
        raise BadRequest(f"Questionnaire invalide : {first} — {errors.fields[first]}{more}.", fields=errors.fields)
    resource = dict(body)
    meta = {k: v for k, v in (body.get("meta") or {}).items() if k not in ("versionId", "lastUpdated")}
    resource.pop("meta", None)
    if meta:
        resource["meta"] = meta
    return resource


def _check_id(body: dict, url_id: str | None, errors: _Errors) -> None:
    if url_id is None:  # a create: the server gives the id (FHIR: a body id is ignored), but it must be an id
        if "id" in body and not valid_id(body["id"]):
            errors.add(f"{ROOT}.id", "identifiant FHIR attendu (1 à 64 caractères A-Z a-z 0-9 - .)")
        return
    if "id" not in body:
        errors.add(f"{ROOT}.id", f"obligatoire pour une mise à jour : « {url_id} », l'identifiant de l'adresse")
    elif body["id"] != url_id:
        errors.add(f"{ROOT}.id", f"« {body['id']} » diffère de l'identifiant de l'adresse « {url_id} »")


def _objects(body: dict, name: str, kind: str, errors: _Errors):
    """(path, element) of each element of the list `name` that is an object; the others reported as not one."""
    if not isinstance(body.get(name), list):
        return
    for n, element in enumerate(body[name]):
        path = f"{ROOT}.{name}[{n}]"
        if isinstance(element, dict):
            yield path, element
        else:
            errors.add(path, f"objet {kind} attendu")


def _check_identifiers(body: dict, errors: _Errors) -> None:
    for path, ident in _objects(body, "identifier", "Identifier", errors):
        for key in ("system", "value", "use"):
            if key in ident and (not isinstance(ident[key], str) or not ident[key]):
                errors.add(f"{path}.{key}", "texte non vide attendu")
        if "value" not in ident:
            errors.add(f"{path}.value", "obligatoire")


def _check_contexts(body: dict, errors: _Errors) -> None:
    for path, context in _objects(body, "useContext", "UsageContext", errors):
        code = context.get("code")
        if not isinstance(code, dict) or not isinstance(code.get("code"), str) or not code["code"]:
            errors.add(f"{path}.code", "obligatoire : un Coding avec son code")
        values = [k for k in context if k.startswith("value")]
        if len(values) != 1:
            errors.add(f"{path}.value[x]", "une valeur attendue (ex. valueCodeableConcept)")
        elif values[0] == "valueCodeableConcept":
            concept = context["valueCodeableConcept"]
            codings = concept.get("coding") if isinstance(concept, dict) else None
            if not isinstance(codings, list) or not all(isinstance(c, dict) for c in codings):
                errors.add(f"{path}.valueCodeableConcept.coding", "liste de Coding attendue")


def _check_items(items: list, parent: str, link_ids: set[str], errors: _Errors, depth: int, count: list[int]) -> None:
    if depth > MAX_DEPTH:
        errors.add(f"{parent}.item", f"au plus {MAX_DEPTH} niveaux d'items imbriqués")
        return
    for n, item in enumerate(items):
        path = f"{parent}.item[{n}]"
        count[0] += 1
        if count[0] > MAX_ITEMS:
            errors.add(path, f"au plus {MAX_ITEMS} items par questionnaire")
            return
        if not isinstance(item, dict):
            errors.add(path, "objet item attendu")
            continue
        for key in item:
            if key.removeprefix("_") not in ITEM_ELEMENTS:
                errors.add(f"{path}.{key}", "élément inconnu d'un item de Questionnaire FHIR R4")
        link_id = item.get("linkId")
        if not isinstance(link_id, str) or not link_id.strip():
            errors.add(f"{path}.linkId", "obligatoire : un texte non vide")
        elif link_id in link_ids:
            errors.add(f"{path}.linkId", f"« {link_id} » est déjà le linkId d'un autre item (il doit être unique)")
        else:
            link_ids.add(link_id)
        kind = item.get("type")
        if kind not in ITEM_TYPES:
            errors.add(f"{path}.type", "obligatoire, parmi " + ", ".join(ITEM_TYPES)
                       + (f" (reçu : {kind!r})" if kind is not None else ""))
        for key in ITEM_STRINGS:
            if key in item and key != "linkId" and (not isinstance(item[key], str) or not item[key]):
                errors.add(f"{path}.{key}", "texte non vide attendu")
        for key in ITEM_BOOLEANS:
            if key in item and not isinstance(item[key], bool):
                errors.add(f"{path}.{key}", "booléen attendu (true / false)")
        if "maxLength" in item and (not isinstance(item["maxLength"], int) or isinstance(item["maxLength"], bool)
                                    or item["maxLength"] < 1):
            errors.add(f"{path}.maxLength", "entier positif attendu")
        for key in ("answerOption", "answerValueSet"):
            if key in item and kind in ITEM_TYPES and kind not in CHOICE_TYPES:
                errors.add(f"{path}.{key}", f"réservé aux items de type choice ou open-choice (type : {kind})")
        if "answerOption" in item and not (isinstance(item["answerOption"], list)
                                           and all(isinstance(o, dict) for o in item["answerOption"])):
            errors.add(f"{path}.answerOption", "liste d'options attendue")
        for key in ("enableWhen", "initial", "extension", "code"):
            if key in item and not isinstance(item[key], list):
                errors.add(f"{path}.{key}", "liste attendue")
        children = item.get("item")
        if children is not None and not isinstance(children, list):
            errors.add(f"{path}.item", "liste d'items attendue")
            continue
        if kind == "group" and not children:
            errors.add(f"{path}.item", "un item de type group contient des items")
        if kind == "display" and children:
            errors.add(f"{path}.item", "un item de type display ne contient pas d'items")
        if children:
            _check_items(children, path, link_ids, errors, depth + 1, count)
