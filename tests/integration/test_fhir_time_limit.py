"""Every FHIR search has a time limit: past it the client gets an OperationOutcome (503, `too-costly`) and no
query keeps running — the Neo4j transaction of a `_has` provider is ended by the server (SHOW TRANSACTIONS)."""

from __future__ import annotations

import time

import pytest

from fhir_api import hooks
from tests.fixtures.fhir.support import load_fixture_or_skip, make_app, search_app

pytestmark = pytest.mark.integration
SLOW = "UNWIND range(1, 400000000) AS x WITH x WHERE x % 7919 = -1 RETURN count(x) AS n"
MARK = "400000000"


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    app = search_app(graph, search_client, tmp_path_factory, prefix="fhirlimit", time_limit=1.5)
    return app.test_client()


@pytest.fixture(scope="module")
def roomy_client(client, graph, search_client, tmp_path_factory):
    """The same index behind a generous limit: a search that needs none must not race 1.5 s on a loaded machine."""
    return make_app(graph, search_client, index_prefix="fhirlimit", exports_dir=tmp_path_factory.mktemp("exports"),
                    time_limit=120).test_client()


@pytest.fixture
def slow_provider(graph, monkeypatch):
    def provider(request: hooks.HasRequest):
        graph.read(SLOW, timeout_=request.deadline.remaining())
        return []

    monkeypatch.setitem(hooks.has_providers, "Task:focus", provider)  # the registry is put back as it was


def running(graph) -> list[dict]:
    rows = graph.read("SHOW TRANSACTIONS YIELD transactionId, currentQuery, status RETURN *")
    return [r for r in rows if MARK in (r["currentQuery"] or "") and "SHOW TRANSACTIONS" not in r["currentQuery"]]


def test_a_search_past_its_time_limit_is_an_operation_outcome_and_leaves_no_transaction(client, graph,
                                                                                        slow_provider):
    response = client.get("/fhir/HealthcareService?_has:Task:focus:status=ready")
    assert response.status_code == 503, response.get_data(as_text=True)
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "too-costly"
    assert "temps limite" in body["issue"][0]["diagnostics"]
    assert response.headers["Retry-After"]
    deadline = time.monotonic() + 60  # the server ends it; wait for that, never a fixed sleep
    while running(graph) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running(graph) == []


def test_the_same_search_within_its_limit_answers(roomy_client, graph, monkeypatch):
    def provider(request: hooks.HasRequest):
        rows = graph.read("MATCH (o:Offer {id: 'OFF-01-B'}) RETURN o.id AS id", timeout_=request.deadline.remaining())
        return [r["id"] for r in rows]

    monkeypatch.setitem(hooks.has_providers, "Task:focus", provider)
    response = roomy_client.get("/fhir/HealthcareService?_has:Task:focus:status=ready")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [e["resource"]["id"] for e in response.get_json()["entry"]] == ["OFF-01-B"]
    filtered = roomy_client.get("/fhir/HealthcareService?_filter=_has:Task:focus:status eq ready or other")
    assert [e["resource"]["id"] for e in filtered.get_json()["entry"]] == ["OFF-01-B"]


def test_an_unregistered_has_stays_a_400(client, monkeypatch):
    monkeypatch.delitem(hooks.has_providers, "Task:focus", raising=False)  # fhir_api.tasks registers it: put back
    response = client.get("/fhir/HealthcareService?_has:Task:focus:status=ready")
    assert response.status_code == 400
    assert "_has:Task:focus:status" in response.get_json()["issue"][0]["diagnostics"]
