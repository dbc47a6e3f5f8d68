"""Places: where a patient is (`Where`), the point distances are measured from (`Origin`), the possible readings of an
ambiguous place (`PlaceCandidate`) and the suggestions of a search box (`Suggestion`).

Plain frozen dataclasses shared by the gazetteer, the geocoder and the orientation service (`search.models` re-exports
them); `core.jsonable.jsonable` turns them into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Where:
    """Where the patient is: a point, or a text (commune name, INSEE code, postal code, street address)."""

    text: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, kw_only=True)
class Origin:
    """A resolved place: the point distances are measured from."""

    lat: float
    lon: float
    label: str
    kind: str  # "point" | "commune" | "postal_code" | "insee" | "address"
    commune_insee: str | None = None
    department_code: str | None = None
    region_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class PlaceCandidate:
    """One possible reading of an ambiguous place, to show in an error or a picker."""

    insee: str
    name: str
    postal_codes: tuple[str, ...]
    department_code: str
    department_name: str
    lat: float
    lon: float
    population: int | None = None


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    # One entry of a search box's suggestions (no docstring: the OpenAPI schema would carry it).
    kind: str  # activity | act | equipment | commune | site
    code: str
    label: str
    detail: str | None = None
    note: str | None = None  # how a medical suggestion was found: "orthographe corrigée : …", "synonyme : …"
