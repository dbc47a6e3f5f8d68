"""`ror index …` and `ror search …` commands: a thin layer over search.indexer and search.orientation."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager

import click

from core.jsonable import jsonable
from core.settings import Settings
from search.mappings import KINDS
from search.models import (
    ActTeamQuery,
    BedsQuery,
    EquipmentQuery,
    Gender,
    SearchResult,
    SpecialistOpinionQuery,
    TextQuery,
    Where,
)


@contextmanager
def _engines(settings: Settings):
    from engines import manager
    from graph.driver import Graph
    from search.client import make_client

    endpoints = manager.endpoints(settings)
    graph = Graph.from_settings(settings, endpoints.neo4j_uri)
    client = make_client(settings, endpoints.opensearch_url)
    try:
        yield graph, client
    finally:
        client.close()
        graph.close()


@click.group()
def index() -> None:
    """Index OpenSearch (projection du graphe)."""


@index.command("build")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Type de documents (défaut : tous).")
@click.option("--projections-only", is_flag=True,
              help="Seulement les autres projections (l'index FHIR), sans l'index d'orientation.")
@click.pass_obj
def index_build(settings: Settings, kinds: tuple[str, ...], projections_only: bool) -> None:
    """Reconstruit l'index (nouvelles versions par région, bascule atomique des alias)."""
    from search import sync
    from search.indexer import Indexer

    with _engines(settings) as (graph, client):
        if projections_only:
            for hook in sync.build_hooks:
                hook(graph, client, settings, click.echo)
            return
        report = Indexer(graph, client, settings.index_prefix).build(
            kinds or KINDS, progress=lambda kind, n: click.echo(f"  {kind} : {n:,} documents…".replace(",", " "),
                                                                err=True))
        for kind, count in report.counts.items():
            click.echo(f"{kind:<14} {count:>9,} documents dans {len(report.indices[kind])} index"
                       .replace(",", " "))
        click.echo(f"Version v{report.version} en service ({report.seconds:.1f} s).")
        for hook in sync.build_hooks if not kinds else ():  # other projections (the FHIR search index)
            hook(graph, client, settings, click.echo)


@index.command("sync")
@click.pass_obj
def index_sync(settings: Settings) -> None:
    """Pousse dans l'index ce qui a changé dans le graphe depuis la dernière synchronisation."""
    from search import sync
    from search.indexer import Indexer

    with _engines(settings) as (graph, client):
        report = Indexer(graph, client, settings.index_prefix).sync()
        click.echo(f"Offres : {report.offers}, établissements : {report.sites}, rôles : {report.professionals} "
                   f"(depuis {report.since.isoformat() if report.since else '-'}, {report.seconds:.2f} s).")
        for hook in sync.sync_hooks:  # other projections (the FHIR search index)
            hook(graph, client, settings, click.echo)


