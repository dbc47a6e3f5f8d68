"""Typed parsing of FHIR search values (token, date with prefix and precision, number, reference, near, paging),
used by the query compiler (`fhir_api.query`). Invalid values raise `InvalidParam` with a French message naming
the parameter and the value (→ OperationOutcome 400).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from core.errors import BadRequest

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
_PREFIXED = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.+)$")
_DATE = re.compile(
    r"^(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})(T(?P<H>\d{2}):(?P<M>\d{2})(:(?P<S>\d{2})(?P<f>\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
KM_PER_UNIT = {"km": 1.0, "m": 0.001, "mi": 1.609344, "[mi_i]": 1.609344}
MAX_NEAR_KM = 1000.0


class InvalidParam(BadRequest):
    code = "invalid_parameter"




def split_values(raw: str) -> list[str]:
    """Comma-separated values (`\\,` escapes a comma inside a value)."""
    parts, current, escaped = [], [], False
    for ch in raw:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p != ""]




def token(raw: str) -> dict:
    """`system|code`, `|code` (no system), `system|` (any code of the system) or `code` (any system)."""
    if "|" in raw:
        system, _, code = raw.partition("|")
        # "" (no system) never equals a published system URL: `|code` only matches system-less codes.
        return {"system": system, "code": code or None}
    return {"system": None, "code": raw}






def _prefixed(raw: str, name: str) -> tuple[str, str]:
    match = _PREFIXED.match(raw)
    if not match:
        raise InvalidParam(f"Valeur invalide pour « {name} » : {raw!r}.")
    prefix = match.group(1) or "eq"
    if prefix == "ap":
        raise InvalidParam(f"Le préfixe « ap » n'est pas pris en charge pour « {name} ».")
    return prefix, match.group(2)


def _date_bounds(text: str, name: str) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) interval covered by a FHIR date at its precision (no zone = UTC)."""
    m = _DATE.match(text)
    if not m:
        raise InvalidParam(f"Date invalide pour « {name} » : {text!r} (attendu AAAA, AAAA-MM, AAAA-MM-JJ "
                           "ou AAAA-MM-JJThh:mm[:ss][Z|±hh:mm]).")
    tz = dt.UTC
    if m.group("tz") and m.group("tz") != "Z":
        sign = 1 if m.group("tz")[0] == "+" else -1
        hours, minutes = int(m.group("tz")[1:3]), int(m.group("tz")[4:6])
        if hours > 14 or minutes > 59:
            raise InvalidParam(f"Décalage horaire invalide pour « {name} » : {m.group('tz')} (de -14:00 à +14:00).")
        tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        y = int(m.group("y"))
        if m.group("m") is None:
            return dt.datetime(y, 1, 1, tzinfo=tz), dt.datetime(y + 1, 1, 1, tzinfo=tz)
        mo = int(m.group("m"))
        if m.group("d") is None:
            start = dt.datetime(y, mo, 1, tzinfo=tz)
            end = dt.datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=tz)
            return start, end
        d = int(m.group("d"))
        if m.group("H") is None:
            start = dt.datetime(y, mo, d, tzinfo=tz)
            return start, start + dt.timedelta(days=1)
        H, M = int(m.group("H")), int(m.group("M"))
        if m.group("S") is None:
            start = dt.datetime(y, mo, d, H, M, tzinfo=tz)
            return start, start + dt.timedelta(minutes=1)
        frac = m.group("f") or ""
        micro = int((frac[1:] + "000000")[:6]) if frac else 0
        start = dt.datetime(y, mo, d, H, M, int(m.group("S")), micro, tzinfo=tz)
        return start, start + (dt.timedelta(microseconds=1) if frac else dt.timedelta(seconds=1))
    except ValueError as exc:
        raise InvalidParam(f"Date invalide pour « {name} » : {text!r}.") from exc


def date_condition(raw: str, name: str) -> dict:
    """{negate, lo, hi}: the value must lie in [lo, hi) (ISO strings, either may be null)."""
    prefix, text = _prefixed(raw, name)
    start, end = _date_bounds(text, name)
    lo, hi, negate = {
        "eq": (start, end, False), "ne": (start, end, True),
        "gt": (end, None, False), "sa": (end, None, False), "ge": (start, None, False),
        "lt": (None, start, False), "eb": (None, start, False), "le": (None, end, False),
    }[prefix]
    return {"negate": negate, "lo": lo.isoformat() if lo else None, "hi": hi.isoformat() if hi else None}




def number_condition(raw: str, name: str, minimum: float = -math.inf) -> dict:
    """{negate, lo, lo_incl, hi, hi_incl} for a prefixed number."""
    prefix, text = _prefixed(raw, name)
    try:
        value = float(text)
    except ValueError as exc:
        raise InvalidParam(f"Nombre invalide pour « {name} » : {raw!r}.") from exc
    if not math.isfinite(value) or value < minimum:
        raise InvalidParam(f"Nombre invalide pour « {name} » : {raw!r} (attendu : un nombre ≥ {minimum:g}).")
    base = {"negate": False, "lo": None, "lo_incl": False, "hi": None, "hi_incl": False}
    if prefix in ("eq", "ne"):
        return {**base, "negate": prefix == "ne", "lo": value, "lo_incl": True, "hi": value, "hi_incl": True}
    if prefix in ("gt", "sa", "ge"):
        return {**base, "lo": value, "lo_incl": prefix == "ge"}
    return {**base, "hi": value, "hi_incl": prefix == "le"}






def reference_id(raw: str, resource_type: str, name: str) -> str:
    """The logical id of `Type/id`, a full URL ending with it, or a bare id."""
    parts = raw.rstrip("/").split("/")
    if len(parts) >= 2:
        if parts[-2] != resource_type:
            raise InvalidParam(f"Référence invalide pour « {name} » : {raw!r} (attendu {resource_type}/id).")
        return parts[-1]
    return raw




def near(raw: str, name: str = "near", default_km: float = 30.0) -> dict:
    """`lat|lon[|distance[|unit]]` → {lat, lon, meters}; unit km (default), m or mi."""
    parts = raw.split("|")
    if len(parts) < 2 or len(parts) > 4:
        raise InvalidParam(f"Valeur invalide pour « {name} » : attendu latitude|longitude|distance|unité.")
    try:
        lat, lon = float(parts[0]), float(parts[1])
        distance = float(parts[2]) if len(parts) > 2 and parts[2] else default_km
    except ValueError as exc:
        raise InvalidParam(f"Valeur numérique invalide pour « {name} » : {raw!r}.") from exc
    unit = parts[3] if len(parts) > 3 and parts[3] else "km"
    if unit not in KM_PER_UNIT:
        raise InvalidParam(f"Unité de distance non prise en charge pour « {name} » : {unit!r} (km, m ou mi).")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not 0 < distance * KM_PER_UNIT[unit] <= MAX_NEAR_KM:
        raise InvalidParam(f"Coordonnées ou distance hors limites pour « {name} » : {raw!r} (latitude -90 à 90, "
                           f"longitude -180 à 180, distance de 0 à {MAX_NEAR_KM:g} km).")
    return {"lat": lat, "lon": lon, "meters": distance * KM_PER_UNIT[unit] * 1000.0}


def positive_int(raw: str | None, name: str, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidParam(f"« {name} » doit être un entier positif.") from exc
    if value < 0:
        raise InvalidParam(f"« {name} » doit être un entier positif.")
    return min(value, maximum)
