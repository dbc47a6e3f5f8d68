"""/api/v1 endpoints of issue 7: who am I, capacity, tension, board, audit, offer description edits
(quality/workflow in admin_quality_api).

Every endpoint authenticates (session + CSRF, or `Authorization: Bearer`), checks role and scope in the
service it calls, and answers in the API's one JSON shape (errors through web/errors.py).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from accounts.audit import entries
from accounts.web import authenticated, csrf_token, current_principal, init_app, log_in, log_out
from capacity import board as board_service
from capacity import service as capacity_service
from capacity import tension as tension_service
from core.errors import BadRequest
from core.identifiers import FINESS_PATTERN
from geo.territory import territory_choices
from quality import contacts as contact_service
from quality import description as description_service
from web.openapi import declare_operation, declare_security_scheme
from web.params import Param, parse
from web.services import services

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1")
bp.record_once(lambda state: init_app(state.app))

CODE_ID = r"[0-9A-Za-z._:-]{1,80}"
TERRITORY = r"[0-9]{2}|2[AB]|97[1-6]"
BOARD_PARAMS = (Param("region", "string", "Code région", pattern=r"[0-9]{2}", max_length=2),
                Param("department", "string", "Code département", pattern=TERRITORY, max_length=3))
AUDIT_PARAMS = (Param("target", "string", "Identifiant de l'objet modifié", max_length=80),
                Param("actor", "string", "Auteur", max_length=64),
                Param("action", "string", "Action (ex. capacity.update)", pattern=r"[a-z_.]{1,40}", max_length=40),
                Param("limit", "integer", "Nombre d'entrées", default=100, minimum=1, maximum=1000))
TENSION_PARAMS = (Param("department", "string", "Code département", pattern=TERRITORY, max_length=3),
                  Param("closed", "boolean", "Inclure les alertes closes", default=False))


def plain(value: Any) -> Any:
    """JSON-ready form of result dataclasses (datetimes and dates in ISO 8601)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "iso_format"):  # neo4j.time values
        return value.iso_format()
    return value


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    return body


def _ctx() -> dict:
    svc = services()
    settings = svc.settings
    client = None
    try:
        client = svc.get_search()
    except Exception:  # noqa: BLE001 - without an index the graph write still happens; sync catches up
        client = None
    return {"search_client": client, "index_prefix": settings.index_prefix}


def _stale_hours() -> float:
    return services().settings.capacity_stale_hours


# ------------------------------------------------------------------------------------------- session


@bp.post("/auth/login")
def api_login() -> Response:
    body = json_body()
    principal = log_in(str(body.get("username") or ""), str(body.get("password") or ""))
    return jsonify({"username": principal.username, "role": principal.role, "csrf_token": csrf_token()})


@bp.post("/auth/logout")
def api_logout() -> Response:
    authenticated()
    log_out()
    return jsonify({"ok": True})


@bp.get("/me")
def me() -> Response:
    principal = authenticated()
    user = principal.user
    return jsonify({"username": user.username, "role": user.role, "sites": list(user.sites),
                    "regions": list(user.regions), "via": principal.via})


# ------------------------------------------------------------------------------------------- capacity


@bp.get("/places/<place_id>/capacity")
def get_capacity(place_id: str) -> Response:
    principal = current_principal()
    if principal is not None:
        principal.require("capacity.read")
    graph = services().get_graph()
    place, latest = capacity_service.latest(graph, place_id, stale_hours=_stale_hours())
    body = {**place, "capacity": plain(latest), "stale_after_hours": _stale_hours()}
    if request.args.get("history") in {"1", "true", "oui"}:
        body["history"] = plain(capacity_service.history(graph, place_id, stale_hours=_stale_hours()))
    return jsonify(body)


@bp.put("/places/<place_id>/capacity")
def put_capacity(place_id: str) -> Response:
    principal = authenticated("capacity.write")
    written = capacity_service.update(services().get_graph(), principal, place_id, json_body(),
                                      stale_hours=_stale_hours(), **_ctx())
    return jsonify({"capacity": plain(written.capacity), "offer_ids": list(written.offer_ids),
                    "indexed": written.indexed})


