"""`_content` full-text search answered by the search index (built from the same graph by search/)."""

from __future__ import annotations

import pytest

from tests.fixtures.fhir.support import load_fixture, make_app

pytestmark = pytest.mark.integration
PREFIX = "fhirtest"


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints):
    _, may_wipe = engine_endpoints
    if not may_wipe:
        pytest.skip("needs a database the tests may wipe")
    indexer = pytest.importorskip("search.indexer")
    load_fixture(graph)
    search_client.indices.delete(index=f"{PREFIX}-*", ignore_unavailable=True)
    indexer.Indexer(graph, search_client, PREFIX).build(["offers"])
    return make_app(graph, search_client, index_prefix=PREFIX).test_client()


def ids(client, query: str) -> list[str]:
    response = client.get(f"/fhir/{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [e["resource"]["id"] for e in response.get_json()["entry"] if e["search"]["mode"] == "match"]


@pytest.mark.parametrize(("query", "expected"), [
    ("HealthcareService?_content=pédopsychiatrie", ["OFF-01-A", "OFF-01-C", "OFF-2A-A"]),
    ("HealthcareService?_content=pedopsychiatrie", ["OFF-01-A", "OFF-01-C", "OFF-2A-A"]),  # accents folded
    ("HealthcareService?_content=douleur", ["OFF-01-B", "OFF-971-A"]),
    ("HealthcareService?_content=douleur&_tag=01", ["OFF-971-A"]),  # combined with graph filters
    ("HealthcareService?_content=introuvablexyz", []),
    ("Location?_content=neurochirurgie", ["PL-01-A"]),
    ("Organization?_content=douleur", ["eg-010000032", "eg-970100010"]),
])
def test_content_known_answers(client, query, expected):
    assert ids(client, query) == expected
