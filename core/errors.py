"""One error hierarchy: every error carries an HTTP status, a code and a user-facing French message."""

from __future__ import annotations


class RorError(Exception):
    """Base class; `message` is safe to show to a person, `detail` is for logs only."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, detail: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.fields = fields or {}


class ConfigError(RorError):
    code = "configuration_error"


class EngineError(RorError):
    """An engine could not be fetched, started, stopped or reached."""

    status = 503
    code = "engine_error"


class ServiceUnavailable(RorError):
    status = 503
    code = "service_unavailable"


class QueryTimeout(ServiceUnavailable):
    """A query ran past its time limit and was ended (FHIR issue `too-costly`: narrow it or retry later)."""

    code = "query_timeout"
    issue = "too-costly"


class BadRequest(RorError):
    status = 400
    code = "bad_request"


class NotFound(RorError):
    status = 404
    code = "not_found"


class Forbidden(RorError):
    status = 403
    code = "forbidden"


class Unauthorized(RorError):
    status = 401
    code = "unauthorized"


class Conflict(RorError):
    status = 409
    code = "conflict"
