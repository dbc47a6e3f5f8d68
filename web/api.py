"""/api/v1: JSON views. Each view parses its declared parameters, calls the orientation service, serialises."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Callable
from functools import wraps
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from core.errors import BadRequest, NotFound, RorError
from core.jsonable import dumps, jsonable
from search import models
from search.query import PUBLISHED
from web import endpoints as spec
from web import graph_reads
from web.errors import error_body
from web.openapi import API_PREFIX, Operation, declare, document
from web.params import parse
from web.services import services

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
DECLARED: list[Operation] = []  # the GET operations whose arguments are parsed from their declaration


def api_endpoint(ep: Operation) -> Callable:
    """Register `view(args)` under `ep.rule`; arguments are parsed from the one declaration."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**path_values):
            args = parse(ep.params, request.args, path_values)
            answer = view(args)
            return answer if isinstance(answer, Response) else jsonify(answer)

        bp.add_url_rule(ep.rule, ep.operation_id, wrapper, methods=["GET"])
        DECLARED.append(declare(ep))
        return view

    return decorate


def app_version() -> str:
    try:
        return version("ror-graph")
    except PackageNotFoundError:
        return "0.0.0"


@bp.get("/openapi.json")
def openapi_document() -> Response:
    cached = current_app.extensions.get("ror_openapi")
    if cached is None:
        cached = document(version=app_version())
        current_app.extensions["ror_openapi"] = cached
    return jsonify(cached)


@bp.get("/health")
def health() -> Response:
    """Engines reachable or not (always JSON, 200 or 503), and the index's lag: `index_outbox.pending` changes
    waiting to reach OpenSearch, the oldest `oldest_seconds` old."""
    svc = services()
    status = {}
    for name, probe in (("neo4j", lambda: svc.get_graph().ping()), ("opensearch", lambda: svc.get_search().info())):
        try:
            probe()
            status[name] = "ok"
        except Exception:  # noqa: BLE001 - any failure means "down" for a health probe
            status[name] = "indisponible"
    lag = _index_lag(svc) if status["neo4j"] == "ok" else None
    if all(v == "ok" for v in status.values()):
        return jsonify({"status": "ok", "engines": status, "index_outbox": lag})
    body = error_body(503, "service_unavailable", "Moteur indisponible : " + ", ".join(
        k for k, v in status.items() if v != "ok") + ".")
    body["error"]["fields"] = status
    if lag is not None:  # known only while Neo4j answers (OpenSearch down: the changes waiting for it)
        body["index_outbox"] = lag
    response = jsonify(body)
    response.status_code = 503
    return response


def _index_lag(svc) -> dict | None:
    """How far the search index lags behind the graph: changes waiting in the index outbox (search/outbox.py)."""
    from search import outbox

    try:
        return outbox.stats(svc.get_graph(), svc.settings.index_prefix)
    except Exception:  # noqa: BLE001 - the health answer must not fail on its own details
        return None


# ------------------------------------------------------------------------------------------- queries


def where_of(args: dict) -> models.Where | None:
    lat, lon = args.get("lat"), args.get("lon")
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise BadRequest(f"Paramètre invalide : {missing}.", fields={missing: "latitude et longitude vont ensemble"})
    if lat is not None:
        return models.Where(lat=lat, lon=lon, text=args.get("where") or None)
    if args.get("where"):
        return models.Where(text=args["where"])
    return None


def encode_cursor(page: int, search_after) -> str:
    raw = json.dumps({"p": page, "sa": list(search_after)}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, tuple]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        page, search_after = int(data["p"]), tuple(data["sa"])
        if page < 1 or not search_after:
            raise ValueError(cursor)
        return page, search_after
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("Paramètre invalide : cursor.", fields={"cursor": "curseur illisible"}) from None


def common(args: dict) -> dict:
    page, search_after = args["page"], None
    if args.get("cursor"):
        page, search_after = decode_cursor(args["cursor"])
    return {"where": where_of(args), "radius_km": args["radius_km"], "region": args["region"],
            "department": args["department"], "page": page, "size": args["size"], "search_after": search_after,
            "widen": args["widen"]}


def json_answer(body: object) -> Response:
    """`jsonify(jsonable(body))`, the same bytes, without copying the dataclasses into dicts first (core.jsonable.dumps:
    the JSON of 20 hits was ≈ 6 ms of a 41 ms request, docs/benchmarks.md issue 15)."""
    return current_app.response_class(dumps(body) + b"\n", mimetype=current_app.json.mimetype)


def paginated(result: models.SearchResult) -> Response:
    body = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    body["links"] = pagination_links(result)
    return json_answer(body)


