"""A site's hourly series keep, for each hour, the latest observation made in it, whatever the arrival order; the
sparkline geometry breaks the line where an hour has no report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emergency import series
from emergency.indicators import check_report
from web.sparkline import sparkline

NOW = datetime(2026, 1, 15, 12, 30, tzinfo=UTC)
BASE = {"arrivals_last_hour": 5, "arrivals_today": 40, "waiting_to_be_seen": 2, "over_4h": 1, "boarding": 1}


def report(minutes_ago: int, present: int, message_id: str):
    at = NOW - timedelta(minutes=minutes_ago)
    return check_report({"message_id": message_id, "finess": "010000033", "observed_at": at.isoformat(),
                         "present": present, **BASE}, now=NOW)


def fold_all(reports):
    status: dict = {}
    for r in reports:
        status.update(series.fold(status, r, now=NOW))
    return status


def test_each_hour_keeps_its_latest_observation_in_any_arrival_order():
    reports = [report(5, 30, "a"), report(20, 25, "b"), report(70, 18, "c"), report(65, 19, "d")]
    in_order = fold_all(sorted(reports, key=lambda r: r.observed_at))
    shuffled = fold_all([reports[1], reports[0], reports[3], reports[2]])
    assert in_order == shuffled
    assert series.window(in_order, "present", hours=3, now=NOW) == [None, 19, 30]


def test_reports_older_than_the_window_change_nothing_and_old_hours_are_dropped():
    status = fold_all([report(60 * 24 * 9, 10, "old")])
    assert status == {}
    status = fold_all([report(60 * 24 * 7, 10, "week"), report(0, 12, "now")])
    later = NOW + timedelta(days=2)
    status.update(series.fold(status, report(0, 13, "again"), now=later))
    assert len(status["hours"]) == 1  # the week-old hour fell out of the 8-day window


def test_alert_since_is_kept_while_a_rule_keeps_firing():
    first, second = NOW - timedelta(minutes=20), NOW
    fired = type("F", (), {"rule": type("R", (), {"id": "r", "level": 2, "label": "x"})(), "value": 11})()
    started = series.alert_fields({}, fired, first)
    still = series.alert_fields({**started}, fired, second)
    assert started["alert_since"] == still["alert_since"] == first
    calm = series.alert_fields({**still}, None, second)
    assert calm["alert_since"] is None and calm["calm_since"] == second


def test_sparkline_geometry_breaks_on_missing_hours():
    chart = sparkline([1, 2, None, 4, 5], label="Présents", width=40, height=20, threshold=3)
    assert len(chart.segments) == 2 and chart.maximum == 5
    assert chart.last == (40.0, 2.0) and chart.threshold_y is not None
    assert chart.label == "Présents : de 1 à 5, dernière valeur 5"
    assert sparkline([None, None], label="Présents").segments == ()
