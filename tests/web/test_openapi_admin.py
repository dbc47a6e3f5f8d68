"""The contribution/coordination endpoints (capacity, tension, workflow, quality, audit, offer edits…) are in the
OpenAPI document with their methods, request bodies and security schemes (bearer token, or session + CSRF)."""

import re

from openapi_spec_validator import validate

from core.settings import Settings
from web import create_app

BLUEPRINTS = ("admin_api.", "admin_quality_api.", "crisis_api.")


def document_and_routes():
    app = create_app(Settings.from_env())
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    routed: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(BLUEPRINTS):
            path = re.sub(r"<([a-z_]+)>", r"{\1}", rule.rule)
            routed.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return doc, routed


def test_every_contribution_route_is_documented_with_its_methods():
    doc, routed = document_and_routes()
    validate(doc)
    assert {"/api/v1/places/{place_id}/capacity", "/api/v1/offers/{offer_id}", "/api/v1/offers/{offer_id}/status",
            "/api/v1/tension/{alert_id}", "/api/v1/audit", "/api/v1/me"} <= set(routed)
    for path, methods in routed.items():
        assert methods <= set(doc["paths"][path]), path
    assert set(doc["paths"]["/api/v1/offers/{offer_id}"]) == {"get", "patch"}  # public read, contributor edit


def test_writes_need_a_token_or_a_session_with_its_csrf_header():
    doc, routed = document_and_routes()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {"type": "http", "scheme": "bearer", "description": schemes["bearerToken"][
        "description"]}
    assert (schemes["csrfHeader"]["in"], schemes["csrfHeader"]["name"]) == ("header", "X-CSRF-Token")
    assert schemes["sessionCookie"]["in"] == "cookie"
    for path, methods in routed.items():
        for method in methods:
            security = doc["paths"][path][method]["security"]
            if path == "/api/v1/auth/login":
                assert security == []
            elif method == "get":
                assert {"bearerToken": []} in security and {"sessionCookie": []} in security, path
            else:
                assert security == [{"bearerToken": []}, {"sessionCookie": [], "csrfHeader": []}], (method, path)


def test_bodies_and_errors_of_the_offer_edit():
    doc, _ = document_and_routes()
    op = doc["paths"]["/api/v1/offers/{offer_id}"]["patch"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["revision"]
    assert {"activities", "care_modes", "age_groups", "fields", "reception_modes", "phone", "email",
            "description"} <= set(body["properties"])
    assert {"400", "401", "403", "404", "409"} <= set(op["responses"])
    capacity = doc["paths"]["/api/v1/places/{place_id}/capacity"]["put"]["requestBody"]["content"]
    assert "available_women" in capacity["application/json"]["schema"]["properties"]
