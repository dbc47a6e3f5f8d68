"""/api/v1/territories: the picture of a territory, two territories compared, coverage gaps of an activity.

GET endpoints name territories by code (`FR`, `R84`, `D01`…) and are declared with `web.params` like the rest of
the API (they join `web.api.DECLARED`, so the OpenAPI document and the fuzz tests cover them). Their POST twins
under `/territories/zone/…` take a GeoJSON polygon in a JSON body (`{"geometry": …, "name": …}`) and are declared
as operations of their own (`web.openapi.Operation`, method POST).

Access: public. Everything returned is an aggregate over offers that the orientation search already shows to
anyone (published offers, their capacity and open tension level) and public population figures; no person,
no alert text, no unpublished offer. Coordinators are the intended users, but nothing here needs their rights.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from core.errors import BadRequest
from core.jsonable import jsonable
from geo import territory as territories
from geo.territory_coverage import CoverageResult
from search.territory_picture import Comparison, Picture, TerritoryService, require_rows
from web.api import DECLARED, bp
from web.openapi import Operation, declare
from web.params import Param, parse
from web.services import services

CODE_HELP = "FR (France entière), R + code de région (ex. R84) ou D + code de département (ex. D01, D2A, D971)."
CODE = territories.CODE_PATTERN
MAX_KM = Param("max_km", "number", "Seuil de distance en km : une commune plus éloignée de toute offre est signalée.",
               default=30.0, minimum=1, maximum=300, example=30)
ACTIVITY = Param("activity", "string", "Activité : code NOS J17 (ex. 249 urgences pédiatriques).",
                 pattern=r"[0-9A-Za-z._-]{1,20}", max_length=20, example="083")
FAMILY = Param("family", "string", "Ou famille d'activités : code NOS J51 (toutes ses activités).",
               pattern=r"[0-9A-Za-z._-]{1,20}", max_length=20)
FORMAT = Param("format", "string", "json (synthèse), csv (toutes les communes) ou geojson (carte choroplèthe).",
               default="json", enum=("json", "csv", "geojson"))
LIMIT = Param("limit", "integer", "Nombre de communes les plus éloignées listées (format json).", default=50,
              minimum=0, maximum=1000)
COVERAGE_PARAMS = (ACTIVITY, FAMILY, MAX_KM, FORMAT, LIMIT)

PICTURE = Operation(
    rule="/territories/picture", operation_id="territoryPicture", tag="territoires",
    summary="Portrait d'un territoire : offres par famille et champ, lits, tensions, professionnels pour 100 000 hab.",
    description="Agrégats publics (offres publiées, données synthétiques). Pour une zone dessinée ou importée, "
                "envoyer le polygone GeoJSON en POST.",
    params=(Param("territory", "string", "Territoire : " + CODE_HELP, required=True, pattern=CODE, max_length=4,
                  example="D40"),),
    response=Picture,
)
COMPARE = Operation(
    rule="/territories/compare", operation_id="territoryCompare", tag="territoires",
    summary="Deux territoires côte à côte (valeurs brutes et pour 100 000 habitants).",
    params=(Param("a", "string", "Premier territoire : " + CODE_HELP, required=True, pattern=CODE, max_length=4,
                  example="D40"),
            Param("b", "string", "Second territoire : " + CODE_HELP, required=True, pattern=CODE, max_length=4,
                  example="D64")),
    response=Comparison,
)
COVERAGE = Operation(
    rule="/territories/coverage", operation_id="territoryCoverage", tag="territoires",
    summary="Communes à plus de N km de toute offre d'une activité (offres de toute la France), population "
            "concernée ; en JSON, CSV ou GeoJSON.",
    description="Distance à vol d'oiseau (haversine) du centroïde de chaque commune à l'offre la plus proche, "
                "où qu'elle soit (effet frontière pris en compte).",
    params=(Param("territory", "string", "Territoire : " + CODE_HELP, required=True, pattern=CODE, max_length=4,
                  example="R75"), *COVERAGE_PARAMS),
    response=CoverageResult, other_media=("text/csv", "application/geo+json"),
)

GEOMETRY_BODY = {
    "type": "object", "required": ["geometry"], "additionalProperties": False,
    "properties": {
        "geometry": {"type": "object", "description": "GeoJSON Polygon ou MultiPolygon (WGS84, longitude d'abord), "
                                                      "ou une Feature / FeatureCollection de polygones."},
        "name": {"type": "string", "maxLength": 80, "description": "Nom affiché de la zone."},
    },
}
COMPARE_BODY = {
    "type": "object", "required": ["a", "b"], "additionalProperties": False,
    "properties": {side: {"description": "Code de territoire (" + CODE_HELP + ") ou polygone GeoJSON.",
                          "oneOf": [{"type": "string"}, {"type": "object"}]} for side in ("a", "b")}
    | {"a_name": {"type": "string", "maxLength": 80}, "b_name": {"type": "string", "maxLength": 80}},
}


def service() -> TerritoryService:
    svc = services()
    svc.ensure_reachable()
    settings = svc.settings
    return TerritoryService(svc.get_graph(), svc.get_search(), settings.data_dir, settings.index_prefix,
                            settings.capacity_stale_hours)


def data_dir():
    return services().settings.data_dir


def json_body(allowed: set[str]) -> dict:
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise BadRequest("Corps de requête attendu : un objet JSON (ex. {\"geometry\": {…GeoJSON…}}).",
                         fields={"body": "objet JSON attendu"})
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequest("Champ inconnu : " + ", ".join(unknown) + ".", fields={k: "champ inconnu" for k in unknown})
    return body


def body_name(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and (not isinstance(value, str) or len(value) > 80):
        raise BadRequest(f"Nom de zone invalide : {key}.", fields={key: "texte d'au plus 80 caractères"})
    return value


def shape_of(body: dict) -> territories.Territory:
    if "geometry" not in body:
        raise BadRequest("Polygone manquant : champ « geometry » (GeoJSON) attendu.",
                         fields={"geometry": "obligatoire"})
    return territories.resolve_shape(data_dir(), body["geometry"], name=body_name(body, "name"))


def coverage_response(territory: territories.Territory, args: dict) -> Response:
    require_rows(territory)
    result = service().coverage(territory, args["activity"], args["family"], args["max_km"])
    if args["format"] == "csv":
        what = f"famille-{result.activity.family}" if result.activity.family else result.activity.codes[0]
        filename = f"couverture-{what}-{(territory.code or 'zone').lower()}.csv"
        return Response(result.to_csv(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    if args["format"] == "geojson":
        response = jsonify(result.to_geojson())
        response.mimetype = "application/geo+json"
        return response
    return jsonify(jsonable(result.result(args["limit"])))


# ------------------------------------------------------------------------------------------- GET


def route_get(ep: Operation, view) -> None:
    def wrapper(**path_values):
        args = parse(ep.params, request.args, path_values)
        out = view(args)
        return out if isinstance(out, Response) else jsonify(out)

    wrapper.__name__ = ep.operation_id
    bp.add_url_rule(ep.rule, ep.operation_id, wrapper, methods=["GET"])
    DECLARED.append(declare(ep))


def picture_view(args: dict) -> dict:
    territory = territories.resolve_code(data_dir(), args["territory"])
    return jsonable(service().picture(territory))


def compare_view(args: dict) -> dict:
    a = territories.resolve_code(data_dir(), args["a"], "a")
    b = territories.resolve_code(data_dir(), args["b"], "b")
    return jsonable(service().compare(a, b))


def coverage_view(args: dict) -> Response:
    return coverage_response(territories.resolve_code(data_dir(), args["territory"]), args)


# ------------------------------------------------------------------------------------------- POST (GeoJSON)


def picture_post():
    territory = shape_of(json_body({"geometry", "name"}))
    return jsonify(jsonable(service().picture(territory)))


def compare_post():
    body = json_body({"a", "b", "a_name", "b_name"})
    sides = []
    for side in ("a", "b"):
        if side not in body:
            raise BadRequest(f"Territoire manquant : {side}.", fields={side: "obligatoire"})
        value = body[side]
        if not isinstance(value, (str, dict)):
            raise BadRequest(f"Territoire invalide : {side} (code ou polygone GeoJSON attendu).",
                             fields={side: "code ou GeoJSON attendu"})
        sides.append(territories.resolve(data_dir(), value, field=side, name=body_name(body, f"{side}_name")))
    return jsonify(jsonable(service().compare(*sides)))


def coverage_post():
    args = parse(COVERAGE_PARAMS, request.args)
    return coverage_response(shape_of(json_body({"geometry", "name"})), args)


def zone_operation(ep: Operation, operation_id: str, params: tuple[Param, ...], body: dict) -> Operation:
    """The POST twin of a GET territory operation: the same answer for a GeoJSON zone sent in the body."""
    return Operation(rule=ep.rule.replace("/territories/", "/territories/zone/"), method="post",
                     operation_id=operation_id, summary=ep.summary + " (zone GeoJSON en corps de requête)",
                     tag=ep.tag, params=params, body=body, response=ep.response, other_media=ep.other_media,
                     errors=(400, 404, 503), error_text={400: "Paramètre ou GeoJSON invalide.",
                                                         404: "Aucune commune dans la zone.",
                                                         503: "Moteur indisponible."})


route_get(PICTURE, picture_view)
route_get(COMPARE, compare_view)
route_get(COVERAGE, coverage_view)
# POST rules of their own (not the GET rules): a POST to a GET endpoint stays a 405 like everywhere in the API.
for _ep, _op, _params, _body, _view in ((PICTURE, "territoryPicturePolygon", (), GEOMETRY_BODY, picture_post),
                                        (COMPARE, "territoryComparePolygons", (), COMPARE_BODY, compare_post),
                                        (COVERAGE, "territoryCoveragePolygon", COVERAGE_PARAMS, GEOMETRY_BODY,
                                         coverage_post)):
    _zone = declare(zone_operation(_ep, _op, _params, _body))
    bp.add_url_rule(_zone.rule, _op, _view, methods=["POST"])
