"""Pages for people (French, server-rendered; JavaScript only enhances: autocomplete, map, geolocation)."""

from __future__ import annotations

import gzip
import json
from functools import cache
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, render_template, request

from core import clock
from core.errors import BadRequest, NotFound, RorError
from search import diagnosis, grouping, models
from web import api, graph_reads, reference
from web import endpoints as spec
from web.basemap import basemap_geojson, place_labels
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
    Param("elargir", "boolean", "Élargir aussi ce rayon s'il y a trop peu de résultats", default=False),
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
PAGE_SIZE = 20
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
    service = services().orientation
    switched = None
    try:
        query = build_query(mode, form)
        try:
            result = diagnosis.run(service, query)
        except BadRequest as exc:
            others = _other_modes(service, mode, form, exc)
            if len(others) != 1:
                raise
            switched = (mode, others[0])  # the words name an act, not an activity (or the reverse): say so
            mode = others[0].mode
            query = build_query(mode, {**form, "code": None})
            result = diagnosis.run(service, query)
    except BadRequest as exc:
        errors = {_page_field(k): "à préciser" for k, v in exc.fields.items() if isinstance(v, str)}
        choices = _mode_choices(_other_modes(service, mode, form, exc)) + _choices(exc.fields)
        return render_search(form=form, errors=errors or {"ou": "à préciser"}, message=exc.message,
                             choices=choices), 400
    empty = diagnosis.why_empty(service, query, result.radius_km) if result.total == 0 else None
    return render_search(form={**form, "mode": mode}, result=result, mode=mode, empty=empty,
                         switched=_switched(switched))


KIND_LABELS = {"activity": "une activité", "act": "un acte", "equipment": "un équipement"}


def _other_modes(service, mode: str, form: dict, exc: BadRequest) -> list:
    """Other modes the typed words make sense in, when what failed was what was asked (not where)."""
    if mode == "text" or form["code"] or not set(exc.fields) & set(diagnosis.MODE_OF_KIND):
        return []
    return diagnosis.other_modes(service.vocabulary, mode, form["quoi"])


def url_with(**changes) -> str:
    """This page's URL with some parameters changed (None removes one), back to the first page."""
    pairs = [(k, v) for k, v in sorted(request.args.items(multi=True)) if k not in changes and k != "page"]
    return "/?" + urlencode([*pairs, *((k, str(v)) for k, v in changes.items() if v is not None)])


def _mode_choices(others: list) -> list[tuple[str, str]]:
    out = []
    for other in others:
        named = other.concepts[0].label if len(other.concepts) == 1 else request.args.get("quoi", "")
        out.append((f"« {named} » est {KIND_LABELS[other.kind]} : chercher en « {MODES[other.mode]} »",
                    url_with(mode=other.mode, code=None, lits=None)))
    return out


def _switched(switched) -> dict | None:
    """The notice of an automatic change of mode, with the way back to the mode asked."""
    if switched is None:
        return None
    asked, other = switched
    return {"asked": MODES.get(asked, asked), "used": MODES[other.mode], "kind": KIND_LABELS[other.kind],
            "concepts": other.concepts}


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


def build_query(mode: str, form: dict):
    """The orientation query of one page of results of `mode`."""
    what = form["code"] or form["quoi"]
    common = {"where": api.where_of({"lat": form["lat"], "lon": form["lon"], "where": form["ou"]}),
              "radius_km": form["rayon"], "widen": form["elargir"], "region": form["region"],
              "department": form["dep"], "page": form["page"], "size": PAGE_SIZE, "search_after": None}
    if mode == "act_team":
        return models.ActTeamQuery(act=what, age_group=form["age"], **common)
    if mode == "equipment":
        return models.EquipmentQuery(equipment=what, open_now=form["ouvert"], **common)
    if mode == "beds":
        return models.BedsQuery(activity=what, gender=models.Gender(form["genre"]), age_group=form["age"], **common)
    if mode == "text":
        return models.TextQuery(text=form["quoi"], activity=form["activite"], category=form["categorie"], **common)
    return models.SpecialistOpinionQuery(activity=what, age_group=form["age"], **common)


