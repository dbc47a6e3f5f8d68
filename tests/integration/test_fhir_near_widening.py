"""FHIR `near` without a distance behaves like the pages, /api/v1 and the CLI (issue 15, item 1): it starts at
the SAS radius of the département (Ain: 30 km in the fixture), widens while too few matches, gives the nearest K
whatever the distance for a time-critical code, honours an explicit distance, and says in the Bundle (an
OperationOutcome entry, search.mode = outcome) how far it went."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from fhir_api import blueprint
from search.widening import WideningPolicy
from tests.fixtures.fhir.support import load_fixture_or_skip, search_app, validate

pytestmark = pytest.mark.integration

SOUTH_OF_AMBERIEU = "45.6|5.36"  # nearest commune Ambérieu (Ain, SAS 30 km); PL-01-C ≈ 40 km, PL-01-A ≈ 69 km
AJACCIO = "41.9192|8.7386"  # Corse-du-Sud; the neurosurgery offer OFF-01-B is ≈ 553 km away, in Bourg-en-Bresse


@pytest.fixture(scope="module")
def app(graph, search_client, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    return search_app(graph, search_client, tmp_path_factory, prefix="fhirnear")


@pytest.fixture()
def service(app, monkeypatch, tmp_path):
    """The app's FHIR service with a policy sized for the fixture (a handful of places) and a time-critical table
    kept as data that lists the fixture's activity 183 (OFF-01-B and OFF-971-A)."""
    with app.app_context():
        fhir = blueprint.service()
    table = tmp_path / "orientation" / "time_critical.csv"
    table.parent.mkdir()
    table.write_text("value_set;code;reason\nJ17;183;Douleur réfractaire (essai)\n", encoding="utf-8")
    monkeypatch.setattr(fhir, "policy", WideningPolicy(min_results=1, max_radius_km=200, step_ratio=0.5,
                                                       time_critical_k=1))
    monkeypatch.setattr(fhir, "data_dir", tmp_path)
    return fhir


def search(app, query: str) -> dict:
    response = app.test_client().get(f"/fhir/{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def matches(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


def outcomes(bundle: dict) -> list[dict]:
    return [e["resource"]["issue"][0] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]


def self_near(bundle: dict, name: str) -> str:
    link = next(link["url"] for link in bundle["link"] if link["relation"] == "self")
    return parse_qs(urlsplit(link).query)[name][0]


def test_near_without_distance_widens_from_the_sas_radius_and_says_so(app, service):
    assert matches(search(app, f"Location?near={SOUTH_OF_AMBERIEU}|30|km")) == []  # nothing at the SAS radius
    bundle = search(app, f"Location?near={SOUTH_OF_AMBERIEU}")
    assert matches(bundle) == ["PL-01-C"] and bundle["total"] == 1
    [issue] = outcomes(bundle)
    assert issue["severity"] == "information" and issue["code"] == "informational"
    assert issue["diagnostics"] == "Élargi à 45 km : aucun résultat à moins de 30 km."
    assert self_near(bundle, "near") == f"{SOUTH_OF_AMBERIEU}|45|km"  # the links carry the distance used
    validate(bundle)


def test_chained_near_and_commune_code_widen_the_same_way(app, service, monkeypatch):
    monkeypatch.setattr(service, "policy", WideningPolicy(min_results=2, max_radius_km=200, time_critical_k=1))
    bundle = search(app, f"HealthcareService?location.near={SOUTH_OF_AMBERIEU}")
    # 30 km: none; 45 km: C; 68 km: still C; 102 km: C and the two offers of Fleyriat (PL-01-A)
    assert sorted(matches(bundle)) == ["OFF-01-A", "OFF-01-B", "OFF-01-C"]
    assert outcomes(bundle)[0]["diagnostics"] == ("Élargi à 102 km : aucun résultat à moins de 30 km.")
    same_place = search(app, f"HealthcareService?location.near={SOUTH_OF_AMBERIEU}&location.commune-cog=01004")
    assert matches(same_place) == ["OFF-01-C"]  # counted with the whole query: both hold for one place
    assert outcomes(same_place)[0]["diagnostics"] == "Élargi jusqu'au maximum de 200 km : 1 résultat seulement."
    by_commune = search(app, "Location?near-insee-code=01004")  # Ambérieu, SAS radius 30 km: both Ain places
    assert matches(by_commune) == ["PL-01-C", "PL-01-A"]
    assert outcomes(by_commune)[0]["diagnostics"] == "Rayon du SAS du département : 30 km, non élargi."
    assert self_near(by_commune, "near-insee-code") == "01004|30|km"


def test_explicit_distance_is_honoured_without_widening(app, service):
    bundle = search(app, f"Location?near={SOUTH_OF_AMBERIEU}|30|km")
    assert matches(bundle) == [] and bundle["total"] == 0 and outcomes(bundle) == []
    assert self_near(bundle, "near") == f"{SOUTH_OF_AMBERIEU}|30|km"
    assert matches(search(app, "Location?near-insee-code=01004|5|km")) == ["PL-01-C"]


def test_time_critical_code_gets_the_nearest_k_whatever_the_distance(app, service):
    bundle = search(app, f"HealthcareService?location.near={AJACCIO}&specialty=183")
    assert matches(bundle) == ["OFF-01-B"]  # ≈ 553 km away, beyond the 200 km maximum, in another région
    [issue] = outcomes(bundle)
    assert issue["diagnostics"] == ("Douleur réfractaire (essai) : les résultats les plus proches, quelle que soit "
                                    "la distance (aucun résultat à moins de 200 km).")
    assert 550 < float(self_near(bundle, "location.near").split("|")[2]) < 560
    not_urgent = search(app, f"HealthcareService?location.near={AJACCIO}&specialty=227")
    assert matches(not_urgent) == ["OFF-2A-A"]  # Ajaccio's own offer, at the SAS radius
