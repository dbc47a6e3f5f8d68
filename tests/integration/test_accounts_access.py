"""Who may do what, where: every issue-7 endpoint × every role, tokens, sessions + CSRF, rate limiting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.store import UserStore
from tests.integration.access_world import ACCOUNTS, PASSWORD, bearer, build_world, make_app

pytestmark = pytest.mark.integration

ROLES = (*ACCOUNTS, "anonymous")
OK_ALL = {u: 200 for u in ROLES}


def expect(ok: dict[str, int], default: int = 403) -> dict[str, int]:
    return {u: ok.get(u, 401 if u == "anonymous" else default) for u in ROLES}


CAPACITY = {"available_women": 1, "available_men": 1}
TENSION = {"level": 2, "cause": "Afflux de patients (test)"}
EMERGENCY = {"message_id": "matrice-1", "finess": "010000033",
             "observed_at": datetime.now(UTC).replace(microsecond=0).isoformat(), "arrivals_last_hour": 3,
             "arrivals_today": 20, "present": 12, "waiting_to_be_seen": 2, "over_4h": 1, "boarding": 1}
# (method, path, json body, expected status per account)
MATRIX = [
    ("GET", "/api/v1/me", None, expect({u: 200 for u in ACCOUNTS})),
    ("GET", "/api/v1/places/pl-a/capacity", None, OK_ALL),
    ("PUT", "/api/v1/places/pl-a/capacity", CAPACITY, expect({"admin": 200, "contrib_a": 200})),
    ("PUT", "/api/v1/places/pl-c/capacity", CAPACITY, expect({"admin": 200, "contrib_c": 200})),
    ("POST", "/api/v1/sites/400000011/tension", TENSION, expect({"admin": 201, "contrib_a": 201})),
    ("POST", "/api/v1/sites/010000033/tension", TENSION, expect({"admin": 201, "contrib_c": 201})),
    ("GET", "/api/v1/tension", None, expect({"admin": 200, "coord_na": 200, "coord_ara": 200})),
    ("GET", "/api/v1/capacity/board", None, expect({"admin": 200, "coord_na": 200, "coord_ara": 200})),
    ("GET", "/api/v1/capacity/board?region=75", None, expect({"admin": 200, "coord_na": 200})),
    ("GET", "/api/v1/audit", None, expect({"admin": 200, "coord_na": 200, "coord_ara": 200})),
    ("GET", "/api/v1/quality/rules", None,
     expect({u: 200 for u in ("admin", "contrib_a", "contrib_c", "coord_na", "coord_ara")})),
    ("GET", "/api/v1/quality/offers/off-a", None, expect({"admin": 200, "contrib_a": 200, "coord_na": 200})),
    ("GET", "/api/v1/quality/sites/010000033", None, expect({"admin": 200, "contrib_c": 200, "coord_ara": 200})),
    ("GET", "/api/v1/quality/regions/75", None, expect({"admin": 200, "coord_na": 200})),
    ("GET", "/api/v1/quality/regions/75/worklist", None, expect({"admin": 200, "coord_na": 200})),
    ("GET", "/api/v1/offers/off-a/contacts", None, expect({"admin": 200, "contrib_a": 200})),
    ("POST", "/api/v1/sites/010000033/offers", {"name": ""}, expect({"admin": 400, "contrib_c": 400})),
    ("DELETE", "/api/v1/offers/off-c/contacts/SYN0000001?revision=0", None, expect({"admin": 404, "contrib_c": 404})),
    ("GET", "/api/v1/quality/regions/84/worklist?queue=draft", None, expect({"admin": 200, "coord_ara": 200})),
    ("GET", "/api/v1/population?region=84", None, expect({"admin": 200, "coord_ara": 200})),
    ("GET", "/api/v1/population.csv?region=75", None, expect({"admin": 200, "coord_na": 200})),
    ("PUT", "/api/v1/sites/010000033/population", {"launched_on": "2025-01-10"},
     expect({"admin": 200, "coord_ara": 200})),
    ("POST", "/api/v1/offers/off-b/status", {"to": "nowhere"}, expect({"admin": 400, "contrib_a": 403,
                                                                      "coord_na": 400})),
    ("GET", "/api/v1/nos/retired", None, expect({"admin": 200, "coord_na": 200, "coord_ara": 200, "analyst": 200})),
    # crisis modules (issue 17): plan blanc, emergency activity, adverse-event forms
    ("GET", "/api/v1/crisis/sites/400000011", None, expect({"admin": 200, "contrib_a": 200, "coord_na": 200})),
    ("PUT", "/api/v1/crisis/sites/400000011/plan", {"active": True, "level": 1},
     expect({"admin": 200, "contrib_a": 200})),
    ("PUT", "/api/v1/crisis/sites/010000033/resources", {"ventilators": 2}, expect({"admin": 200, "contrib_c": 200})),
    ("GET", "/api/v1/crisis/board", None, expect({"admin": 200, "coord_na": 200, "coord_ara": 200})),
    ("GET", "/api/v1/crisis/board.csv?region=84", None, expect({"admin": 200, "coord_ara": 200})),
    ("POST", "/api/v1/crisis/regions/75/survey", {"reason": "matrice"}, expect({"admin": 201, "coord_na": 201})),
    # the same message from every account: stored once (201 for the first sender, admin), then 200 "duplicate"
    ("POST", "/api/v1/emergency/reports", EMERGENCY, expect({"admin": 201, "contrib_c": 200})),
    ("GET", "/api/v1/emergency/dashboard", None, expect({"admin": 200, "coord_na": 200, "coord_ara": 200})),
    ("GET", "/api/v1/emergency/sites/010000033", None, expect({"admin": 200, "contrib_c": 200, "coord_ara": 200})),
    ("GET", "/api/v1/fei", None, expect({u: 200 for u in ACCOUNTS if u != "analyst"})),
    ("POST", "/api/v1/fei", {"sites": []}, expect({u: 400 for u in ACCOUNTS if u != "analyst"})),
    ("GET", "/api/v1/fei/stats", None, expect({"admin": 200, "coord_na": 200, "coord_ara": 200})),
]


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints)
    app = make_app(settings, graph, search_client)
    return app, tokens


def call(client, method, path, body, token=None, headers=None):
    headers = {**(bearer(token) if token else {}), **(headers or {})}
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("method,path,body,expected", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_role_scope_matrix(world, method, path, body, expected):
    app, tokens = world
    client = app.test_client()
    got = {}
    for user in ROLES:
        response = call(client, method, path, body, tokens.get(user))
        got[user] = response.status_code
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert error["status"] == response.status_code and error["message"]
    assert got == expected


def test_coordinators_only_see_their_region(world):
    app, tokens = world
    client = app.test_client()
    for account, region in (("coord_na", "75"), ("coord_ara", "84")):
        alerts = client.get("/api/v1/tension", headers=bearer(tokens[account])).get_json()["alerts"]
        assert alerts and {a["region_code"] for a in alerts} == {region}
        entries = client.get("/api/v1/audit?limit=1000", headers=bearer(tokens[account])).get_json()["entries"]
        assert entries and {e["region_code"] for e in entries} == {region}
        rows = client.get("/api/v1/capacity/board", headers=bearer(tokens[account])).get_json()["rows"]
        assert rows and {r["region_code"] for r in rows} == {region}
    every = client.get("/api/v1/audit?limit=1000", headers=bearer(tokens["admin"])).get_json()["entries"]
    assert {"75", "84"} <= {e["region_code"] for e in every}


def test_bad_and_revoked_tokens_are_refused(world, graph):
    app, tokens = world
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer("ror_nope_nope")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    store = UserStore(graph)
    token_id, plaintext = store.create_token("contrib_a", "révocable")
    assert client.get("/api/v1/me", headers=bearer(plaintext)).get_json()["via"] == f"token:{token_id}"
    store.revoke_token(token_id)
    response = client.get("/api/v1/me", headers=bearer(plaintext))
    assert response.status_code == 401 and "révoqué" in response.get_json()["error"]["message"]


def test_passwords_are_hashed_and_tokens_stored_hashed(world, graph):
    _, tokens = world
    row = graph.read("MATCH (u:User {username: 'contrib_a'}) RETURN u.password_hash AS h")[0]
    assert row["h"].startswith("$argon2id$") and PASSWORD not in row["h"]
    hashes = [r["h"] for r in graph.read("MATCH (t:ApiToken) RETURN t.token_hash AS h")]
    assert tokens["contrib_a"] not in hashes and all(len(h) == 64 for h in hashes)


def test_session_write_needs_csrf_token(world):
    app, _ = world
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": "contrib_a", "password": PASSWORD})
    assert login.status_code == 200
    csrf = login.get_json()["csrf_token"]
    assert client.get("/api/v1/me").get_json()["via"] == "session"
    refused = client.put("/api/v1/places/pl-a/capacity", json=CAPACITY)
    assert refused.status_code == 403 and "sécurité" in refused.get_json()["error"]["message"]
    wrong = client.put("/api/v1/places/pl-a/capacity", json=CAPACITY, headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status_code == 403
    accepted = client.put("/api/v1/places/pl-a/capacity", json=CAPACITY, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 200
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_login_is_rate_limited(world):
    app, _ = world
    client = app.test_client()
    statuses = [client.post("/api/v1/auth/login", json={"username": "reader", "password": "mauvais-mot-de-passe"})
                .status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    # even the right password is refused while the window lasts
    right = client.post("/api/v1/auth/login", json={"username": "reader", "password": PASSWORD})
    assert right.status_code == 429
    assert client.post("/api/v1/auth/login", json={"username": "analyst", "password": PASSWORD}).status_code == 200


def test_deactivated_account_loses_access(world, graph):
    app, tokens = world
    store = UserStore(graph)
    store.grant("analyst", active=False)
    try:
        assert app.test_client().get("/api/v1/me", headers=bearer(tokens["analyst"])).status_code == 401
    finally:
        store.grant("analyst", active=True)
    entries = graph.read("MATCH (a:AuditEntry {action: 'user.grant', target_id: 'analyst'}) RETURN a.after AS after")
    assert len(entries) == 2 and '"active": false' in entries[0]["after"] + entries[1]["after"]