def _common(command: Callable) -> Callable:
    options = [
        click.option("--where", "-w", "where_text", help="Commune, code postal, code INSEE, adresse ou « lat,lon »."),
        click.option("--lat", type=float), click.option("--lon", type=float),
        click.option("--radius", "radius_km", type=float,
                     help="Rayon en km (défaut : rayon SAS du département, élargi s'il y a trop peu de résultats)."),
        click.option("--widen", is_flag=True, help="Élargir aussi le rayon donné s'il y a trop peu de résultats."),
        click.option("--region", help="Restreindre à une région (code INSEE, ex. 84)."),
        click.option("--department", help="Restreindre à un département (ex. 01, 2A, 971)."),
        click.option("--size", type=int, default=10, show_default=True),
        click.option("--page", type=int, default=1, show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Sortie JSON."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _base(kw: dict) -> dict:
    where = None
    if kw.get("where_text") or kw.get("lat") is not None or kw.get("lon") is not None:
        where = Where(text=kw.get("where_text"), lat=kw.get("lat"), lon=kw.get("lon"))
    return {"where": where, "radius_km": kw.get("radius_km"), "region": kw.get("region"),
            "department": kw.get("department"), "size": kw["size"], "page": kw["page"], "widen": kw.get("widen", False)}


def _run(settings: Settings, method: str, query, as_json: bool) -> None:
    from search.orientation import OrientationService

    with _engines(settings) as (graph, client):
        result = getattr(OrientationService(graph, client, settings), method)(query)
    if as_json:
        click.echo(json.dumps(jsonable(result), ensure_ascii=False, indent=2))
    else:
        _print(result)


def _print(result: SearchResult) -> None:
    if result.origin:
        radius = f"{result.radius_km:g} km ({'SAS' if result.radius_source == 'sas' else result.radius_source})" \
            if result.radius_km else "sans limite"
        click.echo(f"Depuis {result.origin.label}, rayon {radius} : {result.total} résultat(s).")
        if result.widening and result.widening.explanation:
            click.echo(result.widening.explanation)
    else:
        click.echo(f"{result.total} résultat(s).")
    for hit in result.hits:
        dist = f"{hit.distance_km:7.1f} km" if hit.distance_km is not None else "         -"
        reach = hit.reachability
        phone = (reach.phone or reach.mailbox or "") if reach else (hit.phone or "")
        who = f"{reach.phone_label} " if reach and reach.phone_label else ""
        if reach and reach.open_now is not None:
            who = f"[{'ouvert' if reach.open_now else 'fermé'}] {who}"
        extra = ""
        if hit.capacity:
            c = hit.capacity
            extra = f" | lits H{c.available_men or 0} F{c.available_women or 0} I{c.available_undifferentiated or 0}"
            extra += " (à confirmer)" if c.stale else ""
        for e in hit.equipment:
            extra += f" | {e.label} {'ouvert' if e.open_now else 'fermé'} {' '.join(e.hours_today) or '-'}"
        synthetic = " [fictif]" if hit.synthetic else ""
        click.echo(f"{dist}  {hit.name}{synthetic} — {hit.site_name or '-'} ({hit.city or '-'}, "
                   f"{hit.department_code or '-'}) — {who}{phone}{extra}")
    for facet in result.facets:
        top = ", ".join(f"{b.label} ({b.count})" for b in facet.buckets[:5])
        click.echo(f"  [{facet.name}] {top}")


@click.group()
def search() -> None:
    """Recherches d'orientation."""


@search.command("opinion")
@click.argument("activity")
@click.option("--age-group", help="Classe d'âge (code J15, ex. 03 = enfant).")
@click.option("--public", help="Public pris en charge (code J29).")
@click.option("--contact-function", help="Fonction du contact à appeler (code J220).")
@_common
@click.pass_obj
def search_opinion(settings: Settings, activity: str, age_group, public, contact_function, **kw) -> None:
    """Avis spécialisé : offres les plus proches pour une activité (code ou texte)."""
    query = SpecialistOpinionQuery(activity=activity, age_group=age_group, public=public,
                                   contact_function=contact_function, **_base(kw))
    _run(settings, "specialist_opinion", query, kw["as_json"])


@search.command("act")
@click.argument("act")
@click.option("--age-group")
@_common
@click.pass_obj
def search_act(settings: Settings, act: str, age_group, **kw) -> None:
    """Équipe réalisant un acte (thrombectomie, angioplastie coronaire, ECMO…)."""
    _run(settings, "act_team", ActTeamQuery(act=act, age_group=age_group, **_base(kw)), kw["as_json"])


@search.command("equipment")
@click.argument("equipment")
@click.option("--open-now", is_flag=True, help="Seulement les équipements ouverts maintenant (heure de Paris).")
@_common
@click.pass_obj
def search_equipment(settings: Settings, equipment: str, open_now: bool, **kw) -> None:
    """Lieux disposant d'un équipement (IRM, scanner, caisson hyperbare…)."""
    _run(settings, "equipment", EquipmentQuery(equipment=equipment, open_now=open_now, **_base(kw)), kw["as_json"])


@search.command("beds")
@click.argument("activity")
@click.option("--care-mode", help="Mode de prise en charge (code J19 ou texte).")
@click.option("--gender", type=click.Choice([g.value for g in Gender]), default="any", show_default=True)
@click.option("--fresh-only", is_flag=True, help="Masquer les capacités anciennes au lieu de les signaler.")
@_common
@click.pass_obj
def search_beds(settings: Settings, activity: str, care_mode, gender: str, fresh_only: bool, **kw) -> None:
    """Lits disponibles pour une activité et un mode de prise en charge."""
    query = BedsQuery(activity=activity, care_mode=care_mode, gender=Gender(gender), include_stale=not fresh_only,
                      **_base(kw))
    _run(settings, "beds", query, kw["as_json"])


@search.command("text")
@click.argument("text", default="")
@click.option("--activity")
@click.option("--care-mode")
@click.option("--field", "field_code", help="Champ d'activité (code J20).")
@click.option("--category", help="Catégorie FINESS de l'établissement.")
@_common
@click.pass_obj
def search_text(settings: Settings, text: str, activity, care_mode, field_code, category, **kw) -> None:
    """Recherche libre avec facettes."""
    query = TextQuery(text=text, activity=activity, care_mode=care_mode, field=field_code, category=category,
                      **_base(kw))
    _run(settings, "text", query, kw["as_json"])


@search.command("suggest")
@click.argument("prefix")
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(["activity", "act", "equipment", "commune", "site"]))
@click.option("--limit", type=int, default=8, show_default=True)
@click.pass_obj
def search_suggest(settings: Settings, prefix: str, kinds, limit: int) -> None:
    """Autocomplétion : activités, actes, équipements, communes, établissements."""
    from search.orientation import SUGGEST_KINDS, OrientationService

    with _engines(settings) as (graph, client):
        found = OrientationService(graph, client, settings).autocomplete(prefix, kinds or SUGGEST_KINDS, limit)
    for s in found:
        click.echo(f"{s.kind:<10} {s.code:<10} {s.label}  {s.detail or ''}")
