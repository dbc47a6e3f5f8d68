"""Which role each hospital site plays, decided from all the sites at once (so a site's offer never depends on
which départements are generated).

The rarest activities go where France has them: the main ("pivot") sites of the CHU/CHR legal entities first,
then the reference hospital of each département (its CHU, else the main hospital site nearest its most
populous commune, usually the préfecture), then the other main sites of
hospital legal entities. A legal entity's pivot is its general hospital site (not a satellite: psychiatry, day
hospital, SMR…) near the entity's main city (not one of its sites far away: AP-HP's Hendaye, Berck or Hyères
hospitals), with the fewest "secondary site" or non-acute marks in its name (convalescence, therapeutic hotel,
"centre …"), then the lowest FINESS number (the historical site was registered first). Large CHU get one pivot
per six general sites (AP-HP, HCL, AP-HM).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from loaders.site_kinds import normalise, site_kind

HOSPITAL_KINDS = ("university_hospital", "hospital", "local_hospital")
SITES_PER_CHU_PIVOT = 6
_SECONDARY = re.compile(r"(?:^|[^A-Z])(?:SITE|ANTENNE|ANNEXE|ANT|LOCAL|HL|RESIDENCE|UNITE|SERVICE|POLE|CENTRE DE|"
                        r"MAISON|PAVILLON|VILLA|CONSULTATIONS?|SOINS PALLIATIFS|EX)(?:$|[^A-Z])")
_NOT_ACUTE = re.compile(r"(?:^|[^A-Z])(?:THERAPEUTIQUE|CONVAL\w*|CTRE|CENTRE(?! HOSPITALIER)|CRF|POUPONNIERE|"
                        r"FOYER|MARITIME|AMBULANCES)(?:$|[^A-Z])")
AWAY_KM = 30.0  # a site farther than this from its legal entity's main city is never preferred as its pivot
_GENERAL = re.compile(r"(?:^|[^A-Z])(?:CHU|CHRU|CHR|CHI|CHIC|CH|CENTRE HOSPITALIER|C H|C H U|HU|HOPITAL|HOPITAUX|"
                      r"HOP|GH|GHU|GHT)(?:$|[^A-Z])")


@dataclass(frozen=True, slots=True)
class SitePlan:
    """A site's kind (profile key) and role among the hospitals of its legal entity and département."""

    kind: str | None
    role: str  # "chu_pivot" | "chu_site" | "reference" | "ch_pivot" | "ch_site" | "site"
    department_rank: int | None = None  # 1 = the département's reference hospital (SAMU, level-2+ maternity…)
    samu: bool = False  # runs the département's SAMU (unless a site of the département is named as the SAMU)
    phone: str | None = None  # the site's phone, else its legal entity's switchboard (the main site's number)


def _pivot_key(site: dict) -> tuple[int, str]:
    name = normalise(site.get("name") or "").replace(".", "")  # "C.H.U. DE POINTE-A-PITRE" is a CHU
    penalty = ((0 if _GENERAL.search(name) else 2) + (1 if _SECONDARY.search(name) else 0)
               + (2 if _NOT_ACUTE.search(name) else 0))
    return penalty, site["finess"]


def _km(site: dict, anchor: dict) -> float:
    """Approximate distance in km (equirectangular: enough to tell a suburb from another région)."""
    if site.get("lat") is None or anchor.get("lat") is None:
        return 0.0
    dlon = (site["lon"] - anchor["lon"]) * math.cos(math.radians((site["lat"] + anchor["lat"]) / 2))
    return 111.2 * math.hypot(site["lat"] - anchor["lat"], dlon)


def _entity_order(members: list[dict], anchor: dict | None) -> list[dict]:
    """Members of one legal entity, the best pivot first: near the entity's main city (`anchor`), then by name
    marks, then by FINESS number."""
    if anchor is None:
        return sorted(members, key=_pivot_key)
    return sorted(members, key=lambda s: (_km(s, anchor) > AWAY_KM, _pivot_key(s)))


