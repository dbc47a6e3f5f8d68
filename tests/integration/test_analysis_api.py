"""The analyst console, pathway library and background exports over HTTP, on the real Neo4j.

Role matrix (token and session + CSRF), write refusals through the endpoint with the database unchanged,
CSV/JSON answers, interactive vs export row caps, job lifecycle and ownership, engine down, and the pages.
"""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

import cypher
from accounts.store import UserStore
from graph.driver import Graph
from tests.integration.access_world import PASSWORD, bearer, logged_in, make_app, wipe
from tests.integration.test_console import snapshot
from tests.integration.test_cypher_library import load_orientation_fixture
from web.services import close

pytestmark = pytest.mark.integration

ACCOUNTS = {"reader": "reader", "contrib": "contributor", "coord": "coordinator", "analyst": "analyst",
            "analyst_b": "analyst", "admin": "admin"}
PATH_QUERY = ("MATCH p = (:Activity {code: $from})-[:NEXT_STEP*]->(:Activity {code: $to}) RETURN p")
PATH_PARAMS = {"from": "157", "to": "234"}

# A representative write of each kind: (statement, text expected in the French refusal)
WRITES = [
    ("CREATE (:Intrus {x: 1})", "(CREATE)"),
    ("MERGE (s:Site {finess: '999999999'})", "(MERGE)"),
    ("MATCH (o:Offer) SET o.email = 'pirate@example.org'", "(SET)"),
    ("MATCH (n) DETACH DELETE n", "(DETACH)"),
    ("LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS row RETURN row", "LOAD CSV"),
    ("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS", "IN TRANSACTIONS"),
    ("CREATE INDEX intrus IF NOT EXISTS FOR (n:Site) ON (n.name)", "(CREATE)"),
    ("DROP CONSTRAINT site_finess IF EXISTS", "(DROP)"),
    ("CALL db.createLabel('Intrus')", "planificateur"),
    ("CALL db.clearQueryCaches()", "administration"),
]


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings, tmp_path_factory):
    wipe(graph, engine_endpoints)
    for name in ("schema/library", "schema/accounts_audit"):
        for statement in cypher.statements(name):
            graph.write(statement)
    load_orientation_fixture(graph)
    store = UserStore(graph)
    tokens = {}
    for username, role in ACCOUNTS.items():
        store.add(username, PASSWORD, role)
        tokens[username] = store.create_token(username, "tests")[1]
    app_settings = settings.replace(var_dir=tmp_path_factory.mktemp("var"), console_row_cap=5,
                                    console_export_row_cap=50, console_timeout_s=120.0, console_job_workers=1)
    app = make_app(app_settings, graph, search_client)
    yield app, tokens
    close(app)
    store_ = app.extensions.get("ror_console_jobs")
    if store_ is not None:
        store_.shutdown()


@pytest.fixture
def app(world):
    return world[0]


@pytest.fixture
def tokens(world):
    return world[1]


def post(app, url, body, token):
    return app.test_client().post(url, json=body, headers=bearer(token))


def session_client(app, username):
    client = app.test_client()
    logged = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert logged.status_code == 200
    return client, logged.get_json()["csrf_token"]


def wait_for(app, token, job_id):
    deadline = time.monotonic() + 120  # a guard against a hung worker, not a performance assertion
    while True:
        job = app.test_client().get(f"/api/v1/cypher/jobs/{job_id}", headers=bearer(token)).get_json()["job"]
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


# ------------------------------------------------------------------------------------------- roles

ENDPOINTS = [
    ("post", "/api/v1/cypher", {"query": "RETURN 1 AS x"}),
    ("get", "/api/v1/cypher/library", None),
    ("post", "/api/v1/cypher/library/stroke_pathway", {"params": {"department_code": "40"}}),
    ("post", "/api/v1/cypher/jobs", {"query": "RETURN 1 AS x"}),
    ("get", "/api/v1/cypher/jobs", None),
]


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS, ids=[f"{m} {u}" for m, u, _ in ENDPOINTS])
def test_role_matrix_with_tokens(app, tokens, method, url, body):
    client = app.test_client()
    call = getattr(client, method)
    anonymous = call(url, json=body) if body is not None else call(url)
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    for username in ("reader", "contrib", "coord"):
        refused = call(url, json=body, headers=bearer(tokens[username])) if body is not None else \
            call(url, headers=bearer(tokens[username]))
        assert refused.status_code == 403, username
        assert set(refused.get_json()["error"]) == {"status", "code", "message", "fields"}
        assert "Action réservée" in refused.get_json()["error"]["message"]
    for username in ("analyst", "admin"):
        allowed = call(url, json=body, headers=bearer(tokens[username])) if body is not None else \
            call(url, headers=bearer(tokens[username]))
        assert allowed.status_code in (200, 202), (username, allowed.get_json())


