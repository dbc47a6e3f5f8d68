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

from flask import Blueprint, Response, jsonify, request

from accounts.web import authenticated, csrf_token, current_principal, init_app, log_in, log_out
from audit.log import entries
from capacity import board as board_service
from capacity import service as capacity_service
from capacity import tension as tension_service
from quality import description as description_service
from ror.errors import BadRequest
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
    rows = board_service.board(services().get_graph(), principal, region=args["region"],
                               department=args["department"], stale_hours=_stale_hours())
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


def description_body(written) -> dict:
    report = plain(written.report)
    report["blocking"] = len(written.report.blocking)
    return {"description": plain(written.description), "quality": report, "indexed": written.indexed,
            "changed": list(written.changed)}


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
