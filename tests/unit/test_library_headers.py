"""Library headers are complete and typed; parameters are validated with French errors; console text checks."""

from __future__ import annotations

import pytest

from core.errors import BadRequest, Forbidden, NotFound
from graph import library
from graph.console import check_text, mask, parse_params

HEADER = """// @title Titre
// @description Une description
//   sur deux lignes.
// @question Une question ?
// @param department_code: string = "40" — code du département
// @param radius_km: float = 30.0 — rayon
// @param codes: list<string> = ["157"] — activités
// @param strict: bool = false — option
// @param top: int — nombre de lignes
MATCH (c:Commune {department_code: $department_code}) WHERE $strict OR $radius_km > 0 AND c.code IN $codes
RETURN c LIMIT $top
"""


def test_every_library_file_has_a_complete_header():
    queries = library.all_queries()
    assert len(queries) >= 10
    for query in queries:
        assert query.title and query.description and query.question.endswith("?"), query.name
        for param in query.params:
            assert param.description, (query.name, param.name)
            assert not param.required, f"{query.name}: library queries run with their defaults"


def test_parse_header_and_defaults():
    query = library.parse("exemple", HEADER)
    assert query.title == "Titre"
    assert query.description == "Une description sur deux lignes."
    assert [(p.name, p.type) for p in query.params] == [
        ("department_code", "string"), ("radius_km", "float"), ("codes", "list<string>"), ("strict", "bool"),
        ("top", "int")]
    assert query.defaults() == {"department_code": "40", "radius_km": 30.0, "codes": ["157"], "strict": False}
    assert query.params[-1].required


def test_header_must_declare_exactly_the_parameters_used():
    with pytest.raises(ValueError, match="declared"):
        library.parse("exemple", HEADER.replace("// @param top: int — nombre de lignes\n", ""))
    with pytest.raises(ValueError, match="lacks @question"):
        library.parse("exemple", HEADER.replace("// @question Une question ?\n", ""))
    with pytest.raises(ValueError, match="unknown type"):
        library.parse("exemple", HEADER.replace("top: int", "top: integer"))


def test_bind_types_command_line_values():
    query = library.parse("exemple", HEADER)
    bound = library.bind(query, {"radius_km": "12,5", "codes": "157, 249", "strict": "oui", "top": "3"})
    assert bound == {"department_code": "40", "radius_km": 12.5, "codes": ["157", "249"], "strict": True, "top": 3}
    assert library.bind(query, {"codes": '["063"]', "top": 1})["codes"] == ["063"]


@pytest.mark.parametrize(("given", "message"), [
    ({"top": "trois"}, "Paramètre « top » : valeur 'trois' invalide, attendu int."),
    ({"top": 1, "radius_km": "loin"}, "Paramètre « radius_km » : valeur 'loin' invalide, attendu float."),
    ({"top": 1, "strict": "peut-être"}, "Paramètre « strict » : valeur 'peut-être' invalide, attendu bool."),
    ({"top": 1.5}, "Paramètre « top » : valeur 1.5 invalide, attendu int."),
    ({}, "Paramètre obligatoire manquant : « top » (nombre de lignes)."),
    ({"top": 1, "rayon": 3}, "Paramètre inconnu pour « exemple » : rayon."),
])
def test_bind_refuses_bad_values_naming_the_parameter(given, message):
    with pytest.raises(BadRequest) as refused:
        library.bind(library.parse("exemple", HEADER), given)
    assert refused.value.message.startswith(message)


def test_unknown_query_is_not_found():
    with pytest.raises(NotFound, match="inconnue"):
        library.get("nexiste_pas")


def test_mask_blanks_comments_and_literals_keeping_length():
    text = "MATCH (n) // CREATE\nRETURN 'DELETE' AS `SET`, \"it\\\"s\" /* MERGE */"
    masked = mask(text)
    assert len(masked) == len(text)
    for word in ("CREATE", "DELETE", "SET", "MERGE"):
        assert word not in masked


@pytest.mark.parametrize("query", [
    "CREATE ()", "match (n) detach delete n", "MATCH (n) SET n.a = 1", "LOAD CSV FROM 'x' AS r RETURN r",
    "USE system SHOW USERS", "RETURN 1; RETURN 2", "PROFILE MATCH (n) RETURN n",
    "CALL { MATCH (n) RETURN n } IN TRANSACTIONS RETURN 1", "TERMINATE TRANSACTIONS 'x'",
])
def test_text_check_refuses(query):
    with pytest.raises(Forbidden, match="^Requête refusée : "):
        check_text(query)


def test_text_check_keeps_one_statement_and_allows_reads():
    assert check_text("MATCH (n) RETURN n.set AS x, n:Create AS y, {merge: 1} AS z ;  ") == (
        "MATCH (n) RETURN n.set AS x, n:Create AS y, {merge: 1} AS z")
    with pytest.raises(BadRequest, match="vide"):
        check_text("   ")
    with pytest.raises(BadRequest, match="commentaires"):
        check_text("// rien")


def test_params_are_a_json_object():
    assert parse_params('{"a": 1}') == {"a": 1}
    assert parse_params(None) == {}
    with pytest.raises(BadRequest):
        parse_params('{"a b": 1}')
