"""Small reference lists for the search form, read once from the bundled data (no engine needed)."""

from __future__ import annotations

import csv
import gzip
import json
from functools import cache
from pathlib import Path


@cache
def age_groups(data_dir: Path) -> tuple[tuple[str, str], ...]:
    """(code, label) of the ROR age groups (NOS J15)."""
    rows = []
    with gzip.open(Path(data_dir) / "nos" / "ror_nomenclatures.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["table"].startswith("JDV_J15") and not row.get("date_fin"):
                rows.append((row["code"], row["libelle"]))
    return tuple(sorted(rows))


@cache
def regions(data_dir: Path) -> tuple[tuple[str, str], ...]:
    """(code, name) of the regions, sorted by name."""
    with gzip.open(Path(data_dir) / "geo" / "regions-avec-outre-mer.geojson.gz", "rt", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return tuple(sorted(((f["properties"]["code"], f["properties"]["nom"]) for f in features),
                        key=lambda r: r[1]))
