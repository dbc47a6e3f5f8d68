"""Tension alerts (TES): open, update, close with validation and audit; the coordinators' live list;
the level carried by the offers in the search index."""

from __future__ import annotations

import pytest

from tests.integration.access_world import bearer, build_world, make_app

pytestmark = pytest.mark.integration
PREFIX = "tenstest"


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints)
    return make_app(settings.replace(index_prefix=PREFIX), graph, search_client), tokens


def test_invalid_alerts_are_refused_with_named_fields(world):
    app, tokens = world
    client = app.test_client()
    response = client.post("/api/v1/sites/400000011/tension", json={"level": 7, "colour": "rouge"},
                           headers=bearer(tokens["contrib_a"]))
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert fields["level"].startswith("Niveau de tension") and fields["cause"] == "Cause : à renseigner."
    assert fields["colour"] == "Champ inconnu : colour."
    assert client.post("/api/v1/sites/999999999/tension", json={"level": 1, "cause": "x"},
                       headers=bearer(tokens["admin"])).status_code == 404


def test_alert_lifecycle_is_audited_and_listed(world, graph):
    app, tokens = world
    client, headers = app.test_client(), bearer(tokens["contrib_a"])
    opened = client.post("/api/v1/sites/400000011/tension", headers=headers,
                         json={"level": 2, "cause": "Afflux aux urgences", "actions": "Rappel du personnel"})
    assert opened.status_code == 201
    alert = opened.get_json()["alert"]
    assert alert["open"] and alert["level_label"] == "Tension modérée" and alert["ended_at"] is None
    raised = client.patch(f"/api/v1/tension/{alert['id']}", headers=headers,
                          json={"level": 4, "actions": "Plan blanc déclenché"})
    assert raised.status_code == 200 and raised.get_json()["alert"]["level"] == 4
    assert client.patch(f"/api/v1/tension/{alert['id']}", headers=headers, json={}).status_code == 400
    live = client.get("/api/v1/tension", headers=bearer(tokens["coord_na"])).get_json()["alerts"]
    assert [(a["id"], a["level"], a["site_name"]) for a in live] == [
        (alert["id"], 4, "CH de Mont-de-Marsan (synthétique)")]
    assert client.get("/api/v1/tension", headers=bearer(tokens["coord_ara"])).get_json()["alerts"] == []
    other = client.post(f"/api/v1/tension/{alert['id']}/close", headers=bearer(tokens["contrib_c"]))
    assert other.status_code == 403
    closed = client.post(f"/api/v1/tension/{alert['id']}/close", headers=headers)
    assert closed.status_code == 200 and closed.get_json()["alert"]["open"] is False
    assert closed.get_json()["alert"]["ended_at"] is not None
    again = client.post(f"/api/v1/tension/{alert['id']}/close", headers=headers)
    assert again.status_code == 409
    assert client.get("/api/v1/tension", headers=bearer(tokens["coord_na"])).get_json()["alerts"] == []
    history = client.get("/api/v1/tension?closed=true", headers=bearer(tokens["coord_na"])).get_json()["alerts"]
    assert [a["id"] for a in history] == [alert["id"]]
    actions = [r["action"] for r in graph.read(
        "MATCH (a:AuditEntry {target_id: $id}) RETURN a.action AS action ORDER BY a.at", id=alert["id"])]
    assert actions == ["tension.open", "tension.update", "tension.close"]
    update = graph.read("MATCH (a:AuditEntry {target_id: $id, action: 'tension.update'}) "
                        "RETURN a.before AS before, a.after AS after", id=alert["id"])[0]
    assert '"level": 2' in update["before"] and '"level": 4' in update["after"]


def test_open_tension_level_reaches_the_offer_documents(world, graph, search_client):
    pytest.importorskip("search.indexer")
    from search.indexer import Indexer

    app, tokens = world
    Indexer(graph, search_client, PREFIX).build()
    client = app.test_client()
    opened = client.post("/api/v1/sites/400000011/tension", json={"level": 3, "cause": "Épidémie de grippe"},
                         headers=bearer(tokens["admin"])).get_json()["alert"]

    def level():
        search_client.indices.refresh(index=f"{PREFIX}-offers")
        hits = search_client.search(index=f"{PREFIX}-offers", body={"query": {"ids": {"values": ["off-a"]}}})
        return hits["hits"]["hits"][0]["_source"]["tension_level"]

    assert level() == 3
    client.post(f"/api/v1/tension/{opened['id']}/close", headers=bearer(tokens["admin"]))
    assert level() is None
