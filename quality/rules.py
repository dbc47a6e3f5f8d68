"""The rules engine: rules are data (quality/rules.json), facts come from one Cypher projection per offer.

A rule applies when its `when` condition holds (always, if absent); it then passes or yields one anomaly
naming the rule and the field. Completeness is the share of applicable rules an offer passes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from core.clock import paris_today

RULES_FILE = Path(__file__).with_name("rules.json")
CODE_COLLECTIONS = ("activities", "care_modes", "acts", "age_groups", "publics", "fields")
COLLECTION_LABELS = {"activities": "activités", "care_modes": "modes de prise en charge", "acts": "actes",
                     "age_groups": "tranches d'âge", "publics": "publics", "fields": "champs d'activité",
                     "contact_functions": "fonctions de contact", "contact_natures": "natures de contact"}


def _name(collection: str) -> str:
    return COLLECTION_LABELS.get(collection, collection)


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    family: str
    severity: str  # "error" blocks validation, "warning" does not
    field: str
    check: dict
    when: dict | None = None


@dataclass(frozen=True)
class Anomaly:
    rule: str
    label: str
    family: str
    severity: str
    field: str
    detail: str


@dataclass(frozen=True)
class OfferReport:
    offer_id: str
    name: str | None
    status: str
    site_finess: str | None
    region_code: str | None
    applicable: int
    passed: int
    completeness: int  # percent
    anomalies: tuple[Anomaly, ...]
    revision: int = 0  # of the description, bumped by each edit
    published_revision: int | None = None  # the revision a coordinator published (None: not through the workflow)
    changed_since_publication: bool = False  # published, then edited: still visible, to be confirmed

    @property
    def blocking(self) -> tuple[Anomaly, ...]:
        return tuple(a for a in self.anomalies if a.severity == "error")


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    value_sets: dict[str, list[str]]
    personal_mailbox: re.Pattern
    generic_words: tuple[str, ...]


@cache
def load_rules(path: Path = RULES_FILE) -> RuleSet:
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = tuple(Rule(id=r["id"], label=r["label"], family=r["family"], severity=r["severity"], field=r["field"],
                       check=r["check"], when=r.get("when")) for r in data["rules"])
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate rule id in " + str(path))
    return RuleSet(rules=rules, value_sets=data["value_sets"],
                   personal_mailbox=re.compile(data["personal_mailbox_pattern"]),
                   generic_words=tuple(data["generic_mailbox_words"]))


def _fold(text: str) -> str:
    """Lower case without accents (mailboxes are nearly always ASCII: that case is a plain lower())."""
    if text.isascii():
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def codes(facts: dict, collection: str) -> set[str]:
    if collection == "contact_functions":
        return {c["function"] for c in facts.get("contacts") or [] if c.get("function")}
    if collection == "contact_natures":
        return {c["nature"] for c in facts.get("contacts") or [] if c.get("nature")}
    return {c["code"] for c in facts.get(collection) or [] if c.get("code")}


def mailboxes(facts: dict) -> list[str]:
    found = [facts.get("email")] + [c.get("email") for c in facts.get("contacts") or []]
    return [m.strip() for m in found if m and m.strip()]


def is_generic(mailbox: str, ruleset: RuleSet) -> bool:
    local = _fold(mailbox.split("@", 1)[0])
    if any(word in local for word in ruleset.generic_words):
        return True
    return not ruleset.personal_mailbox.match(_fold(mailbox))


class Evaluator:
    def __init__(self, ruleset: RuleSet | None = None, *, today: date | None = None):
        self.ruleset = ruleset or load_rules()
        self.today = today or paris_today()

    # conditions -------------------------------------------------------------------------------------
    def holds(self, condition: dict | None, facts: dict) -> bool:
        if not condition:
            return True
        (kind, arg), = condition.items()
        if kind == "has_code":
            return bool(codes(facts, arg["collection"]) & set(arg["codes"]))
        if kind == "name_matches":
            return re.search(arg, facts.get("name") or "") is not None
        if kind == "all":
            return all(self.holds(c, facts) for c in arg)
        raise ValueError(f"unknown condition {kind!r}")

    # checks: None when satisfied, else a French detail ----------------------------------------------
    def failure(self, check: dict, facts: dict) -> str | None:
        (kind, arg), = check.items()
        return getattr(self, f"_{kind}")(arg, facts)

    def _all(self, arg: list, facts: dict) -> str | None:
        failures = [f for f in (self.failure(c, facts) for c in arg) if f]
        return " ; ".join(failures) or None

    def _min_count(self, arg: dict, facts: dict) -> str | None:
        n = len(codes(facts, arg["collection"]))
        return None if n >= arg["min"] else f"{n} renseigné(s), au moins {arg['min']} attendu(s)"

    def _present(self, arg: dict, facts: dict) -> str | None:
        return None if any(facts.get(f) for f in arg["facts"]) else "non renseigné"

    def _codes_in_value_sets(self, _arg: dict, facts: dict) -> str | None:
        wrong = [f"{c.get('value_set')}|{c.get('code')}" for col, sets in self.ruleset.value_sets.items()
                 for c in facts.get(col) or [] if c.get("value_set") not in sets]
        return None if not wrong else "hors jeu de valeurs ROR : " + ", ".join(sorted(wrong))

    def _codes_not_retired(self, _arg: dict, facts: dict) -> str | None:
        retired = []
        for col in CODE_COLLECTIONS:
            for c in facts.get(col) or []:
                when = c.get("retired_on")
                if when is not None and when <= self.today:
                    retired.append(f"{c.get('code')} ({c.get('label') or ''}, retiré le {when:%d/%m/%Y})")
        return None if not retired else "codes retirés : " + ", ".join(sorted(retired))

    def _generic_mailbox(self, arg: dict, facts: dict) -> str | None:
        boxes = mailboxes(facts)
        if not boxes:
            return "aucune boîte aux lettres publiée" if arg.get("required") else None
        personal = [m for m in boxes if not is_generic(m, self.ruleset)]
        if arg.get("required") and len(personal) == len(boxes):
            return "seulement des adresses nominatives : " + ", ".join(personal)
        if not arg.get("required") and personal:
            return "adresse(s) nominative(s) : " + ", ".join(personal)
        return None

    def _has_any_code(self, arg: dict, facts: dict) -> str | None:
        if codes(facts, arg["collection"]) & set(arg["codes"]):
            return None
        return f"{_name(arg['collection'])} : un code parmi {', '.join(arg['codes'])} attendu"

    def _has_all_codes(self, arg: dict, facts: dict) -> str | None:
        missing = sorted(set(arg["codes"]) - codes(facts, arg["collection"]))
        return None if not missing else f"{_name(arg['collection'])} : manque {', '.join(missing)}"

    def _only_codes(self, arg: dict, facts: dict) -> str | None:
        extra = sorted(codes(facts, arg["collection"]) - set(arg["codes"]))
        return None if not extra else f"{_name(arg['collection'])} : codes en trop {', '.join(extra)}"

    def _exactly_one_of(self, arg: dict, facts: dict) -> str | None:
        found = sorted(codes(facts, arg["collection"]) & set(arg["codes"]))
        if len(found) == 1:
            return None
        return (f"{_name(arg['collection'])} : un seul parmi {', '.join(arg['codes'])} "
                f"(trouvé : {', '.join(found) or 'aucun'})")

    def _max_other_codes(self, arg: dict, facts: dict) -> str | None:
        others = sorted(codes(facts, arg["collection"]) - set(arg["codes"]))
        if len(others) <= arg["max"]:
            return None
        return f"{_name(arg['collection'])} : {len(others)} autres codes, au plus {arg['max']}"

    # reports -----------------------------------------------------------------------------------------
    def evaluate(self, facts: dict) -> OfferReport:
        applicable, anomalies = 0, []
        for rule in self.ruleset.rules:
            if not self.holds(rule.when, facts):
                continue
            applicable += 1
            detail = self.failure(rule.check, facts)
            if detail:
                anomalies.append(Anomaly(rule=rule.id, label=rule.label, family=rule.family,
                                         severity=rule.severity, field=rule.field, detail=detail))
        passed = applicable - len(anomalies)
        return OfferReport(offer_id=facts["id"], name=facts.get("name"), status=facts.get("status") or "draft",
                           site_finess=facts.get("site_finess"), region_code=facts.get("region_code"),
                           applicable=applicable, passed=passed,
                           completeness=round(100 * passed / applicable) if applicable else 100,
                           anomalies=tuple(anomalies), **publication(facts))


def publication(facts: dict) -> dict:
    """Where the description stands against its publication: an offer published by the loaders has no
    recorded revision and counts as published at revision 0."""
    revision = int(facts.get("revision") or 0)
    published = facts.get("published_revision")
    changed = (facts.get("status") or "draft") == "published" and revision > int(published or 0)
    return {"revision": revision, "published_revision": None if published is None else int(published),
            "changed_since_publication": changed}


def rule_table() -> list[dict[str, Any]]:
    """The rules as shown to people (id, family, label, severity, field)."""
    return [{"id": r.id, "family": r.family, "label": r.label, "severity": r.severity, "field": r.field}
            for r in load_rules().rules]
