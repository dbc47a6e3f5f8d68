"""National counts of the synthetic offer, compared with the published figures (data/generator/national_figures.csv).

The same counts are computed two ways: in memory while generating from the FINESS file (no engine needed, used
by the test that keeps every count in its band) and from a loaded graph (`count_graph`, used on the national
demo by the benchmark). docs/generated-offer.md holds the table "generated vs national".
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geo.communes import COMMUNES_FILE, CommuneIndex
from loaders.finess import FINESS_FILE, parse_finess
from loaders.site_plan import plan_sites

FIGURES_FILE = Path("generator") / "national_figures.csv"
PUBLIC_OR_NON_PROFIT_SPH = frozenset({"1", "2", "3", "6", "7"})  # FINESS code_sph: public, PSPH, ESPIC, non-profit
FULL_HOSPITALISATION = frozenset({"28", "13"})  # J19: complete hospitalisation, UHCD
PARTIAL_HOSPITALISATION = frozenset({"29", "09", "30", "34"})  # day, ambulatory surgery, night, week
HOSPITAL_FIELDS = frozenset({"01", "02", "03"})  # J20: MCO, SMR, psychiatry
ELDERLY_PUBLICS, DISABILITY_PUBLICS = frozenset({"01", "03"}), frozenset({"02", "05"})


@dataclass(frozen=True, slots=True)
class Figure:
    """A published national figure and the band the generated count must stay in."""

    key: str
    label: str
    value: float
    band: float  # relative tolerance, e.g. 0.3 for ±30 %
    unit: str
    year: str
    source: str

    def low(self) -> float:
        return self.value * (1 - self.band)

    def high(self) -> float:
        return self.value * (1 + self.band)

    def holds(self, count: float) -> bool:
        return self.low() <= count <= self.high()


def read_figures(data_dir: Path) -> list[Figure]:
    with open(Path(data_dir) / FIGURES_FILE, encoding="utf-8", newline="") as stream:
        rows = csv.DictReader((line for line in stream if not line.startswith("#")), delimiter=";")
        return [Figure(r["key"], r["label"], float(r["value"]), float(r["band"]), r["unit"], r["year"],
                       r["source"]) for r in rows]


class Tally:
    """Counts over generated sites: sites having a code, devices, beds and places by kind of unit."""

    def __init__(self):
        self.sites_with: dict[str, set[str]] = defaultdict(set)
        self.devices: Counter = Counter()
        self.public_devices: Counter = Counter()
        self.beds: Counter = Counter()
        self.population = 0

    def add(self, site: dict, graph) -> None:
        finess = site["finess"]
        public = (site.get("sph_code") or "") in PUBLIC_OR_NON_PROFIT_SPH
        places = {p["id"]: p for p in graph.places}
        counted_places: set[str] = set()
        for offer in graph.offers:
            keys = {link["key"] for link in offer["links"]}
            for key in keys:
                self.sites_with[key].add(finess)
            place = places.get(offer["place"])
            if place is None or place["id"] in counted_places:
                continue
            counted_places.add(place["id"])
            for eq in place["equipment"]:
                self.devices[eq["key"]] += eq["count"]
                if public:
                    self.public_devices[eq["key"]] += eq["count"]
            beds = place.get("installed_beds") or 0
            if beds:
                for bucket in bed_buckets(keys):
                    self.beds[bucket] += beds

    def value(self, key: str) -> float:
        """The generated count of a figure (see data/generator/national_figures.csv for the keys)."""
        sites = lambda *codes: len(set().union(*(self.sites_with.get(c, set()) for c in codes)))  # noqa: E731
        per_100k = 100_000 / self.population if self.population else 0.0
        rules = {
            "thrombectomy_sites": lambda: sites("J16|0459"),
            "stroke_unit_sites": lambda: sites("J17|356"),
            "coronary_angioplasty_sites": lambda: sites("J16|0597"),
            "maternity_sites": lambda: sites("J17|100"),
            "maternity_type3_sites": lambda: sites("J17|128"),
            "maternity_type2_sites": lambda: len((self.sites_with["J17|094"] & self.sites_with["J17|100"])
                                                 - self.sites_with["J17|128"]),
            "maternity_type1_sites": lambda: len(self.sites_with["J17|100"] - self.sites_with["J17|094"]),
            "emergency_sites": lambda: sites("J17|157", "J17|249"),
            "pediatric_emergency_sites": lambda: sites("J17|249"),
            "samu_sites": lambda: sites("J17|273"),
            "smur_sites": lambda: sites("J17|136"),
            "icu_sites": lambda: sites("J17|127"),
            "icu_beds": lambda: self.beds["icu"],
            "burn_centre_sites": lambda: sites("J17|121"),
            "dialysis_sites": lambda: sites("J17|059"),
            "radiotherapy_sites": lambda: sites("J17|168"),
            "mri_devices": lambda: self.devices["J18|054"],
            "mri_devices_public": lambda: self.public_devices["J18|054"],
            "ct_devices_public": lambda: self.public_devices["J18|085"],
            "hospital_beds": lambda: self.beds["hospital_full"],
            "hospital_places": lambda: self.beds["hospital_partial"],
            "hospital_beds_per_100k": lambda: round(self.beds["hospital_full"] * per_100k, 1),
            "hospital_places_per_100k": lambda: round(self.beds["hospital_partial"] * per_100k, 1),
            "elderly_places": lambda: self.beds["elderly"],
            "elderly_places_per_100k": lambda: round(self.beds["elderly"] * per_100k, 1),
            "disability_places": lambda: self.beds["disability"],
        }
        return rules[key]()


def bed_buckets(keys: set[str]) -> list[str]:
    """Which national totals the beds of a unit with these concept keys count in."""
    fields = {k.split("|", 1)[1] for k in keys if k.startswith("J20|")}
    modes = {k.split("|", 1)[1] for k in keys if k.startswith("J19|")}
    publics = {k.split("|", 1)[1] for k in keys if k.startswith("J29|")}
    out = []
    if fields & HOSPITAL_FIELDS:
        if modes & FULL_HOSPITALISATION:
            out.append("hospital_full")
        elif modes & PARTIAL_HOSPITALISATION:
            out.append("hospital_partial")
        if "J17|127" in keys:
            out.append("icu")
    elif "04" in fields:
        if publics & ELDERLY_PUBLICS:
            out.append("elderly")
        elif publics & DISABILITY_PUBLICS:
            out.append("disability")
    return out


def finess_sites(data_dir: Path, finess_path: Path | None = None) -> list[dict]:
    """The rows `read_sites` gives the generator, built from the FINESS file (no engine needed)."""
    communes = CommuneIndex.from_file(Path(data_dir) / COMMUNES_FILE)
    rows = []
    for row in parse_finess(finess_path or Path(data_dir) / FINESS_FILE, communes, []):
        commune = communes.by_insee.get(row["commune_insee"] or "")
        rows.append({**row, "legal_entity_finess": row["legal_finess"],
                     "commune_population": commune.population if commune else None})
    return rows


def tally_generation(sites: Iterable[dict], seed: int, population: int,
                     as_of: dt.datetime | None = None) -> Tally:
    """Generate every site in memory (nothing written) and count."""
    from loaders.generator import generate_site

    sites = list(sites)
    plans = plan_sites(sites)
    as_of = as_of or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    tally = Tally()
    tally.population = population
    for site in sites:
        tally.add(site, generate_site(site, seed, as_of, plans[site["finess"]]))
    return tally


def national_population(data_dir: Path) -> int:
    """Population of the current communes (INSEE, the same file as the gazetteer)."""
    communes = CommuneIndex.from_file(Path(data_dir) / COMMUNES_FILE)
    return sum(c.population or 0 for c in communes.by_insee.values() if c.kind == "commune-actuelle")


def comparison(figures: list[Figure], tally: Tally) -> list[tuple[Figure, float, bool]]:
    return [(f, tally.value(f.key), f.holds(tally.value(f.key))) for f in figures]


SITE_KEYS = ("J16|0459", "J17|356", "J16|0597", "J17|100", "J17|128", "J17|094", "J17|157", "J17|249", "J17|273",
             "J17|136", "J17|127", "J17|121", "J17|059", "J17|168")


def count_graph(graph, population: int) -> Tally:
    """The same counts read from a loaded graph (the national demo), aggregated by three read queries."""
    tally = Tally()
    tally.population = population
    for row in graph.read_named("read/figures_sites_with", keys=list(SITE_KEYS)):
        tally.sites_with[row["key"]] = set(row["sites"])
    for row in graph.read_named("read/figures_devices", public=sorted(PUBLIC_OR_NON_PROFIT_SPH)):
        tally.devices[row["key"]] += row["devices"]
        if row["public"]:
            tally.public_devices[row["key"]] += row["devices"]
    seen: set[str] = set()
    for row in graph.read_named("read/figures_beds"):
        if row["place"] in seen:
            continue
        seen.add(row["place"])
        for bucket in bed_buckets(set(row["keys"])):
            tally.beds[bucket] += row["beds"]
    return tally


def markdown_table(rows: list[tuple[Figure, float, bool]]) -> str:
    """The "generated vs national" table of docs/generated-offer.md."""
    lines = ["| Figure | National | Year | Band | Generated | In band | Source |", "|---|---:|---|---|---:|---|---|"]
    for f, value, ok in rows:
        lines.append(f"| {f.label} | {_n(f.value)} {f.unit} | {f.year} | {_n(f.low())}–{_n(f.high())} | {_n(value)} | "
                     f"{'yes' if ok else '**no**'} | {f.source} |")
    return "\n".join(lines)


def _n(value: float) -> str:
    """1 234 567 (French thousands separator)."""
    return f"{value:,.0f}".replace(",", "\u202f")
