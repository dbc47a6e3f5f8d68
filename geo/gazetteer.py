"""Where is the patient: a point, a commune (name or INSEE code), a postal code, or a street address.

Offline: communes come from the bundled COG file (`geo.communes`). Street addresses go to the national
address geocoder (BAN, through geopy) only when `ROR_GEOCODER_URL` is set.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from core.errors import BadRequest
from core.jsonable import jsonable
from geo.communes import COMMUNES_FILE, Commune, iter_communes
from geo.distance import check_point
from geo.places import Origin, PlaceCandidate, Suggestion, Where
from geo.sas import SAS_FILE, SasRadii, SasRadius, normalise_department

_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")
_POSTAL = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)
_QUALIFIER = re.compile(r"^(?P<name>.+?)[\s,]*(?:\((?P<q1>[0-9AB]{2,5})\)|\s(?P<q2>\d{5}|\d{2,3}|2[AB]))\s*$",
                        re.IGNORECASE)
_STREET = re.compile(r"\b(rue|avenue|av|bd|boulevard|chemin|route|place|allee|impasse|quai|cours|lieu-dit)\b"
                     r"|^\s*\d+\s*(bis|ter)?\s+\w", re.IGNORECASE)
MAX_CANDIDATES = 10


def name_key(text: str) -> str:
    """Accent-, case-, hyphen- and apostrophe-insensitive key; "st"/"ste" read as "saint"/"sainte"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"\bst\b", "saint", text)
    return re.sub(r"\bste\b", "sainte", text)


