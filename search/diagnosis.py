"""Why a search found nothing or could not be read, and the way out: the other kind of search where the words name
a concept (an act typed as an activity), the one filter that emptied the list, the nearest result beyond the radius,
or that no offer of the directory declares the concept at all. Only the orientation service's public queries are
used, each with one criterion relaxed; they run only when a page has nothing to show."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from math import ceil
from typing import TYPE_CHECKING, Any

from core.errors import BadRequest
from search.models import (
    ActTeamQuery,
    BaseQuery,
    BedsQuery,
    Coded,
    EquipmentQuery,
    Gender,
    OfferHit,
    SearchResult,
    SpecialistOpinionQuery,
    TextQuery,
)

if TYPE_CHECKING:
    from search.orientation import OrientationService
    from search.vocabulary import Vocabulary

MAX_RADIUS_KM = 500
# The concept kind each orientation mode reads its "what" as; the text mode reads free words.
KIND_OF_MODE = {"specialist_opinion": "activity", "beds": "activity", "act_team": "act", "equipment": "equipment"}
MODE_OF_KIND = {"activity": "specialist_opinion", "act": "act_team", "equipment": "equipment"}


@dataclass(frozen=True)
class OtherMode:
    """The words name concepts of another kind: search in that mode instead."""

    mode: str
    kind: str
    concepts: tuple[Coded, ...]


@dataclass(frozen=True)
class Relaxed:
    """Without this criterion the search finds `count` results."""

    criterion: str  # age_group | public | open_now | gender | region | department | available_beds
    count: int


@dataclass(frozen=True)
class Nearest:
    hit: OfferHit
    distance_km: float
    radius_km: int  # the radius (km, rounded up to 5) that reaches it


@dataclass(frozen=True)
class EmptyDiagnosis:
    relaxed: tuple[Relaxed, ...] = ()
    nearest: Nearest | None = None
    declared_anywhere: bool | None = None  # False: no published offer of the directory declares it


def run(service: OrientationService, query: BaseQuery) -> SearchResult:
    """The orientation query of `query`'s type."""
    if isinstance(query, SpecialistOpinionQuery):
        return service.specialist_opinion(query)
    if isinstance(query, ActTeamQuery):
        return service.act_team(query)
    if isinstance(query, EquipmentQuery):
        return service.equipment(query)
    if isinstance(query, BedsQuery):
        return service.beds(query)
    if isinstance(query, TextQuery):
        return service.text(query)
    raise TypeError(f"not an orientation query: {type(query).__name__}")


def other_modes(vocabulary: Vocabulary, mode: str, text: str) -> list[OtherMode]:
    """The other modes whose kind of concept the text names (none for a code or an empty text)."""
    text = (text or "").strip()
    if not text:
        return []
    mine = KIND_OF_MODE.get(mode)
    out = []
    for kind, other in MODE_OF_KIND.items():
        if kind == mine:
            continue
        try:
            found = vocabulary.resolve(kind, text)
        except BadRequest:
            continue
        if found:
            out.append(OtherMode(mode=other, kind=kind, concepts=tuple(found)))
    return out


RELAXABLE: tuple[tuple[str, Any], ...] = (("age_group", None), ("public", None), ("open_now", False),
                                          ("gender", Gender.ANY), ("department", None), ("region", None))


def why_empty(service: OrientationService, query: BaseQuery, radius_km: float | None = None) -> EmptyDiagnosis:
    """What to change so that `query` (which found nothing within `radius_km`) finds something."""
    probe = dataclasses.replace(query, page=1, size=1, search_after=None)
    relaxed = []
    for name, neutral in RELAXABLE:
        if getattr(probe, name, neutral) in (neutral, None):
            continue
        count = _count(service, dataclasses.replace(probe, **{name: neutral}))
        if count:
            relaxed.append(Relaxed(criterion=name, count=count))
    if isinstance(probe, BedsQuery):
        same = SpecialistOpinionQuery(activity=probe.activity, age_group=probe.age_group, where=probe.where,
                                      radius_km=probe.radius_km, region=probe.region,
                                      department=probe.department, size=1)
        count = _count(service, same)
        if count:
            relaxed.append(Relaxed(criterion="available_beds", count=count))
    nearest = None
    if probe.where is not None and not isinstance(probe, TextQuery):
        nearest = _nearest_beyond(service, probe, radius_km or probe.radius_km)
    declared = _declared_anywhere(service, probe) if not relaxed and nearest is None else None
    return EmptyDiagnosis(relaxed=tuple(relaxed), nearest=nearest, declared_anywhere=declared)


def _count(service: OrientationService, query: BaseQuery) -> int:
    try:
        return run(service, query).total
    except BadRequest:
        return 0


def _nearest_beyond(service: OrientationService, probe: BaseQuery, radius_km: float | None) -> Nearest | None:
    """The nearest result up to the largest radius, when the query's own radius found none."""
    try:
        wide = run(service, dataclasses.replace(probe, radius_km=MAX_RADIUS_KM))
    except BadRequest:
        return None
    if not wide.hits or wide.hits[0].distance_km is None:
        return None
    distance = wide.hits[0].distance_km
    if radius_km is not None and distance <= radius_km:
        return None  # a filter, not the distance, emptied the list
    return Nearest(hit=wide.hits[0], distance_km=distance,
                   radius_km=min(MAX_RADIUS_KM, 5 * ceil(distance / 5 + 1e-9)))


def _declared_anywhere(service: OrientationService, probe: BaseQuery) -> bool | None:
    """Does any published offer anywhere declare the activity asked (None: not checked for acts, equipment)?"""
    if not isinstance(probe, SpecialistOpinionQuery | BedsQuery):
        return None
    return _count(service, TextQuery(text="", activity=probe.activity, size=1)) > 0
