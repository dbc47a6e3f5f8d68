"""Issue 19, finding 7: with an engine down, the app fails fast and clearly, and keeps serving what it can.

With Neo4j down, FHIR reads, login and capacity writes took 30–33 s to fail (the driver's retry window), each
holding a worker: the web app's driver now gives up after ROR_NEO4J_INTERACTIVE_TIMEOUT_S (a 503; the time is
measured by bench/bench_fail_fast.py, not asserted here). With OpenSearch down, a site's and an offer's pages
answered 503 although the graph has the data: they are now read from the graph.
"""

from __future__ import annotations

import socket

import pytest

from search.client import make_client
from tests.integration.access_world import PASSWORD, bearer, build_world, make_app

pytestmark = pytest.mark.integration


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture(scope="module")
def tokens(graph, engine_endpoints):
    return build_world(graph, engine_endpoints)


def test_neo4j_down_is_a_clear_503_everywhere(settings, tmp_path, search_client):
    port = dead_port()
    app = make_app(settings.replace(neo4j_uri=f"bolt://127.0.0.1:{port}", var_dir=tmp_path), None, search_client)
    graph = app.extensions["ror"].get_graph()
    try:
        assert graph.fail_after_s == settings.neo4j_interactive_timeout_s <= 2.0  # not the driver's 30 s
        client = app.test_client()
        answers = {
            "login": client.post("/api/v1/auth/login", json={"username": "contrib_a", "password": PASSWORD}),
            "capacity": client.put("/api/v1/places/pl-a/capacity", json={"available_men": 1},
                                   headers=bearer("ror_abcdefabcdef_secret")),
            "fhir": client.get("/fhir/Location/pl-a"),
            "health": client.get("/api/v1/health"),
        }
    finally:
        app.extensions["ror"].close()
    for name, response in answers.items():
        assert response.status_code == 503, (name, response.get_data()[:300])
    assert answers["login"].get_json()["error"]["code"] == "service_unavailable"
    assert "indisponible" in answers["capacity"].get_json()["error"]["message"]
    assert answers["fhir"].get_json()["resourceType"] == "OperationOutcome"


def test_site_and_offer_pages_are_served_from_the_graph_when_the_index_is_down(tokens, graph, settings, tmp_path):
    dead_search = make_client(settings, f"http://127.0.0.1:{dead_port()}")
    app = make_app(settings.replace(var_dir=tmp_path), graph, dead_search)
    try:
        client = app.test_client()
        site = client.get("/etablissements/400000011")
        offer = client.get("/offres/off-a")
        site_json = client.get("/api/v1/sites/400000011")
        offer_json = client.get("/api/v1/offers/off-a")
        search = client.get("/api/v1/search?q=geriatrie")
    finally:
        dead_search.close()
    assert site.status_code == 200 and "CH de Mont-de-Marsan" in site.get_data(as_text=True)
    assert offer.status_code == 200 and "Gériatrie aiguë A" in offer.get_data(as_text=True)
    assert site_json.status_code == 200 and site_json.get_json()["finess"] == "400000011"
    assert offer_json.status_code == 200
    assert search.status_code == 503  # searching needs the index: said clearly
    assert search.get_json()["error"]["code"] == "service_unavailable"
