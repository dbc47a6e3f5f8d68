"""Plan blanc (SSE) end to end: an establishment triggers and lifts its plan and declares its crisis resources
(history kept, every change audited, scope checked); the coordinators' crisis board shows it with totals, who has
not answered the région's survey and since when, and its CSV export; beds opened under plan blanc in the capacity
module are counted and flagged in the orientation beds search."""

from __future__ import annotations

import csv
import io

import pytest

from tests.integration.access_world import bearer, build_world, make_app

pytestmark = pytest.mark.integration
PREFIX = "crisistest"


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints, "crisis")
    return make_app(settings.replace(index_prefix=PREFIX), graph, search_client), tokens


def call(app, method, path, token, body=None):
    return app.test_client().open(path, method=method, json=body, headers=bearer(token))


def audit(app, tokens, action):
    return call(app, "GET", f"/api/v1/audit?action={action}", tokens["admin"]).get_json()["entries"]


def test_trigger_change_level_and_lift_keep_the_history_and_audit(world):
    app, tokens = world
    contributor = tokens["contrib_a"]
    triggered = call(app, "PUT", "/api/v1/crisis/sites/400000011/plan", contributor,
                     {"active": True, "level": 1, "note": "Afflux de victimes (exercice)"})
    assert triggered.status_code == 200
    plan = triggered.get_json()["plan"]
    assert plan["active"] and plan["level"] == 1 and plan["updated_by"] == "contrib_a" and plan["since"]
    raised = call(app, "PUT", "/api/v1/crisis/sites/400000011/plan", contributor, {"active": True, "level": 2})
    assert raised.get_json()["plan"]["since"] == plan["since"]  # still the time it was triggered
    lifted = call(app, "PUT", "/api/v1/crisis/sites/400000011/plan", contributor, {"active": False})
    assert lifted.get_json()["plan"]["label"] == "Plan blanc levé"
    site = call(app, "GET", "/api/v1/crisis/sites/400000011", contributor).get_json()["site"]
    assert [p["active"] for p in site["plan_history"][:3]] == [False, True, True]
    assert [p["level"] for p in site["plan_history"][:3]] == [None, 2, 1]
    actions = [e["action"] for e in audit(app, tokens, "crisis.plan.trigger")]
    assert actions and all(a == "crisis.plan.trigger" for a in actions)
    lift = audit(app, tokens, "crisis.plan.lift")[0]
    assert lift["before"]["level"] == 2 and lift["after"]["active"] is False and lift["site_finess"] == "400000011"
    assert lift["region_code"] == "75" and lift["actor"] == "contrib_a"


def test_declarations_are_checked_and_scoped(world):
    app, tokens = world
    bad = call(app, "PUT", "/api/v1/crisis/sites/400000011/resources", tokens["contrib_a"],
               {"ventilators": -1, "tanks": 2})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"ventilators", "tanks"}
    assert call(app, "PUT", "/api/v1/crisis/sites/400000011/plan", tokens["contrib_a"],
                {"active": True}).get_json()["error"]["fields"] == {"level": "Niveau : à renseigner."}
    body = {"active": True, "level": 2}
    assert call(app, "PUT", "/api/v1/crisis/sites/400000011/plan", tokens["contrib_c"], body).status_code == 403
    assert call(app, "PUT", "/api/v1/crisis/sites/400000011/plan", tokens["coord_na"], body).status_code == 403
    assert call(app, "PUT", "/api/v1/crisis/sites/999999999/plan", tokens["admin"], body).status_code == 404
    assert call(app, "GET", "/api/v1/crisis/sites/400000011", tokens["coord_ara"]).status_code == 403
    assert call(app, "GET", "/api/v1/crisis/sites/400000011", tokens["coord_na"]).status_code == 200


