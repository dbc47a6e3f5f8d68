"""How clinicians actually type: abbreviations, synonyms, typos and unfinished words, read as the right NOS concept.

The vocabulary is the bundled NOS file; popularity (how many offers provide each concept) comes from the synthetic
offer of the sample départements, as the service reads it from the index."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from loaders.finess import FINESS_SAMPLE
from loaders.generator import generate_site
from loaders.nos import parse_nos
from loaders.offer_stats import finess_sites
from loaders.site_plan import plan_sites
from search.interpret import Interpreter, allowed_edits, edit_distance
from search.vocabulary import Vocabulary

DATA = Path(__file__).parent.parent.parent / "data"
VALUE_SETS = {"J17": "activity", "J16": "act", "J18": "equipment"}


@pytest.fixture(scope="module")
def interpreter() -> Interpreter:
    rows = parse_nos(DATA / "nos" / "ror_nomenclatures.csv.gz", [])
    vocabulary = Vocabulary({"value_set": r.value_set, "code": r.code, "label": r.label,
                             "retired": bool(r.retired_on)} for r in rows)
    sites = finess_sites(DATA, DATA / FINESS_SAMPLE)
    plans = plan_sites(sites)
    popularity: Counter = Counter()
    for site in sites:
        graph = generate_site(site, 42, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), plans[site["finess"]])
        for offer in graph.offers:
            for link in offer["links"]:
                value_set, code = link["key"].split("|", 1)
                if value_set in VALUE_SETS:
                    popularity[(VALUE_SETS[value_set], code)] += 1
    return Interpreter(vocabulary, popularity)


# (what the clinician typed, kind, acceptable first concepts of that kind)
PHRASINGS = [
    ("IRM", "activity", {"068"}),
    ("IRM", "equipment", {"054"}),
    ("irm cérébrale", "activity", {"068"}),
    ("imagerie par resonance", "activity", {"068"}),
    ("imagerie par résonance magnétique", "equipment", {"054"}),
    ("scanner", "activity", {"070"}),
    ("scaner", "activity", {"070"}),
    ("TDM", "activity", {"070"}),
    ("avis cardio", "activity", {"013"}),
    ("cardiolgie", "activity", {"013"}),
    ("kardiologie", "activity", {"013"}),
    ("cardiologie enfant", "age_group", {"03"}),
    ("thrombectomie", "act", {"0459"}),
    ("trombectomie", "act", {"0459"}),
    ("thrombectomie mécanique", "act", {"0459"}),
    ("thrombolyse", "act", {"0460"}),
    ("AVC", "activity", {"098", "356"}),
    ("UNV", "activity", {"098", "356"}),
    ("USIC", "activity", {"354"}),
    ("infarctus", "activity", {"014"}),
    ("infarctus", "act", {"0597"}),
    ("coronarographie", "activity", {"014"}),
    ("angioplastie coronaire", "act", {"0597"}),
    ("réa", "activity", {"127"}),
    ("reanimaton", "activity", {"127"}),
    ("réanimation pédiatrique", "activity", {"130"}),
    ("néonat", "activity", {"094"}),
    ("maternité", "activity", {"100"}),
    ("accouchement", "activity", {"100"}),
    ("IVG", "activity", {"105"}),
    ("urgences pédiatriques", "activity", {"249"}),
    ("urgences pediatrique", "activity", {"249"}),
    ("urgence", "activity", {"157"}),
    ("déchocage", "activity", {"160"}),
    ("polytraumatisé", "act", {"1400"}),
    ("grand brûlé", "activity", {"121", "175"}),
    ("brulures", "act", {"0047"}),
    ("dialyse", "activity", {"059"}),
    ("hémodyalise", "activity", {"059"}),
    ("HAD", "care_mode", {"31"}),
    ("soins palliatifs", "activity", {"170"}),
    ("EMSP", "activity", {"170"}),
    ("gériatrie", "activity", {"050"}),
    ("geriatrie aigue", "activity", {"491"}),
    ("psychiatrie", "activity", {"229"}),
    ("pédopsy", "activity", {"227"}),
    ("CMP", "category", {"156"}),
    ("EHPAD", "category", {"500"}),
    ("kiné", "activity", {"339"}),
    ("labo", "activity", {"009"}),
    ("mammographie", "activity", {"504"}),
    ("radiothérapie", "activity", {"168"}),
    ("oncologie", "activity", {"102"}),
    ("endocrino", "activity", {"041"}),
    ("USLD", "activity", {"333"}),
    ("chirurgie orthopédique", "activity", {"025"}),
    ("caisson hyperbare", "equipment", {"161", "162", "163"}),
    ("ECMO", "act", {"1404", "1405"}),
]


@pytest.mark.parametrize(("typed", "kind", "expected"), PHRASINGS)
def test_clinician_phrasing_reads_as_the_right_concept(interpreter, typed, kind, expected):
    matches = interpreter.read(typed).of_kind(kind)
    assert matches and matches[0].code in expected, [(m.code, m.label, m.how) for m in matches[:3]]


def test_the_table_is_large_enough():
    assert len({typed for typed, _, _ in PHRASINGS}) >= 40


@pytest.mark.parametrize(("prefix", "expected"), [
    ("cardo", "013"), ("cardio", "013"), ("irm", "068"), ("imagerie par reso", "068"), ("trombec", "0459"),
    ("réa", "127"), ("pédiat", "088"), ("matern", "100"), ("urg", "157"), ("urgences pedia", "249"),
    ("geria", "050"), ("kine", "339"), ("scan", "070"), ("soins pal", "170"), ("neonat", "094"), ("usic", "354"),
])
def test_autocomplete_first_suggestion(interpreter, prefix, expected):
    suggestions = interpreter.suggest(prefix, limit=3)
    assert suggestions and suggestions[0].code == expected, [(s.code, s.label) for s in suggestions]


def test_corrections_and_synonyms_are_explained(interpreter):
    corrected = interpreter.read("cardiolgie").of_kind("activity")[0]
    assert corrected.how == "corrected" and "cardiolgie" in corrected.note and "cardiologie" in corrected.note
    synonym = interpreter.read("IVG").of_kind("activity")[0]
    assert synonym.how == "synonym" and synonym.note.startswith("synonyme")


def test_leftover_words_stay_text():
    """Words naming no concept (a town, a name) are kept for the text search."""
    rows = parse_nos(DATA / "nos" / "ror_nomenclatures.csv.gz", [])
    reader = Interpreter(Vocabulary({"value_set": r.value_set, "code": r.code, "label": r.label,
                                     "retired": bool(r.retired_on)} for r in rows))
    reading = reader.read("cardiologie Brest")
    assert reading.leftover == ("brest",) and reading.of_kind("activity")[0].code == "013"


@pytest.mark.parametrize(("word", "typos"), [("irm", 0), ("avc", 0), ("scaner", 1), ("cardio", 1),
                                             ("cardiolgie", 2), ("thrombectomie", 2)])
def test_typos_allowed_by_word_length(word, typos):
    assert allowed_edits(word) == typos


def test_edit_distance_counts_a_swap_as_one_typo():
    assert edit_distance("cardiolgoie", "cardiologie", 2) == 1
    assert edit_distance("irm", "ivg", 1) == 2  # above the limit: limit + 1
