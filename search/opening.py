"""Opening hours written in French ("Du lundi au vendredi, 9 h – 17 h", "24 h/24, 7 j/7") → weekly slots, and
whether a unit is open at a given local time. Texts it cannot read give None: "horaires non renseignés"."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import lru_cache

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_ALWAYS = re.compile(r"24\s*h\s*/\s*24|24h/24|h24|7\s*j\s*/\s*7.*24|jour et nuit")
_DAY_RANGE = re.compile(r"(?:du\s+)?(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+au\s+"
                        r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)")
_TIME_RANGE = re.compile(r"(\d{1,2})\s*h\s*(\d{2})?\s*[-–à]+\s*(\d{1,2})\s*h\s*(\d{2})?")

Slot = tuple[int, int, int]  # ISO weekday, start minute, end minute (local time)


@lru_cache(maxsize=1024)
def parse_opening(text: str | None) -> tuple[Slot, ...] | None:
    """Weekly slots of an opening text, or None when it cannot be read."""
    if not text:
        return None
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    if _ALWAYS.search(folded.replace(" ", "")) or _ALWAYS.search(folded):
        return tuple((day, 0, 1440) for day in range(1, 8))
    days = _DAY_RANGE.search(folded)
    times = _TIME_RANGE.search(text.lower().replace("–", "-"))
    if not days or not times:
        return None
    first, last = DAYS.index(days.group(1)) + 1, DAYS.index(days.group(2)) + 1
    h1, m1, h2, m2 = (int(g or 0) for g in times.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= start < end <= 1440) or last < first:
        return None
    return tuple((day, start, end) for day in range(first, last + 1))


def is_open(slots: tuple[Slot, ...] | None, now: datetime) -> bool | None:
    """Open at this local time? None when the hours are unknown."""
    if slots is None:
        return None
    minute, day = now.hour * 60 + now.minute, now.isoweekday()
    return any(d == day and start <= minute < end for d, start, end in slots)


def hours_on(slots: tuple[Slot, ...] | None, now: datetime) -> tuple[str, ...]:
    """Today's slots as "HH:MM-HH:MM"."""
    if not slots:
        return ()
    return tuple(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for d, s, e in slots
                 if d == now.isoweekday())
