"""Input templates written through the FHIR API (POST / PUT /fhir/Questionnaire, the ROR's « modèles de saisie »)
on the access world (real Neo4j): the documented body (MS-141, trimmed) is created by an administrator, read by
id, found with the documented parameters next to the generated templates, replaced by a new version (If-Match
honoured, 412 when stale), audited; mistakes are 400s naming the element; other roles and anonymous callers are
refused; the two generated templates cannot be replaced; /fhir/metadata lists the interactions."""

from __future__ import annotations

import pytest

from accounts import audit
from fhir_api.questionnaires import SYSTEM_TEMPLATE
from tests.fixtures.fhir.questionnaire_ms141 import CATEGORY, ms141
from tests.fixtures.fhir.support import validate

pytestmark = pytest.mark.integration
FHIR_JSON = "application/fhir+json"


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    access = pytest.importorskip("tests.integration.access_world")
    tokens = access.build_world(graph, engine_endpoints)
    graph.apply_schema()
    app = access.make_app(settings.replace(index_prefix="fhirquest"), graph, search_client)
    return app.test_client(), tokens, access.bearer


def send(world, method: str, url: str, body, user: str | None = "admin", headers: dict | None = None):
    client, tokens, bearer = world
    auth = bearer(tokens[user]) if user else {}
    return client.open(url, method=method, json=body,
                       headers={**auth, "Content-Type": FHIR_JSON, **(headers or {})})


