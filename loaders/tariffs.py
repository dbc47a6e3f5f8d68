"""Synthetic EHPAD tariffs for the demo (FHIR `ror-organization-price`, `fhir_api/tariffs.py`), written by the offer
generator: each EHPAD (FINESS category 500) gets accommodation prices (TRE_R246 02 « forfait socle
hébergement », per day) by room type (TRE_R242), price condition (TRE_R250: public, aide sociale, and for some
an ASH-approved F1) and stay (TRE_R240: permanent, temporary), and dependency prices (TRE_R246 03, per day) by
GIR group (TRE_R237), in ranges like the published EHPAD prices. Deterministic per FINESS; `Tariff.synthetic` is
true and the FHIR extension says so. Idempotent: a site whose tariffs did not change is not rewritten (its
`tariffs_hash`), so a re-run does not re-date the establishments.
"""

from __future__ import annotations

import hashlib
import json
import random

import cypher
from loaders.common import chunks

EHPAD_CATEGORIES = ("500",)
START_DATES = ("2024-07-01", "2025-01-01")
BATCH = 500


def _eur(value: float) -> float:
    return round(value, 2)


def tariffs_for(finess: str) -> list[dict]:
    """The synthetic tariffs of one EHPAD (same FINESS, same tariffs)."""
    rng = random.Random(int(hashlib.sha256(f"tarifs:{finess}".encode()).hexdigest()[:12], 16))
    base = rng.uniform(58.0, 92.0)  # daily accommodation, single room, public price
    start = rng.choice(START_DATES)
    social = rng.random() < 0.7  # habilité à l'aide sociale
    rows = [("heb-simple-public", "02", base, {"residential_type": "02", "special_price": "01", "welcome_type": "02"}),
            ("heb-double-public", "02", base * 0.88, {"residential_type": "01", "special_price": "01",
                                                      "welcome_type": "02"}),
            ("heb-simple-temporaire", "02", base * 1.06, {"residential_type": "02", "special_price": "01",
                                                          "welcome_type": "01"})]
    if social:
        rows.append(("heb-simple-aide-sociale", "02", base * 0.84, {"residential_type": "02", "special_price": "02",
                                                                     "welcome_type": "02"}))
    if rng.random() < 0.25:
        rows.append(("heb-f1-ash", "02", base * 0.8, {"residential_type": "03", "special_price": "03",
                                                       "welcome_type": "02"}))
    gir = rng.uniform(0.9, 1.15)
    for key, level, amount in (("dep-gir-1-2", "01", 21.5), ("dep-gir-3-4", "02", 13.6), ("dep-gir-5-6", "03", 5.8)):
        rows.append((key, "03", amount * gir, {"dependency_level": level, "welcome_type": "02"}))
    return [{"key": key, "price_type": price_type, "unit": "2", "amount": _eur(amount), "currency": "EUR",
             "start_date": start, "synthetic": True, **codes} for key, price_type, amount, codes in rows]


def generate(graph) -> int:
    """Write the synthetic tariffs of every EHPAD whose tariffs are missing or differ; returns the sites written."""
    rows = []
    for site in graph.read_named("read/tariff_sites", categories=list(EHPAD_CATEGORIES)):
        tariffs = tariffs_for(site["finess"])
        digest = hashlib.sha256(json.dumps(tariffs, sort_keys=True).encode()).hexdigest()[:16]
        if site["tariffs_hash"] != digest:
            rows.append({"finess": site["finess"], "hash": digest, "tariffs": tariffs})
    for batch in chunks(rows, BATCH):
        graph.write(cypher.query("write/tariffs_generated"), rows=batch)
    return len(rows)
