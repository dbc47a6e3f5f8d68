"""Bulk Data $export: async kick-off / status / NDJSON download, _type, _since deltas with deletions."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from tests.fixtures.fhir.support import load_fixture_or_skip, make_app, validate

pytestmark = pytest.mark.integration
ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}
FIXTURE_COUNTS = {"Organization": 6, "HealthcareService": 5, "Location": 4, "PractitionerRole": 3, "Practitioner": 2}


@pytest.fixture(scope="module")
def client(graph, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    return make_app(graph, exports_dir=tmp_path_factory.mktemp("exports")).test_client()


def path_of(url: str) -> str:
    return urlsplit(url).path


def run_export(client, url: str) -> dict:
    kick = client.get(url, headers=ASYNC)
    assert kick.status_code == 202, kick.get_data(as_text=True)
    status_url = path_of(kick.headers["Content-Location"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(status_url)
        if status.status_code == 200:
            manifest = status.get_json()
            manifest["_status_url"] = status_url
            return manifest
        assert status.status_code == 202
        assert "X-Progress" in status.headers
        time.sleep(0.1)
    raise AssertionError("export did not finish in 120 s")


def raw(client, url: str) -> bytes:
    with client.get(path_of(url)) as response:  # closes the file send_file opened
        assert response.status_code == 200
        assert response.mimetype == "application/fhir+ndjson"
        return response.get_data()


def download(client, url: str) -> list[dict]:
    return [json.loads(line) for line in raw(client, url).decode("utf-8").splitlines() if line]


def test_system_export_writes_every_resource_as_valid_ndjson(client):
    manifest = run_export(client, "/fhir/$export")
    assert manifest["requiresAccessToken"] is False
    assert manifest["request"].endswith("/fhir/$export")
    counts = {o["type"]: o["count"] for o in manifest["output"]}
    assert counts == FIXTURE_COUNTS
    for output in manifest["output"]:
        resources = download(client, output["url"])
        assert len(resources) == output["count"]
        assert {r["resourceType"] for r in resources} == {output["type"]}
        for resource in resources:
            validate(resource)
    assert manifest["deleted"] == []  # a full export omits deleted resources


def test_export_is_deterministic(client):
    first, second = run_export(client, "/fhir/$export"), run_export(client, "/fhir/$export")
    for a, b in zip(first["output"], second["output"], strict=True):
        assert raw(client, a["url"]) == raw(client, b["url"])


def test_type_level_and_type_filter(client):
    assert [o["type"] for o in run_export(client, "/fhir/Location/$export")["output"]] == ["Location"]
    manifest = run_export(client, "/fhir/$export?_type=HealthcareService,Location")
    assert [o["type"] for o in manifest["output"]] == ["HealthcareService", "Location"]


def test_since_exports_the_delta_and_the_deletions(client):
    manifest = run_export(client, "/fhir/$export?_since=2025-06-01T00:00:00Z")
    got = {o["type"]: sorted(r["id"] for r in download(client, o["url"])) for o in manifest["output"]}
    assert got == {"Organization": ["eg-010000040"], "HealthcareService": ["OFF-01-C"], "Location": ["PL-01-C"],
                   "PractitionerRole": ["SYN0000002.OFF-01-A", "SYN0000002.OFF-2A-A"],
                   "Practitioner": ["SYN0000002"]}
    deleted = [b for d in manifest["deleted"] for b in download(client, d["url"])]
    assert [e["request"] for b in deleted for e in b["entry"]] == [
        {"method": "DELETE", "url": "HealthcareService/OFF-OLD"}]
    assert all(b["resourceType"] == "Bundle" and b["type"] == "transaction" for b in deleted)
    later = run_export(client, "/fhir/$export?_since=2025-10-01")
    assert later["output"] == [] and later["deleted"] == []


def test_delete_job_then_status_is_404(client):
    manifest = run_export(client, "/fhir/Practitioner/$export")
    assert client.delete(manifest["_status_url"]).status_code == 202
    gone = client.get(manifest["_status_url"])
    assert gone.status_code == 404
    assert gone.get_json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(("url", "headers"), [
    ("/fhir/$export?includeAssociatedData=LatestProvenanceResources", ASYNC),
    ("/fhir/$export?_typeFilter=Patient%3Fname%3Dx", ASYNC),
    ("/fhir/$export?_typeFilter=HealthcareService%3Fnope%3D1", ASYNC),
    ("/fhir/$export?_typeFilter=Location%3Fnear%3D45%7C5%7C10%7Ckm", ASYNC),
    ("/fhir/$export?_type=Location&_typeFilter=HealthcareService%3F_id%3Dx", ASYNC),
    ("/fhir/$export?_type=Patient", ASYNC),
    ("/fhir/$export?_since=last-week", ASYNC),
    ("/fhir/$export?_outputFormat=text/csv", ASYNC),
    ("/fhir/Location/$export?_type=HealthcareService", ASYNC),
])
def test_bad_kick_off_is_a_400(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_unknown_files_and_jobs_are_404(client):
    manifest = run_export(client, "/fhir/Location/$export")
    job = manifest["_status_url"].rsplit("/", 1)[1]
    assert client.get(f"/fhir/$export-file/{job}/job.json").status_code == 404
    assert client.get(f"/fhir/$export-file/{job}/..%2Fjob.json").status_code == 404
    assert client.get("/fhir/$export-poll-status/0123456789abcdef0123456789abcdef").status_code == 404


def test_recorded_deletion_shows_in_the_next_delta_and_reads_410(client, graph):
    from graph import tombstones

    since = "2030-01-01T00:00:00Z"  # later than the fixture's own tombstone: only this deletion is listed
    graph.write("MATCH (o:Offer {id: 'OFF-971-A'}) DETACH DELETE o")
    tombstones.record(graph, tombstones.ids_for("Offer", "OFF-971-A"), deleted_by="test")
    graph.write("MATCH (t:Tombstone {resource_id: 'OFF-971-A'}) SET t.deleted_at = datetime($at)", at=since)
    manifest = run_export(client, f"/fhir/$export?_type=HealthcareService&_since={since}")
    deleted = [e["request"]["url"] for d in manifest["deleted"] for b in download(client, d["url"]) for e in b["entry"]]
    assert deleted == ["HealthcareService/OFF-971-A"]
    assert client.get("/fhir/HealthcareService/OFF-971-A").status_code == 410


# --- the ROR's documented call forms (issue 14, item 6) ---------------------------------------------------------

REGION = "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"


def everything(client) -> dict[str, list[dict]]:
    manifest = run_export(client, "/fhir/$export")
    return {o["type"]: download(client, o["url"]) for o in manifest["output"]}


def associated_with(full: dict[str, list[dict]], offers: set[str]) -> dict[str, set[str]]:
    """What the documentation's « _myCompleteExtract » brings with these offers, read from a full export."""
    def refs(value, target):
        return {r["reference"].split("/")[1] for r in (value if isinstance(value, list) else [value] if value else [])
                if r.get("reference", "").startswith(target + "/")}
    hs = [r for r in full["HealthcareService"] if r["id"] in offers]
    roles = [r for r in full["PractitionerRole"] if refs(r.get("healthcareService"), "HealthcareService") & offers]
    orgs = set().union(*(refs(r.get("providedBy"), "Organization") for r in hs))
    orgs |= set().union(*(refs(o.get("partOf"), "Organization") for o in full["Organization"] if o["id"] in orgs))
    return {"HealthcareService": offers, "Organization": orgs,
            "Location": set().union(*(refs(r.get("location"), "Location") for r in hs)),
            "PractitionerRole": {r["id"] for r in roles},
            "Practitioner": set().union(*(refs(r.get("practitioner"), "Practitioner") for r in roles))}


