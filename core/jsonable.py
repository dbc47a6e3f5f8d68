"""The one JSON-ready form of the product's values (results, places, write answers): dataclasses as dicts, tuples
as lists, enums as their values, datetimes and dates (Python's or Neo4j's) as ISO 8601; the rest unchanged.

Fast on purpose (field names cached per class): serialising 20 hits is on every API request's path. `dumps` writes
the same JSON text without building the dicts first (orjson reads dataclasses, enums, tuples and dates itself).
"""

from __future__ import annotations

import dataclasses
import decimal
import json
import uuid
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

import orjson


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def jsonable(value: Any) -> Any:
    """Dataclasses → dicts, tuples → lists, enums → values, dates → ISO 8601; the rest unchanged."""
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, Enum):
        return value
    cls = type(value)
    if dataclasses.is_dataclass(cls):
        return {name: jsonable(getattr(value, name)) for name in _field_names(cls)}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "iso_format"):  # neo4j.time values
        return value.iso_format()
    return value


def _default(value: Any) -> Any:
    """What orjson does not read itself, as jsonable and the web's JSON provider write it."""
    if hasattr(value, "iso_format"):  # neo4j.time values
        return value.iso_format()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """The compact UTF-8 JSON text of `jsonable(value)` (insertion order, dates in ISO 8601), written by orjson in
    one pass: dataclasses (fields in order), enums, tuples, dates and datetimes are read natively, so a search
    result is not first copied into dicts (jsonable: ≈ 1,100 calls for 20 hits, docs/benchmarks.md issue 15).
    What orjson refuses (an integer beyond 64 bits…) takes the long way: jsonable, then the standard encoder."""
    try:
        return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(jsonable(value), default=_default, ensure_ascii=False, separators=(",", ":")).encode()
