"""`ror load …` and `ror generate …` commands: thin wrappers over the loader functions."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import click

from core.settings import Settings

DEPARTMENTS_HELP = "Codes de départements séparés par des virgules (ex. 01,2A,971) ; défaut : tous."


def _departments(value: str | None) -> set[str] | None:
    return {code.strip().upper() for code in value.split(",") if code.strip()} if value else None


@contextmanager
def _graph(settings: Settings):
    from engines import manager
    from graph.driver import Graph

    g = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        g.apply_schema()
        yield g
    finally:
        g.close()


def _run(settings: Settings, name: str, work: Callable) -> None:
    """Run one load in a run folder, print its summary and where its rejects are."""
    from loaders.common import RunLog

    run = RunLog(name=name)
    with _graph(settings) as g:
        summary = work(g)
        g.replan()  # later queries are planned on the loaded data's statistics
    run.finish(summary)
    for line in summary.lines():
        click.echo(line)
    click.echo(f"Journal : {run.log_path}")


@click.group()
def load() -> None:
    """Chargement des données de référence dans le graphe."""


@load.command("nos")
@click.pass_obj
def load_nos_command(settings: Settings) -> None:
    """Nomenclatures NOS du ROR (tous les jeux de valeurs, codes retirés compris)."""
    from loaders.nos import load_nos

    _run(settings, "nos", lambda g: load_nos(g, settings.data_dir, progress=True))


@load.command("geo")
@click.pass_obj
def load_geo_command(settings: Settings) -> None:
    """Régions, départements (avec leurs contours) et communes."""
    from loaders.territories import load_territories

    _run(settings, "geo", lambda g: load_territories(g, settings.data_dir, progress=True))


@load.command("finess")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--departments", help=DEPARTMENTS_HELP)
@click.pass_obj
def load_finess_command(settings: Settings, path: Path, departments: str | None) -> None:
    """Entités juridiques et établissements d'un fichier FINESS (national ou extrait)."""
    from loaders.finess import load_finess

    _run(settings, "finess", lambda g: load_finess(g, path, settings.data_dir, progress=True,
                                                   departments=_departments(departments)))


@load.command("fhir")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def load_fhir_command(settings: Settings, path: Path) -> None:
    """Ressources FHIR R4 du ROR (fichier JSON, Bundle, NDJSON ou dossier de fichiers)."""
    from loaders.fhir import load_fhir

    _run(settings, "fhir", lambda g: load_fhir(g, path, progress=True))


@load.command("demo")
@click.option("--seed", default=42, show_default=True, type=int, help="Graine du générateur.")
@click.option("--departments", help=DEPARTMENTS_HELP)
@click.pass_obj
def load_demo_command(settings: Settings, seed: int, departments: str | None) -> None:
    """Tout le graphe de démonstration : NOS, territoires, FINESS national, offre synthétique."""
    from loaders.demo import load_demo

    _run(settings, "demo", lambda g: load_demo(settings, g, seed=seed, departments=_departments(departments)))


@click.group()
def generate() -> None:
    """Génération déterministe d'une offre synthétique."""


@generate.command("offer")
@click.option("--seed", default=42, show_default=True, type=int, help="Graine (même graine ⇒ même graphe).")
@click.option("--departments", help=DEPARTMENTS_HELP)
@click.option("--replace", is_flag=True, help="Supprime d'abord toute l'offre synthétique existante.")
@click.pass_obj
def generate_offer_command(settings: Settings, seed: int, departments: str | None, replace: bool) -> None:
    """Organisation interne, offres, équipements, professionnels, capacités et tensions synthétiques."""
    from loaders.generator import generate_offer

    _run(settings, "generate", lambda g: generate_offer(g, settings.data_dir, seed=seed, replace=replace,
                                                        departments=_departments(departments), progress=True))


@generate.command("figures")
@click.option("--offline", is_flag=True, help="Générer en mémoire depuis le fichier FINESS (sans moteur).")
@click.option("--seed", default=42, show_default=True, type=int, help="Graine (avec --offline).")
@click.option("--markdown", is_flag=True, help="Tableau Markdown (docs/generated-offer.md).")
@click.pass_obj
def generate_figures_command(settings: Settings, offline: bool, seed: int, markdown: bool) -> None:
    """Compare les effectifs nationaux de l'offre synthétique aux chiffres publiés (bandes de tolérance)."""
    from loaders.offer_stats import (
        comparison,
        count_graph,
        finess_sites,
        markdown_table,
        national_population,
        read_figures,
        tally_generation,
    )

    population = national_population(settings.data_dir)
    if offline:
        tally = tally_generation(finess_sites(settings.data_dir), seed, population)
    else:
        with _graph(settings) as g:
            tally = count_graph(g, population)
    rows = comparison(read_figures(settings.data_dir), tally)
    if markdown:
        click.echo(markdown_table(rows))
    else:
        for figure, value, ok in rows:
            click.echo(f"{'ok  ' if ok else 'HORS'} {figure.label} : {value:.0f} (publié {figure.value:.0f}, "
                       f"bande {figure.low():.0f}–{figure.high():.0f})")
    if not all(ok for _, _, ok in rows):
        raise SystemExit(1)