def test_session_needs_the_csrf_token(app):
    client, token = session_client(app, "analyst")
    missing = client.post("/api/v1/cypher", json={"query": "RETURN 1 AS x"})
    assert missing.status_code == 403 and "Jeton de sécurité" in missing.get_json()["error"]["message"]
    ok = client.post("/api/v1/cypher", json={"query": "RETURN 1 AS x"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.get_json()["rows"] == [[1]]
    assert client.get("/api/v1/cypher/library").status_code == 200  # reads need no CSRF token
    for url, body, status in (("/api/v1/cypher/library/stroke_pathway", {"params": {}}, 200),
                              ("/api/v1/cypher/jobs", {"query": "RETURN 2 AS x"}, 202)):
        assert client.post(url, json=body).status_code == 403, url
        assert client.post(url, json=body, headers={"X-CSRF-Token": token}).status_code == status, url
    assert client.get("/api/v1/cypher/jobs").get_json()["jobs"][0]["label"] == "RETURN 2 AS x"
    reader, reader_token = session_client(app, "reader")
    refused = reader.post("/api/v1/cypher", json={"query": "RETURN 1 AS x"}, headers={"X-CSRF-Token": reader_token})
    assert refused.status_code == 403


# ------------------------------------------------------------------------------------------- console


def test_path_query_gives_table_and_graph(app, tokens):
    response = post(app, "/api/v1/cypher", {"query": PATH_QUERY, "params": PATH_PARAMS}, tokens["analyst"])
    body = response.get_json()
    assert response.status_code == 200
    assert body["columns"] == ["p"] and body["row_count"] == 1 and body["truncated"] is False
    assert body["elapsed_ms"] >= 0 and body["row_cap"] == 5
    path = body["rows"][0][0]
    assert [n["properties"]["code"] for n in path["nodes"]] == ["157", "098", "234"]
    graph = body["graph"]
    assert sorted(n["caption"] for n in graph["nodes"]) == sorted(
        ["Urgences polyvalentes hospitalières", "Neurologie vasculaire",
         "Réadaptation des affections du système nerveux"])
    ids = {n["id"] for n in graph["nodes"]}
    assert len(graph["links"]) == 2 and all(link["source"] in ids and link["target"] in ids for link in graph["links"])
    assert {link["type"] for link in graph["links"]} == {"NEXT_STEP"}


def test_scalar_results_have_no_graph_part(app, tokens):
    body = post(app, "/api/v1/cypher", {"query": "MATCH (c:Commune) RETURN c.name AS name ORDER BY name"},
                tokens["analyst"]).get_json()
    assert "graph" not in body
    assert body["rows"] == [["Bayonne"], ["Dax"], ["Mimizan"], ["Mont-de-Marsan"], ["Pau"]]


def test_values_without_a_json_form_still_give_valid_json(app, tokens):
    response = post(app, "/api/v1/cypher", {"query": "RETURN 0.0 / 0.0 AS nan, 1.0 / 0.0 AS inf, "
                                                     "[-1.0 / 0.0] AS list, date('2026-11-22') AS day"},
                    tokens["analyst"])
    def strict(constant):  # Python would accept NaN/Infinity, browsers' JSON.parse does not
        raise ValueError(f"{constant} is not JSON")

    body = json.loads(response.get_data(as_text=True), parse_constant=strict)
    assert body["rows"] == [["NaN", "Infinity", ["-Infinity"], "2026-11-22"]]


def test_csv_format(app, tokens):
    response = post(app, "/api/v1/cypher", {"query": "MATCH (c:Commune) RETURN c.insee AS insee, c.name AS name "
                                                     "ORDER BY insee", "format": "csv"}, tokens["analyst"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="console-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["insee", "name"] and rows[1:] == [["40088", "Dax"], ["40184", "Mimizan"],
                                                         ["40192", "Mont-de-Marsan"], ["64102", "Bayonne"],
                                                         ["64445", "Pau"]]
    assert response.headers["X-Row-Count"] == "5" and response.headers["X-Truncated"] == "false"


def test_interactive_row_cap_truncates(app, tokens):
    body = post(app, "/api/v1/cypher", {"query": "UNWIND range(1, 20) AS x RETURN x"}, tokens["analyst"]).get_json()
    assert body["rows"] == [[1], [2], [3], [4], [5]] and body["truncated"] is True and body["row_cap"] == 5


@pytest.mark.parametrize(("statement", "expected"), WRITES, ids=[w for w, _ in WRITES])
def test_writes_are_refused_through_http_and_nothing_changes(app, tokens, graph, statement, expected):
    before = snapshot(graph)
    for url in ("/api/v1/cypher", "/api/v1/cypher/jobs"):  # exports never bypass the checks
        response = post(app, url, {"query": statement}, tokens["admin"])
        error = response.get_json()["error"]
        assert response.status_code == 403, (url, error)
        assert error["message"].startswith("Requête refusée : ") and expected in error["message"]
        assert error["message"].endswith("La console est en lecture seule.")
    assert snapshot(graph) == before
    jobs = app.test_client().get("/api/v1/cypher/jobs", headers=bearer(tokens["admin"])).get_json()["jobs"]
    assert all(job["label"] != statement for job in jobs)


@pytest.mark.parametrize(("body", "field", "text"), [
    ({}, "query", "query"),
    ({"query": "  "}, "query", "query"),
    ({"query": 42}, "query", "query"),
    ({"query": "RETURN $x AS x", "params": [1]}, "params", "objet JSON"),
    ({"query": "RETURN $x AS x", "params": "{pas du json"}, "params", "JSON valide"),
    ({"query": "RETURN 1 AS x", "format": "xlsx"}, "format", "Format inconnu"),
])
def test_bad_bodies_name_the_field(app, tokens, body, field, text):
    response = post(app, "/api/v1/cypher", body, tokens["analyst"])
    error = response.get_json()["error"]
    assert response.status_code == 400 and field in error["fields"] and text in error["message"]


def test_body_must_be_a_json_object(app, tokens):
    response = app.test_client().post("/api/v1/cypher", data="[1]", content_type="application/json",
                                      headers=bearer(tokens["analyst"]))
    assert response.status_code == 400 and "objet JSON" in response.get_json()["error"]["message"]


def test_syntax_error_is_a_french_bad_request(app, tokens):
    error = post(app, "/api/v1/cypher", {"query": "MATCH (n RETURN n"}, tokens["analyst"]).get_json()["error"]
    assert error["status"] == 400 and error["message"].startswith("Requête invalide")


def test_timeout_is_a_clear_french_error(world, graph, settings, tmp_path):
    """A query that never ends (two billion values) stops at the time limit, whatever the machine's load."""
    _, tokens = world
    app = make_app(settings.replace(var_dir=tmp_path, console_timeout_s=2.0), graph)
    try:
        response = post(app, "/api/v1/cypher", {"query": "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 "
                                                         "RETURN count(x)"}, tokens["analyst"])
    finally:
        close(app)
    error = response.get_json()["error"]
    assert response.status_code == 400 and error["code"] == "query_timeout"
    assert "Requête interrompue : elle a dépassé 2 s" in error["message"] and "export" in error["message"]


def test_cancel_stops_my_running_query_on_the_server(world, graph, settings, tmp_path):
    """The page's "Annuler" ends the transaction in Neo4j (not only the wait in the browser); only its author can."""
    import threading

    _, tokens = world
    app = make_app(settings.replace(var_dir=tmp_path, console_timeout_s=120.0), graph)
    run_id = "annulation-test-1"
    answers = []
    worker = threading.Thread(target=lambda: answers.append(post(app, "/api/v1/cypher", {
        "query": "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x)", "run_id": run_id},
        tokens["analyst"])))
    worker.start()
    deadline = time.monotonic() + 60  # guard only: wait until Neo4j lists the transaction
    while not graph.read("SHOW TRANSACTIONS YIELD metaData WHERE metaData.ror_console_run = $id RETURN 1 AS x",
                         id=run_id):
        assert time.monotonic() < deadline and worker.is_alive(), answers
        time.sleep(0.05)
    client = app.test_client()
    assert client.delete(f"/api/v1/cypher/runs/{run_id}", headers=bearer(tokens["analyst_b"])).status_code == 404
    assert client.delete(f"/api/v1/cypher/runs/{run_id}", headers=bearer(tokens["reader"])).status_code == 403
    assert client.delete(f"/api/v1/cypher/runs/{run_id}", headers=bearer(tokens["analyst"])).status_code == 204
    worker.join(60)
    error = answers[0].get_json()["error"]
    assert answers[0].status_code == 400 and error["code"] == "query_cancelled" and "annulée" in error["message"]
    gone = client.delete(f"/api/v1/cypher/runs/{run_id}", headers=bearer(tokens["analyst"]))
    assert gone.status_code == 404 and "déjà terminée" in gone.get_json()["error"]["message"]
    bad = post(app, "/api/v1/cypher", {"query": "RETURN 1 AS x", "run_id": "x"}, tokens["analyst"])
    assert bad.status_code == 400 and "run_id" in bad.get_json()["error"]["fields"]
    close(app)


def test_engine_down_is_503(settings, tmp_path):
    """With Neo4j not answering, the console says so at once (the caller is authenticated beforehand here:
    with the database down, nobody could log in)."""
    import socket

    from flask import g

    from accounts.models import Principal, User
    from core.errors import RorError
    from web.analysis_api import console

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket is closed
    dead = Graph(f"bolt://127.0.0.1:{port}")
    try:
        app = make_app(settings.replace(var_dir=tmp_path), dead)
        with app.test_request_context("/api/v1/cypher", method="POST", json={"query": "RETURN 1 AS x"}):
            g.ror_principal = Principal(User("analyst", "analyst"), via="token:t")
            with pytest.raises(RorError) as raised:
                console()
            response = app.handle_user_exception(raised.value)
        assert raised.value.status == 503 and "indisponible" in raised.value.message
        assert response.status_code == 503 and response.get_json()["error"]["code"] == "service_unavailable"
    finally:
        dead.close()


# ------------------------------------------------------------------------------------------- library


def test_library_list_has_french_titles_and_typed_parameters(app, tokens):
    queries = app.test_client().get("/api/v1/cypher/library", headers=bearer(tokens["analyst"])).get_json()["queries"]
    names = [q["name"] for q in queries]
    assert "stroke_pathway" in names and len(names) == len(set(names)) >= 13
    stroke = next(q for q in queries if q["name"] == "stroke_pathway")
    assert stroke["title"] and stroke["question"].endswith("?") and stroke["description"]
    dept = next(p for p in stroke["params"] if p["name"] == "department_code")
    assert dept == {"name": "department_code", "type": "string", "required": False, "default": "40",
                    "description": dept["description"]}
    assert {p["type"] for q in queries for p in q["params"]} <= {"int", "float", "string", "bool", "list<string>",
                                                                  "list<int>", "list<float>"}


def test_library_query_runs_with_params_and_row_cap(app, tokens):
    body = post(app, "/api/v1/cypher/library/stroke_pathway", {"params": {"department_code": "40"}},
                tokens["analyst"]).get_json()
    records = [dict(zip(body["columns"], row, strict=True)) for row in body["rows"]]
    assert [r["commune"] for r in records] == ["Dax", "Mimizan", "Mont-de-Marsan"]
    assert records[0]["urgences_finess"] == "400000022" and body["truncated"] is False
    csv_text = post(app, "/api/v1/cypher/library/stroke_pathway", {"params": {"department_code": "40"},
                                                                   "format": "csv"}, tokens["analyst"])
    assert csv_text.mimetype == "text/csv" and csv_text.get_data(as_text=True).splitlines()[0].startswith("commune")


@pytest.mark.parametrize(("params", "text"), [
    ({"department_code": "40", "search_km": "loin"}, "Paramètre « search_km » : valeur 'loin' invalide, attendu float"),
    ({"departement": "40"}, "Paramètre inconnu pour « stroke_pathway » : departement"),
])
def test_library_parameter_errors_name_the_parameter(app, tokens, params, text):
    response = post(app, "/api/v1/cypher/library/stroke_pathway", {"params": params}, tokens["analyst"])
    assert response.status_code == 400 and text in response.get_json()["error"]["message"]


def test_unknown_library_query_is_404(app, tokens):
    response = post(app, "/api/v1/cypher/library/nulle_part", {}, tokens["analyst"])
    assert response.status_code == 404 and "nulle_part" in response.get_json()["error"]["message"]


# ------------------------------------------------------------------------------------------- jobs


def test_export_job_lifecycle_with_the_higher_row_cap(app, tokens):
    started = post(app, "/api/v1/cypher/jobs", {"query": "UNWIND range(1, $n) AS x RETURN x, x * x AS carre",
                                                "params": {"n": 80}}, tokens["analyst"])
    assert started.status_code == 202
    job = started.get_json()["job"]
    assert started.headers["Location"].endswith(f"/api/v1/cypher/jobs/{job['id']}")
    assert job["state"] in ("queued", "running", "done")
    done = wait_for(app, tokens["analyst"], job["id"])
    assert done["state"] == "done", done
    assert done["rows"] == 50 and done["truncated"] is True  # export cap 50 > 5
    assert done["columns"] == ["x", "carre"] and done["elapsed_ms"] >= 0
    client = app.test_client()
    as_csv = client.get(f"/api/v1/cypher/jobs/{job['id']}/result?format=csv", headers=bearer(tokens["analyst"]))
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert "attachment" in as_csv.headers["Content-Disposition"]
    lines = as_csv.get_data(as_text=True).splitlines()
    as_csv.close()
    assert lines[0] == "x,carre" and lines[1] == "1,1" and lines[50] == "50,2500" and len(lines) == 51
    json_response = client.get(f"/api/v1/cypher/jobs/{job['id']}/result?format=json",
                               headers=bearer(tokens["analyst"]))
    as_json = json.loads(json_response.get_data(as_text=True))
    json_response.close()
    assert as_json["rows"][-1] == {"x": 50, "carre": 2500} and as_json["truncated"] is True
    listed = client.get("/api/v1/cypher/jobs", headers=bearer(tokens["analyst"])).get_json()["jobs"]
    assert job["id"] in [j["id"] for j in listed]

    url = f"/api/v1/cypher/jobs/{job['id']}"
    assert client.delete(url, headers=bearer(tokens["reader"])).status_code == 403
    assert client.delete(url, headers=bearer(tokens["analyst_b"])).status_code == 404
    assert client.delete(url, headers=bearer(tokens["analyst"])).status_code == 204
    assert client.get(url, headers=bearer(tokens["analyst"])).status_code == 404


def test_library_export_job(app, tokens):
    started = post(app, "/api/v1/cypher/jobs", {"library": "stroke_pathway", "params": {"department_code": "40"}},
                   tokens["analyst"])
    assert started.status_code == 202
    done = wait_for(app, tokens["analyst"], started.get_json()["job"]["id"])
    assert done["state"] == "done" and done["rows"] == 3 and done["kind"] == "library"
    bad = post(app, "/api/v1/cypher/jobs", {"library": "stroke_pathway", "params": {"search_km": "loin"}},
               tokens["analyst"])
    assert bad.status_code == 400 and "search_km" in bad.get_json()["error"]["message"]


def test_failed_job_reports_a_french_error_and_has_no_result(app, tokens):
    started = post(app, "/api/v1/cypher/jobs", {"query": "UNWIND [1, 0] AS x RETURN 1 / x AS y"}, tokens["analyst"])
    job = wait_for(app, tokens["analyst"], started.get_json()["job"]["id"])
    assert job["state"] == "failed" and job["error"].startswith("Requête invalide")
    result = app.test_client().get(f"/api/v1/cypher/jobs/{job['id']}/result", headers=bearer(tokens["analyst"]))
    assert result.status_code == 409 and "en échec" in result.get_json()["error"]["message"]


def test_deleting_a_running_export_ends_its_transaction_in_neo4j(app, tokens, graph):
    """"Arrêter" on a running export: the query stops in the database, not only in the list; only its author can."""
    started = post(app, "/api/v1/cypher/jobs",
                   {"query": "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n"},
                   tokens["analyst"])
    job_id = started.get_json()["job"]["id"]
    mine = "SHOW TRANSACTIONS YIELD metaData WHERE metaData.ror_console_job = $id RETURN metaData.ror_user AS u"
    deadline = time.monotonic() + 60  # guard only: wait until Neo4j lists the export's transaction
    while not graph.read(mine, id=job_id):
        assert time.monotonic() < deadline, "the export's transaction never showed up"
        time.sleep(0.05)
    assert graph.read(mine, id=job_id) == [{"u": "analyst"}]
    client, url = app.test_client(), f"/api/v1/cypher/jobs/{job_id}"
    assert client.delete(url, headers=bearer(tokens["analyst_b"])).status_code == 404
    assert client.get(url, headers=bearer(tokens["analyst"])).get_json()["job"]["state"] == "running"
    assert client.delete(url, headers=bearer(tokens["analyst"])).status_code == 204
    assert graph.read(mine, id=job_id) == []
    assert client.get(url, headers=bearer(tokens["analyst"])).status_code == 404
    follow_up = post(app, "/api/v1/cypher/jobs", {"query": "RETURN 1 AS x"}, tokens["analyst"])  # the worker is free
    assert wait_for(app, tokens["analyst"], follow_up.get_json()["job"]["id"])["state"] == "done"


def test_nobody_reads_another_users_job(app, tokens):
    started = post(app, "/api/v1/cypher/jobs", {"query": "RETURN 'secret' AS s"}, tokens["analyst"])
    job_id = started.get_json()["job"]["id"]
    assert wait_for(app, tokens["analyst"], job_id)["state"] == "done"
    client = app.test_client()
    for other in ("analyst_b", "admin"):
        for url in (f"/api/v1/cypher/jobs/{job_id}", f"/api/v1/cypher/jobs/{job_id}/result?format=csv"):
            response = client.get(url, headers=bearer(tokens[other]))
            assert response.status_code == 404 and "introuvable" in response.get_json()["error"]["message"]
        listed = client.get("/api/v1/cypher/jobs", headers=bearer(tokens[other])).get_json()["jobs"]
        assert job_id not in [j["id"] for j in listed]
    for reader_url in (f"/api/v1/cypher/jobs/{job_id}", f"/api/v1/cypher/jobs/{job_id}/result"):
        assert client.get(reader_url, headers=bearer(tokens["reader"])).status_code == 403
    assert client.get("/api/v1/cypher/jobs/..%2F..%2Fetc", headers=bearer(tokens["analyst"])).status_code == 404


# ------------------------------------------------------------------------------------------- pages


def test_pages_need_the_console_permission(app):
    anonymous = app.test_client().get("/analyse/console")
    assert anonymous.status_code == 302 and "/connexion?suivant=" in anonymous.headers["Location"]
    reader = logged_in(app, "reader")
    assert reader.get("/analyse/console").status_code == 403
    assert reader.get("/analyse/bibliotheque").status_code == 403
    assert "Console Cypher" not in reader.get("/espace").get_data(as_text=True)
    analyst = logged_in(app, "analyst")
    home = analyst.get("/espace").get_data(as_text=True)
    assert 'href="/analyse/console"' in home and 'href="/analyse/bibliotheque"' in home
    console = analyst.get("/analyse/console")
    text = console.get_data(as_text=True)
    assert console.status_code == 200 and '<textarea id="console-requete"' in text
    assert "js/console.js" in text and "js/graph-view.js" in text and "<script>" not in text
    library = analyst.get("/analyse/bibliotheque").get_data(as_text=True)
    assert 'id="requete-stroke_pathway"' in library and 'id="p-stroke_pathway-department_code"' in library
