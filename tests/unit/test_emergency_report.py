"""An emergency report is checked field by field (French reasons); thresholds are data and fire the highest rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crisis.checks import FieldErrors
from emergency import thresholds
from emergency.indicators import check_report

NOW = datetime(2026, 1, 15, 13, 0, tzinfo=UTC)
GOOD = {"message_id": "sau-1", "finess": "330781196", "observed_at": "2026-01-15T14:00:00+01:00",
        "arrivals_last_hour": 8, "arrivals_today": 61, "present": 40, "waiting_to_be_seen": 9, "over_4h": 12,
        "boarding": 22, "uhcd_occupied": 9, "uhcd_beds": 10, "age75_share": "23,5", "transfers_out": 2}


def errors_of(payload, **kw):
    with pytest.raises(FieldErrors) as caught:
        check_report(payload, now=NOW, **kw)
    return caught.value.fields


def test_a_good_report():
    report = check_report(GOOD, now=NOW)
    assert report.observed_at == NOW and report.values["age75_share"] == 23.5
    assert report.hour == int(NOW.timestamp() // 3600)
    same = check_report({**GOOD, "message_id": "other"}, now=NOW)
    assert same.fingerprint == report.fingerprint
    assert check_report({**GOOD, "present": 41}, now=NOW).fingerprint != report.fingerprint


def test_each_fault_is_named():
    fields = errors_of({**GOOD, "message_id": "a b", "present": -1, "boarding": "beaucoup", "observed_at": "hier",
                        "age75_share": 140, "colour": "red"})
    assert set(fields) == {"message_id", "present", "boarding", "observed_at", "age75_share", "colour"}
    assert fields["present"] == "Patients présents : ne peut pas être négatif."
    assert fields["colour"] == "Champ inconnu : colour."


def test_consistency_and_time_window():
    assert "ne peut pas dépasser les patients présents (40)" in errors_of({**GOOD, "boarding": 41})["boarding"]
    assert "lits UHCD installés (10)" in errors_of({**GOOD, "uhcd_occupied": 11})["uhcd_occupied"]
    assert errors_of({**GOOD, "observed_at": "2026-01-15T15:00:00+01:00"})["observed_at"].endswith("futur.")
    assert "trop ancienne" in errors_of({**GOOD, "observed_at": "2025-11-01T10:00:00+01:00"})["observed_at"]
    assert set(errors_of({"message_id": "x", "finess": "330781196", "observed_at": GOOD["observed_at"]})) == {
        "arrivals_last_hour", "arrivals_today", "present", "waiting_to_be_seen", "over_4h", "boarding"}


def test_the_url_names_the_site():
    assert check_report({**GOOD, "finess": None}, now=NOW, finess="330781196").finess == "330781196"
    assert "ne correspond pas" in errors_of(GOOD, finess="400000011")["finess"]


def test_highest_rule_fires_with_its_value_in_the_cause():
    fired = thresholds.evaluate({"boarding": 22, "over_4h": 12, "present": 40})
    assert fired.rule.id == "boarding_20" and fired.rule.level == 3 and fired.value == 22
    assert "valeur observée 22, seuil 20" in fired.cause
    assert thresholds.evaluate({"boarding": 3, "over_4h": 2, "present": 20}) is None
    assert thresholds.evaluate({"uhcd_occupied": 11, "uhcd_beds": 10}).rule.id == "uhcd_full"


def test_the_rules_file_is_valid_and_malformed_rules_are_refused():
    data = json.loads(thresholds.RULES_FILE.read_text(encoding="utf-8"))
    assert thresholds.parse_rules(data) == thresholds.rules()
    with pytest.raises(ValueError, match="unknown indicator"):
        thresholds.parse_rules({"rules": [{"id": "x", "indicator": "mood", "above": 1, "level": 2, "label": "?"}]})
    with pytest.raises(ValueError, match="level"):
        thresholds.parse_rules({"rules": [{"id": "x", "indicator": "present", "above": 1, "level": 5,
                                           "label": "?"}]})
