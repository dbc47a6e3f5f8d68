"""The console's shape check refuses, before Neo4j, what its parser cannot survive (issue 19, finding 1).

tests/integration/test_console_limits.py shows that Neo4j answers at these limits and hangs far beyond them.
"""

from __future__ import annotations

import pytest

from core.errors import BadRequest
from graph import library
from graph.console import (
    MAX_DEPTH,
    MAX_HOPS,
    MAX_SUBQUERY_DEPTH,
    MAX_UNIONS,
    QueryTooComplex,
    check_text,
    parse_params,
)

# Issue 19's input: a 2 KB query of 1,000 nested lists (it hung Neo4j's connection for 241 s).
NESTED_LISTS = "RETURN " + "[" * 1000 + "1" + "]" * 1000


def forms(n: int) -> dict[str, str]:
    """Each way of nesting or chaining an expression n times, as it was found to overflow Neo4j's parser."""
    return {
        "lists": "RETURN " + "[" * n + "1" + "]" * n,
        "parentheses": "RETURN " + "(" * n + "1" + ")" * n,
        "maps": "RETURN " + "{a: " * n + "1" + "}" * n,
        "functions": "RETURN " + "abs(" * n + "1" + ")" * n,
        "case": "RETURN " + "CASE WHEN true THEN " * n + "1" + " END" * n,
        "concatenation": "RETURN " + " + ".join(["'a'"] * (n + 1)),
        "not": "RETURN " + "NOT " * n + "true",
        "and": "RETURN " + " AND ".join(["true"] * (n + 1)),
        "properties": "WITH {} AS m RETURN m" + ".a" * n,
        "mixed": "RETURN " + "[1 + " * n + "1" + "]" * n,
        "indexes": "WITH {a: {}} AS m RETURN m" + "['a']" * n,
    }


def nested_exists(n: int) -> str:
    """n nested EXISTS subqueries: planning time grows exponentially with n (40 kept Neo4j busy for minutes)."""
    return ("MATCH (s:Site) WHERE " + "EXISTS { MATCH (s)-[:IN]->(c:Commune) WHERE " * n + "true" + " }" * n
            + " RETURN s.name")


def test_issue_input_is_refused_before_neo4j():
    with pytest.raises(QueryTooComplex) as refused:
        check_text(NESTED_LISTS)
    assert refused.value.status == 400 and refused.value.code == "query_too_complex"
    assert f"plus de {MAX_DEPTH} niveaux" in refused.value.message and "query" in refused.value.fields


@pytest.mark.parametrize("form", sorted(forms(1)))
def test_each_form_is_refused_beyond_the_limit(form):
    with pytest.raises(QueryTooComplex):
        check_text(forms(MAX_DEPTH + 1)[form])


@pytest.mark.parametrize("form", sorted(forms(1)))
def test_each_form_passes_well_within_the_limit(form):
    check_text(forms(MAX_DEPTH // 2 - 1)[form])


def test_literals_and_comments_do_not_count():
    check_text("RETURN '" + "[" * 5000 + "' AS s // " + "(" * 5000)
    check_text("RETURN `" + "{" * 300 + "` IS NULL AS x /* " + "NOT " * 300 + " */")


def test_unions_and_long_paths_are_bounded():
    with pytest.raises(QueryTooComplex, match="UNION"):
        check_text(" UNION ".join(["RETURN 1 AS x"] * (MAX_UNIONS + 2)))
    check_text(" UNION ".join(["RETURN 1 AS x"] * (MAX_UNIONS + 1)))
    path = "MATCH " + "-[:IN]->".join(f"(a{i})" for i in range(MAX_HOPS + 2)) + " RETURN a0"
    with pytest.raises(QueryTooComplex, match="relations"):
        check_text(path)
    check_text("MATCH " + "-[:IN]->".join(f"(a{i}:Site)" for i in range(MAX_HOPS + 1)) + " RETURN a0")


def test_nested_subqueries_are_bounded():
    with pytest.raises(QueryTooComplex, match="sous-requêtes"):
        check_text(nested_exists(MAX_SUBQUERY_DEPTH + 1))
    check_text(nested_exists(MAX_SUBQUERY_DEPTH))
    check_text("MATCH (s:Site) WHERE " + " AND ".join(["EXISTS { MATCH (s)-[:IN]->(:Commune) }"] * 40) + " RETURN s")


def test_every_library_query_passes_the_console_checks():
    """The shape limits leave room for real analyses: the library's queries are far inside them."""
    for query in library.all_queries():
        check_text(query.text)


def test_parameters_nesting_and_size_are_bounded():
    deep = {"x": 1}
    for _ in range(20):
        deep = {"x": [deep]}
    with pytest.raises(BadRequest, match="imbriqués"):
        parse_params(deep)
    with pytest.raises(BadRequest, match="volumineux"):
        parse_params({"x": list(range(200_000))})
    assert parse_params({"x": [[1, 2], {"a": "b"}]}) == {"x": [[1, 2], {"a": "b"}]}
