"""Pure mappers graph row → FHIR resource (no engine): shapes, optional data, R4 validity."""

from __future__ import annotations

import datetime as dt

from fhir.resources.R4B import get_fhir_model_class

from fhir_api import codes, resources


def valid(resource: dict) -> dict:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def test_instant_is_a_zoned_fhir_instant():
    assert resources.instant(dt.datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)) == "2025-01-02T03:04:05.678+00:00"
    assert resources.instant(dt.datetime(2025, 1, 2)) == "2025-01-02T00:00:00.000+00:00"
    assert resources.instant(None) is None


def test_minimal_offer_has_no_empty_elements():
    hs = valid(resources.healthcare_service_resource({"offer": {"id": "O-1", "name": "Unité"}}))
    assert hs == {"resourceType": "HealthcareService", "id": "O-1",
                  "meta": {"profile": [codes.PROFILE["HealthcareService"]]},
                  "identifier": [{"system": codes.SYSTEM_OFFER, "value": "O-1"}], "active": False, "name": "Unité"}


def test_age_range_spans_the_age_groups():
    row = {"offer": {"id": "O-1"}, "age_groups": [{"code": "10", "label": "Sénior"}, {"code": "05"}]}
    hs = valid(resources.healthcare_service_resource(row))
    age = hs["extension"][0]["extension"][0]["valueRange"]
    assert (age["low"]["value"], age["high"]["value"]) == (16, 75)


def test_capacity_figures_become_one_extension_each_and_nulls_are_skipped():
    snapshot = {"installed": 12, "available_women": 3, "available_men": None, "updated_at": dt.datetime(2025, 5, 1)}
    exts = resources.capacity_extensions(snapshot)
    assert len(exts) == 2
    women = {p["url"]: p for p in exts[1]["extension"]}
    assert women["nbCapacity"]["valueInteger"] == 3
    gender = women["genderCapacityAvailable"]["valueCodeableConcept"]["coding"][0]
    assert (gender["system"], gender["code"], gender["display"]) == (codes.SYSTEM_CAPACITY_GENDER, "01", "Femme")


def test_practitioner_role_id_round_trip():
    role_id = resources.practitioner_role_id("SYN001", "SYN-OFF-1.2")
    assert resources.split_practitioner_role_id(role_id) == ("SYN001", "SYN-OFF-1.2")
    assert resources.split_practitioner_role_id("nodot") is None
    assert resources.FHIR_ID.match(role_id)


def test_capacity_codes_come_from_the_bundled_ror_value_sets():
    """Every capacity coding the API publishes is in data/nos/ror_capacity_value_sets.csv, with its label."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data" / "nos" / "ror_capacity_value_sets.csv"
    with path.open(encoding="utf-8") as f:
        bundled = {(row["system_url"], row["code"]): row["libelle"] for row in csv.DictReader(f, delimiter=";")}
    assert codes.CAPACITY_LABELS.items() <= bundled.items()
    systems = {"status": codes.SYSTEM_CAPACITY_STATUS, "gender": codes.SYSTEM_CAPACITY_GENDER,
               "temporality": codes.SYSTEM_CAPACITY_TEMPORALITY, "closing": codes.SYSTEM_CAPACITY_CLOSING,
               "additional": codes.SYSTEM_ADDITIONAL_BED}
    used = {(systems[k], v) for spec in codes.CAPACITY_FIELDS for k, v in spec.items() if k in systems and v}
    assert used <= set(bundled) and used <= set(codes.CAPACITY_LABELS)
    snapshot = {spec["field"]: 1 for spec in codes.CAPACITY_FIELDS} | {"crisis_type": "plan_blanc"}
    for ext in resources.capacity_extensions(snapshot):
        for part in ext["extension"]:
            for coding in part.get("valueCodeableConcept", {}).get("coding", []):
                if coding["system"] != codes.SYSTEM_LOCAL_CRISIS_TYPE:
                    assert bundled[(coding["system"], coding["code"])] == coding["display"]
