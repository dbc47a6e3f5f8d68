"""`ror` command line: a thin layer over the libraries (engines, graph, loaders, search, web)."""

from __future__ import annotations

import json
import sys

import click

from core.errors import RorError
from core.settings import Settings
from engines import manager


class RorGroup(click.Group):
    """Turns every product error into a one-line French message and exit code 1 (no stack trace)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RorError as exc:
            click.echo(f"Erreur : {exc.message}", err=True)
            sys.exit(1)


@click.group(cls=RorGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Moteur d'orientation dans l'offre de soins (graphe Neo4j + index OpenSearch)."""
    ctx.obj = Settings.from_env()


@cli.group()
def engines() -> None:
    """Moteurs locaux Neo4j et OpenSearch (téléchargés depuis Maven Central)."""


@engines.command("up")
@click.option("--search-nodes", type=click.IntRange(1, 9), default=None,
              help="Nœuds OpenSearch (plusieurs : un vrai cluster local ; défaut : ROR_SEARCH_NODES).")
@click.pass_obj
def engines_up(settings: Settings, search_nodes: int | None) -> None:
    """Démarre Neo4j et OpenSearch (réutilise ceux qui tournent déjà)."""
    if search_nodes:
        settings = settings.replace(search_nodes=search_nodes)
    click.echo("Démarrage des moteurs (le premier lancement télécharge les artefacts)…", err=True)
    _print_statuses(manager.up(settings))
    _print_cluster(manager.cluster_health(settings))


@engines.command("down")
@click.option("--all", "everything", is_flag=True, help="Arrête aussi les instances laissées par les tests.")
@click.pass_obj
def engines_down(settings: Settings, everything: bool) -> None:
    """Arrête les moteurs démarrés par `ror engines up` (par leur PID)."""
    if everything:
        stopped = manager.down_all(settings)
        click.echo(f"Instances arrêtées : {', '.join(stopped) or 'aucune'}.")
    else:
        manager.down(settings)
        click.echo("Moteurs arrêtés.")


@engines.command("status")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.pass_obj
def engines_status(settings: Settings, as_json: bool) -> None:
    """État, version, PID et mémoire des moteurs."""
    statuses = manager.status(settings)
    health = manager.cluster_health(settings)
    if as_json:
        click.echo(json.dumps({"engines": [s.__dict__ for s in statuses], "cluster": health}, indent=2))
    else:
        _print_statuses(statuses)
        _print_cluster(health)
    if not all(s.healthy for s in statuses):
        sys.exit(3)


def _print_cluster(health: dict | None) -> None:
    """One line on the OpenSearch cluster as a whole: green, yellow (a replica missing) or red (data missing)."""
    if health is None:
        click.echo("cluster      injoignable")
        return
    click.echo(f"cluster      {health['status']:<8} {health['cluster_name']} : {health['number_of_nodes']} nœud(s), "
               f"{health['active_shards']} shards actifs, {health['unassigned_shards']} non affectés")


def _print_statuses(statuses) -> None:
    for s in statuses:
        state = "externe" if s.external else ("OK" if s.healthy else ("démarre" if s.running else "arrêté"))
        extra = f" pid={s.pid}" if s.pid else ""
        extra += f" rss={s.rss_mib:.0f} MiB" if s.rss_mib else ""
        click.echo(f"{s.name:<12} {state:<8} {s.version or '-':<8} {s.url}{extra}")


@cli.group()
def graph() -> None:
    """Schéma et état du graphe."""


@graph.command("init")
@click.pass_obj
def graph_init(settings: Settings) -> None:
    """Crée les contraintes et index (répétable)."""
    from graph.driver import Graph

    g = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        n = g.apply_schema()
    finally:
        g.close()
    click.echo(f"Schéma appliqué : {n} instructions.")


@graph.command("counts")
@click.pass_obj
def graph_counts(settings: Settings) -> None:
    """Nombre de nœuds par étiquette."""
    from graph.driver import Graph

    g = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        for label, count in g.counts().items():
            click.echo(f"{label:<20} {count:>10,}".replace(",", " "))
    finally:
        g.close()


@cli.command()
@click.option("--reload", is_flag=True, help="Recharge les données et reconstruit l'index même s'ils existent.")
@click.option("--departments", help="Limiter l'offre à ces départements (ex. 01,2A,971) pour une démo rapide.")
@click.option("--sans-flux-urgences", "no_feed", is_flag=True,
              help="Ne pas lancer le flux synthétique d'activité des urgences (ROR_EMERGENCY_FEED=0).")
@click.pass_obj
def demo(settings: Settings, reload: bool, departments: str | None, no_feed: bool) -> None:
    """Démarre les moteurs, charge les données (une fois), construit l'index et sert l'application."""
    from ror import demo as demo_module

    chosen = {d.strip().upper() for d in departments.split(",") if d.strip()} if departments else None
    demo_module.run(settings, reload=reload, departments=chosen, emergency_feed=False if no_feed else None)


def _register_commands() -> None:
    from accounts.cli import users
    from emergency.cli import emergency
    from fhir_api.index import listeners
    from graph.cli import cypher
    from loaders.cli import generate, load
    from quality.cli import quality
    from search.cli import index, search
    from web.cli import web

    for command in (load, generate, index, search, web, cypher, users, quality, emergency):
        cli.add_command(command)
    listeners.install()  # `ror index build/sync` also build/sync the FHIR search index


_register_commands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
