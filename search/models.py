"""Typed queries and results of the orientation service (shared by web, CLI and FHIR).

Queries are plain keyword-only dataclasses; results are dataclasses turned into JSON with `core.jsonable`. The place
types (`Where`, `Origin`, `PlaceCandidate`, `Suggestion`) live in `geo.places` and are re-exported here.
Codes are NOS codes (J17 activity, J16 act, J18 equipment, J19 care mode, J15 age group, J29 public).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from geo.places import Origin as Origin
from geo.places import PlaceCandidate as PlaceCandidate
from geo.places import Suggestion as Suggestion
from geo.places import Where as Where


class QueryKind(StrEnum):
    SPECIALIST_OPINION = "specialist_opinion"
    ACT_TEAM = "act_team"
    EQUIPMENT = "equipment"
    BEDS = "beds"
    TEXT = "text"


class Gender(StrEnum):
    WOMAN = "women"
    MAN = "men"
    ANY = "any"


# ----------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True, kw_only=True)
class BaseQuery:
    """Common criteria. `radius_km=None` → the SAS default radius of the origin's département."""

    where: Where | None = None
    radius_km: float | None = None
    region: str | None = None  # INSEE region code, e.g. "84"
    department: str | None = None  # e.g. "01", "2A", "971"
    page: int = 1
    size: int = 20
    search_after: tuple[Any, ...] | None = None  # cursor from a previous SearchResult.next_search_after
    widen: bool = False  # widen an explicit radius too (without a radius the SAS radius always widens)


@dataclass(frozen=True, kw_only=True)
class SpecialistOpinionQuery(BaseQuery):
    activity: str  # J17 code ("013") or text ("cardio")
    age_group: str | None = None  # J15 code, e.g. "03" (Enfant)
    public: str | None = None  # J29 code
    contact_function: str | None = None  # J220 code preferred for the contact to call


@dataclass(frozen=True, kw_only=True)
class ActTeamQuery(BaseQuery):
    act: str  # J16 code or text ("thrombectomie")
    age_group: str | None = None


@dataclass(frozen=True, kw_only=True)
class EquipmentQuery(BaseQuery):
    equipment: str  # J18 code or text ("IRM")
    open_now: bool = False
    at: datetime | None = None  # evaluate "open now" at this instant (default: now, Europe/Paris)


@dataclass(frozen=True, kw_only=True)
class BedsQuery(BaseQuery):
    activity: str  # J17 code or text
    care_mode: str | None = None  # J19 code or text ("hospitalisation complète")
    gender: Gender = Gender.ANY
    min_available: int = 1
    include_stale: bool = True  # stale capacity is flagged; False hides it
    age_group: str | None = None


@dataclass(frozen=True, kw_only=True)
class TextQuery(BaseQuery):
    """Free text with facets; `where` is optional (without it results are ranked by relevance)."""

    text: str = ""
    activity: str | None = None
    care_mode: str | None = None
    field: str | None = None  # J20 code
    category: str | None = None  # FINESS category code of the site


# ----------------------------------------------------------------------------------------------- results


@dataclass(frozen=True, kw_only=True)
class Coded:
    code: str
    label: str


@dataclass(frozen=True, kw_only=True)
class Contact:
    """Who to call: contact function label and the phone / generic mailbox."""

    function_code: str | None
    function_label: str | None
    name: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True, kw_only=True)
class Capacity:
    installed: int | None
    available_men: int | None
    available_women: int | None
    available_undifferentiated: int | None
    available_total: int | None
    forecast_d: int | None
    forecast_d1: int | None
    updated_at: datetime | None
    age_hours: float | None
    stale: bool
    crisis: str | None = None  # the latest entry was made under a crisis (plan blanc, SSE…): its label


@dataclass(frozen=True, kw_only=True)
class EquipmentInfo:
    code: str
    label: str
    count: int | None
    hours: tuple[str, ...]  # "<ISO weekday> HH:MM-HH:MM", Europe/Paris
    hours_today: tuple[str, ...]  # "HH:MM-HH:MM"
    open_now: bool | None


@dataclass(frozen=True, kw_only=True)
class Reachability:
    """How to reach the unit now: the number to call (the contact function on duty, else the unit's line), its
    generic mailbox, and whether it is open at the time of the search (None: hours not given as a timetable)."""

    phone: str | None
    phone_label: str | None  # who answers: "Responsable d'unité", "Secrétaire", "Accueil de l'unité"…
    mailbox: str | None
    open_now: bool | None
    always_open: bool = False
    hours_today: tuple[str, ...] = ()  # "HH:MM-HH:MM", Europe/Paris
    opening: str | None = None


