"""HTTP layer of the FHIR facade mounted at /fhir: parse the request, call the service, render FHIR JSON.

`register(app)` mounts it. The graph and search client come from the web app's services
(`app.extensions["ror"]`) or are passed explicitly (`register(app, graph=…, search=…)`), so the portal
and the API always read the same graph and index.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import orjson
from flask import Blueprint, Flask, Response, current_app, request, send_file
from werkzeug.exceptions import HTTPException

from core.errors import BadRequest, NotFound, RorError
from core.settings import PROJECT_ROOT
from fhir_api import capability, export, export_options, patch, store
from fhir_api.service import DEFAULT_TIME_LIMIT, FhirService, SearchRequest, now, outcome
from search.sync import IndexSync
from search.widening import WideningPolicy

log = logging.getLogger(__name__)
bp = Blueprint("fhir", __name__, url_prefix="/fhir")
FHIR_JSON = "application/fhir+json; charset=utf-8"
NDJSON = "application/fhir+ndjson"
NOT_IMPLEMENTED_TYPES: set[str] = set()
POLL_WAIT = 20.0  # seconds the documented status URL (`?_jobId=`) waits for an export to finish
_lock = threading.Lock()


class Gone(RorError):
    status = 410
    code = "gone"


class NotImplementedYet(RorError):
    status = 501
    code = "not_implemented"


def register(app: Flask, *, graph=None, search=None, index_prefix: str | None = None,
             exports_dir: Path | None = None, time_limit: float | None = None) -> None:
    """Mount /fhir on `app` (graph/search default to the app's shared services). Routing errors under /fhir
    (404, 405, 413, 431) are OperationOutcomes: the web app's error handler asks `error_response`; a FHIR-only
    app gets this module's own handler."""
    settings = app.extensions.get("ror_settings")
    app.extensions["fhir"] = {
        "graph": graph, "search": search, "service": None, "jobs": None,
        "index_prefix": index_prefix or (settings.index_prefix if settings else "ror"),
        "exports_dir": Path(exports_dir) if exports_dir else PROJECT_ROOT / "var" / "exports",
        "time_limit": time_limit or (settings.fhir_search_timeout if settings else DEFAULT_TIME_LIMIT),
        "policy": WideningPolicy(min_results=settings.widen_min_results, max_radius_km=settings.widen_max_km,
                                 step_ratio=settings.widen_step_ratio, time_critical_k=settings.time_critical_k)
        if settings else None,
        "data_dir": settings.data_dir if settings else None,
    }
    app.register_blueprint(bp)
    # the types served outside the index register themselves
    from fhir_api import measure_reports, measures, questionnaires, served, tasks  # noqa: F401

    served.install(app)
    measure_reports.register(app)
    if not app.extensions.get("ror_error_shapes"):
        app.register_error_handler(HTTPException, _routing_error)
    from fhir_api.index import listeners

    listeners.install()


def _state() -> dict:
    return current_app.extensions["fhir"]


def _graph_and_search():
    state = _state()
    services = current_app.extensions.get("ror")
    graph = state["graph"] or (services.get_graph() if services else None)
    search = state["search"] or (services.get_search() if services and state["graph"] is None else None)
    if graph is None:
        raise RorError("L'API FHIR n'est pas reliée à la base de données.")
    return graph, search


def _index() -> IndexSync:
    """The graph, search client and index prefix this mount serves (the service and the PATCH's index push)."""
    graph, search = _graph_and_search()
    return IndexSync(graph, search, _state()["index_prefix"])


def service() -> FhirService:
    state = _state()
    with _lock:
        if state["service"] is None:
            state["service"] = FhirService(_index(), state["time_limit"], state["policy"], state["data_dir"])
        return state["service"]


def jobs() -> export.ExportJobs:
    state = _state()
    with _lock:
        if state["jobs"] is None:
            state["jobs"] = export.ExportJobs(_graph_and_search()[0], state["exports_dir"])
        return state["jobs"]


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    """FHIR JSON (resources kept as rendered text are `orjson.Fragment`s, written as they are)."""
    pretty = request.args.get("_pretty") == "true"
    text = orjson.dumps(body, option=orjson.OPT_INDENT_2 if pretty else 0)
    return Response(text, status=status, content_type=FHIR_JSON, headers=headers or {})


def _base_url() -> str:
    return request.url_root.rstrip("/") + bp.url_prefix


def _check_type(resource_type: str) -> None:
    from fhir_api.served import SERVED

    if resource_type in store.RESOURCE_TYPES:
        return
    if resource_type in SERVED:
        raise NotImplementedYet(f"Cette interaction n'est pas disponible pour {resource_type}.")
    if resource_type in NOT_IMPLEMENTED_TYPES:
        raise NotImplementedYet(f"Le type de ressource {resource_type} n'est pas encore disponible.")
    raise NotFound(f"Type de ressource inconnu : {resource_type}.")


def _lenient() -> bool:
    prefer = request.headers.get("Prefer", "")
    return any(part.strip() == "handling=lenient" for part in prefer.split(","))


@bp.get("/metadata")
def metadata():
    return fhir_response(capability.capability_statement(_base_url(), now()))


@bp.route("/<resource_type>", methods=["GET"])
def search_type(resource_type: str):
    _check_type(resource_type)
    items = list(request.args.items(multi=True))
    return _search(resource_type, items)


@bp.route("/<resource_type>/_search", methods=["POST"])
def search_post(resource_type: str):
    _check_type(resource_type)
    items = list(request.args.items(multi=True)) + list(request.form.items(multi=True))
    return _search(resource_type, items)


def _search(resource_type: str, items):
    req = SearchRequest(resource_type, items, _base_url(), lenient=_lenient())
    if request.args.get("_pretty") == "true":
        return fhir_response(service().search(req))
    return Response(service().search_json(req), status=200, content_type=FHIR_JSON)


@bp.get("/<resource_type>/<resource_id>")
def read(resource_type: str, resource_id: str):
    _check_type(resource_type)
    try:
        resource = service().read(resource_type, resource_id)
    except NotFound:
        graph, _ = _graph_and_search()
        if graph.read_named("fhir/tombstone", type=resource_type, id=resource_id):
            raise Gone(f"La ressource {resource_type}/{resource_id} a été supprimée.") from None
        raise
    headers = {"Last-Modified": resource.get("meta", {}).get("lastUpdated", "")}
    return fhir_response(resource, headers={k: v for k, v in headers.items() if v})


@bp.route("/<resource_type>/<resource_id>", methods=["PATCH", "PUT", "DELETE"])
def write_not_implemented(resource_type: str, resource_id: str):
    _check_type(resource_type)
    raise NotImplementedYet("Seules la mise à jour des capacités d'un lieu (PATCH Location), celle du statut "
                            "d'une anomalie (PATCH Task) et le remplacement d'un modèle de saisie (PUT "
                            "Questionnaire) sont disponibles.")


@bp.patch("/Location/<resource_id>")
def patch_location(resource_id: str):
    """JSON Patch of a Location's capacity by an authorised contributor (Bearer token), like the web form."""
    if "ror" not in current_app.extensions:
        raise NotImplementedYet("Le PATCH des capacités demande l'application web (comptes et jetons).")
    from accounts.web import authenticated
    from capacity import service as capacity_service

    principal = authenticated("capacity.write")
    if request.mimetype not in ("application/json-patch+json", "application/json"):
        raise BadRequest("Type de contenu attendu : application/json-patch+json.")
    operations = request.get_json(force=True, silent=True)
    before = service().read("Location", resource_id)
    payload = patch.capacity_payload(before, patch.apply_json_patch(before, operations))
    index = _index()
    settings = current_app.extensions.get("ror_settings")
    capacity_service.update(index.graph, principal, resource_id, payload,
                            stale_hours=settings.capacity_stale_hours if settings else 12.0, sync=index)
    return fhir_response(service().read("Location", resource_id))


# --- Bulk Data $export -------------------------------------------------------------------------------------

@bp.get("/$export")
def export_system():
    return _kick_off(None)


@bp.get("/<resource_type>/$export")
def export_type(resource_type: str):
    _check_type(resource_type)
    types = export.parse_types(request.args.get("_type")) if request.args.get("_type") else [resource_type]
    if types != [resource_type]:
        raise BadRequest(f"« _type » doit valoir {resource_type} pour un export de ce type.")
    return _kick_off(types)


def _kick_off(types: list[str] | None):
    """Bulk Data kick-off (`Prefer: respond-async`), or the ROR's documented call form (without it, which also
    brings the offers' associated resources); both answer 202 and a status URL (docs/fhir.md)."""
    ror_form = "respond-async" not in request.headers.get("Prefer", "")
    fmt = export_options.output_format(request.args.get("_outputFormat"))
    associated = export_options.associated(request.args.getlist("includeAssociatedData"), ror_form)
    filters = export_options.type_filters(request.args.getlist("_typeFilter"), export.EXPORT_TYPES)
    if types is None:
        types = export.parse_types(request.args.get("_type")) if request.args.get("_type") else \
            [t for t in export.EXPORT_TYPES if t in filters] or list(export.EXPORT_TYPES)
    if associated and "HealthcareService" in types:
        types = list(export.EXPORT_TYPES)
    outside = sorted(set(filters) - set(types))
    if outside:
        raise BadRequest(f"« _typeFilter » porte sur un type non exporté : {', '.join(outside)}.")
    options = {"format": fmt, "filters": filters, "associated": associated}
    job = jobs().start(types, export.parse_since(request.args.get("_since")), request.url, options=options)
    status_url = f"{_base_url()}/$export-poll-status" + (f"?_jobId={job}" if ror_form else f"/{job}")
    return Response(status=202, headers={"Content-Location": status_url})


@bp.get("/$export-poll-status/<job>")
def export_status(job: str):
    return _status(job)


@bp.get("/$export-poll-status")
def export_status_documented():
    """The status URL as the ROR documents it (`$export-poll-status?_jobId=…`): it waits up to POLL_WAIT seconds
    for the export to finish (the documented client reads it once), then answers like the Bulk Data status."""
    job = _job_param()
    waited = 0.0
    while jobs().state(job)["status"] == "in-progress" and waited < POLL_WAIT:
        time.sleep(0.25)
        waited += 0.25
    return _status(job)


def _job_param() -> str:
    job = request.args.get("_jobId")
    if not job:
        raise BadRequest("« _jobId » est obligatoire : l'identifiant de l'export (en-tête Content-Location).")
    return job


def _status(job: str):
    state = jobs().state(job)
    if state["status"] == "in-progress":
        return Response(status=202, headers={"X-Progress": state.get("progress", ""), "Retry-After": "2"})
    if state["status"] == "error":
        return fhir_response(outcome("error", "exception", "; ".join(state["error"])), status=500)
    body = export.manifest(state, lambda name: f"{_base_url()}/$export-file/{job}/{name}")
    return Response(json.dumps(body, ensure_ascii=False), status=200, content_type="application/json")


@bp.delete("/$export-poll-status/<job>")
def export_delete(job: str):
    jobs().state(job)
    jobs().delete(job)
    return Response(status=202)


@bp.delete("/$export-poll-status")
def export_delete_documented():
    return export_delete(_job_param())


@bp.get("/$export-file/<job>/<name>")
def export_file(job: str, name: str):
    return send_file(jobs().file(job, name), mimetype=FHIR_JSON if name.endswith(".json") else NDJSON, max_age=0)


# --- errors: always an OperationOutcome, never a stack trace -----------------------------------------------

ISSUE_CODE = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
              409: "conflict", 410: "deleted", 412: "conflict", 413: "too-long", 415: "not-supported",
              422: "processing", 431: "too-long", 501: "not-supported", 503: "transient"}
