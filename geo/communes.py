"""Communes of France (INSEE COG) from the bundled CSV, streamed, and the commune of a FINESS site.

The CSV (`data/geo/communes_france.csv.gz`) has one row per current commune or municipal arrondissement,
with `|`-joined postal codes and an area-weighted centroid (missing for ~150 rows).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

COMMUNES_FILE = Path("geo") / "communes_france.csv.gz"


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str
    kind: str  # "commune-actuelle" or "arrondissement-municipal"
    postal_codes: tuple[str, ...]
    department_code: str
    region_code: str
    population: int | None
    lat: float | None
    lon: float | None
    department_name: str = ""
    region_name: str = ""
    parent_insee: str | None = None
    zone: str = ""  # metro / drom / com

    @property
    def has_centroid(self) -> bool:
        return self.lat is not None and self.lon is not None


def open_text(path: Path) -> io.TextIOBase:
    """A text stream over a plain or gzipped UTF-8 file (never read whole)."""
    path = Path(path)
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def _int(value: str) -> int | None:
    return int(value) if value.strip() else None


def iter_communes(path: Path) -> Iterator[Commune]:
    """Every commune and arrondissement of the file, one dataclass per row."""
    with open_text(path) as stream:
        for row in csv.DictReader(stream):
            yield Commune(
                insee=row["code_insee"],
                name=row["nom"],
                kind=row["type"],
                postal_codes=tuple(p for p in row["codes_postaux"].split("|") if p),
                department_code=row["code_departement"],
                region_code=row["code_region"],
                population=_int(row["population"]),
                lat=_float(row["latitude"]),
                lon=_float(row["longitude"]),
                department_name=row["nom_departement"],
                region_name=row["nom_region"],
                parent_insee=row["commune_parente"] or None,
                zone=row["zone"],
            )


def normalise_city(name: str) -> str:
    """Upper-case ASCII city name without CEDEX, articles' punctuation or arrondissement suffix."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"\bCEDEX\b.*$", "", text)
    text = re.sub(r"\b(\d+(ER|E|EME)?)\s*(ARRONDISSEMENT)?\s*$", "", text)
    text = re.sub(r"\bST\b", "SAINT", text)
    text = re.sub(r"\bSTE\b", "SAINTE", text)
    return re.sub(r"[^A-Z0-9]+", " ", text).strip()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def department_of_postal_code(postal_code: str) -> str | None:
    """Département code implied by a French postal code (20xxx → 2A/2B, 97x/98x → 3 digits)."""
    if not re.fullmatch(r"\d{5}", postal_code or ""):
        return None
    if postal_code.startswith("20"):
        return "2A" if postal_code < "20200" else "2B"
    if postal_code[:2] in {"97", "98"}:
        return postal_code[:3]
    return postal_code[:2]


class CommuneIndex:
    """In-memory lookup of communes by postal code and département (35k small records)."""

    def __init__(self, communes: Iterable[Commune]):
        self.by_insee: dict[str, Commune] = {}
        self.by_postal_code: dict[str, list[Commune]] = defaultdict(list)
        self.by_department: dict[str, list[Commune]] = defaultdict(list)
        for commune in communes:
            self.by_insee[commune.insee] = commune
            # Arrondissements duplicate their parent's postal codes and have no centroid: match the parent.
            if commune.kind != "commune-actuelle":
                continue
            for code in commune.postal_codes:
                self.by_postal_code[code].append(commune)
            self.by_department[commune.department_code].append(commune)

    @classmethod
    def from_file(cls, path: Path) -> CommuneIndex:
        return cls(iter_communes(path))

    def __len__(self) -> int:
        return len(self.by_insee)

    def find(self, postal_code: str | None, city: str | None = None, lat: float | None = None,
             lon: float | None = None, department_code: str | None = None) -> Commune | None:
        """The commune of a site: candidates by postal code (nearest centroid, else same name, else the only
        one); fallback: nearest commune centroid of the same département."""
        candidates = self.by_postal_code.get(postal_code or "", [])
        if candidates:
            found = _nearest(candidates, lat, lon) or _same_name(candidates, city)
            if found is None and len(candidates) == 1:
                found = candidates[0]
            if found is not None:
                return found
        department = department_code or department_of_postal_code(postal_code or "")
        in_department = self.by_department.get(department or "", [])
        if city:
            named = _same_name(in_department, city)
            if named is not None and lat is None:
                return named
        return _nearest(in_department, lat, lon)


def _nearest(candidates: list[Commune], lat: float | None, lon: float | None) -> Commune | None:
    if lat is None or lon is None:
        return None
    best, best_d = None, math.inf
    for commune in candidates:
        if commune.has_centroid:
            d = distance_km(lat, lon, commune.lat, commune.lon)
            if d < best_d:
                best, best_d = commune, d
    return best


def _same_name(candidates: list[Commune], city: str | None) -> Commune | None:
    if not city:
        return None
    wanted = normalise_city(city)
    for commune in candidates:
        if normalise_city(commune.name) == wanted:
            return commune
    return None