@bp.get("/capacity/board")
def capacity_board() -> Response:
    principal = authenticated("board.read")
    args = parse(BOARD_PARAMS, request.args)
    every = [code for code, _, deps in territory_choices(services().settings.data_dir)
             if args["department"] is None or any(d == args["department"] for d, _ in deps)]
    rows = board_service.board(services().board_tables, principal, region=args["region"],
                               department=args["department"], stale_hours=_stale_hours(), regions=every)
    return jsonify({"rows": plain(rows), "stale_after_hours": _stale_hours()})


# ------------------------------------------------------------------------------------------- tension


@bp.get("/tension")
def tension_list() -> Response:
    principal = authenticated("tension.list")
    args = parse(TENSION_PARAMS, request.args)
    alerts = tension_service.live(services().get_graph(), principal, department=args["department"],
                                  include_closed=args["closed"])
    return jsonify({"alerts": plain(alerts)})


@bp.post("/sites/<finess>/tension")
def tension_open(finess: str) -> tuple[Response, int]:
    principal = authenticated("tension.write")
    alert = tension_service.open_alert(services().get_graph(), principal, finess, json_body(), **_ctx())
    return jsonify({"alert": plain(alert)}), 201


@bp.patch("/tension/<alert_id>")
def tension_update(alert_id: str) -> Response:
    principal = authenticated("tension.write")
    alert = tension_service.change_alert(services().get_graph(), principal, alert_id, json_body(), **_ctx())
    return jsonify({"alert": plain(alert)})


@bp.post("/tension/<alert_id>/close")
def tension_close(alert_id: str) -> Response:
    principal = authenticated("tension.write")
    body = request.get_json(silent=True) or {}
    alert = tension_service.change_alert(services().get_graph(), principal, alert_id, body, close=True, **_ctx())
    return jsonify({"alert": plain(alert)})


# ------------------------------------------------------------------------------------------- audit


@bp.get("/audit")
def audit_log() -> Response:
    principal = authenticated("audit.read")
    args = parse(AUDIT_PARAMS, request.args)
    found = entries(services().get_graph(), principal, target_id=args["target"], actor=args["actor"],
                    action=args["action"], limit=args["limit"])
    return jsonify({"entries": plain(found)})


# ------------------------------------------------------------------------------------------- offer description


def report_body(report) -> dict:
    """A quality report as JSON, with its count of blocking anomalies."""
    return {**plain(report), "blocking": len(report.blocking)}


def description_body(written) -> dict:
    return {"description": plain(written.description), "quality": report_body(written.report),
            "indexed": written.indexed, "changed": list(written.changed)}


@bp.get("/offers/<offer_id>/description")
def offer_description(offer_id: str) -> Response:
    principal = authenticated("offer.edit")
    found = description_service.read(services().get_graph(), principal, offer_id)
    return jsonify({"description": plain(found)})


@bp.patch("/offers/<offer_id>")
def offer_update(offer_id: str) -> Response:
    principal = authenticated("offer.edit")
    written = description_service.update(services().get_graph(), principal, offer_id, json_body(), **_ctx())
    return jsonify(description_body(written))


def contacts_body(written) -> dict:
    return {"contacts": plain(written.contacts), "quality": report_body(written.report), "indexed": written.indexed,
            "rpps": written.rpps, "action": written.action}


@bp.post("/sites/<finess>/offers")
def offer_create(finess: str) -> tuple[Response, int, dict]:
    """Declare a new unit of one of my sites, as a draft to describe (its quality report says what is missing)."""
    principal = authenticated("offer.edit")
    written = description_service.create(services().get_graph(), principal, finess, json_body())
    location = url_for("admin_api.offer_description", offer_id=written.description.offer_id)
    return jsonify(description_body(written)), 201, {"Location": location}


@bp.get("/offers/<offer_id>/contacts")
def offer_contacts(offer_id: str) -> Response:
    principal = authenticated("offer.edit")
    graph = services().get_graph()
    return jsonify({"contacts": plain(contact_service.read(graph, principal, offer_id)),
                    "choices": contact_service.choices(graph)})


@bp.put("/offers/<offer_id>/contacts/<rpps>")
def offer_contact_save(offer_id: str, rpps: str) -> tuple[Response, int]:
    principal = authenticated("offer.edit")
    written = contact_service.save(services().get_graph(), principal, offer_id, rpps, json_body(), **_ctx())
    return jsonify(contacts_body(written)), 201 if written.action == "created" else 200


