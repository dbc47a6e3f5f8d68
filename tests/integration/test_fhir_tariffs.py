"""EHPAD tariffs (issue 14, item 5): generated (synthetic, deterministic per FINESS) by loaders/tariffs.py, rendered
as the ROR's `ror-organization-price` extensions on the Organization, searched with the documented parameters
(R049–R051 of the documented requests, placeholders filled) with known answers on the fixture graph +
documented.cypher + tariffs.cypher: the two EHPAD of Nantes.

Their tariffs (loaders.tariffs.tariffs_for): 440000859 (offer B, since 2025-01-01) hébergement simple public
75.81, double 66.72, temporaire 80.36, aide sociale 63.68, F1 ASH 60.65, dépendance GIR 1-2 22.04, 3-4 13.94,
5-6 5.95; 440000867 (offer A, since 2024-07-01) 80.25, 70.62, 85.07, no aide sociale, no F1, GIR 19.64, 12.42,
5.3."""

from __future__ import annotations

import pytest

from fhir_api import tariffs as fhir_tariffs
from loaders import tariffs
from tests.fixtures.fhir.support import build_index, load_fixture_or_skip, make_app, statements, validate
from tests.integration.test_fhir_documented import FIXTURES, REQUESTS, filled

pytestmark = pytest.mark.integration
A, B = "OFF-44-EHPAD-A", "OFF-44-EHPAD-B"
PRICE_TYPE = fhir_tariffs.SYSTEM_PRICE_TYPE
FILL = {"R049": {"X": "72"}, "R050": {"X": "62"}, "R051": {"XR": "13"}}
MATCHES = {"R049": [B, A],  # both have an accommodation price under 72 €; the latest tariffs first
           "R050": [B],  # only B has an ASH-approved F1 (60.65 €)
           "R051": [A]}  # GIR 3-4, permanent, under 13 €: A's 12.42 (B's is 13.94)


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    for name in ("documented.cypher", "tariffs.cypher"):
        for statement in statements(FIXTURES / name):
            graph.write(statement)
    assert tariffs.generate(graph) == 2
    assert tariffs.generate(graph) == 0  # unchanged tariffs are not rewritten (the sites keep their date)
    exports = tmp_path_factory.mktemp("exports")
    build_index(graph, search_client, exports, "fhirtariff")
    return make_app(graph, search_client, index_prefix="fhirtariff", exports_dir=exports).test_client()


def matches(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


def test_the_organization_carries_its_tariffs(client):
    body = client.get("/fhir/Organization/eg-440000859").get_json()
    validate(body)
    prices = [e for e in body["extension"] if e["url"] == fhir_tariffs.EXT_PRICE]
    assert len(prices) == 8
    f1 = next(p for p in prices if {"url": "residentialType", "valueCodeableConcept": {"coding": [
        {"system": fhir_tariffs.SYSTEM_RESIDENTIAL_TYPE, "code": "03", "display": "F1"}]}} in p["extension"])
    parts = {e["url"]: e for e in f1["extension"]}
    assert parts["amount"]["valueMoney"] == {"value": 60.65, "currency": "EUR"}
    assert parts["startDate"]["valueDateTime"] == "2025-01-01"
    assert parts["specialPrice"]["valueCodeableConcept"]["coding"][0]["code"] == "03"
    assert parts[fhir_tariffs.EXT_SYNTHETIC]["valueBoolean"] is True  # synthetic, and says so
    hospital = client.get("/fhir/Organization/eg-440000057").get_json()
    assert "extension" not in hospital or not any(e["url"] == fhir_tariffs.EXT_PRICE for e in hospital["extension"])


@pytest.mark.parametrize("request_", [r for r in REQUESTS if r["id"] in MATCHES], ids=sorted(MATCHES))
def test_documented_tariff_requests(client, request_):
    typo = client.get("/fhir/" + filled({"id": request_["id"]}, _fill(request_, request_["path"])))
    assert typo.status_code == 400 and "Healthcareservice:location" in typo.get_json()["issue"][0]["diagnostics"]
    response = client.get("/fhir/" + filled({"id": request_["id"]}, _fill(request_, request_["corrected"])))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert matches(body) == MATCHES[request_["id"]] and body["total"] == len(MATCHES[request_["id"]])
    included = {e["resource"]["id"] for e in body["entry"] if e["search"]["mode"] == "include"}
    assert included == {f"PL-44-EHPAD-{i[-1]}" for i in MATCHES[request_["id"]]}
    for entry in body["entry"]:
        validate(entry["resource"])


def _fill(request_: dict, path: str) -> str:
    for placeholder, value in sorted(FILL[request_["id"]].items(), key=lambda kv: -len(kv[0])):
        path = path.replace(f"=lt{placeholder}&", f"=lt{value}&").replace(f"=le{placeholder}&", f"=le{value}&")
    return path


def test_conditions_hold_for_one_tariff(client):
    def hs(query: str) -> list[str]:
        response = client.get("/fhir/HealthcareService?" + query)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return matches(response.get_json())

    residential = fhir_tariffs.SYSTEM_RESIDENTIAL_TYPE
    special = fhir_tariffs.SYSTEM_SPECIAL_PRICE
    assert hs(f"organization.price-residential-type={residential}|03&organization.price-amount-value=le61") == [B]
    assert hs(f"organization.price-residential-type={residential}|03&organization.price-amount-value=lt60") == []
    # B has a single room (02) and an ASH-approved price (03), never in the same tariff
    assert hs(f"organization.price-residential-type={residential}|02&organization.special-price={special}|03") == []
    assert hs(f"organization.price-type={PRICE_TYPE}|03&organization.price-amount-value=gt22") == [B]
    orgs = client.get(f"/fhir/Organization?price-type={PRICE_TYPE}|02&_sort=-price-validity-start-date").get_json()
    assert matches(orgs) == ["eg-440000859", "eg-440000867"]
    assert matches(client.get(f"/fhir/Organization?price-welcome-type={fhir_tariffs.SYSTEM_WELCOME_TYPE}|01"
                              ).get_json()) == ["eg-440000859", "eg-440000867"]


def test_metadata_lists_the_tariff_parameters(client):
    statement = client.get("/fhir/metadata").get_json()
    organization = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Organization")
    assert {"price-type", "price-amount-value", "price-residential-type", "special-price", "price-welcome-type",
            "price-dependency-level", "price-validity-start-date"} <= {p["name"] for p in organization["searchParam"]}
