"""Anomaly reports as FHIR Task (issue 14, item 4) on the access world (real Neo4j and OpenSearch): reported by
POST /fhir/Task (the ROR's body), routed to the sites' contributors and the régions' coordinators, moved by
PATCH (FHIRPath Patch as the ROR documents it, or JSON Patch) within scope, audited; searched by focus (and its
chains), status, business-status and date; `_revinclude=Task:focus` and `_has:Task:focus:…` on the indexed types
through fhir_api.hooks; every Task valid FHIR."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts import audit
from accounts.store import UserStore
from fhir_api.tasks import SYSTEM_ACTION, SYSTEM_BUSINESS_STATUS, SYSTEM_INPUT, SYSTEM_THEME
from quality import anomalies
from tests.fixtures.fhir.support import build_index, validate

pytestmark = pytest.mark.integration
PREFIX = "fhirtask"
STATUS = SYSTEM_BUSINESS_STATUS


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings, tmp_path_factory):
    access = pytest.importorskip("tests.integration.access_world")
    tokens = access.build_world(graph, engine_endpoints)
    graph.apply_schema()
    build_index(graph, search_client, tmp_path_factory.mktemp("exports"), PREFIX)
    app = access.make_app(settings.replace(index_prefix=PREFIX), graph, search_client)
    return app.test_client(), tokens, access.bearer, app


def task_body(focus: dict, comment: str = "Le téléphone indiqué n'est plus attribué (test).", theme: str = "06"):
    """A Task as the ROR documentation posts it (signalement-anomalie.md)."""
    return {
        "resourceType": "Task", "status": "in-progress", "intent": "order", "focus": focus,
        "businessStatus": {"coding": [{"system": STATUS, "code": "02", "display": "À traiter"}]},
        "code": {"coding": [{"system": SYSTEM_THEME, "code": theme, "display": "Exactitude"}]},
        "description": comment,
        "reasonCode": {"coding": [{"system": SYSTEM_ACTION, "code": "COR", "display": "Correction"}]},
        "input": [{"type": {"coding": [{"system": SYSTEM_INPUT, "code": "systemRequester"}]}, "valueString": "IHM"},
                  {"type": {"coding": [{"system": SYSTEM_INPUT, "code": "pathElementError"}]},
                   "valueExpression": {"language": "text/fhirpath", "expression": "HealthcareService.telecom"}}],
    }


def fhirpath_patch(code: str) -> dict:
    """The ROR's PATCH body (mise-a-jour-anomalie.md)."""
    return {"resourceType": "Parameters", "parameter": [{"name": "operation", "part": [
        {"name": "type", "valueString": "replace"}, {"name": "path", "valueString": "Task.businessStatus"},
        {"name": "value", "valueCodeableConcept": {"coding": [{"system": STATUS, "code": code}]}}]}]}


def post(client, token, body, bearer):
    return client.post("/fhir/Task", json=body, headers={**(bearer(token) if token else {}),
                                                         "Content-Type": "application/fhir+json"})