def created(world, body=None) -> dict:
    response = send(world, "POST", "/fhir/Questionnaire", body or ms141())
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def matches(world, query: str) -> list[str]:
    response = world[0].get(f"/fhir/Questionnaire?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(e["resource"]["id"] for e in response.get_json()["entry"] if e["search"]["mode"] == "match")


def issues(response) -> dict[str, str]:
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    return {i["expression"][0]: i["diagnostics"] for i in body["issue"] if i.get("expression")}


def test_the_documented_body_is_created_read_and_found(world, graph):
    before = audit.count(graph, "questionnaire.create")
    response = send(world, "POST", "/fhir/Questionnaire", ms141())
    assert response.status_code == 201, response.get_data(as_text=True)
    template = response.get_json()
    validate(template)
    tid = template["id"]
    assert tid != "ror-questionnaire-offre-mco"  # the server gives the id (FHIR create ignores the body's)
    assert response.headers["Location"].endswith(f"/fhir/Questionnaire/{tid}/_history/1")
    assert response.headers["ETag"] == 'W/"1"' and template["meta"]["versionId"] == "1"
    assert template["meta"]["profile"] == ms141()["meta"]["profile"] and template["meta"]["lastUpdated"]
    assert template["item"] == ms141()["item"] and template["useContext"] == ms141()["useContext"]
    assert audit.count(graph, "questionnaire.create") == before + 1
    read = world[0].get(f"/fhir/Questionnaire/{tid}")
    assert read.status_code == 200 and read.get_json() == template and read.headers["ETag"] == 'W/"1"'
    assert world[0].get(f"/fhir/Questionnaire/{tid}/_history/1").get_json() == template
    assert world[0].get(f"/fhir/Questionnaire/{tid}/_history/2").status_code == 404
    # found at once (same process) by the documented parameters, next to the generated templates
    assert tid in matches(world, f"context={CATEGORY}|101")
    assert tid not in matches(world, f"context={CATEGORY}|124")
    assert set(matches(world, f"context={CATEGORY}|124")) == {"capacite-lieu", "description-offre"}
    assert matches(world, "name=MS-141") == [tid]
    assert tid in matches(world, "identifier=MS-141") and tid in matches(world, "")
    assert matches(world, "title:contains=gynécologie") == [tid]
    assert tid in matches(world, "status=active&subject-type=HealthcareService&version=1")
    assert matches(world, "url=https://interop.esante.gouv.fr/ig/fhir/ror/Questionnaire/MS-141") == [tid]
    assert matches(world, f"_id={tid}&date=2026-02-13") == [tid]
    assert matches(world, "_filter=name eq MS-141 and context-type eq champAct") == [tid]
    assert matches(world, "_content=gynécologie") == [tid]
    assert tid in matches(world, "_lastUpdated=ge2020-01-01")
    assert matches(world, f"identifier={SYSTEM_TEMPLATE}|capacite-lieu") == ["capacite-lieu"]
    entries = world[0].get("/fhir/Questionnaire?name=MS-141").get_json()["entry"]
    validate(entries[0]["resource"])


def test_put_replaces_with_a_new_version_and_honours_if_match(world, graph):
    tid = created(world)["id"]
    body = ms141()
    body.update(id=tid, status="retired", version="2", title="Unité de gynécologie (v2)")
    before = audit.count(graph, "questionnaire.update")
    assert tid in matches(world, "status=active") and tid not in matches(world, "status=retired")  # read, kept
    response = send(world, "PUT", f"/fhir/Questionnaire/{tid}", body, headers={"If-Match": 'W/"1"'})
    assert response.status_code == 200, response.get_data(as_text=True)
    updated = response.get_json()
    validate(updated)
    assert updated["meta"]["versionId"] == "2" and response.headers["ETag"] == 'W/"2"'
    assert updated["status"] == "retired" and updated["title"] == "Unité de gynécologie (v2)"
    assert audit.count(graph, "questionnaire.update") == before + 1
    assert world[0].get(f"/fhir/Questionnaire/{tid}").get_json() == updated
    assert tid in matches(world, "status=retired&version=2") and tid not in matches(world, "status=active")
    stale = send(world, "PUT", f"/fhir/Questionnaire/{tid}", body, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412 and "version 2" in stale.get_json()["issue"][0]["diagnostics"]
    bad_etag = send(world, "PUT", f"/fhir/Questionnaire/{tid}", body, headers={"If-Match": "abc"})
    assert bad_etag.status_code == 400 and "If-Match" in issues(bad_etag)
    again = send(world, "PUT", f"/fhir/Questionnaire/{tid}", body)  # without If-Match: the last write wins
    assert again.status_code == 200 and again.get_json()["meta"]["versionId"] == "3"
    assert audit.count(graph, "questionnaire.update") == before + 2
    entry = audit.entries(graph, _admin(graph), target_id=tid, action="questionnaire.update", limit=1)[0]
    assert entry.actor == "admin" and entry.before["versionId"] == 2 and entry.after["versionId"] == 3
    assert entry.after["status"] == "retired"


def _admin(graph):
    from accounts.models import Principal
    from accounts.store import UserStore

    return Principal(UserStore(graph).get("admin"))


def test_put_does_not_create_and_checks_the_id(world):
    body = ms141()
    body["id"] = "inconnu-1"
    missing = send(world, "PUT", "/fhir/Questionnaire/inconnu-1", body)
    assert missing.status_code == 404 and "POST" in missing.get_json()["issue"][0]["diagnostics"]
    tid = created(world)["id"]
    body["id"] = "autre"
    mismatch = send(world, "PUT", f"/fhir/Questionnaire/{tid}", body)
    assert mismatch.status_code == 400 and tid in issues(mismatch)["Questionnaire.id"]


def test_invalid_bodies_are_refused_naming_the_element(world, graph):
    before = audit.count(graph, "questionnaire.create")
    duplicate = ms141()
    duplicate["item"][0]["item"][0]["item"][1]["item"][1]["linkId"] = "Hs1.name"
    response = send(world, "POST", "/fhir/Questionnaire", duplicate)
    assert response.status_code == 400
    assert "Hs1.name" in issues(response)["Questionnaire.item[0].item[0].item[1].item[1].linkId"]
    assert "Questionnaire.item[0].item[0].item[1].item[1].linkId" in response.get_json()["issue"][0]["diagnostics"]
    bad_type = ms141()
    bad_type["item"][0]["item"][0]["item"][0]["type"] = "textarea"
    response = send(world, "POST", "/fhir/Questionnaire", bad_type)
    assert response.status_code == 400 and "Questionnaire.item[0].item[0].item[0].type" in issues(response)
    bad_status = ms141()
    bad_status["status"] = "published"
    response = send(world, "POST", "/fhir/Questionnaire", bad_status)
    assert response.status_code == 400 and "draft | active" in issues(response)["Questionnaire.status"]
    not_json = world[0].post("/fhir/Questionnaire", data="{", headers={**world[2](world[1]["admin"]),
                                                                       "Content-Type": FHIR_JSON})
    assert not_json.status_code == 400 and not_json.get_json()["resourceType"] == "OperationOutcome"
    task = send(world, "POST", "/fhir/Questionnaire", {"resourceType": "Task", "status": "active"})
    assert task.status_code == 400 and "Questionnaire.resourceType" in issues(task)
    assert audit.count(graph, "questionnaire.create") == before
    assert matches(world, "status=published") == []


def test_only_administrators_write_templates(world, graph):
    before = audit.count(graph, "questionnaire.create")
    anonymous = send(world, "POST", "/fhir/Questionnaire", ms141(), user=None)
    assert anonymous.status_code == 401 and anonymous.get_json()["resourceType"] == "OperationOutcome"
    for user in ("reader", "contrib_a", "coord_na", "analyst"):
        refused = send(world, "POST", "/fhir/Questionnaire", ms141(), user=user)
        assert refused.status_code == 403, user
        assert refused.get_json()["issue"][0]["code"] == "forbidden"
    tid = created(world)["id"]
    body = ms141()
    body["id"] = tid
    assert send(world, "PUT", f"/fhir/Questionnaire/{tid}", body, user="coord_na").status_code == 403
    assert send(world, "PUT", f"/fhir/Questionnaire/{tid}", body, user=None).status_code == 401
    assert audit.count(graph, "questionnaire.create") == before + 1
    assert world[0].get(f"/fhir/Questionnaire/{tid}").get_json()["meta"]["versionId"] == "1"


def test_the_generated_templates_cannot_be_replaced(world):
    for tid in ("description-offre", "capacite-lieu"):
        body = world[0].get(f"/fhir/Questionnaire/{tid}").get_json()
        assert body["meta"]["versionId"] == "1"  # generated: one version, read as such
        assert world[0].get(f"/fhir/Questionnaire/{tid}/_history/1").get_json()["id"] == tid
        body["title"] = "Remplacé"
        response = send(world, "PUT", f"/fhir/Questionnaire/{tid}", body)
        assert response.status_code == 409 and "formulaire" in response.get_json()["issue"][0]["diagnostics"]
        assert world[0].get(f"/fhir/Questionnaire/{tid}").get_json()["title"] != "Remplacé"
    shadow = ms141()
    shadow["url"] = world[0].get("/fhir/Questionnaire/capacite-lieu").get_json()["url"]
    response = send(world, "POST", "/fhir/Questionnaire", shadow)
    assert response.status_code == 409 and "Questionnaire.url" in issues(response)
    assert world[0].delete("/fhir/Questionnaire/capacite-lieu").status_code in (405, 501)


def test_metadata_lists_create_and_update(world):
    statement = world[0].get("/fhir/metadata").get_json()
    validate(statement)
    entry = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Questionnaire")
    assert {"read", "vread", "search-type", "create", "update"} == {i["code"] for i in entry["interaction"]}
    assert entry["versioning"] == "versioned-update" and entry["updateCreate"] is False
    assert {"context", "name", "title", "status", "url", "description"} <= {p["name"] for p in entry["searchParam"]}
