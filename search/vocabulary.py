"""NOS vocabularies in memory: a code or a few words ("cardio", "IRM", "thrombectomie") → concept codes."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from core.errors import BadRequest
from geo.gazetteer import name_key
from graph.driver import Graph
from search.mappings import synonyms
from search.models import Coded, Suggestion

VALUE_SETS = {"activity": "J17", "act": "J16", "equipment": "J18", "care_mode": "J19", "age_group": "J15",
              "public": "J29", "field": "J20", "contact_function": "J220", "category": "J55"}
KIND_LABELS = {"activity": "activité", "act": "acte", "equipment": "équipement", "care_mode": "mode de prise en charge",
               "age_group": "classe d'âge", "public": "public", "field": "champ d'activité",
               "contact_function": "fonction de contact", "category": "catégorie d'établissement"}
STOP_WORDS = {"de", "la", "le", "les", "des", "du", "d", "l", "et", "en", "a", "au", "aux", "par", "pour", "un",
              "une", "avec", "sans", "sur"}


CLOSE = 0.7  # difflib similarity from which a label or a word is suggested for a typo


def _similar(a: str, b: str) -> float:
    """difflib's ratio of a and b when it can reach CLOSE (its cheap upper bounds first), else 0."""
    if not a or not b or 2 * min(len(a), len(b)) < CLOSE * (len(a) + len(b)):  # difflib's real_quick_ratio
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < CLOSE or matcher.quick_ratio() < CLOSE:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= CLOSE else 0.0


@dataclass(frozen=True, slots=True)
class Concept:
    code: str
    label: str
    key: str  # normalised label
    tokens: tuple[str, ...]


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(t for t in name_key(text).split() if t not in STOP_WORDS)


def _synonym_groups() -> list[set[str]]:
    return [{name_key(term) for term in line.split(",") if term.strip()} for line in synonyms()]


class Vocabulary:
    """Concepts per kind (activity, act, equipment…), resolvable by code, words, synonyms or prefix."""

    def __init__(self, rows: Iterable[dict]):
        kinds = {v: k for k, v in VALUE_SETS.items()}
        self.concepts: dict[str, dict[str, Concept]] = defaultdict(dict)
        for row in rows:
            kind = kinds.get(row["value_set"])
            if kind and row.get("code") and not row.get("retired"):
                label = row.get("label") or row["code"]
                self.concepts[kind][row["code"]] = Concept(row["code"], label, name_key(label), _tokens(label))
        self.groups = _synonym_groups()

    @classmethod
    def from_graph(cls, graph: Graph) -> Vocabulary:
        return cls(graph.read_named("index/concepts", value_sets=list(VALUE_SETS.values())))

    def label(self, kind: str, code: str) -> str | None:
        concept = self.concepts[kind].get(code)
        return concept.label if concept else None

    def resolve(self, kind: str, text: str) -> tuple[Coded, ...]:
        """Concepts named by a code or words; BadRequest listing close matches when nothing matches."""
        found = self._resolve(kind, (text or "").strip())
        if found:
            return found
        close = self.close_matches(kind, text)
        hint = (" Suggestions : " + ", ".join(f"{c.label} ({c.code})" for c in close) + ".") if close else ""
        raise BadRequest(f"Code ou libellé d'{KIND_LABELS[kind]} inconnu : « {text} ».{hint}",
                         fields={kind: text, "suggestions": [{"code": c.code, "label": c.label} for c in close]})

    @lru_cache(maxsize=4096)  # noqa: B019 - one vocabulary per service, lives as long as the process
    def _resolve(self, kind: str, text: str) -> tuple[Coded, ...]:
        concepts = self.concepts[kind]
        if not text:
            return ()
        if text in concepts:
            return (Coded(code=text, label=concepts[text].label),)
        key = name_key(text)
        exact = [c for c in concepts.values() if c.key == key]
        if exact:
            return tuple(Coded(code=c.code, label=c.label) for c in exact)
        matched: dict[str, Concept] = {}
        for variant, prefix in self._variants(key):
            words = _tokens(variant)
            if not words:
                continue
            for concept in concepts.values():
                if all(any(t.startswith(w) if prefix else t == w for t in concept.tokens) for w in words):
                    matched[concept.code] = concept
        return tuple(Coded(code=c.code, label=c.label) for c in sorted(matched.values(), key=lambda c: c.code))

    def _variants(self, key: str) -> list[tuple[str, bool]]:
        """(text, match word prefixes?) — an abbreviation of the synonyms file ("réa") only matches whole
        words, its expansions ("réanimation") match as prefixes."""
        expansions = [term for group in self.groups if key in group for term in sorted(group) if term != key]
        return [(key, not expansions)] + [(term, True) for term in expansions]

    def close_matches(self, kind: str, text: str, limit: int = 5) -> list[Concept]:
        """Concepts whose label or one of its words looks like the text (typos)."""
        return list(self._close_matches(kind, name_key(text or ""), _tokens(text or ""), limit))

    @lru_cache(maxsize=1024)  # noqa: B019 - one vocabulary per service, lives as long as the process
    def _close_matches(self, kind: str, key: str, words: tuple[str, ...], limit: int) -> tuple[Concept, ...]:
        """A concept's score is the best similarity of the text to its label or of a typed word to one of its words
        (difflib ratio, kept from 0.7). Each distinct label word is compared once per typed word, and the cheap
        upper bounds of difflib skip the pairs that cannot reach 0.7 (the same result as comparing every pair)."""
        concepts = self.concepts[kind].values()
        near_tokens: dict[str, float] = {}
        tokens = {t for c in concepts for t in c.tokens}
        for w in set(words):
            for t in tokens:
                score = _similar(w, t)
                if score > near_tokens.get(t, 0.0):
                    near_tokens[t] = score
        scored = []
        for concept in concepts:
            score = max([_similar(key, concept.key), *(near_tokens.get(t, 0.0) for t in concept.tokens)])
            if score >= CLOSE:
                scored.append((-score, len(concept.label), concept))
        return tuple(c for _, _, c in sorted(scored, key=lambda x: x[:2])[:limit])

    def suggest(self, prefix: str, kinds: Iterable[str], limit: int = 10) -> list[Suggestion]:
        """Labels whose words start with the typed words, for autocomplete."""
        words = _tokens(prefix)
        if not words:
            return []
        out: list[Suggestion] = []
        for kind in kinds:
            for concept in sorted(self.concepts.get(kind, {}).values(), key=lambda c: (len(c.label), c.label)):
                if all(any(t.startswith(w) for t in concept.tokens) for w in words):
                    out.append(Suggestion(kind=kind, code=concept.code, label=concept.label,
                                          detail=KIND_LABELS[kind]))
        out.sort(key=lambda s: (not name_key(s.label).startswith(words[0]), len(s.label)))
        return out[:limit]
