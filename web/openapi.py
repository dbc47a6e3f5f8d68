"""The OpenAPI 3 document of /api/v1, generated from the endpoint declarations and the result dataclasses.

Nothing here is written twice: parameters come from each endpoint's `Param` declarations (the ones that
parse requests) and response schemas from the typed result dataclasses of `search.models`.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from web.params import Param

API_PREFIX = "/api/v1"
ERROR_STATUSES = {400: "Paramètre invalide (le champ fautif est nommé dans `fields`).",
                  404: "Ressource introuvable.", 503: "Moteur de recherche ou base de données indisponible."}


# Operations that are not declared GET endpoints (JSON bodies, other methods), declared by the module that routes
# them as (method, rule under /api/v1 in OpenAPI form, operation object); `document` lists them too.
OPERATIONS: dict[tuple[str, str], dict] = {}


def declare_operation(method: str, path: str, operation: dict) -> None:
    OPERATIONS[(method.lower(), path)] = operation


# Security schemes (name → OpenAPI scheme object) that declared operations refer to in their `security`.
SECURITY_SCHEMES: dict[str, dict] = {}


def declare_security_scheme(name: str, scheme: dict) -> None:
    SECURITY_SCHEMES[name] = scheme


@dataclass(frozen=True)
class Endpoint:
    """One GET endpoint of the API: its rule, its parameters and its response type, declared once."""

    rule: str  # Flask rule under /api/v1, e.g. "/sites/<finess>"
    operation_id: str
    summary: str
    params: tuple[Param, ...]
    response: Any  # a dataclass, or a JSON schema dict
    tag: str
    description: str = ""
    paginated: bool = False
    errors: tuple[int, ...] = (400, 503)
    uses: tuple[type, ...] = ()  # dataclasses referenced by a hand-built `response` schema
    other_media: tuple[str, ...] = ()  # other 200 content types (e.g. "text/csv"), chosen by a `format` param

    @property
    def openapi_path(self) -> str:
        return API_PREFIX + re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)


# OpenAPI 3.0.3: `nullable` only applies next to a `type`, so a nullable $ref is "the ref, or null".
NULL_ONLY = {"type": "object", "nullable": True, "enum": [None]}
LINKS_SCHEMA = {
    "type": "object",
    "description": "Liens de pagination stables (mêmes critères, page suivante).",
    "properties": {"self": {"type": "string"}, "next": {"type": "string", "nullable": True}},
    "required": ["self", "next"],
}


def error_schema() -> dict:
    return {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["status", "code", "message", "fields"], "additionalProperties": False,
            "properties": {
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "code": {"type": "string"},
                "message": {"type": "string", "description": "Message en français, affichable."},
                "fields": {"type": "object", "additionalProperties": {},
                           "description": ("Paramètre fautif → raison (texte), ou détails utiles "
                                           "(suggestions, communes candidates).")},
            },
        }},
    }


class SchemaBuilder:
    """JSON schemas (OpenAPI 3.0 dialect) of dataclasses, collected as named components."""

    def __init__(self) -> None:
        self.components: dict[str, dict] = {}

    def ref(self, cls: type) -> dict:
        name = cls.__name__
        if name not in self.components:
            self.components[name] = {}  # placeholder against recursion
            hints = typing.get_type_hints(cls)
            props, required = {}, []
            for f in dataclasses.fields(cls):
                props[f.name] = self.schema(hints[f.name])
                required.append(f.name)
            doc = (cls.__doc__ or "").strip()
            component: dict[str, Any] = {"type": "object", "properties": props, "required": required}
            if doc and not doc.startswith(f"{name}("):
                component["description"] = doc.splitlines()[0]
            self.components[name] = component
        return {"$ref": f"#/components/schemas/{name}"}

    def schema(self, tp: Any) -> dict:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (typing.Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            inner = self.schema(rest[0]) if len(rest) == 1 else {"anyOf": [self.schema(a) for a in rest]}
            if type(None) in args:
                return {"anyOf": [inner, NULL_ONLY]} if "$ref" in inner else {**inner, "nullable": True}
            return inner
        if origin in (tuple, list):
            item = args[0] if args else Any
            if origin is list or (len(args) == 2 and args[1] is Ellipsis):
                return {"type": "array", "items": self.schema(item)}
            return {"type": "array", "items": {}}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.schema(args[1]) if args else {}}
        if tp is Any:
            return {}
        if isinstance(tp, type):
            if dataclasses.is_dataclass(tp):
                return self.ref(tp)
            if issubclass(tp, Enum):
                return {"type": "string", "enum": [m.value for m in tp]}
            if issubclass(tp, bool):
                return {"type": "boolean"}
            if issubclass(tp, int):
                return {"type": "integer"}
            if issubclass(tp, float):
                return {"type": "number"}
            if issubclass(tp, str):
                return {"type": "string"}
            if issubclass(tp, datetime):
                return {"type": "string", "format": "date-time"}
            if issubclass(tp, date):
                return {"type": "string", "format": "date"}
        raise TypeError(f"no JSON schema for {tp!r}")


def document(endpoints: list[Endpoint], *, version: str, server_url: str = "/") -> dict:
    """The whole OpenAPI 3.0.3 document for `endpoints`."""
    builder = SchemaBuilder()
    paths: dict[str, dict] = {}
    for ep in endpoints:
        for cls in ep.uses:
            builder.ref(cls)
        paths.setdefault(ep.openapi_path, {})["get"] = _operation(ep, builder)
    for (method, path), operation in OPERATIONS.items():
        paths.setdefault(API_PREFIX + path, {})[method] = operation
    schemas = dict(sorted(builder.components.items()))
    schemas["Error"] = error_schema()
    schemas["Links"] = LINKS_SCHEMA
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "ROR graphe — API d'orientation dans l'offre de soins",
            "version": version,
            "description": ("Orientation des patients dans l'offre de soins (graphe Neo4j + index OpenSearch). "
                            "Les unités, professionnels, équipements et capacités sont des données synthétiques."),
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": schemas,
                       **({"securitySchemes": dict(SECURITY_SCHEMES)} if SECURITY_SCHEMES else {})},
        "tags": sorted(({"name": t} for t in {ep.tag for ep in endpoints}), key=lambda t: t["name"]),
    }


def _operation(ep: Endpoint, builder: SchemaBuilder) -> dict:
    if isinstance(ep.response, dict):
        body = ep.response
    else:
        body = builder.schema(ep.response)
    if ep.paginated:
        body = {"allOf": [body, {"type": "object", "required": ["links"],
                                 "properties": {"links": {"$ref": "#/components/schemas/Links"}}}]}
    responses: dict[str, Any] = {
        "200": {"description": "Succès.", "content": {"application/json": {"schema": body}}},
    }
    for media in ep.other_media:
        responses["200"]["content"][media] = {"schema": {"type": "object" if "json" in media else "string"}}
    for status in sorted(set(ep.errors) | {400, 503}):
        responses[str(status)] = {
            "description": ERROR_STATUSES.get(status, "Erreur."),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    op = {
        "operationId": ep.operation_id, "summary": ep.summary, "tags": [ep.tag],
        "parameters": [p.openapi() for p in ep.params], "responses": responses,
    }
    if ep.description:
        op["description"] = ep.description
    return op
