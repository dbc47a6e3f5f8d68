"""/fhir mounted in the web app (web.create_app + fhir_api.register): same graph, same answers as /api/v1."""

from __future__ import annotations

import pytest

import fhir_api
from tests.fixtures.fhir.support import load_fixture_or_skip

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(graph, search_client, settings, engine_endpoints):
    web_app = pytest.importorskip("web.app")
    load_fixture_or_skip(graph, engine_endpoints)
    app = web_app.create_app(settings.replace(index_prefix="fhirweb"), graph=graph, search=search_client)
    if "fhir" not in app.blueprints:  # until web.create_app mounts it itself
        fhir_api.register(app)
    return app.test_client()


def test_metadata_and_errors_inside_the_web_app(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.get_json()["resourceType"] == "CapabilityStatement"
    missing = client.get("/fhir/HealthcareService/NOPE")
    assert missing.status_code == 404
    assert missing.get_json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("offer_id", ["OFF-01-A", "OFF-01-B", "OFF-971-A"])
def test_portal_api_and_fhir_agree_on_an_offer(client, offer_id):
    api = client.get(f"/api/v1/offers/{offer_id}")
    assert api.status_code == 200, api.get_data(as_text=True)
    offer = api.get_json()["offer"]
    hs = client.get(f"/fhir/HealthcareService/{offer_id}").get_json()
    assert hs["name"] == offer["name"]
    assert hs["providedBy"]["reference"] == f"Organization/eg-{offer['site_finess']}"
    assert sorted(c["coding"][0]["code"] for c in hs["specialty"]) == sorted(a["code"] for a in offer["activities"])
    assert sorted(c["coding"][0]["code"] for c in hs["characteristic"]) == sorted(
        [m["code"] for m in offer["care_modes"]] + [a["code"] for a in offer["acts"]])
    region_tags = [t["code"] for t in hs["meta"]["tag"] if t["system"].endswith("TRE-R30-RegionOM")]
    assert region_tags == [offer["region_code"]]
