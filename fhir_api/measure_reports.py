"""/fhir/MeasureReport: one route for every kind of MeasureReport the product serves, each kind answered by its
provider (the emergency activity per site and hour is one; the région indicators can be another). A provider
owns its ids (`owns`) and its measure's canonical URL; a search names the measure (`measure=`), or is answered by
the only provider whose `accepts` says yes. Mounted by the web app like the other optional parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from flask import Blueprint, Response, current_app, request

from core.errors import BadRequest, NotFound, RorError

FHIR_JSON = "application/fhir+json; charset=utf-8"


@dataclass(frozen=True)
class Provider:
    measure: str  # canonical URL of the Measure its reports answer
    owns: Callable[[str], bool]  # is this MeasureReport id one of ours?
    read: Callable[[str], dict]  # the resource, or NotFound
    accepts: Callable[[dict], bool]  # can it answer a search with these parameters (no `measure` given)?
    search: Callable[[dict, str], dict]  # (parameters, base URL) → searchset Bundle
    measures: tuple[str, ...] = ()  # other canonical URLs it answers (the steering indicators: one per indicator)

    def answers(self, value: str) -> bool:
        """Is `measure=value` one of ours: a canonical URL, `Measure/<id>` or the bare id?"""
        wanted = value.rstrip("/").rsplit("/", 1)[-1]
        return any(value == url or wanted == url.rsplit("/", 1)[-1] for url in (self.measure, *self.measures))


PROVIDERS: list[Callable[[], Provider]] = []  # factories, called per request (they read the app's graph)

bp = Blueprint("fhir_measure_reports", __name__, url_prefix="/fhir")


def _providers() -> list[Provider]:
    return [factory() for factory in PROVIDERS]


def _respond(body: dict, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, content_type=FHIR_JSON)


def _outcome(exc: RorError) -> Response:
    code = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found"}.get(exc.status, "exception")
    return _respond({"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": code, "diagnostics": exc.message}]}, exc.status)


@bp.get("/MeasureReport/<report_id>")
def read(report_id: str) -> Response:
    try:
        for provider in _providers():
            if provider.owns(report_id):
                return _respond(provider.read(report_id))
        raise NotFound(f"MeasureReport/{report_id} introuvable.")
    except RorError as exc:
        if exc.status >= 500:
            raise
        return _outcome(exc)


@bp.get("/MeasureReport")
def search() -> Response:
    params = {k: request.args.getlist(k) for k in request.args}
    base = request.url_root.rstrip("/") + "/fhir"
    try:
        providers = _providers()
        measure = [m for value in params.get("measure", []) for m in value.split(",") if m]
        if measure:
            chosen = [p for p in providers if any(p.answers(m) for m in measure)]
            if not chosen:  # no report of an unknown measure: an empty result, as for any reference
                return _respond({"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": [],
                                 "link": [{"relation": "self", "url": request.url}]})
        else:
            chosen = [p for p in providers if p.accepts(params)]
            if len(chosen) != 1:
                raise BadRequest("Précisez la mesure (paramètre measure) : "
                                 + ", ".join(p.measure for p in providers) + ".")
        return _respond(chosen[0].search(params, base))
    except RorError as exc:
        if exc.status >= 500:
            raise
        return _outcome(exc)


def register(app) -> None:
    """Mount the MeasureReport route (idempotent; `fhir_api.register` mounts it with /fhir). The
    CapabilityStatement lists MeasureReport with the indicators' parameters (fhir_api.measures)."""
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)


def graph():
    """The app's graph, for providers."""
    return current_app.extensions["ror"].get_graph()