def render_search(*, form: dict, errors: dict | None = None, result=None, mode: str | None = None,
                  message: str | None = None, choices: list | None = None, empty=None, switched=None) -> str:
    settings = current_app.extensions["ror_settings"]
    groups = []
    if result is not None and result.hits:
        finess = [h.site_finess for h in result.hits if h.site_finess]
        groups = grouping.by_site(result.hits, switchboards(finess))
    return render_template(
        "search.html", form=form, errors=errors or {}, result=result, mode=mode or form.get("mode"),
        modes=MODES, message=message, field_labels=FIELD_LABELS, age_groups=reference.age_groups(settings.data_dir),
        regions=reference.regions(settings.data_dir), map_data=_map_data(result, groups) if result else None,
        next_url=_next_url(result) if result else None, tile_url=settings.tile_url or "",
        widen=_widen_urls(result) if result else [], choices=choices or [], groups=groups,
        facets=_facet_links(result) if result else [], empty=_empty_help(empty, form) if empty else None,
        switched=switched, compact=result is not None or bool(errors), criteria=_criteria(form),
    )


def switchboards(finess: list[str]) -> dict:
    """The sites' switchboards; without the graph the cards still show their units' own numbers."""
    try:
        return graph_reads.switchboards(services().get_graph(), finess)
    except RorError:
        return {}


CRITERIA = {"age_group": "age", "open_now": "ouvert", "gender": "genre", "region": "region", "department": "dep",
            "public": None, "available_beds": "lits"}
CRITERIA_LABELS = {"age_group": "la tranche d'âge", "open_now": "« Ouvert maintenant »", "gender": "le genre du lit",
                   "region": "la région", "department": "le département", "public": "le public",
                   "available_beds": "« Lits disponibles »"}


def _empty_help(empty, form: dict) -> dict:
    """What emptied the list and the links that undo it (each keeps every other criterion)."""
    relaxed = []
    for r in empty.relaxed:
        param = CRITERIA.get(r.criterion)
        changes = {param: None} if param else {}
        if r.criterion == "available_beds":
            changes = {"lits": None, "mode": "specialist_opinion"}
        relaxed.append({"label": CRITERIA_LABELS.get(r.criterion, r.criterion), "count": r.count,
                        "url": url_with(**changes) if changes else None})
    nearest = None
    if empty.nearest is not None:
        n = empty.nearest
        nearest = {"hit": n.hit, "distance_km": n.distance_km, "radius_km": n.radius_km,
                   "url": url_with(rayon=n.radius_km)}
    # an explicit radius is honoured: when nothing is found even far beyond it, offer the adaptive search (for a
    # time-critical act, the nearest teams whatever the distance) instead of a dead end
    widen_url = url_with(elargir="oui") if nearest is None and form.get("rayon") and not form.get("elargir") else None
    return {"relaxed": relaxed, "nearest": nearest, "declared_anywhere": empty.declared_anywhere,
            "widen_url": widen_url}


def _criteria(form: dict) -> list[str]:
    """The criteria of the folded part of the form that are set, said in a few words (shown on the fold)."""
    out = []
    if form.get("age"):
        out.append(dict(reference.age_groups(current_app.extensions["ror_settings"].data_dir)).get(form["age"],
                                                                                                   form["age"]))
    if form.get("rayon") is not None:
        out.append(f"rayon {form['rayon']:g} km" if isinstance(form["rayon"], int | float) else "rayon")
    if form.get("region"):
        out.append(dict(reference.regions(current_app.extensions["ror_settings"].data_dir)).get(form["region"],
                                                                                               form["region"]))
    if form.get("genre") and form["genre"] != "any":
        out.append({"women": "lit pour une femme", "men": "lit pour un homme"}.get(form["genre"], form["genre"]))
    if form.get("ouvert"):
        out.append("ouvert maintenant")
    if form.get("lits"):
        out.append("lits disponibles")
    return out


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


