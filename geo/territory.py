"""Territories: France, a région, a département or a GeoJSON polygon, and the communes inside it.

A territory is named by a compact code (`FR`, `R84` for a région, `D01` / `D2A` / `D971` for a département) or
given as a GeoJSON Polygon / MultiPolygon (a geometry, a Feature or a FeatureCollection of polygons) that is
validated with shapely. Its communes are the bundled current communes (INSEE COG) whose centroid lies inside
it: by code for régions and départements, by point-in-polygon for a drawn or uploaded shape.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from core.errors import BadRequest
from geo.communes import COMMUNES_FILE, iter_communes

CODE_PATTERN = r"FR|R[0-9]{2}|D(?:[0-9]{2}|2[AB]|97[1-6])"
EARTH_RADIUS_KM = 6371.0088  # the radius of geo.communes.distance_km
MAX_POLYGON_AREA_KM2 = 1_000_000.0  # mainland France is ≈ 550,000 km²
MAX_POLYGON_VERTICES = 20_000
MIN_POLYGON_AREA_KM2 = 0.01
BOUNDARY_FILES = {"region": "regions-avec-outre-mer.geojson.gz", "department": "departements-avec-outre-mer.geojson.gz"}
KIND_LABELS = {"france": "France entière", "region": "Région", "department": "Département",
               "polygon": "Zone dessinée ou importée"}


@dataclass(frozen=True)
class CommuneTable:
    """The bundled current communes with a centroid, as parallel numpy arrays (one row per commune)."""

    insee: np.ndarray  # str
    name: np.ndarray  # str
    department: np.ndarray  # str
    region: np.ndarray  # str
    population: np.ndarray  # int64 (0 when unknown)
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    without_centroid: dict  # département code → number of communes without a centroid (not evaluated)

    def __len__(self) -> int:
        return len(self.insee)


@cache
def commune_table(data_dir: Path) -> CommuneTable:
    """Built once per process from `data/geo/communes_france.csv.gz` (arrondissements are left out: their
    population is already counted in their commune)."""
    rows, missing = [], {}
    for c in iter_communes(Path(data_dir) / COMMUNES_FILE):
        if c.kind != "commune-actuelle":
            continue
        if not c.has_centroid:
            missing[c.department_code] = missing.get(c.department_code, 0) + 1
            continue
        rows.append(c)
    return CommuneTable(
        insee=np.array([c.insee for c in rows]), name=np.array([c.name for c in rows]),
        department=np.array([c.department_code for c in rows]), region=np.array([c.region_code for c in rows]),
        population=np.array([c.population or 0 for c in rows], dtype=np.int64),
        lat=np.array([c.lat for c in rows], dtype=np.float64), lon=np.array([c.lon for c in rows], dtype=np.float64),
        without_centroid=missing)


@dataclass(frozen=True)
class Boundary:
    code: str
    name: str
    geometry: BaseGeometry


@cache
def boundaries(data_dir: Path, kind: str) -> dict[str, Boundary]:
    """Bundled région or département boundaries (IGN Admin Express COG), by code."""
    with gzip.open(Path(data_dir) / "geo" / BOUNDARY_FILES[kind], "rt", encoding="utf-8") as fh:
        source = json.load(fh)
    out = {}
    for feature in source["features"]:
        props = feature.get("properties") or {}
        out[str(props["code"])] = Boundary(str(props["code"]), str(props.get("nom") or props["code"]),
                                           shapely.make_valid(shape(feature["geometry"])))
    return out


@dataclass(frozen=True)
class Territory:
    """A resolved territory: what it is, its name and which communes (row numbers of the table) it holds."""

    kind: str  # france / region / department / polygon
    code: str | None  # FR, R84, D01… (None for a polygon)
    name: str
    rows: np.ndarray  # indices into commune_table(data_dir)
    geometry: BaseGeometry | None = None  # the shape (polygon) or the bundled boundary (région, département)

    @property
    def label(self) -> str:
        if self.kind == "france":
            return self.name
        if self.kind == "polygon":
            return self.name
        return f"{self.name} ({self.code[1:]})"

    def index_filter(self) -> list[dict]:
        """The OpenSearch filter of the documents inside this territory (geo_shape for a polygon)."""
        if self.kind == "region":
            return [{"term": {"region_code": self.code[1:]}}]
        if self.kind == "department":
            return [{"term": {"department_code": self.code[1:]}}]
        if self.kind == "polygon":
            return [{"geo_shape": {"location": {"shape": mapping(self.geometry), "relation": "intersects"}}}]
        return []

    def bounds(self) -> list[float] | None:
        """[south, west, north, east] for the map."""
        if self.geometry is not None and not self.geometry.is_empty:
            west, south, east, north = self.geometry.bounds
            return [south, west, north, east]
        return None


def resolve_code(data_dir: Path, code: str, field: str = "territory") -> Territory:
    """The territory of a code (`FR`, `R84`, `D01`…), or a BadRequest naming the field."""
    text = (code or "").strip().upper()
    if not re.fullmatch(CODE_PATTERN, text):
        raise BadRequest(f"Territoire mal formé : « {code} » (attendu FR, R suivi du code de région comme R84, "
                         "ou D suivi du code de département comme D01, D2A, D971).", fields={field: "format invalide"})
    table = commune_table(Path(data_dir))
    if text == "FR":
        return Territory("france", "FR", "France entière", np.arange(len(table)))
    kind = "region" if text[0] == "R" else "department"
    known = boundaries(Path(data_dir), kind)
    found = known.get(text[1:])
    if found is None:
        what = "Région inconnue" if kind == "region" else "Département inconnu"
        raise BadRequest(f"{what} : {text[1:]}.", fields={field: "code inconnu"})
    column = table.region if kind == "region" else table.department
    return Territory(kind, text, found.name, np.flatnonzero(column == found.code), found.geometry)


def territory_choices(data_dir: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(région code, name, [(département code, name)…]) for the forms, régions in code order."""
    regions = boundaries(Path(data_dir), "region")
    departments = boundaries(Path(data_dir), "department")
    table = commune_table(Path(data_dir))
    region_of = dict(zip(table.department.tolist(), table.region.tolist(), strict=True))
    out = []
    for code in sorted(regions):
        deps = sorted((d.code, d.name) for d in departments.values() if region_of.get(d.code) == code)
        out.append((code, regions[code].name, deps))
    return out


