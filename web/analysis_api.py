"""/api/v1/cypher: the analyst's read-only Cypher console, the pathway library and background exports.

Only `console.use` holders (analyst, admin) get in, through the accounts' usual ways (session + CSRF or
`Authorization: Bearer`). Every query goes through graph/console.py's locks (text and shape, plan and the
care-offer model's labels, READ transaction with a timeout, a row cap and a byte cap); exports run the same
checks with larger caps and a longer timeout. Queries run in worker processes (graph/console_runner.py) behind
a per-analyst gate (graph/console_gate.py): a few at once per analyst, a short queue, then 429.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, jsonify, request, send_file, url_for

from accounts.web import authenticated, init_app
from core.errors import BadRequest, NotFound, ServiceUnavailable
from core.settings import Settings
from graph import library
from graph.console import ConsoleLimits, cancel, check_text, parse_params
from graph.console_gate import ConsoleGate
from graph.console_jobs import JobStore
from graph.console_runner import ConsoleRunner
from graph.results import QueryResult
from web import openapi
from web.admin_api import READ_SECURITY, WRITE_SECURITY  # also declares the security schemes
from web.openapi import Operation, json_object
from web.params import Param
from web.services import _address, _port_open, services

log = logging.getLogger(__name__)
bp = Blueprint("analysis_api", __name__, url_prefix="/api/v1")
bp.record_once(lambda state: init_app(state.app))

PERMISSION = "console.use"
FORMATS = ("json", "csv")
MAX_QUERY_CHARS = 20_000
GATE_WAIT_S = 10.0  # how long a query waits for its turn (per-analyst queue) before a 429
RUN_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_jobs_lock = threading.Lock()


# ------------------------------------------------------------------------------------------- helpers


def _settings() -> Settings:
    return services().settings


def _graph():
    """The app's graph, after a quick check that Neo4j answers (503 at once rather than driver retries)."""
    graph = services().get_graph()
    address = _address(getattr(graph, "uri", None), 7687)
    if address and not _port_open(*address):
        raise ServiceUnavailable("La base de données de l'offre de soins est indisponible pour le moment.",
                                 detail=f"Neo4j at {address[0]}:{address[1]} does not answer")
    return graph


def _body() -> dict:
    body = request.get_json(silent=True)
    if body is None and not request.data:
        body = {}
    if not isinstance(body, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    return body


def _format(value) -> str:
    fmt = "json" if value in (None, "") else value
    if fmt not in FORMATS:
        raise BadRequest(f"Format inconnu : {fmt!r} (attendu json ou csv).", fields={"format": "json ou csv"})
    return fmt


def _query_text(body: dict) -> str:
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("La requête Cypher est absente : champ « query » (texte) attendu.",
                         fields={"query": "texte obligatoire"})
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"Requête trop longue (au plus {MAX_QUERY_CHARS} caractères).",
                         fields={"query": f"au plus {MAX_QUERY_CHARS} caractères"})
    return query


def _params(body: dict) -> dict:
    raw = body.get("params")
    try:
        return parse_params(raw if raw is not None else {})
    except BadRequest as exc:
        raise BadRequest(exc.message, fields={"params": "objet JSON attendu"}) from exc


def _metadata(body: dict, username: str) -> dict:
    """Transaction metadata naming the run (chosen by the client) and its author, so that it can be cancelled."""
    run_id = body.get("run_id")
    if run_id is None:
        return {"ror_user": username}
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise BadRequest("Identifiant d'exécution invalide (8 à 64 lettres, chiffres, - ou _).",
                         fields={"run_id": "8 à 64 caractères A-Z a-z 0-9 - _"})
    return {"ror_user": username, "ror_console_run": run_id}


def interactive_limits() -> ConsoleLimits:
    s = _settings()
    return ConsoleLimits(timeout_s=s.console_timeout_s, row_cap=s.console_row_cap, max_bytes=s.console_max_bytes)


def export_limits() -> ConsoleLimits:
    s = _settings()
    return ConsoleLimits(timeout_s=s.console_export_timeout_s, row_cap=s.console_export_row_cap,
                         max_bytes=s.console_export_max_bytes)


