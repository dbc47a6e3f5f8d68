"""The one JSON-ready form of the product's values (results, places, write answers): dataclasses as dicts, tuples
as lists, enums as their values, datetimes and dates (Python's or Neo4j's) as ISO 8601; the rest unchanged.

Fast on purpose (field names cached per class): serialising 20 hits is on every API request's path.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any


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