# ------------------------------------------------------------------------------------------ GeoJSON shapes


def parse_geojson(value, field: str = "geometry") -> BaseGeometry:
    """A valid Polygon or MultiPolygon from GeoJSON (text, geometry, Feature or FeatureCollection), or a
    BadRequest in French saying what is wrong (type, coordinates, self-intersection, size)."""
    def bad(message: str, reason: str) -> BadRequest:
        return BadRequest(message, fields={field: reason})

    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad("GeoJSON illisible : le texte n'est pas du JSON valide.", "JSON invalide") from None
    if not isinstance(value, dict):
        raise bad("GeoJSON invalide : un objet (Polygon, MultiPolygon, Feature ou FeatureCollection) est attendu.",
                  "objet attendu")
    kind = value.get("type")
    if kind == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or not features:
            raise bad("GeoJSON invalide : la FeatureCollection ne contient aucun polygone.", "aucun polygone")
        if len(features) > 100:
            raise bad("GeoJSON trop volumineux : au plus 100 polygones.", "trop de polygones")
        parts = [parse_geojson(f, field) for f in features]
        geometry = shapely.union_all(parts)
    elif kind == "Feature":
        geometry = parse_geojson(value.get("geometry"), field)
    elif kind in ("Polygon", "MultiPolygon"):
        coords = value.get("coordinates")
        _check_coordinates(coords, 3 if kind == "Polygon" else 4, bad)
        try:
            geometry = shape({"type": kind, "coordinates": coords})
        except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.GEOSException):
            raise bad(f"GeoJSON invalide : coordonnées du {kind} mal formées (anneaux d'au moins 4 positions "
                      "[longitude, latitude], le premier égal au dernier).", "coordonnées mal formées") from None
        if shapely.get_num_coordinates(geometry) > MAX_POLYGON_VERTICES:
            raise bad(f"GeoJSON trop détaillé : au plus {MAX_POLYGON_VERTICES} sommets (simplifiez le contour).",
                      "trop de sommets")
        if geometry.is_empty:
            raise bad("GeoJSON invalide : polygone vide.", "polygone vide")
        if not geometry.is_valid:
            raise bad(f"Polygone invalide : {_validity_fr(explain_validity(geometry))}. Redessinez le contour "
                      "sans croisement.", "polygone invalide")
    else:
        raise bad(f"Type de géométrie non pris en charge : {kind!r} (Polygon ou MultiPolygon attendu).",
                  "Polygon ou MultiPolygon attendu")
    area = area_km2(geometry)
    if area > MAX_POLYGON_AREA_KM2:
        raise bad(f"Zone trop grande : {area:,.0f} km² (au plus {MAX_POLYGON_AREA_KM2:,.0f} km² ; pour la France "
                  "entière choisissez « France entière »).".replace(",", " "), "zone trop grande")
    if area < MIN_POLYGON_AREA_KM2:
        raise bad("Zone trop petite : moins de 0,01 km².", "zone trop petite")
    return geometry


