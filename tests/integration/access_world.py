"""Shared set-up of the issue-7 integration tests: the access fixture graph, one account per role, tokens,
and an app with the admin blueprints (registered here too in case web/app.py does not yet)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import cypher
from accounts.store import UserStore
from web import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "access"
PASSWORD = "mot-de-passe-de-test"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ACCOUNTS = {  # username: (role, sites, regions)
    "admin": ("admin", (), ()),
    "contrib_a": ("contributor", ("400000011",), ()),
    "contrib_c": ("contributor", ("010000033",), ()),
    "coord_na": ("coordinator", (), ("75",)),
    "coord_ara": ("coordinator", (), ("84",)),
    "reader": ("reader", (), ()),
    "analyst": ("analyst", (), ()),
}


def wipe(graph, engine_endpoints) -> None:
    _, may_wipe = engine_endpoints
    if not may_wipe and graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] > 0:
        pytest.fail("Refusing to wipe a non-empty external Neo4j; set ROR_TEST_ALLOW_WIPE=1 to allow it.")
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


def load(graph, *names: str) -> None:
    for name in names:
        text = (FIXTURES / f"{name}.cypher").read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
        for statement in (s.strip() for s in body.split(";")):
            if statement:
                graph.write(statement)


def build_world(graph, engine_endpoints, *fixtures: str) -> dict[str, str]:
    """Wipe, apply the schema, load fixtures, create the accounts; returns {username: API token}."""
    wipe(graph, engine_endpoints)
    for name in ("schema/accounts_audit", "schema/crisis"):
        for statement in cypher.statements(name):
            graph.write(statement)
    load(graph, "territory", *fixtures)
    store = UserStore(graph)
    tokens = {}
    for username, (role, sites, regions) in ACCOUNTS.items():
        store.add(username, PASSWORD, role, sites=sites, regions=regions)
        tokens[username] = store.create_token(username, "tests")[1]
    graph.replan()  # plans cached by earlier modules were made on other data
    return tokens


BLUEPRINT_MODULES = ("admin_api", "admin_quality_api", "admin_pages")


def make_app(settings, graph, search=None):
    import importlib

    app = create_app(settings, graph=graph, search=search)
    for name in BLUEPRINT_MODULES:
        try:
            module = importlib.import_module(f"web.{name}")
        except ModuleNotFoundError:
            continue
        if module.bp.name not in app.blueprints:
            app.register_blueprint(module.bp)
    return app


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def token_of(response) -> str:
    """The CSRF token of a rendered form."""
    return CSRF.search(response.get_data(as_text=True)).group(1)


def logged_in(app, username: str):
    """A test client logged in through the login form (session cookie), landed on the professional space."""
    client = app.test_client()
    form = client.get("/connexion")
    response = client.post("/connexion", data={"username": username, "password": PASSWORD,
                                                "csrf_token": token_of(form), "suivant": "/espace"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/espace")
    return client


def until_ready(client, url: str, bound_s: float = 180.0):
    """GET a coordinator page that may first answer 202 "préparation en cours" (its région table is built in the
    background on first use), again until it answers otherwise; the bound only stops a build that never ends."""
    deadline = time.monotonic() + bound_s
    while True:
        response = client.get(url)
        if response.status_code != 202 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)
