"""FHIR resources produced from the graph: valid R4 (fhir.resources), ROR structure, known facts; read errors."""

from __future__ import annotations

import pytest

from fhir_api import codes
from tests.fixtures.fhir.support import load_fixture_or_skip, make_app, validate

pytestmark = pytest.mark.integration

R211 = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"


@pytest.fixture(scope="module")
def client(graph, engine_endpoints):
    load_fixture_or_skip(graph, engine_endpoints)
    return make_app(graph).test_client()


def read(client, path: str) -> dict:
    response = client.get(f"/fhir/{path}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("application/fhir+json")
    return response.get_json()


ALL = ["Organization/eg-010000032", "Organization/eg-010000040", "Organization/eg-2A0000022",
       "Organization/eg-970100010", "Organization/ej-010000024", "Organization/ej-2A0000014",
       "HealthcareService/OFF-01-A", "HealthcareService/OFF-01-B", "HealthcareService/OFF-01-C",
       "HealthcareService/OFF-2A-A", "HealthcareService/OFF-971-A",
       "Location/PL-01-A", "Location/PL-01-C", "Location/PL-2A-A", "Location/PL-971-A",
       "PractitionerRole/10001234567.OFF-01-A", "PractitionerRole/SYN0000002.OFF-2A-A",
       "Practitioner/10001234567", "Practitioner/SYN0000002"]


@pytest.mark.parametrize("path", ALL)
def test_every_resource_validates_as_fhir_r4(client, path):
    resource = read(client, path)
    model = validate(resource)
    assert f"{model.get_resource_type()}/{model.id}" == path
    assert resource["meta"]["profile"] == [codes.PROFILE[resource["resourceType"]]]


def test_healthcare_service_carries_the_offer_description(client):
    hs = read(client, "HealthcareService/OFF-01-A")
    assert hs["name"] == "Hospitalisation complète de pédopsychiatrie"
    assert hs["providedBy"] == {"reference": "Organization/eg-010000032"}  # through pôle → service
    assert hs["location"] == [{"reference": "Location/PL-01-A"}]
    assert hs["specialty"][0]["coding"][0] == {"system": R211, "code": "227",
                                                "display": "Psychiatrie de l’enfant (pédopsychiatrie)"}
    assert [c["coding"][0]["code"] for c in hs["characteristic"]] == ["28"]
    assert hs["type"][0]["coding"][0]["code"] == "03"
    assert hs["category"][0]["coding"][0]["code"] == "05"
    patient = next(e for e in hs["extension"] if e["url"] == codes.EXT_PATIENT_TYPE)["extension"]
    age = next(e["valueRange"] for e in patient if e["url"] == "ageRange")
    assert (age["low"]["value"], age["high"]["value"]) == (2, 15)  # groups 03 (2–11) and 04 (12–15)
    publics = [e["valueCodeableConcept"]["coding"][0]["code"] for e in patient if e["url"] == "supportedPatientInfo"]
    assert publics == ["07"]
    assert hs["meta"]["lastUpdated"].startswith("2025-01-10T10:00:00")
    assert {"system": codes.SYSTEM_REGION, "code": "84", "display": "Auvergne-Rhône-Alpes"} in hs["meta"]["tag"]
    assert {"system": "phone", "value": "0474454650"} in hs["telecom"]
    assert hs["active"] is True
    # only published offers are public: a draft and its roles are unknown to the API (404, no tombstone)
    assert client.get("/fhir/HealthcareService/OFF-01-D").status_code == 404
    assert client.get("/fhir/PractitionerRole/10001234567.OFF-01-D").status_code == 404


def test_specific_acts_are_characteristics_typed_as_specific_act(client):
    hs = read(client, "HealthcareService/OFF-01-B")
    act = next(c for c in hs["characteristic"] if c["coding"][0]["code"] == "0320")
    assert act["extension"] == [{"url": codes.EXT_ACT_TYPE, "valueCode": "specificAct"}]


def test_location_has_latest_capacity_equipment_and_commune(client):
    loc = read(client, "Location/PL-01-A")
    assert loc["position"] == {"latitude": 46.216, "longitude": 5.246}
    assert loc["address"]["postalCode"] == "01000"
    assert loc["managingOrganization"] == {"reference": "Organization/eg-010000032"}
    cog = next(e for e in loc["extension"] if e["url"] == codes.EXT_COMMUNE_COG)
    assert cog["valueCodeableConcept"]["coding"][0]["code"] == "01053"
    equipment = [e for e in loc["extension"] if e["url"] == codes.EXT_EQUIPMENT]
    assert len(equipment) == 1
    parts = {p["url"]: p for p in equipment[0]["extension"]}
    assert parts["equipmentType"]["valueCodeableConcept"]["coding"][0]["code"] == "003"
    assert parts["nbInService"]["valueInteger"] == 2
    capacities = [{p["url"]: p for p in e["extension"]} for e in loc["extension"]
                  if e["url"] == codes.EXT_SUPPORTED_CAPACITY]
    women = [c for c in capacities if c.get("genderCapacityAvailable", {}).get("valueCodeableConcept", {})
             .get("coding", [{}])[0].get("code") == "01"]  # J190 Femme
    assert women[0]["nbCapacity"]["valueInteger"] == 0  # the latest snapshot (2), not the older one (5)
    assert women[0]["capacityUpdateDate"]["valueDateTime"].startswith("2025-05-01T08:00:00")
    installed = [c for c in capacities if c["capacityStatus"]["valueCodeableConcept"]["coding"][0]["code"]
                 == "01"]  # J188 Installé
    assert installed[0]["nbCapacity"]["valueInteger"] == 30


def test_organizations_eg_and_ej(client):
    eg = read(client, "Organization/eg-010000032")
    assert eg["partOf"] == {"reference": "Organization/ej-010000024"}
    assert {"system": codes.SYSTEM_FINESS, "value": "010000032"}.items() <= eg["identifier"][0].items()
    assert eg["type"][0]["coding"][0] == {"system": codes.SYSTEM_SITE_CATEGORY, "code": "355",
                                          "display": "Centre Hospitalier (C.H.)"}
    assert eg["address"][0]["extension"][0]["valueCode"] == "01053"
    ej = read(client, "Organization/ej-010000024")
    assert "partOf" not in ej
    assert any(i["system"] == codes.SYSTEM_SIREN and i["value"] == "260100016" for i in ej["identifier"])
    guadeloupe = read(client, "Organization/eg-970100010")  # no commune: region through its department
    assert guadeloupe["meta"]["tag"][0]["code"] == "01"


def test_practitioner_role_and_practitioner(client):
    role = read(client, "PractitionerRole/10001234567.OFF-01-A")
    assert role["practitioner"] == {"reference": "Practitioner/10001234567"}
    assert role["healthcareService"] == [{"reference": "HealthcareService/OFF-01-A"}]
    assert role["organization"] == {"reference": "Organization/eg-010000032"}
    assert [c["coding"][0]["code"] for c in role["code"]] == ["10", "23"]
    assert role["specialty"][0]["coding"][0]["code"] == "SM33"
    assert {"system": "email", "value": "eoh@ch-bourg.fr"} in role["telecom"]
    pract = read(client, "Practitioner/SYN0000002")
    assert pract["name"] == [{"family": "Dupont", "given": ["Paul"]}]
    assert {"system": codes.SYSTEM_PROVENANCE, "code": "synthetic", "display": "Donnée synthétique"} \
        in pract["meta"]["tag"]


@pytest.mark.parametrize(("path", "status", "code"), [
    ("HealthcareService/NOPE", 404, "not-found"),
    ("Organization/eg-999999999", 404, "not-found"),
    ("PractitionerRole/no-dot", 404, "not-found"),
    ("Patient/1", 404, "not-found"),
    ("Task/1", 404, "not-found"),
])
def test_read_errors_are_operation_outcomes_in_french(client, path, status, code):
    response = client.get(f"/fhir/{path}")
    assert response.status_code == status
    body = response.get_json()
    validate(body)
    assert body["issue"][0]["code"] == code
    assert "introuvable" in body["issue"][0]["diagnostics"] or "pas encore" in body["issue"][0]["diagnostics"] \
        or "inconnu" in body["issue"][0]["diagnostics"]


def test_deleted_resource_is_gone(client):
    response = client.get("/fhir/HealthcareService/OFF-OLD")
    assert response.status_code == 410
    assert response.get_json()["issue"][0]["code"] == "deleted"


def test_writes_other_than_capacity_patch_are_not_implemented(client):
    response = client.put("/fhir/HealthcareService/OFF-01-A", json={})
    assert response.status_code == 501
    assert "capacités" in response.get_json()["issue"][0]["diagnostics"]
    standalone = client.patch("/fhir/Location/PL-01-A", json=[])  # no accounts outside the web app
    assert standalone.status_code == 501
