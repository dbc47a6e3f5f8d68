"""Request parameters declared once as data: the same declaration parses requests and documents them.

A `Param` knows its name, type, bounds and French description. `parse(params, source)` turns a request's
raw values into typed Python values or raises one `BadRequest` naming every faulty field;
`Param.openapi()` emits the OpenAPI 3 parameter object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.errors import BadRequest
from core.scalars import to_bool, to_float, to_int

TYPES = {"string", "integer", "number", "boolean", "array"}


@dataclass(frozen=True)
class Param:
    """One query or path parameter: its parsing rules and its documentation are the same object."""

    name: str
    type: str
    description: str
    required: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    max_length: int = 200
    location: str = "query"
    example: Any = None
    examples: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown parameter type {self.type!r}")

    def openapi(self) -> dict:
        """The OpenAPI 3 parameter object for this declaration."""
        out: dict[str, Any] = {
            "name": self.name, "in": self.location, "description": self.description,
            "required": self.required or self.location == "path", "schema": self.schema(),
        }
        if self.type == "array":
            out.update(style="form", explode=True)
        if self.example is not None:
            out["example"] = self.example
        return out

    def schema(self) -> dict:
        item: dict[str, Any] = {"type": "string" if self.type == "array" else self.type}
        if self.enum:
            item["enum"] = list(self.enum)
        if self.minimum is not None:
            item["minimum"] = self.minimum
        if self.maximum is not None:
            item["maximum"] = self.maximum
        if self.type in {"string", "array"}:
            item["maxLength"] = self.max_length
            if self.pattern:
                item["pattern"] = f"^(?:{self.pattern})$"  # the whole value must match, as when parsing
            elif not self.enum and self.required:
                item["minLength"] = 1
        if self.type == "array":
            return {"type": "array", "items": item, "maxItems": 20}
        if self.default is not None:
            item["default"] = self.default
        return item

    def convert(self, raw: str | list[str]) -> Any:
        """Typed value of one raw value, or ValueError with a French reason."""
        if self.type == "array":
            values = [part.strip() for chunk in raw for part in chunk.split(",") if part.strip()]
            if len(values) > 20:
                raise ValueError("au plus 20 valeurs")
            for value in values:
                self._check_text(value)
            return tuple(values)
        if self.type == "boolean":
            if not raw.strip():
                return False  # an empty boolean (`?open_now=`, an unticked form box) means no
            try:
                return to_bool(raw)
            except ValueError:
                raise ValueError("doit valoir true ou false") from None
        if self.type == "integer":
            value = _number(raw, to_int, "doit être un nombre entier")
        elif self.type == "number":
            value = _number(raw, to_float, "doit être un nombre")
        else:
            value = raw.strip()
            self._check_text(value)
            return value
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"doit être supérieur ou égal à {_fmt(self.minimum)}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"doit être inférieur ou égal à {_fmt(self.maximum)}")
        return value

    def _check_text(self, value: str) -> None:
        if len(value) > self.max_length:
            raise ValueError(f"trop long (au plus {self.max_length} caractères)")
        if self.enum and value not in self.enum:
            raise ValueError("valeur inconnue, attendu : " + ", ".join(self.enum))
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ValueError("format invalide")
        if any(ord(ch) < 32 for ch in value):
            raise ValueError("caractères de contrôle interdits")


def _number(raw: str, kind: Callable[[str], Any], reason: str):
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(reason) from None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def parse(params: Sequence[Param], args: Mapping[str, Any], path_values: Mapping[str, str] | None = None) -> dict:
    """Typed values for `params` from request args (a werkzeug MultiDict or a dict) and path values.

    Raises one BadRequest whose `fields` maps every faulty parameter name to a French reason.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for param in params:
        raw = _raw(param, args, path_values or {})
        if raw is None or (param.type != "array" and param.type != "boolean" and raw.strip() == ""):
            if param.required or param.location == "path":
                errors[param.name] = "paramètre obligatoire"
            values[param.name] = param.default if param.type != "array" else tuple(param.default or ())
            continue
        try:
            values[param.name] = param.convert(raw)
        except ValueError as exc:
            errors[param.name] = str(exc)
    if errors:
        names = ", ".join(sorted(errors))
        raise BadRequest(f"Paramètre invalide : {names}.", fields=errors)
    return values


def _raw(param: Param, args: Mapping[str, Any], path_values: Mapping[str, str]):
    if param.location == "path":
        return path_values.get(param.name)
    getlist = getattr(args, "getlist", None)
    if param.type == "array":
        raw = getlist(param.name) if getlist else args.get(param.name)
        if raw is None or raw == []:
            return None
        return [raw] if isinstance(raw, str) else list(raw)
    if getlist:
        items = getlist(param.name)
        if len(items) > 1:
            raise BadRequest(f"Paramètre répété : {param.name}.", fields={param.name: "ne doit apparaître qu'une fois"})
        return items[0] if items else None
    return args.get(param.name)
