"""French pages for territories: `/territoires` (picture of a région, département or drawn/imported zone, and
two territories compared) and `/territoires/couverture` (coverage gaps of an activity as a choropleth, the
farthest communes and a CSV download).

Public pages, like the API behind them (aggregates of published offers only; see web/territory_api.py). A
zone drawn on the map or imported from a GeoJSON file is sent with a POST form (nothing is stored, so there
is no state to protect with a CSRF token); régions and départements are plain GET links that can be shared.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for
from shapely.geometry import mapping

from core.errors import BadRequest, NotFound
from geo import territory as territories
from geo.territory_coverage import class_edges
from search.territory_picture import TerritoryService, require_rows
from web.params import Param, parse
from web.services import services

bp = Blueprint("territory_pages", __name__)

CODE = territories.CODE_PATTERN
PICTURE_PARAMS = (
    Param("territoire", "string", "Territoire", pattern=CODE, max_length=4),
    Param("comparer", "string", "Comparer avec", pattern=CODE, max_length=4),
)
COVERAGE_PARAMS = (
    Param("territoire", "string", "Territoire", pattern=CODE, max_length=4),
    Param("activite", "string", "Activité", pattern=r"[0-9A-Za-z._-]{1,20}", max_length=20),
    Param("famille", "string", "Famille d'activités", pattern=r"[0-9A-Za-z._-]{1,20}", max_length=20),
    Param("km", "number", "Seuil (km)", default=30.0, minimum=1, maximum=300),
    Param("format", "string", "Format", default="html", enum=("html", "csv")),
)
FORM_FIELDS = {"geojson", "nom"}
FIELD_LABELS = {**{p.name: p.description for p in (*PICTURE_PARAMS, *COVERAGE_PARAMS)},
                "geojson": "Zone GeoJSON", "nom": "Nom de la zone"}
MAX_DRAWN_FEATURES = 1


def _service() -> TerritoryService:
    svc = services()
    svc.ensure_reachable()
    s = svc.settings
    return TerritoryService(svc.get_graph(), svc.get_search(), s.data_dir, s.index_prefix, s.capacity_stale_hours)


def _data_dir():
    return services().settings.data_dir


def _activity_options(service: TerritoryService) -> tuple[list, list]:
    labels = service.labels()["activity"]
    activities = sorted(labels.items(), key=lambda kv: kv[1].lower())
    families = [(f["code"], f["label"]) for f in service.families()]
    return activities, families


def _choices() -> list:
    return territories.territory_choices(_data_dir())


def _shape_from_form() -> territories.Territory | None:
    """The zone posted by the form (drawn or imported GeoJSON), if any."""
    if request.method != "POST":
        return None
    text = (request.form.get("geojson") or "").strip()
    if not text:
        raise BadRequest("Aucune zone : dessinez un polygone sur la carte ou importez un fichier GeoJSON.",
                         fields={"geojson": "obligatoire"})
    name = (request.form.get("nom") or "").strip()[:80] or None
    return territories.resolve_shape(_data_dir(), text, name=name, field="geojson")


def _outline(territory: territories.Territory | None) -> dict | None:
    if territory is None or territory.geometry is None:
        return None
    geometry = territory.geometry.simplify(0.005, preserve_topology=True)
    return {"type": "Feature", "properties": {"nom": territory.label}, "geometry": mapping(geometry)}


def _form_values(params) -> dict:
    source = request.form if request.method == "POST" else request.args
    merged = {k: v for k, v in source.items() if k not in FORM_FIELDS}
    return parse(params, merged)


@bp.route("/territoires", methods=["GET", "POST"])
def picture_page():
    form, errors, message = {}, {}, None
    picture = comparison = None
    outlines = []
    try:
        form = _form_values(PICTURE_PARAMS)
        shape = _shape_from_form()
        first = shape or (territories.resolve_code(_data_dir(), form["territoire"], "territoire")
                          if form["territoire"] else None)
        if first is not None:
            service = _service()
            if form["comparer"]:
                second = territories.resolve_code(_data_dir(), form["comparer"], "comparer")
                comparison = service.compare(first, second)
                outlines = [_outline(first), _outline(second)]
            else:
                picture = service.picture(first)
                outlines = [_outline(first)]
    except BadRequest as exc:
        errors, message = exc.fields, exc.message
        form = form or {k: v for k, v in request.values.items() if k not in FORM_FIELDS}
    status = 400 if errors else 200
    return render_template(
        "territory/picture.html", form=form, errors=errors, message=message, field_labels=FIELD_LABELS,
        choices=_choices(), picture=picture, comparison=comparison, posted_geojson=request.form.get("geojson", ""),
        posted_name=request.form.get("nom", ""), tile_url=services().settings.tile_url or "",
        map_data=json.dumps({"outlines": [o for o in outlines if o]}, ensure_ascii=False).replace("</", "<\\/"),
    ), status


@bp.route("/territoires/couverture", methods=["GET", "POST"])
def coverage_page():
    form, errors, message = {}, {}, None
    result = coverage = None
    map_data: dict = {}
    activities, families = [], []
    try:
        service = _service()
        activities, families = _activity_options(service)
        form = _form_values(COVERAGE_PARAMS)
        shape = _shape_from_form()
        territory = shape or (territories.resolve_code(_data_dir(), form["territoire"], "territoire")
                              if form["territoire"] else None)
        if territory is not None:
            if not form["activite"] and not form["famille"]:
                raise BadRequest("Choisissez une activité ou une famille d'activités.",
                                 fields={"activite": "obligatoire"})
            require_rows(territory)
            coverage = service.coverage(territory, form["activite"] or None, form["famille"] or None, form["km"])
            if form["format"] == "csv":
                what = form["activite"] or f"famille-{form['famille']}"
                filename = f"couverture-{what}-{(territory.code or 'zone').lower()}.csv"
                return Response(coverage.to_csv(), mimetype="text/csv",
                                headers={"Content-Disposition": f'attachment; filename="{filename}"'})
            result = coverage.result(50)
            map_data = {"outlines": [o for o in [_outline(territory)] if o], "bounds": territory.bounds()}
            if territory.code:
                query = {"territory": territory.code, "max_km": f"{form['km']:g}", "format": "geojson",
                         **({"activity": form["activite"]} if form["activite"] else {"family": form["famille"]})}
                map_data["choropleth_url"] = url_for("api.territoryCoverage") + "?" + urlencode(query)
            else:
                map_data["choropleth"] = coverage.to_geojson()
    except (BadRequest, NotFound) as exc:
        errors, message = exc.fields or {"territoire": "à préciser"}, exc.message
        form = form or {k: v for k, v in request.values.items() if k not in FORM_FIELDS}
    status = 400 if errors else 200
    csv_url = None
    if result is not None and result.territory.code:
        csv_url = url_for("territory_pages.coverage_page") + "?" + urlencode(
            [(k, v) for k, v in request.args.items() if k != "format"] + [("format", "csv")])
    return render_template(
        "territory/coverage.html", form=form, errors=errors, message=message, field_labels=FIELD_LABELS,
        choices=_choices(), activities=activities, families=families, result=result, csv_url=csv_url,
        legend=class_edges(form.get("km") or 30.0) if isinstance(form.get("km"), float) else class_edges(30.0),
        posted_geojson=request.form.get("geojson", ""), posted_name=request.form.get("nom", ""),
        tile_url=services().settings.tile_url or "",
        map_data=json.dumps(map_data, ensure_ascii=False).replace("</", "<\\/"),
    ), status


@bp.app_template_filter("thousands")
def thousands(value) -> str:
    """12345 → "12 345" (French thousands separator, narrow no-break space)."""
    return "" if value is None else f"{int(value):,}".replace(",", "\u202f")


@bp.app_template_filter("decimal")
def decimal(value, digits: int = 1) -> str:
    """12.34 → "12,3"."""
    if value is None:
        return "–"
    text = f"{float(value):,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text[:-2] if text.endswith(",0") else text
