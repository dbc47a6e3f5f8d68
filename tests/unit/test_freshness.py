"""One capacity read model (search.models.Capacity) and one staleness rule (core.freshness) behind the contributor's
capacity (a graph snapshot) and the orientation hit's capacity (an index document): they agree on every age, the
boundary included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from search.models import Capacity

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(hours=11, minutes=59), timedelta(hours=12),
                                 timedelta(hours=12, seconds=30), timedelta(hours=12, minutes=1),
                                 timedelta(days=3), None])
def test_both_capacity_views_say_the_same_about_freshness(age):
    updated = None if age is None else NOW - age
    contributor = Capacity.read({"updated_at": updated, "installed": 10}, stale_hours=12, now=NOW, place_id="pl-1")
    hit = Capacity.read({"updated_at": None if updated is None else updated.isoformat(), "installed": 10},
                        stale_hours=12, now=NOW, latest=True)
    assert type(hit) is type(contributor)
    for name in ("stale", "age_minutes", "age_hours", "age_text", "updated_at", "installed"):
        assert getattr(hit, name) == getattr(contributor, name)
    assert hit.age_hours == (None if contributor.age_minutes is None else round(contributor.age_minutes / 60, 1))
    assert contributor.stale is (age is None or age >= timedelta(hours=12, minutes=1))


def test_index_queries_use_the_same_boundary():
    """The index filters (orientation's fresh beds, territory picture, indicators) compare with `stale_cutoff`:
    12 h of age is still fresh, 12 h 01 is stale, as for `is_stale`."""
    from core.freshness import is_stale, stale_cutoff

    assert stale_cutoff(12, NOW) == NOW - timedelta(hours=12, minutes=1)
    assert not is_stale(NOW - timedelta(hours=12, seconds=59), 12, NOW)
    assert is_stale(stale_cutoff(12, NOW), 12, NOW)
    assert stale_cutoff(0.5, NOW) == NOW - timedelta(minutes=31)
