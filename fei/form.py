"""An adverse-event form (FEI-RTU) as filed, answered and closed: states, categories (data: categories.json) and
the checks of what people type (pure: unit-tested). No patient identity is ever accepted (fei.identity)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from core.identifiers import FINESS
from crisis import checks
from fei.identity import refusal

CATEGORIES_FILE = Path(__file__).with_name("categories.json")
STATES = {"declaree": "Déclarée", "en_analyse": "En analyse", "cloturee": "Clôturée"}
NEXT_STATES = {"declaree": ("en_analyse",), "en_analyse": ("cloturee",), "cloturee": ()}
MAX_DESCRIPTION = 4000
MAX_ANSWER = 2000
MAX_SITES = 6
PAST_DAYS = 366


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    retired: bool = False


@cache
def categories() -> dict[str, Category]:
    data = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    found = {}
    for raw in data["categories"]:
        category = Category(code=str(raw["code"]), label=str(raw["label"]), retired=bool(raw.get("retired")))
        if category.code in found:
            raise ValueError(f"duplicate category {category.code}")
        found[category.code] = category
    return found


def category_label(code: str) -> str:
    found = categories().get(code)
    return found.label if found else code


@dataclass(frozen=True)
class NewForm:
    occurred_on: date
    category: str
    sites: tuple[str, ...]  # FINESS of the structures involved (distinct, in the order given)
    description: str


def _sites(raw, errors: dict) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [part for part in raw.replace(";", ",").replace(" ", ",").split(",")]
    if not isinstance(raw, list):
        errors["sites"] = "Structures concernées : liste de numéros FINESS attendue."
        return ()
    sites = []
    for value in raw:
        value = str(value).strip().upper() if value is not None else ""
        if not value:
            continue
        if not FINESS.fullmatch(value):
            errors["sites"] = f"Structures concernées : numéro FINESS invalide ({value[:20]})."
            return ()
        if value not in sites:
            sites.append(value)
    if not sites:
        errors["sites"] = "Structures concernées : au moins un établissement (numéro FINESS)."
    elif len(sites) > MAX_SITES:
        errors["sites"] = f"Structures concernées : au plus {MAX_SITES}."
    return tuple(sites)


def check_form(payload, *, today: date) -> NewForm:
    """A checked new form, or checks.FieldErrors (the free text is refused when it shows a patient's identity)."""
    payload = checks.require_object(payload)
    errors: dict[str, str] = {}
    checks.unknown(payload, {"occurred_on", "category", "sites", "description"}, errors)
    occurred = checks.day(payload, "occurred_on", "Date de l'évènement", errors, today=today, past_days=PAST_DAYS,
                          required=True)
    active = {code: c for code, c in categories().items() if not c.retired}
    category = checks.choice(payload, "category", "Catégorie", active, errors, required=True)
    sites = _sites(payload.get("sites"), errors)
    description = checks.text(payload, "description", "Description", errors, limit=MAX_DESCRIPTION, required=True)
    if description is not None:
        refused = refusal(description, "Description")
        if refused:
            errors["description"] = refused
    if errors:
        raise checks.FieldErrors(errors)
    return NewForm(occurred_on=occurred, category=category, sites=sites, description=description)


def check_answer(payload) -> str:
    payload = checks.require_object(payload)
    errors: dict[str, str] = {}
    checks.unknown(payload, {"text"}, errors)
    text = checks.text(payload, "text", "Réponse", errors, limit=MAX_ANSWER, required=True)
    if text is not None and (refused := refusal(text, "Réponse")):
        errors["text"] = refused
    if errors:
        raise checks.FieldErrors(errors)
    return text


def check_transition(payload, current: str) -> tuple[str, str | None]:
    """(new state, actions): closing requires the actions decided; only the next state is allowed."""
    payload = checks.require_object(payload)
    errors: dict[str, str] = {}
    checks.unknown(payload, {"to", "actions"}, errors)
    to = checks.choice(payload, "to", "Nouvel état", STATES, errors, required=True)
    actions = checks.text(payload, "actions", "Actions décidées", errors, limit=MAX_ANSWER,
                          required=to == "cloturee")
    if actions is not None and (refused := refusal(actions, "Actions décidées")):
        errors["actions"] = refused
    if to is not None and "to" not in errors and to not in NEXT_STATES[current]:
        allowed = ", ".join(STATES[s] for s in NEXT_STATES[current]) or "aucun (fiche clôturée)"
        errors["to"] = f"Nouvel état : depuis « {STATES[current]} », possible : {allowed}."
    if errors:
        raise checks.FieldErrors(errors)
    return to, actions
