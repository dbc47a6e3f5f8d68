"""Tension signals of the emergency feed: thresholds kept as data (thresholds.json), evaluated on a site's
latest report (pure: unit-tested)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from emergency.indicators import DERIVED, LABELS, occupancy

RULES_FILE = Path(__file__).with_name("thresholds.json")
TENSION_LEVELS = range(1, 5)


@dataclass(frozen=True)
class Rule:
    id: str
    indicator: str
    above: float
    level: int
    label: str


@dataclass(frozen=True)
class Fired:
    rule: Rule
    value: float

    @property
    def cause(self) -> str:
        """The TES alert's cause, in French: the rule and the value that fired it."""
        value = f"{self.value:g}"
        return (f"Signal automatique (activité des urgences) : {self.rule.label} — valeur observée {value}, "
                f"seuil {self.rule.above:g} (règle {self.rule.id}).")


def parse_rules(data: dict) -> tuple[Rule, ...]:
    """Rules from their JSON form; a malformed rule is a ValueError naming it (the file is checked by a test)."""
    rules = []
    for n, raw in enumerate(data.get("rules") or ()):
        rule = Rule(id=str(raw["id"]), indicator=str(raw["indicator"]), above=float(raw["above"]),
                    level=int(raw["level"]), label=str(raw["label"]))
        if rule.indicator not in LABELS and rule.indicator not in DERIVED:
            raise ValueError(f"rule {n} ({rule.id}): unknown indicator {rule.indicator!r}")
        if rule.level not in TENSION_LEVELS:
            raise ValueError(f"rule {n} ({rule.id}): level must be 1 to 4")
        rules.append(rule)
    if len({r.id for r in rules}) != len(rules):
        raise ValueError("rule ids must be unique")
    return tuple(rules)


@cache
def rules() -> tuple[Rule, ...]:
    return parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))


def evaluate(values: dict, active: tuple[Rule, ...] | None = None) -> Fired | None:
    """The rule of highest level (then the first listed) that `values` fire, or None."""
    derived = {**values, "uhcd_occupancy": occupancy(values)}
    best: Fired | None = None
    for rule in rules() if active is None else active:
        value = derived.get(rule.indicator)
        if value is not None and value > rule.above and (best is None or rule.level > best.rule.level):
            best = Fired(rule, value)
    return best
