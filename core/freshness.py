"""Age of the last capacity entry and its stale flag (one rule, used by every view): `Freshness.of` for a value,
`stale_cutoff` for index and table filters, `age_text` for people."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


def native(value: Any) -> datetime | None:
    """A driver temporal as Python's. Rows read through `graph.Graph` are converted already (graph.driver.plain);
    this is for the records a write transaction reads itself and the raw rows of `Graph.stream(plain_values=False)`."""
    if value is None:
        return None
    return value.to_native() if hasattr(value, "to_native") else value


def instant(value: Any) -> datetime | None:
    """A moment as a datetime: Python's or the driver's, or ISO 8601 text (an index document; "Z" accepted);
    None when missing or unreadable."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return native(value)


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


def stale_cutoff(stale_hours: float, now: datetime | None = None) -> datetime:
    """An entry made at or before this moment is stale: more than `stale_hours` in whole minutes of age (12 h:
    stale from 12 h 01). Index queries filter on it (`lte`: stale, `gt`: fresh), so they agree with `is_stale`."""
    return (now or datetime.now(UTC)) - timedelta(minutes=math.floor(stale_hours * 60) + 1)


def is_stale(updated_at: datetime | None, stale_hours: float, now: datetime | None = None) -> bool:
    """No entry at all counts as stale: an unknown capacity must not look fresh."""
    return updated_at is None or updated_at <= stale_cutoff(stale_hours, now)


def age_text(minutes: int | None) -> str:
    """« il y a 5 min », « il y a 3 h 10 », « il y a 2 j », or « jamais saisie »."""
    if minutes is None:
        return "jamais saisie"
    if minutes < 60:
        return f"il y a {minutes} min"
    if minutes < 48 * 60:
        return f"il y a {minutes // 60} h {minutes % 60:02d}"
    return f"il y a {minutes // 1440} j"


@dataclass(frozen=True, kw_only=True)
class Freshness:
    """How old an entry is and whether it is stale, every way a view shows it."""

    age_minutes: int | None
    age_hours: float | None  # one decimal
    age_text: str
    stale: bool

    @classmethod
    def of(cls, updated_at: datetime | None, stale_hours: float, now: datetime | None = None) -> Freshness:
        """A moment without an offset is not a date: it reads as unknown (and stale)."""
        known = updated_at if updated_at is not None and updated_at.tzinfo is not None else None
        now = now or datetime.now(UTC)
        minutes = age_minutes(known, now)
        return cls(age_minutes=minutes, age_hours=None if minutes is None else round(minutes / 60, 1),
                   age_text=age_text(minutes), stale=is_stale(known, stale_hours, now))