def _map_data(result, groups: list) -> str:
    """One marker per site card (same number), its units in the popup; the search origin and radius."""
    markers = [{"lat": g.lat, "lon": g.lon, "name": g.name, "url": f"#site-{i}", "site_url":
                f"/etablissements/{g.finess}" if g.finess else None, "distance_km": g.distance_km,
                "units": [u.name for u in g.units[:6]], "more": max(0, len(g.units) - 6)}
               for i, g in enumerate(groups, start=1) if g.lat is not None and g.lon is not None]
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
    return render_template("site.html", site=site, context=context, map_data=_single_marker(site, site.finess),
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
                           map_data=_single_marker(detail.offer, detail.offer.site_finess),
                           tile_url=current_app.extensions["ror_settings"].tile_url or "")


NEIGHBOURS = 12
NEIGHBOUR_RADIUS_KM = 15


def _single_marker(item, finess: str | None = None) -> str:
    """The site (numbered 1) and its nearest neighbouring establishments, so the map is zoomed where it is."""
    markers = []
    if getattr(item, "lat", None) is not None and getattr(item, "lon", None) is not None:
        markers.append({"lat": item.lat, "lon": item.lon, "name": getattr(item, "site_name", None) or item.name,
                        "url": None, "distance_km": None})
        markers += [{"lat": n.lat, "lon": n.lon, "name": n.name, "url": None, "site_url": f"/etablissements/{n.finess}",
                     "distance_km": n.distance_km, "kind": "neighbour"}
                    for n in _neighbours(item.lat, item.lon) if n.finess != finess]
    return json.dumps({"markers": markers, "radius_km": None, "origin": None},
                      ensure_ascii=False).replace("<", "\\u003c")


def _neighbours(lat: float, lon: float) -> list:
    try:
        return services().orientation.nearest_sites(models.Where(lat=lat, lon=lon), limit=NEIGHBOURS + 1,
                                                    radius_km=NEIGHBOUR_RADIUS_KM)
    except RorError:
        return []  # the page works without its neighbours


@bp.get("/favicon.ico")
def favicon() -> Response:
    return current_app.send_static_file("favicon.svg")


@bp.get("/carte/fond.geojson")
def basemap() -> Response:
    return _map_layer(basemap_geojson, "application/geo+json")


@bp.get("/carte/villes.json")
def place_names() -> Response:
    """Commune names for the map labels (bundled data: the map needs no tile server)."""
    return _map_layer(place_labels, "application/json")


def _map_layer(make, mimetype: str) -> Response:
    """A map layer built once from the bundled data, sent gzip-compressed to browsers that accept it."""
    data_dir = current_app.extensions["ror_settings"].data_dir
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(_gzipped(make, data_dir), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(make(data_dir), mimetype=mimetype)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _gzipped(make, data_dir) -> bytes:
    return gzip.compress(make(data_dir), compresslevel=9, mtime=0)


def register_filters(app: Flask) -> None:
    app.add_template_filter(km)
    app.add_template_filter(tel_href)
    app.add_template_filter(phone_fr)
    app.add_template_filter(weekday_hours)
    app.add_template_filter(clock.paris_text, "paris")
    app.add_template_filter(code_label)
    app.add_template_filter(clock.iso_with_offset, "iso_paris")


def code_label(coded) -> str:
    """{code, label} → « Label (code) », how a description form shows and reads back a NOS value."""
    code, label = (coded.get("code"), coded.get("label")) if isinstance(coded, dict) else (coded.code, coded.label)
    return f"{label} ({code})" if label else str(code)


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


WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def weekday_hours(hours: list[str] | tuple[str, ...] | None) -> list[tuple[str, str]]:
    """["1 08:00-20:00", …] → [("lundi", "08:00-20:00"), …] grouped per day."""
    days: dict[int, list[str]] = {}
    for entry in hours or ():
        day, _, span = entry.partition(" ")
        if day.isdigit() and 1 <= int(day) <= 7:
            days.setdefault(int(day), []).append(span)
    return [(WEEKDAYS[d - 1], ", ".join(spans)) for d, spans in sorted(days.items())]
