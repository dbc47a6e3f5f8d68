"""Capacity entries are checked before anything is written; each error names its field in French."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from capacity.validation import CapacityErrors, validate
from core.freshness import age_text, is_stale

TODAY = date(2026, 1, 15)


def errors_of(payload, installed=12):
    with pytest.raises(CapacityErrors) as caught:
        validate(payload, installed_beds=installed, today=TODAY)
    return caught.value.fields


def test_a_valid_entry_gets_totals_and_defaults():
    entry = validate({"available_men": 2, "available_women": "3", "forecast_d": 4, "forecast_d1": 6,
                      "crisis_type": "canicule", "note": "  Deux lits en travaux  "},
                     installed_beds=12, today=TODAY)
    assert entry.available_total == 5 and entry.available_undifferentiated == 0
    assert entry.installed == 12 and entry.forecast_date == TODAY and entry.note == "Deux lits en travaux"


def test_negative_and_non_integer_counts_are_refused():
    fields = errors_of({"available_men": -1, "available_women": 1.5, "extra_beds": True})
    assert fields["available_men"] == "Lits disponibles (hommes) : ne peut pas être négatif."
    assert fields["available_women"] == "Lits disponibles (femmes) : doit être un nombre entier."
    assert "extra_beds" in fields


def test_available_beds_cannot_exceed_installed_beds():
    fields = errors_of({"available_women": 13})
    assert fields == {"available_women": "Lits disponibles (femmes) : ne peut pas dépasser les lits installés (12)."}
    total = errors_of({"available_women": 7, "available_men": 7})
    assert "Total des lits disponibles (14)" in total["available_total"]


def test_extra_beds_raise_the_ceiling():
    entry = validate({"available_women": 14, "extra_beds": 2}, installed_beds=12, today=TODAY)
    assert entry.available_total == 14
    assert "plus les lits supplémentaires (2)" in errors_of({"available_women": 15, "extra_beds": 2})[
        "available_women"]


def test_forecasts_and_closed_beds_are_bounded():
    fields = errors_of({"forecast_d": 20, "closed_reopenable": 13})
    assert set(fields) == {"forecast_d", "closed_reopenable"}


def test_forecast_date_must_be_today_or_tomorrow():
    assert validate({"forecast_date": "2026-01-16"}, installed_beds=1, today=TODAY).forecast_date == date(2026, 1, 16)
    assert "doit être aujourd'hui (15/01/2026) ou demain" in errors_of({"forecast_date": "2026-01-10"})["forecast_date"]
    assert "AAAA-MM-JJ" in errors_of({"forecast_date": "15/01/2026"})["forecast_date"]


def test_installed_beds_must_be_known():
    assert "Lits installés : à renseigner" in errors_of({"available_men": 1}, installed=None)["installed"]
    assert validate({"installed": 4, "available_men": 4}, installed_beds=None, today=TODAY).installed == 4


def test_unknown_fields_crisis_and_note_are_checked():
    fields = errors_of({"availble_men": 1, "crisis_type": "tempête", "note": "x" * 501})
    assert set(fields) == {"availble_men", "crisis_type", "note"}
    with pytest.raises(CapacityErrors):
        validate([1, 2], installed_beds=1, today=TODAY)


def test_freshness_flags_old_and_missing_entries():
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert not is_stale(now - timedelta(hours=11), 12, now)
    assert is_stale(now - timedelta(hours=13), 12, now)
    assert is_stale(None, 12, now)
    assert age_text(5) == "il y a 5 min" and age_text(190) == "il y a 3 h 10" and age_text(None) == "jamais saisie"
