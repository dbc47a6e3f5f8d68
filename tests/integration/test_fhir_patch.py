"""PATCH Location capacity (JSON Patch) by an authorised contributor: same validation, history and audit
as the web form (capacity.service), OperationOutcome for every refusal."""

from __future__ import annotations

import pytest

import fhir_api
from fhir_api import codes

pytestmark = pytest.mark.integration
PREFIX = "fhirpatch"
JSON_PATCH = "application/json-patch+json"


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    access = pytest.importorskip("tests.integration.access_world")
    tokens = access.build_world(graph, engine_endpoints)
    app = access.make_app(settings.replace(index_prefix=PREFIX), graph, search_client)
    if "fhir" not in app.blueprints:
        fhir_api.register(app)
    return app.test_client(), tokens, access.bearer


STATUS = {"installed": "01", "available": "02"}  # JDV_J188
GENDER = {"women": "01", "men": "02"}  # JDV_J190


def capacity_ext(status: str, gender: str | None, number: int) -> dict:
    def coded(system, code):
        return {"coding": [{"system": system, "code": code}]}
    parts = [{"url": "capacityStatus", "valueCodeableConcept": coded(codes.SYSTEM_CAPACITY_STATUS, STATUS[status])},
             {"url": "temporalityCapacity", "valueCodeableConcept": coded(codes.SYSTEM_CAPACITY_TEMPORALITY, "01")},
             {"url": "nbCapacity", "valueInteger": number}]
    if gender:
        parts.append({"url": "genderCapacityAvailable",
                      "valueCodeableConcept": coded(codes.SYSTEM_CAPACITY_GENDER, GENDER[gender])})
    return {"url": codes.EXT_SUPPORTED_CAPACITY, "extension": parts}


def figures(location: dict) -> dict:
    out = {}
    for ext in location.get("extension", []):
        if ext["url"] == codes.EXT_SUPPORTED_CAPACITY:
            parts = {p["url"]: p for p in ext["extension"]}
            gender = parts.get("genderCapacityAvailable", {}).get("valueCodeableConcept", {}).get("coding", [{}])
            status = parts["capacityStatus"]["valueCodeableConcept"]["coding"][0]["code"]
            key = ({v: k for k, v in STATUS.items()}.get(status, status),
                   {v: k for k, v in GENDER.items()}.get(gender[0].get("code"), gender[0].get("code")))
            out[key] = parts["nbCapacity"]["valueInteger"]
    return out


def patch(client, place: str, ops, headers: dict):
    return client.patch(f"/fhir/Location/{place}", json=ops, headers={**headers, "Content-Type": JSON_PATCH})


def test_contributor_patches_capacity_like_the_web_form(world, graph):
    from accounts.audit import count

    client, tokens, bearer = world
    audit_before = count(graph)
    first = patch(client, "pl-a", [{"op": "add", "path": "/extension/-",
                                    "value": capacity_ext("available", "women", 3)}], bearer(tokens["contrib_a"]))
    assert first.status_code == 200, first.get_data(as_text=True)
    got = figures(first.get_json())
    assert got[("available", "women")] == 3
    assert got[("installed", None)] == 12  # the place's installed beds, as the form does
    women = next(i for i, e in enumerate(first.get_json()["extension"])
                 if e["url"] == codes.EXT_SUPPORTED_CAPACITY and figures({"extension": [e]}).get(
                     ("available", "women")) is not None)
    pointer = f"/extension/{women}/extension"
    nb = next(j for j, p in enumerate(first.get_json()["extension"][women]["extension"]) if p["url"] == "nbCapacity")
    second = patch(client, "pl-a", [{"op": "test", "path": f"{pointer}/{nb}/valueInteger", "value": 3},
                                    {"op": "replace", "path": f"{pointer}/{nb}/valueInteger", "value": 5}],
                   bearer(tokens["contrib_a"]))
    assert second.status_code == 200, second.get_data(as_text=True)
    assert figures(second.get_json())[("available", "women")] == 5
    history = graph.read("MATCH (:Place {id: 'pl-a'})-[:HAS_CAPACITY]->(k) RETURN k.latest AS latest, "
                         "k.available_women AS women, k.updated_by AS by ORDER BY k.updated_at")
    assert [(h["latest"], h["women"], h["by"]) for h in history] == [(False, 3, "contrib_a"), (True, 5, "contrib_a")]
    assert count(graph) == audit_before + 2


@pytest.mark.parametrize(("user", "place", "ops", "status", "words"), [
    (None, "pl-a", [], 401, "authentifi"),
    ("contrib_c", "pl-a", [{"op": "add", "path": "/extension/-", "value": capacity_ext("available", "men", 1)}],
     403, ""),
    ("reader", "pl-a", [], 403, ""),
    ("contrib_a", "pl-a", [{"op": "replace", "path": "/name", "value": "Autre nom"}], 422, "capacités"),
    ("contrib_a", "pl-a", [{"op": "add", "path": "/extension/-", "value": capacity_ext("available", "women", 50)}],
     400, "femmes"),
    ("contrib_a", "pl-a", [{"op": "test", "path": "/name", "value": "Pas ce nom"}], 409, "test"),
    ("contrib_a", "pl-a", {"op": "add"}, 400, "liste"),
    # issue 19: a figure written as a JSON string ("valueInteger": "12") is refused, naming the value
    ("contrib_a", "pl-a", [{"op": "add", "path": "/extension/-", "value": {**capacity_ext("available", "women", 0),
                            "extension": [*capacity_ext("available", "women", 0)["extension"][:2],
                                          {"url": "nbCapacity", "valueInteger": "12"}]}}], 400, "'12'"),
    ("contrib_a", "pl-zzz", [], 404, "introuvable"),
])
def test_refusals_are_operation_outcomes(world, user, place, ops, status, words):
    client, tokens, bearer = world
    response = patch(client, place, ops, bearer(tokens[user]) if user else {})
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert words.lower() in " ".join(i["diagnostics"] for i in body["issue"]).lower()
