"""Identifiers shared across the product, one definition each.

A FINESS number is 9 characters: the département on 2 characters — two digits, or `2A`/`2B` for Corsica
(`2A0000022`, CH de la Miséricorde in Ajaccio) — then 7 digits. Every place that accepts a FINESS number uses
this pattern (issue 19: the account store refused Corsican sites).
"""

from __future__ import annotations

import re

FINESS_PATTERN = r"(?:[0-9]{2}|2[AB])[0-9]{7}"
FINESS = re.compile(FINESS_PATTERN)


def is_finess(value: object) -> bool:
    return isinstance(value, str) and FINESS.fullmatch(value) is not None
