"""Coverage gaps: for every commune of a territory, the great-circle distance to the nearest offer of an
activity (offers anywhere, not only inside the territory), the communes farther than N km and the population
living there; as a summary, as CSV and as a choropleth (GeoJSON).

Exact and fast: shapely's STRtree gives each commune a candidate (nearest on a sinusoidal projection), whose haversine
distance d bounds the answer; every offer point in the latitude/longitude box that contains the spherical cap
of radius d around the commune is then measured with the same haversine as `geo.distance` (numpy,
vectorised), and the minimum kept. ≈ 35,000 communes × tens of thousands of points in well under a second.
"""

from __future__ import annotations

import csv
import io
import math
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.strtree import STRtree

from geo.territory import EARTH_RADIUS_KM, Territory, boundaries, commune_table, without_centroid

BLOCK = 4096  # communes per box query
MAP_COMMUNES_MAX = 6000  # larger territories (France) are drawn by département, not by commune
CELL_SIMPLIFY_DEG = 0.003
CSV_COLUMNS = ("Code INSEE", "Commune", "Département", "Population", "Distance à l'offre la plus proche (km)",
               "Au-delà du seuil", "FINESS du site le plus proche", "Site le plus proche")


def haversine_np(lat1, lon1, lat2, lon2) -> np.ndarray:
    """The formula of `geo.communes.distance_km`, vectorised (km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def nearest(lat: np.ndarray, lon: np.ndarray, site_lat: np.ndarray, site_lon: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """(distance km, index of the nearest point) for every query point; (inf, -1) when there is no point."""
    n = len(lat)
    best = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(site_lat) == 0:
        return best, which
    # Candidate: nearest on a sinusoidal projection (x = lon·cos lat), close to the true nearest locally.
    near_tree = STRtree(shapely.points(site_lon * np.cos(np.radians(site_lat)), site_lat))
    q_idx, s_idx = near_tree.query_nearest(shapely.points(lon * np.cos(np.radians(lat)), lat), all_matches=False)
    bound = np.full(n, np.inf)
    bound[q_idx] = haversine_np(lat[q_idx], lon[q_idx], site_lat[s_idx], site_lon[s_idx])
    # Latitude/longitude box of the spherical cap of radius `bound` (a hair wider against rounding).
    r = bound * (1 + 1e-9) / EARTH_RADIUS_KM + 1e-12
    dlat = np.degrees(r)
    cos_lat = np.cos(np.radians(lat))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sin(np.minimum(r, math.pi / 2)) / cos_lat
    reaches_pole = (np.abs(lat) + dlat >= 90) | (r >= math.pi / 2) | ~(ratio < 1)
    dlon = np.where(reaches_pole, 360.0, np.degrees(np.arcsin(np.clip(ratio, 0, 1))))
    west, east = lon - dlon, lon + dlon
    wraps = (west < -180) | (east > 180)  # crosses the antimeridian: take every longitude
    west, east = np.where(wraps, -180.0, west), np.where(wraps, 180.0, east)
    boxes = shapely.box(west, np.maximum(lat - dlat, -90), east, np.minimum(lat + dlat, 90))
    box_tree = STRtree(shapely.points(site_lon, site_lat))
    # Blocks of communes bound the memory when far communes see many points in their (large) boxes.
    for start in range(0, n, BLOCK):
        pair_q, pair_s = box_tree.query(boxes[start:start + BLOCK])
        pair_q = pair_q + start
        d = haversine_np(lat[pair_q], lon[pair_q], site_lat[pair_s], site_lon[pair_s])
        order = np.lexsort((pair_s, d, pair_q))  # by commune, then distance, then point (deterministic ties)
        first = order[np.r_[True, pair_q[order][1:] != pair_q[order][:-1]]]
        best[pair_q[first]] = d[first]
        which[pair_q[first]] = pair_s[first]
    return best, which


@dataclass(frozen=True)
class OfferPoints:
    """Where the offers of an activity are: one row per distinct (position, site)."""

    lat: np.ndarray
    lon: np.ndarray
    finess: tuple[str, ...]
    offers: int  # offers behind these points


def offer_points(rows, offers: int | None = None) -> OfferPoints:
    """Distinct positions of rows (`lat`, `lon`, `site_finess`), in a stable order."""
    seen = sorted({(float(r["lat"]), float(r["lon"]), r.get("site_finess") or "") for r in rows})
    return OfferPoints(lat=np.array([k[0] for k in seen], dtype=np.float64),
                       lon=np.array([k[1] for k in seen], dtype=np.float64),
                       finess=tuple(k[2] for k in seen), offers=len(seen) if offers is None else offers)


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class TerritoryRef:
    kind: str
    code: str | None
    name: str
    label: str
    communes: int
    population: int
    communes_without_centroid: int
    bounds: list[float] | None


@dataclass(frozen=True)
class ActivityRef:
    codes: tuple[str, ...]
    label: str
    family: str | None


@dataclass(frozen=True)
class DistanceClass:
    key: str
    label: str
    min_km: float | None
    max_km: float | None
    communes: int
    population: int


@dataclass(frozen=True)
class CommuneDistance:
    insee: str
    name: str
    department_code: str
    population: int
    distance_km: float | None  # None: no offer of the activity anywhere
    far: bool
    nearest_site_finess: str | None
    nearest_site_name: str | None


@dataclass(frozen=True)
class CoverageResult:
    """Communes of a territory farther than `max_km` from every offer of an activity (synthetic offer)."""

    territory: TerritoryRef
    activity: ActivityRef
    max_km: float
    offer_points: int
    offers: int
    communes: int
    communes_far: int
    population: int
    population_far: int
    population_far_pct: float | None
    max_distance_km: float | None
    classes: list[DistanceClass]
    worst: list[CommuneDistance]
    seconds: float
    synthetic: bool = True


def territory_ref(data_dir: Path, territory: Territory) -> TerritoryRef:
    table = commune_table(Path(data_dir))
    return TerritoryRef(kind=territory.kind, code=territory.code, name=territory.name, label=territory.label,
                        communes=len(territory.rows), population=int(table.population[territory.rows].sum()),
                        communes_without_centroid=without_centroid(data_dir, territory), bounds=territory.bounds())


def class_edges(max_km: float) -> list[tuple[str, str, float | None, float | None]]:
    half, double = max_km / 2, max_km * 2
    return [("c1", f"≤ {_km(half)} km", 0.0, half), ("c2", f"{_km(half)} – {_km(max_km)} km", half, max_km),
            ("c3", f"{_km(max_km)} – {_km(double)} km", max_km, double), ("c4", f"> {_km(double)} km", double, None),
            ("none", "aucune offre", None, None)]


def _km(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def class_of(distance: np.ndarray, max_km: float) -> np.ndarray:
    """c1…c4 by distance relative to the threshold, "none" when there is no offer."""
    out = np.full(len(distance), "none", dtype=object)
    finite = np.isfinite(distance)
    out[finite & (distance <= max_km / 2)] = "c1"
    out[finite & (distance > max_km / 2) & (distance <= max_km)] = "c2"
    out[finite & (distance > max_km) & (distance <= 2 * max_km)] = "c3"
    out[finite & (distance > 2 * max_km)] = "c4"
    return out


@dataclass
class Coverage:
    """The computed distances of one territory's communes (arrays aligned with `rows`), and the summary."""

    data_dir: Path
    territory: Territory
    activity: ActivityRef
    max_km: float
    points: OfferPoints
    distance: np.ndarray
    nearest_point: np.ndarray
    seconds: float
    site_names: dict = field(default_factory=dict)  # FINESS → name, for the sites this result names

    def nearest_finess(self) -> list[str]:
        """FINESS of every site that is the nearest one for some commune."""
        used = np.unique(self.nearest_point[self.nearest_point >= 0])
        return sorted({self.points.finess[i] for i in used if self.points.finess[i]})

    @property
    def far(self) -> np.ndarray:
        return ~(self.distance <= self.max_km)  # no offer at all (inf) counts as far

    def result(self, limit: int = 50) -> CoverageResult:
        table = commune_table(self.data_dir)
        rows, pop = self.territory.rows, table.population[self.territory.rows]
        classes = class_of(self.distance, self.max_km)
        far = self.far
        total, far_pop = int(pop.sum()), int(pop[far].sum())
        finite = self.distance[np.isfinite(self.distance)]
        return CoverageResult(
            territory=territory_ref(self.data_dir, self.territory), activity=self.activity, max_km=self.max_km,
            offer_points=len(self.points.lat), offers=self.points.offers, communes=len(rows),
            communes_far=int(far.sum()), population=total, population_far=far_pop,
            population_far_pct=round(100.0 * far_pop / total, 2) if total else None,
            max_distance_km=round(float(finite.max()), 1) if len(finite) else None,
            classes=[DistanceClass(key, label, lo, hi, int((classes == key).sum()), int(pop[classes == key].sum()))
                     for key, label, lo, hi in class_edges(self.max_km)],
            worst=self.communes(self.worst_order()[:max(0, limit)]), seconds=round(self.seconds, 3))

    def worst_order(self) -> np.ndarray:
        """Positions (into `rows`) of the far communes, farthest first, then most populous, then INSEE code."""
        table = commune_table(self.data_dir)
        far = np.flatnonzero(self.far)
        rows = self.territory.rows[far]
        order = np.lexsort((table.insee[rows], -table.population[rows], -self.distance[far]))
        return far[order]

    def communes(self, positions) -> list[CommuneDistance]:
        table = commune_table(self.data_dir)
        out = []
        for i in positions:
            row, d, k = self.territory.rows[i], float(self.distance[i]), int(self.nearest_point[i])
            out.append(CommuneDistance(
                insee=str(table.insee[row]), name=str(table.name[row]), department_code=str(table.department[row]),
                population=int(table.population[row]), distance_km=round(d, 2) if math.isfinite(d) else None,
                far=not d <= self.max_km, nearest_site_finess=self.points.finess[k] if k >= 0 else None,
                nearest_site_name=self.site_names.get(self.points.finess[k]) if k >= 0 else None))
        return out

    def to_csv(self) -> str:
        """Every commune of the territory, farthest first (`;`, UTF-8 with BOM, decimal comma)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        table = commune_table(self.data_dir)
        order = np.lexsort((table.insee[self.territory.rows], -np.where(np.isfinite(self.distance),
                                                                        self.distance, 1e12)))
        for c in self.communes(order):
            writer.writerow([c.insee, c.name, c.department_code, c.population,
                             "" if c.distance_km is None else f"{c.distance_km:.2f}".replace(".", ","),
                             "oui" if c.far else "non", c.nearest_site_finess or "", c.nearest_site_name or ""])
        return "\ufeff" + buffer.getvalue()

    def to_geojson(self) -> dict:
        """Choropleth: one feature per commune (its Voronoi cell clipped to its département: commune
        boundaries are not bundled), or per département for territories over MAP_COMMUNES_MAX communes."""
        table = commune_table(self.data_dir)
        classes = class_of(self.distance, self.max_km)
        legend = [{"key": k, "label": label} for k, label, _lo, _hi in class_edges(self.max_km)]
        if len(self.territory.rows) > MAP_COMMUNES_MAX:
            return self._by_department(table, legend)
        cells = commune_cells(self.data_dir)[self.territory.rows]
        features = []
        for i, row in enumerate(self.territory.rows):
            d = float(self.distance[i])
            features.append({"type": "Feature", "properties": {
                "insee": str(table.insee[row]), "nom": str(table.name[row]), "population": int(table.population[row]),
                "distance_km": round(d, 1) if math.isfinite(d) else None, "classe": classes[i]},
                "geometry": _rounded(shapely.geometry.mapping(cells[i]))})
        return {"type": "FeatureCollection", "level": "commune", "legend": legend, "max_km": self.max_km,
                "features": features}

    def _by_department(self, table, legend) -> dict:
        deps = table.department[self.territory.rows]
        pop = table.population[self.territory.rows]
        far = self.far
        shapes = boundaries(self.data_dir, "department")
        features = []
        for code in sorted(set(deps.tolist())):
            if code not in shapes:
                continue
            mine = deps == code
            total, far_pop = int(pop[mine].sum()), int(pop[mine & far].sum())
            geometry = shapes[code].geometry.simplify(0.01, preserve_topology=True)
            features.append({"type": "Feature", "properties": {
                "code": code, "nom": shapes[code].name, "population": total, "population_far": far_pop,
                "communes_far": int((mine & far).sum()),
                "part_pct": round(100.0 * far_pop / total, 1) if total else None},
                "geometry": _rounded(shapely.geometry.mapping(geometry))})
        return {"type": "FeatureCollection", "level": "department", "legend": legend, "max_km": self.max_km,
                "features": features}


def compute(data_dir: Path, territory: Territory, activity: ActivityRef, points: OfferPoints,
            max_km: float) -> Coverage:
    started = time.perf_counter()
    table = commune_table(Path(data_dir))
    rows = territory.rows
    distance, which = nearest(table.lat[rows], table.lon[rows], points.lat, points.lon)
    return Coverage(Path(data_dir), territory, activity, float(max_km), points, distance, which,
                    time.perf_counter() - started)


# ------------------------------------------------------------------------------------------ commune cells


@cache
def commune_cells(data_dir: Path) -> np.ndarray:
    """An approximate area for every commune of the table: its Voronoi cell (centroids of all communes)
    clipped to its département's bundled boundary; built once per process."""
    table = commune_table(Path(data_dir))
    points = shapely.points(table.lon, table.lat)
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), ordered=True)
    parts = shapely.get_parts(diagram)
    if len(parts) == len(points):
        cells = parts
    else:  # duplicate centroids: match each point to the cell containing it
        tree = STRtree(parts)
        p_idx, c_idx = tree.query(points, predicate="intersects")
        cells = np.empty(len(points), dtype=object)
        cells[p_idx[::-1]] = parts[c_idx[::-1]]
    shapes = {code: b.geometry.simplify(CELL_SIMPLIFY_DEG, preserve_topology=True)
              for code, b in boundaries(Path(data_dir), "department").items()}
    for g in shapes.values():
        shapely.prepare(g)
    out = np.empty(len(points), dtype=object)
    for code in np.unique(table.department):
        idx = np.flatnonzero(table.department == code)
        mine = cells[idx]
        dep = shapes.get(str(code))
        if dep is None:
            out[idx] = shapely.buffer(points[idx], 0.02)
            continue
        inside = shapely.within(mine, dep)
        clipped = mine.copy()
        clipped[~inside] = shapely.intersection(mine[~inside], dep)
        empty = shapely.is_empty(clipped) | ~np.isin(shapely.get_type_id(clipped), [3, 6])
        clipped[empty] = shapely.buffer(points[idx][empty], 0.01)
        out[idx] = shapely.simplify(clipped, CELL_SIMPLIFY_DEG / 3)
    return out


def _rounded(geometry: dict) -> dict:
    if geometry["type"] == "GeometryCollection":
        polys = [g for g in geometry["geometries"] if g["type"] in ("Polygon", "MultiPolygon")]
        coords = [c for g in polys for c in ([g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"])]
        return {"type": "MultiPolygon", "coordinates": _round(coords)}
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def _round(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], 4), round(coords[1], 4)]
    return [_round(c) for c in coords]
