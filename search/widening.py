"""Adaptive radius, SAS-style: start at the département's SAS radius and widen by half the radius while fewer than
N results, up to a maximum; time-critical acts and activities always get the nearest K, whatever the distance.

Pure functions: the orientation service asks OpenSearch once (the hits sorted by distance within the largest
radius, plus the number of hits within each radius of the sequence) and `decide` picks the radius from those
counts. The decision and its French explanation travel with the result (`Widening`), for the pages, the API,
the CLI and FHIR alike.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from search.models import Coded, RadiusStep, Widening

TIME_CRITICAL_FILE = Path("orientation") / "time_critical.csv"
VALUE_SET_KINDS = {"J16": "act", "J17": "activity", "J18": "equipment"}
FEMININE = {"équipe", "unité", "offre"}


@dataclass(frozen=True, slots=True)
class WideningPolicy:
    """The settings of the adaptive radius (ROR_WIDEN_*, ROR_TIME_CRITICAL_K)."""

    min_results: int = 5
    max_radius_km: float = 200.0
    step_ratio: float = 0.5
    time_critical_k: int = 5


def radius_steps(start_km: float, policy: WideningPolicy) -> tuple[float, ...]:
    """start, then each radius plus half of it (×1.5 by default), whole km, the last one the maximum."""
    start = max(1.0, float(start_km))
    if start >= policy.max_radius_km:
        return (float(start),)
    steps = [start]
    while steps[-1] < policy.max_radius_km:
        steps.append(float(min(policy.max_radius_km, math.ceil(steps[-1] * (1 + policy.step_ratio)))))
    return tuple(steps)


def decide(start_km: float, counts: dict[float, int], policy: WideningPolicy, *, time_critical: bool,
           total_anywhere: int = 0, farthest_km: float | None = None, noun: str = "résultat",
           reason: str | None = None) -> Widening:
    """The radius of the answer: the first radius with at least N results; else the maximum, or, for a
    time-critical query with results beyond it (`total_anywhere`), the nearest K whatever the distance
    (`farthest_km`: the distance of the K-th nearest, when known)."""
    radii = radius_steps(start_km, policy)
    tried: list[RadiusStep] = []
    chosen = None
    for radius in radii:
        tried.append(RadiusStep(radius_km=radius, count=counts.get(radius, 0)))
        if tried[-1].count >= policy.min_results:
            chosen = radius
            break
    if chosen == radii[0]:
        mode = "sas"
    elif chosen is not None:
        mode = "widened"
    elif time_critical and total_anywhere > tried[-1].count:
        mode = "nearest"
    else:
        mode, chosen = "maximum", radii[-1]
    widening = Widening(mode=mode, start_km=radii[0], radius_km=chosen, steps=tuple(tried),
                        min_results=policy.min_results, time_critical=time_critical, time_critical_reason=reason,
                        farthest_km=round(farthest_km, 1) if mode == "nearest" and farthest_km else None)
    return _explained(widening, noun)


@dataclass(frozen=True, slots=True)
class Probe:
    """What a search engine counted around the point: matches within each radius of the sequence, matches
    anywhere (time-critical only, else 0) and the distance of the K-th nearest (time-critical only)."""

    counts: dict[float, int]
    total_anywhere: int = 0
    kth_km: float | None = None


def widen(start_km: float, policy: WideningPolicy, probe: Callable[[tuple[float, ...], int], Probe], *,
          reason: str | None = None, noun: str = "résultat") -> Widening:
    """The adaptive radius of a search that counts its own matches (FHIR `near` without a distance): `probe`
    gets the radius sequence and K (0 unless time-critical, `reason` given) and counts; `decide` picks."""
    found = probe(radius_steps(start_km, policy), policy.time_critical_k if reason else 0)
    return decide(start_km, found.counts, policy, time_critical=reason is not None,
                  total_anywhere=found.total_anywhere, farthest_km=found.kth_km, noun=noun, reason=reason)


def fixed(radius_km: float, count: int, policy: WideningPolicy, noun: str = "résultat") -> Widening:
    """An explicit radius: honoured, not widened."""
    widening = Widening(mode="fixed", start_km=radius_km, radius_km=radius_km,
                        steps=(RadiusStep(radius_km=radius_km, count=count),), min_results=policy.min_results)
    return _explained(widening, noun)


def km(value: float | None) -> str:
    return "" if value is None else (f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ","))


def _plural(noun: str, n: int) -> str:
    """"équipe" → "équipes", "unité avec lits disponibles" → "unités avec lits disponibles"."""
    if n <= 1:
        return noun
    first, _, rest = noun.partition(" ")
    return (first if first.endswith(("s", "x")) else first + "s") + (f" {rest}" if rest else "")


def _none(noun: str) -> str:
    return ("aucune " if noun.split(" ")[0] in FEMININE else "aucun ") + noun


def _within(step: RadiusStep, noun: str, expected: int | None = None) -> str:
    """"aucune équipe à moins de 50 km" / "2 équipes seulement à moins de 50 km (5 attendues)"."""
    if step.count == 0:
        return f"{_none(noun)} à moins de {km(step.radius_km)} km"
    wanted = f" ({expected} attendus)" if expected else ""
    return f"{step.count} {_plural(noun, step.count)} seulement à moins de {km(step.radius_km)} km{wanted}"


def _explained(w: Widening, noun: str) -> Widening:
    first, last = w.steps[0], w.steps[-1]
    if w.mode == "fixed":
        text = (f"Rayon demandé : {km(w.radius_km)} km, non élargi." if first.count else
                f"{_none(noun).capitalize()} à moins de {km(w.radius_km)} km (rayon demandé) : "
                "élargissez la recherche.")
    elif w.mode == "sas":
        text = None
    elif w.mode == "widened":
        text = f"Élargi à {km(w.radius_km)} km : {_within(first, noun, w.min_results)}."
    elif w.mode == "maximum":
        text = (f"Élargi jusqu'au maximum de {km(last.radius_km)} km : {last.count} {_plural(noun, last.count)} "
                "seulement." if last.count else
                f"{_none(noun).capitalize()} à moins de {km(last.radius_km)} km (rayon maximal).")
    else:
        text = (f"{w.time_critical_reason or 'Prise en charge urgente'} : les {_plural(noun, 2)} les plus proches, "
                f"quelle que soit la distance ({_within(last, noun)}).")
    return Widening(**{**{f: getattr(w, f) for f in w.__dataclass_fields__}, "explanation": text,
                       "widened": w.mode == "nearest" or (w.mode in ("widened", "maximum") and len(w.steps) > 1)})


@dataclass(frozen=True, slots=True)
class TimeCritical:
    kind: str  # act | activity | equipment
    code: str
    reason: str  # French: why minutes matter ("Thrombectomie de l'AVC ischémique")


@cache
def time_critical_codes(data_dir: Path) -> dict[tuple[str, str], TimeCritical]:
    """The time-critical acts, activities and equipment, kept as data (data/orientation/time_critical.csv)."""
    out = {}
    with open(Path(data_dir) / TIME_CRITICAL_FILE, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader((line for line in stream if not line.startswith("#")), delimiter=";"):
            kind = VALUE_SET_KINDS[row["value_set"]]
            out[(kind, row["code"])] = TimeCritical(kind, row["code"], row["reason"])
    return out


def time_critical_reason(data_dir: Path, kind: str, matched: tuple[Coded, ...], text: str | None = None) -> str | None:
    """Why the query is time-critical, or None.

    A word that names a whole specialty ("cardiologie", "pédiatrie", "réanimation": ten to fifty codes, one or two of
    them time-critical) is not a time-critical request: the query is time-critical when at least half of the codes
    it resolved to are, or when the one code whose label holds every word typed is ("angioplastie coronaire").
    """
    table = time_critical_codes(Path(data_dir))
    urgent = [table[(kind, c.code)] for c in matched if (kind, c.code) in table]
    if not urgent:
        return None
    if 2 * len(urgent) >= len(matched):
        return urgent[0].reason
    words = _words(text or "")
    if words:
        holders = [c for c in matched if all(any(w.startswith(t) for w in _words(c.label or "")) for t in words)]
        if len(holders) == 1 and (kind, holders[0].code) in table:
            return table[(kind, holders[0].code)].reason
    return None


def codes_reason(data_dir: Path, kind: str, codes: tuple[str, ...]) -> str | None:
    """Why a request naming explicit codes (FHIR `specialty=098,014`) is time-critical: at least half of them are."""
    table = time_critical_codes(Path(data_dir))
    urgent = [table[(kind, c)] for c in codes if (kind, c) in table]
    return urgent[0].reason if urgent and 2 * len(urgent) >= len(codes) else None


def _words(text: str) -> list[str]:
    """Lower-case words without accents, three letters or more ("artères" → "arteres")."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return [w for w in re.split(r"[^a-z0-9]+", folded) if len(w) >= 3]
