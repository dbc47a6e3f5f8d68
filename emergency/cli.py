"""`ror urgences flux`: the synthetic emergency feed on its own (for a server started without it, or a load test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click


@click.group("urgences")
def emergency() -> None:
    """Activité des urgences : flux synthétique de démonstration."""


@emergency.command("flux")
@click.option("--graine", "seed", type=int, default=None, help="Graine du flux (défaut : ROR_EMERGENCY_FEED_SEED).")
@click.option("--jours", "days", type=click.IntRange(0, 30), default=7, show_default=True,
              help="Historique d'abord : les dernières 24 h en messages horaires, le reste dans les séries.")
@click.option("--une-fois", "once", is_flag=True, help="Envoyer l'historique et l'heure actuelle, puis s'arrêter.")
@click.option("--structures", "limit", type=click.IntRange(1), default=None,
              help="Limiter le flux aux N premières structures des urgences (ordre FINESS).")
@click.pass_obj
def feed_command(settings, seed: int | None, days: int, once: bool, limit: int | None) -> None:
    """Envoie le flux synthétique (données étiquetées synthétiques), idempotent : relancé, il ne renvoie rien
    de déjà reçu."""
    from emergency import feed, feeder
    from engines import manager
    from graph.driver import Graph

    graph = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    seed = settings.emergency_feed_seed if seed is None else seed
    every = timedelta(minutes=settings.emergency_feed_minutes)
    try:
        sites = feeder.sites(graph, limit)
        if days:
            click.echo(feeder.backfill(graph, seed, sites, timedelta(days=days), every))
        now = datetime.now(UTC)
        current = feeder.send(graph, seed, sites, feed.slots(now, now, every))
        click.echo(f"Heure actuelle : {current.accepted} messages enregistrés, {current.duplicates} déjà reçus, "
                   f"{current.refused} refusés.")
        if not once:
            click.echo(f"Flux en cours (un message par structure toutes les {every.seconds // 60} min ; Ctrl+C "
                       "pour arrêter)…")
            runner = feeder.Feeder(graph, seed=seed, every=every, backfill=timedelta(0), say=click.echo,
                                   sites_limit=limit).start()
            runner.thread.join()
    except KeyboardInterrupt:
        click.echo("Flux arrêté.")
    finally:
        graph.close()
