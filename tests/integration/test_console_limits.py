"""Issue 19, finding 1: an analyst can no longer stall the Neo4j side, exhaust the pool or the app's memory.

Each finding with its exact input: 1,000 nested lists (hung 241 s, 52 of them made the health check answer 503
for minutes), a collect of 30 M values (500 after 44 s), `RETURN range(1,10000000)` (a 79 MB body and +570 MB
in the app). Plus: Neo4j answers at the shape limits, planning has a time limit, no driver retry.
"""

from __future__ import annotations

import resource
import threading

import pytest

from core.errors import BadRequest
from graph import console
from graph.console import MAX_SUBQUERY_DEPTH, ConsoleLimits, QueryTimeout, QueryTooComplex, run_console
from tests.integration.access_world import make_app
from tests.integration.test_analysis_api import post, world  # noqa: F401 - the module's world, reused
from tests.unit.test_console_shape import NESTED_LISTS, forms, nested_exists
from web.services import close

pytestmark = pytest.mark.integration

COLLECT_30M = "UNWIND range(1, 30000000) AS x RETURN collect(x) AS c"
RANGE_10M = "RETURN range(1, 10000000) AS r"
NEVER_ENDS = "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n"
GENEROUS = ConsoleLimits(timeout_s=120.0)  # no test here depends on the machine being fast


def largest_accepted(form: str) -> str:
    n = 1
    while True:
        try:
            console.check_text(forms(n + 1)[form])
        except QueryTooComplex:
            return forms(n)[form]
        n += 1


@pytest.mark.parametrize("form", sorted(forms(1)))
def test_neo4j_answers_at_the_shape_limit(world, graph, form):  # noqa: F811
    """The largest statement the check lets through is parsed and answered by Neo4j (a result, or its own
    French-wrapped error), never a hang: a hang would end in a timeout or a lost connection here."""
    try:
        run_console(graph, largest_accepted(form), limits=GENEROUS)
    except (QueryTimeout, QueryTooComplex):
        raise
    except BadRequest as answered:  # Neo4j's own error (type mismatch…): it answered
        assert answered.message.startswith("Requête invalide"), answered.message


def test_nested_subqueries_at_the_limit_are_planned(world, graph):  # noqa: F811
    result = run_console(graph, nested_exists(MAX_SUBQUERY_DEPTH), limits=GENEROUS)
    assert result.columns == ["s.name"]


def test_planning_has_a_time_limit(world, graph):  # noqa: F811
    """EXPLAIN runs under the time limit too: a 40-hop path keeps the planner busy for minutes without it."""
    path = "MATCH " + "-[:IN]-".join(f"(a{i}:Commune)" for i in range(40)) + " RETURN a0.name"
    with pytest.raises(QueryTimeout):
        console.check(graph, path, {}, ConsoleLimits(timeout_s=2.0))


def test_console_reads_are_never_retried(world, graph, monkeypatch):  # noqa: F811
    """The driver's managed transactions retry for 30 s: the console uses explicit transactions, once."""
    sessions = []
    real_session = graph.driver.session

    def session(**kwargs):
        opened = real_session(**kwargs)
        sessions.append(opened)
        for name in ("execute_read", "execute_write"):
            monkeypatch.setattr(opened, name, lambda *a, **k: pytest.fail("managed (retried) transaction used"))
        return opened

    monkeypatch.setattr(graph.driver, "session", session)
    with pytest.raises(BadRequest):
        run_console(graph, "UNWIND [1, 0] AS x RETURN 1 / x AS y")
    assert run_console(graph, "RETURN 1 AS x").rows == [[1]]
    assert len(sessions) == 4  # plan and run, twice


def test_issue_inputs_over_http(world, graph):  # noqa: F811
    """The three inputs of the finding, through the API: clear 400s or a cut result, small bodies, and the
    app's memory stays flat (the values are decoded in a worker process)."""
    app, tokens = world
    refused = post(app, "/api/v1/cypher", {"query": NESTED_LISTS}, tokens["analyst"])
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "query_too_complex"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    big = post(app, "/api/v1/cypher", {"query": RANGE_10M}, tokens["analyst"])
    assert len(big.get_data()) < 1_000_000
    if big.status_code == 200:
        assert big.get_json()["truncated_by"] == "bytes" and "Mo" in big.get_json()["notice"]
    else:
        assert big.status_code == 400 and big.get_json()["error"]["code"] == "query_too_large"
    heavy = post(app, "/api/v1/cypher", {"query": COLLECT_30M}, tokens["analyst"])
    assert heavy.status_code == 400, heavy.get_json()
    assert heavy.get_json()["error"]["code"] in ("query_too_large", "query_timeout")
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert growth_mb < 150, f"the app grew by {growth_mb:.0f} MB"


def test_byte_cap_cuts_and_says_so(world, graph, settings, tmp_path):  # noqa: F811
    _, tokens = world
    app = make_app(settings.replace(var_dir=tmp_path, console_max_bytes=50_000, console_row_cap=100_000), graph)
    try:
        body = post(app, "/api/v1/cypher", {"query": "UNWIND range(1, 100000) AS x RETURN x, 'ligne ' + x AS texte"},
                    tokens["analyst"]).get_json()
        csv_answer = post(app, "/api/v1/cypher", {"query": "UNWIND range(1, 100000) AS x RETURN x", "format": "csv"},
                          tokens["analyst"])
    finally:
        close(app)
    assert body["truncated"] is True and body["truncated_by"] == "bytes" and body["byte_cap"] == 50_000
    assert 0 < body["row_count"] < 100_000 and body["rows"][-1][0] == body["row_count"]
    assert "0.05 Mo" in body["notice"]
    assert csv_answer.headers["X-Truncated-By"] == "bytes"


def test_52_requests_of_one_analyst_leave_the_health_check_up(world, graph, settings, tmp_path):  # noqa: F811
    """52 concurrent requests of one analyst (the nested-lists input, then queries that never end): the first
    are refused before Neo4j; of the others a few run, a few wait their turn and the rest get 429 — while the
    health check and the public search keep answering 200."""
    _, tokens = world
    app = make_app(settings.replace(var_dir=tmp_path, console_timeout_s=8.0), graph, world[0].extensions[
        "ror"].search)
    statuses: dict[str, list[int]] = {"nested": [], "never_ends": []}
    health: list[int] = []
    storm_over = threading.Event()

    def fire(kind: str, query: str) -> None:
        statuses[kind].append(post(app, "/api/v1/cypher", {"query": query}, tokens["analyst"]).status_code)

    def probe() -> None:
        client = app.test_client()
        while not storm_over.is_set() or not health:
            health.append(client.get("/api/v1/health").status_code)

    try:
        prober = threading.Thread(target=probe)
        prober.start()
        for kind, query in (("nested", NESTED_LISTS), ("never_ends", NEVER_ENDS)):
            threads = [threading.Thread(target=fire, args=(kind, query)) for _ in range(52)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(300)
        storm_over.set()
        prober.join(300)
    finally:
        storm_over.set()
        close(app)
    assert statuses["nested"] == [400] * 52
    never = statuses["never_ends"]
    assert len(never) == 52 and set(never) <= {400, 429}, never  # ran to the time limit, or refused
    assert never.count(400) >= 1 and never.count(429) >= 1
    peaks = app.extensions["ror_console"].gate.peaks  # never more at once than the analyst's share
    assert peaks["running"] <= settings.console_per_user and peaks["waiting"] <= settings.console_queue_per_user
    assert health and set(health) == {200}, health
