"""Each data-quality rule of quality/rules.json on hand-made offer facts: it fires when, and only when, the
description breaks it, and names the rule and the field."""

from __future__ import annotations

from datetime import date

import pytest

from quality.rules import Evaluator, load_rules, rule_table

TODAY = date(2026, 1, 15)


def code(value_set: str, code_: str, label: str = "", retired_on=None) -> dict:
    return {"value_set": value_set, "code": code_, "label": label or code_, "retired_on": retired_on}


def offer(**changes) -> dict:
    facts = {
        "id": "o1", "name": "Gériatrie aiguë", "status": "draft", "email": "geriatrie@ch-exemple.fr",
        "phone": "0102030405", "address": "1 rue de l'Hôpital", "site_finess": "400000011", "region_code": "75",
        "activities": [code("J17", "047", "Gériatrie")], "care_modes": [code("J19", "28")],
        "acts": [], "age_groups": [code("J15", "10"), code("J15", "11")], "publics": [],
        "fields": [code("J20", "01")], "contacts": [],
    }
    facts.update(changes)
    return facts


def fired(facts: dict) -> dict[str, str]:
    report = Evaluator(today=TODAY).evaluate(facts)
    return {a.rule: a.field for a in report.anomalies}


def test_rules_are_data_with_unique_ids():
    rules = rule_table()
    assert len(rules) == len(load_rules().rules) >= 19
    assert {r["severity"] for r in rules} == {"error", "warning"}


def test_a_complete_unit_passes_every_applicable_rule():
    report = Evaluator(today=TODAY).evaluate(offer())
    assert report.anomalies == () and report.completeness == 100 and report.applicable == 9


@pytest.mark.parametrize("change,rule,field", [
    ({"activities": []}, "MIN-ACTIVITE", "activities"),
    ({"care_modes": []}, "MIN-MODE", "care_modes"),
    ({"age_groups": []}, "MIN-AGE", "age_groups"),
    ({"fields": []}, "MIN-CHAMP", "fields"),
    ({"address": None}, "MIN-ADRESSE", "address"),
    ({"phone": None, "email": None, "contacts": []}, "MIN-CONTACT", "contacts"),
    ({"care_modes": [code("R213", "44")]}, "NOS-JEU-DE-VALEURS", "codes"),
    ({"email": "marie.dupont@ch-exemple.fr"}, "BAL-GENERIQUE", "email"),
])
def test_minimum_description_and_nomenclature_rules(change, rule, field):
    assert fired(offer(**change)) == {rule: field}


def test_retired_codes_are_anomalies_only_once_retired():
    retiring = [code("J19", "28", "HC", retired_on=date(2026, 3, 1))]
    assert fired(offer(care_modes=retiring)) == {}
    retired = [code("J19", "28", "HC", retired_on=date(2025, 12, 31))]
    report = Evaluator(today=TODAY).evaluate(offer(care_modes=retired))
    assert [a.rule for a in report.anomalies] == ["NOS-CODE-RETIRE"]
    assert "retiré le 31/12/2025" in report.anomalies[0].detail
    assert report.completeness == round(100 * 8 / 9)


def ias(**changes) -> dict:
    base = offer(name="EOH", activities=[code("J17", "063")], acts=[code("J16", "0911")], email="eoh@ch-exemple.fr",
                 contacts=[{"function": "23", "nature": "07", "email": "hygiene@ch-exemple.fr"}])
    base.update(changes)
    return base


def test_infection_prevention_coding():
    assert fired(ias()) == {}
    assert fired(ias(acts=[code("J16", "1274")])) == {"IAS-ACTES": "acts"}
    assert fired(ias(contacts=[{"function": "05", "nature": "07"}])) == {"IAS-FONCTIONS": "contacts"}
    assert fired(ias(contacts=[{"function": "24", "nature": "01"}])) == {"IAS-NATURE": "contacts"}
    personal = fired(ias(email="jean.martin@ch-exemple.fr", contacts=[{"function": "25", "nature": "07"}]))
    assert personal == {"IAS-BAL": "email", "BAL-GENERIQUE": "email"}


ALL_AGES = [code("J15", c) for c in ("01", "02", "03", "04", "05", "06", "10", "11")]
SP = code("J17", "170", "Soins palliatifs")


@pytest.mark.parametrize("facts,expected", [
    (offer(name="USP Mont-de-Marsan", activities=[SP], age_groups=ALL_AGES), {}),
    (offer(name="USP Mont-de-Marsan", activities=[SP]), {"SP-USP": "care_modes"}),
    (offer(name="EMSP Landes", activities=[SP], care_modes=[code("J19", "11")]), {}),
    (offer(name="EMSP Landes", activities=[SP], care_modes=[code("J19", "11"), code("J19", "52")]),
     {"SP-EMSP": "care_modes"}),
    (offer(name="ERRSPP Aquitaine", activities=[SP], care_modes=[code("J19", "53")],
           age_groups=[code("J15", c) for c in ("01", "02", "03")]), {}),
    (offer(name="ERRSPP Aquitaine", activities=[SP], care_modes=[code("J19", "53")], age_groups=ALL_AGES),
     {"SP-ERRSPP": "age_groups"}),
    (offer(name="Pneumologie LISP", activities=[code("J17", "076"), code("J17", "047")]), {}),
    (offer(name="Pneumologie LISP", activities=[code("J17", c) for c in ("076", "047", "001", "002")]),
     {"SP-LISP": "activities"}),
    (offer(name="Pneumologie LISP"), {"SP-LISP": "activities"}),
    (offer(name="Soins palliatifs HDJ", activities=[SP], care_modes=[code("J19", "29")]), {}),
    (offer(name="Soins palliatifs HDJ", activities=[SP]), {"SP-HDJ": "care_modes"}),
    (offer(name="HAD Sud Landes", activities=[SP, code("J17", "047")], care_modes=[code("J19", "31")]), {}),
    (offer(name="HAD Sud Landes", activities=[SP]), {"SP-HAD": "care_modes"}),
])
def test_palliative_care_norm(facts, expected):
    assert fired(facts) == expected


def test_generic_mailbox_heuristic():
    assert fired(offer(email="secretariat.geriatrie@ch-exemple.fr")) == {}
    assert fired(offer(email="urgences@ch-exemple.fr")) == {}
    assert fired(offer(email="Hélène.Durand@ch-exemple.fr")) == {"BAL-GENERIQUE": "email"}