class Gazetteer:
    """In-memory gazetteer of the ~35k communes: by name key, INSEE code and postal code."""

    def __init__(self, communes: Iterable[Commune], sas: SasRadii, geocoder=None):
        self.sas = sas
        self.geocoder = geocoder
        self.by_insee: dict[str, Commune] = {}
        self.by_key: dict[str, list[Commune]] = defaultdict(list)
        self.by_postal_code: dict[str, list[Commune]] = defaultdict(list)
        for commune in communes:
            if not commune.has_centroid:
                continue
            self.by_insee[commune.insee] = commune
            self.by_key[name_key(commune.name)].append(commune)
            if commune.kind == "commune-actuelle":
                for code in commune.postal_codes:
                    self.by_postal_code[code].append(commune)
        for group in (*self.by_key.values(), *self.by_postal_code.values()):
            group.sort(key=lambda c: -(c.population or 0))
        self._sorted_keys = sorted(self.by_key)
        self._grid: dict[tuple[int, int], list[Commune]] = defaultdict(list)
        for commune in self.by_insee.values():
            self._grid[_cell(commune.lat, commune.lon)].append(commune)

    @classmethod
    def from_data_dir(cls, data_dir: Path, geocoder=None) -> Gazetteer:
        return cls(iter_communes(Path(data_dir) / COMMUNES_FILE), SasRadii.from_file(Path(data_dir) / SAS_FILE),
                   geocoder)

    # ------------------------------------------------------------------------------------------ resolve

    def resolve(self, where: Where) -> Origin:
        """The origin point of a search, or a BadRequest that says why (with candidates when ambiguous)."""
        if where.lat is not None or where.lon is not None:
            lat, lon = check_point(where.lat, where.lon)
            return self._point_origin(lat, lon)
        text = (where.text or "").strip()
        if not text:
            raise BadRequest("Lieu manquant : indiquez une commune, un code postal, une adresse ou des coordonnées.",
                             fields={"where": "obligatoire"})
        match = _POINT.match(text)
        if match:
            lat, lon = check_point(float(match.group(1)), float(match.group(2)))
            return self._point_origin(lat, lon)
        if _POSTAL.match(text) and text in self.by_postal_code and not where.text.lower().startswith("insee:"):
            main = self.by_postal_code[text][0]
            return _origin(main, "postal_code", f"{text} ({main.name})")
        if text.lower().startswith("insee:"):
            text = text[6:].strip()
            if text.upper() not in self.by_insee:
                raise BadRequest(f"Code INSEE inconnu : {text}.", fields={"where": text})
        if _INSEE.match(text) and text.upper() in self.by_insee:
            return _origin(self.by_insee[text.upper()], "insee", None)
        if _POSTAL.match(text):
            raise BadRequest(f"Code postal ou code INSEE inconnu : {text}.", fields={"where": text})
        if self.geocoder is not None and _STREET.search(text):
            return self.geocoder.geocode(text)
        return self._by_name(text)

    def _by_name(self, text: str) -> Origin:
        found = self.by_key.get(name_key(text), [])
        qualifier = None
        if not found:
            match = _QUALIFIER.match(text)
            if match:
                qualifier = (match.group("q1") or match.group("q2")).upper()
                found = self.by_key.get(name_key(match.group("name")), [])
                found = [c for c in found if _qualifies(c, qualifier)]
        if len(found) == 1:
            return _origin(found[0], "commune", None)
        if found:
            raise BadRequest(
                f"Lieu ambigu : « {text} » désigne {len(found)} communes ("
                + ", ".join(f"{c.name} ({c.department_code})" for c in found[:MAX_CANDIDATES])
                + ") ; précisez le département, par exemple "
                f"« {found[0].name} ({found[0].department_code}) », ou le code postal.",
                fields={"where": text, "candidates": [jsonable(_candidate(c)) for c in found[:MAX_CANDIDATES]]},
            )
        if self.geocoder is not None:
            return self.geocoder.geocode(text)
        close = self.close_matches(text)
        hint = " Communes proches : " + ", ".join(f"{c.name} ({c.department_code})" for c in close) + "." \
            if close else ""
        raise BadRequest(f"Lieu inconnu : « {text} ».{hint}",
                         fields={"where": text, "candidates": [jsonable(_candidate(c)) for c in close]})

    def _point_origin(self, lat: float, lon: float) -> Origin:
        nearest = self.nearest_commune(lat, lon)
        return Origin(lat=lat, lon=lon, label=f"{lat:.5f}, {lon:.5f}", kind="point",
                      commune_insee=nearest.insee if nearest else None,
                      department_code=nearest.department_code if nearest else None,
                      region_code=nearest.region_code if nearest else None)

    # ------------------------------------------------------------------------------------------ helpers

    def nearest_commune(self, lat: float, lon: float, max_km: float = 60.0) -> Commune | None:
        """Commune whose centroid is nearest, within `max_km` (to infer the département of a bare point).

        Exact: grid cells of 1/CELLS_PER_DEGREE degree are visited in rings around the point's cell until no
        unvisited cell can hold a nearer centroid (a cell k rings away is at least k - 1 cell sizes away)."""
        from geo.distance import haversine_km

        best, best_d = None, max_km
        row, col = _cell(lat, lon)
        # Smallest great-circle width of a cell in the reachable band (longitude cells shrink towards the poles).
        reach = max_km / 111.0 + 2 / CELLS_PER_DEGREE
        cos_band = math.cos(math.radians(min(89.0, abs(lat) + reach)))
        cell_km = 0.99 * 111.19 / CELLS_PER_DEGREE * cos_band
        ring = 0
        while True:
            for cell in _ring(row, col, ring):
                for commune in self._grid.get(cell, ()):
                    d = haversine_km(lat, lon, commune.lat, commune.lon)
                    if d < best_d:
                        best, best_d = commune, d
            if ring * cell_km >= best_d:  # every cell of the next rings is at least this far
                return best
            ring += 1

    def close_matches(self, text: str, limit: int = 5) -> list[Commune]:
        key = name_key(text)
        keys = self.complete_keys(key, limit)
        if len(keys) < limit and key:
            keys += [k for k in difflib.get_close_matches(key, self._sorted_keys, n=limit, cutoff=0.75)
                     if k not in keys]
        return [c for k in keys[:limit] for c in self.by_key[k][:1]]

    def complete_keys(self, prefix_key: str, limit: int) -> list[str]:
        if not prefix_key:
            return []
        start = bisect.bisect_left(self._sorted_keys, prefix_key)
        keys = []
        for k in self._sorted_keys[start:]:
            if not k.startswith(prefix_key) or len(keys) >= 5000:
                break
            keys.append(k)
        return sorted(keys, key=lambda k: -(self.by_key[k][0].population or 0))[:limit]

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Commune names starting with a prefix (accent/case-insensitive), most populous first."""
        out: list[Suggestion] = []
        for key in self.complete_keys(name_key(prefix), limit):
            for c in self.by_key[key][:3]:
                out.append(Suggestion(kind="commune", code=c.insee, label=c.name,
                                      detail=f"{c.department_name} ({c.department_code})"))
        return out[:limit]

    def radius_for(self, origin: Origin) -> SasRadius:
        return self.sas.for_department(origin.department_code)


CELLS_PER_DEGREE = 10  # ≈ 11 km × 7.5 km cells in metropolitan France


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int((lat + 90) * CELLS_PER_DEGREE), int((lon + 180) * CELLS_PER_DEGREE)


def _ring(row: int, col: int, k: int) -> Iterable[tuple[int, int]]:
    """The cells at Chebyshev distance exactly `k` from (row, col)."""
    if k == 0:
        yield row, col
        return
    for c in range(col - k, col + k + 1):
        yield row - k, c
        yield row + k, c
    for r in range(row - k + 1, row + k):
        yield r, col - k
        yield r, col + k


def _qualifies(commune: Commune, qualifier: str) -> bool:
    if len(qualifier) == 5:
        return qualifier in commune.postal_codes
    return commune.department_code == normalise_department(qualifier)


def _origin(commune: Commune, kind: str, label: str | None) -> Origin:
    return Origin(lat=commune.lat, lon=commune.lon, kind=kind,
                  label=label or f"{commune.name} ({commune.department_code})",
                  commune_insee=commune.insee, department_code=commune.department_code,
                  region_code=commune.region_code)


def _candidate(commune: Commune) -> PlaceCandidate:
    return PlaceCandidate(insee=commune.insee, name=commune.name, postal_codes=commune.postal_codes,
                          department_code=commune.department_code, department_name=commune.department_name,
                          lat=commune.lat, lon=commune.lon, population=commune.population)