class Console:
    """The app's console machinery: the per-analyst gate, the interactive workers and the export workers."""

    def __init__(self, graph, settings: Settings):
        def runner(workers: int, memory_mb: int) -> ConsoleRunner:
            return ConsoleRunner(graph.uri, auth=graph.auth, database=graph.database, workers=workers,
                                 memory_mb=memory_mb)

        self.gate = ConsoleGate(per_user=settings.console_per_user, queue_per_user=settings.console_queue_per_user,
                                total=settings.console_workers)
        self.interactive = runner(settings.console_workers, settings.console_worker_memory_mb)
        self.exports = runner(settings.console_job_workers, settings.console_export_memory_mb)

    def run(self, user: str, kind: str, payload: dict, limits: ConsoleLimits) -> QueryResult:
        with self.gate.slot(user, GATE_WAIT_S):
            return self.interactive.run(kind, payload, limits, wait_s=GATE_WAIT_S)

    def close(self) -> None:
        self.interactive.close()
        self.exports.close()


def console_machinery() -> Console:
    machinery = current_app.extensions.get("ror_console")
    if machinery is None:
        with _jobs_lock:
            machinery = current_app.extensions.get("ror_console")
            if machinery is None:
                svc = services()
                machinery = Console(svc.get_graph(), svc.settings)
                current_app.extensions["ror_console"] = machinery
                svc.closers.append(machinery.close)
    return machinery


def result_body(result: QueryResult, limits: ConsoleLimits) -> dict:
    body = {"columns": result.columns, "rows": result.rows, "row_count": len(result.rows),
            "truncated": result.truncated, "truncated_by": result.truncated_by, "row_cap": limits.row_cap,
            "byte_cap": limits.max_bytes, "elapsed_ms": round(result.elapsed_ms, 1)}
    if result.truncated_by == "bytes":
        body["notice"] = (f"Résultat tronqué : au-delà de {limits.max_bytes / 1e6:g} Mo, les lignes suivantes ne sont "
                          "pas affichées. Restreignez la requête ou lancez-la en export.")
    elif result.truncated:
        body["notice"] = (f"Résultat tronqué aux {limits.row_cap} premières lignes. Ajoutez LIMIT, ou lancez la "
                          "requête en export pour tout obtenir.")
    if result.graph["nodes"]:
        body["graph"] = {"nodes": result.graph["nodes"], "links": result.graph["edges"]}
    return body


