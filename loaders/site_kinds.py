"""What kind of site a FINESS establishment is: its category, corrected by what its name says.

A hospital's satellite sites share its FINESS category (a "CMP - CHU63" is filed as a CHR), so the category
alone would give a family-planning centre an MRI. The name rules below (first match wins, on the upper-case
ASCII name) give each satellite only its own kind of offer. Rules are data: a kind is a profile key of
`loaders.offer_profiles.KIND_PROFILES`; `None` means "no care offer" (school, laundry, head office…).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Categories whose sites take a kind from their name (hospitals and the catch-all "other" categories).
NAMED_CATEGORIES = frozenset("101 355 106 292 161 365 128 129 122 697 698 109 362 124 131".split())

# (kind, pattern) — first match wins. Patterns match whole words of the normalised name.
NAME_RULES: tuple[tuple[str | None, str], ...] = (
    (None, r"IFSI|IFAS|INSTITUT DE FORMATION|ECOLE|BLANCHISSERIE|CUISINE CENTRALE|SIEGE|ADMINISTRATI\w*|"
           r"DIRECTION|LOGISTIQUE|ARCHIVES|MAGASIN|CRECHE|HALTE GARDERIE|MAISON DES PARENTS|"
           r"HOTEL HOSPITALIER|APPARTEMENTS? THERAPEUTIQUES?|APPARTEMENT|STERILISATION|LINGERIE"),
    ("samu", r"SAMU|CENTRE 15|PF TELEPHONE|REGULATION"),
    ("lactarium", r"LACTARIUM|BANQUE DE LAIT"),
    ("smur", r"SMUR"),
    ("dialysis", r"DIALYSE|AUTODIALYSE|HEMODIALYSE|UAD|UDM|NEPHROLOGIE AMBULATOIRE"),
    ("had", r"HAD|HOSPITALISATION A DOMICILE|HOSP\w*\.? A DOM\w*"),
    ("ssiad", r"SSIAD|SOINS INFIRMIERS A DOMICILE|SPASAD"),
    ("ehpad", r"EHPAD|MAISON DE RETRAITE|RESIDENCE (?:POUR )?PERSONNES AGEES|MAPA|EHPA"),
    ("usld", r"USLD|LONG SEJOUR|LONGUE DUREE|SLD"),
    ("cpef", r"CPEF|PLANIF\w*|PLANNING FAMILIAL|CENTRE DE PLANIF\w*|ORTHOGENIE|IVG|EICCF|CONSEIL CONJUGAL"),
    ("screening", r"CEGIDD|CDAG|CIDAG|CIDDIST|DEPIST\w*|VACCINATION|ANTITUBERCULEUX|CLAT|CENTRE DE VACCINATION|"
                  r"LUTTE ANTITUBERCULEUSE|HEPATITES|VIH"),
    ("pmi", r"PMI|PROTECTION MATERNELLE|PROTECTION INFANTILE|CONSULTATION DE NOURRISSONS"),
    ("lab", r"LBM|LABORATOIRE|LABO|BIOLOGIE MEDICALE|ANALYSES MEDICALES|CENTRE DE PRELEVEMENTS?"),
    ("dental", r"DENTAIRES?|ODONTOLOG\w*|STOMATOLOG\w*|CENTRE DE SOINS DENTAIRES|ORTHODONT\w*|DENT|DENTAL"),
    ("pharmacy", r"PHARMACIE|PUI"),
    ("cmpp", r"CMPP|MEDICO[ -]PSYCHO[ -]PEDAGOGIQUE"),
    ("psy_day", r"(?:HJ|HDJ|HOP\w*\.? (?:DE )?JOUR|UNITE DE JOUR|CENTRE DE JOUR)\b.*\b(?:PSY\w*|PEDO\w*|"
                r"INFANTO\w*|ENFANTS?|ADOS?|ADOLESCENTS?|ADULTES?|PIJ|JUV\w*|CMP\w*)|CENTRE DE PSYCHOTHERAPIE|"
                r"PSYCHOTHERAP\w*"),
    ("cattp", r"CATTP|C\.A\.T\.T\.P|ACCUEIL THERAPEUTIQUE A TEMPS PARTIEL|CENTRE D ACTIVITES? THERAPEUTIQUES?"),
    ("cmp", r"CMP|CMPEA|CMPE|CMPA|C\.M\.P|CENTRE MEDICO[ -]PSYCHOLOGIQUE|CENTRE MEDICO PSY|CONSULTATIONS? PSY\w*"),
    ("addiction", r"CSAPA|ADDICTO\w*|ALCOOLOGIE|TOXICOMANIE|CAARUD|TABACOLOGIE"),
    ("psy_day", r"PEDO ?PSY\w*|PSY\w* INF\w*|INFANTO[ -]JUV\w*|PIJ"),
    ("psychiatry", r"PSYCHIATR\w*|SANTE MENTALE|EPSM|CHS|CHSM|UMD|UNITE MALADES DIFFICILES|PSY"),
    ("day_hospital", r"HJ|HDJ|HOP\w*\.? DE JOUR|HOPITAL DE JOUR"),
    ("imaging", r"IRM|SCANNER|SCAN|SCANOGRAPHE|TDM|IMAGERIE|RADIOLOGIE|RADIOLOGIQUE|TEP|PET|SCINTIGRAPHIE|"
                r"MEDECINE NUCLEAIRE|CIM"),
    ("radiotherapy", r"RADIOTHERAPIE|RADIOTHERAPIQUE|ONCOLOGIE RADIOTHERAPIE|ONCO\w* RADIO\w*|CYCLOTRON|"
                     r"PROTONTHERAPIE|CURIETHERAPIE|ACCELERATEUR"),
    ("smr", r"SSR|SMR|READAPTATION|REEDUCATION|REEDUC\w*\.?|READAPT\w*\.?|CONVALESCENCE|MEDECINE PHYSIQUE|"
            r"MPR|MOYEN SEJOUR|CENTRE HELIO MARIN|CURE MEDICALE"),
    ("geriatric", r"GERIATR\w*|GERONTO\w*"),
    ("mother_child", r"MATERNITE|MERE ET (?:DE L )?ENFANT|FEMME MERE ENFANT|HFME|PERINAT\w*|"
                     r"HOPITAL (?:D |DES )?ENFANTS|HOPITAL PEDIATRIQUE|PEDIATRI\w*|CLOCHEVILLE|ROBERT DEBRE|"
                     r"NECKER|TROUSSEAU|ARMAND TROUSSEAU"),
    ("cancer", r"CANCER\w*|ONCOLOG\w*|CLCC"),
    ("prison", r"PENITENTIAIRE|UCSA|USMP|UHSI|UHSA|MAISON D ARRET|CENTRE DE DETENTION|PRISON"),
)

# Default kind of a category when the name says nothing (categories absent here get no care offer).
CATEGORY_KINDS: dict[str, str] = {}
for _kind, _codes in (
    ("university_hospital", "101"), ("hospital", "355 114 115"), ("local_hospital", "106"),
    ("clinic", "128 129 365 122 697"), ("other_health", "698"), ("cancer", "131"), ("smr", "109"),
    ("psychiatry", "292 161"), ("cmp", "156 366 412 415 444"), ("cattp", "425"), ("psy_postcure", "430"),
    ("cmpp", "189"), ("usld", "362"), ("ehpad", "500 501"), ("residence", "202 502 381"), ("lab", "611 610 612"),
    ("dialysis", "141 146"), ("had", "127"), ("health_centre", "124 603 636"), ("ssiad", "354 209"),
    ("home_help", "460"), ("child_disability", "183 182 186 188 192 194 195 196 190 377 390 238 402"),
    ("adult_disability", "255 437 382 252 253 448 449 395 370 379"), ("work_disability", "246 247"),
    ("addiction", "197 178"), ("pmi", "223 230 224"), ("cpef", "228 231"), ("social_shelter", "214 443 442 219"),
    ("coordination", "604 463"), ("screening", "142 143 266"),
):
    for _code in _codes.split():
        CATEGORY_KINDS[_code] = _kind

# A name can say more than its category only for these kinds of category (a CMP named "… SMUR" stays a CMP).
_COMPILED = tuple((kind, re.compile(rf"(?:^|[^A-Z0-9])(?:{pattern})(?:$|[^A-Z0-9])")) for kind, pattern in NAME_RULES)
# Kinds a name may give to a site of a health-centre category (the rest of the rules do not apply there).
HEALTH_CENTRE_NAME_KINDS = frozenset({"dental", "lab", "cpef", "screening", "imaging", "dialysis"})
NURSING_CENTRE = re.compile(r"(?:^|[^A-Z])(?:INFIRMIERS?|SOINS INFIRMIERS|CSI)(?:$|[^A-Z])")


@cache
def normalise(name: str) -> str:
    """Upper-case ASCII, punctuation as spaces: "Hôpital d'Estaing" → "HOPITAL D ESTAING"."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().upper()
    return re.sub(r"\s+", " ", re.sub(r"[^A-Z0-9.]+", " ", text)).strip()


def kind_from_name(name: str) -> tuple[bool, str | None]:
    """(matched, kind) of the first name rule matching; (False, None) when none does."""
    text = normalise(name)
    for kind, pattern in _COMPILED:
        if pattern.search(text):
            return True, kind
    return False, None


def site_kind(category_code: str | None, name: str | None) -> str | None:
    """The profile key of a site (None: no care offer)."""
    category = category_code or ""
    default = CATEGORY_KINDS.get(category)
    if category == "124":  # centres de santé: dental, nursing or general practice by their name
        matched, kind = kind_from_name(name or "")
        if matched and kind in HEALTH_CENTRE_NAME_KINDS:
            return kind
        return "nursing_centre" if NURSING_CENTRE.search(normalise(name or "")) else default
    if category not in NAMED_CATEGORIES:
        return default
    matched, kind = kind_from_name(name or "")
    if not matched:
        return default
    if category == "131" and kind == "cancer":
        return default
    if kind == "day_hospital" and default == "psychiatry":
        return "psy_day"  # a day hospital of a psychiatric establishment
    return kind
