"""The synthetic offer generator: real NOS codes only, plausible units per category, determinism."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loaders.generator import generate_site, pathway_rows
from loaders.nos import parse_nos
from loaders.offer_profiles import PROFILES
from loaders.site_plan import SitePlan

DATA = Path(__file__).parent.parent.parent / "data"
AS_OF = dt.datetime(2026, 11, 22, 6, tzinfo=dt.UTC)


def site(finess: str, category: str) -> dict:
    return {"finess": finess, "category_code": category, "name": "X", "phone": "0100000000",
            "address_line1": "1 RUE X", "postal_code": "01000", "city": "BOURG", "lat": 46.2, "lon": 5.2}


@pytest.fixture(scope="module")
def nos_keys() -> set[str]:
    return {row.key for row in parse_nos(DATA / "nos" / "ror_nomenclatures.csv.gz", [])}


def _keys(graph) -> set[str]:
    keys = {link["key"] for offer in graph.offers for link in offer["links"]}
    keys |= {eq["key"] for place in graph.places for eq in place["equipment"]}
    keys |= {p["profession_key"] for p in graph.professionals}
    keys |= {p["specialty_key"] for p in graph.professionals if p["specialty_key"]}
    keys |= {f"J220|{r['function']}" for r in graph.roles} | {f"J221|{r['nature']}" for r in graph.roles}
    return keys


NAMES = {"imaging:mri": "IRM X", "imaging:ct": "SCANNER X", "imaging:mri_ct": "IRM SCANNER X",
         "imaging:nuclear": "TEP X", "imaging:radiology": "IMAGERIE X", "psy_day:child": "HDJ ENFANTS X",
         "psy_day:adult": "HDJ ADULTES X"}


def planned(key: str) -> SitePlan:
    """A plan that picks the profile PROFILES[key] ("kind:role", a kind, or "imaging:mri"…)."""
    kind, _, role = key.partition(":")
    if kind in ("imaging", "psy_day"):
        return SitePlan(kind=kind, role="site")
    return SitePlan(kind=kind, role=role or "site", department_rank=1, samu=role in ("chu_pivot", "reference"))


def test_every_generated_code_is_a_real_nos_code(nos_keys):
    used = set()
    for key in PROFILES:
        for n in range(5):
            one = {**site(f"01{n:07d}", "355"), "name": NAMES.get(key, "X")}
            used |= _keys(generate_site(one, 1, AS_OF, planned(key)))
    used |= {row["from"] for row in pathway_rows()} | {row["to"] for row in pathway_rows()}
    assert used and used <= nos_keys, sorted(used - nos_keys)


def _activities(graph) -> dict[str, set[str]]:
    return {o["name"]: {link["key"] for link in o["links"]} for o in graph.offers}


def test_university_hospital_gets_dozens_of_offers_with_key_activities():
    chu = generate_site(site("010000001", "101"), 42, AS_OF)
    assert len(chu.offers) >= 40
    keys = set().union(*_activities(chu).values())
    for code in ("J17|157", "J17|013", "J17|014", "J17|098", "J17|127", "J17|068", "J17|070"):
        assert code in keys, code
    equipment = {eq["key"] for p in chu.places for eq in p["equipment"]}
    assert {"J18|054", "J18|085"} <= equipment  # MRI and CT scanner
    assert all(eq["count"] >= 1 and eq["hours"] for p in chu.places for eq in p["equipment"])


def test_ehpad_pharmacy_and_laboratory():
    ehpads = [generate_site(site(f"01{n:07d}", "500"), 42, AS_OF) for n in range(10)]
    temporalities = {link["key"] for g in ehpads for o in g.offers for link in o["links"]
                     if link["rel"] == "TEMPORALITY"}
    assert temporalities == {"J30|01", "J30|02"}  # temporary and permanent accommodation
    assert all(any(o["name"] == "Hébergement permanent" for o in g.offers) for g in ehpads)
    assert generate_site(site("010000002", "620"), 42, AS_OF).offers == []  # pharmacy: no care offer
    lab = generate_site(site("010000003", "611"), 42, AS_OF)
    assert "J17|009" in set().union(*_activities(lab).values())


def test_infection_prevention_team_is_coded_as_the_ias_guide():
    ch = generate_site(site("010000004", "355"), 7, AS_OF)
    team = next(o for o in ch.offers if "hygiène" in o["name"])
    keys = {link["key"] for link in team["links"]}
    assert {"J17|063", "J16|0909", "J16|0910", "J16|0911"} <= keys
    roles = [r for r in ch.roles if r["offer"] == team["id"]]
    assert {r["function"] for r in roles} == {"23", "24", "25", "26"}
    assert {r["nature"] for r in roles} == {"07"}
    assert team["email"].startswith("eoh@") and any(r["email"].startswith("referent-atb@") for r in roles)


def test_palliative_units_follow_the_harmonised_norm():
    for n in range(10):
        ch = generate_site(site(f"01{n:07d}", "355"), 3, AS_OF)
        for offer in ch.offers:
            modes = {link["key"] for link in offer["links"] if link["rel"] == "MODE"}
            if "EMSP" in offer["name"]:
                assert len(modes) == 1 and modes <= {"J19|52", "J19|11", "J19|53"}
            if offer["name"].endswith("LISP"):
                assert {"J17|076", "J17|083"} <= {link["key"] for link in offer["links"]}


def test_same_seed_same_site_graph_and_other_seed_differs():
    a = generate_site(site("010000024", "355"), 42, AS_OF)
    b = generate_site(site("010000024", "355"), 42, AS_OF)
    c = generate_site(site("010000024", "355"), 43, AS_OF)
    assert a == b
    assert a != c


def test_professionals_are_obviously_synthetic_and_shared_between_units():
    chu = generate_site(site("010000001", "101"), 42, AS_OF)
    assert all(p["rpps"].startswith("SYN") and p["first_name"] == "Synthétique" for p in chu.professionals)
    assert len(chu.roles) > len(chu.professionals)  # some people work in several units
    assert len({p["rpps"] for p in chu.professionals}) == len(chu.professionals)


def test_capacities_are_spread_over_two_days():
    snapshots = [c for n in range(20) for c in generate_site(site(f"01{n:07d}", "500"), 1, AS_OF).capacities]
    ages = [(AS_OF - dt.datetime.fromisoformat(c["updated_at"])).total_seconds() / 3600 for c in snapshots]
    assert min(ages) >= 0 and max(ages) <= 48
    assert any(a > 12 for a in ages) and any(a <= 12 for a in ages)
    assert all(c["available_total"] <= c["installed"] for c in snapshots)