def _entity_anchors(sites: list[dict]) -> dict[str, dict]:
    """The main city of each legal entity: the median position of all its sites (hospitals, USLD, schools,
    screening centres… cluster in the city of the main hospital; FINESS commune populations are not reliable
    enough for this)."""
    positions: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for s in sites:
        if s.get("lat") is not None and s.get("legal_entity_finess"):
            positions[s["legal_entity_finess"]].append((s["lat"], s["lon"]))
    return {entity: {"lat": statistics.median(p[0] for p in points), "lon": statistics.median(p[1] for p in points)}
            for entity, points in positions.items()}


def _distance(site: dict, anchor: dict | None) -> float:
    """Squared degrees between a site and the anchor (enough to rank sites of one département)."""
    if anchor is None or site.get("lat") is None:
        return float("inf")
    return (site["lat"] - anchor["lat"]) ** 2 + ((site["lon"] - anchor["lon"]) * 0.7) ** 2


def plan_sites(sites: Iterable[dict]) -> dict[str, SitePlan]:
    """SitePlan of every site, by FINESS number (sites: finess, category_code, name, legal_entity_finess,
    department_code, commune_population)."""
    sites = list(sites)
    kinds = {s["finess"]: site_kind(s.get("category_code"), s.get("name")) for s in sites}
    by_entity: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for s in sites:
        kind = kinds[s["finess"]]
        if kind in HOSPITAL_KINDS:
            by_entity[(kind, s.get("legal_entity_finess") or s["finess"])].append(s)
    roles: dict[str, str] = {}
    anchors_of_entities = _entity_anchors(sites)
    for (kind, entity), members in by_entity.items():
        members[:] = _entity_order(members, anchors_of_entities.get(entity))
        pivots = 1 + (len(members) - 1) // SITES_PER_CHU_PIVOT if kind == "university_hospital" else 1
        for rank, s in enumerate(members):
            prefix = "chu" if kind == "university_hospital" else "ch"
            roles[s["finess"]] = f"{prefix}_pivot" if rank < pivots and kind != "local_hospital" else (
                f"{prefix}_site" if kind != "local_hospital" else "site")
    by_department: dict[str, list[dict]] = defaultdict(list)
    anchors: dict[str, dict] = {}  # a site of the département's most populous commune (usually its préfecture)
    for s in sites:
        department = s.get("department_code") or ""
        if roles.get(s["finess"]) in ("chu_pivot", "ch_pivot"):
            by_department[department].append(s)
        if s.get("lat") is not None and (department not in anchors or (s.get("commune_population") or 0) > (
                anchors[department].get("commune_population") or 0)):
            anchors[department] = s
    ranks: dict[str, int] = {}
    for department, members in by_department.items():
        anchor = anchors.get(department)
        members.sort(key=lambda s: (roles[s["finess"]] != "chu_pivot", _distance(s, anchor), s["finess"]))
        for rank, s in enumerate(members, start=1):
            ranks[s["finess"]] = rank
    named_samu = {s.get("department_code") or "" for s in sites if kinds[s["finess"]] == "samu"}
    switchboard: dict[str, str] = {}
    for s in sorted(sites, key=_pivot_key):
        entity = s.get("legal_entity_finess") or s["finess"]
        if s.get("phone") and entity not in switchboard:
            switchboard[entity] = s["phone"]
    plans = {}
    for s in sites:
        finess = s["finess"]
        role = roles.get(finess, "site")
        rank = ranks.get(finess)
        if role == "ch_pivot" and rank == 1:
            role = "reference"
        samu = rank == 1 and (s.get("department_code") or "") not in named_samu
        phone = s.get("phone") or switchboard.get(s.get("legal_entity_finess") or finess)
        plans[finess] = SitePlan(kind=kinds[finess], role=role, department_rank=rank, samu=samu, phone=phone)
    return plans
