"""Great-circle distances and coordinate checks (the one formula the whole product uses)."""

from __future__ import annotations

from core.errors import BadRequest
from geo.communes import distance_km

MIN_RADIUS_KM = 0.5
MAX_RADIUS_KM = 500.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on the mean Earth radius (same as OpenSearch's arc distance)."""
    return distance_km(lat1, lon1, lat2, lon2)


def check_point(lat: float | None, lon: float | None) -> tuple[float, float]:
    """Validated (lat, lon) in WGS84 degrees, else a BadRequest naming the faulty field."""
    if lat is None or lon is None:
        raise BadRequest("Coordonnées incomplètes : latitude et longitude sont requises.",
                         fields={"lat" if lat is None else "lon": "obligatoire"})
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError) as exc:
        raise BadRequest("Coordonnées mal formées : nombres décimaux attendus.",
                         fields={"lat": str(lat), "lon": str(lon)}) from exc
    if not -90.0 <= lat_f <= 90.0 or lat_f != lat_f:
        raise BadRequest(f"Latitude hors limites : {lat} (attendu entre -90 et 90).", fields={"lat": str(lat)})
    if not -180.0 <= lon_f <= 180.0 or lon_f != lon_f:
        raise BadRequest(f"Longitude hors limites : {lon} (attendu entre -180 et 180).", fields={"lon": str(lon)})
    return lat_f, lon_f


def check_radius(radius_km: float | None) -> float | None:
    """A radius within [MIN_RADIUS_KM, MAX_RADIUS_KM] or None (→ SAS default)."""
    if radius_km is None:
        return None
    try:
        value = float(radius_km)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"Rayon mal formé : {radius_km!r} (nombre de km attendu).",
                         fields={"radius_km": str(radius_km)}) from exc
    if not MIN_RADIUS_KM <= value <= MAX_RADIUS_KM:
        raise BadRequest(
            f"Rayon hors limites : {value:g} km (attendu entre {MIN_RADIUS_KM:g} et {MAX_RADIUS_KM:g} km).",
            fields={"radius_km": str(radius_km)},
        )
    return value
