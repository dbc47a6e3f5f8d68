"""A site's emergency status: the latest values, the threshold fired and since when, and hourly series of the last
days kept on the status itself (one node read per site draws its 24 h and 7 d charts). Pure: unit-tested.

Each hour keeps the values of the latest observation made in it, whatever the order reports arrive in."""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from zoneinfo import ZoneInfo

from core.freshness import native
from emergency.indicators import LABELS, SERIES, Report

PARIS = ZoneInfo("Europe/Paris")
WINDOW_HOURS = 8 * 24  # hours kept in the series (7 days charted, one spare day)


def paris(value: datetime) -> datetime:
    return value.astimezone(PARIS)


def hour_of(moment: datetime) -> int:
    return int(moment.timestamp() // 3600)


def fold(status: dict, report: Report, *, now: datetime) -> dict:
    """The series properties of `status` once `report` is folded in ({} when it changes none: older than the
    window, or older than what its hour already holds)."""
    floor = hour_of(now) - WINDOW_HOURS
    hour = report.hour
    if hour < floor:
        return {}
    hours = list(status.get("hours") or [])
    seen = list(status.get("hour_seen") or [])
    values = {k: list(status.get(f"s_{k}") or []) for k in SERIES}
    stamp = int(report.observed_at.timestamp())
    at = bisect_left(hours, hour)
    if at < len(hours) and hours[at] == hour:
        if stamp < seen[at]:
            return {}
        seen[at] = stamp
        for k in SERIES:
            values[k][at] = report.values[k]
    else:
        hours.insert(at, hour)
        seen.insert(at, stamp)
        for k in SERIES:
            values[k].insert(at, report.values[k])
    drop = bisect_left(hours, floor)
    return {"hours": hours[drop:], "hour_seen": seen[drop:], **{f"s_{k}": v[drop:] for k, v in values.items()}}


def latest_fields(report: Report, status: dict, source: str) -> dict:
    """The status properties of a report that becomes the site's latest."""
    return {"observed_at": report.observed_at, "message_id": report.message_id, "source": source,
            "synthetic": source == "synthetic", **{k: report.values.get(k) for k in LABELS}}


def alert_fields(status: dict, fired, observed_at: datetime) -> dict:
    """Which rule fires now and since when the site has been over a threshold (or under all of them)."""
    was_firing = status.get("fired_rule") is not None
    if fired is not None:
        since = native(status.get("alert_since")) if was_firing else None
        return {"fired_rule": fired.rule.id, "fired_level": fired.rule.level, "fired_label": fired.rule.label,
                "fired_value": float(fired.value), "alert_since": since or observed_at, "calm_since": None}
    calm = None if was_firing else native(status.get("calm_since"))
    return {"fired_rule": None, "fired_level": None, "fired_label": None, "fired_value": None, "alert_since": None,
            "calm_since": calm or observed_at}


def window(status: dict, indicator: str, *, hours: int, now: datetime) -> list[int | None]:
    """The hourly values of `indicator` over the `hours` hours ending with the current one (None: no report)."""
    first = hour_of(now) - hours + 1
    out: list[int | None] = [None] * hours
    for hour, value in zip(status.get("hours") or (), status.get(f"s_{indicator}") or (), strict=False):
        if first <= hour < first + hours:
            out[hour - first] = value
    return out
