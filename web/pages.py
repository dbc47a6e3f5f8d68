"""Pages for people (French, server-rendered; JavaScript only enhances: autocomplete, map, geolocation)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, render_template, request

from core.errors import BadRequest, NotFound
from search import models
from web import api, graph_reads, reference
from web import endpoints as spec
from web.basemap import basemap_geojson
from web.params import Param, parse
from web.services import services

bp = Blueprint("pages", __name__)

MODES = {
    "specialist_opinion": "Avis spécialisé",
    "act_team": "Équipe pour un acte",
    "equipment": "Équipement",
    "beds": "Lits disponibles",
    "text": "Texte libre",
}
SEARCH_PARAMS = (
    Param("mode", "string", "Type de recherche", default="specialist_opinion", enum=tuple(MODES)),
    Param("quoi", "string", "Quoi ?", max_length=120),
    Param("code", "string", "Code choisi dans les suggestions", pattern=r"[0-9A-Za-z._-]{1,20}", max_length=20),
    Param("ou", "string", "Où ?", max_length=120),
    Param("lat", "number", "Latitude", minimum=-90, maximum=90),
    Param("lon", "number", "Longitude", minimum=-180, maximum=180),
    Param("age", "string", "Tranche d'âge", pattern=r"[0-9]{2}", max_length=2),
    Param("rayon", "number", "Rayon (km)", minimum=1, maximum=500),
    Param("ouvert", "boolean", "Ouvert maintenant", default=False),
    Param("lits", "boolean", "Lits disponibles", default=False),
    Param("genre", "string", "Lit pour", default="any", enum=("any", "women", "men")),
    Param("region", "string", "Région", pattern=r"[0-9]{2}", max_length=2),
    Param("dep", "string", "Département", pattern=r"[0-9]{2}|2[AB]|97[1-6]", max_length=3),
    Param("activite", "string", "Filtre activité", pattern=r"[0-9A-Za-z._-]{1,20}", max_length=20),
    Param("categorie", "string", "Filtre catégorie d'établissement", pattern=r"[0-9A-Za-z._-]{1,20}",
          max_length=20),
    Param("page", "integer", "Page", default=1, minimum=1, maximum=50),
)
FIELD_LABELS = {p.name: p.description for p in SEARCH_PARAMS}


@bp.get("/")
def search_page() -> tuple[str, int] | str:
    try:
        form = parse(SEARCH_PARAMS, request.args)
    except BadRequest as exc:
        return render_search(form=dict(request.args.items()), errors=exc.fields), 400
    if not form["quoi"] and not request.args.get("mode"):
        return render_search(form=form)
    if not form["quoi"]:
        return render_search(form=form, errors={"quoi": "indiquez ce que vous cherchez"}), 400
    mode = "beds" if form["lits"] else form["mode"]
    try:
        result = run_search(mode, form)
    except BadRequest as exc:
        errors = {_page_field(k): "à préciser" for k, v in exc.fields.items() if isinstance(v, str)}
        return render_search(form=form, errors=errors or {"ou": "à préciser"}, message=exc.message,
                             choices=_choices(exc.fields)), 400
    return render_search(form=form, result=result, mode=mode)


def _choices(fields: dict) -> list[tuple[str, str]]:
    """One-click corrections offered by the service: candidate communes, suggested codes."""
    pairs = sorted(request.args.items(multi=True))
    out = []
    for c in fields.get("candidates") or []:
        if isinstance(c, dict) and c.get("insee"):
            kept = [(k, v) for k, v in pairs if k not in {"ou", "lat", "lon", "page"}]
            out.append((f"{c.get('name')} ({c.get('department_code')})",
                        "/?" + urlencode([*kept, ("ou", f"insee:{c['insee']}")])))
    for s in fields.get("suggestions") or []:
        if isinstance(s, dict) and s.get("code"):
            kept = [(k, v) for k, v in pairs if k not in {"quoi", "code", "page"}]
            out.append((s.get("label") or s["code"],
                        "/?" + urlencode([*kept, ("quoi", s.get("label") or s["code"]), ("code", s["code"])])))
    return out


def _page_field(api_field: str) -> str:
    return {"where": "ou", "activity": "quoi", "act": "quoi", "equipment": "quoi", "q": "quoi",
            "radius_km": "rayon", "age_group": "age"}.get(api_field, api_field)


def run_search(mode: str, form: dict):
    """Call the orientation service for one page of results of `mode`."""
    what = form["code"] or form["quoi"]
    common = {"where": api.where_of({"lat": form["lat"], "lon": form["lon"], "where": form["ou"]}),
              "radius_km": form["rayon"], "region": form["region"], "department": form["dep"],
              "page": form["page"], "size": 20, "search_after": None}
    service = services().orientation
    if mode == "act_team":
        return service.act_team(models.ActTeamQuery(act=what, age_group=form["age"], **common))
    if mode == "equipment":
        return service.equipment(models.EquipmentQuery(equipment=what, open_now=form["ouvert"], **common))
    if mode == "beds":
        return service.beds(models.BedsQuery(activity=what, gender=models.Gender(form["genre"]),
                                             age_group=form["age"], **common))
    if mode == "text":
        return service.text(models.TextQuery(text=form["quoi"], activity=form["activite"],
                                             category=form["categorie"], **common))
    return service.specialist_opinion(models.SpecialistOpinionQuery(activity=what, age_group=form["age"], **common))


def render_search(*, form: dict, errors: dict | None = None, result=None, mode: str | None = None,
                  message: str | None = None, choices: list | None = None) -> str:
    settings = current_app.extensions["ror_settings"]
    return render_template(
        "search.html", form=form, errors=errors or {}, result=result, mode=mode or form.get("mode"),
        modes=MODES, message=message, field_labels=FIELD_LABELS, age_groups=reference.age_groups(settings.data_dir),
        regions=reference.regions(settings.data_dir), map_data=_map_data(result) if result else None,
        next_url=_next_url(result) if result else None, tile_url=settings.tile_url or "",
        widen=_widen_urls(result) if result else [], choices=choices or [],
        facets=_facet_links(result) if result else [],
    )


FACET_PARAMS = {"activity": ("activite", "Activité"), "department": ("dep", "Département"),
                "region": ("region", "Région"), "category": ("categorie", "Catégorie d'établissement")}


def _facet_links(result) -> list[tuple[str, list[tuple[str, int, str, bool]]]]:
    """(title, [(label, count, url, selected)]) for each facet the service returned (free-text mode)."""
    pairs = sorted(request.args.items(multi=True))
    out = []
    for facet in getattr(result, "facets", ()) or ():
        if facet.name not in FACET_PARAMS or not facet.buckets:
            continue
        param, title = FACET_PARAMS[facet.name]
        kept = [(k, v) for k, v in pairs if k not in {param, "page"}]
        links = [(b.label, b.count, "/?" + urlencode([*kept, (param, b.key)]), request.args.get(param) == b.key)
                 for b in facet.buckets[:8]]
        out.append((title, links))
    return out


def _widen_urls(result) -> list[tuple[int, str]]:
    """One-click wider radii (×2, ×4) keeping every other criterion."""
    if not result.origin or not result.radius_km:
        return []
    pairs = [(k, v) for k, v in sorted(request.args.items(multi=True)) if k not in {"rayon", "page"}]
    step = getattr(result, "enlargement_km", None)
    wider = (result.radius_km + step, result.radius_km + 2 * step) if step else (result.radius_km * 2,
                                                                                 result.radius_km * 4)
    radii = sorted({int(min(500, round(r))) for r in wider} - {int(result.radius_km)})
    return [(r, "/?" + urlencode([*pairs, ("rayon", str(r))])) for r in radii]


def _map_data(result) -> str:
    markers = [{"lat": h.lat, "lon": h.lon, "name": h.name, "site": h.site_name,
                "url": f"/offres/{h.offer_id}", "distance_km": h.distance_km}
               for h in result.hits if h.lat is not None and h.lon is not None]
    origin = result.origin
    body = {"markers": markers, "radius_km": result.radius_km,
            "origin": {"lat": origin.lat, "lon": origin.lon, "label": origin.label} if origin else None}
    return json.dumps(body, ensure_ascii=False).replace("<", "\\u003c")


def _next_url(result) -> str | None:
    if result.page * result.size >= result.total or result.page >= 50:
        return None
    pairs = [(k, v) for k, v in sorted(request.args.items(multi=True)) if k != "page"]
    return "/?" + urlencode([*pairs, ("page", str(result.page + 1))])


@bp.get("/etablissements/<finess>")
def site_page(finess: str) -> str:
    args = parse(spec.SITE.params, {}, {"finess": finess})
    site = api.visible_site(args["finess"])
    if site is None:
        raise NotFound(f"Aucun établissement avec le numéro FINESS {finess}.")
    context = graph_reads.site_context(services().get_graph(), site.finess)  # reachable: checked above
    return render_template("site.html", site=site, context=context, map_data=_single_marker(site),
                           tile_url=current_app.extensions["ror_settings"].tile_url or "")


@bp.get("/offres/<offer_id>")
def offer_page(offer_id: str) -> str:
    args = parse(spec.OFFER.params, {}, {"offer_id": offer_id})
    detail = api.visible_offer(args["offer_id"])
    if detail is None:
        raise NotFound("Aucune offre avec cet identifiant.")
    context = graph_reads.offer_context(services().get_graph(), detail.offer.offer_id)
    sparklines = []
    for place in context.places if context else []:
        values = [h.get("available_total") for h in place.get("history") or []]
        sparklines.append({"place": place, "points": graph_reads.sparkline(values), "series": values})
    return render_template("offer.html", detail=detail, offer=detail.offer, context=context, sparklines=sparklines,
                           map_data=_single_marker(detail.offer),
                           tile_url=current_app.extensions["ror_settings"].tile_url or "")


def _single_marker(item) -> str:
    markers = []
    if getattr(item, "lat", None) is not None and getattr(item, "lon", None) is not None:
        markers.append({"lat": item.lat, "lon": item.lon, "name": item.name, "url": None, "distance_km": None})
    return json.dumps({"markers": markers, "radius_km": None, "origin": None},
                      ensure_ascii=False).replace("<", "\\u003c")


@bp.get("/favicon.ico")
def favicon() -> Response:
    return current_app.send_static_file("favicon.svg")


@bp.get("/carte/fond.geojson")
def basemap() -> Response:
    body = basemap_geojson(current_app.extensions["ror_settings"].data_dir)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def register_filters(app: Flask) -> None:
    app.add_template_filter(km)
    app.add_template_filter(tel_href)
    app.add_template_filter(phone_fr)
    app.add_template_filter(hours_fr)
    app.add_template_filter(weekday_hours)


def km(value: float | None) -> str:
    """12.345 → "12,3 km" (one decimal, French decimal comma)."""
    return "" if value is None else f"{value:.1f} km".replace(".", ",")


def tel_href(phone: str | None) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if digits else ""


def phone_fr(phone: str | None) -> str:
    """"0479425959" → "04 79 42 59 59" (other formats unchanged)."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) == 10 and digits.startswith("0"):
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return phone or ""


def hours_fr(value: float | None) -> str:
    if value is None:
        return "âge inconnu"
    if value < 1:
        return "il y a moins d'une heure"
    if value < 48:
        return f"il y a {value:.0f} h"
    return f"il y a {value / 24:.0f} jours"


WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def weekday_hours(hours: list[str] | tuple[str, ...] | None) -> list[tuple[str, str]]:
    """["1 08:00-20:00", …] → [("lundi", "08:00-20:00"), …] grouped per day."""
    days: dict[int, list[str]] = {}
    for entry in hours or ():
        day, _, span = entry.partition(" ")
        if day.isdigit() and 1 <= int(day) <= 7:
            days.setdefault(int(day), []).append(span)
    return [(WEEKDAYS[d - 1], ", ".join(spans)) for d, spans in sorted(days.items())]
