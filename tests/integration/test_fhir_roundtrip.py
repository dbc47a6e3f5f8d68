"""$export → import (loaders.fhir, `ror load fhir`) → same facts; ROR IG examples import and re-export.

Known losses of the importer, so not compared: lastUpdated of all but HealthcareService, the commune (INSEE
address extension) of sites, the legal status (type) and SIREN of legal entities, publics (patient-type
extension), offer status (imported as published), the contact function of roles, internal organisations
(not published by the facade).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from fhir_api.export import EXPORT_TYPES, ExportJobs
from tests.fixtures.fhir.support import load_fixture, make_app, statements, validate

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
EXAMPLES = PROJECT_ROOT / "data" / "ror_fhir" / "examples_json"


@pytest.fixture(scope="module")
def importer(engine_endpoints):
    _, may_wipe = engine_endpoints
    if not may_wipe:
        pytest.skip("needs a database the tests may wipe")
    return pytest.importorskip("loaders.fhir")


def export_all(graph, folder: Path) -> Path:
    jobs = ExportJobs(graph, folder / "jobs")
    job = jobs.start(list(EXPORT_TYPES), None, "test", wait=True)
    assert jobs.state(job)["status"] == "completed"
    ndjson = folder / "ndjson"
    ndjson.mkdir()
    for file in (folder / "jobs" / job).glob("*.ndjson"):
        shutil.copy(file, ndjson / file.name)
    return ndjson


def counts(graph) -> dict:
    return graph.read(statements(FIXTURES / "counts.cypher")[0])[0]


def by_id(folder: Path) -> dict[str, dict]:
    out = {}
    for file in folder.glob("*.ndjson"):
        for line in file.read_text(encoding="utf-8").splitlines():
            resource = json.loads(line)
            out[f"{resource['resourceType']}/{resource['id']}"] = resource
    return out


def _plain(address):
    items = address if isinstance(address, list) else [address] if address else []
    return [{k: v for k, v in a.items() if k != "extension"} for a in items]


def codes(resource: dict, element: str) -> list[str]:
    return sorted(c["coding"][0]["code"] for c in resource.get(element, []))



def test_export_import_round_trip_keeps_the_counts_and_facts(graph, importer, tmp_path):
    load_fixture(graph)
    # only published offers are public, so only they travel: drop the fixture's draft (and its role) first
    graph.write("MATCH (o:Offer) WHERE o.status <> 'published' DETACH DELETE o")
    before = counts(graph)
    first = export_all(graph, tmp_path / "first")
    graph.write(statements(FIXTURES / "wipe_offer_side.cypher")[0])
    assert counts(graph)["offers"] == 0 and counts(graph)["sites"] == 0
    summary = importer.load_fhir(graph, first)
    assert summary.rejects == []
    assert counts(graph) == before
    second = export_all(graph, tmp_path / "second")
    old, new = by_id(first), by_id(second)
    assert set(new) == set(old)
    for key, resource in old.items():
        again = new[key]
        validate(again)
        for element in COMPARED[resource["resourceType"]]:
            assert fact(again, element, key) == fact(resource, element, key), (key, element)


COMPARED = {
    "Organization": ("name", "finess", "partOf", "address", "type"),
    "HealthcareService": ("name", "specialty", "characteristic", "type", "location", "providedBy", "identifier",
                          "lastUpdated"),
    "Location": ("name", "address", "position", "identifier"),
    "PractitionerRole": ("practitioner", "healthcareService", "organization", "identifier", "code"),
    "Practitioner": ("identifier", "name"),
}


def fact(resource: dict, element: str, key: str):
    if element == "lastUpdated":
        return resource["meta"].get("lastUpdated")
    if element == "finess":
        return resource["identifier"][0]
    if element == "address":
        return _plain(resource.get("address"))
    if element == "type" and key.startswith("Organization/ej-"):
        return None  # legal status: not imported
    if element == "code":  # professions only: the contact function is not imported
        return sorted(c["coding"][0]["code"] for c in resource.get("code", [])
                      if "TRE_G15" in c["coding"][0].get("system", ""))
    if element in ("specialty", "characteristic", "type"):
        return codes(resource, element)
    return resource.get(element)


def test_ror_examples_import_and_re_export_with_the_same_facts(graph, importer, settings, tmp_path):
    from loaders.nos import load_nos

    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    graph.apply_schema()
    load_nos(graph, Path(settings.data_dir))
    summary = importer.load_fhir(graph, EXAMPLES)
    assert summary.rejects == []
    # the example role points to HealthcareService/9597, not among the examples: a draft stub until that
    # service is imported (only published offers and their roles are public); import it to complete the stub
    completing = tmp_path / "HealthcareService-9597.json"
    completing.write_text(json.dumps({"resourceType": "HealthcareService", "id": "9597",
                                      "name": "Service de l'exemple de rôle"}), encoding="utf-8")
    assert importer.load_fhir(graph, completing).rejects == []
    client = make_app(graph).test_client()
    source = {p.stem.split("-", 1)[0]: json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES.glob("*.json")}

    hs_in = source["HealthcareService"]
    hs = client.get(f"/fhir/HealthcareService/{hs_in['id']}").get_json()
    validate(hs)
    assert hs["name"] == hs_in["name"]
    for element in ("specialty", "characteristic", "type"):
        assert codes(hs, element) == codes(hs_in, element), element
    act = next(c for c in hs["characteristic"] if c["coding"][0]["code"] == "0320")
    assert act["extension"][0]["valueCode"] == "specificAct"
    assert hs["specialty"][0]["coding"][0]["system"] == hs_in["specialty"][0]["coding"][0]["system"]

    loc_in = source["Location"]
    loc = client.get(f"/fhir/Location/{loc_in['id']}").get_json()
    validate(loc)
    assert loc["address"]["postalCode"] == loc_in["address"]["postalCode"]
    assert loc["address"]["city"] == loc_in["address"]["city"]
    cog = next(e for e in loc["extension"] if e["url"].endswith("ror-commune-cog"))
    assert cog["valueCodeableConcept"]["coding"][0]["code"] == "78646"

    org_in = source["Organization"]
    finess = next(i["value"] for i in org_in["identifier"] if i.get("system") == "https://finess.esante.gouv.fr")
    org = client.get(f"/fhir/Organization/eg-{finess}").get_json()
    validate(org)
    assert org["name"] == org_in["name"]
    assert codes(org, "type") == codes(org_in, "type")
    assert org["address"][0]["postalCode"] == org_in["address"][0]["postalCode"]
    assert {"system": "phone", "value": "01.01.01.01.01"} in org["telecom"]

    role_in = source["PractitionerRole"]
    rpps = role_in["identifier"][0]["value"]
    service = role_in["healthcareService"][0]["reference"].split("/")[1]
    role = client.get(f"/fhir/PractitionerRole/{rpps}.{service}").get_json()
    validate(role)
    assert codes(role, "code")[0] == "60"
    name = {e["url"]: e["valueString"] for e in role["extension"][0]["extension"]}
    assert name == {"exerciseFirstName": "Mylène", "exerciseLastName": "Tenor"}
