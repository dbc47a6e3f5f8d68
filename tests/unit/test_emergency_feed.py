"""The synthetic emergency feed is deterministic with its seed, follows daily and weekly profiles, and every
message it makes passes the checks of a real report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emergency import feed
from emergency.indicators import check_report
from emergency.thresholds import evaluate

MONDAY = datetime(2026, 1, 12, tzinfo=UTC)
SITES = [feed.FeedSite(f"33{n:07d}", paediatric=n % 7 == 0) for n in range(60)]


def test_same_seed_same_messages_other_seed_other_messages():
    at = MONDAY + timedelta(hours=14, minutes=5)
    first = [feed.message(7, s, at) for s in SITES]
    feed.hourly_arrivals.cache_clear()
    assert [feed.message(7, s, at) for s in SITES] == first
    assert [feed.message(8, s, at) for s in SITES] != first
    assert first[0]["message_id"] == f"syn-7-{SITES[0].finess}-20260112T1405"


def test_daily_profile_busier_at_noon_than_at_dawn_and_weekly_profile_busier_on_monday():
    def arrivals(day: int, hour: int) -> int:
        start = int((MONDAY + timedelta(days=day)).timestamp() // 3600) + hour - 1  # Paris = UTC+1 in January
        return sum(feed.hourly_arrivals(3, s, start + w * 168) for s in SITES for w in range(4))

    assert arrivals(0, 11) > 2.5 * arrivals(0, 4)
    monday = sum(arrivals(0, h) for h in range(24))
    saturday = sum(arrivals(5, h) for h in range(24))
    assert monday > saturday


def test_every_message_of_a_week_is_a_valid_report_and_some_fire_a_threshold():
    fired = 0
    for site in SITES[:20]:
        for at in feed.slots(MONDAY, MONDAY + timedelta(days=7), timedelta(hours=2)):
            report = check_report(feed.message(11, site, at), now=at + timedelta(minutes=1))
            assert report.values["present"] >= report.values["boarding"]
            fired += evaluate(report.values) is not None
    assert 0 < fired < 20 * 84 / 4  # saturation happens, but not most of the time


def test_slots_are_aligned():
    got = feed.slots(datetime(2026, 1, 1, 10, 7, tzinfo=UTC), datetime(2026, 1, 1, 10, 21, tzinfo=UTC),
                     timedelta(minutes=5))
    assert [t.minute for t in got] == [5, 10, 15, 20]
