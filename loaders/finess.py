"""FINESS établissements (CSV, `;`) → `LegalEntity` and `Site`, each site linked to its commune/département.

Validation (rows refused with file, line, field and reason): field count, FINESS numbers (9 characters,
digits or 2A/2B, Luhn check digit with 2A→21 and 2B→22 — every one of the 95,333 numbers of the bundled
national file passes it), coordinates inside metropolitan France or a DROM/COM, dates, duplicates.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from core.identifiers import FINESS
from geo.communes import COMMUNES_FILE, CommuneIndex
from graph.driver import Graph
from loaders.common import (
    MAX_FIELD_CHARS,
    FileRefused,
    LoadSummary,
    Reject,
    RowError,
    Timer,
    clean,
    line_problem,
    staged,
    text_lines,
    too_long_reason,
    write_in_batches,
)
from loaders.nos import file_version

FINESS_FILE = Path("finess") / "finess_etablissements_2021-01.csv.gz"
FINESS_SAMPLE = Path("finess") / "finess_etablissements_2021-01_sample_01_2A_971.csv"
FINESS_COLUMNS = [
    "nofinesset", "nofinessej", "raison_sociale", "adresse_ligne1", "adresse_ligne2", "code_postal", "commune",
    "departement", "telephone", "categetab", "libcategetab", "categagretab", "libcategagretab", "siret",
    "code_ape", "code_sph", "libsph", "date_ouverture", "date_maj", "latitude", "longitude",
]
# (lat min, lat max, lon min, lon max): metropolitan France with Corsica, then DROM and COM.
FRANCE_BOXES = (
    (41.2, 51.2, -5.6, 9.7),       # métropole + Corse
    (15.8, 18.2, -63.2, -60.8),    # Guadeloupe, Saint-Martin, Saint-Barthélemy
    (14.3, 15.0, -61.3, -60.7),    # Martinique
    (2.0, 6.0, -54.8, -51.4),      # Guyane
    (-21.5, -20.8, 55.1, 56.0),    # La Réunion
    (-13.1, -12.5, 44.9, 45.4),    # Mayotte
    (46.7, 47.2, -56.5, -56.0),    # Saint-Pierre-et-Miquelon
)


def finess_error(number: str) -> str | None:
    """Why a FINESS number is invalid (None when valid)."""
    if len(number) != 9:
        return "numéro FINESS invalide (9 caractères attendus)"
    if not FINESS.fullmatch(number):
        return "numéro FINESS invalide (caractères non autorisés)"
    if not luhn_valid(number.replace("2A", "21", 1).replace("2B", "22", 1)):
        return "numéro FINESS invalide (clé de contrôle)"
    return None


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def in_france(lat: float, lon: float) -> bool:
    return any(a <= lat <= b and c <= lon <= d for a, b, c, d in FRANCE_BOXES)


def _date(field: str, value: str) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise RowError(field, value, "date invalide (AAAA-MM-JJ attendu)") from None


def _coordinates(values: dict) -> tuple[float | None, float | None]:
    lat_text, lon_text = values["latitude"].strip(), values["longitude"].strip()
    if not lat_text and not lon_text:
        return None, None
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise RowError("latitude", f"{lat_text},{lon_text}", "coordonnées illisibles") from None
    if not in_france(lat, lon):
        raise RowError("latitude", f"{lat_text},{lon_text}", "coordonnées hors de France")
    return lat, lon


def site_row(values: dict, communes: CommuneIndex) -> dict:
    """Validate and normalise one FINESS row (raises RowError)."""
    for key in ("nofinesset", "nofinessej"):
        reason = finess_error(values[key].strip())
        if reason:
            raise RowError(key, values[key], reason)
    name = values["raison_sociale"].strip()
    if not name:
        raise RowError("raison_sociale", "", "champ obligatoire vide")
    lat, lon = _coordinates(values)
    opened, updated = _date("date_ouverture", values["date_ouverture"]), _date("date_maj", values["date_maj"])
    department = values["departement"].strip() or None
    commune = communes.find(values["code_postal"].strip(), values["commune"], lat, lon, department)
    siret = re.sub(r"\D", "", values["siret"])
    return {
        "finess": values["nofinesset"].strip(), "legal_finess": values["nofinessej"].strip(), "name": name,
        "category_code": values["categetab"].strip(), "category_label": values["libcategetab"].strip(),
        "category_group_code": values["categagretab"].strip(),
        "category_group_label": values["libcategagretab"].strip(),
        "siret": siret or None, "siren": siret[:9] if len(siret) == 14 else None,
        "ape": values["code_ape"].strip() or None, "sph_code": values["code_sph"].strip() or None,
        "sph_label": values["libsph"].strip() or None, "phone": values["telephone"].strip() or None,
        "address_line1": values["adresse_ligne1"].strip() or None,
        "address_line2": values["adresse_ligne2"].strip() or None,
        "postal_code": values["code_postal"].strip() or None, "city": values["commune"].strip() or None,
        "commune_insee": commune.insee if commune else None,
        "department_code": department or (commune.department_code if commune else None),
        "lat": lat, "lon": lon, "opened_on": opened, "finess_updated_on": updated,
    }


def parse_finess(path: Path, communes: CommuneIndex, rejects: list[Reject],
                 departments: set[str] | None = None) -> Iterator[dict]:
    """Stream valid site rows; every refused row goes to `rejects` (file, line, field, reason).

    A file that cannot be read as a whole — not UTF-8, a `.gz` that is not gzip or is truncated, a header that
    is not FINESS's — raises FileRefused naming the file and the line (loaders/common.py: `text_lines`). Each
    physical line is one record (FINESS has no multi-line fields), so a stray `"` cannot swallow the lines
    after it: its line is rejected as "guillemet non fermé", and only it."""
    name = Path(path).name
    seen: set[str] = set()
    lines = text_lines(path)
    header_line = next(lines, None)
    header = next(csv.reader([header_line], delimiter=";"), []) if header_line is not None else []
    if [h.strip() for h in header] != FINESS_COLUMNS:
        missing = [c for c in FINESS_COLUMNS if c not in [h.strip() for h in header]]
        raise FileRefused(f"{name}, ligne 1 : en-tête FINESS inattendu"
                          + (f" (colonnes absentes : {', '.join(missing[:5])})" if missing else
                             " (colonnes dans un autre ordre ou en trop)")
                          + f". Attendu : {';'.join(FINESS_COLUMNS[:4])};…", detail=";".join(header)[:500])
    for line_number, text in enumerate(lines, 2):
        line = text.rstrip("\r\n")
        if not line.strip():
            continue
        problem = line_problem(line, FINESS_COLUMNS)
        if problem:
            rejects.append(Reject(name, line_number, problem[0], problem[1], problem[2]))
            continue
        fields = next(csv.reader([line], delimiter=";"))
        if len(fields) != len(FINESS_COLUMNS):
            rejects.append(Reject(name, line_number, "*", line[:200],
                                  f"ligne malformée ({len(fields)} champs au lieu de {len(FINESS_COLUMNS)})"))
            continue
        values = dict(zip(FINESS_COLUMNS, (clean(f) for f in fields), strict=True))
        too_long = next((c for c in FINESS_COLUMNS if len(values[c]) > MAX_FIELD_CHARS), None)
        if too_long:
            rejects.append(Reject(name, line_number, too_long, values[too_long][:200],
                                  too_long_reason(len(values[too_long]))))
            continue
        if departments and values["departement"].strip() not in departments:
            continue
        try:
            row = site_row(values, communes)
        except RowError as exc:
            rejects.append(Reject(name, line_number, exc.field, exc.value, exc.reason))
            continue
        if row["finess"] in seen:
            rejects.append(Reject(name, line_number, "nofinesset", row["finess"], "identifiant en double"))
            continue
        seen.add(row["finess"])
        yield row


def load_finess(graph: Graph, path: Path, data_dir: Path, *, progress: bool = False,
                departments: set[str] | None = None, batch_size: int = 10_000,
                communes: CommuneIndex | None = None) -> LoadSummary:
    """Load legal entities and sites of a FINESS file (national file or sample).

    The whole file is read and checked first, its valid rows staged in a temporary file; only then is
    anything written. A file refused as a whole (FileRefused) writes nothing: no partial load."""
    path = Path(path)
    summary, timer = LoadSummary(f"FINESS ({path.name})"), Timer()
    communes = communes or CommuneIndex.from_file(Path(data_dir) / COMMUNES_FILE)
    version = file_version(path)
    with staged(parse_finess(path, communes, summary.rejects, departments)) as (rows, count):
        summary.rows_loaded = count
        write_in_batches(graph, "write/sites", rows, summary, batch_size=batch_size, progress=progress,
                         total=count, desc="FINESS", version=version, source=_source(path))
    summary.rows_read = summary.rows_loaded + len(summary.rejects)
    summary.seconds = timer.seconds
    return summary


def _source(path: Path) -> str:
    """`finess-2021-01` for the bundled extract (edition read from the file name), else `finess`."""
    match = re.search(r"(\d{4}-\d{2})", path.name)
    return f"finess-{match.group(1)}" if match else "finess"
