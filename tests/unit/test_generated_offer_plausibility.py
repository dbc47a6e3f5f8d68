"""The synthetic offer is believable: satellites get their own kind of offer, rare activities sit on the main sites
of CHU/CHR, children are treated where they should be, and the national counts stay in their published bands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loaders.finess import FINESS_SAMPLE
from loaders.generator import generate_site
from loaders.nos import parse_nos
from loaders.offer_stats import comparison, finess_sites, national_population, read_figures, tally_generation
from loaders.site_kinds import site_kind
from loaders.site_plan import plan_sites
from search.vocabulary import Vocabulary

DATA = Path(__file__).parent.parent.parent / "data"
AS_OF = dt.datetime(2026, 11, 22, 6, tzinfo=dt.UTC)
HEAVY = {"J18|054", "J18|085", "J18|189"}  # MRI, CT scanner, cath-lab table
RARE = {"J16|0459", "J17|492", "J17|121", "J17|128", "J16|0597", "J17|356", "J17|273"}


def site(finess: str, category: str, name: str, entity: str | None = None, department: str = "63") -> dict:
    return {"finess": finess, "category_code": category, "name": name, "phone": "0400000000",
            "address_line1": "1 RUE X", "postal_code": "63000", "city": "CLERMONT", "lat": 45.76, "lon": 3.1,
            "legal_entity_finess": entity or finess, "department_code": department, "commune_population": 1000}


def keys_of(graph) -> set[str]:
    keys = {link["key"] for offer in graph.offers for link in offer["links"]}
    return keys | {eq["key"] for place in graph.places for eq in place["equipment"]}


SATELLITES = [  # real FINESS names of hospital satellites (category of their legal entity)
    ("101", "CENTRE DE SOINS DENTAIRES - CHU63", "dental"), ("101", "CMP - CHU63", "cmp"),
    ("355", "CPEF DE BELLEY", "cpef"), ("355", "LBM DU CH CHAMBERY AIX - SITE BELLEY", "lab"),
    ("355", "CATTP PLOUGUERNEAU", "cattp"), ("101", "HJ PSY INF JUV CMPEA OUEST MONTAURY", "psy_day"),
    ("101", "APHM ANTENNE SMUR DE MARIGNANE", "smur"), ("101", "CHRU NANCY - CRECHE HOSPITALIERE M V F", None),
    ("355", "CEGIDD EVREUX - CHES", "screening"), ("101", "HOSPITALISATION A DOMICILE APHP PARIS", "had"),
    ("101", "PHARMACIE CENTRALE - HCL", "pharmacy"), ("355", "SSR SITE ST COME CH MILLAU", "smr"),
    ("101", "LACTARIUM DE BORDEAUX", "lactarium"), ("124", "CDS DENTAIRE BEZONS", "dental"),
    ("292", "HOPITAL DE JOUR BELLEVUE", "psy_day"),
]


@pytest.mark.parametrize(("category", "name", "kind"), SATELLITES)
def test_satellite_sites_get_their_own_kind_of_offer_only(category, name, kind):
    assert site_kind(category, name) == kind
    entity = [site("630000404", category, "HOPITAL GABRIEL MONTPIED - CHU63", "630780989"),
              site("630000999", category, name, "630780989")]
    plans = plan_sites(entity)
    if category in ("101", "355"):
        assert plans["630000404"].role in ("chu_pivot", "reference")
    keys = keys_of(generate_site(entity[1], 42, AS_OF, plans["630000999"]))
    assert not keys & (HEAVY | RARE), sorted(keys & (HEAVY | RARE))


def test_rare_activities_on_the_main_site_of_a_chu_not_on_its_other_hospitals():
    chu = [site("630000404", "101", "HOPITAL GABRIEL MONTPIED - CHU63", "630780989"),
           site("630011179", "101", "HOPITAL ESTAING - CHU63", "630780989"),
           site("630783538", "101", "HOPITAL LOUISE MICHEL - CHU63", "630780989")]
    plans = plan_sites(chu)
    assert [plans[s["finess"]].role for s in chu] == ["chu_pivot", "chu_site", "chu_site"]
    pivot = keys_of(generate_site(chu[0], 42, AS_OF, plans["630000404"]))
    assert {"J16|0459", "J17|128", "J18|054", "J17|273"} <= pivot  # thrombectomy, level-3 maternity, MRI, SAMU
    for other in chu[1:]:
        assert "J16|0459" not in keys_of(generate_site(other, 42, AS_OF, plans[other["finess"]]))


def test_a_chu_pivot_is_an_acute_hospital_of_its_main_city_not_a_far_site_or_a_convalescence_centre():
    paris = [site(f"7501000{i:02d}", "101", f"HU PARIS SITE HOPITAL {i} APHP", "750712184", "75") for i in range(7)]
    for s in paris:
        s.update(lat=48.85, lon=2.35)
    far = [{**site("640790150", "101", "HOPITAL MARIN VILLE PARIS", "750712184", "64"), "lat": 43.37, "lon": -1.77},
           {**site("620100016", "101", "HOP MARITIME DE BERCK", "750712184", "62"), "lat": 50.4, "lon": 1.57}]
    plans = plan_sites(far + paris)  # the far sites have the lowest FINESS numbers and no "SITE" mark
    assert [plans[s["finess"]].role for s in far] == ["chu_site", "chu_site"]
    assert sum(plans[s["finess"]].role == "chu_pivot" for s in paris) == 2  # one pivot per six general sites
    nantes = [site("440044410", "101", "HOTEL THERAPEUTIQUE CHU NANTES", "440000289", "44"),
              site("440044411", "101", "CTRE CONVAL. L'ERMITAGE CHU NANTES", "440000289", "44"),
              site("440000271", "101", "CHU DE NANTES SITE HOTEL DIEU HME", "440000289", "44")]
    plans = plan_sites(nantes)
    assert [plans[s["finess"]].role for s in nantes] == ["chu_site", "chu_site", "chu_pivot"]


def test_children_are_treated_in_cardiology_and_neonatal_units_at_chu():
    chu = generate_site(site("290000017", "101", "CHRU BREST SITE HOPITAL MORVAN"), 42, AS_OF)
    children = {"J15|01", "J15|02", "J15|03", "J15|04"}
    cardiology_for_children = [o for o in chu.offers if {"J17|013"} <= {link["key"] for link in o["links"]}
                               and children & {link["key"] for link in o["links"]}]
    assert cardiology_for_children
    adult_only = [o for o in chu.offers if o["name"].startswith("Cardiologie –")]
    assert adult_only and all(not children & {link["key"] for link in o["links"]} for o in adult_only)


def test_sample_departments_have_no_heavy_equipment_outside_hospitals_and_imaging_centres():
    sites = finess_sites(DATA, DATA / FINESS_SAMPLE)
    plans = plan_sites(sites)
    allowed = {"university_hospital", "hospital", "clinic", "imaging", "cancer", "mother_child"}
    rare_sites = []
    for s in sites:
        keys = keys_of(generate_site(s, 42, AS_OF, plans[s["finess"]]))
        if keys & HEAVY:
            assert plans[s["finess"]].kind in allowed, (s["name"], plans[s["finess"]])
        if "J16|0459" in keys:
            rare_sites.append(s["name"])
    assert len(rare_sites) <= 1, rare_sites  # 01, 2A and 971: only the CHU of Guadeloupe may have thrombectomy


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    rows = parse_nos(DATA / "nos" / "ror_nomenclatures.csv.gz", [])
    return Vocabulary({"value_set": r.value_set, "code": r.code, "label": r.label, "retired": bool(r.retired_on)}
                      for r in rows)


@pytest.mark.parametrize("word", ["gériatrie", "cardiologie", "soins palliatifs", "obstétrique", "neurologie",
                                  "soins de longue durée", "psychiatrie adulte"])
def test_bed_units_carry_the_activity_autocomplete_offers_first(vocabulary, word):
    first = vocabulary.suggest(word, ["activity"], 1)[0].code
    with_beds = set()
    for n in range(5):
        chu = generate_site(site(f"63000040{n}", "101", "HOPITAL GABRIEL MONTPIED - CHU63"), 42, AS_OF)
        places = {p["id"]: p for p in chu.places}
        with_beds |= {link["key"] for o in chu.offers if places[o["place"]]["installed_beds"]
                      for link in o["links"] if link["rel"] == "PROVIDES"}
    assert f"J17|{first}" in with_beds, (word, first)


def test_national_counts_stay_in_their_published_bands():
    """Generates the whole of France in memory (about a minute): every figure of national_figures.csv holds."""
    tally = tally_generation(finess_sites(DATA), 42, national_population(DATA), AS_OF)
    out = [(f.key, v, round(f.low()), round(f.high())) for f, v, ok in comparison(read_figures(DATA), tally)
           if not ok]
    assert not out, out