def test_the_ror_call_form_without_prefer(client):
    """As documented (export.md, « Profil 0 »): no Prefer header, JSON output, the status URL read with _jobId."""
    kick = client.get("/fhir/$export?_outputFormat=application/fhir+json&_type=HealthcareService"
                      "&includeAssociatedData=_myCompleteExtract", headers={"Accept": "application/json"})
    assert kick.status_code == 202, kick.get_data(as_text=True)
    location = urlsplit(kick.headers["Content-Location"])
    assert location.path.endswith("/fhir/$export-poll-status") and location.query.startswith("_jobId=")
    deadline, status = time.monotonic() + 120, None
    while time.monotonic() < deadline:
        status = client.get(location.path + "?" + location.query)
        if status.status_code == 200:
            break
        assert status.status_code == 202
    assert status is not None and status.status_code == 200
    manifest = status.get_json()
    counts: dict[str, int] = {}
    for output in manifest["output"]:
        assert output["url"].endswith(".json")
        with client.get(path_of(output["url"])) as response:
            assert response.status_code == 200 and response.mimetype == "application/fhir+json"
            bundle = response.get_json()
        validate(bundle)
        assert bundle["type"] == "collection" and len(bundle["entry"]) == output["count"]
        assert {e["resource"]["resourceType"] for e in bundle["entry"]} == {output["type"]}
        counts[output["type"]] = counts.get(output["type"], 0) + output["count"]
    # every offer, and what is associated with them: every resource of the graph as it is now (an earlier test
    # of this module deletes an offer)
    assert counts == {rtype: len(resources) for rtype, resources in everything(client).items() if resources}
    assert counts["HealthcareService"] >= FIXTURE_COUNTS["HealthcareService"] - 1
    assert client.delete(location.path + "?" + location.query).status_code == 202
    assert client.get(location.path + "?" + location.query).status_code == 404


