"""Field checks shared by the crisis modules (plan blanc, emergency activity, adverse events): each faulty field
gets a French sentence naming it; the caller raises them together (pure: unit-tested)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.scalars import to_float, to_int


class FieldErrors(ValueError):
    """Every faulty field of one submission → its French reason."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def require_object(payload) -> dict:
    if not isinstance(payload, dict):
        raise FieldErrors({"body": "Le corps de la requête doit être un objet JSON."})
    return payload


def unknown(payload: dict, known: set[str], errors: dict) -> None:
    for name in sorted(set(payload) - known - {"csrf_token"}):
        errors[name] = f"Champ inconnu : {name}."


def blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def count(payload: dict, name: str, label: str, errors: dict, *, maximum: int, required: bool = False) -> int | None:
    """A whole number between 0 and `maximum` ("12", 12 and 12.0 are accepted; True, 1.5 and -1 are not)."""
    raw = payload.get(name)
    if blank(raw):
        if required:
            errors[name] = f"{label} : à renseigner."
        return None
    try:
        value: int | None = to_int(raw)
    except (TypeError, ValueError):
        value = None
    if value is None:
        errors[name] = f"{label} : doit être un nombre entier."
    elif value < 0:
        errors[name] = f"{label} : ne peut pas être négatif."
    elif value > maximum:
        errors[name] = f"{label} : au plus {maximum}."
    else:
        return value
    return None


def share(payload: dict, name: str, label: str, errors: dict) -> float | None:
    """A percentage between 0 and 100 (one decimal kept)."""
    raw = payload.get(name)
    if blank(raw):
        return None
    try:
        value: float | None = to_float(raw)
    except (TypeError, ValueError):
        value = None
    if value is None:
        errors[name] = f"{label} : doit être un pourcentage (nombre de 0 à 100)."
        return None
    if not 0 <= value <= 100:
        errors[name] = f"{label} : doit être compris entre 0 et 100."
        return None
    return round(value, 1)


def text(payload: dict, name: str, label: str, errors: dict, *, limit: int, required: bool = False) -> str | None:
    """Trimmed text of at most `limit` characters, without control characters (new lines and tabs allowed)."""
    raw = payload.get(name)
    if blank(raw):
        if required:
            errors[name] = f"{label} : à renseigner."
        return None
    if not isinstance(raw, str):
        errors[name] = f"{label} : doit être un texte."
    elif len(raw) > limit:
        errors[name] = f"{label} : au plus {limit} caractères."
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in raw):
        errors[name] = f"{label} : caractères de contrôle interdits."
    else:
        return raw.strip()
    return None


def choice(payload: dict, name: str, label: str, allowed, errors: dict, *, required: bool = False):
    """One of `allowed` (a mapping or a collection of accepted values)."""
    raw = payload.get(name)
    if blank(raw):
        if required:
            errors[name] = f"{label} : à renseigner."
        return None
    value = raw.strip() if isinstance(raw, str) else raw
    if isinstance(value, str) and all(isinstance(k, int) for k in allowed) and value.isdigit():
        value = int(value)
    if value not in allowed or isinstance(value, bool):
        errors[name] = f"{label} : valeur inconnue, attendu " + ", ".join(str(k) for k in allowed) + "."
        return None
    return value


def moment(payload: dict, name: str, label: str, errors: dict, *, now: datetime, past: timedelta,
           future: timedelta = timedelta(minutes=5), required: bool = False) -> datetime | None:
    """An ISO 8601 date-time with its offset (a local time without offset is taken as Paris time), between
    `now - past` and `now + future` (clock drift of the sender)."""
    raw = payload.get(name)
    if blank(raw):
        if required:
            errors[name] = f"{label} : à renseigner (date et heure ISO 8601, ex. 2026-01-15T14:05:00+01:00)."
        return None
    try:
        value = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        errors[name] = f"{label} : format attendu date et heure ISO 8601 (ex. 2026-01-15T14:05:00+01:00)."
        return None
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo("Europe/Paris"))
    value = value.astimezone(UTC)
    if value > now + future:
        errors[name] = f"{label} : date dans le futur."
        return None
    if value < now - past:
        errors[name] = f"{label} : trop ancienne (au plus {_days(past)} en arrière)."
        return None
    return value


def day(payload: dict, name: str, label: str, errors: dict, *, today: date, past_days: int,
        required: bool = False) -> date | None:
    """A calendar date (AAAA-MM-JJ) between `today - past_days` and today."""
    raw = payload.get(name)
    if blank(raw):
        if required:
            errors[name] = f"{label} : à renseigner (AAAA-MM-JJ)."
        return None
    try:
        value = date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = f"{label} : format attendu AAAA-MM-JJ."
        return None
    if value > today:
        errors[name] = f"{label} : date dans le futur."
        return None
    if value < today - timedelta(days=past_days):
        errors[name] = f"{label} : au plus {past_days} jours en arrière."
        return None
    return value


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:g} jours" if days >= 1 else f"{delta.total_seconds() / 3600:g} heures"
