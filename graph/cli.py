"""`ror cypher …` commands (pathway library, read-only console)."""

from __future__ import annotations

import json
from contextlib import contextmanager

import click

from core.errors import BadRequest


@click.group()
def cypher() -> None:
    """Bibliothèque de requêtes Cypher (lecture seule)."""


@cypher.command("list")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (titre, question, paramètres).")
def cypher_list(as_json: bool) -> None:
    """Liste les requêtes de la bibliothèque avec leur question et leurs paramètres."""
    from graph import library

    queries = library.all_queries()
    if as_json:
        click.echo(json.dumps([{"name": q.name, "title": q.title, "question": q.question,
                                "description": q.description,
                                "params": [{"name": p.name, "type": p.type, "required": p.required,
                                            "default": None if p.required else p.default,
                                            "description": p.description} for p in q.params]}
                               for q in queries], ensure_ascii=False, indent=2))
        return
    for q in queries:
        click.echo(f"{q.name}\n  {q.title}\n  ? {q.question}")
        for p in q.params:
            click.echo(f"    --param {p.describe()}")


@cypher.command("show")
@click.argument("name")
def cypher_show(name: str) -> None:
    """Affiche une requête de la bibliothèque (en-tête et texte Cypher)."""
    from graph import library

    click.echo(library.get(name).text, nl=False)


@cypher.command("run")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="CLÉ=VALEUR",
              help="Paramètre (répétable) ; listes séparées par des virgules ou en JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Sortie CSV.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.option("--timeout", default=60.0, show_default=True, help="Délai maximal en secondes.")
@click.pass_obj
def cypher_run(settings, name: str, params: tuple[str, ...], as_csv: bool, as_json: bool, timeout: float) -> None:
    """Exécute une requête de la bibliothèque (transaction de lecture)."""
    from graph import library

    given = _parse_pairs(params)
    with _graph(settings) as g:
        result = library.run(g, name, given, timeout_s=timeout)
    _emit(result, as_csv, as_json)


@cypher.command("console")
@click.argument("query")
@click.option("--params", "params_json", default="", help="Paramètres en objet JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Sortie CSV.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.option("--timeout", default=10.0, show_default=True, help="Délai maximal en secondes.")
@click.option("--max-rows", default=1000, show_default=True, help="Nombre maximal de lignes.")
@click.pass_obj
def cypher_console(settings, query: str, params_json: str, as_csv: bool, as_json: bool, timeout: float,
                   max_rows: int) -> None:
    """Exécute une requête ad hoc en lecture seule (toute écriture est refusée)."""
    from graph.console import ConsoleLimits, run_console

    with _graph(settings) as g:
        result = run_console(g, query, params_json, ConsoleLimits(timeout_s=timeout, row_cap=max_rows))
    _emit(result, as_csv, as_json)


@cypher.command("console-check")
@click.argument("query")
@click.pass_obj
def cypher_console_check(settings, query: str) -> None:
    """Vérifie, sans l'exécuter, qu'une requête serait acceptée par la console."""
    from graph.console import check_plan, check_text, explain

    statement = check_text(query)
    with _graph(settings) as g:
        query_type, plan = explain(g, statement)
    check_plan(query_type, plan)
    click.echo("Requête acceptée : lecture seule.")


def _parse_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    given = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadRequest(f"Paramètre mal formé : « {pair} » (attendu CLÉ=VALEUR).")
        given[key.strip()] = value
    return given


@contextmanager
def _graph(settings):
    from engines import manager
    from graph.driver import Graph

    g = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        yield g
    finally:
        g.close()


def _emit(result, as_csv: bool, as_json: bool) -> None:
    if as_csv and as_json:
        raise BadRequest("Choisissez --csv ou --json, pas les deux.")
    if as_csv:
        click.echo(result.to_csv(), nl=False)
    elif as_json:
        click.echo(result.to_json())
    else:
        click.echo(_table(result))
    note = " (tronqué)" if result.truncated else ""
    click.echo(f"{len(result.rows)} ligne(s) en {result.elapsed_ms:.0f} ms{note}.", err=True)


def _table(result, width: int = 40) -> str:
    cells = [[_cell(v, width) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(result.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value, width: int) -> str:
    text = "" if value is None else (json.dumps(value, ensure_ascii=False)
                                     if isinstance(value, dict | list) else str(value))
    return text if len(text) <= width else text[:width - 1] + "…"