@bp.delete("/offers/<offer_id>/contacts/<rpps>")
def offer_contact_remove(offer_id: str, rpps: str) -> Response:
    principal = authenticated("offer.edit")
    written = contact_service.remove(services().get_graph(), principal, offer_id, rpps,
                                     {"revision": request.args.get("revision")}, **_ctx())
    return jsonify(contacts_body(written))


# ------------------------------------------------------------------------------------------- OpenAPI

BEARER, SESSION, CSRF = "bearerToken", "sessionCookie", "csrfHeader"
declare_security_scheme(BEARER, {
    "type": "http", "scheme": "bearer",
    "description": "Jeton d'API pour les machines (`ror users token NOM`), envoyé en `Authorization: Bearer …`."})
declare_security_scheme(SESSION, {
    "type": "apiKey", "in": "cookie", "name": "session",
    "description": "Cookie de session ouvert par `POST /api/v1/auth/login` ou le formulaire de connexion."})
declare_security_scheme(CSRF, {
    "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
    "description": ("Jeton anti-CSRF de la session (`csrf_token` de la réponse de connexion) : exigé avec le cookie "
                    "de session pour toute écriture ; inutile avec un jeton d'API.")})
READ_SECURITY = [{BEARER: []}, {SESSION: []}]
WRITE_SECURITY = [{BEARER: []}, {SESSION: [], CSRF: []}]
ERROR_TEXT = {"400": "Saisie invalide : chaque champ fautif est nommé dans `fields`.",
              "401": "Authentification requise ou jeton invalide.",
              "403": "Rôle ou périmètre (établissement, région) insuffisant, ou jeton CSRF absent.",
              "404": "Objet introuvable.",
              "409": "Conflit : l'objet a changé entre-temps ou le passage est impossible.",
              "429": "Trop de tentatives de connexion.", "503": "Base de données indisponible."}


def path_param(name: str, description: str, pattern: str | None = None) -> dict:
    schema = {"type": "string", **({"pattern": f"^(?:{pattern})$"} if pattern else {})}
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def query_params(params) -> list[dict]:
    return [p.openapi() for p in params]


def json_request(properties: dict, required: list[str] | None = None, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, **({"required": required} if required else {})}
    return {"required": True, "description": description, "content": {"application/json": {"schema": schema}}}