@pytest.mark.parametrize("headers", [ASYNC, {}], ids=["bulk-data", "ror"])
def test_region_type_filter_with_associated_resources(client, headers):
    full = everything(client)
    region = {r["id"] for r in full["HealthcareService"]
              if any(t.get("code") == "84" for t in r["meta"].get("tag", []))}
    assert region and region != {r["id"] for r in full["HealthcareService"]}
    url = ("/fhir/$export?_type=HealthcareService&includeAssociatedData=_myCompleteExtract&_typeFilter="
           + "HealthcareService%3F_tag%3D" + REGION.replace(":", "%3A").replace("/", "%2F") + "%7C84")
    if headers:
        manifest = run_export(client, url)
    else:
        kick = client.get(url)
        assert kick.status_code == 202
        location = urlsplit(kick.headers["Content-Location"])
        deadline = time.monotonic() + 120
        while (status := client.get(location.path + "?" + location.query)).status_code == 202:
            assert time.monotonic() < deadline
        manifest = status.get_json()
    got = {o["type"]: {r["id"] for r in download(client, o["url"])} for o in manifest["output"]}
    expected = {t: ids for t, ids in associated_with(full, region).items() if ids}
    assert got == expected
    only = run_export(client, url.replace("includeAssociatedData=_myCompleteExtract&", ""))
    assert {o["type"]: {r["id"] for r in download(client, o["url"])} for o in only["output"]} == \
        {"HealthcareService": region}


def test_documented_export_requests(client):
    """R030, R031, R116, R117 of the documented requests, as written (with and without Prefer)."""
    from tests.integration.test_fhir_documented import REQUESTS

    for request_ in (r for r in REQUESTS if r["resource"] == "$export"):
        for headers in (request_.get("headers") or {}, {}):
            response = client.get("/fhir/" + request_["path"], headers=headers)  # `+` unencoded, as documented
            assert response.status_code == 202, (request_["id"], response.get_data(as_text=True))
