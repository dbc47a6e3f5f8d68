"""What an establishment declares in an exceptional health situation (SSE): its plan blanc state and its crisis
resources. The lists (bed activities, equipment, critical medicines, plan levels) are data; the checks are pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.scalars import to_bool
from crisis import checks

PLAN_LEVELS = {
    1: "Niveau 1 — tension (mobilisation interne)",
    2: "Niveau 2 — plan blanc (situation sanitaire exceptionnelle)",
}
# Beds that can be opened within 24 h / 48 h, by activity.
BED_ACTIVITIES = {
    "reanimation_adulte": "Réanimation adulte",
    "reanimation_pediatrique": "Réanimation pédiatrique",
    "soins_critiques": "Soins critiques (USC, USI)",
    "medecine": "Médecine",
    "chirurgie": "Chirurgie",
    "pediatrie": "Pédiatrie",
    "brules": "Grands brûlés",
    "psychiatrie": "Psychiatrie",
    "smr": "Soins médicaux et de réadaptation",
}
BED_DELAYS = {"24h": "sous 24 h", "48h": "sous 48 h"}
EQUIPMENT = {
    "ventilators": "Respirateurs disponibles",
    "ecmo": "Dispositifs d'ECMO disponibles",
    "decontamination_units": "Unités de décontamination",
    "operating_rooms": "Salles d'opération mobilisables",
    "recallable_staff": "Personnels rappelables",
}
# Critical medicines of the SSE stocks (antidotes of the NRBC plans, massive bleeding), as counts of units.
MEDICINES = {
    "stock_hydroxocobalamin": "Hydroxocobalamine (kits, cyanure)",
    "stock_atropine": "Atropine (ampoules, organophosphorés)",
    "stock_pralidoxime": "Pralidoxime (flacons, organophosphorés)",
    "stock_potassium_iodide": "Iodure de potassium (boîtes, iode radioactif)",
    "stock_methylene_blue": "Bleu de méthylène (ampoules)",
    "stock_tranexamic_acid": "Acide tranexamique (ampoules, hémorragies)",
}
BED_FIELDS = {f"beds_{delay}_{key}": f"Lits ouvrables {delay_label} — {label}"
              for delay, delay_label in BED_DELAYS.items() for key, label in BED_ACTIVITIES.items()}
RESOURCE_FIELDS = {**BED_FIELDS, **EQUIPMENT, **MEDICINES}
# Establishments expected on the crisis board (FINESS categories): CHR/CHU, CH, ex-hôpitaux locaux, ESPIC and private
# MCO establishments, army hospitals. A site of another category appears once it has declared something.
SSE_CATEGORIES = ("101", "106", "114", "122", "128", "129", "355", "365")
# Capacity entries made under these crisis types (capacity module) count as beds opened in a crisis.
CRISIS_CAPACITY_TYPES = ("plan_blanc", "sse")
MAX_COUNT = 100_000
MAX_NOTE = 1000
PLAN_FIELDS = {"active": "Plan blanc déclenché", "level": "Niveau", "since": "Date de déclenchement",
               "note": "Commentaire"}


@dataclass(frozen=True)
class PlanInput:
    active: bool
    level: int | None
    since: datetime | None
    note: str | None


PLAN_WORDS = {"declenche": True, "déclenché": True, "leve": False, "levé": False}  # besides core.scalars' yes/no


def _flag(raw: object) -> bool | None:
    """A boolean, one of the product's yes/no words (core.scalars) or déclenché/levé; None for anything else."""
    if isinstance(raw, str) and raw.strip().lower() in PLAN_WORDS:
        return PLAN_WORDS[raw.strip().lower()]
    if not isinstance(raw, bool | str):
        return None
    try:
        return to_bool(raw)
    except ValueError:
        return None


def check_plan(payload, *, now: datetime) -> PlanInput:
    """Trigger (active, level, since = now unless given, within the last 7 days) or lift (active false)."""
    payload = checks.require_object(payload)
    errors: dict[str, str] = {}
    checks.unknown(payload, set(PLAN_FIELDS), errors)
    active = _flag(payload.get("active"))
    if active is None:
        errors["active"] = "Plan blanc déclenché : oui (true) ou non (false, plan levé)."
    level = checks.choice(payload, "level", PLAN_FIELDS["level"], PLAN_LEVELS, errors, required=bool(active))
    since = checks.moment(payload, "since", PLAN_FIELDS["since"], errors, now=now, past=timedelta(days=7))
    note = checks.text(payload, "note", PLAN_FIELDS["note"], errors, limit=MAX_NOTE)
    if active is False and level is not None:
        errors["level"] = "Niveau : sans objet quand le plan est levé."
    if errors:
        raise checks.FieldErrors(errors)
    return PlanInput(active=active, level=level if active else None, since=(since or now) if active else None,
                     note=note)


def check_resources(payload) -> dict:
    """The declared counts {field: count} (absent fields stay unknown: null) and the note."""
    payload = checks.require_object(payload)
    errors: dict[str, str] = {}
    checks.unknown(payload, {*RESOURCE_FIELDS, "note"}, errors)
    out: dict = {name: checks.count(payload, name, label, errors, maximum=MAX_COUNT)
                 for name, label in RESOURCE_FIELDS.items()}
    out["note"] = checks.text(payload, "note", "Commentaire", errors, limit=MAX_NOTE)
    if not errors and all(v is None for k, v in out.items() if k != "note"):
        errors["body"] = "Déclarez au moins une ressource (lits ouvrables, équipements, personnels ou stocks)."
    if errors:
        raise checks.FieldErrors(errors)
    return out


def bed_totals(resources: dict) -> dict[str, int]:
    """Beds openable within 24 h and within 48 h, all activities together (unknown counts as 0)."""
    return {delay: sum(resources.get(f"beds_{delay}_{key}") or 0 for key in BED_ACTIVITIES) for delay in BED_DELAYS}
