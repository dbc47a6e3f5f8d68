"""Patient identity must never be stored in an adverse-event form: free text that looks like a NIR (social
security number) or a name with a birth date is refused, with the reason (pure: unit-tested).

The checks are deliberately cautious (a refused text is rewritten by its author in seconds; an identity stored
is a breach): a run of 13 or 15 digits shaped like a NIR is refused whatever its key, and a date next to a civility
("M.", "Mme", "patiente") or a birth-date marker ("né le", "DDN", "date de naissance") is refused too. The
matched text is never echoed back: the message names what was found and where (character position)."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEP = r"[ .\-]?"
# sex (1, 2; 3, 4, 7, 8 for temporary numbers), year, month (01-12, or 20-99 when unknown), département (2 digits,
# 2A/2B) + commune (3 digits) — or 3 + 2 overseas —, order number (3 digits), optional 2-digit key.
NIR = re.compile(
    rf"(?<![0-9A-Za-z])[1-478]{SEP}[0-9]{{2}}{SEP}(?:0[1-9]|1[0-2]|[2-9][0-9]){SEP}"
    rf"(?:[0-9]{{2}}|2[AaBb]){SEP}[0-9]{{3}}{SEP}[0-9]{{3}}(?:{SEP}[0-9]{{2}})?(?![0-9A-Za-z])")
MONTHS = ("janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
          "décembre|decembre")
FULL_DATE = re.compile(
    rf"(?<![0-9])(?:[0-3]?[0-9][/.\-][01]?[0-9][/.\-](?:19|20)?[0-9]{{2}}|[0-3]?[0-9](?:er)?\s+(?:{MONTHS})\s+"
    rf"(?:19|20)[0-9]{{2}})(?![0-9])", re.IGNORECASE)
# A birth-date marker counts when a date or a year follows it closely ("né le 3 mars 1950", "DDN : 03/03/50").
BIRTH_MARKER = re.compile(
    r"(?:\bnée?|\bné\(e\)|\bdate\s+de\s+naissance|\bDDN\b|\bnaissance)\s*(?:le|en|:)?\s*"
    rf"(?:{FULL_DATE.pattern}|(?<![0-9])(?:19|20)[0-9]{{2}}(?![0-9]))", re.IGNORECASE)
CIVILITY_NAME = re.compile(
    r"(?:\bM\.|\b(?i:mr\.?|mme\.?|mlle\.?|monsieur|madame|mademoiselle|patiente?|nom\s*:))"
    r"\s+(?:[A-ZÀ-Ý][A-Za-zÀ-ÿ'\-]+)", re.UNICODE)
NAME_NEAR_DATE = 120  # characters: a civility and a date this close are taken as a name with its birth date


@dataclass(frozen=True)
class IdentityFinding:
    kind: str  # "nir", "birth_date", "name_and_date"
    position: int  # 1-based character position in the text
    message: str


def findings(text: str) -> list[IdentityFinding]:
    """What in `text` looks like a patient's identity (empty: nothing found)."""
    found: list[IdentityFinding] = []
    for match in NIR.finditer(text):
        found.append(IdentityFinding("nir", match.start() + 1, (
            f"un numéro ressemblant à un NIR (numéro de sécurité sociale), caractère {match.start() + 1}")))
    dates = [m.start() for m in FULL_DATE.finditer(text)]
    for marker in BIRTH_MARKER.finditer(text):
        found.append(IdentityFinding("birth_date", marker.start() + 1, (
            f"une date de naissance, caractère {marker.start() + 1}")))
    for name in CIVILITY_NAME.finditer(text):
        near = [d for d in dates if abs(d - name.start()) <= NAME_NEAR_DATE]
        if near:
            found.append(IdentityFinding("name_and_date", name.start() + 1, (
                f"un nom de personne accompagné d'une date (date de naissance ?), caractère {name.start() + 1}")))
    return sorted(found, key=lambda f: f.position)


def refusal(text: str, label: str) -> str | None:
    """The French sentence refusing `text` (field `label`), or None when it shows no identity."""
    found = findings(text or "")
    if not found:
        return None
    what = " ; ".join(f.message for f in found[:3])
    return (f"{label} : aucune identité de patient ne doit figurer dans la fiche — le texte contient {what}. "
            "Décrivez l'évènement sans nom, date de naissance ni numéro de sécurité sociale "
            "(ex. « patiente de 80 ans »).")
