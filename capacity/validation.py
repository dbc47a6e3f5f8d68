"""Validation of a capacity entry (pure: unit-tested); every error names its field in French."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from core.scalars import to_int
from search.models import CRISIS_TYPES as CRISIS_TYPES  # the entry's crisis types: one list, with the read model

COUNT_FIELDS = {
    "installed": "Lits installés",
    "available_men": "Lits disponibles (hommes)",
    "available_women": "Lits disponibles (femmes)",
    "available_undifferentiated": "Lits disponibles (indifférenciés)",
    "forecast_d": "Prévision J",
    "forecast_d1": "Prévision J+1",
    "closed_reopenable": "Lits fermés réouvrables",
    "extra_beds": "Lits supplémentaires",
}
FIELD_LABELS = {**COUNT_FIELDS, "forecast_date": "Date de la prévision J", "crisis_type": "Type de crise",
                "note": "Note"}
MAX_BEDS = 5000
MAX_NOTE = 500


@dataclass(frozen=True)
class CapacityInput:
    installed: int
    available_men: int
    available_women: int
    available_undifferentiated: int
    forecast_d: int | None
    forecast_d1: int | None
    forecast_date: date
    closed_reopenable: int
    extra_beds: int
    crisis_type: str
    note: str

    @property
    def available_total(self) -> int:
        return self.available_men + self.available_women + self.available_undifferentiated

    def properties(self) -> dict:
        props = asdict(self)
        props["available_total"] = self.available_total
        return props


class CapacityErrors(ValueError):
    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def _int(payload: dict, name: str, errors: dict, *, required: bool = False) -> int | None:
    raw = payload.get(name)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            errors[name] = f"{FIELD_LABELS[name]} : à renseigner."
        return None
    try:
        value = to_int(raw)
    except (TypeError, ValueError):
        errors[name] = f"{FIELD_LABELS[name]} : doit être un nombre entier."
        return None
    if value < 0:
        errors[name] = f"{FIELD_LABELS[name]} : ne peut pas être négatif."
        return None
    if value > MAX_BEDS:
        errors[name] = f"{FIELD_LABELS[name]} : au plus {MAX_BEDS}."
        return None
    return value


def validate(payload: dict, *, installed_beds: int | None, today: date) -> CapacityInput:
    """A checked entry, or CapacityErrors mapping each faulty field to a French sentence naming it."""
    if not isinstance(payload, dict):
        raise CapacityErrors({"body": "Le corps de la requête doit être un objet JSON."})
    errors: dict[str, str] = {}
    unknown = sorted(set(payload) - set(FIELD_LABELS) - {"csrf_token"})
    for name in unknown:
        errors[name] = f"Champ inconnu : {name}."
    counts = {name: _int(payload, name, errors) for name in COUNT_FIELDS}
    installed = counts["installed"] if counts["installed"] is not None else installed_beds
    if installed is None and "installed" not in errors:
        errors["installed"] = "Lits installés : à renseigner (inconnus pour ce lieu)."
    extra = counts["extra_beds"] or 0
    for name in ("available_men", "available_women", "available_undifferentiated"):
        if name not in errors and counts[name] is None:
            counts[name] = 0
    if installed is not None:
        ceiling = installed + extra
        bound = f"les lits installés ({installed})" + (f" plus les lits supplémentaires ({extra})" if extra else "")
        for name in ("available_men", "available_women", "available_undifferentiated", "forecast_d",
                     "forecast_d1"):
            if counts[name] is not None and counts[name] > ceiling:
                errors[name] = f"{FIELD_LABELS[name]} : ne peut pas dépasser {bound}."
        available = [counts[n] for n in ("available_men", "available_women", "available_undifferentiated")]
        if None not in available and sum(available) > ceiling and not any(
                n in errors for n in ("available_men", "available_women", "available_undifferentiated")):
            errors["available_total"] = (f"Total des lits disponibles ({sum(available)}) : ne peut pas dépasser "
                                         f"{bound}.")
        if counts["closed_reopenable"] is not None and counts["closed_reopenable"] > installed:
            errors["closed_reopenable"] = (f"{FIELD_LABELS['closed_reopenable']} : ne peut pas dépasser les lits "
                                           f"installés ({installed}).")
    forecast_date = _forecast_date(payload.get("forecast_date"), today, errors)
    crisis = payload.get("crisis_type") or ""
    if crisis not in CRISIS_TYPES:
        errors["crisis_type"] = "Type de crise : valeur inconnue, attendu " + ", ".join(k for k in CRISIS_TYPES if k)
    note = payload.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = "Note : doit être un texte."
    elif len(note) > MAX_NOTE:
        errors["note"] = f"Note : au plus {MAX_NOTE} caractères."
    elif any(ord(ch) < 32 and ch not in "\n\r\t" for ch in note):
        errors["note"] = "Note : caractères de contrôle interdits."
    if errors:
        raise CapacityErrors(errors)
    return CapacityInput(installed=installed, available_men=counts["available_men"],
                         available_women=counts["available_women"],
                         available_undifferentiated=counts["available_undifferentiated"],
                         forecast_d=counts["forecast_d"], forecast_d1=counts["forecast_d1"],
                         forecast_date=forecast_date, closed_reopenable=counts["closed_reopenable"] or 0,
                         extra_beds=extra, crisis_type=crisis, note=note.strip())


def _forecast_date(raw, today: date, errors: dict) -> date | None:
    """D is today (or tomorrow for an entry made the evening before); anything else is a typing error."""
    if raw in (None, ""):
        return today
    try:
        value = date.fromisoformat(str(raw))
    except ValueError:
        errors["forecast_date"] = "Date de la prévision J : format attendu AAAA-MM-JJ."
        return None
    if value not in (today, today + timedelta(days=1)):
        errors["forecast_date"] = (f"Date de la prévision J : doit être aujourd'hui ({today:%d/%m/%Y}) "
                                   f"ou demain ({today + timedelta(days=1):%d/%m/%Y}).")
        return None
    return value
