"""`ror quality nos-update` and `ror quality retired`: nomenclature updates and the offers they affect."""

from __future__ import annotations

from pathlib import Path

import click

from core.clock import paris_today


def _graph(settings):
    from engines import manager
    from graph.driver import Graph

    return Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)


def _print_uses(uses) -> None:
    for u in uses:
        click.echo(f"{u.finess or '-':<10} {u.offer_id:<28} {u.relation:<10} {u.key:<12} "
                   f"{(u.label or '')[:40]:<40} retiré le {u.retired_on or '?'}")


@click.group()
def quality() -> None:
    """Qualité des données : règles, nomenclatures."""


@quality.command("nos-update")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Fichier NOS (défaut : celui du dossier de données).")
@click.pass_obj
def nos_update(settings, path: Path | None) -> None:
    """Charge une version des nomenclatures NOS et liste les offres qui utilisent des codes qu'elle retire."""
    from quality.nos import update_nos

    graph = _graph(settings)
    try:
        report = update_nos(graph, settings.data_dir, path)
    finally:
        graph.close()
    click.echo(f"Nomenclatures chargées depuis {report.version_file}.")
    click.echo(f"Codes nouvellement retirés : {', '.join(report.newly_retired) or 'aucun'}.")
    click.echo(f"Offres concernées : {len({u.offer_id for u in report.uses})}.")
    _print_uses(report.uses)


@quality.command("retired")
@click.pass_obj
def retired(settings) -> None:
    """Offres qui utilisent encore un code NOS retiré à ce jour."""
    from quality.nos import offers_using, retired_keys

    graph = _graph(settings)
    try:
        uses = offers_using(graph, retired_keys(graph, as_of=paris_today()))
    finally:
        graph.close()
    click.echo(f"Offres concernées : {len({u.offer_id for u in uses})}.")
    _print_uses(uses)


@quality.command("indicateurs")
@click.option("--sans-index", "without_index", is_flag=True,
              help="Ne pas lire l'index de recherche (pas d'indicateur de fraîcheur des capacités).")
@click.pass_obj
def indicators_command(settings, without_index: bool) -> None:
    """Calcule les indicateurs de pilotage (complétude, peuplement, capacités périmées) par région et par
    département et les enregistre (publiés en FHIR : Measure, MeasureReport)."""
    import time

    from engines import manager
    from quality import indicators
    from search.client import make_client
    from search.sync import IndexSync

    graph = _graph(settings)
    client = None if without_index else make_client(settings, manager.endpoints(settings).opensearch_url)
    started = time.perf_counter()
    try:
        values = indicators.compute(graph, index=IndexSync(graph, client, settings.index_prefix),
                                    stale_hours=settings.capacity_stale_hours)
        graph.apply_schema()
        run_id = indicators.record(graph, values, stale_hours=settings.capacity_stale_hours)
    finally:
        graph.close()
        if client is not None:
            client.close()
    france = {(v.indicator, v.group): v for v in values if v.level == "france"}
    click.echo(f"Indicateurs enregistrés (calcul {run_id}, {len(values)} valeurs, "
               f"{time.perf_counter() - started:.0f} s) :")
    for (indicator, group), value in sorted(france.items()):
        score = "—" if value.score is None else f"{value.score:g} %"
        click.echo(f"  {indicator:<20} {group:<16} France : {score} ({value.numerator}/{value.denominator})")