HTTP_MESSAGES = {404: "Ressource ou adresse FHIR introuvable.", 405: "Méthode non prise en charge sur cette adresse.",
                 413: "Requête trop volumineuse.", 414: "Adresse trop longue.", 415: "Format non pris en charge.",
                 431: "En-têtes de requête trop volumineux."}


@bp.errorhandler(RorError)
def ror_error(exc: RorError):
    if exc.status >= 500 and exc.status not in (501, 503):
        log.error("FHIR: %s (%s)", exc.message, exc.detail)
    severity = "error" if exc.status < 500 or exc.status in (501, 503) else "fatal"
    body = outcome(severity, getattr(exc, "issue", None) or ISSUE_CODE.get(exc.status, "processing"), exc.message)
    for field, message in (exc.fields or {}).items():  # e.g. each faulty capacity figure, in French
        body["issue"].append({"severity": severity, "code": "value", "diagnostics": str(message),
                              "expression": [str(field)]})
    return fhir_response(body, exc.status, headers={"Retry-After": "5"} if exc.status == 503 else None)


def error_response(status: int, headers=()) -> Response:
    """The OperationOutcome of an HTTP error under /fhir (routing 404/405, 413, 431…)."""
    return outcome_response(status, HTTP_MESSAGES.get(status, "Requête invalide."), None, headers)


def outcome_response(status: int, message: str, fields: dict | None, headers=()) -> Response:
    """Any error under /fhir as an OperationOutcome (also used by the web app's error handler)."""
    severity = "error" if status < 500 or status in (501, 503) else "fatal"
    body = outcome(severity, ISSUE_CODE.get(status, "processing"), message)
    for field, text in (fields or {}).items():
        body["issue"].append({"severity": severity, "code": "value", "diagnostics": str(text),
                              "expression": [str(field)]})
    kept = {k: v for k, v in headers if k.lower() == "allow"}
    if status == 503:
        kept["Retry-After"] = "5"
    return fhir_response(body, status, headers=kept)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.get_headers())


def _routing_error(exc: HTTPException):
    """App-level handler of a FHIR-only app (no web error handler)."""
    return error_response(exc.code or 500, exc.get_headers())


@bp.errorhandler(Exception)
def unexpected(exc: Exception):
    log.exception("FHIR: unexpected error")
    return fhir_response(outcome("fatal", "exception", "Erreur interne du serveur FHIR."), 500)
