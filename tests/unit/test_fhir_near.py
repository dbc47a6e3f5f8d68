"""FHIR `near` without a distance (fhir_api/near.py): which comparison adapts, how its distance is written, what
makes the request time-critical (pure parts; the engine parts in tests/integration/test_fhir_near_widening.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fhir_api import filter as fl
from fhir_api import near

DATA = Path(__file__).parent.parent.parent / "data"
R210 = "https://mos.esante.gouv.fr/NOS/TRE_R210-ActeSpecifique/FHIR/TRE-R210-ActeSpecifique"


def tree(*pairs: tuple[str, str]) -> fl.And:
    return fl.And(tuple(fl.Compare(k, "=", (v,)) for k, v in pairs))


@pytest.mark.parametrize(("pairs", "expected"), [
    ((("near", "45.6|5.36"),), 0),
    ((("near", "45.6|5.36||km"),), 0),
    ((("specialty", "227"), ("location.near", "45.6|5.36")), 1),
    ((("near-insee-code", "01004"),), 0),
    ((("near", "45.6|5.36|30|km"),), None),  # explicit: honoured
    ((("near-insee-code", "01004|5"),), None),
    ((("specialty", "227"),), None),
])
def test_only_a_near_without_distance_adapts(pairs, expected):
    assert near._adaptive_near(tree(*pairs)) == expected


def test_the_chosen_distance_is_written_in_km():
    t = tree(("specialty", "227"), ("location.near", "45.6|5.36"))
    assert near._with_distance(t, 1, 45.0).items[1].values == ("45.6|5.36|45|km",)
    assert near._with_distance(t, 1, 553.1234).items[1].values == ("45.6|5.36|553.123|km",)
    assert near._with_distance(tree(("near-insee-code", "01004")), 0, 30).items[0].values == ("01004|30|km",)
    assert t.items[1].values == ("45.6|5.36",)  # the criteria themselves are left as they were


@pytest.mark.parametrize(("pairs", "urgent"), [
    ((("characteristic", "0459"),), True),
    ((("characteristic", f"{R210}|0459"),), True),
    ((("characteristic", "http://other|0459"),), False),
    ((("specialty", "098"),), True),
    ((("_has:HealthcareService:location:specialty", "098"),), True),
    ((("equipment-type", "161"),), True),
    ((("specialty:not", "098"),), False),
    ((("specialty", "227"),), False),
    ((("characteristic", "098"),), False),  # an activity code given as an act
])
def test_time_critical_codes_come_from_the_data(pairs, urgent):
    assert (near._time_critical(tree(*pairs), DATA) is not None) is urgent


@pytest.mark.parametrize(("pairs", "independent"), [
    ((("location.near", "45.6|5.36"), ("specialty", "227")), True),
    ((("near", "45.6|5.36"), ("status", "active"), ("capacity-status", "x|01")), True),  # same document
    ((("location.near", "45.6|5.36"), ("location.capacity-status", "x|01")), False),  # one place must hold both
    ((("location.near", "45.6|5.36"), ("_filter", "name co cardio")), False),
])
def test_near_is_counted_alone_unless_another_criterion_reads_the_same_place(pairs, independent):
    assert near._independent(tree(*pairs), 0) is independent
