"""The OpenAPI document is generated from the code, valid, and covers every API route."""

import re

from openapi_spec_validator import validate

from core.settings import Settings
from web import create_app
from web.api import DECLARED


def test_document_is_valid_openapi_and_covers_every_route():
    app = create_app(Settings.from_env())
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(doc)
    documented = set(doc["paths"])
    routed = {re.sub(r"<([a-z_]+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith(("api.", "analysis_api.", "admin_api.", "admin_quality_api.", "crisis_api."))
              and rule.rule not in {"/api/v1/openapi.json", "/api/v1/health"}}
    assert documented == routed


def test_declared_operations_document_their_methods():
    app = create_app(Settings.from_env())
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    routed: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("analysis_api."):
            path = re.sub(r"<([a-z_]+)>", r"{\1}", rule.rule)
            routed.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    assert routed["/api/v1/cypher/jobs"] == {"get", "post"}
    assert {path: set(doc["paths"][path]) for path in routed} == routed
    console = doc["paths"]["/api/v1/cypher"]["post"]
    assert {name for option in console["security"] for name in option} <= set(doc["components"]["securitySchemes"])
    refused = console["responses"]["403"]["content"]["application/json"]["schema"]
    assert refused == {"$ref": "#/components/schemas/Error"}


def test_parameters_come_from_the_declarations_that_parse_requests():
    app = create_app(Settings.from_env())
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    for ep in DECLARED:
        op = doc["paths"][ep.openapi_path]["get"]
        assert [p["name"] for p in op["parameters"]] == [p.name for p in ep.params]
        assert op["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}
    radius = next(p for p in doc["paths"]["/api/v1/orientation/beds"]["get"]["parameters"] if p["name"] == "radius_km")
    assert radius["schema"] == {"type": "number", "minimum": 1, "maximum": 500}


def test_response_schemas_follow_the_result_dataclasses():
    doc = create_app(Settings.from_env()).test_client().get("/api/v1/openapi.json").get_json()
    hit = doc["components"]["schemas"]["OfferHit"]
    assert hit["properties"]["distance_km"] == {"type": "number", "nullable": True}
    assert hit["properties"]["why"] == {"type": "array", "items": {"type": "string"}}
    assert hit["properties"]["capacity"] == {"anyOf": [{"$ref": "#/components/schemas/Capacity"},
                                                       {"type": "object", "nullable": True, "enum": [None]}]}
    assert doc["components"]["schemas"]["SearchResult"]["properties"]["kind"]["enum"] == [
        "specialist_opinion", "act_team", "equipment", "beds", "text"]


def test_nullable_references_accept_null_and_the_object_only():
    from openapi_schema_validator import OAS30Validator

    doc = create_app(Settings.from_env()).test_client().get("/api/v1/openapi.json").get_json()
    capacity = {**doc["components"]["schemas"]["OfferHit"]["properties"]["capacity"], "components": doc["components"]}
    assert OAS30Validator(capacity).is_valid(None)
    assert not OAS30Validator(capacity).is_valid({"installed": 3})


def test_every_routed_method_is_one_declared_operation_and_back():
    """All /api/v1 operations are declared the same way (web.openapi.Operation): what is routed is documented with
    its method, and nothing is documented that is not routed."""
    from web.openapi import OPERATIONS

    app = create_app(Settings.from_env())
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    routed = {(method.lower(), re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              and rule.rule not in {"/api/v1/openapi.json", "/api/v1/health"}
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, path) for path, operations in doc["paths"].items() for method in operations}
    assert routed == documented == set(OPERATIONS)
    ids = [op["operationId"] for operations in doc["paths"].values() for op in operations.values()]
    assert len(ids) == len(set(ids))
