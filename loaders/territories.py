"""Territories → `Region`, `Department` (with their polygons as GeoJSON), `Commune` (with centroid)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from geo.communes import COMMUNES_FILE, Commune, iter_communes
from geo.sas import SAS_FILE, SasRadii
from graph.driver import Graph
from loaders.common import LoadSummary, Reject, Timer, write_in_batches
from loaders.nos import file_version

DEPARTMENTS_FILE = Path("geo") / "departements-avec-outre-mer.geojson.gz"
REGIONS_FILE = Path("geo") / "regions-avec-outre-mer.geojson.gz"


def _features(path: Path) -> list[dict]:
    """The features of a (gzipped) GeoJSON FeatureCollection (101 départements: small enough to parse)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)["features"]


def _polygons(path: Path) -> dict[str, tuple[str, str]]:
    """code → (name, GeoJSON geometry as compact text)."""
    return {f["properties"]["code"]: (f["properties"]["nom"], json.dumps(f["geometry"], separators=(",", ":")))
            for f in _features(path)}


def commune_row(c: Commune) -> dict:
    return {"insee": c.insee, "name": c.name, "kind": c.kind, "postal_codes": list(c.postal_codes),
            "population": c.population, "lat": c.lat, "lon": c.lon, "department_code": c.department_code,
            "region_code": c.region_code, "parent_insee": c.parent_insee, "zone": c.zone}


def _communes(path: Path, summary: LoadSummary) -> Iterator[dict]:
    seen: set[str] = set()
    for line, c in enumerate(iter_communes(path), start=2):
        summary.rows_read += 1
        if not (len(c.insee) == 5 and c.insee[:2].isalnum()):
            summary.rejects.append(Reject(path.name, line, "code_insee", c.insee, "code INSEE invalide"))
            continue
        if c.insee in seen:
            summary.rejects.append(Reject(path.name, line, "code_insee", c.insee, "identifiant en double"))
            continue
        seen.add(c.insee)
        summary.rows_loaded += 1
        yield commune_row(c)


def load_territories(graph: Graph, data_dir: Path, *, progress: bool = False,
                     communes_path: Path | None = None) -> LoadSummary:
    """Régions and départements (names, polygons, SAS radius) then communes linked to them."""
    data_dir = Path(data_dir)
    communes_path = Path(communes_path or data_dir / COMMUNES_FILE)
    summary, timer = LoadSummary("Territoires"), Timer()
    version = file_version(communes_path)
    departments: dict[str, dict] = {}
    regions: dict[str, dict] = {}
    for c in iter_communes(communes_path):  # names and département → région from the COG file
        regions.setdefault(c.region_code, {"code": c.region_code, "name": c.region_name, "geometry": None})
        departments.setdefault(c.department_code, {"code": c.department_code, "name": c.department_name,
                                                   "region_code": c.region_code, "geometry": None})
    for code, (name, geometry) in _polygons(data_dir / REGIONS_FILE).items():
        regions.setdefault(code, {"code": code, "name": name}).update(geometry=geometry)
    sas = SasRadii.from_file(data_dir / SAS_FILE)
    for code, (name, geometry) in _polygons(data_dir / DEPARTMENTS_FILE).items():
        departments.setdefault(code, {"code": code, "name": name, "region_code": None}).update(geometry=geometry)
    for dep in departments.values():
        radius = sas.for_department(dep["code"])
        dep["sas_radius_km"] = radius.radius_km if radius.from_table else None
    write_in_batches(graph, "write/regions", list(regions.values()), summary, batch_size=50, version=version)
    write_in_batches(graph, "write/departments", list(departments.values()), summary, batch_size=20,
                     version=version)
    write_in_batches(graph, "write/communes", _communes(communes_path, summary), summary, progress=progress,
                     total=35_014, desc="Communes", version=version)
    summary.seconds = timer.seconds
    return summary
