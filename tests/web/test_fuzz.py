"""Fuzz the API from its own OpenAPI document (schemathesis) on the real, seeded engines: no 5xx, ever.

Every generated request must get a declared status, the declared content type and a body that matches the
declared schema (the one error shape included).
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


@pytest.fixture(scope="module")
def fuzz_schema(live_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", live_app)


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
