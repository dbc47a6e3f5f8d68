"""Age of the last capacity entry and its stale flag (one rule, used by every view)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def native(value: Any) -> datetime | None:
    """A driver temporal as Python's. Rows read through `graph.Graph` are converted already (graph.driver.plain);
    this is for the records a write transaction reads itself and the raw rows of `Graph.stream(plain_values=False)`."""
    if value is None:
        return None
    return value.to_native() if hasattr(value, "to_native") else value


def moment(row: dict, name: str) -> datetime | None:
    """`row[name]` as a datetime, or `row["<name without _at/_since>_ms"]` (epoch milliseconds) when a read
    returned that instead: the driver's DateTime values cost more to decode than the rest of a large answer."""
    millis = row.get(name.removesuffix("_at").removesuffix("_since") + "_ms")
    if millis is not None:
        return datetime.fromtimestamp(millis / 1000, UTC)
    return native(row.get(name))


def age_minutes(updated_at: datetime | None, now: datetime | None = None) -> int | None:
    if updated_at is None:
        return None
    now = now or datetime.now(UTC)
    return max(0, int((now - updated_at).total_seconds() // 60))


def is_stale(updated_at: datetime | None, stale_hours: float, now: datetime | None = None) -> bool:
    """No entry at all counts as stale: an unknown capacity must not look fresh."""
    minutes = age_minutes(updated_at, now)
    return minutes is None or minutes > stale_hours * 60


def age_text(minutes: int | None) -> str:
    """« il y a 5 min », « il y a 3 h 10 », « il y a 2 j », or « jamais saisie »."""
    if minutes is None:
        return "jamais saisie"
    if minutes < 60:
        return f"il y a {minutes} min"
    if minutes < 48 * 60:
        return f"il y a {minutes // 60} h {minutes % 60:02d}"
    return f"il y a {minutes // 1440} j"
