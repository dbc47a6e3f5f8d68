"""Parsing of FHIR search values: tokens, strings, dates with prefixes and precision, numbers, near, refs."""

from __future__ import annotations

import pytest

from fhir_api import params
from fhir_api.params import InvalidParam


def test_comma_is_or_and_backslash_escapes_it():
    assert params.split_values("a,b\\,c") == ["a", "b,c"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("227", {"system": None, "code": "227"}),
    ("http://s|227", {"system": "http://s", "code": "227"}),
    ("|227", {"system": "", "code": "227"}),
    ("http://s|", {"system": "http://s", "code": None}),
])
def test_token(raw, expected):
    assert params.token(raw) == expected


@pytest.mark.parametrize(("raw", "lo", "hi", "negate"), [
    ("2025", "2025-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", False),
    ("2025-12", "2025-12-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", False),
    ("ge2025-03-01", "2025-03-01T00:00:00+00:00", None, False),
    ("gt2025-03-01", "2025-03-02T00:00:00+00:00", None, False),
    ("lt2025-03-01", None, "2025-03-01T00:00:00+00:00", False),
    ("le2025-03-01", None, "2025-03-02T00:00:00+00:00", False),
    ("ne2025-03-01", "2025-03-01T00:00:00+00:00", "2025-03-02T00:00:00+00:00", True),
    ("eq2025-03-01T10:00:00+02:00", "2025-03-01T10:00:00+02:00", "2025-03-01T10:00:01+02:00", False),
    ("sa2025-03-01T10:00Z", "2025-03-01T10:01:00+00:00", None, False),
])
def test_date_prefixes_cover_the_precision_interval(raw, lo, hi, negate):
    assert params.date_condition(raw, "_lastUpdated") == {"negate": negate, "lo": lo, "hi": hi}


@pytest.mark.parametrize("raw", ["yesterday", "2025-13-01", "2025-02-30", "ap2025", "2025-1-1"])
def test_invalid_dates_are_refused_in_french(raw):
    with pytest.raises(InvalidParam, match="invalide|préfixe"):
        params.date_condition(raw, "_lastUpdated")


def test_numbers_with_their_prefix_and_minimum():
    assert params.number_condition("gt0", "n") == {"negate": False, "lo": 0.0, "lo_incl": False, "hi": None,
                                                     "hi_incl": False}
    assert params.number_condition("le18", "n")["hi_incl"] is True
    for raw in ("gt-5", "geinf", "nan"):
        with pytest.raises(InvalidParam, match=raw):
            params.number_condition(raw, "nb-capacity", 0)


def test_near_units_and_default_distance():
    assert params.near("46.2|5.2|10|km")["meters"] == 10_000
    assert params.near("46.2|5.2|500|m")["meters"] == pytest.approx(500)
    assert params.near("46.2|5.2", default_km=30)["meters"] == 30_000
    for bad in ("46.2", "a|b|1", "91|0|1", "46|5|0", "46|5|1|furlong"):
        with pytest.raises(InvalidParam):
            params.near(bad)


def test_references():
    assert params.reference_id("Location/PL-1", "Location", "location") == "PL-1"
    assert params.reference_id("http://host/fhir/Location/PL-1", "Location", "location") == "PL-1"
    assert params.reference_id("PL-1", "Location", "location") == "PL-1"
    with pytest.raises(InvalidParam):
        params.reference_id("Organization/x", "Location", "location")


def test_count_limits():
    assert params.positive_int(None, "_count", 20, 1000) == 20
    assert params.positive_int("5000", "_count", 20, 1000) == 1000
    with pytest.raises(InvalidParam):
        params.positive_int("-1", "_count", 20, 1000)
