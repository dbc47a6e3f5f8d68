"""One staleness rule (core.freshness) behind the contributor's capacity (capacity.service) and the orientation
hit's capacity (search.results): they agree on every age, the boundary included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from capacity.service import to_capacity
from search.results import Context, capacity_of

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(hours=11, minutes=59), timedelta(hours=12),
                                 timedelta(hours=12, seconds=30), timedelta(hours=12, minutes=1),
                                 timedelta(days=3), None])
def test_both_capacity_views_say_the_same_about_freshness(age):
    updated = None if age is None else NOW - age
    contributor = to_capacity("pl-1", {"updated_at": updated, "installed": 10}, stale_hours=12, now=NOW)
    hit = capacity_of({"updated_at": None if updated is None else updated.isoformat(), "installed": 10},
                      Context(now=NOW, stale_hours=12))
    assert hit.stale == contributor.stale
    assert hit.age_hours == (None if contributor.age_minutes is None else round(contributor.age_minutes / 60, 1))
    assert contributor.stale is (age is None or age >= timedelta(hours=12, minutes=1))
