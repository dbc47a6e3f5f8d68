"""The JSON-ready form of the product's dataclasses (results, places): nested dataclasses as dicts, tuples as lists,
datetimes and dates as ISO 8601, enums as their values."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any


def to_dict(value: Any) -> Any:
    """JSON-ready form of any result dataclass (datetimes as ISO 8601, enums as values)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    if isinstance(value, dict):
        return {k: to_dict(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
