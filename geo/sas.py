"""Default search radius per département, from the national SAS table (data/sas)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from geo.communes import open_text

SAS_FILE = Path("sas") / "SAS_Rayons_zones_de_recherche_2025.csv"
# Used where the SAS table gives no radius (Mayotte and Guyane have 0) or lacks the département.
FALLBACK_RADIUS_KM = 30.0
FALLBACK_ENLARGEMENT_KM = 15.0


@dataclass(frozen=True, slots=True)
class SasRadius:
    department_code: str
    label: str
    radius_km: float
    enlargement_km: float
    from_table: bool


def normalise_department(code: str) -> str:
    """"1" → "01", "20A" → "2A", "971" stays."""
    code = code.strip().upper()
    if code in {"20A", "20B"}:
        return "2" + code[-1]
    return code.zfill(2) if code.isdigit() and len(code) < 2 else code


class SasRadii:
    def __init__(self, rows: dict[str, SasRadius]):
        self.rows = rows

    @classmethod
    def from_file(cls, path: Path) -> SasRadii:
        rows: dict[str, SasRadius] = {}
        with open_text(path) as stream:
            for row in csv.DictReader(stream, delimiter=";"):
                code = normalise_department(row["code_departement"])
                radius, enlargement = float(row["city_default_radius_km"]), float(row["enlargement_value_km"])
                rows[code] = SasRadius(code, row["label"], radius, enlargement, radius > 0)
        return cls(rows)

    def for_department(self, code: str | None) -> SasRadius:
        """The SAS radius of a département (fallback radius where the table has none)."""
        key = normalise_department(code or "")
        row = self.rows.get(key)
        if row is None or not row.from_table:
            label = row.label if row else key
            return SasRadius(key, label, FALLBACK_RADIUS_KM, FALLBACK_ENLARGEMENT_KM, False)
        return row