def _respond(result: QueryResult, limits: ConsoleLimits, fmt: str, stem: str) -> Response:
    if fmt == "csv":
        response = Response(result.to_csv(), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
        response.headers["X-Row-Count"] = str(len(result.rows))
        response.headers["X-Truncated"] = "true" if result.truncated else "false"
        if result.truncated_by:
            response.headers["X-Truncated-By"] = result.truncated_by
        return response
    return jsonify(result_body(result, limits))


def _filename(stem: str, ext: str) -> str:
    return f"{stem}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.{ext}"


def _library_query(name: str) -> library.LibraryQuery:
    return library.get(name)  # a French NotFound for an unknown name


def _library_bound(name: str, given) -> tuple[library.LibraryQuery, dict]:
    query = _library_query(name)
    if given is not None and not isinstance(given, dict):
        raise BadRequest("Les paramètres doivent être un objet JSON.", fields={"params": "objet JSON attendu"})
    return query, library.bind(query, given)


def jobs() -> JobStore:
    store = current_app.extensions.get("ror_console_jobs")
    if store is None:
        with _jobs_lock:
            store = current_app.extensions.get("ror_console_jobs")
            if store is None:
                s = _settings()
                store = JobStore(s.var_dir / "console-jobs", workers=s.console_job_workers,
                                 ttl_s=s.console_job_ttl_hours * 3600)
                current_app.extensions["ror_console_jobs"] = store
    return store


def _job_metadata(job) -> dict:
    """Transaction metadata of a background export, so that `cancel` finds it (and only it)."""
    return {"ror_user": job.owner, "ror_console_job": job.id}


def _job_links(job_id: str) -> dict:
    return {"self": url_for("analysis_api.job_status", job_id=job_id),
            "csv": url_for("analysis_api.job_result", job_id=job_id, format="csv"),
            "json": url_for("analysis_api.job_result", job_id=job_id, format="json")}


# ------------------------------------------------------------------------------------------- console


@bp.post("/cypher")
def console() -> Response:
    principal = authenticated(PERMISSION)
    body = _body()
    query, params, fmt = _query_text(body), _params(body), _format(body.get("format"))
    metadata = _metadata(body, principal.username)
    check_text(query)  # text and shape: refused here, before a worker or Neo4j is involved
    limits = interactive_limits()
    started = time.perf_counter()
    _graph()
    result = console_machinery().run(principal.username, "console",
                                     {"query": query, "params": params, "metadata": metadata}, limits)
    log.info("console query by %s: %d row(s) in %.0f ms", principal.username, len(result.rows),
             (time.perf_counter() - started) * 1000)
    return _respond(result, limits, fmt, "console")


# ------------------------------------------------------------------------------------------- library


def describe(query: library.LibraryQuery) -> dict:
    return {"name": query.name, "title": query.title, "description": query.description,
            "question": query.question,
            "params": [{"name": p.name, "type": p.type, "required": p.required,
                        "default": None if p.required else p.default, "description": p.description}
                       for p in query.params]}


@bp.get("/cypher/library")
def library_list() -> Response:
    authenticated(PERMISSION)
    return jsonify({"queries": [describe(q) for q in library.all_queries()]})


@bp.post("/cypher/library/<name>")
def library_run(name: str) -> Response:
    principal = authenticated(PERMISSION)
    body = _body()
    fmt = _format(body.get("format"))
    limits = interactive_limits()
    query, bound = _library_bound(name, body.get("params"))
    metadata = _metadata(body, principal.username)
    _graph()
    result = console_machinery().run(principal.username, "library",
                                     {"statement": query.text, "params": bound, "metadata": metadata}, limits)
    return _respond(result, limits, fmt, name)


@bp.delete("/cypher/runs/<run_id>")
def run_cancel(run_id: str) -> tuple[str, int]:
    """Stop my interactive query started with this `run_id` (its POST then answers `query_cancelled`)."""
    principal = authenticated(PERMISSION)
    if not RUN_ID.fullmatch(run_id) or not cancel(_graph(), {"ror_console_run": run_id,
                                                             "ror_user": principal.username}):
        raise NotFound("Aucune requête de votre part en cours sous cet identifiant (déjà terminée ?).")
    log.info("console run %s cancelled by %s", run_id, principal.username)
    return "", 204


# ------------------------------------------------------------------------------------------- jobs


@bp.post("/cypher/jobs")
def job_start() -> tuple[Response, int, dict]:
    """Check the query now (refusals answer at once), then run it in the background with the export limits."""
    principal = authenticated(PERMISSION)
    body = _body()
    _graph()
    limits = export_limits()
    exports = console_machinery().exports
    if body.get("library") is not None:
        name = body["library"]
        if not isinstance(name, str):
            raise BadRequest("Le champ « library » doit être le nom d'une requête de la bibliothèque.",
                             fields={"library": "texte"})
        query, bound = _library_bound(name, body.get("params"))
        # the plan is checked now, in a worker, so that a refusal answers at once (nothing runs yet)
        console_machinery().run(principal.username, "plan",
                                {"statement": query.text, "params": bound, "metadata": {}}, interactive_limits())
        job = jobs().submit(principal.username, "library", name, bound, lambda job: exports.run(
            "read", {"statement": query.text, "params": bound, "metadata": _job_metadata(job)}, limits,
            wait_s=limits.timeout_s))
    else:
        statement, params = check_text(_query_text(body)), _params(body)
        console_machinery().run(principal.username, "plan",
                                {"statement": statement, "params": params, "metadata": {}}, interactive_limits())
        job = jobs().submit(principal.username, "console", statement, params, lambda job: exports.run(
            "read", {"statement": statement, "params": params, "metadata": _job_metadata(job)}, limits,
            wait_s=limits.timeout_s))
    links = _job_links(job.id)
    log.info("console export %s started by %s", job.id, principal.username)
    return jsonify({"job": job.public(), "links": links}), 202, {"Location": links["self"]}


@bp.get("/cypher/jobs")
def job_list() -> Response:
    principal = authenticated(PERMISSION)
    return jsonify({"jobs": [{**job.public(), "links": _job_links(job.id)}
                             for job in jobs().owned(principal.username)]})


@bp.get("/cypher/jobs/<job_id>")
def job_status(job_id: str) -> Response:
    principal = authenticated(PERMISSION)
    job = jobs().get(principal.username, job_id)
    return jsonify({"job": job.public(), "links": _job_links(job.id)})


@bp.delete("/cypher/jobs/<job_id>")
def job_delete(job_id: str) -> tuple[str, int]:
    """Remove my finished export, cancel a waiting one, or stop a running one (its transaction ends in Neo4j)."""
    principal = authenticated(PERMISSION)
    graph = _graph()
    jobs().delete(principal.username, job_id, stop=lambda job: cancel(graph, _job_metadata(job)))
    log.info("console export %s deleted by %s", job_id, principal.username)
    return "", 204


@bp.get("/cypher/jobs/<job_id>/result")
def job_result(job_id: str) -> Response:
    principal = authenticated(PERMISSION)
    fmt = _format(request.args.get("format"))
    path = jobs().result_path(principal.username, job_id, fmt)
    return send_file(path, mimetype="text/csv" if fmt == "csv" else "application/json", as_attachment=True,
                     download_name=f"export-{job_id[:8]}.{fmt}", max_age=0)


# ------------------------------------------------------------------------------------------- OpenAPI

# What an error means for the console's operations (more precise than the API-wide texts of web.openapi).
_ERRORS = {400: "Requête invalide ou délai dépassé (le champ fautif est nommé dans `fields`).",
           401: "Authentification requise (session ou jeton Bearer).",
           403: "Rôle sans accès à la console, jeton CSRF absent, ou requête refusée (écriture, administration).",
           404: "Requête de bibliothèque ou export introuvable.",
           429: "Trop de requêtes en cours pour cet analyste (quelques-unes à la fois, courte file d'attente).",
           503: "Base de données indisponible."}
_PARAMS_SCHEMA = {"type": "object", "additionalProperties": {},
                  "description": "Paramètres Cypher ($nom) en objet JSON."}
_FORMAT_SCHEMA = {"type": "string", "enum": list(FORMATS), "default": "json",
                  "description": "json : colonnes et lignes ; csv : fichier à télécharger."}
_RUN_ID_SCHEMA = {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                  "description": "Identifiant choisi par le client pour pouvoir annuler la requête "
                                 "(DELETE /api/v1/cypher/runs/{run_id})."}
_RESULT_SCHEMA = {
    "type": "object", "required": ["columns", "rows", "row_count", "truncated", "row_cap", "elapsed_ms"],
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "array", "items": {}}},
        "row_count": {"type": "integer"},
        "truncated": {"type": "boolean", "description": "Vrai quand d'autres lignes existaient au-delà d'un plafond."},
        "truncated_by": {"type": "string", "enum": ["rows", "bytes"], "nullable": True,
                         "description": "Le plafond atteint : nombre de lignes ou taille du résultat."},
        "notice": {"type": "string", "description": "Ce que la coupure veut dire, en français."},
        "row_cap": {"type": "integer", "nullable": True},
        "byte_cap": {"type": "integer", "nullable": True},
        "elapsed_ms": {"type": "number"},
        "graph": {"type": "object", "description": "Nœuds et liens rencontrés (chemins, nœuds, relations).",
                  "properties": {"nodes": {"type": "array", "items": {"type": "object"}},
                                 "links": {"type": "array", "items": {"type": "object"}}}},
    },
}
_JOB_SCHEMA = {"type": "object", "properties": {
    "job": {"type": "object", "properties": {
        "id": {"type": "string"}, "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "elapsed_ms": {"type": "number", "nullable": True}, "rows": {"type": "integer", "nullable": True},
        "truncated": {"type": "boolean"}, "error": {"type": "string", "nullable": True}}},
    "links": {"type": "object", "additionalProperties": {"type": "string"}}}}