def test_the_board_shows_plans_resources_totals_and_who_has_not_answered(world):
    app, tokens = world
    assert call(app, "PUT", "/api/v1/crisis/sites/400000022/resources", tokens["admin"],
                {"beds_24h_medecine": 30, "beds_48h_medecine": 45, "ventilators": 4}).status_code == 200
    survey = call(app, "POST", "/api/v1/crisis/regions/75/survey", tokens["coord_na"],
                  {"reason": "Accident collectif (exercice)"})
    assert survey.status_code == 201 and survey.get_json()["survey"]["open"]
    assert call(app, "POST", "/api/v1/crisis/regions/84/survey", tokens["coord_na"],
                {"reason": "x"}).status_code == 403
    call(app, "PUT", "/api/v1/crisis/sites/400000011/plan", tokens["contrib_a"], {"active": True, "level": 2})
    declared = call(app, "PUT", "/api/v1/crisis/sites/400000011/resources", tokens["contrib_a"],
                    {"beds_24h_medecine": 40, "beds_24h_reanimation_adulte": 4, "ventilators": 12,
                     "stock_atropine": 200, "note": "Cellule de crise réunie"})
    assert declared.status_code == 200 and declared.get_json()["resources"]["beds_24h"] == 44
    board = call(app, "GET", "/api/v1/crisis/board", tokens["coord_na"]).get_json()
    finesses = [r["finess"] for r in board["rows"]]
    assert finesses[0] == "400000011" and set(finesses) == {"400000011", "400000022"}  # no EHPAD, no Ain
    first, second = board["rows"]
    assert first["plan"]["active"] and first["plan"]["level"] == 2 and first["answered"]
    assert not second["answered"] and second["waiting_since"] == board["surveys"]["75"]["opened_at"]
    totals = board["totals"]
    assert totals["plans_active"] == 1 and totals["plans_by_level"] == {"1": 0, "2": 1}
    assert totals["beds_24h"] == 74 and totals["counts"]["ventilators"] == 16 and totals["not_answered"] == 1
    assert call(app, "GET", "/api/v1/crisis/board?region=84", tokens["coord_na"]).status_code == 403
    ain = call(app, "GET", "/api/v1/crisis/board?region=84", tokens["admin"]).get_json()["rows"]
    assert [r["finess"] for r in ain] == ["010000033"]


def test_csv_export_of_the_board(world):
    app, tokens = world
    response = call(app, "GET", "/api/v1/crisis/board.csv?department=40", tokens["coord_na"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    header, lines = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header[:3] == ["FINESS", "Établissement", "Département"] and set(lines) == {"400000011", "400000022"}
    assert lines["400000011"]["Plan blanc"] == "déclenché" and lines["400000011"]["Niveau"] == "2"
    assert lines["400000011"]["Respirateurs disponibles"] == "12"
    assert lines["400000022"]["A répondu à l'enquête"] == "non"
    assert lines["400000011"]["Données synthétiques"] == "oui"


def test_survey_close_and_roles(world):
    app, tokens = world
    assert call(app, "POST", "/api/v1/crisis/regions/75/survey/close", tokens["contrib_a"]).status_code == 403
    closed = call(app, "POST", "/api/v1/crisis/regions/75/survey/close", tokens["coord_na"])
    assert closed.status_code == 200 and closed.get_json()["survey"]["open"] is False
    assert call(app, "POST", "/api/v1/crisis/regions/75/survey/close", tokens["coord_na"]).status_code == 404
    board = call(app, "GET", "/api/v1/crisis/board", tokens["coord_na"]).get_json()
    assert board["totals"]["not_answered"] == 0 and board["surveys"] == {}
    for user in ("reader", "analyst", "contrib_a"):
        assert call(app, "GET", "/api/v1/crisis/board", tokens[user]).status_code == 403
    assert app.test_client().get("/api/v1/crisis/board").status_code == 401


def test_beds_opened_under_plan_blanc_are_counted_and_flagged_in_the_beds_search(world, graph, search_client):
    from search.indexer import Indexer

    app, tokens = world
    Indexer(graph, search_client, PREFIX).build()
    entry = {"available_women": 6, "available_men": 4, "extra_beds": 6, "crisis_type": "plan_blanc"}
    written = call(app, "PUT", "/api/v1/places/pl-a/capacity", tokens["contrib_a"], entry)
    assert written.status_code == 200
    if not written.get_json()["indexed"]:  # the push waits 10 s at most (a loaded machine): push it again
        Indexer(graph, search_client, PREFIX).sync_offers(["off-a"], relocate=False)
    row = next(r for r in call(app, "GET", "/api/v1/crisis/board", tokens["coord_na"]).get_json()["rows"]
               if r["finess"] == "400000011")
    assert row["crisis_beds_available"] == 10 and row["crisis_places"] == 1
    search_client.indices.refresh(index=f"{PREFIX}-offers")
    found = app.test_client().get("/api/v1/orientation/beds?activity=047&lat=43.89&lon=-0.5&radius_km=50").get_json()
    hit = next(h for h in found["hits"] if h["offer_id"] == "off-a")
    assert hit["capacity"]["crisis"] == "Plan blanc" and "Lits ouverts en crise : Plan blanc" in hit["why"]
    other = next((h for h in found["hits"] if h["offer_id"] == "off-b"), None)
    assert other is None or other["capacity"]["crisis"] is None
