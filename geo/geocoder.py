"""Street addresses through the national address geocoder (BAN), via geopy; only when a URL is configured."""

from __future__ import annotations

from urllib.parse import urlsplit

from geopy import exc as geopy_errors
from geopy.geocoders import BANFrance

from core.errors import BadRequest, ServiceUnavailable
from geo.distance import check_point
from geo.places import Origin


class AddressGeocoder:
    """Resolves a French street address to an Origin (département and INSEE code from the BAN answer)."""

    def __init__(self, url: str, timeout: float = 3.0, client=None):
        parts = urlsplit(url if "://" in url else f"https://{url}")
        self.client = client or BANFrance(domain=(parts.netloc + parts.path.rstrip("/")),
                                          scheme=parts.scheme or "https", timeout=timeout,
                                          user_agent="ror-graph")

    def geocode(self, text: str) -> Origin:
        try:
            location = self.client.geocode(text, exactly_one=True)
        except (geopy_errors.GeocoderTimedOut, geopy_errors.GeocoderUnavailable,
                geopy_errors.GeocoderServiceError) as exc:
            raise ServiceUnavailable("Le service de géocodage des adresses est indisponible.",
                                     detail=str(exc)) from exc
        if location is None:
            raise BadRequest(f"Adresse introuvable : « {text} ».", fields={"where": text})
        lat, lon = check_point(location.latitude, location.longitude)
        props = (location.raw or {}).get("properties", {}) if isinstance(location.raw, dict) else {}
        citycode = props.get("citycode")
        context = props.get("context", "")
        department = context.split(",")[0].strip() if context else None
        return Origin(lat=lat, lon=lon, label=location.address or text, kind="address",
                      commune_insee=citycode, department_code=department or None, region_code=None)


def make_geocoder(url: str | None) -> AddressGeocoder | None:
    """A geocoder when `ROR_GEOCODER_URL` is set, else None (addresses are then refused offline)."""
    return AddressGeocoder(url) if url else None
