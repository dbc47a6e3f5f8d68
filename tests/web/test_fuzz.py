"""Fuzz the API from its own OpenAPI document (schemathesis) on the real, seeded engines: no 5xx, ever.

The public reads: every generated request must get a declared status, the declared content type and a body
that matches the declared schema (the one error shape included). Every other operation of the document
(professional space, quality, crisis, analysts' console and exports — writes included), called with an admin's
token: never a 5xx, and every error in the API's one JSON shape (issue 19). Bounded examples per operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from web.api import DECLARED

pytestmark = pytest.mark.integration
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40
OPERATION_EXAMPLES = 12
FUZZER = "fuzz-admin"


@pytest.fixture(scope="module")
def fuzz_schema(live_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", live_app)


@pytest.fixture(scope="module")
def admin_token(live_app, graph):
    from accounts.store import UserStore

    store = UserStore(graph)
    if store.get(FUZZER) is None:
        store.add(FUZZER, "mot-de-passe-du-fuzzeur", "admin")
    return store.create_token(FUZZER, "fuzz")[1]


def _operations() -> list[tuple[str, str, GenerationMode]]:
    """Every (method, path) of the API's OpenAPI document but the public reads fuzzed above, with valid data and,
    when it takes a query parameter or a body, with data that violates the schema (an operation without either
    has nothing to violate: hypothesis would find no negative case at all)."""
    from web.app import create_app
    from web.openapi import document

    create_app()  # every part mounted: the document is complete
    public = {ep.openapi_path for ep in DECLARED}
    out = []
    for path, operations in document(version="fuzz")["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete") or (method == "get" and path in public):
                continue
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            parameters = list(operations.get("parameters", [])) + list(operation.get("parameters", []))
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return sorted(out, key=lambda o: (o[1], o[0], o[2].value))


def _error_shape(response) -> None:
    if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        assert set(body.get("error", {})) >= {"status", "code", "message", "fields"}, body
        assert body["error"]["status"] == response.status_code, body


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("path", [ep.openapi_path for ep in DECLARED])
def test_api_never_fails_on_generated_requests(fuzz_schema, path, mode):
    """Valid requests (positive) and schema-violating ones (negative): never a 5xx, always a declared shape."""
    operation = fuzz_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        response = case.call_and_validate(checks=CHECKS)
        statuses.append(response.status_code)

    statuses: list[int] = []
    run()
    assert statuses and max(statuses) < 500
    if mode is GenerationMode.NEGATIVE:
        assert 400 in statuses, "negative generation should have produced rejected requests"


@pytest.mark.parametrize(("method", "path", "mode"), _operations(),
                         ids=lambda v: v.value if isinstance(v, GenerationMode) else v)
def test_every_operation_never_fails_on_generated_requests(fuzz_schema, admin_token, method, path, mode):
    """Every other operation, writes included, with an admin's token: never a 5xx, errors in the one shape."""
    operation = fuzz_schema[path][method]
    statuses: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=OPERATION_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def run(case):
        response = case.call_and_validate(checks=[not_a_server_error],
                                          headers={"Authorization": f"Bearer {admin_token}"})
        _error_shape(response)
        statuses.append(response.status_code)

    run()
    assert statuses and max(statuses) < 500
