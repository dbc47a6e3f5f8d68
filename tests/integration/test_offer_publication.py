"""Only published offers are public: absent from the five orientation searches and from the detail pages and
API for readers, visible to their contributors and coordinators; a status change updates the index at once."""

from __future__ import annotations

import pytest

from accounts.audit import entries
from accounts.models import Principal
from accounts.store import UserStore
from tests.integration.access_world import bearer, build_world, make_app

pytestmark = pytest.mark.integration
PREFIX = "pubtest"
WHERE = "lat=43.8902&lon=-0.4999&radius_km=50"
SEARCHES = {
    "specialist_opinion": "/api/v1/orientation/specialist-opinion?activity=047",
    "act_team": "/api/v1/orientation/act-team?act=0440",
    "equipment": "/api/v1/orientation/equipment?equipment=05602",
    "beds": "/api/v1/orientation/beds?activity=047",
    "text": "/api/v1/search?q=g%C3%A9riatrie",
}


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    from search.indexer import Indexer

    tokens = build_world(graph, engine_endpoints, "quality", "publication")
    settings = settings.replace(index_prefix=PREFIX)
    Indexer(graph, search_client, PREFIX).build()
    return make_app(settings, graph, search_client), tokens


def found(app, kind: str) -> set[str]:
    response = app.test_client().get(f"{SEARCHES[kind]}&{WHERE}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {hit["offer_id"] for hit in response.get_json()["hits"]}


def detail(app, offer_id: str, token: str | None = None):
    return app.test_client().get(f"/api/v1/offers/{offer_id}", headers=bearer(token) if token else {})


def move(app, token, offer, to):
    return app.test_client().post(f"/api/v1/offers/{offer}/status", json={"to": to}, headers=bearer(token))


@pytest.mark.parametrize("kind", sorted(SEARCHES))
def test_unpublished_offer_is_absent_from_every_search_type(world, kind):
    app, _ = world
    hits = found(app, kind)
    assert "off-a" in hits  # published, same criteria
    assert "off-complete" not in hits  # draft, same criteria


def test_unpublished_offer_detail_is_not_found_for_readers(world):
    app, tokens = world
    assert detail(app, "off-a").status_code == 200
    for token in (None, tokens["reader"], tokens["analyst"], tokens["contrib_c"], tokens["coord_ara"]):
        response = detail(app, "off-complete", token)
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "Offre introuvable : off-complete."
    page = app.test_client().get("/offres/off-complete")
    assert page.status_code == 404 and "Médecine gériatrique" not in page.get_data(as_text=True)
    site = app.test_client().get("/api/v1/sites/400000011").get_json()
    assert [o["offer_id"] for o in site["offers"]] == ["off-a"]
    assert "Consultations mémoire" not in app.test_client().get("/etablissements/400000011").get_data(as_text=True)
    roles = app.test_client().get("/api/v1/professionals/SYN0000099").get_json()["roles"]
    assert [r["offer_id"] for r in roles] == ["off-a"]  # the role in the draft offer is not public


def test_unpublished_offer_stays_visible_to_its_contributor_and_coordinator(world):
    app, tokens = world
    for token in (tokens["contrib_a"], tokens["coord_na"], tokens["admin"]):
        response = detail(app, "off-complete", token)
        assert response.status_code == 200 and response.get_json()["status"] == "draft"
    site = app.test_client().get("/api/v1/sites/400000011", headers=bearer(tokens["contrib_a"])).get_json()
    assert {o["offer_id"] for o in site["offers"]} == {"off-a", "off-complete", "off-incomplete", "off-eoh"}
    page = app.test_client().get("/offres/off-complete", headers=bearer(tokens["contrib_a"]))
    assert page.status_code == 200 and "Offre non publiée (Brouillon)" in page.get_data(as_text=True)


def test_status_changes_update_the_index_at_once(world, graph, search_client):
    app, tokens = world
    out = move(app, tokens["coord_na"], "off-a", "draft")
    assert out.status_code == 200 and out.get_json()["indexed"] is True
    search_client.indices.refresh(index=f"{PREFIX}-offers")
    for kind in SEARCHES:
        assert "off-a" not in found(app, kind), kind
    assert detail(app, "off-a").status_code == 404
    for to, who in (("validated_professionals", "contrib_a"), ("validated_direction", "contrib_a"),
                    ("published", "coord_na")):
        step = move(app, tokens[who], "off-complete", to)
        assert step.status_code == 200 and step.get_json()["status"] == to
    search_client.indices.refresh(index=f"{PREFIX}-offers,{PREFIX}-sites")
    for kind in SEARCHES:
        assert "off-complete" in found(app, kind), kind
    assert detail(app, "off-complete").status_code == 200
    site_doc = search_client.search(index=f"{PREFIX}-sites", body={"query": {"ids": {"values": ["400000011"]}}})[
        "hits"]["hits"][0]["_source"]
    assert site_doc["offer_count"] == 1  # off-complete now, off-a back in draft
    admin = Principal(UserStore(graph).get("admin"))
    moves = [(e.target_id, e.after["status"]) for e in entries(graph, admin, action="offer.status")]
    assert ("off-a", "draft") in moves and ("off-complete", "published") in moves
