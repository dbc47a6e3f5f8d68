"""Deterministic synthetic offer on top of the real FINESS sites (same seed ⇒ same graph).

Each site gets its own `random.Random(f"{seed}:{finess}")`, so a site's offer does not depend on which other
sites are generated (`--departments`). Ids are derived from the FINESS number (`SYN-OFF-<finess>-<n>`,
professionals `SYN<finess><n>`): a re-run MERGEs the same nodes and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import cypher
from graph import tombstones
from graph.driver import Graph
from loaders import fhir_extras, tariffs
from loaders.common import LoadSummary, Timer, chunks, write_in_batches
from loaders.offer_catalog import PATHWAYS, SAMU, Profile, Role, Service, Unit
from loaders.offer_profiles import profile_for
from loaders.site_plan import SitePlan, plan_sites

GENERATOR_VERSION = "2"
TENSION_RATE = 0.04
CAUSES = ("Afflux de patients aux urgences", "Épidémie saisonnière", "Manque de lits d'aval",
          "Absentéisme du personnel", "Panne d'équipement")
ACTIONS = ("Déclenchement du plan de mobilisation interne", "Déprogrammation d'activités non urgentes",
           "Ouverture de lits supplémentaires", "Renfort de personnel")


@dataclass
class SiteGraph:
    """Rows of everything generated for a batch of sites, grouped by write query."""

    orgs: list[dict] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)
    offers: list[dict] = field(default_factory=list)
    professionals: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    capacities: list[dict] = field(default_factory=list)
    tensions: list[dict] = field(default_factory=list)

    def extend(self, other: SiteGraph) -> None:
        for name in ("orgs", "places", "offers", "professionals", "roles", "capacities", "tensions"):
            getattr(self, name).extend(getattr(other, name))


@cache
def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40]


def default_as_of() -> dt.datetime:
    """Reference time of a generation: the current hour (UTC), so a re-run within the hour is identical."""
    return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


class _SiteBuilder:
    def __init__(self, site: dict, profile: Profile, seed: int, as_of: dt.datetime, plan: SitePlan):
        self.site, self.profile, self.as_of, self.plan = site, profile, as_of, plan
        self.phone = site.get("phone") or plan.phone  # a site without a number: its legal entity's switchboard
        self.finess = site["finess"]
        self.rng = random.Random(f"{seed}:{self.finess}")
        self.domain = f"etab-{self.finess.lower()}.example.org"
        self.out = SiteGraph()
        self.people: dict[tuple, str] = {}
        self.n_offers = self.n_places = 0
        self.main_place = self._place("Site principal", None, ())

    def build(self) -> SiteGraph:
        if self.profile.services:
            poles: dict[str, str] = {}
            for service in self._services():
                if service.pole not in poles:
                    poles[service.pole] = self._org(service.pole, "pole", None)
                org = self._org(service.name, "service", poles[service.pole])
                for unit in service.units:
                    if self.rng.random() < unit.probability:
                        self._offer(unit, org, service.name)
        else:
            org = self._org(self.profile.name, "service", None)
            for unit in self.profile.units:
                if self.rng.random() < unit.probability:
                    self._offer(unit, org, self.profile.name)
        if self.profile.tension and self.rng.random() < TENSION_RATE:
            self._tension()
        return self.out

    def _services(self) -> list[Service]:
        """The services drawn for this site: each with its probability, one at most per exclusive group
        (a maternity of type 3, 2 or 1), plus the SAMU of the département's reference hospital."""
        chosen: list[Service] = []
        first_draw: dict[str, float] = {}
        cumulated: dict[str, float] = {}
        for service in self.profile.services:
            draw = self.rng.random()
            if service.group is None:
                if draw < service.probability:
                    chosen.append(service)
                continue
            decisive = first_draw.setdefault(service.group, draw)  # the group's first draw picks one at most
            low = cumulated.get(service.group, 0.0)
            cumulated[service.group] = low + service.probability
            if low <= decisive < low + service.probability:
                chosen.append(service)
        if self.plan.samu and SAMU not in chosen:
            chosen.append(SAMU)
        return chosen

    def _org(self, name: str, kind: str, parent: str | None) -> str:
        org_id = f"SYN-ORG-{self.finess}-{len(self.out.orgs) + 1:03d}"
        self.out.orgs.append({"id": org_id, "name": name, "kind": kind, "site": self.finess, "parent": parent})
        return org_id

    def _place(self, name: str, beds: int | None, equipment: list[dict]) -> str:
        place_id = f"SYN-PLC-{self.finess}-{self.n_places:03d}"
        self.n_places += 1
        s = self.site
        self.out.places.append({
            "id": place_id, "name": name, "address_line1": s["address_line1"], "postal_code": s["postal_code"],
            "city": s["city"], "lat": s["lat"], "lon": s["lon"], "installed_beds": beds, "equipment": equipment,
        })
        if beds:
            self._capacity(place_id, beds)
        return place_id

    def _offer(self, unit: Unit, org_id: str, service: str) -> None:
        rng = self.rng
        self.n_offers += 1
        offer_id = f"SYN-OFF-{self.finess}-{self.n_offers:03d}"
        beds = rng.randint(*unit.beds) if unit.beds else None
        equipment = [{"key": f"J18|{code}", "count": n, "hours": list(hours)}
                     for code, low, high, hours in unit.equipment if (n := rng.randint(low, high)) > 0]
        place = self._place(unit.name, beds, equipment) if beds or equipment else self.main_place
        modes = (rng.choice(unit.one_mode_of),) if unit.one_mode_of else unit.modes
        links = ([{"rel": "PROVIDES", "key": f"J17|{c}"} for c in unit.activities]
                 + [{"rel": "MODE", "key": f"J19|{c}"} for c in modes]
                 + [{"rel": "PERFORMS", "key": f"J16|{c}"} for c in unit.acts]
                 + [{"rel": "FOR_AGE", "key": f"J15|{c}"} for c in unit.ages]
                 + [{"rel": "FOR_PUBLIC", "key": f"J29|{c}"} for c in unit.publics]
                 + [{"rel": "IN_FIELD", "key": f"J20|{unit.field}"}])
        if unit.temporality:
            links.append({"rel": "TEMPORALITY", "key": f"J30|{unit.temporality}"})
        email = f"{unit.mailbox if unit.mailbox != 'secretariat' else slug(unit.name)}@{self.domain}"
        self.out.offers.append({
            "id": offer_id, "name": unit.name, "phone": self.phone, "email": email,
            "opening": unit.opening, "org": org_id, "site": self.finess, "place": place, "links": links,
        })
        for index, role in enumerate(unit.roles):
            rpps = self._person(role, service, offer_id, index)
            mailbox = f"{role.mailbox}@{self.domain}" if role.mailbox else email
            self.out.roles.append({"rpps": rpps, "offer": offer_id, "function": role.function,
                                   "nature": role.nature, "email": mailbox, "phone": self.phone})

    def _person(self, role: Role, service: str, offer_id: str, index: int) -> str:
        scope = {"site": (), "service": (service,), "offer": (offer_id, index)}[role.shared]
        key = (role.shared, *scope, role.profession, role.specialty, role.function)
        rpps = self.people.get(key)
        if rpps is None:
            rpps = f"SYN{self.finess}{len(self.people) + 1:04d}"
            self.people[key] = rpps
            self.out.professionals.append({
                "rpps": rpps, "first_name": "Synthétique", "last_name": f"Professionnel {rpps[3:]}",
                "profession_key": f"J186|{role.profession}", "profession_code": role.profession.split("|")[1],
                "specialty_key": f"J210|{role.specialty}" if role.specialty else None,
                "specialty_code": role.specialty,
            })
        return rpps

    def _capacity(self, place_id: str, installed: int) -> None:
        rng = self.rng
        available = rng.randint(0, max(1, installed // 5))
        men = rng.randint(0, available)
        women = rng.randint(0, available - men)
        updated = self.as_of - dt.timedelta(minutes=rng.randint(0, 48 * 60))
        self.out.capacities.append({
            "id": f"SYN-CAP-{place_id}-001", "place": place_id, "installed": installed,
            "available_men": men, "available_women": women, "available_undifferentiated": available - men - women,
            "available_total": available, "forecast_d": max(0, available + rng.randint(-2, 2)),
            "forecast_d1": max(0, available + rng.randint(-3, 3)), "closed_reopenable": rng.randint(0, 3),
            "extra_beds": rng.choice((0, 0, 0, 1, 2)), "updated_at": updated.isoformat(),
        })

    def _tension(self) -> None:
        rng = self.rng
        started = self.as_of - dt.timedelta(hours=rng.randint(1, 72))
        self.out.tensions.append({
            "id": f"SYN-TES-{self.finess}-001", "site": self.finess, "level": rng.randint(1, 4),
            "cause": rng.choice(CAUSES), "actions": rng.choice(ACTIONS), "started_at": started.isoformat(),
        })


def generate_site(site: dict, seed: int, as_of: dt.datetime, plan: SitePlan | None = None) -> SiteGraph:
    """Everything generated for one site (empty when its kind gets no care offer). Without a plan the site is
    planned alone (the pivot of its own legal entity and the reference hospital of its département)."""
    plan = plan or plan_sites([site])[site["finess"]]
    profile = profile_for(plan, site.get("name"))
    if profile is None:
        return SiteGraph()
    return _SiteBuilder(site, profile, seed, as_of, plan).build()


def generate_sites(sites: Iterable[dict], seed: int, as_of: dt.datetime, chunk_offers: int = 10_000,
                   plans: dict[str, SitePlan] | None = None) -> Iterator[SiteGraph]:
    """Chunks of generated rows holding about `chunk_offers` offers each."""
    current = SiteGraph()
    for site in sites:
        current.extend(generate_site(site, seed, as_of, plans.get(site["finess"]) if plans else None))
        if len(current.offers) >= chunk_offers:
            yield current
            current = SiteGraph()
    if current.offers or current.orgs:
        yield current


WRITE_ORDER = (("orgs", "write/generated_orgs"), ("places", "write/generated_places"),
               ("offers", "write/generated_offers"), ("professionals", "write/generated_professionals"),
               ("roles", "write/generated_roles"), ("capacities", "write/generated_capacities"),
               ("tensions", "write/generated_tensions"))


def read_sites(graph: Graph, departments: set[str] | None) -> list[dict]:
    """The sites to equip, in FINESS order (the order does not change any site's result)."""
    return graph.read(cypher.query("read/generator_sites"),
                      departments=sorted(departments) if departments else None)


def generate_offer(graph: Graph, data_dir: Path | None = None, *, seed: int = 42,
                   departments: set[str] | None = None, as_of: dt.datetime | None = None,
                   progress: bool = False, batch_size: int = 2_000, replace: bool = False) -> LoadSummary:
    """Generate and write the synthetic offer of every site (or of some départements).

    `replace` first deletes every generated node (needed to apply another seed or generator version)."""
    from tqdm import tqdm

    summary, timer = LoadSummary("Offre synthétique"), Timer()
    if replace:  # what the FHIR facade published leaves a tombstone (purged below for what comes back)
        graph.run_autocommit(cypher.query("write/delete_generated"), deleted_by="ror generate offer --replace",
                             reason="generator.replace")
    as_of = as_of or default_as_of()
    version = f"generator-v{GENERATOR_VERSION}-seed{seed}"
    everything = read_sites(graph, None)
    plans = plan_sites(everything)
    sites = [s for s in everything if s.get("department_code") in departments] if departments else everything
    summary.rows_read = len(sites)
    bar = tqdm(total=len(sites), desc="Offre synthétique", unit=" sites", disable=not progress)
    done = 0

    def counted(rows):
        nonlocal done
        for site in rows:
            done += 1
            yield site

    try:
        for chunk in generate_sites(counted(sites), seed, as_of, plans=plans):
            for attribute, query in WRITE_ORDER:
                rows = getattr(chunk, attribute)
                if rows:
                    write_in_batches(graph, query, rows, summary, batch_size=batch_size, version=version,
                                     as_of=as_of.isoformat())
            summary.rows_loaded += len(chunk.offers)
            bar.update(done - bar.n)
    finally:
        bar.close()
    write_pathways(graph, summary)
    fhir_extras.enrich(graph)  # synthetic place functions, intervention zones, sectors, equipment limits
    tariffs.generate(graph)  # synthetic EHPAD tariffs (FHIR ror-organization-price)
    if replace:
        tombstones.purge_recreated(graph)
    summary.seconds = timer.seconds
    return summary


def pathway_rows() -> list[dict]:
    return [{"pathway": name, "rank": rank, "from": f"J17|{a}", "to": f"J17|{b}"}
            for name, steps in PATHWAYS.items() for rank, (a, b) in enumerate(pairwise(steps), start=1)]


def write_pathways(graph: Graph, summary: LoadSummary) -> None:
    for batch in chunks(pathway_rows(), 1000):
        summary.add_counters(graph.write_batches("write/pathways", batch))
