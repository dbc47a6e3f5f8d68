"""Plan blanc and crisis resources declarations are checked field by field, with French reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crisis import checks
from crisis.checks import FieldErrors
from crisis.declarations import RESOURCE_FIELDS, bed_totals, check_plan, check_resources

NOW = datetime(2026, 1, 15, 1, 0, tzinfo=UTC)


def plan_errors(payload):
    with pytest.raises(FieldErrors) as caught:
        check_plan(payload, now=NOW)
    return caught.value.fields


def test_trigger_and_lift():
    plan = check_plan({"active": True, "level": "2", "note": " afflux "}, now=NOW)
    assert plan.active and plan.level == 2 and plan.since == NOW and plan.note == "afflux"
    earlier = check_plan({"active": "oui", "level": 1, "since": "2026-01-15T01:30:00+01:00"}, now=NOW)
    assert earlier.since == NOW - timedelta(minutes=30)
    lifted = check_plan({"active": False}, now=NOW)
    assert not lifted.active and lifted.level is None and lifted.since is None


@pytest.mark.parametrize("word", ["oui", "Vrai", "on", "1", "yes", "déclenché", " declenche "])
def test_the_plan_reads_the_products_yes_words_and_its_own(word):
    assert check_plan({"active": word, "level": 1}, now=NOW).active is True


@pytest.mark.parametrize("word", ["non", "FAUX", "off", "0", "no", "levé", "leve"])
def test_the_plan_reads_the_products_no_words_and_its_own(word):
    assert check_plan({"active": word}, now=NOW).active is False


def test_plan_faults():
    assert plan_errors({"active": True}) == {"level": "Niveau : à renseigner."}
    assert set(plan_errors({"active": "peut-être", "level": 7})) == {"active", "level"}
    assert plan_errors({"active": False, "level": 2})["level"].startswith("Niveau : sans objet")
    assert "futur" in plan_errors({"active": True, "level": 2, "since": "2026-01-16T10:00:00+01:00"})["since"]


def test_resources():
    declared = check_resources({"beds_24h_medecine": 40, "beds_48h_medecine": "55", "ventilators": 12})
    assert declared["ventilators"] == 12 and declared["ecmo"] is None
    assert bed_totals(declared) == {"24h": 40, "48h": 55}
    assert len(RESOURCE_FIELDS) == 2 * 9 + 5 + 6


def test_resources_faults():
    with pytest.raises(FieldErrors) as caught:
        check_resources({"ventilators": -2, "ecmo": 1.5, "tanks": 3})
    assert set(caught.value.fields) == {"ventilators", "ecmo", "tanks"}
    with pytest.raises(FieldErrors) as caught:
        check_resources({"note": "rien"})
    assert "au moins une ressource" in caught.value.fields["body"]


def test_counts_and_shares_are_read_by_the_products_one_coercion():
    """crisis.checks reads numbers as core.scalars does (decimal comma, no NaN nor infinity, no booleans)."""
    errors: dict[str, str] = {}
    assert checks.count({"n": " 12 "}, "n", "N", errors, maximum=99) == 12
    assert checks.count({"n": 12.0}, "n", "N", errors, maximum=99) == 12
    assert checks.share({"s": "12,5"}, "s", "S", errors) == 12.5
    assert not errors
    for bad in (True, "1.5", "douze", [1]):
        errors = {}
        assert checks.count({"n": bad}, "n", "N", errors, maximum=99) is None
        assert errors == {"n": "N : doit être un nombre entier."}
    for bad in ("nan", "inf", True, "moitié"):
        errors = {}
        assert checks.share({"s": bad}, "s", "S", errors) is None
        assert errors == {"s": "S : doit être un pourcentage (nombre de 0 à 100)."}
