"""`_content` full-text search answered by the search index (built from the same graph by search/)."""

from __future__ import annotations

import pytest

from tests.fixtures.fhir.support import load_fixture_or_skip, make_app

pytestmark = pytest.mark.integration
PREFIX = "fhirtest"


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints):
    indexer = pytest.importorskip("search.indexer")
    load_fixture_or_skip(graph, engine_endpoints)
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


@pytest.mark.parametrize("query", [
    "HealthcareService?specialty=227",
    "HealthcareService?specialty=https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/"
    "TRE-R211-ActiviteOperationnelle|227,183",
    "HealthcareService?specialty=227&specialty=183",
    "HealthcareService?specialty=227&_count=1&_offset=1",
    "HealthcareService?specialty=999",
])
def test_specialty_searches_answered_by_the_index_equal_the_graph_answers(client, graph, query):
    """`specialty` alone is answered by the orientation index (as the portal); the graph gives the same page."""
    from urllib.parse import parse_qsl, urlsplit

    from fhir_api.search import SearchEngine

    items = parse_qsl(urlsplit(query).query)
    engine = SearchEngine(graph, client.application.extensions["fhir"]["search"], PREFIX)
    crit = engine.criteria("HealthcareService", [i for i in items if not i[0].startswith("_")])
    values = dict(items)
    offset, count = int(values.get("_offset", 0)), int(values.get("_count", 20))
    from_index = engine._from_index(crit, offset, count)
    assert from_index is not None  # the index path was taken
    graph_only = make_app(graph).test_client().get(f"/fhir/{query}").get_json()
    indexed = client.get(f"/fhir/{query}").get_json()
    assert indexed["total"] == graph_only["total"] == from_index.total
    assert ids(client, query) == [e["resource"]["id"] for e in graph_only["entry"]] == from_index.ids
