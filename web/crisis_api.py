"""/api/v1 endpoints of the crisis modules (issue 17): plan blanc (SSE) and the crisis board, emergency activity
in near real time, adverse-event forms (FEI-RTU). Logic lives in crisis/, emergency/ and fei/; every endpoint
authenticates (bearer token, or session + CSRF for writes) and answers errors in the API's one JSON shape."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, request, url_for

from accounts.web import authenticated, init_app
from core.errors import BadRequest
from core.identifiers import FINESS_PATTERN
from core.jsonable import jsonable
from crisis import board as crisis_board
from crisis import declarations
from crisis import plan as crisis_plan
from emergency import dashboard as emergency_dashboard
from emergency import indicators, thresholds
from emergency import service as emergency_service
from fei import form as fei_form
from fei import service as fei_service
from web.admin_api import (
    FINESS,
    READ_SECURITY,
    WRITE_SECURITY,
    json_body,
)
from web.openapi import Operation, declare, json_object
from web.params import Param, parse
from web.services import services

bp = Blueprint("crisis_api", __name__, url_prefix="/api/v1")
bp.record_once(lambda state: init_app(state.app))

TERRITORY = r"[0-9]{2}|2[AB]|97[1-6]"
AREA = (Param("region", "string", "Code région (défaut : mes régions).", pattern=r"[0-9]{2}", max_length=2),
        Param("department", "string", "Code département.", pattern=TERRITORY, max_length=3))
SITE_HOURS = (Param("hours", "integer", "Messages reçus des N dernières heures.", default=24, minimum=1,
                    maximum=24 * 30),)
FEI_LIST = (Param("state", "string", "État des fiches.", enum=tuple(fei_form.STATES)),
            Param("limit", "integer", "Nombre de fiches.", default=100, minimum=1, maximum=500))
FEI_STATS = (Param("region", "string", "Code région (défaut : mes régions).", pattern=r"[0-9]{2}", max_length=2),
             Param("from", "string", "Évènements à partir de cette date (AAAA-MM-JJ).", pattern=r"\d{4}-\d{2}-\d{2}",
                   max_length=10),
             Param("to", "string", "Évènements jusqu'à cette date incluse (AAAA-MM-JJ).",
                   pattern=r"\d{4}-\d{2}-\d{2}", max_length=10))


def _graph():
    return services().get_graph()


# ------------------------------------------------------------------------------------------- plan blanc (SSE)


@bp.get("/crisis/lists")
def crisis_lists() -> Response:
    return jsonify({"plan_levels": declarations.PLAN_LEVELS, "bed_activities": declarations.BED_ACTIVITIES,
                    "bed_delays": declarations.BED_DELAYS, "equipment": declarations.EQUIPMENT,
                    "medicines": declarations.MEDICINES, "resource_fields": declarations.RESOURCE_FIELDS})


@bp.get("/crisis/sites/<finess>")
def crisis_site(finess: str) -> Response:
    principal = authenticated("crisis.read")
    return jsonify({"site": jsonable(crisis_plan.site(_graph(), principal, finess))})


@bp.put("/crisis/sites/<finess>/plan")
def crisis_plan_set(finess: str) -> Response:
    principal = authenticated("crisis.write")
    state = crisis_plan.set_plan(_graph(), principal, finess, json_body())
    return jsonify({"plan": {**jsonable(state), "label": state.label}})


@bp.put("/crisis/sites/<finess>/resources")
def crisis_resources_set(finess: str) -> Response:
    principal = authenticated("crisis.write")
    return jsonify({"resources": jsonable(crisis_plan.declare_resources(_graph(), principal, finess, json_body()))})


def _board():
    principal = authenticated("crisis.board")
    args = parse(AREA, request.args)
    return crisis_board.board(_graph(), principal, region=args["region"], department=args["department"])


@bp.get("/crisis/board")
def crisis_board_get() -> Response:
    found = _board()
    return jsonify({"totals": jsonable(found.totals), "surveys": jsonable(found.surveys), "rows": jsonable(found.rows),
                    "synthetic": any(r.synthetic for r in found.rows)})


@bp.get("/crisis/board.csv")
def crisis_board_csv() -> Response:
    found = _board()
    return Response("\ufeff" + crisis_board.to_csv(found), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=plan-blanc.csv"})


@bp.post("/crisis/regions/<region>/survey")
def crisis_survey_open(region: str) -> tuple[Response, int]:
    principal = authenticated("crisis.survey")
    survey = crisis_plan.open_survey(_graph(), principal, region, json_body().get("reason"))
    return jsonify({"survey": jsonable(survey)}), 201


@bp.post("/crisis/regions/<region>/survey/close")
def crisis_survey_close(region: str) -> Response:
    principal = authenticated("crisis.survey")
    return jsonify({"survey": jsonable(crisis_plan.close_survey(_graph(), principal, region))})


# ------------------------------------------------------------------------------------------- emergency activity


@bp.post("/emergency/reports")
def emergency_report() -> tuple[Response, int]:
    principal = authenticated("emergency.report")
    graph = _graph()
    receipt = emergency_service.submit(graph, principal, json_body())
    if receipt.signal is not None:
        emergency_service.push_signal(graph, receipt, services().index_sync())
    return jsonify({"receipt": jsonable(receipt)}), 201 if receipt.status == "accepted" else 200


@bp.get("/emergency/thresholds")
def emergency_thresholds() -> Response:
    return jsonify({"indicators": indicators.LABELS, "derived": indicators.DERIVED,
                    "rules": jsonable(list(thresholds.rules()))})


@bp.get("/emergency/dashboard")
def emergency_dashboard_get() -> Response:
    principal = authenticated("emergency.dashboard")
    args = parse(AREA, request.args)
    found = emergency_dashboard.dashboard(_graph(), principal, region=args["region"], department=args["department"])
    return jsonify(emergency_dashboard.dashboard_json(found))


@bp.get("/emergency/sites/<finess>")
def emergency_site(finess: str) -> Response:
    principal = authenticated("emergency.read")
    args = parse(SITE_HOURS, request.args)
    activity, reports, name = emergency_dashboard.site(_graph(), principal, finess, hours=args["hours"])
    return jsonify({"finess": finess, "site_name": name,
                    "activity": emergency_dashboard.activity_json(activity) if activity else None,
                    "reports": jsonable(reports)})


# ------------------------------------------------------------------------------------------- adverse events


@bp.get("/fei/categories")
def fei_categories() -> Response:
    return jsonify({"categories": jsonable([c for c in fei_form.categories().values() if not c.retired]),
                    "states": fei_form.STATES})


@bp.post("/fei")
def fei_file() -> tuple[Response, int, dict]:
    principal = authenticated("fei.file")
    form = fei_service.file(_graph(), principal, json_body())
    return jsonify({"form": jsonable(form)}), 201, {"Location": url_for("crisis_api.fei_get", form_id=form.id)}


@bp.get("/fei")
def fei_list() -> Response:
    principal = authenticated("fei.read")
    args = parse(FEI_LIST, request.args)
    return jsonify({"forms": jsonable(fei_service.forms(_graph(), principal, state=args["state"],
                                                     limit=args["limit"]))})


@bp.get("/fei/stats")
def fei_stats() -> Response:
    principal = authenticated("fei.stats")
    args = parse(FEI_STATS, request.args)
    try:
        start = date.fromisoformat(args["from"]) if args["from"] else None
        end = date.fromisoformat(args["to"]) if args["to"] else None
    except ValueError as exc:
        raise BadRequest("Date invalide : format attendu AAAA-MM-JJ.",
                         fields={"from": "AAAA-MM-JJ", "to": "AAAA-MM-JJ"}) from exc
    return jsonify(jsonable(fei_service.stats(_graph(), principal, region=args["region"], start=start, end=end)))


@bp.get("/fei/<form_id>")
def fei_get(form_id: str) -> Response:
    principal = authenticated("fei.read")
    return jsonify({"form": jsonable(fei_service.get(_graph(), principal, form_id))})


@bp.post("/fei/<form_id>/answers")
def fei_answer(form_id: str) -> tuple[Response, int]:
    principal = authenticated("fei.read")
    return jsonify({"form": jsonable(fei_service.answer(_graph(), principal, form_id, json_body()))}), 201


@bp.post("/fei/<form_id>/state")
def fei_state(form_id: str) -> Response:
    principal = authenticated("fei.manage")
    return jsonify({"form": jsonable(fei_service.transition(_graph(), principal, form_id, json_body()))})


# ------------------------------------------------------------------------------------------- OpenAPI

PUBLIC = [{}, *READ_SECURITY]  # readable without an account (a token or a session is accepted too)
OBJ, TEXT, INT = {"type": "object"}, {"type": "string"}, {"type": "integer", "minimum": 0}
TAG_CRISIS, TAG_EMERGENCY, TAG_FEI = "plan blanc (SSE)", "activité des urgences", "évènements indésirables"
REGION = Param("region", "string", "Code région.", location="path", pattern=r"[0-9]{2}")
FORM = Param("form_id", "string", "Identifiant de la fiche.", location="path", pattern=r"[0-9a-f-]{36}")
PLAN_BODY = {"active": {"type": "boolean", "description": "true : plan blanc déclenché ; false : levé."},
             "level": {"type": "integer", "enum": list(declarations.PLAN_LEVELS),
                       "description": "; ".join(f"{k} : {v}" for k, v in declarations.PLAN_LEVELS.items())},
             "since": {"type": "string", "format": "date-time",
                       "description": "Heure de déclenchement (défaut : maintenant ; conservée si le niveau change)."},
             "note": {"type": "string", "maxLength": declarations.MAX_NOTE}}
RESOURCES_BODY = {**{name: {**INT, "description": label} for name, label in declarations.RESOURCE_FIELDS.items()},
                  "note": {"type": "string", "maxLength": declarations.MAX_NOTE}}
REPORT_BODY = {"message_id": {"type": "string", "pattern": "^[A-Za-z0-9._:@-]{1,100}$",
                              "description": "Identifiant unique du message chez l'émetteur : renvoyer le même "
                                             "message ne l'enregistre qu'une fois (200 « duplicate »)."},
               "finess": {"type": "string", "pattern": f"^{FINESS_PATTERN}$",
                          "description": "FINESS géographique de la structure des urgences."},
               "observed_at": {"type": "string", "format": "date-time",
                               "description": "Heure à laquelle les chiffres sont vrais (ISO 8601 avec fuseau ; au "
                                              "plus 30 jours en arrière, 5 min en avance)."},
               **{name: {**INT, "description": label} for name, (label, _) in indicators.COUNTS.items()},
               **{name: {"type": "number", "minimum": 0, "maximum": 100, "description": label}
                  for name, label in indicators.SHARES.items()}}
FEI_BODY = {"occurred_on": {"type": "string", "format": "date"},
            "category": {"type": "string", "enum": [c for c in fei_form.categories()]},
            "sites": {"type": "array", "items": {"type": "string", "pattern": f"^{FINESS_PATTERN}$"},
                      "minItems": 1, "maxItems": fei_form.MAX_SITES,
                      "description": "FINESS des structures concernées (leurs référents reçoivent la fiche)."},
            "description": {"type": "string", "maxLength": fei_form.MAX_DESCRIPTION,
                            "description": "Sans identité de patient : un nom avec une date de naissance ou un NIR "
                                           "sont refusés (400, raison donnée)."}}

declare(Operation(
    rule="/crisis/lists", method="get", operation_id="crisisLists",
    summary="Listes du plan blanc : niveaux, activités des lits ouvrables, "
            "équipements, médicaments critiques.", tag=TAG_CRISIS, security=PUBLIC, response={"type": "object"},
    errors=()))
declare(Operation(
    rule="/crisis/sites/<finess>", method="get", operation_id="crisisSite",
    summary="Plan blanc et ressources de crise d'un établissement, avec "
            "leur historique et l'enquête régionale en cours.", tag=TAG_CRISIS, security=READ_SECURITY,
    params=(FINESS,), response={"type": "object", "properties": {"site": OBJ}}, errors=(401, 403, 404)))
declare(Operation(
    rule="/crisis/sites/<finess>/plan", method="put", operation_id="crisisPlanSet",
    summary="Déclenche, change de niveau ou lève le plan blanc "
            "(nouvel état, historique conservé, audit).", tag=TAG_CRISIS, security=WRITE_SECURITY, params=(FINESS,),
    body=json_object(PLAN_BODY, ["active"]), response={"type": "object", "properties": {"plan": OBJ}},
    errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/crisis/sites/<finess>/resources", method="put", operation_id="crisisResourcesSet",
    summary="Déclare les ressources de crise (lits "
            "ouvrables sous 24 h / 48 h par activité, respirateurs, ECMO, décontamination, blocs, personnels "
            "rappelables, stocks de médicaments critiques).", tag=TAG_CRISIS, security=WRITE_SECURITY, params=(FINESS,),
    body=json_object(RESOURCES_BODY), response={"type": "object", "properties": {"resources": OBJ}},
    errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/crisis/board", method="get", operation_id="crisisBoard",
    summary="Tableau de crise de mes régions : état du plan blanc et ressources "
            "par établissement, qui n'a pas répondu à l'enquête et depuis quand, totaux.", tag=TAG_CRISIS,
    security=READ_SECURITY, params=AREA,
    response={"type": "object", "properties": {"totals": OBJ, "surveys": OBJ, "rows": {"type": "array",
                                                                                       "items": OBJ}}},
    errors=(400, 401, 403)))
declare(Operation(
    rule="/crisis/board.csv", method="get", operation_id="crisisBoardCsv",
    summary="Le tableau de crise en CSV (séparateur ;).", tag=TAG_CRISIS, security=READ_SECURITY, params=AREA,
    response={"type": "string"}, errors=(400, 401, 403), media="text/csv"))
declare(Operation(
    rule="/crisis/regions/<region>/survey", method="post", operation_id="crisisSurveyOpen",
    summary="Lance une enquête de crise dans la région : "
            "chaque établissement doit déclarer ses ressources (la précédente est close).", tag=TAG_CRISIS,
    security=WRITE_SECURITY, params=(REGION,),
    body=json_object({"reason": {"type": "string", "maxLength": 300}}, ["reason"]), ok=201,
    response={"type": "object", "properties": {"survey": OBJ}}, errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/crisis/regions/<region>/survey/close", method="post", operation_id="crisisSurveyClose",
    summary="Clôt l'enquête de crise en cours.", tag=TAG_CRISIS, security=WRITE_SECURITY, params=(REGION,),
    response={"type": "object", "properties": {"survey": OBJ}}, errors=(401, 403, 404)))
declare(Operation(
    rule="/emergency/reports", method="post", operation_id="emergencyReport",
    summary="Message d'activité d'une structure des urgences (RPU "
            "étendus) : 201 enregistré, 200 déjà reçu (même identifiant, même contenu), 409 identifiant réutilisé pour "
            "un autre contenu. Un message en retard est gardé dans l'historique sans remplacer le dernier ; un seuil "
            "franchi ouvre ou relève l'alerte de tension de l'établissement.", tag=TAG_EMERGENCY,
    security=WRITE_SECURITY, body=json_object(REPORT_BODY, ["message_id", "finess", "observed_at", *(
        n for n, (_, required) in indicators.COUNTS.items() if required)]),
    ok=201, response={"type": "object", "properties": {"receipt": OBJ}}, errors=(400, 401, 403, 404, 409)))
declare(Operation(
    rule="/emergency/thresholds", method="get", operation_id="emergencyThresholds",
    summary="Indicateurs et seuils de tension (données).", tag=TAG_EMERGENCY, security=PUBLIC,
    response={"type": "object"}, errors=()))
declare(Operation(
    rule="/emergency/dashboard", method="get", operation_id="emergencyDashboard",
    summary="Tableau régional des urgences : dernières valeurs, "
            "tendance 24 h et 7 jours (valeurs horaires), fraîcheur, seuil franchi et depuis quand, structures "
            "muettes.", tag=TAG_EMERGENCY, security=READ_SECURITY, params=AREA,
    response={"type": "object", "properties": {"rows": {"type": "array",
                                                        "items": OBJ}}}, errors=(400, 401, 403)))
declare(Operation(
    rule="/emergency/sites/<finess>", method="get", operation_id="emergencySite",
    summary="Activité d'une structure des urgences et ses messages "
            "récents.", tag=TAG_EMERGENCY, security=READ_SECURITY, params=(FINESS, *SITE_HOURS),
    response={"type": "object", "properties": {"activity": OBJ}}, errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/fei/categories", method="get", operation_id="feiCategories",
    summary="Catégories et états des fiches d'évènements indésirables.", tag=TAG_FEI, security=PUBLIC,
    response={"type": "object"}, errors=()))
declare(Operation(
    rule="/fei", method="post", operation_id="feiFile",
    summary="Déclare une fiche d'évènement indésirable (transmise aux référents des "
            "structures concernées et aux coordinateurs du réseau).", tag=TAG_FEI, security=WRITE_SECURITY,
    body=json_object(FEI_BODY, ["occurred_on", "category", "sites", "description"]), ok=201,
    response={"type": "object", "properties": {"form": OBJ}}, errors=(400, 401, 403)))
declare(Operation(
    rule="/fei", method="get", operation_id="feiList",
    summary="Les fiches dont je suis partie (auteur, référent, coordinateur).", tag=TAG_FEI, security=READ_SECURITY,
    params=FEI_LIST, response={"type": "object", "properties": {"forms": {"type": "array", "items": OBJ}}},
    errors=(400, 401, 403)))
declare(Operation(
    rule="/fei/stats", method="get", operation_id="feiStats",
    summary="Statistiques par catégorie et par structure (revue du réseau).", tag=TAG_FEI, security=READ_SECURITY,
    params=FEI_STATS, response={"type": "object"}, errors=(400, 401, 403)))
declare(Operation(
    rule="/fei/<form_id>", method="get", operation_id="feiGet",
    summary="Une fiche, ses réponses et ses changements d'état.", tag=TAG_FEI, security=READ_SECURITY, params=(FORM,),
    response={"type": "object", "properties": {"form": OBJ}}, errors=(401, 403, 404)))
declare(Operation(
    rule="/fei/<form_id>/answers", method="post", operation_id="feiAnswer",
    summary="Répond à une fiche (une des parties ; sans identité de "
            "patient).", tag=TAG_FEI, security=WRITE_SECURITY, params=(FORM,),
    body=json_object({"text": {"type": "string", "maxLength": fei_form.MAX_ANSWER}}, ["text"]), ok=201,
    response={"type": "object", "properties": {"form": OBJ}}, errors=(400, 401, 403, 404, 409)))
declare(Operation(
    rule="/fei/<form_id>/state", method="post", operation_id="feiState",
    summary="Fait avancer la fiche : déclarée → en analyse → clôturée "
            "(actions décidées obligatoires) ; coordinateurs.", tag=TAG_FEI, security=WRITE_SECURITY, params=(FORM,),
    body=json_object({"to": {"type": "string", "enum": list(fei_form.STATES)},
                      "actions": {"type": "string", "maxLength": fei_form.MAX_ANSWER}}, ["to"]),
    response={"type": "object", "properties": {"form": OBJ}}, errors=(400, 401, 403, 404, 409)))
