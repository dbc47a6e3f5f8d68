"""Adverse-event forms (FEI-RTU): filed by any professional, refused when the text shows a patient's identity,
routed to the structures' referents and the network's coordinators, answered, moved to closure with actions;
access strictly by role and involvement; audited; statistics per category and structure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import paris_today
from tests.integration.access_world import bearer, build_world, make_app

pytestmark = pytest.mark.integration
TODAY = paris_today()
FORM = {"occurred_on": (TODAY - timedelta(days=1)).isoformat(), "category": "transfert_documents",
        "sites": ["400000011", "010000033"],
        "description": "Patiente de 80 ans transférée de Bourg vers Mont-de-Marsan sans l'imagerie convenue."}


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints, "crisis")
    return make_app(settings, graph, search_client), tokens


def call(app, method, path, token=None, body=None):
    headers = bearer(token) if token else {}
    return app.test_client().open(path, method=method, json=body, headers=headers)


@pytest.fixture(scope="module")
def filed(world):
    app, tokens = world
    response = call(app, "POST", "/api/v1/fei", tokens["reader"], FORM)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["form"]


def test_a_form_is_filed_and_routed(world, filed):
    app, tokens = world
    assert filed["state"] == "declaree" and filed["number"].startswith(f"FEI-{TODAY - timedelta(days=1):%Y}-")
    assert sorted(filed["routed_to"]) == ["contrib_a", "contrib_c", "coord_ara", "coord_na"]
    assert sorted(filed["region_codes"]) == ["75", "84"] and filed["created_by"] == "reader"
    assert filed["category_label"] == "Transfert : dossier, documents ou imagerie manquants"
    for user in ("contrib_a", "contrib_c", "coord_na", "coord_ara", "reader", "admin"):
        listed = call(app, "GET", "/api/v1/fei", tokens[user]).get_json()["forms"]
        assert filed["id"] in [f["id"] for f in listed], user
    entry = call(app, "GET", f"/api/v1/audit?target={filed['id']}", tokens["admin"]).get_json()["entries"][0]
    assert entry["action"] == "fei.file" and entry["after"]["description"] == FORM["description"]


IDENTITY = {
    "nir": "Transfert du 1 85 05 78 006 084 36 sans imagerie.",
    "name and birth date": "Mme Dupont née le 03/04/1950 arrivée sans scanner.",
    "civility and date": "M. Martin, 12/03/1950, transféré sans courrier.",
}


@pytest.mark.parametrize("case", IDENTITY)
def test_identity_in_the_text_is_refused_and_nothing_is_stored(world, graph, case):
    app, tokens = world
    before = graph.read("MATCH (e:AdverseEvent) RETURN count(e) AS n")[0]["n"]
    response = call(app, "POST", "/api/v1/fei", tokens["contrib_a"], {**FORM, "description": IDENTITY[case]})
    assert response.status_code == 400
    reason = response.get_json()["error"]["fields"]["description"]
    assert reason.startswith("Description : aucune identité de patient") and "03/04/1950" not in reason
    assert graph.read("MATCH (e:AdverseEvent) RETURN count(e) AS n")[0]["n"] == before
    stored = graph.read("MATCH (a:AuditEntry) WHERE a.after CONTAINS 'Dupont' OR a.after CONTAINS '006 084' "
                        "RETURN count(a) AS n")[0]["n"]
    assert stored == 0


def test_other_faults_are_named(world):
    app, tokens = world
    bad = call(app, "POST", "/api/v1/fei", tokens["contrib_a"],
               {"occurred_on": (TODAY + timedelta(days=2)).isoformat(), "category": "météo", "sites": ["12"],
                "description": ""})
    assert bad.status_code == 400
    assert set(bad.get_json()["error"]["fields"]) == {"occurred_on", "category", "sites", "description"}
    unknown = call(app, "POST", "/api/v1/fei", tokens["contrib_a"], {**FORM, "sites": ["400000099"]})
    assert unknown.status_code == 400 and "400000099" in unknown.get_json()["error"]["message"]
    assert call(app, "POST", "/api/v1/fei", tokens["analyst"], FORM).status_code == 403
    assert call(app, "POST", "/api/v1/fei", None, FORM).status_code == 401


def test_access_is_by_involvement(world, filed):
    app, tokens = world
    only_a = call(app, "POST", "/api/v1/fei", tokens["contrib_a"],
                  {**FORM, "sites": ["400000022"], "category": "admission",
                   "description": "Refus d'admission en gériatrie faute de lit signalé disponible."}).get_json()["form"]
    assert sorted(only_a["routed_to"]) == ["coord_na"]  # no contributor for Dax; Ain's people not involved
    path = f"/api/v1/fei/{only_a['id']}"
    expected = {"admin": 200, "contrib_a": 200, "coord_na": 200, "contrib_c": 403, "coord_ara": 403,
                "reader": 403, "analyst": 403}
    assert {u: call(app, "GET", path, tokens[u]).status_code for u in expected} == expected
    assert call(app, "GET", path).status_code == 401
    listed = [f["id"] for f in call(app, "GET", "/api/v1/fei", tokens["contrib_c"]).get_json()["forms"]]
    assert only_a["id"] not in listed and filed["id"] in listed


def test_answers_then_analysis_then_closure_with_actions(world, filed):
    app, tokens = world
    path = f"/api/v1/fei/{filed['id']}"
    answered = call(app, "POST", f"{path}/answers", tokens["contrib_c"],
                    {"text": "L'imagerie n'a pas été gravée : procédure de transfert revue avec l'équipe."})
    assert answered.status_code == 201
    entry = answered.get_json()["form"]["timeline"][-1]
    assert entry["by"] == "contrib_c" and entry["site_finess"] == "010000033" and entry["kind"] == "answer"
    refused = call(app, "POST", f"{path}/answers", tokens["contrib_a"], {"text": "Mme Durand, 01/02/1940."})
    assert refused.status_code == 400
    assert call(app, "POST", f"{path}/state", tokens["contrib_a"], {"to": "en_analyse"}).status_code == 403
    skip = call(app, "POST", f"{path}/state", tokens["coord_na"], {"to": "cloturee", "actions": "x"})
    assert skip.status_code == 400 and "possible : En analyse" in skip.get_json()["error"]["fields"]["to"]
    assert call(app, "POST", f"{path}/state", tokens["coord_na"], {"to": "en_analyse"}).status_code == 200
    no_actions = call(app, "POST", f"{path}/state", tokens["coord_ara"], {"to": "cloturee"})
    assert no_actions.get_json()["error"]["fields"] == {"actions": "Actions décidées : à renseigner."}
    closed = call(app, "POST", f"{path}/state", tokens["coord_ara"],
                  {"to": "cloturee", "actions": "Gravure systématique de l'imagerie avant tout transfert."})
    form = closed.get_json()["form"]
    assert form["state"] == "cloturee" and form["actions"].startswith("Gravure") and form["closed_at"]
    assert [(e["kind"], e["to_state"]) for e in form["timeline"]] == [
        ("answer", None), ("status", "en_analyse"), ("status", "cloturee")]
    late = call(app, "POST", f"{path}/answers", tokens["reader"], {"text": "Merci."})
    assert late.status_code == 409
    audit = call(app, "GET", f"/api/v1/audit?target={filed['id']}", tokens["admin"]).get_json()["entries"]
    assert [e["action"] for e in audit] == ["fei.state", "fei.state", "fei.answer", "fei.file"]
    assert audit[0]["before"]["state"] == "en_analyse" and audit[0]["after"]["state"] == "cloturee"


def test_statistics_per_category_and_structure(world, filed):
    app, tokens = world
    stats = call(app, "GET", "/api/v1/fei/stats?region=75", tokens["coord_na"]).get_json()
    assert stats["total"] == 2 and stats["by_state"]["cloturee"] == 1 and stats["by_state"]["declaree"] == 1
    categories = {c["code"]: c for c in stats["by_category"]}
    assert categories["transfert_documents"]["cloturee"] == 1 and categories["admission"]["declaree"] == 1
    sites = {s["finess"]: s for s in stats["by_site"]}
    assert sites["400000011"]["total"] == 1 and sites["400000022"]["open"] == 1
    assert call(app, "GET", "/api/v1/fei/stats?region=84", tokens["coord_na"]).status_code == 403
    ara = call(app, "GET", "/api/v1/fei/stats", tokens["coord_ara"]).get_json()
    assert ara["total"] == 1
    assert call(app, "GET", "/api/v1/fei/stats", tokens["contrib_a"]).status_code == 403
    empty = call(app, "GET", f"/api/v1/fei/stats?from={TODAY + timedelta(days=1)}", tokens["admin"]).get_json()
    assert empty["total"] == 0
