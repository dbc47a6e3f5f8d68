"""The OpenAPI 3 document of /api/v1, generated from the operation declarations and the result dataclasses.

Every operation of the API, whatever its method, is one `Operation` (declared with `declare`): nothing is written
twice. Parameters are `Param` declarations (the ones that parse requests), response schemas come from the typed
result dataclasses of `search.models` or from a schema given with the operation.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from web.params import Param

API_PREFIX = "/api/v1"
# What each error status means, for every operation (an operation may say more for one status: `error_text`).
ERROR_TEXT = {400: "Paramètre ou saisie invalide : chaque champ fautif est nommé dans `fields`.",
              401: "Authentification requise (session ou jeton Bearer) ou jeton invalide.",
              403: "Rôle ou périmètre (établissement, région) insuffisant, ou jeton CSRF absent.",
              404: "Ressource introuvable.",
              409: "Conflit : l'objet a changé entre-temps ou le passage est impossible.",
              429: "Trop de tentatives de connexion.",
              503: "Base de données ou moteur de recherche indisponible."}

# Security schemes (name → OpenAPI scheme object) that declared operations refer to in their `security`.
SECURITY_SCHEMES: dict[str, dict] = {}


def declare_security_scheme(name: str, scheme: dict) -> None:
    SECURITY_SCHEMES[name] = scheme


@dataclass(frozen=True)
class Operation:
    """One operation of /api/v1, declared once as data: method, rule, parameters (the `Param`s that parse the
    request), JSON body, success response and error statuses. The OpenAPI document is generated from these."""

    rule: str  # Flask rule under /api/v1, e.g. "/sites/<finess>"
    operation_id: str
    summary: str
    tag: str
    method: str = "get"
    params: tuple[Param, ...] = ()  # query and path parameters
    body: dict | None = None  # JSON schema of the request body (see `json_object`)
    body_required: bool = True
    response: Any = None  # a dataclass, or a JSON schema dict; None: no body (e.g. 204)
    ok: int = 200
    ok_text: str = "Succès."
    media: str = "application/json"
    other_media: tuple[str, ...] = ()  # other 200 content types (e.g. "text/csv"), chosen by a `format` param
    errors: tuple[int, ...] = (400, 503)
    error_text: Mapping[int, str] = field(default_factory=dict)  # what an error status means here, if more precise
    security: tuple[dict, ...] | None = None  # None: not stated (public); (): explicitly none
    description: str = ""
    paginated: bool = False
    uses: tuple[type, ...] = ()  # dataclasses referenced by a hand-built `response` schema

    @property
    def openapi_path(self) -> str:
        return API_PREFIX + re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)


# Every declared operation, by (method, OpenAPI path), in declaration order.
OPERATIONS: dict[tuple[str, str], Operation] = {}


def declare(op: Operation) -> Operation:
    """Add `op` to the OpenAPI document (once: a second declaration of one method and path is a mistake)."""
    key = (op.method, op.openapi_path)
    if key in OPERATIONS and OPERATIONS[key] != op:
        raise ValueError(f"{op.method.upper()} {op.openapi_path} is declared twice")
    OPERATIONS[key] = op
    return op


def json_object(properties: Mapping[str, dict], required: Sequence[str] = ()) -> dict:
    """The schema of a JSON object body: its properties and the names it requires."""
    return {"type": "object", "properties": dict(properties), **({"required": list(required)} if required else {})}


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


def document(*, version: str, server_url: str = "/") -> dict:
    """The whole OpenAPI 3.0.3 document of the declared operations."""
    builder = SchemaBuilder()
    paths: dict[str, dict] = {}
    for op in OPERATIONS.values():
        for cls in op.uses:
            builder.ref(cls)
        paths.setdefault(op.openapi_path, {})[op.method] = _operation(op, builder)
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
        "tags": sorted(({"name": t} for t in {op.tag for op in OPERATIONS.values()}), key=lambda t: t["name"]),
    }


ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _operation(op: Operation, builder: SchemaBuilder) -> dict:
    ok: dict[str, Any] = {"description": op.ok_text}
    if op.response is not None:
        body = op.response if isinstance(op.response, dict) else builder.schema(op.response)
        if op.paginated:
            body = {"allOf": [body, {"type": "object", "required": ["links"],
                                     "properties": {"links": {"$ref": "#/components/schemas/Links"}}}]}
        ok["content"] = {op.media: {"schema": body}}
        for media in op.other_media:
            ok["content"][media] = {"schema": {"type": "object" if "json" in media else "string"}}
    responses: dict[str, Any] = {str(op.ok): ok}
    for status in sorted(set(op.errors)):
        responses[str(status)] = {"description": op.error_text.get(status) or ERROR_TEXT.get(status, "Erreur."),
                                  "content": ERROR_CONTENT}
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    if op.security is not None:
        out["security"] = list(op.security)
    if op.params:
        out["parameters"] = [p.openapi() for p in op.params]
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required, "content": {"application/json": {"schema": op.body}}}
    out["responses"] = responses
    if op.description:
        out["description"] = op.description
    return out
