"""Issue 19, finding 6: the session cookie is SameSite=Lax (the `setdefault` never applied: Flask predefines the
key), Secure when the app is served over TLS (setting), and a captured cookie stops working at logout."""

from __future__ import annotations

import pytest

from tests.integration.access_world import PASSWORD, build_world, make_app, token_of

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    build_world(graph, engine_endpoints)
    return settings


def login(app):
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"username": "contrib_a", "password": PASSWORD})
    assert response.status_code == 200
    return client, response


def test_cookie_is_httponly_and_samesite_lax(world, graph):
    _, response = login(make_app(world, graph))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookie_is_secure_when_served_over_tls(world, graph):
    _, response = login(make_app(world.replace(session_cookie_secure=True), graph))
    assert "Secure" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("logout", ["api", "page"])
def test_a_captured_cookie_stops_working_at_logout(world, graph, logout):
    app = make_app(world, graph)
    owner, response = login(app)
    csrf = response.get_json()["csrf_token"]
    thief = app.test_client()
    thief.set_cookie("session", owner.get_cookie("session").value)  # the captured cookie, replayed elsewhere
    assert thief.get("/api/v1/me").status_code == 200
    if logout == "api":
        assert owner.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code in (200, 204)
    else:
        page = owner.get("/espace")
        assert owner.post("/deconnexion", data={"csrf_token": token_of(page)}).status_code == 302
    refused = thief.get("/api/v1/me")
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"
    assert owner.get("/api/v1/me").status_code == 401
    again, _ = login(app)  # logging in again opens a new, working session
    assert again.get("/api/v1/me").status_code == 200
