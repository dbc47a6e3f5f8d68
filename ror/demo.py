"""`make demo` / `ror demo`: engines up, bundled data loaded once, index built or synced, app served."""

from __future__ import annotations

from collections.abc import Callable

from core.settings import Settings
from engines import manager


def prepare(settings: Settings, *, reload: bool = False, departments: set[str] | None = None,
            say: Callable[[str], None] = print) -> tuple[object, object]:
    """Start/reuse the engines, load the demo graph if it is empty (or `reload`), build or sync the index.

    Returns the (graph, search client) to serve with; the caller closes them.
    """
    from graph.driver import Graph
    from loaders.demo import load_demo
    from search.client import make_client
    from search.indexer import Indexer

    for status in manager.up(settings):
        say(f"{status.name} : {'externe' if status.external else 'prêt'} ({status.version or status.url})")
    endpoints = manager.endpoints(settings)
    graph = Graph.from_settings(settings, endpoints.neo4j_uri)
    client = make_client(settings, endpoints.opensearch_url)
    graph.apply_schema()
    loaded = graph.read("MATCH (o:Offer) RETURN count(o) > 0 AS loaded")[0]["loaded"]
    if reload or not loaded:
        say("Chargement des données de référence et de l'offre synthétique (quelques minutes la première fois)…")
        summary = load_demo(settings, graph, progress=True, departments=departments)
        for line in summary.lines():
            say(line)
    else:
        say("Graphe déjà chargé (relancez avec --reload pour le recharger).")
    indexer = Indexer(graph, client, settings.index_prefix)
    if reload or not client.indices.exists_alias(name=indexer.names.alias("offers")):
        say("Construction de l'index de recherche…")
        report = indexer.build()
        counts = ", ".join(f"{n:,} {kind}".replace(",", " ") for kind, n in report.counts.items())
        say(f"Index v{report.version} construit en {report.seconds:.1f} s : {counts}.")
    else:
        report = indexer.sync()
        say(f"Index synchronisé en {report.seconds:.1f} s : {report.offers} offres, {report.sites} sites, "
            f"{report.professionals} rôles mis à jour.")
    _fhir_index(settings, graph, client, reload, say)
    return graph, client


def _fhir_index(settings: Settings, graph, client, reload: bool, say: Callable[[str], None]) -> None:
    """The FHIR search index (fhir_api.index): built like the orientation index, else synchronised."""
    from fhir_api.index import listeners
    from fhir_api.index.names import alias

    if reload or not client.indices.exists_alias(name=alias(settings.index_prefix, "HealthcareService")):
        say("Construction de l'index FHIR…")
        listeners.on_build(graph, client, settings, say)
    else:
        listeners.on_sync(graph, client, settings, say)


def run(settings: Settings, *, reload: bool = False, departments: set[str] | None = None,
        emergency_feed: bool | None = None) -> None:
    from web.app import serve

    graph, client = prepare(settings, reload=reload, departments=departments)
    feeder = start_emergency_feed(settings, graph) if (
        settings.emergency_feed if emergency_feed is None else emergency_feed) else None
    try:
        # the app opens its own driver, bounded for interactive requests (loading and the feed keep the batch one)
        serve(settings, search=client)
    finally:
        if feeder is not None:
            feeder.stop()
        client.close()
        graph.close()


def start_emergency_feed(settings: Settings, graph, say: Callable[[str], None] = print):
    """The synthetic emergency feed (labelled synthetic): the last 7 days, then every few minutes, in the
    background while the app serves."""
    from datetime import timedelta

    from emergency.feeder import Feeder

    say(f"Flux synthétique des urgences : graine {settings.emergency_feed_seed}, un message par structure toutes "
        f"les {settings.emergency_feed_minutes} min (désactivable : --sans-flux-urgences).")
    return Feeder(graph, seed=settings.emergency_feed_seed, every=timedelta(minutes=settings.emergency_feed_minutes),
                  say=say).start()
