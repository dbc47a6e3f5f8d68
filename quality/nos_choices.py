"""NOS values picked by their French label: the options of a value set, and the reading of what a contributor typed
in a description field (codes, labels, « label (code) », several separated by commas or semicolons; accents and
case ignored; a few words that single out one label; the usual clinician names of some care modes)."""

from __future__ import annotations

import re
import threading
import time
import weakref
from dataclasses import dataclass

from geo.gazetteer import name_key
from graph.driver import Graph

OPTIONS_TTL_S = 300.0  # a NOS update is rare; forms pick it up within minutes
STOP_WORDS = {"de", "la", "le", "les", "des", "du", "d", "l", "et", "en", "a", "au", "aux", "par", "pour", "un",
              "une", "avec", "sans", "sur"}
# What people call some care modes (J19) and age groups (J15) that their label does not say in those words.
ALIASES = {
    "J19": {"hopital de jour": "29", "hdj": "29", "hopital de semaine": "34", "hospitalisation conventionnelle": "28",
            "consultations": "32", "consultation externe": "32", "urgences": "33", "had": "31"},
    "J15": {"personnes agees": "11", "senior": "10", "bebe": "02", "nouveau ne": "01", "pediatrie": "03"},
}
CODE_IN_PARENTHESES = re.compile(r"^(?P<label>.*?)\s*\((?P<code>[0-9A-Za-z._-]{1,20})\)\s*$")
CODE_TOKEN = re.compile(r"^[0-9A-Za-z._-]{1,20}$")


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    label: str
    retired: bool = False


def _stem(word: str) -> str:
    """Gériatrie and gériatrique, cardiologie and cardiologique read alike."""
    for suffix in ("iques", "ique", "ies", "ie", "es", "s", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in name_key(text).split() if w not in STOP_WORDS)


# Per graph object: a WeakKeyDictionary, since an id() is reused once its graph is gone (another database's
# labels were then served from the cache).
_cache: weakref.WeakKeyDictionary[Graph, dict[str, tuple[float, tuple[Option, ...]]]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def options(graph: Graph, value_set: str) -> tuple[Option, ...]:
    """The codes and labels of a value set, by label (kept a few minutes per process)."""
    with _cache_lock:
        found = _cache.get(graph, {}).get(value_set)
    if found is not None and time.monotonic() - found[0] < OPTIONS_TTL_S:
        return found[1]
    rows = graph.read_named("read/nos_value_set_options", value_set=value_set)
    out = tuple(Option(code=r["code"], label=r["label"] or r["code"], retired=bool(r["retired"])) for r in rows)
    with _cache_lock:
        _cache.setdefault(graph, {})[value_set] = (time.monotonic(), out)
    return out


def pieces(value) -> list[str] | None:
    """What was typed, one chunk per value or group of values (a JSON list, or text split on semicolons and
    lines; commas are read in `read`, since some labels hold one: « Sénior, 75 ans et plus »)."""
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[;\n]+", value) if p.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def read(typed: list[str], choices: tuple[Option, ...], value_set: str) -> tuple[list[str], list[str]]:
    """(codes, problems): each chunk read as codes, labels or a few words of one label, commas separating values
    where no label holds them; problems are French sentences."""
    reader = _Reader(choices, ALIASES.get(value_set, {}))
    codes, problems = [], []
    for chunk in typed:
        found = reader.chunk(chunk)
        if isinstance(found, list):
            codes.extend(found)
        else:
            problems.append(found)
    return sorted(set(codes)), problems


class _Reader:
    def __init__(self, choices: tuple[Option, ...], aliases: dict[str, str]):
        self.choices, self.aliases = choices, aliases
        self.by_code = {o.code: o for o in choices}
        self.by_key: dict[str, list[Option]] = {}
        for o in choices:
            self.by_key.setdefault(name_key(o.label), []).append(o)

    def chunk(self, text: str) -> list[str] | str:
        """The whole text as one value, else its comma-separated parts grouped so that each group is a value."""
        whole = _read_one(text, self.by_code, self.by_key, self.aliases, self.choices)
        if isinstance(whole, list):
            return whole
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if len(parts) < 2:
            return whole
        return self._segments(parts, 0, {}) or self._first_problem(parts)

    def _segments(self, parts: list[str], start: int, seen: dict) -> list[str] | None:
        if start == len(parts):
            return []
        if start in seen:
            return seen[start]
        found = None
        for end in range(len(parts), start, -1):  # longest group first: a label with commas wins
            value = _read_one(", ".join(parts[start:end]), self.by_code, self.by_key, self.aliases, self.choices)
            if isinstance(value, list):
                rest = self._segments(parts, end, seen)
                if rest is not None:
                    found = value + rest
                    break
        seen[start] = found
        return found

    def _first_problem(self, parts: list[str]) -> str:
        for part in parts:
            value = _read_one(part, self.by_code, self.by_key, self.aliases, self.choices)
            if not isinstance(value, list):
                return value
        return f"« {', '.join(parts)} » : valeurs illisibles"


def _read_one(piece: str, by_code: dict, by_key: dict, aliases: dict, choices) -> list[str] | str:
    written = CODE_IN_PARENTHESES.match(piece)
    if written and written.group("code") in by_code:
        return [written.group("code")]
    if piece in by_code:
        return [piece]
    tokens = piece.split()
    if len(tokens) > 1 and all(CODE_TOKEN.match(t) and t in by_code for t in tokens):
        return tokens  # "013 027": codes separated by spaces, as the form used to ask
    key = name_key(piece)
    if key in by_key:
        return [by_key[key][0].code]
    if key in aliases and aliases[key] in by_code:
        return [aliases[key]]
    words = _words(piece)
    if words:
        matching = [o for o in choices if all(any(t.startswith(w) for t in _words(o.label)) for w in words)]
        current = [o for o in matching if not o.retired] or matching
        if len(current) == 1:
            return [current[0].code]
        if current:
            shown = ", ".join(f"{o.label} ({o.code})" for o in current[:6])
            more = f" et {len(current) - 6} autres" if len(current) > 6 else ""
            return f"« {piece} » désigne plusieurs valeurs, choisissez : {shown}{more}"
    if piece.isdigit():
        return [piece]  # an unknown code: the nomenclature check names it with its value set
    return f"« {piece} » n'est ni un libellé ni un code connu"
