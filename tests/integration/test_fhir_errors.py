"""Issue 19 (FHIR): every invalid value is a 400 OperationOutcome naming it, every routing error under /fhir is
an OperationOutcome (404, 405, 413, 431), never HTML, plain text or a 500. One test per finding, exact input."""

from __future__ import annotations

import pytest

from tests.fixtures.fhir.support import load_fixture_or_skip, make_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def apps(graph, search_client, settings, engine_endpoints):
    web_app = pytest.importorskip("web.app")
    load_fixture_or_skip(graph, engine_endpoints)
    web = web_app.create_app(settings.replace(index_prefix="fhirerrors"), graph=graph, search=search_client)
    fhir_only = make_app(graph, search_client, index_prefix="fhirerrors")
    return {"web": web.test_client(), "fhir": fhir_only.test_client()}


def outcome(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/fhir+json"
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    return " ".join(issue["diagnostics"] for issue in body["issue"])


@pytest.mark.parametrize("app", ["web", "fhir"])
@pytest.mark.parametrize(("query", "names"), [
    ("HealthcareService?_lastUpdated=ge2025-01-01T10:00:00%2B99:00", "+99:00"),
    ("Location?_lastUpdated=2025-01-01T10:00:00%2B24:00", "+24:00"),
    ("Organization?_has=1", "_has"),
    ("Practitioner?_has=1", "_has"),
    ("HealthcareService?_id:below=OFF", ":below"),
    ("HealthcareService?active=maybe", "maybe"),
    ("Location?nb-capacity=gt-5", "gt-5"),
    ("Location?near=45|5|1e9|km", "1e9"),
    ("Location?near=nan|5|10|km", "nan"),
    ("HealthcareService?location.nb-capacity=gtinf", "gtinf"),
    ("HealthcareService?__include=HealthcareService:organization", "__include"),
    ("HealthcareService?_revincluded=PractitionerRole:service", "_revincluded"),
    ("HealthcareService?_include=Healthcareservice:location", "Healthcareservice:location"),
    ("HealthcareService?_filter=(specialty eq)", "_filter"),
    ("HealthcareService?_sort=capacity-status", "_sort"),
    ("HealthcareService?_count=2&_offset=9999", "10000"),
])
def test_invalid_values_are_400_naming_them(apps, app, query, names):
    diagnostics = outcome(apps[app].get(f"/fhir/{query}"), 400)
    assert names in diagnostics


@pytest.mark.parametrize("app", ["web", "fhir"])
@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/fhir/Location/x/_history", 404),
    ("GET", "/fhir/Location/PL-01-A/_history/1", 404),
    ("GET", "/fhir/", 404),
    ("POST", "/fhir/Location", 405),
    ("DELETE", "/fhir/metadata", 405),
])
def test_routing_errors_are_operation_outcomes(apps, app, method, path, status):
    response = apps[app].open(path, method=method)
    outcome(response, status)
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_too_large_body_and_headers_are_operation_outcomes(apps):
    big = outcome(apps["web"].post("/fhir/HealthcareService/_search", data="x" * (70 * 1024),
                                   content_type="application/x-www-form-urlencoded"), 413)
    assert "volumineuse" in big
    headers = {f"X-Filler-{i}": "y" * 1000 for i in range(40)}
    assert "En-têtes" in outcome(apps["web"].get("/fhir/metadata", headers=headers), 431)
    assert apps["web"].get("/api/v1/nope", headers=headers).get_json()["error"]["status"] == 431
