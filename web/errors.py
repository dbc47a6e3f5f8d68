"""One error shape: `{"error": {status, code, message, fields}}` under /api, a French page elsewhere.

Every error — product errors (RorError), HTTP errors raised by Flask/werkzeug (404, 405, 413…) and any
unexpected exception — goes through here, so no stack trace ever reaches a person.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from core.errors import RorError

log = logging.getLogger(__name__)

# French messages for the HTTP errors werkzeug raises by itself.
HTTP_MESSAGES = {
    400: ("bad_request", "Requête invalide."),
    404: ("not_found", "Page ou ressource introuvable."),
    405: ("method_not_allowed", "Méthode HTTP non autorisée pour cette adresse."),
    406: ("not_acceptable", "Format de réponse non disponible."),
    408: ("request_timeout", "La requête a pris trop de temps."),
    413: ("payload_too_large", "Requête trop volumineuse."),
    414: ("uri_too_long", "Adresse trop longue."),
    415: ("unsupported_media_type", "Type de contenu non pris en charge."),
    429: ("too_many_requests", "Trop de requêtes, réessayez dans un instant."),
    431: ("headers_too_large", "En-têtes de requête trop volumineux."),
    500: ("internal_error", "Erreur interne du serveur."),
    501: ("not_implemented", "Fonction non disponible."),
    503: ("service_unavailable", "Service momentanément indisponible."),
}


def error_body(status: int, code: str, message: str, fields: dict | None = None) -> dict:
    """The one JSON error shape of the API."""
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _respond(status: int, code: str, message: str, fields: dict | None, headers=None) -> Response:
    if request.path.startswith("/fhir/") or request.path == "/fhir":  # FHIR clients read OperationOutcomes
        from fhir_api.blueprint import outcome_response

        return outcome_response(status, message, fields, headers or ())
    if wants_json():
        response = jsonify(error_body(status, code, message, fields))
    else:
        html = render_template("error.html", status=status, code=code, message=message, fields=fields or {})
        response = Response(html, mimetype="text/html")
    response.status_code = status
    for name, value in headers or ():
        if name.lower() == "allow":
            response.headers[name] = value
    if status == 503:
        response.headers["Retry-After"] = "30"
    return response


def handle_ror_error(exc: RorError) -> Response:
    if exc.status >= 500:
        log.error("%s %s: %s (%s)", request.method, request.path, exc.message, exc.detail)
    else:
        log.info("%s %s: %s (%s)", request.method, request.path, exc.message, exc.detail)
    return _respond(exc.status, exc.code, exc.message, exc.fields)


def handle_http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code, message = HTTP_MESSAGES.get(status, ("http_error", "Erreur HTTP."))
    return _respond(status, code, message, None, headers=exc.get_headers())


def handle_unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return handle_http_error(exc)
    log.exception("unexpected error on %s %s", request.method, request.path)
    code, message = HTTP_MESSAGES[500]
    return _respond(500, code, message, None)


def register(app: Flask) -> None:
    app.extensions["ror_error_shapes"] = True  # the FHIR blueprint leaves its routing errors to this module
    app.register_error_handler(RorError, handle_ror_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
