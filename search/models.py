"""Typed queries and results of the orientation service (shared by web, CLI and FHIR).

Queries are plain keyword-only dataclasses; results are dataclasses turned into JSON with `core.jsonable`. The place
types (`Where`, `Origin`, `PlaceCandidate`, `Suggestion`) live in `geo.places` and are re-exported here.
Codes are NOS codes (J17 activity, J16 act, J18 equipment, J19 care mode, J15 age group, J29 public).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core import freshness
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


# Crisis types of a capacity entry (the entry form's choices, capacity.validation): code → label.
CRISIS_TYPES = {
    "": "Aucune", "plan_blanc": "Plan blanc", "canicule": "Canicule", "epidemie": "Épidémie",
    "sse": "Situation sanitaire exceptionnelle", "grand_froid": "Grand froid", "autre": "Autre",
}
# Those flagged on orientation results (beds opened in a crisis): `Capacity.crisis`.
CRISIS_FLAGGED = ("plan_blanc", "sse")
CAPACITY_FIGURES = ("installed", "available_men", "available_women", "available_undifferentiated", "available_total",
                    "forecast_d", "forecast_d1", "closed_reopenable", "extra_beds")


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """A capacity entry as every view and answer shows it: figures, crisis, age and stale flag (core.freshness).

    Built by `Capacity.read`, for the orientation hit, the entry form and history and the API. From the search
    index (hits) the entry's id, place, note, author, forecast date, closed and extra beds are not known: null."""

    installed: int | None
    available_men: int | None
    available_women: int | None
    available_undifferentiated: int | None
    available_total: int | None
    forecast_d: int | None
    forecast_d1: int | None
    closed_reopenable: int | None
    extra_beds: int | None
    forecast_date: date | None
    updated_at: datetime | None
    age_minutes: int | None
    age_hours: float | None
    age_text: str  # « il y a 3 h 10 », « jamais saisie »
    stale: bool
    crisis_type: str  # "" when the entry was made outside a crisis
    crisis_label: str
    crisis: str | None  # the label when beds were opened in a crisis (plan blanc, SSE): flagged on results
    id: str | None
    place_id: str | None
    note: str | None
    updated_by: str | None
    latest: bool

    @classmethod
    def read(cls, entry: dict, *, stale_hours: float, now: datetime | None = None, place_id: str | None = None,
             crisis_type: str | None = None, latest: bool | None = None) -> Capacity:
        """From a CapacitySnapshot read in the graph or an offer document's `capacity` (its crisis type is kept
        beside it: `crisis_type`)."""
        updated = freshness.instant(entry.get("updated_at"))
        age = freshness.Freshness.of(updated, stale_hours, now)
        crisis = (entry.get("crisis_type") if crisis_type is None else crisis_type) or ""
        return cls(
            **{k: entry.get(k) for k in CAPACITY_FIGURES},
            forecast_date=freshness.native(entry.get("forecast_date")), updated_at=updated,
            age_minutes=age.age_minutes, age_hours=age.age_hours, age_text=age.age_text, stale=age.stale,
            crisis_type=crisis, crisis_label=CRISIS_TYPES.get(crisis, crisis),
            crisis=CRISIS_TYPES[crisis] if crisis in CRISIS_FLAGGED else None,
            id=entry.get("id"), place_id=place_id, note=entry.get("note"), updated_by=entry.get("updated_by"),
            latest=bool(entry.get("latest")) if latest is None else latest)


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
