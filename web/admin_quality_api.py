"""/api/v1 endpoints of issue 7 for data quality: rules, reports, workflow, population follow-up, NOS codes."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from accounts.web import authenticated, init_app
from core.clock import paris_today
from core.errors import BadRequest
from core.jsonable import jsonable
from quality import nos, population, workflow
from quality import service as quality
from quality.rules import rule_table
from web.admin_api import (
    FINESS,
    OFFER,
    READ_SECURITY,
    WRITE_SECURITY,
    _ctx,
    json_body,
    report_body,
)
from web.openapi import Operation, declare, json_object
from web.params import Param, parse
from web.services import services

bp = Blueprint("admin_quality_api", __name__, url_prefix="/api/v1")
bp.record_once(lambda state: init_app(state.app))
REGION = (Param("region", "string", "Code région", required=True, pattern=r"[0-9]{2}", max_length=2),)
WORKLIST = (Param("queue", "string", "File de validation : " + " ; ".join(f"{k} = {v}" for k, v in
                                                                         quality.QUEUES.items()),
                  default="validated_direction", enum=tuple(quality.QUEUES)),
            Param("limit", "integer", "Offres listées au plus (les plus anciennes d'abord).",
                  default=quality.WORKLIST_LIMIT, minimum=1, maximum=1000))


@bp.get("/quality/rules")
def rules() -> Response:
    authenticated("quality.read")
    return jsonify({"rules": rule_table()})


@bp.get("/quality/offers/<offer_id>")
def offer_quality(offer_id: str) -> Response:
    principal = authenticated("quality.read")
    report = quality.offer_report(services().get_graph(), principal, offer_id)
    body = report_body(report)
    body["next_statuses"] = workflow.allowed_next(report.status, principal.role, report.changed_since_publication)
    return jsonify(body)


@bp.get("/quality/sites/<finess>")
def site_quality(finess: str) -> Response:
    principal = authenticated("quality.read")
    report = quality.site_report(services().get_graph(), principal, finess)
    return jsonify({"finess": report.finess, "completeness": report.completeness, "anomalies": report.anomalies,
                    "offers": [report_body(r) for r in report.offers]})


@bp.get("/quality/regions/<region>")
def region_quality(region: str) -> Response:
    principal = authenticated("quality.read")
    args = parse(REGION, {"region": region})
    return jsonify(jsonable(quality.region_report(services().get_graph(), principal, args["region"])))


@bp.get("/quality/regions/<region>/worklist")
def region_worklist(region: str) -> Response:
    principal = authenticated("validation.queue")
    args = parse(REGION + WORKLIST, {**request.args.to_dict(), "region": region})
    found = quality.worklist(services().get_graph(), principal, args["region"], args["queue"], args["limit"])
    body = jsonable(found)
    body["offers"] = [{**jsonable(item), "report": report_body(item.report)} for item in found.offers]
    return jsonify(body)


@bp.post("/offers/<offer_id>/status")
def offer_status(offer_id: str) -> Response:
    principal = authenticated("workflow.transition")
    body = json_body()
    revision = body.get("revision")
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool) or revision < 0):
        raise BadRequest("La révision doit être un entier positif.", fields={"revision": "entier ≥ 0"})
    moved = workflow.transition(services().get_graph(), principal, offer_id, str(body.get("to") or ""),
                                revision=revision, **_ctx())
    return jsonify(jsonable(moved))


POPULATION = (*REGION, Param("department", "string", "Code département (un de la région) : limite le suivi à ses "
                                                      "établissements.", pattern=r"[0-9][0-9AB][0-9]?", max_length=3))


@bp.get("/population")
def population_table() -> Response:
    principal = authenticated("population.read")
    args = parse(POPULATION, request.args)
    rows = population.table(services().get_graph(), principal, args["region"], args.get("department"),
                            tables=services().population_tables)
    return jsonify({"region": args["region"], "department": args.get("department"), "rows": jsonable(rows)})


@bp.get("/population.csv")
def population_csv() -> Response:
    principal = authenticated("population.read")
    args = parse(POPULATION, request.args)
    department = args.get("department")
    rows = population.table(services().get_graph(), principal, args["region"], department,
                            tables=services().population_tables)
    name = args["region"] + (f"-{department}" if department else "")
    return Response(population.to_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="suivi-peuplement-{name}.csv"'})


@bp.put("/sites/<finess>/population")
def population_update(finess: str) -> Response:
    principal = authenticated("population.write")
    return jsonify({"finess": finess, "population": jsonable(
        population.update(services().get_graph(), principal, finess, json_body()))})


@bp.get("/nos/retired")
def retired_codes_in_use() -> Response:
    authenticated("nos.report")
    graph = services().get_graph()
    uses = nos.offers_using(graph, nos.retired_keys(graph, as_of=paris_today()))
    return jsonify({"uses": jsonable(uses)})


# ------------------------------------------------------------------------------------------- OpenAPI

TAG = "qualité et peuplement"
REGION_PATH = Param("region", "string", "Code région (INSEE).", location="path", pattern=r"[0-9]{2}")
REPORT = {"type": "object", "properties": {"offer_id": {"type": "string"}, "status": {"type": "string"},
                                           "completeness": {"type": "integer"}, "blocking": {"type": "integer"},
                                           "anomalies": {"type": "array", "items": {"type": "object"}}}}
declare(Operation(
    rule="/quality/rules", method="get", operation_id="qualityRules",
    summary="Les règles de qualité (données) : identifiant, champ, gravité.", tag=TAG, security=READ_SECURITY,
    response={"type": "object", "properties": {"rules": {"type": "array"}}}, errors=(401, 403)))
declare(Operation(
    rule="/quality/offers/<offer_id>", method="get", operation_id="qualityOffer",
    summary="Complétude et anomalies d'une offre (règle et champ), passages de statut possibles.", tag=TAG,
    security=READ_SECURITY, params=(OFFER,), response=REPORT, errors=(401, 403, 404)))
declare(Operation(
    rule="/quality/sites/<finess>", method="get", operation_id="qualitySite",
    summary="Complétude et anomalies des offres d'un établissement.", tag=TAG, security=READ_SECURITY, params=(FINESS,),
    response={"type": "object", "properties": {"finess": {"type": "string"}, "completeness": {"type": "integer"},
                                               "offers": {"type": "array", "items": REPORT}}}, errors=(401, 403, 404)))
declare(Operation(
    rule="/quality/regions/<region>", method="get", operation_id="qualityRegion",
    summary="Distribution de la complétude d'une région.", tag=TAG, security=READ_SECURITY, params=(REGION_PATH,),
    response={"type": "object"}, errors=(400, 401, 403)))
declare(Operation(
    rule="/quality/regions/<region>/worklist", method="get", operation_id="qualityWorklist",
    summary="Files de validation d'une région (coordinateurs) : offres à publier, modifiées depuis leur publication, "
            "en attente de la direction, brouillons ; effectif de chaque file.", tag=TAG, security=READ_SECURITY,
    params=(REGION_PATH, *WORKLIST), errors=(400, 401, 403), response={"type": "object", "properties": {
        "region": {"type": "string"}, "queue": {"type": "string"}, "counts": {"type": "object"},
        "offers": {"type": "array", "items": {"type": "object", "properties": {
            "report": REPORT, "site_finess": {"type": "string"}, "updated_at": {"type": "string"}}}}}}))
declare(Operation(
    rule="/offers/<offer_id>/status", method="post", operation_id="offerStatus",
    summary="Fait avancer une offre dans le circuit de validation (brouillon → … → publiée) ou la renvoie en "
            "brouillon ; l'index de recherche suit aussitôt (seules les offres publiées sont publiques).", tag=TAG,
    security=WRITE_SECURITY, params=(OFFER,),
    body=json_object({"to": {"type": "string", "enum": list(workflow.STATUSES)},
                      "revision": {"type": "integer", "minimum": 0,
                                   "description": "Révision de la description relue : le passage est "
                                                  "refusé (409) si elle a changé depuis."}}, ["to"]),
    response={"type": "object", "properties": {"offer_id": {"type": "string"}, "before": {"type": "string"},
                                               "status": {"type": "string"}, "indexed": {"type": "boolean"}}},
    errors=(400, 401, 403, 404, 409)))
declare(Operation(
    rule="/population", method="get", operation_id="population",
    summary="Suivi du peuplement par établissement d'une région.", tag=TAG, security=READ_SECURITY, params=POPULATION,
    response={"type": "object"}, errors=(400, 401, 403)))
declare(Operation(
    rule="/population.csv", method="get", operation_id="populationCsv", summary="Le même suivi du peuplement en CSV.",
    tag=TAG, security=READ_SECURITY, params=POPULATION, response={"type": "string"}, errors=(400, 401, 403),
    media="text/csv"))
declare(Operation(
    rule="/sites/<finess>/population", method="put", operation_id="populationUpdate",
    summary="Dates de campagne, de formations et de validation ARS d'un établissement.", tag=TAG,
    security=WRITE_SECURITY, params=(FINESS,), body=json_object({}), response={"type": "object"},
    errors=(400, 401, 403, 404)))
declare(Operation(
    rule="/nos/retired", method="get", operation_id="nosRetired",
    summary="Offres utilisant des codes NOS retirés de la version chargée.", tag=TAG, security=READ_SECURITY,
    response={"type": "object", "properties": {"uses": {"type": "array", "items": {"type": "object"}}}},
    errors=(401, 403)))