@dataclass(frozen=True, kw_only=True)
class OfferHit:
    offer_id: str
    name: str
    site_finess: str | None
    site_name: str | None
    legal_entity_finess: str | None
    legal_entity_name: str | None
    category_code: str | None
    category_label: str | None
    sph_code: str | None
    sph_label: str | None
    public_hospital: bool
    address: str | None
    postal_code: str | None
    city: str | None
    commune_insee: str | None
    department_code: str | None
    department_name: str | None
    region_code: str | None
    region_name: str | None
    phone: str | None
    email: str | None
    opening: str | None
    contact: Contact | None
    distance_km: float | None
    why: tuple[str, ...]  # French, e.g. "Activité : Cardiologie générale (013)"
    activities: tuple[Coded, ...] = ()
    care_modes: tuple[Coded, ...] = ()
    acts: tuple[Coded, ...] = ()
    age_groups: tuple[Coded, ...] = ()
    capacity: Capacity | None = None
    tension_level: int | None = None
    equipment: tuple[EquipmentInfo, ...] = ()
    lat: float | None = None
    lon: float | None = None
    synthetic: bool = False
    score: float | None = None
    reachability: Reachability | None = None


@dataclass(frozen=True, kw_only=True)
class FacetBucket:
    key: str
    label: str
    count: int


@dataclass(frozen=True, kw_only=True)
class Facet:
    name: str  # activity | care_mode | department | region | field | category
    buckets: tuple[FacetBucket, ...]


@dataclass(frozen=True, kw_only=True)
class RadiusStep:
    radius_km: float
    count: int  # hits within this radius


@dataclass(frozen=True, kw_only=True)
class Widening:
    """How far a search looked and why (shown in the page and returned by the API).

    mode: "fixed" (explicit radius, not widened), "sas" (enough results at the SAS radius), "widened",
    "maximum" (widened to the maximum radius, still fewer than N), "nearest" (time-critical: the nearest K
    whatever the distance)."""

    mode: str
    start_km: float | None
    radius_km: float | None  # the radius of the results (None: the nearest K, no distance limit)
    steps: tuple[RadiusStep, ...]  # radii tried, in order, with their counts (the last one is the answer's)
    min_results: int
    time_critical: bool = False
    time_critical_reason: str | None = None
    farthest_km: float | None = None  # distance of the farthest result returned (mode "nearest")
    explanation: str | None = None  # French, e.g. "Élargi à 75 km : aucune équipe à moins de 50 km."
    widened: bool = False  # the answer looked beyond the starting radius


@dataclass(frozen=True, kw_only=True)
class TextMatch:
    """A concept the free text names (search.interpret), shown as the relevance explanation."""

    kind: str  # activity | act | equipment | care_mode | age_group | category
    code: str
    label: str
    how: str  # exact | prefix | synonym | corrected
    words: tuple[str, ...]
    note: str | None = None  # e.g. "orthographe corrigée : « cardiolgie » → cardiologie"


@dataclass(frozen=True, kw_only=True)
class SearchResult:
    kind: QueryKind
    total: int
    page: int
    size: int
    hits: tuple[OfferHit, ...]
    origin: Origin | None = None
    radius_km: float | None = None
    radius_source: str | None = None  # "sas" | "explicit" | "fallback" | None
    enlargement_km: float | None = None  # SAS widening step for "élargir la recherche"
    widening: Widening | None = None  # how far the search looked and why (radii tried with their counts)
    interpretation: tuple[TextMatch, ...] = ()  # what the free text was read as, best first
    facets: tuple[Facet, ...] = ()
    next_search_after: tuple[Any, ...] | None = None
    matched: tuple[Coded, ...] = ()  # codes the query text resolved to
    took_ms: float | None = None


@dataclass(frozen=True, kw_only=True)
class SiteHit:
    finess: str
    name: str
    category_code: str | None
    category_label: str | None
    public_hospital: bool
    city: str | None
    department_code: str | None
    region_code: str | None
    lat: float | None
    lon: float | None
    distance_km: float | None


@dataclass(frozen=True, kw_only=True)
class OfferSummary:
    offer_id: str
    name: str
    activities: tuple[Coded, ...] = ()
    care_modes: tuple[Coded, ...] = ()
    synthetic: bool = False


@dataclass(frozen=True, kw_only=True)
class SiteDetail:
    finess: str
    name: str
    legal_entity_finess: str | None
    legal_entity_name: str | None
    category_code: str | None
    category_label: str | None
    sph_code: str | None
    sph_label: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    commune_insee: str | None
    department_code: str | None
    region_code: str | None
    phone: str | None
    email: str | None
    lat: float | None
    lon: float | None
    tension_level: int | None = None
    offers: tuple[OfferSummary, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ProfessionalRole:
    rpps: str
    first_name: str | None
    last_name: str | None
    profession: str | None
    specialty: str | None
    function_code: str | None
    function_label: str | None
    phone: str | None
    email: str | None
    synthetic: bool = False


@dataclass(frozen=True, kw_only=True)
class OfferDetail:
    offer: OfferHit
    status: str | None = None
    updated_at: datetime | None = None
    fields: tuple[Coded, ...] = ()
    publics: tuple[Coded, ...] = ()
    professionals: tuple[ProfessionalRole, ...] = ()
