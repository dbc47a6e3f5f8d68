"""/api/v1 endpoints of issue 7: who am I, capacity, tension, board, audit, offer description edits
(quality/workflow in admin_quality_api).

Every endpoint authenticates (session + CSRF, or `Authorization: Bearer`), checks role and scope in the
service it calls, and answers in the API's one JSON shape (errors through web/errors.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from accounts.audit import entries
from accounts.web import authenticated, csrf_token, current_principal, init_app, log_in, log_out
from capacity import board as board_service
from capacity import service as capacity_service
from capacity import tension as tension_service
from core.errors import BadRequest
from core.identifiers import FINESS_PATTERN
from core.jsonable import jsonable
from geo.territory import territory_choices
from quality import contacts as contact_service
from quality import description as description_service
from web.openapi import Operation, declare, declare_security_scheme, json_object
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


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    return body


def _ctx() -> dict:
    return {"sync": services().index_sync()}


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
    body = {**place, "capacity": jsonable(latest), "stale_after_hours": _stale_hours()}
    if parse((HISTORY,), request.args)["history"]:
        body["history"] = jsonable(capacity_service.history(graph, place_id, stale_hours=_stale_hours()))
    return jsonify(body)


@bp.put("/places/<place_id>/capacity")
def put_capacity(place_id: str) -> Response:
    principal = authenticated("capacity.write")
    written = capacity_service.update(services().get_graph(), principal, place_id, json_body(),
                                      stale_hours=_stale_hours(), **_ctx())
    return jsonify({"capacity": jsonable(written.capacity), "offer_ids": list(written.offer_ids),
                    "indexed": written.indexed})


@bp.get("/capacity/board")
def capacity_board() -> Response:
    principal = authenticated("board.read")
    args = parse(BOARD_PARAMS, request.args)
    every = [code for code, _, deps in territory_choices(services().settings.data_dir)
             if args["department"] is None or any(d == args["department"] for d, _ in deps)]
    rows = board_service.board(services().board_tables, principal, region=args["region"],
                               department=args["department"], stale_hours=_stale_hours(), regions=every)
    return jsonify({"rows": jsonable(rows), "stale_after_hours": _stale_hours()})


# ------------------------------------------------------------------------------------------- tension


@bp.get("/tension")
def tension_list() -> Response:
    principal = authenticated("tension.list")
    args = parse(TENSION_PARAMS, request.args)
    alerts = tension_service.live(services().get_graph(), principal, department=args["department"],
                                  include_closed=args["closed"])
    return jsonify({"alerts": jsonable(alerts)})


@bp.post("/sites/<finess>/tension")
def tension_open(finess: str) -> tuple[Response, int]:
    principal = authenticated("tension.write")
    alert = tension_service.open_alert(services().get_graph(), principal, finess, json_body(), **_ctx())
    return jsonify({"alert": jsonable(alert)}), 201


@bp.patch("/tension/<alert_id>")
def tension_update(alert_id: str) -> Response:
    principal = authenticated("tension.write")
    alert = tension_service.change_alert(services().get_graph(), principal, alert_id, json_body(), **_ctx())
    return jsonify({"alert": jsonable(alert)})


@bp.post("/tension/<alert_id>/close")
def tension_close(alert_id: str) -> Response:
    principal = authenticated("tension.write")
    body = request.get_json(silent=True) or {}
    alert = tension_service.change_alert(services().get_graph(), principal, alert_id, body, close=True, **_ctx())
    return jsonify({"alert": jsonable(alert)})


# ------------------------------------------------------------------------------------------- audit


@bp.get("/audit")
def audit_log() -> Response:
    principal = authenticated("audit.read")
    args = parse(AUDIT_PARAMS, request.args)
    found = entries(services().get_graph(), principal, target_id=args["target"], actor=args["actor"],
                    action=args["action"], limit=args["limit"])
    return jsonify({"entries": jsonable(found)})


# ------------------------------------------------------------------------------------------- offer description


def report_body(report) -> dict:
    """A quality report as JSON, with its count of blocking anomalies."""
    return {**jsonable(report), "blocking": len(report.blocking)}


def description_body(written) -> dict:
    return {"description": jsonable(written.description), "quality": report_body(written.report),
            "indexed": written.indexed, "changed": list(written.changed)}


@bp.get("/offers/<offer_id>/description")
def offer_description(offer_id: str) -> Response:
    principal = authenticated("offer.edit")
    found = description_service.read(services().get_graph(), principal, offer_id)
    return jsonify({"description": jsonable(found)})


@bp.patch("/offers/<offer_id>")
def offer_update(offer_id: str) -> Response:
    principal = authenticated("offer.edit")
    written = description_service.update(services().get_graph(), principal, offer_id, json_body(), **_ctx())
    return jsonify(description_body(written))


def contacts_body(written) -> dict:
    return {"contacts": jsonable(written.contacts), "quality": report_body(written.report), "indexed": written.indexed,
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
    return jsonify({"contacts": jsonable(contact_service.read(graph, principal, offer_id)),
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
READ_SECURITY = ({BEARER: []}, {SESSION: []})
WRITE_SECURITY = ({BEARER: []}, {SESSION: [], CSRF: []})
INT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
CODES = {"type": "array", "items": {"type": "string"}}
OBJ = {"type": "object"}
PLACE = Param("place_id", "string", "Identifiant du lieu de réalisation.", location="path", pattern=CODE_ID)
OFFER = Param("offer_id", "string", "Identifiant de l'offre.", location="path", pattern=CODE_ID)
FINESS = Param("finess", "string", "Numéro FINESS géographique.", location="path", pattern=FINESS_PATTERN)
ALERT = Param("alert_id", "string", "Identifiant de l'alerte de tension.", location="path", pattern=CODE_ID)
HISTORY = Param("history", "boolean", "Avec l'historique des saisies.", default=False)
TENSION_BODY = {"level": {"type": "integer", "minimum": 1, "maximum": 4, "description": "1 vigilance … 4 crise"},
                "cause": {"type": "string", "maxLength": 1000},
                "actions": {"type": "string", "maxLength": 1000, "nullable": True}}
ALERT_SCHEMA = {"type": "object", "properties": {"alert": OBJ}}
TAG_ACCESS, TAG_CAPACITY, TAG_OFFER = "accès", "capacités et tension", "contribution"

declare(Operation(
    rule="/auth/login", method="post", operation_id="login",
    summary="Ouvre une session (cookie) et renvoie son jeton anti-CSRF.", tag=TAG_ACCESS, security=(),
    body=json_object({"username": TEXT, "password": TEXT}, ["username", "password"]),
    response={"type": "object", "properties": {"username": TEXT, "role": TEXT, "csrf_token": TEXT}},
    errors=(400, 401, 429)))
declare(Operation(
    rule="/auth/logout", method="post", operation_id="logout", summary="Ferme la session.", tag=TAG_ACCESS,
    security=WRITE_SECURITY, response={"type": "object"}, errors=(401, 403)))
declare(Operation(
    rule="/me", method="get", operation_id="me",
    summary="Qui suis-je : rôle, établissements et régions de mon périmètre.", tag=TAG_ACCESS, security=READ_SECURITY,
    response={"type": "object", "properties": {"username": TEXT, "role": TEXT, "sites": CODES, "regions": CODES,
                                               "via": TEXT}}, errors=(401,)))
declare(Operation(
    rule="/places/<place_id>/capacity", method="get", operation_id="capacityGet",
    summary="Dernière capacité d'un lieu, son âge et le signal « périmée » (historique avec `history=1`).",
    tag=TAG_CAPACITY, security=({}, *READ_SECURITY),
    params=(PLACE, HISTORY), response={"type": "object"},
    errors=(403, 404)))
declare(Operation(
    rule="/places/<place_id>/capacity", method="put", operation_id="capacityPut",
    summary="Saisit les capacités disponibles d'un lieu (nouvel instantané, historique conservé, audit, index).",
    tag=TAG_CAPACITY, security=WRITE_SECURITY, params=(PLACE,),
    body=json_object({**{name: INT for name in ("installed", "available_men", "available_women",
                                                "available_undifferentiated", "forecast_d", "forecast_d1",
                                                "closed_reopenable", "extra_beds")},
                      "forecast_date": {"type": "string", "format": "date"},
                      "crisis_type": {"type": "string", "enum": ["", "plan_blanc", "canicule", "epidemie", "sse",
                                                                 "grand_froid", "autre"]},
                      "note": {"type": "string", "maxLength": 500}}),
    response={"type": "object", "properties": {"capacity": OBJ, "offer_ids": CODES, "indexed": {"type": "boolean"}}},
    errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/capacity/board", method="get", operation_id="capacityBoard",
    summary="Tableau régional des capacités par activité et département : totaux et tendance sur 7 jours.",
    tag=TAG_CAPACITY, security=READ_SECURITY, params=BOARD_PARAMS,
    response={"type": "object", "properties": {"rows": {"type": "array", "items": OBJ}}}, errors=(400, 401, 403)))
declare(Operation(
    rule="/tension", method="get", operation_id="tensionList",
    summary="Alertes de tension en cours dans mes régions (coordinateurs).", tag=TAG_CAPACITY, security=READ_SECURITY,
    params=TENSION_PARAMS, response={"type": "object", "properties": {"alerts": {"type": "array", "items": OBJ}}},
    errors=(400, 401, 403)))
declare(Operation(
    rule="/sites/<finess>/tension", method="post", operation_id="tensionOpen",
    summary="Ouvre une alerte de tension (niveau, cause, actions).", tag=TAG_CAPACITY, security=WRITE_SECURITY,
    params=(FINESS,), body=json_object(TENSION_BODY, ["level", "cause"]), ok=201, response=ALERT_SCHEMA,
    errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/tension/<alert_id>", method="patch", operation_id="tensionUpdate",
    summary="Met à jour une alerte ouverte (niveau, cause, actions).", tag=TAG_CAPACITY, security=WRITE_SECURITY,
    params=(ALERT,), body=json_object(TENSION_BODY), response=ALERT_SCHEMA, errors=(400, 401, 403, 404, 409)))
declare(Operation(
    rule="/tension/<alert_id>/close", method="post", operation_id="tensionClose",
    summary="Clôt une alerte (actions finales facultatives).", tag=TAG_CAPACITY, security=WRITE_SECURITY,
    params=(ALERT,), response=ALERT_SCHEMA, errors=(400, 401, 403, 404, 409)))
declare(Operation(
    rule="/audit", method="get", operation_id="auditLog",
    summary="Journal d'audit (qui, quand, quoi, avant → après, d'où) de mes régions.", tag=TAG_ACCESS,
    security=READ_SECURITY, params=AUDIT_PARAMS,
    response={"type": "object", "properties": {"entries": {"type": "array", "items": OBJ}}}, errors=(400, 401, 403)))
DESCRIPTION_BODY = {
    "revision": {"type": "integer", "minimum": 0,
                 "description": "Révision lue (GET …/description) : une révision dépassée est refusée (409)."},
    **{name: {"type": "string", "nullable": True} for name in description_service.TEXT_FIELDS},
    **{name: {**CODES, "description": f"Codes NOS {vs} ({label}) : liste complète remplaçant l'actuelle."}
       for name, (vs, label) in description_service.CODE_FIELDS.items()}}
RPPS_PARAM = Param("rpps", "string", "Identifiant RPPS du professionnel.", location="path",
                   pattern=contact_service.RPPS)
CONTACT_BODY = {
    "revision": DESCRIPTION_BODY["revision"],
    **{name: {"type": "string", "nullable": True, "description": f"Code NOS {vs} ({label}) ; vide : retiré."}
       for name, (vs, label) in contact_service.CODE_FIELDS.items()},
    **{name: {"type": "string", "nullable": True, "maxLength": limit, "description": label}
       for name, (label, limit) in contact_service.TEXT_FIELDS.items()}}
CONTACTS_ANSWER = {"type": "object", "properties": {"contacts": OBJ, "quality": OBJ, "indexed": {"type": "boolean"},
                                                    "rpps": {"type": "string"}, "action": {"type": "string"}}}
declare(Operation(
    rule="/sites/<finess>/offers", method="post", operation_id="offerCreate",
    summary="Déclare une nouvelle offre (unité) d'un de mes établissements, en brouillon : son rapport de qualité dit "
            "ce qui manque à sa description minimale avant validation.", tag=TAG_OFFER, security=WRITE_SECURITY,
    params=(FINESS,), body=json_object({"name": {"type": "string", "maxLength": 200}}, ["name"]), ok=201,
    response={"type": "object", "properties": {"description": OBJ, "quality": OBJ}}, errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/offers/<offer_id>/contacts", method="get", operation_id="offerContacts",
    summary="Contacts d'une offre de mon périmètre (fonction J220, nature J221, courriel, téléphone de chaque rôle), "
            "sa révision et les codes possibles.", tag=TAG_OFFER, security=READ_SECURITY, params=(OFFER,),
    response={"type": "object", "properties": {"contacts": OBJ, "choices": OBJ}}, errors=(401, 403, 404)))
declare(Operation(
    rule="/offers/<offer_id>/contacts/<rpps>", method="put", operation_id="offerContactSave",
    summary="Modifie le contact d'un professionnel dans l'offre, ou l'ajoute (201) s'il n'y en a pas encore : codes "
            "NOS vérifiés, révision de la description incrémentée, audit, index.", tag=TAG_OFFER,
    security=WRITE_SECURITY, params=(OFFER, RPPS_PARAM), body=json_object(CONTACT_BODY, ["revision"]),
    response=CONTACTS_ANSWER, errors=(400, 401, 403, 404, 409)))
declare(Operation(
    rule="/offers/<offer_id>/contacts/<rpps>", method="delete", operation_id="offerContactRemove",
    summary="Retire le contact d'un professionnel de l'offre (le professionnel reste au répertoire ; pierre tombale "
            "FHIR du PractitionerRole si l'offre est publiée).", tag=TAG_OFFER, security=WRITE_SECURITY,
    params=(OFFER, RPPS_PARAM, Param("revision", "integer", "Révision de la description lue.", required=True,
                                     minimum=0)), response=CONTACTS_ANSWER,
    errors=(400, 401, 403, 404, 409)))
declare(Operation(
    rule="/offers/<offer_id>/description", method="get", operation_id="offerDescription",
    summary="Description modifiable d'une offre de mon périmètre, avec sa révision.", tag=TAG_OFFER,
    security=READ_SECURITY, params=(OFFER,), response={"type": "object", "properties": {"description": OBJ}},
    errors=(401, 403, 404)))
declare(Operation(
    rule="/offers/<offer_id>", method="patch", operation_id="offerUpdate",
    summary="Modifie la description d'une offre (codes NOS vérifiés, audit, index, qualité réévaluée).", tag=TAG_OFFER,
    security=WRITE_SECURITY, params=(OFFER,), body=json_object(DESCRIPTION_BODY, ["revision"]),
    response={"type": "object", "properties": {"description": OBJ, "quality": OBJ, "indexed": {"type": "boolean"},
                                               "changed": CODES}}, errors=(400, 401, 403, 404, 409)))
