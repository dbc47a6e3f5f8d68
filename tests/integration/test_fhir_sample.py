"""Every resource the facade produces from the loaders' data (FINESS sample + generated offer, Corse) is valid
FHIR R4 with ROR-style ids, and the includes of the national IG query resolve on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from fhir_api.export import EXPORT_TYPES, ExportJobs
from fhir_api.resources import FHIR_ID
from tests.fixtures.fhir.support import build_index, make_app, validate

pytestmark = pytest.mark.integration
SAMPLE = PROJECT_ROOT / "data" / "finess" / "finess_etablissements_2021-01_sample_01_2A_971.csv"


@pytest.fixture(scope="module")
def sample_graph(graph, settings, engine_endpoints):
    _, may_wipe = engine_endpoints
    if not may_wipe:
        pytest.skip("needs a database the tests may wipe")
    demo = pytest.importorskip("loaders.demo")
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    demo.load_demo(settings, graph, progress=False, departments={"2A"}, finess_path=SAMPLE)
    return graph


def test_every_exported_resource_is_valid_fhir_r4(sample_graph, tmp_path: Path):
    jobs = ExportJobs(sample_graph, tmp_path)
    job = jobs.start(list(EXPORT_TYPES), None, "test", wait=True)
    state = jobs.state(job)
    assert state["status"] == "completed", state["error"]
    counts = {o["type"]: o["count"] for o in state["output"]}
    graph_counts = sample_graph.counts()
    assert counts["HealthcareService"] == graph_counts["Offer"] > 0
    assert counts["Location"] == graph_counts["Place"]
    assert counts["Organization"] == graph_counts["Site"] + graph_counts["LegalEntity"]
    assert counts["Practitioner"] == graph_counts["Professional"]
    for output in state["output"]:
        with (tmp_path / job / output["file"]).open(encoding="utf-8") as lines:
            for line in lines:
                resource = json.loads(line)
                assert FHIR_ID.match(resource["id"]), resource["id"]
                validate(resource)


def test_ig_query_on_generated_offer(sample_graph, search_client, tmp_path: Path):
    build_index(sample_graph, search_client, tmp_path, "fhirsample")
    client = make_app(sample_graph, search_client, index_prefix="fhirsample", exports_dir=tmp_path).test_client()
    activity = sample_graph.read("MATCH (a:Activity)<-[:PROVIDES]-(:Offer) RETURN a.code AS code, count(*) AS n "
                                 "ORDER BY n DESC, code LIMIT 1")[0]["code"]
    response = client.get(f"/fhir/HealthcareService?specialty={activity}&_count=5"
                          "&_include=HealthcareService:organization&_include:iterate=Organization:partof"
                          "&_include=HealthcareService:location&_revinclude=PractitionerRole:service"
                          "&_include=PractitionerRole:practitioner")
    assert response.status_code == 200
    bundle = response.get_json()
    validate(bundle)
    found = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    expected = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        for element in ("providedBy", "partOf", "practitioner"):
            if element in resource:
                expected.add(resource[element]["reference"])
        expected.update(ref["reference"] for ref in resource.get("location", []))
    assert any(e["search"]["mode"] == "match" for e in bundle["entry"])
    assert expected <= found  # every reference the IG query asks to include resolves inside the bundle


def test_generated_nodes_get_the_synthetic_details_fhir_searches_read(sample_graph):
    """loaders.fhir_extras (run by the generator): every generated place has a function, bariatric equipment a
    weight limit, psychiatry offers a sector; a re-run changes nothing."""
    from loaders import fhir_extras

    def state():
        return sample_graph.read(
            "MATCH (p:Place) WITH count(p) AS places, count(p.function_code) AS functions "
            "OPTIONAL MATCH (o:Offer)-[:IN_FIELD]->(:Field {code: '03'}) "
            "WITH places, functions, count(o) AS psy, count(o.psychiatric_sector) AS sectors "
            "OPTIONAL MATCH ()-[h:HAS_EQUIPMENT]->(e:EquipmentType) WHERE e.label CONTAINS 'poids' "
            "RETURN places, functions, psy, sectors, count(h) AS bariatric, count(h.limit_value) AS limits")[0]

    before = state()
    assert before["places"] == before["functions"] > 0
    assert before["psy"] == before["sectors"]
    assert before["bariatric"] == before["limits"]
    fhir_extras.enrich(sample_graph)
    assert state() == before