def _console(**declared) -> Operation:
    """An operation of the analysis API (tag, error texts of the console)."""
    errors = {**_ERRORS, **declared.pop("error_text", {})}
    return openapi.declare(Operation(tag=TAG, error_text=errors, **declared))


_JOB_ID = Param("job_id", "string", "Identifiant de l'export.", location="path")


TAG = "analyse"
_RUN_BODY = {"params": _PARAMS_SCHEMA, "format": _FORMAT_SCHEMA, "run_id": _RUN_ID_SCHEMA}
_console(rule="/cypher", method="post", operation_id="cypherConsole", security=WRITE_SECURITY,
         summary="Console Cypher en lecture seule (analystes) : toute écriture est refusée.",
         body=json_object({"query": {"type": "string", "example": "MATCH (s:Site) RETURN s.name LIMIT 5"},
                           **_RUN_BODY}, ["query"]),
         response=_RESULT_SCHEMA, other_media=("text/csv",), errors=(400, 401, 403, 429, 503))
_console(rule="/cypher/library", operation_id="cypherLibrary", security=READ_SECURITY,
         summary="Bibliothèque de parcours : requêtes documentées et leurs paramètres typés.",
         response={"type": "object", "properties": {"queries": {"type": "array", "items": {"type": "object"}}}},
         errors=(401, 403))