def _check_coordinates(coords, depth: int, bad) -> None:
    """Nested lists of the expected depth ending in [lon, lat] pairs within WGS84 bounds."""
    def walk(node, level: int) -> None:
        if level == 1:
            if not isinstance(node, list) or len(node) < 2 or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in node[:2]):
                raise bad("GeoJSON invalide : chaque position doit être [longitude, latitude] en nombres.",
                          "position mal formée")
            lon, lat = node[0], node[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise bad(f"GeoJSON invalide : position hors limites ({lon}, {lat}) ; longitude entre -180 et 180, "
                          "latitude entre -90 et 90 (WGS84, longitude d'abord).", "position hors limites")
            return
        if not isinstance(node, list) or not node:
            raise bad("GeoJSON invalide : coordonnées vides ou mal imbriquées.", "coordonnées mal formées")
        for child in node:
            walk(child, level - 1)

    walk(coords, depth)


def _validity_fr(reason: str) -> str:
    match = re.match(r"(.*?)\[([-\d.eE]+) ([-\d.eE]+)\]", reason)
    where = f" près de ({float(match.group(2)):.5f}, {float(match.group(3)):.5f})" if match else ""
    text = reason.lower()
    if "self-intersection" in text:
        return "le contour se recoupe (auto-intersection)" + where
    if "ring self-intersection" in text:
        return "un anneau se recoupe" + where
    if "too few points" in text:
        return "pas assez de points distincts"
    if "hole" in text:
        return "un trou est mal placé" + where
    return "géométrie incorrecte" + where


def area_km2(geometry: BaseGeometry) -> float:
    """Area on the sphere, approximated with an equirectangular projection at the shape's mean latitude
    (good to a few per cent at département scale: enough to reject absurd sizes)."""
    if geometry.is_empty:
        return 0.0
    lat0 = math.radians((geometry.bounds[1] + geometry.bounds[3]) / 2)
    k = math.pi / 180 * EARTH_RADIUS_KM
    projected = shapely.transform(geometry, lambda xy: xy * np.array([k * math.cos(lat0), k]))
    return float(projected.area)


def resolve_shape(data_dir: Path, value, name: str | None = None, field: str = "geometry") -> Territory:
    geometry = parse_geojson(value, field)
    table = commune_table(Path(data_dir))
    shapely.prepare(geometry)
    inside = shapely.contains_xy(geometry, table.lon, table.lat)
    label = (name or "").strip()[:80] or "Zone dessinée ou importée"
    return Territory("polygon", None, label, np.flatnonzero(inside), geometry)


def resolve(data_dir: Path, value, field: str = "territory", name: str | None = None) -> Territory:
    """A territory from a code string or a GeoJSON object."""
    if isinstance(value, str) and not value.lstrip().startswith("{"):
        return resolve_code(data_dir, value, field)
    return resolve_shape(data_dir, value, name=name, field=field)


def population(data_dir: Path, territory: Territory) -> int:
    return int(commune_table(Path(data_dir)).population[territory.rows].sum())


def without_centroid(data_dir: Path, territory: Territory) -> int:
    """Communes of a région/département the bundled file gives no centroid for (not placed, not evaluated)."""
    missing = commune_table(Path(data_dir)).without_centroid
    if territory.kind == "department":
        return missing.get(territory.code[1:], 0)
    if territory.kind == "region":
        table = commune_table(Path(data_dir))
        deps = set(table.department[table.region == territory.code[1:]].tolist())
        return sum(n for d, n in missing.items() if d in deps)
    if territory.kind == "france":
        return sum(missing.values())
    return 0
