"""Times as people read them: every instant shown on a page is in Europe/Paris and says so; exports keep ISO 8601
with the offset. Accepts what the stores hand back: aware datetimes, Neo4j temporal values, ISO texts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.freshness import native

PARIS = ZoneInfo("Europe/Paris")
ZONE_LABEL = "heure de Paris"


def paris_today(now: datetime | None = None) -> date:
    """The calendar day in France (`now` an aware instant, the current one by default): from 23:00 or 22:00 UTC
    it is already tomorrow for the person filling a form, so a date a form accepts as "today" is this one."""
    return (now or datetime.now(UTC)).astimezone(PARIS).date()


def instant(value: Any) -> datetime | None:
    """An aware datetime from a datetime (naive = UTC, as the stores write), a Neo4j DateTime or an ISO text."""
    if value is None or value == "":
        return None
    value = native(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.split("[", 1)[0].replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return None


def in_paris(value: Any) -> datetime | None:
    found = instant(value)
    return found.astimezone(PARIS) if found is not None else None


MINUTES, SECONDS = "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"


def paris_text(value: Any, fmt: str | bool = MINUTES) -> str:
    """« 24/11/2026 14:05 » in Paris time ("" when unknown): `fmt` a strftime format, or True for seconds; dates
    alone stay dates."""
    fmt = SECONDS if fmt is True else (fmt or MINUTES)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    local = in_paris(value)
    return local.strftime(fmt) if local is not None else ""


def iso_with_offset(value: Any) -> str:
    """ISO 8601 with the Paris offset (« 2026-11-24T14:05:00+01:00 ») for exports ("" when unknown)."""
    local = in_paris(value)
    return local.isoformat(timespec="seconds") if local is not None else ""