_console(rule="/cypher/library/<name>", method="post", operation_id="cypherLibraryRun", security=WRITE_SECURITY,
         summary="Exécute une requête de la bibliothèque avec ses paramètres (validés selon leur type).",
         params=(Param("name", "string", "Nom de la requête (voir la liste).", location="path"),),
         body=json_object(_RUN_BODY), body_required=False,
         response=_RESULT_SCHEMA, other_media=("text/csv",), errors=(400, 401, 403, 404, 429, 503))
_console(rule="/cypher/runs/<run_id>", method="delete", operation_id="cypherRunCancel", security=WRITE_SECURITY,
         summary="Arrête ma requête interactive en cours (lancée avec ce `run_id`).",
         params=(Param("run_id", "string", "Identifiant d'exécution donné à POST /cypher.", location="path"),),
         ok=204, ok_text="Requête arrêtée.", errors=(401, 403, 404, 503))
_console(rule="/cypher/jobs", method="post", operation_id="cypherJobStart", security=WRITE_SECURITY,
         summary="Lance un export en tâche de fond (console ou bibliothèque), plafond de lignes plus élevé.",
         body=json_object({"query": {"type": "string"}, "library": {"type": "string"}, "params": _PARAMS_SCHEMA}),
         body_required=False, ok=202, response=_JOB_SCHEMA, errors=(400, 401, 403, 404, 429, 503))
_console(rule="/cypher/jobs", operation_id="cypherJobs", security=READ_SECURITY,
         summary="Mes exports (les autres utilisateurs ne les voient pas).",
         response={"type": "object", "properties": {"jobs": {"type": "array", "items": {}}}}, errors=(401, 403))
_console(rule="/cypher/jobs/<job_id>", operation_id="cypherJobStatus", security=READ_SECURITY,
         summary="État d'un export : état, durée, lignes.", params=(_JOB_ID,), response=_JOB_SCHEMA,
         errors=(401, 403, 404))
_console(rule="/cypher/jobs/<job_id>", method="delete", operation_id="cypherJobDelete", security=WRITE_SECURITY,
         summary="Supprime un export terminé, annule un export en attente ou arrête un export en cours "
                 "(sa transaction est terminée dans Neo4j).",
         params=(_JOB_ID,), ok=204, ok_text="Export supprimé.", errors=(401, 403, 404, 409),
         error_text={409: "Arrêt demandé, mais l'export ne s'est pas encore arrêté : réessayer."})
_console(rule="/cypher/jobs/<job_id>/result", operation_id="cypherJobResult", security=READ_SECURITY,
         summary="Résultat d'un export terminé, en CSV ou JSON.",
         params=(_JOB_ID, Param("format", "string", _FORMAT_SCHEMA["description"], default="json", enum=FORMATS)),
         response={"type": "object"}, other_media=("text/csv",), errors=(400, 401, 403, 404, 409),
         error_text={409: "Export pas encore terminé ou en échec."})
