"""Offline base map: départements and régions boundaries, simplified once per process from bundled data.

Leaflet draws this GeoJSON as the base layer, so the map works without any tile server.
"""

from __future__ import annotations

import csv
import gzip
import json
from functools import cache
from pathlib import Path

from shapely.geometry import mapping, shape

TOLERANCE_DEG = 0.01  # ≈ 1 km: invisible at département scale, keeps the payload small
LAYERS = (("departements", "departement"), ("regions", "region"))


@cache
def basemap_geojson(data_dir: Path) -> bytes:
    """One FeatureCollection (UTF-8 JSON bytes) with a `layer` property: "departement" or "region"."""
    features = []
    for stem, layer in LAYERS:
        with gzip.open(Path(data_dir) / "geo" / f"{stem}-avec-outre-mer.geojson.gz", "rt", encoding="utf-8") as fh:
            source = json.load(fh)
        for feature in source["features"]:
            geometry = shape(feature["geometry"]).simplify(TOLERANCE_DEG, preserve_topology=True)
            props = feature.get("properties") or {}
            features.append({
                "type": "Feature",
                "properties": {"layer": layer, "code": props.get("code"), "nom": props.get("nom")},
                "geometry": _rounded(mapping(geometry)),
            })
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rounded(geometry: dict) -> dict:
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def _round(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 3), round(coords[1], 3)]
    return [_round(c) for c in coords]


LABEL_MIN_POPULATION = 2000  # ≈ 5,600 communes; the map shows the largest ones first, more as it zooms in


@cache
def place_labels(data_dir: Path) -> bytes:
    """Names of the communes of at least LABEL_MIN_POPULATION inhabitants for the map's labels: JSON
    [[name, lat, lon, population], …], largest first (from the bundled commune table, no tile server)."""
    rows = []
    with gzip.open(Path(data_dir) / "geo" / "communes_france.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["type"] != "commune-actuelle" or not row["latitude"] or not row["population"]:
                continue
            population = int(float(row["population"]))
            if population >= LABEL_MIN_POPULATION:
                rows.append([row["nom"], round(float(row["latitude"]), 3), round(float(row["longitude"]), 3),
                             population])
    rows.sort(key=lambda r: -r[3])
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