def responses(ok: str, schema: dict, *errors: str, media: str = "application/json") -> dict:
    out = {ok: {"description": "Succès.", "content": {media: {"schema": schema}}}}
    for status in errors:
        out[status] = {"description": ERROR_TEXT[status],
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return out


def declare(method: str, path: str, operation_id: str, summary: str, *, tag: str, security: list | None,
            params: list | None = None, body: dict | None = None, ok: str = "200", schema: dict | None = None,
            errors: tuple[str, ...] = ("401", "403"), media: str = "application/json") -> None:
    """One non-GET-declared operation of the contribution API in the OpenAPI document."""
    operation = {"operationId": operation_id, "summary": summary, "tags": [tag],
                 "responses": responses(ok, schema or {"type": "object"}, *errors, media=media)}
    if security is not None:
        operation["security"] = security
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = body
    declare_operation(method, path, operation)


INT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
CODES = {"type": "array", "items": {"type": "string"}}
OBJ = {"type": "object"}
PLACE = path_param("place_id", "Identifiant du lieu de réalisation.", CODE_ID)
OFFER = path_param("offer_id", "Identifiant de l'offre.", CODE_ID)
FINESS = path_param("finess", "Numéro FINESS géographique.", FINESS_PATTERN)
ALERT = path_param("alert_id", "Identifiant de l'alerte de tension.", CODE_ID)
TENSION_BODY = {"level": {"type": "integer", "minimum": 1, "maximum": 4, "description": "1 vigilance … 4 crise"},
                "cause": {"type": "string", "maxLength": 1000},
                "actions": {"type": "string", "maxLength": 1000, "nullable": True}}
ALERT_SCHEMA = {"type": "object", "properties": {"alert": OBJ}}
TAG_ACCESS, TAG_CAPACITY, TAG_OFFER = "accès", "capacités et tension", "contribution"

declare("post", "/auth/login", "login", "Ouvre une session (cookie) et renvoie son jeton anti-CSRF.", tag=TAG_ACCESS,
        security=[], body=json_request({"username": TEXT, "password": TEXT}, ["username", "password"]),
        schema={"type": "object", "properties": {"username": TEXT, "role": TEXT, "csrf_token": TEXT}},
        errors=("400", "401", "429"))
declare("post", "/auth/logout", "logout", "Ferme la session.", tag=TAG_ACCESS, security=WRITE_SECURITY)
declare("get", "/me", "me", "Qui suis-je : rôle, établissements et régions de mon périmètre.", tag=TAG_ACCESS,
        security=READ_SECURITY, errors=("401",),
        schema={"type": "object", "properties": {"username": TEXT, "role": TEXT, "sites": CODES, "regions": CODES,
                                                 "via": TEXT}})
declare("get", "/places/{place_id}/capacity", "capacityGet",
        "Dernière capacité d'un lieu, son âge et le signal « périmée » (historique avec `history=1`).",
        tag=TAG_CAPACITY, security=[{}, *READ_SECURITY], errors=("403", "404"),
        params=[PLACE, {"name": "history", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": ["1", "true", "oui"]}}])
declare("put", "/places/{place_id}/capacity", "capacityPut",
        "Saisit les capacités disponibles d'un lieu (nouvel instantané, historique conservé, audit, index).",
        tag=TAG_CAPACITY, security=WRITE_SECURITY, params=[PLACE], errors=("400", "401", "403", "404"),
        body=json_request({**{name: INT for name in ("installed", "available_men", "available_women",
                                                     "available_undifferentiated", "forecast_d", "forecast_d1",
                                                     "closed_reopenable", "extra_beds")},
                           "forecast_date": {"type": "string", "format": "date"},
                           "crisis_type": {"type": "string", "enum": ["", "plan_blanc", "canicule", "epidemie", "sse",
                                                                      "grand_froid", "autre"]},
                           "note": {"type": "string", "maxLength": 500}}),
        schema={"type": "object", "properties": {"capacity": OBJ, "offer_ids": CODES, "indexed": {"type": "boolean"}}})
declare("get", "/capacity/board", "capacityBoard",
        "Tableau régional des capacités par activité et département : totaux et tendance sur 7 jours.",
        tag=TAG_CAPACITY, security=READ_SECURITY, params=query_params(BOARD_PARAMS), errors=("400", "401", "403"),
        schema={"type": "object", "properties": {"rows": {"type": "array", "items": OBJ}}})
declare("get", "/tension", "tensionList", "Alertes de tension en cours dans mes régions (coordinateurs).",
        tag=TAG_CAPACITY, security=READ_SECURITY, params=query_params(TENSION_PARAMS), errors=("400", "401", "403"),
        schema={"type": "object", "properties": {"alerts": {"type": "array", "items": OBJ}}})
declare("post", "/sites/{finess}/tension", "tensionOpen", "Ouvre une alerte de tension (niveau, cause, actions).",
        tag=TAG_CAPACITY, security=WRITE_SECURITY, params=[FINESS], ok="201", schema=ALERT_SCHEMA,
        body=json_request(TENSION_BODY, ["level", "cause"]), errors=("400", "401", "403", "404"))
declare("patch", "/tension/{alert_id}", "tensionUpdate", "Met à jour une alerte ouverte (niveau, cause, actions).",
        tag=TAG_CAPACITY, security=WRITE_SECURITY, params=[ALERT], body=json_request(TENSION_BODY),
        schema=ALERT_SCHEMA, errors=("400", "401", "403", "404", "409"))
declare("post", "/tension/{alert_id}/close", "tensionClose", "Clôt une alerte (actions finales facultatives).",
        tag=TAG_CAPACITY, security=WRITE_SECURITY, params=[ALERT], schema=ALERT_SCHEMA,
        errors=("400", "401", "403", "404", "409"))
declare("get", "/audit", "auditLog", "Journal d'audit (qui, quand, quoi, avant → après, d'où) de mes régions.",
        tag=TAG_ACCESS, security=READ_SECURITY, params=query_params(AUDIT_PARAMS), errors=("400", "401", "403"),
        schema={"type": "object", "properties": {"entries": {"type": "array", "items": OBJ}}})
DESCRIPTION_BODY = {
    "revision": {"type": "integer", "minimum": 0,
                 "description": "Révision lue (GET …/description) : une révision dépassée est refusée (409)."},
    **{name: {"type": "string", "nullable": True} for name in description_service.TEXT_FIELDS},
    **{name: {**CODES, "description": f"Codes NOS {vs} ({label}) : liste complète remplaçant l'actuelle."}
       for name, (vs, label) in description_service.CODE_FIELDS.items()}}
RPPS_PARAM = path_param("rpps", "Identifiant RPPS du professionnel.", contact_service.RPPS)
CONTACT_BODY = {
    "revision": DESCRIPTION_BODY["revision"],
    **{name: {"type": "string", "nullable": True, "description": f"Code NOS {vs} ({label}) ; vide : retiré."}
       for name, (vs, label) in contact_service.CODE_FIELDS.items()},
    **{name: {"type": "string", "nullable": True, "maxLength": limit, "description": label}
       for name, (label, limit) in contact_service.TEXT_FIELDS.items()}}
CONTACTS_ANSWER = {"type": "object", "properties": {"contacts": OBJ, "quality": OBJ, "indexed": {"type": "boolean"},
                                                    "rpps": {"type": "string"}, "action": {"type": "string"}}}
declare("post", "/sites/{finess}/offers", "offerCreate",
        "Déclare une nouvelle offre (unité) d'un de mes établissements, en brouillon : son rapport de qualité dit ce "
        "qui manque à sa description minimale avant validation.", tag=TAG_OFFER, security=WRITE_SECURITY,
        params=[FINESS], body=json_request({"name": {"type": "string", "maxLength": 200}}, ["name"]), ok="201",
        errors=("400", "401", "403", "404"),
        schema={"type": "object", "properties": {"description": OBJ, "quality": OBJ}})
declare("get", "/offers/{offer_id}/contacts", "offerContacts",
        "Contacts d'une offre de mon périmètre (fonction J220, nature J221, courriel, téléphone de chaque rôle), "
        "sa révision et les codes possibles.", tag=TAG_OFFER, security=READ_SECURITY, params=[OFFER],
        errors=("401", "403", "404"), schema={"type": "object", "properties": {"contacts": OBJ, "choices": OBJ}})
declare("put", "/offers/{offer_id}/contacts/{rpps}", "offerContactSave",
        "Modifie le contact d'un professionnel dans l'offre, ou l'ajoute (201) s'il n'y en a pas encore : codes NOS "
        "vérifiés, révision de la description incrémentée, audit, index.", tag=TAG_OFFER, security=WRITE_SECURITY,
        params=[OFFER, RPPS_PARAM], body=json_request(CONTACT_BODY, ["revision"]),
        errors=("400", "401", "403", "404", "409"), schema=CONTACTS_ANSWER)
declare("delete", "/offers/{offer_id}/contacts/{rpps}", "offerContactRemove",
        "Retire le contact d'un professionnel de l'offre (le professionnel reste au répertoire ; pierre tombale FHIR "
        "du PractitionerRole si l'offre est publiée).", tag=TAG_OFFER, security=WRITE_SECURITY,
        params=[OFFER, RPPS_PARAM, {"name": "revision", "in": "query", "required": True,
                                    "schema": {"type": "integer", "minimum": 0},
                                    "description": "Révision de la description lue."}],
        errors=("400", "401", "403", "404", "409"), schema=CONTACTS_ANSWER)
declare("get", "/offers/{offer_id}/description", "offerDescription",
        "Description modifiable d'une offre de mon périmètre, avec sa révision.", tag=TAG_OFFER,
        security=READ_SECURITY, params=[OFFER], errors=("401", "403", "404"),
        schema={"type": "object", "properties": {"description": OBJ}})
declare("patch", "/offers/{offer_id}", "offerUpdate",
        "Modifie la description d'une offre (codes NOS vérifiés, audit, index, qualité réévaluée).", tag=TAG_OFFER,
        security=WRITE_SECURITY, params=[OFFER], body=json_request(DESCRIPTION_BODY, ["revision"]),
        errors=("400", "401", "403", "404", "409"),
        schema={"type": "object", "properties": {"description": OBJ, "quality": OBJ, "indexed": {"type": "boolean"},
                                                 "changed": CODES}})
