"""The `_filter` parser: precedence, quoting, every operator, the ROR documentation's own forms, refusals."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from fhir_api.filter import OPERATORS, And, Compare, Not, Or, comparisons, parse
from fhir_api.params import InvalidParam

R211 = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
DOCUMENTED = Path(__file__).parents[1] / "fixtures" / "fhir" / "ror_documented_requests.json"


def test_one_comparison():
    assert parse("name eq chu") == Compare("name", "eq", ("chu",))


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator(op):
    assert parse(f"nb-capacity {op} 5") == Compare("nb-capacity", op, ("5",))


def test_operators_and_keywords_are_case_insensitive():
    assert parse("a EQ 1 OR b Eq 2 AND NOT (c eq 3)") == Or((
        Compare("a", "eq", ("1",)),
        And((Compare("b", "eq", ("2",)), Not(Compare("c", "eq", ("3",))))),
    ))


def test_and_binds_tighter_than_or():
    assert parse("a eq 1 or b eq 2 and c eq 3") == Or((
        Compare("a", "eq", ("1",)), And((Compare("b", "eq", ("2",)), Compare("c", "eq", ("3",))))))
    assert parse("a eq 1 and b eq 2 or c eq 3") == Or((
        And((Compare("a", "eq", ("1",)), Compare("b", "eq", ("2",)))), Compare("c", "eq", ("3",))))


def test_not_binds_tighter_than_and():
    assert parse("not (a eq 1) and b eq 2") == And((Not(Compare("a", "eq", ("1",))), Compare("b", "eq", ("2",))))


def test_parentheses_override_precedence():
    assert parse("(a eq 1 or b eq 2) and c eq 3") == And((
        Or((Compare("a", "eq", ("1",)), Compare("b", "eq", ("2",)))), Compare("c", "eq", ("3",))))
    assert parse("((a eq 1))") == Compare("a", "eq", ("1",))


def test_quoted_values_keep_blanks_parentheses_and_escaped_quotes():
    assert parse('name eq "centre (hospitalier) \\"x\\" or y"') == Compare(
        "name", "eq", ('centre (hospitalier) "x" or y',))
    assert parse('name co ""') == Compare("name", "co", ("",))


def test_token_date_and_quantity_values():
    assert parse(f"specialty eq {R211}|227") == Compare("specialty", "eq", (f"{R211}|227",))
    assert parse("_lastUpdated ge 2022-11-06T15:00") == Compare("_lastUpdated", "ge", ("2022-11-06T15:00",))
    assert parse("age-range-low le 35|https://unitsofmeasure.org|a") == Compare(
        "age-range-low", "le", ("35|https://unitsofmeasure.org|a",))


def test_chained_paths_and_modifiers():
    assert parse("organization.type:above eq X|189") == Compare("organization.type:above", "eq", ("X|189",))
    assert parse("_has:Task:focus:business-status eq S|02") == Compare(
        "_has:Task:focus:business-status", "eq", ("S|02",))


def test_ror_value_list_after_or():
    assert parse('(address-postalcode eq "22" or "29" or "35" or "36")') == Compare(
        "address-postalcode", "eq", ("22", "29", "35", "36"))
    assert parse("_id eq 140 or 141") == Compare("_id", "eq", ("140", "141"))
    assert parse(f"(specialty eq {R211}|005 or {R211}|481)") == Compare(
        "specialty", "eq", (f"{R211}|005", f"{R211}|481"))


def test_value_list_then_another_comparison():
    assert parse("a eq 1 or 2 and b eq 3") == And((Compare("a", "eq", ("1", "2")), Compare("b", "eq", ("3",))))
    assert parse("a eq 1 or 2 or b eq 3") == Or((Compare("a", "eq", ("1", "2")), Compare("b", "eq", ("3",))))


def test_equals_sign_form_of_the_documentation():
    assert parse("(_content=cardio or location._content=cardio)") == Or((
        Compare("_content", "eq", ("cardio",)), Compare("location._content", "eq", ("cardio",))))


def test_comparisons_lists_every_leaf():
    tree = parse("a eq 1 or not (b eq 2 and c eq 3)")
    assert [c.path for c in comparisons(tree)] == ["a", "b", "c"]


@pytest.mark.parametrize(("text", "says"), [
    ("", "vide"),
    ("name", "incomplète"),
    ("name eq", "incomplète"),
    ("name is x", "opérateur attendu"),
    ("name ap 3", "pas pris en charge"),
    ("(name eq x", "parenthèse non fermée"),
    ("name eq x)", "inattendu"),
    ('name eq "x', "guillemet"),
    ("name eq x y", "inattendu"),
    ("location[name eq x].type eq y", "crochets"),
    ("1abc eq x", "nom de paramètre invalide"),
    ("a eq 1 and", "incomplète"),
    ("(" * 40 + "a eq 1" + ")" * 40, "niveaux"),
    ("a eq " + "x" * 5000, "trop longue"),
])
def test_invalid_expressions_are_400_naming_the_problem(text, says):
    with pytest.raises(InvalidParam) as err:
        parse(text)
    assert err.value.status == 400
    assert "_filter" in err.value.message and says in err.value.message


def test_every_documented_filter_parses():
    requests = json.loads(DOCUMENTED.read_text(encoding="utf-8"))["requests"]
    filters = [value for r in requests for key, value in parse_qsl(r["path"].partition("?")[2]) if key == "_filter"]
    assert len(filters) >= 10
    for text in filters:
        assert comparisons(parse(text)), text
