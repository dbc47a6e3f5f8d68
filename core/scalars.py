"""One coercion of scalars written as text (request parameters, environment variables, Cypher library parameters
given on the command line): one list of yes/no words, decimal commas accepted, no NaN or infinity.

Each function returns the typed value or raises ValueError (its callers word the error for their reader).
"""

from __future__ import annotations

import math
from typing import Any

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "oui", "vrai"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "non", "faux"})


def to_bool(value: Any) -> bool:
    """A boolean, or one of the yes/no words (any case, surrounding spaces ignored)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"not a yes/no word: {value!r}")


def to_int(value: Any) -> int:
    """An integer, a float without fractional part, or the text of an integer (booleans and None refused)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    return int(value.strip() if isinstance(value, str) else value)


def to_float(value: Any) -> float:
    """A finite number, or its text with a decimal point or comma (booleans, None, NaN and infinities refused)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    number = float(value.strip().replace(",", ".") if isinstance(value, str) else value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number
