"""`_content` (the resource's own text, French analysis, word starts) and one question asked three ways: the
portal, the JSON API and FHIR give the same offers (orientation index and FHIR index built from one graph)."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.fhir.support import build_index, load_fixture_or_skip

pytestmark = pytest.mark.integration
PREFIX = "fhircontent"


@pytest.fixture(scope="module")
def client(graph, search_client, settings, engine_endpoints, tmp_path_factory):
    web_app = pytest.importorskip("web.app")
    indexer = pytest.importorskip("search.indexer")
    load_fixture_or_skip(graph, engine_endpoints)
    search_client.indices.delete(index=f"{PREFIX}-*", ignore_unavailable=True)
    indexer.Indexer(graph, search_client, PREFIX).build()
    exports = tmp_path_factory.mktemp("exports")
    build_index(graph, search_client, exports, PREFIX)
    app = web_app.create_app(settings.replace(index_prefix=PREFIX), graph=graph, search=search_client)
    app.extensions["fhir"]["exports_dir"] = exports
    return app.test_client()


def ids(client, query: str) -> list[str]:
    response = client.get(f"/fhir/{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [e["resource"]["id"] for e in response.get_json()["entry"] if e["search"]["mode"] == "match"]


@pytest.mark.parametrize(("query", "expected"), [
    ("HealthcareService?_content=pédopsychiatrie", ["OFF-01-A", "OFF-01-C", "OFF-2A-A"]),
    ("HealthcareService?_content=pedopsychiatrie", ["OFF-01-A", "OFF-01-C", "OFF-2A-A"]),  # accents folded
    ("HealthcareService?_content=pédopsy", ["OFF-01-A", "OFF-01-C", "OFF-2A-A"]),  # word starts
    ("HealthcareService?_content=douleur", ["OFF-01-B", "OFF-971-A"]),
    ("HealthcareService?_content=douleur&_tag=01", ["OFF-971-A"]),  # with other parameters
    ("HealthcareService?_content=ambulatoire douleur", ["OFF-971-A"]),  # every word
    ("HealthcareService?_content=introuvablexyz", []),
    ("HealthcareService?_filter=_content eq ajaccio or location._content eq fleyriat",
     ["OFF-01-A", "OFF-01-B", "OFF-2A-A"]),
    ("Location?_content=ambérieu", ["PL-01-C"]),
    ("Organization?_content=fleyriat", ["eg-010000032"]),
    ("Practitioner?_content=martin", ["10001234567"]),
])
def test_content_known_answers(client, query, expected):
    assert ids(client, query) == expected


def test_portal_api_and_fhir_give_the_same_offers(client):
    """Pédopsychiatrie (J17 227) within 40 km of the Fleyriat hospital, asked three ways."""
    lat, lon = 46.2160, 5.2460
    api = client.get(f"/api/v1/orientation/specialist-opinion?activity=227&lat={lat}&lon={lon}&radius_km=40")
    assert api.status_code == 200, api.get_data(as_text=True)
    from_api = {hit["offer_id"] for hit in api.get_json()["hits"]}
    page = client.get(f"/?mode=specialist_opinion&quoi=pedopsychiatrie&code=227&lat={lat}&lon={lon}&rayon=40")
    assert page.status_code == 200
    from_portal = set(re.findall(r'href="/offres/([^"]+)"', page.get_data(as_text=True)))
    from_fhir = set(ids(client, f"HealthcareService?specialty=227&location.near={lat}|{lon}|40|km"))
    assert from_api == from_portal == from_fhir == {"OFF-01-A", "OFF-01-C"}