def report(world, user: str, focus: dict) -> dict:
    client, tokens, bearer, _ = world
    response = post(client, tokens[user], task_body(focus), bearer)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def matches(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


def test_a_reader_reports_an_anomaly_and_it_lands_in_the_worklists(world, graph):
    client, tokens, bearer, _ = world
    before = audit.count(graph, "anomaly.report")
    response = post(client, tokens["reader"], task_body({"reference": "HealthcareService/off-a"}), bearer)
    assert response.status_code == 201, response.get_data(as_text=True)
    task = response.get_json()
    validate(task)
    assert response.headers["Location"].endswith(f"/fhir/Task/{task['id']}")
    assert task["status"] == "requested" and task["businessStatus"]["coding"][0]["code"] == "02"
    assert task["focus"]["reference"] == "HealthcareService/off-a" and task["code"]["coding"][0]["code"] == "06"
    assert {"systemRequester", "pathElementError"} == {i["type"]["coding"][0]["code"] for i in task["input"]}
    assert "reader" not in str(task)  # a Task names no person
    read = client.get(f"/fhir/Task/{task['id']}")
    assert read.status_code == 200 and read.get_json() == task
    assert audit.count(graph, "anomaly.report") == before + 1
    store = UserStore(graph)
    seen = {user: task["id"] in {a.id for a in anomalies.worklist(graph, _principal(store, user))}
            for user in ("contrib_a", "contrib_c", "coord_na", "coord_ara", "admin", "reader", "analyst")}
    assert seen == {"contrib_a": True, "contrib_c": False, "coord_na": True, "coord_ara": False, "admin": True,
                    "reader": True, "analyst": False}  # the reader made it


def _principal(store, username: str):
    from accounts.models import Principal

    return Principal(store.get(username))


def test_reporting_needs_an_account_and_a_valid_report(world):
    client, tokens, bearer, _ = world
    anonymous = post(client, None, task_body({"reference": "HealthcareService/off-a"}), bearer)
    assert anonymous.status_code == 401 and anonymous.get_json()["resourceType"] == "OperationOutcome"
    bad_theme = post(client, tokens["reader"], task_body({"reference": "Location/pl-a"}, theme="99"), bearer)
    assert bad_theme.status_code == 400
    assert any("theme" in i.get("expression", [""])[0] for i in bad_theme.get_json()["issue"][1:])
    empty = post(client, tokens["reader"], task_body({"reference": "Location/pl-a"}, comment="  "), bearer)
    assert empty.status_code == 400
    unknown = post(client, tokens["reader"], task_body({"reference": "HealthcareService/nope"}), bearer)
    assert unknown.status_code == 404 and "nope" in unknown.get_json()["issue"][0]["diagnostics"]
    wrong_type = post(client, tokens["reader"], task_body({"reference": "Patient/123"}), bearer)
    assert wrong_type.status_code == 400


def test_the_ror_identifier_form_of_focus_finds_the_site(world):
    task = report(world, "reader", {"type": "Organization", "identifier": {"value": "010000033"}})
    assert task["focus"]["reference"] == "Organization/eg-010000033"


def test_lifecycle_within_scope_and_audited(world, graph):
    client, tokens, bearer, _ = world
    task = report(world, "reader", {"reference": "Location/pl-a"})
    url = f"/fhir/Task/{task['id']}"
    moves_before = audit.count(graph, "anomaly.status")

    def patch(user, body, content_type="application/fhir+json"):
        return client.patch(url, json=body, headers={**bearer(tokens[user]), "Content-Type": content_type})

    assert patch("contrib_c", fhirpath_patch("10")).status_code == 403  # another site
    assert patch("coord_ara", fhirpath_patch("10")).status_code == 403  # another région
    assert patch("reader", fhirpath_patch("10")).status_code == 403  # the author may only cancel
    assert client.patch(url, json=fhirpath_patch("10"),
                        headers={"Content-Type": "application/fhir+json"}).status_code == 401
    taken = patch("contrib_a", fhirpath_patch("10"))
    assert taken.status_code == 200, taken.get_data(as_text=True)
    assert taken.get_json()["status"] == "in-progress" and taken.get_json()["businessStatus"]["coding"][0][
        "code"] == "10"
    assert patch("contrib_a", fhirpath_patch("05")).status_code == 422  # not a state of ours
    done = patch("coord_na", [{"op": "replace", "path": "/businessStatus",
                               "value": {"coding": [{"system": STATUS, "code": "08"}]}},
                              {"op": "add", "path": "/note", "value": [{"text": "Numéro corrigé (test)."}]}],
                 "application/json-patch+json")
    assert done.status_code == 200, done.get_data(as_text=True)
    closed = done.get_json()
    validate(closed)
    assert closed["status"] == "completed" and closed["note"] == [{"text": "Numéro corrigé (test)."}]
    assert "end" in closed["executionPeriod"]
    assert patch("admin", fhirpath_patch("09")).status_code == 409  # closed
    assert audit.count(graph, "anomaly.status") == moves_before + 2
    entries = audit.entries(graph, _principal(UserStore(graph), "admin"), target_id=task["id"])
    assert {e.action for e in entries} == {"anomaly.report", "anomaly.status"}
    assert {e.region_code for e in entries} == {"75"} and {e.site_finess for e in entries} == {"400000011"}


def test_the_author_may_cancel(world):
    client, tokens, bearer, _ = world
    task = report(world, "reader", {"reference": "HealthcareService/off-c"})
    cancelled = client.patch(f"/fhir/Task/{task['id']}", json=fhirpath_patch("03"),
                             headers={**bearer(tokens["reader"]), "Content-Type": "application/fhir+json"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"


def test_task_searches(world):
    client, tokens, bearer, _ = world
    task = report(world, "analyst", {"reference": "HealthcareService/off-b"})
    ids = [task["id"]]
    for path in ("/fhir/Task?focus=HealthcareService/off-b", "/fhir/Task?focus:HealthcareService=off-b",
                 "/fhir/Task?focus:HealthcareService.identifier=off-b",
                 "/fhir/Task?focus:HealthcareService:identifier=off-b",  # as the ROR documentation writes it
                 f"/fhir/Task?focus:HealthcareService:_tag=https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/"
                 f"TRE-R30-RegionOM|75&_id={task['id']}",
                 f"/fhir/Task?business-status={STATUS}|02&focus=HealthcareService/off-b",
                 "/fhir/Task?status=requested&focus=HealthcareService/off-b",
                 f"/fhir/Task?_filter=business-status eq {STATUS}|02 and focus eq HealthcareService/off-b",
                 f"/fhir/Task?identifier={task['identifier'][0]['value']}"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        body = response.get_json()
        assert matches(body) == ids, path
        for entry in body["entry"]:
            validate(entry["resource"])
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert task["id"] in matches(client.get(f"/fhir/Task?_lastUpdated=ge{since}").get_json())
    assert matches(client.get("/fhir/Task?focus:HealthcareService:identifier=off-c&status=requested").get_json()) \
        == []
    everything = client.get("/fhir/Task").get_json()
    assert everything["total"] >= 4 and task["id"] in matches(everything)
    included = client.get(f"/fhir/Task?_id={task['id']}&_include=Task:focus").get_json()
    assert [e["resource"]["id"] for e in included["entry"] if e["search"]["mode"] == "include"] == ["off-b"]
    assert client.get("/fhir/Task?focus:Patient.name=x").status_code == 400
    assert client.get("/fhir/Task?nope=1").status_code == 400


def test_indexed_searches_reach_tasks_through_the_hooks(world):
    client, tokens, bearer, _ = world
    report(world, "reader", {"reference": "HealthcareService/off-a"})  # at least one open on off-a
    body = client.get("/fhir/HealthcareService?_id=off-a,off-b,off-c&_revinclude=Task:focus").get_json()
    tasks = [e["resource"] for e in body["entry"] if e["resource"]["resourceType"] == "Task"]
    assert tasks and {t["focus"]["reference"].split("/")[1] for t in tasks} <= {"off-a", "off-b", "off-c"}
    assert all(e["search"]["mode"] == "include" for e in body["entry"] if e["resource"]["resourceType"] == "Task")
    for entry in body["entry"]:
        validate(entry["resource"])
    has = client.get(f"/fhir/HealthcareService?_has:Task:focus:business-status={STATUS}|02").get_json()
    assert "off-a" in matches(has) and "off-c" not in matches(has)  # off-c's report was cancelled
    in_filter = client.get(f"/fhir/HealthcareService?_filter=(_has:Task:focus:business-status eq {STATUS}|02 or "
                           f"{STATUS}|10)").get_json()
    assert matches(in_filter) == matches(has)
    closed = client.get(f"/fhir/Location?_has:Task:focus:business-status={STATUS}|08").get_json()
    assert matches(closed) == ["pl-a"]
    assert client.get("/fhir/HealthcareService?_has:Task:focus:nope=1").status_code == 400


def test_metadata_lists_task(world):
    client, _, _, _ = world
    statement = client.get("/fhir/metadata").get_json()
    validate(statement)
    task = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Task")
    assert {"focus", "business-status", "status", "_lastUpdated", "authored-on"} <= {p["name"] for p in
                                                                                   task["searchParam"]}
    assert {"create", "patch", "read", "search-type"} == {i["code"] for i in task["interaction"]}
    hs = next(r for r in statement["rest"][0]["resource"] if r["type"] == "HealthcareService")
    assert "Task:focus" in hs["searchRevInclude"]


def test_pages_report_and_move_anomalies(world, graph):
    from tests.integration.access_world import logged_in, token_of

    app = world[3]
    reader = logged_in(app, "reader")
    offer = reader.get("/offres/off-a").get_data(as_text=True)
    assert "/anomalies/signaler?type=HealthcareService&amp;id=off-a" in offer
    url = "/anomalies/signaler?type=HealthcareService&id=off-a"
    form = reader.get(url)
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "Signaler une anomalie" in page
    assert 'value="Location/pl-a"' in page and 'value="Organization/eg-400000011"' in page
    missing = reader.post(url, data={"csrf_token": token_of(form), "cible": "Location/pl-a", "theme": "04",
                                     "element": "capacite", "comment": ""})
    assert missing.status_code == 400 and 'data-error="comment"' in missing.get_data(as_text=True)
    comment = "Les lits affichés ne correspondent plus au service (test des pages)."
    sent = reader.post(url, data={"csrf_token": token_of(form), "cible": "Location/pl-a", "theme": "04",
                                  "element": "capacite", "comment": comment})
    assert sent.status_code == 302 and "/anomalies?signalee=ANO-" in sent.headers["Location"]
    made = next(a for a in anomalies.rows_of(graph) if a.comment == comment)
    assert made.focus_type == "Location" and made.element_path.startswith("Location.extension")
    assert made.system_requester == "IHM" and made.theme == "04"
    listing = reader.get(sent.headers["Location"]).get_data(as_text=True)
    assert made.number in listing and "transmise" in listing
    assert f'data-anomaly="{made.id}"' not in logged_in(app, "contrib_c").get("/anomalies").get_data(as_text=True)
    contributor = logged_in(app, "contrib_a")
    worklist = contributor.get("/anomalies")
    text = worklist.get_data(as_text=True)
    assert f'data-anomaly="{made.id}"' in text and 'data-to="en_cours"' in text
    moved = contributor.post(f"/anomalies/{made.id}/etat", data={"csrf_token": token_of(worklist), "from": "a_traiter",
                                                                 "to": "en_cours"})
    assert moved.status_code == 200 and "en cours" in moved.get_data(as_text=True)
    stale = contributor.post(f"/anomalies/{made.id}/etat", data={"csrf_token": token_of(worklist),
                                                                 "from": "a_traiter", "to": "corrigee"})
    assert stale.status_code == 409  # moved meanwhile
    assert anomalies.get(graph, made.id).state == "en_cours"
