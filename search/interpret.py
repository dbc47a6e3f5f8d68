"""What a clinician typed, read as NOS concepts: typo-tolerant, with synonyms and abbreviations kept as data.

"cardiolgie enfant" → Cardiologie générale (013, spelling corrected) for a child (J15 03); "IRM" → Imagerie par
IRM (068) and IRM corps entier (054) through the synonyms file; "cardo" (autocomplete) → Cardiologie… Words of
5 letters or more tolerate one typo, 8 or more two (the same rule as the index's "AUTO:5,8" fuzziness). Each match
says how it was found, which the results show as their relevance explanation.

Ranking: word quality (exact 1, prefix 0.85, corrected 1 - 0.15 per edit), then how often the concept is offered
(popularity, read from the index), then the shorter label.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from geo.gazetteer import name_key
from search.mappings import synonyms
from search.vocabulary import KIND_LABELS, STOP_WORDS, Vocabulary

MEDICAL_KINDS = ("activity", "act", "equipment")
TEXT_KINDS = ("activity", "act", "equipment", "care_mode", "age_group", "category")
# A run of words naming one of these exactly reads as that only ("enfant" is an age group, not an activity).
DECISIVE_KINDS = ("age_group", "care_mode")
KIND_ORDER = {kind: n for n, kind in enumerate(TEXT_KINDS)}
POPULAR_KINDS = MEDICAL_KINDS  # kinds whose popularity (offers providing them) the index tells
EXACT, PREFIX = 1.0, 0.85
PREFIX_LENGTHS = range(5, 9)  # fuzzy completion of an unfinished word: token prefixes indexed
MIN_FUZZY_LENGTH, TWO_TYPOS_LENGTH = 5, 8


def allowed_edits(word: str) -> int:
    """Typos tolerated in a word: none under 5 letters, one from 5, two from 8 ("AUTO:5,8")."""
    return 0 if len(word) < MIN_FUZZY_LENGTH else (1 if len(word) < TWO_TYPOS_LENGTH else 2)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two letters is one typo); limit + 1 once above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@dataclass(frozen=True, slots=True)
class Match:
    """A concept a text names, how well, and how it was found (for the explanation)."""

    kind: str
    code: str
    label: str
    score: float  # how well the words match (1 exact, 0.85 a prefix, less per typo)
    how: str  # "exact" | "prefix" | "synonym" | "corrected"
    words: tuple[str, ...]  # the typed words it accounts for
    note: str | None = None  # French, e.g. "orthographe corrigée : « cardiolgie » → cardiologie"
    coverage: float = 0.0  # share of the label's words the text names (ranks "Obstétrique" before longer labels)


@dataclass(frozen=True)
class Reading:
    """A free text read as concepts (best first) plus the words no concept accounts for."""

    text: str
    matches: tuple[Match, ...] = ()
    leftover: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def of_kind(self, kind: str) -> tuple[Match, ...]:
        return tuple(m for m in self.matches if m.kind == kind)


def words_of(text: str) -> tuple[str, ...]:
    return tuple(w for w in name_key(text or "").split() if w not in STOP_WORDS)


class Interpreter:
    """Reads texts against one vocabulary; `popularity` ((kind, code) → offers) ranks equal matches."""

    def __init__(self, vocabulary: Vocabulary, popularity: Mapping[tuple[str, str], int] | None = None):
        self.vocabulary = vocabulary
        self.popularity = dict(popularity or {})
        self.postings: dict[str, dict[str, set[str]]] = {}
        self.tokens_by_letter: dict[str, dict[str, list[str]]] = {}
        self.deletes: dict[str, dict[str, set[str]]] = {}
        self.sorted_tokens: dict[str, list[str]] = {}
        self.prefix_deletes: dict[str, dict[str, set[str]]] = {}
        for kind, concepts in vocabulary.concepts.items():
            postings: dict[str, set[str]] = defaultdict(set)
            for concept in concepts.values():
                for token in concept.tokens:
                    postings[token].add(concept.code)
            self.postings[kind] = dict(postings)
            by_letter: dict[str, list[str]] = defaultdict(list)
            for token in postings:
                by_letter[token[:1]].append(token)
            self.tokens_by_letter[kind] = {k: sorted(v) for k, v in by_letter.items()}
            self.sorted_tokens[kind] = sorted(postings)
            deletes: dict[str, set[str]] = defaultdict(set)
            prefix_deletes: dict[str, set[str]] = defaultdict(set)
            for token in postings:
                if len(token) >= MIN_FUZZY_LENGTH - 1:
                    for variant in _deletions(token, 1):
                        deletes[variant].add(token)
                for n in PREFIX_LENGTHS if kind in MEDICAL_KINDS else ():
                    if n < len(token):
                        for variant in _deletions(token[:n], 1):
                            prefix_deletes[variant].add(token)
            self.deletes[kind], self.prefix_deletes[kind] = dict(deletes), dict(prefix_deletes)
        self.groups = [tuple(sorted({" ".join(words_of(t)) for t in line.split(",") if words_of(t)}, key=len,
                                    reverse=True)) for line in synonyms()]
        self.single_terms = frozenset(t for group in self.groups for t in group if " " not in t)
        self._word_cache = lru_cache(maxsize=8192)(self._word_matches)

    # ------------------------------------------------------------------------------------------ public

    def suggest(self, prefix: str, kinds: Iterable[str] = MEDICAL_KINDS, limit: int = 10) -> list[Match]:
        """Concepts for a typed prefix (the last word may be unfinished), best first."""
        words = words_of(prefix)
        if not words:
            return []
        found: dict[tuple[str, str], Match] = {}
        for variant, note in self._variants(words, last_is_prefix=True):
            for kind in kinds:
                for match in self._concepts(kind, variant, last_is_prefix=True, note=note, typed=words):
                    key = (kind, match.code)
                    if key not in found or found[key].score < match.score:
                        found[key] = match
        return self._ranked(found.values())[:limit]

    def read(self, text: str, kinds: Iterable[str] = TEXT_KINDS) -> Reading:
        """A free text as concepts: the longest run of words naming concepts first, then the rest again. Runs of
        several words naming only acts or equipment no unit provides are read word by word when other words name
        offered concepts ("IRM cérébrale" is an MRI, not the act "Angio IRM cérébrale")."""
        reading = self._read(text, tuple(kinds), skip_unoffered=bool(self.popularity))
        if self.popularity and not any(self.popularity.get((m.kind, m.code)) for m in reading.matches):
            reading = self._read(text, tuple(kinds), skip_unoffered=False)
        return reading

    def _read(self, text: str, kinds: tuple[str, ...], *, skip_unoffered: bool) -> Reading:
        words = words_of(text)
        matches: list[Match] = []
        leftover: list[str] = []
        remaining = list(words)
        while remaining:
            best = self._best_run(remaining, kinds, skip_unoffered)
            if best is None:
                leftover.extend(remaining)
                break
            start, end, run_matches = best
            leftover.extend(remaining[:start])
            matches.extend(run_matches)
            remaining = remaining[end:]
        notes = tuple(dict.fromkeys(m.note for m in matches if m.note))
        return Reading(text=text, matches=tuple(matches), leftover=tuple(leftover), notes=notes)

    # ------------------------------------------------------------------------------------------ internals

    def _best_run(self, words: list[str], kinds: tuple[str, ...], skip_unoffered: bool
                  ) -> tuple[int, int, list[Match]] | None:
        """The longest (then leftmost) run of words that names concepts, with its best matches."""
        for size in range(min(len(words), 6), 0, -1):
            for start in range(0, len(words) - size + 1):
                run = tuple(words[start:start + size])
                found: dict[tuple[str, str], Match] = {}
                for variant, note in self._variants(run, last_is_prefix=False):
                    for kind in kinds:
                        for match in self._concepts(kind, variant, last_is_prefix=False, note=note, typed=run):
                            key = (kind, match.code)
                            if key not in found or found[key].score < match.score:
                                found[key] = match
                if size > 1 and found and skip_unoffered and not any(
                        m.kind not in POPULAR_KINDS or m.kind == "activity" or self.popularity.get((m.kind, m.code))
                        for m in found.values()):
                    continue  # "IRM cérébrale" names an act no unit performs: read "IRM", then "cérébrale"
                if found:
                    decisive = [m for m in found.values() if m.kind in DECISIVE_KINDS and m.how == "exact"]
                    return start, start + size, self._best_per_kind(decisive or found.values())
        return None

    def _best_per_kind(self, matches: Iterable[Match], spread: float = 0.05, per_kind: int = 12) -> list[Match]:
        """For each kind, the concepts within `spread` of its best score (a word can name several codes)."""
        by_kind: dict[str, list[Match]] = defaultdict(list)
        for m in matches:
            by_kind[m.kind].append(m)
        out = []
        for kind in TEXT_KINDS:
            ranked = self._ranked(by_kind.get(kind, []))
            if ranked:
                top = ranked[0].score
                out.extend([m for m in ranked if m.score >= top - spread][:per_kind])
        return out

    def _ranked(self, matches: Iterable[Match]) -> list[Match]:
        return sorted(matches, key=lambda m: (-round(m.score, 2), -self._popularity(m), -m.coverage,
                                              KIND_ORDER.get(m.kind, 9), len(m.label), m.code))

    def _popularity(self, m: Match) -> float:
        return math.log1p(self.popularity.get((m.kind, m.code), 0))

    def _variants(self, words: tuple[str, ...], *, last_is_prefix: bool) -> list[tuple[tuple[str, ...], str | None]]:
        """The typed words, and their rewritings by the synonym groups of the data file (with a note): a term
        found as whole words is replaced by each other term of its group; typed words that begin a term (an
        unfinished word, or two words or more of a longer term) read as each term of the group."""
        out: list[tuple[tuple[str, ...], str | None]] = [(words, None)]
        correction = None
        corrected = self._corrected_by_synonyms(words, last_is_prefix)
        if corrected:
            words, correction = corrected
            out.append((words, correction))
        text = " ".join(words)
        completing = last_is_prefix or len(words) >= 2
        hit_any = False
        for group in self.groups:
            hits = [t for t in group if f" {t} " in f" {text} "]
            if hits:
                hit_any = True
                term = hits[0]
                for other in group:
                    if other != term:
                        rewritten = f" {text} ".replace(f" {term} ", f" {other} ").split()
                        note = f"synonyme : « {term} » → {other}"
                        out.append((tuple(rewritten), f"{correction}, {note}" if corrected else note))
        if hit_any or not completing or len(text) < 3:
            return out
        for group in self.groups:  # the typed words begin a term: a one-word term, or a longer one from 2 words
            if any(t.startswith(text) and t != text and (" " not in t or len(words) >= 2) for t in group):
                out.extend((tuple(other.split()), f"« {text} » → {other}") for other in group)
        return out

    def _corrected_by_synonyms(self, words: tuple[str, ...], last_is_prefix: bool
                               ) -> tuple[tuple[str, ...], str] | None:
        """The words with each unknown one corrected to a one-word term of the synonyms file within its typos
        ("cardo" → "cardio", then read as "cardiologie"), with the note; None when nothing was corrected."""
        out, changed, notes = list(words), False, []
        for i, word in enumerate(words):
            limit = allowed_edits(word) if len(word) >= MIN_FUZZY_LENGTH else (1 if len(word) == 4 else 0)
            if not limit or word in self.single_terms or any(word in p for p in self.postings.values()):
                continue
            best = min(((edit_distance(word, term, limit), term) for term in self.single_terms
                        if term[:1] == word[:1]), default=(limit + 1, ""))
            if best[0] <= limit:
                out[i], changed = best[1], True
                notes.append(f"« {word} » → {best[1]}")
        return (tuple(out), "orthographe corrigée : " + ", ".join(notes)) if changed else None

    def _concepts(self, kind: str, words: tuple[str, ...], *, last_is_prefix: bool, note: str | None,
                  typed: tuple[str, ...]) -> list[Match]:
        """Concepts of a kind whose label has a token for every word (AND), scored."""
        words = tuple(w for w in words if w not in STOP_WORDS)
        if not words or kind not in self.postings:
            return []
        per_word: list[dict[str, tuple[float, str, str | None]]] = []
        for i, word in enumerate(words):
            unfinished = last_is_prefix and i == len(words) - 1
            hits = self._word_cache(kind, word, unfinished or len(word) >= 4, unfinished)
            if not hits:
                return []
            per_word.append(hits)
        codes = set(per_word[0])
        for hits in per_word[1:]:
            codes &= set(hits)
        concepts = self.vocabulary.concepts[kind]
        out = []
        for code in codes:
            qualities = [hits[code] for hits in per_word]
            score = sum(q for q, _, _ in qualities) / len(qualities)
            how = "exact" if all(h == "exact" for _, h, _ in qualities) else (
                "corrected" if any(h == "corrected" for _, h, _ in qualities) else "prefix")
            corrections = [c for _, h, c in qualities if h == "corrected" and c]
            match_note = note
            if corrections:
                match_note = "orthographe corrigée : " + ", ".join(corrections)
            if note:
                how = "corrected" if note.startswith("orthographe") else "synonym"
            coverage = min(1.0, len(words) / max(1, len(concepts[code].tokens)))
            out.append(Match(kind=kind, code=code, label=concepts[code].label, score=score, how=how, words=typed,
                             note=match_note, coverage=coverage))
        return out

    def _word_matches(self, kind: str, word: str, prefix_ok: bool, unfinished: bool = False
                      ) -> dict[str, tuple[float, str, str | None]]:
        """code → (quality, how, correction) for one word: an exact token, a token it begins, else (5 letters
        or more) a token within its allowed typos — or, for an unfinished word, a token whose beginning is."""
        postings = self.postings[kind]
        out: dict[str, tuple[float, str, str | None]] = {}
        for code in postings.get(word, ()):
            out[code] = (EXACT, "exact", None)
        if prefix_ok:
            tokens = self.sorted_tokens[kind]
            for n in range(bisect.bisect_left(tokens, word), len(tokens)):
                token = tokens[n]
                if not token.startswith(word):
                    break
                if token != word:
                    for code in postings[token]:
                        out.setdefault(code, (PREFIX, "prefix", None))
        limit = allowed_edits(word)
        if out or limit == 0:
            return out
        candidates: dict[str, int] = {}
        for variant in _deletions(word, 1):  # one typo: symmetric deletes against the index
            for token in self.deletes[kind].get(variant, ()):
                distance = edit_distance(word, token, limit)
                if distance <= limit:
                    candidates[token] = distance
        if not candidates and limit > 1:  # two typos (8 letters or more): scan the tokens of a close length
            for token in self.tokens_by_letter[kind].get(word[:1], ()):
                if abs(len(token) - len(word)) <= limit:
                    distance = edit_distance(word, token, limit)
                    if distance <= limit:
                        candidates[token] = distance
        if unfinished:
            for variant in _deletions(word, 1):
                for token in self.prefix_deletes[kind].get(variant, ()):
                    if token in candidates:
                        continue
                    distance = min(edit_distance(word, token[:n], 1) for n in (len(word) - 1, len(word),
                                                                              len(word) + 1) if 0 < n <= len(token))
                    if distance <= 1:
                        candidates[token] = distance
        for token, distance in candidates.items():
            quality = (PREFIX if unfinished and len(token) > len(word) else EXACT) - 0.15 * max(1, distance)
            for code in postings[token]:
                if code not in out or out[code][0] < quality:
                    out[code] = (quality, "corrected", f"« {word} » → {token}")
        return out


def _deletions(word: str, depth: int) -> set[str]:
    """The word and every string made by deleting up to `depth` letters (symmetric-delete candidates)."""
    out, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))} - out
        out |= frontier
    return out


def describe(match: Match) -> str:
    """French line explaining a match: "Activité : Cardiologie générale (013) — orthographe corrigée : …"."""
    kind = KIND_LABELS.get(match.kind, match.kind).capitalize()
    text = f"{kind} : {match.label} ({match.code})"
    return f"{text} — {match.note}" if match.note else text