def pagination_links(result: models.SearchResult) -> dict:
    """Same criteria in a canonical order; `next` continues after the last hit (or null at the end)."""
    base = [(k, v) for k, v in sorted(request.args.items(multi=True)) if k not in {"page", "cursor"}]
    this = [*base, *([("cursor", request.args["cursor"])] if request.args.get("cursor") else
                     [("page", str(result.page))])]
    nxt = None
    if result.page * result.size < result.total and result.hits:
        if result.next_search_after:
            nxt = [*base, ("cursor", encode_cursor(result.page + 1, result.next_search_after))]
        elif result.page < 50:
            nxt = [*base, ("page", str(result.page + 1))]
    return {"self": _url(this), "next": _url(nxt) if nxt is not None else None}


def _url(pairs: list[tuple[str, str]]) -> str:
    return request.path + ("?" + urlencode(pairs) if pairs else "")


def specialist_query(args: dict) -> models.SpecialistOpinionQuery:
    return models.SpecialistOpinionQuery(activity=args["activity"], age_group=args["age_group"],
                                         public=args["public"], contact_function=args["contact_function"],
                                         **common(args))


def act_query(args: dict) -> models.ActTeamQuery:
    return models.ActTeamQuery(act=args["act"], age_group=args["age_group"], **common(args))


def equipment_query(args: dict) -> models.EquipmentQuery:
    return models.EquipmentQuery(equipment=args["equipment"], open_now=args["open_now"], **common(args))


def beds_query(args: dict) -> models.BedsQuery:
    return models.BedsQuery(activity=args["activity"], care_mode=args["care_mode"],
                            gender=models.Gender(args["gender"]), min_available=args["min_available"],
                            include_stale=args["include_stale"], age_group=args["age_group"], **common(args))


def text_query(args: dict) -> models.TextQuery:
    return models.TextQuery(text=args["q"] or "", activity=args["activity"], care_mode=args["care_mode"],
                            field=args["field"], category=args["category"], **common(args))


@api_endpoint(spec.SPECIALIST_OPINION)
def specialist_opinion(args: dict) -> Response:
    return paginated(services().orientation.specialist_opinion(specialist_query(args)))


@api_endpoint(spec.ACT_TEAM)
def act_team(args: dict) -> Response:
    return paginated(services().orientation.act_team(act_query(args)))


@api_endpoint(spec.EQUIPMENT)
def equipment(args: dict) -> Response:
    return paginated(services().orientation.equipment(equipment_query(args)))


@api_endpoint(spec.BEDS)
def beds(args: dict) -> Response:
    return paginated(services().orientation.beds(beds_query(args)))


@api_endpoint(spec.SEARCH)
def search(args: dict) -> Response:
    return paginated(services().orientation.text(text_query(args)))


@api_endpoint(spec.AUTOCOMPLETE)
def autocomplete(args: dict) -> Response:
    kinds = args["kinds"] or next(p.enum for p in spec.AUTOCOMPLETE.params if p.name == "kinds")
    suggestions = services().orientation.autocomplete(args["prefix"], kinds, args["limit"])
    return json_answer({"suggestions": list(suggestions)})


def may_see_unpublished(kind: str, target_id: str) -> bool:
    """Whether the caller (session or bearer token) may see unpublished offers of this offer/site: its
    contributors, the coordinators of its région, admins. Anonymous readers and other roles may not."""
    from accounts.store import UserStore
    from accounts.web import current_principal

    try:
        principal = current_principal()
    except RorError:  # an invalid token on a public page: treated as anonymous here
        return False
    if principal is None or not principal.can("offer.read_unpublished"):
        return False
    try:
        return principal.in_scope(UserStore(services().get_graph()).locate(kind, target_id))
    except NotFound:
        return False


def visible_offer(offer_id: str) -> models.OfferDetail:
    """An offer's detail for this caller: unpublished offers are "not found" except for who may see them."""
    service = services().details
    detail = service.offer(offer_id, include_unpublished=True)
    if detail is None or (detail.status != PUBLISHED and not may_see_unpublished("offer", offer_id)):
        raise NotFound(f"Offre introuvable : {offer_id}.", fields={"offer_id": offer_id})
    return detail


def visible_site(finess: str) -> models.SiteDetail:
    """A site's detail; its unpublished offers are listed only for who may see them."""
    return services().details.site(finess, include_unpublished=may_see_unpublished("site", finess))


@api_endpoint(spec.SITE)
def site(args: dict) -> dict:
    found = visible_site(args["finess"])
    if found is None:
        raise NotFound(f"Aucun établissement avec le numéro FINESS {args['finess']}.")
    return jsonable(found)


@api_endpoint(spec.OFFER)
def offer(args: dict) -> dict:
    found = visible_offer(args["offer_id"])
    if found is None:
        raise NotFound("Aucune offre avec cet identifiant.")
    return jsonable(found)


@api_endpoint(spec.PROFESSIONAL)
def professional(args: dict) -> dict:
    found = graph_reads.professional(services().get_graph(), args["rpps"])
    if found is None:
        raise NotFound("Aucun professionnel avec cet identifiant.")
    return found
