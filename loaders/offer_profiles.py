"""FINESS category (`categetab`) → profile of synthetic units. Categories not listed get no care offer
(pharmacies, medical-goods shops, schools, purely administrative or social structures)."""

from __future__ import annotations

from loaders.offer_catalog import (
    ADULTS,
    AES,
    ALL_AGES,
    BIOLOGY_HOSPITAL,
    CADRE,
    CARDIOLOGY,
    CARE_ASSISTANT,
    CHILDREN,
    CHU_SPECIALTIES,
    DENTIST,
    DIETITIAN,
    EDUCATOR,
    ELDERLY,
    EMERGENCY,
    GERIATRICS,
    HOME_HELPER,
    IAS_TEAM,
    ICU,
    IMAGING,
    INTERVENTIONAL_CARDIOLOGY,
    LAB_TECH,
    MATERNITY,
    MATERNITY_LEVEL3,
    MIDWIFE,
    NEUROVASCULAR,
    NURSE,
    OPEN_H24,
    OT,
    PALLIATIVE,
    PATHWAY_COORDINATOR,
    PEDIATRIC_EMERGENCY,
    PEDIATRICS,
    PHARMACY,
    PHYSICIAN,
    PHYSIO,
    PSYCHOLOGIST,
    SMR_CARDIO,
    SMR_NEURO,
    SOCIAL_WORKER,
    SPEECH,
    WEEKDAYS,
    Profile,
    Role,
    Service,
    Unit,
    specialty_service,
)

DIRECTOR = Role(PHYSICIAN, "01", "10", shared="site")
COORD_PHYSICIAN = Role(PHYSICIAN, "04", "04", "SM54", shared="site")
COORD_NURSE = Role(NURSE, "08", "05", shared="site")
GP = Role(PHYSICIAN, "22", "04", "SM54", shared="offer")

_med = specialty_service("Médecine polyvalente", "Pôle médecine", "083", "SM27")
_surg = specialty_service("Chirurgie générale", "Pôle chirurgie", "025", "SM08")
_short_icu = Service("Surveillance continue", "Pôle urgences – réanimation", ICU.units[1:], probability=0.6)

CHU = Profile("CHU/CHR", services=(
    EMERGENCY, PEDIATRIC_EMERGENCY, ICU, CARDIOLOGY, INTERVENTIONAL_CARDIOLOGY, NEUROVASCULAR, IMAGING,
    BIOLOGY_HOSPITAL, PHARMACY, IAS_TEAM, PALLIATIVE, GERIATRICS, SMR_NEURO, SMR_CARDIO, MATERNITY_LEVEL3, PEDIATRICS,
    *CHU_SPECIALTIES,
), hospital=True, tension=True)
CH = Profile("Centre hospitalier", services=(
    EMERGENCY, _short_icu, _med, _surg, CARDIOLOGY,
    Service(IMAGING.name, IMAGING.pole, IMAGING.units[1:3] + IMAGING.units[:1], probability=1.0),
    Service(INTERVENTIONAL_CARDIOLOGY.name, INTERVENTIONAL_CARDIOLOGY.pole, INTERVENTIONAL_CARDIOLOGY.units,
            probability=0.25),
    Service(NEUROVASCULAR.name, NEUROVASCULAR.pole, NEUROVASCULAR.units[:1], probability=0.35),
    BIOLOGY_HOSPITAL, PHARMACY, IAS_TEAM, PALLIATIVE, GERIATRICS, MATERNITY, PEDIATRICS,
    Service(SMR_NEURO.name, SMR_NEURO.pole, SMR_NEURO.units, probability=0.3),
    *(Service(s.name, s.pole, s.units, probability=0.55) for s in CHU_SPECIALTIES[:12]),
), hospital=True, tension=True)
LOCAL_HOSPITAL = Profile("Centre hospitalier (ex-hôpital local)", services=(
    _med, Service(GERIATRICS.name, GERIATRICS.pole, GERIATRICS.units[3:]), IAS_TEAM,
    Service(PALLIATIVE.name, PALLIATIVE.pole, PALLIATIVE.units[1:]),
), hospital=True, tension=True)
CLINIC = Profile("Clinique MCO", services=(
    _surg, _med,
    Service("Anesthésie – bloc opératoire", "Pôle chirurgie", CHU_SPECIALTIES[21].units),
    Service("Urgences", "Pôle urgences – réanimation", EMERGENCY.units[:1], probability=0.3),
    *(Service(s.name, s.pole, s.units, probability=0.3) for s in CHU_SPECIALTIES[11:20]),
    Service(IMAGING.name, IMAGING.pole, IMAGING.units[:2], probability=0.3),
    IAS_TEAM, Service(PALLIATIVE.name, PALLIATIVE.pole, PALLIATIVE.units[2:], probability=0.5),
    Service(MATERNITY.name, MATERNITY.pole, MATERNITY.units[:2], probability=0.3),
), hospital=True, tension=True)
CANCER_CENTRE = Profile("Centre de lutte contre le cancer", services=(
    CHU_SPECIALTIES[7], CHU_SPECIALTIES[8], IMAGING, PALLIATIVE, IAS_TEAM, BIOLOGY_HOSPITAL, PHARMACY,
    Service("Radiothérapie", "Pôle cancérologie", (
        Unit("Radiothérapie externe", ("168",), ("20",), ALL_AGES, roles=(Role(PHYSICIAN, "10", "04", "SM45"),)),
        Unit("Curiethérapie", ("167",), ("29",), ADULTS, roles=(Role(PHYSICIAN, "22", "04", "SM45"),)),
    )),
), hospital=True, tension=True)
SMR = Profile("SMR", services=(
    Service("SMR polyvalent", "Pôle réadaptation", (
        Unit("SMR polyvalent", ("172",), ("28",), ADULTS, field="02", beds=(20, 50), opening=OPEN_H24,
             roles=(Role(PHYSICIAN, "10", "04", "SM29"), CADRE, Role(PHYSIO, "22", "05"))),
        Unit("SMR – hôpital de jour", ("283",), ("29",), ADULTS, field="02", beds=(5, 15),
             roles=(Role(PHYSICIAN, "10", "04", "SM29"), Role(OT, "22", "05"))),
    )),
    Service("SMR locomoteur", "Pôle réadaptation", (
        Unit("SMR locomoteur", ("233",), ("28",), ADULTS, field="02", beds=(15, 40), opening=OPEN_H24,
             roles=(Role(PHYSICIAN, "10", "04", "SM29"), Role(PHYSIO, "22", "05"))),
    ), probability=0.6),
    Service(SMR_NEURO.name, SMR_NEURO.pole, SMR_NEURO.units, probability=0.4),
    Service(SMR_CARDIO.name, SMR_CARDIO.pole, SMR_CARDIO.units, probability=0.3),
    Service("SMR gériatrique", "Pôle réadaptation", GERIATRICS.units[3:4], probability=0.6),
    IAS_TEAM,
), hospital=True)
PSYCHIATRY = Profile("Établissement psychiatrique", services=(
    CHU_SPECIALTIES[20],
    Service("Pédopsychiatrie", "Pôle psychiatrie", (
        Unit("Psychiatrie de l'enfant – hôpital de jour", ("227",), ("29",), CHILDREN, field="03", beds=(8, 15),
             roles=(Role(PHYSICIAN, "10", "04", "SM43"), CADRE)),
        Unit("Psychiatrie de l'adolescent", ("228",), ("28",), ("04", "05"), field="03", beds=(8, 15),
             roles=(Role(PHYSICIAN, "10", "04", "SM43"), CADRE), opening=OPEN_H24),
    ), probability=0.7),
    Service("Psychiatrie du sujet âgé", "Pôle psychiatrie", (
        Unit("Géronto-psychiatrie", ("051",), ("28",), ELDERLY, field="03", beds=(10, 20),
             roles=(Role(PHYSICIAN, "10", "04", "SM42"), CADRE), opening=OPEN_H24),
    ), probability=0.5),
    Service("Réhabilitation psychosociale", "Pôle psychiatrie", (
        Unit("Réhabilitation psychosociale", ("231",), ("29",), ADULTS, field="03",
             roles=(Role(PHYSICIAN, "10", "04", "SM42"), Role(PSYCHOLOGIST, "22", "05"))),
    ), probability=0.5),
    IAS_TEAM,
), hospital=True)
_ambulatory_psy = Unit("Centre médico-psychologique – consultations", ("229",), ("32",), ADULTS, field="03",
                       roles=(Role(PHYSICIAN, "10", "04", "SM42"), Role(PSYCHOLOGIST, "22", "05", shared="offer")))
CMP = Profile("Psychiatrie ambulatoire", units=(
    _ambulatory_psy,
    Unit("Accueil thérapeutique à temps partiel", ("229",), ("47",), ADULTS, field="03",
         roles=(Role(NURSE, "22", "05"),), probability=0.5),
    Unit("Psychiatrie de l'enfant – consultations", ("227",), ("32",), CHILDREN, field="03",
         roles=(Role(PHYSICIAN, "10", "04", "SM43"),), probability=0.4),
))
LONG_STAY = Profile("Soins de longue durée", units=(GERIATRICS.units[4],), hospital=True)
_ehpad_roles = (DIRECTOR, COORD_PHYSICIAN, COORD_NURSE)
EHPAD = Profile("EHPAD", units=(
    Unit("Hébergement permanent", ("285", "293"), ("46",), ELDERLY, field="04", beds=(40, 110), publics=("01",),
         temporality="02", roles=_ehpad_roles, opening=OPEN_H24, mailbox="accueil"),
    Unit("Hébergement temporaire", ("285", "293"), ("46",), ELDERLY, field="04", beds=(2, 8), publics=("01",),
         temporality="01", roles=_ehpad_roles, opening=OPEN_H24, probability=0.7, mailbox="accueil"),
    Unit("Accueil de jour", ("306", "312"), ("47",), ELDERLY, field="04", beds=(6, 15), publics=("01",),
         temporality="02", roles=_ehpad_roles, opening="Du lundi au vendredi, 9 h 30 – 17 h", probability=0.4),
    Unit("Unité de vie protégée", ("293", "297"), ("46",), ELDERLY, field="04", beds=(12, 28), publics=("01",),
         temporality="02", roles=_ehpad_roles, opening=OPEN_H24, probability=0.5),
    Unit("Pôle d'activités et de soins adaptés (PASA)", ("306",), ("47",), ELDERLY, field="04", publics=("01",),
         roles=_ehpad_roles, probability=0.35),
))
RESIDENCE = Profile("Résidence autonomie", units=(
    Unit("Hébergement en résidence autonomie", ("298", "312"), ("46",), ELDERLY, field="04", beds=(20, 80),
         publics=("03",), temporality="02", roles=(DIRECTOR,), opening=OPEN_H24, mailbox="accueil"),
    Unit("Restauration et animations", ("322", "313"), ("54",), ELDERLY, field="04", publics=("03",),
         roles=(DIRECTOR,), probability=0.6),
))
LAB = Profile("Laboratoire de biologie médicale", units=(
    Unit("Biologie médicale – prélèvements et analyses", ("009", "056"), ("20",), ALL_AGES, field="05",
         roles=(Role(PHYSICIAN, "10", "04", "SM63"), Role(LAB_TECH, "22", "05", shared="offer")),
         opening="Du lundi au samedi, 7 h 30 – 12 h 30", mailbox="laboratoire"),
    Unit("Microbiologie", ("093",), ("20",), ALL_AGES, field="05", acts=("0304",),
         roles=(Role(PHYSICIAN, "22", "04", "SM66"),), probability=0.5, mailbox="laboratoire"),
))
DIALYSIS = Profile("Centre de dialyse", units=(
    Unit("Hémodialyse chronique", ("059",), ("20",), ADULTS, acts=("0657", "0762"), beds=(10, 30),
         roles=(Role(PHYSICIAN, "10", "04", "SM30"), CADRE), opening="Lundi au samedi, 6 h – 22 h"),
    Unit("Dialyse péritonéale", ("583",), ("20",), ADULTS, acts=("0761",),
         roles=(Role(PHYSICIAN, "22", "04", "SM30"),), probability=0.5),
))
HAD = Profile("Hospitalisation à domicile", units=(
    Unit("Hospitalisation à domicile", ("285", "170"), ("31",), ALL_AGES, roles=(COORD_PHYSICIAN, CADRE),
         opening=OPEN_H24),
))
HEALTH_CENTRE = Profile("Centre / maison de santé", units=(
    Unit("Médecine générale", ("437",), ("32",), ALL_AGES, field="05", roles=(GP, GP, Role(NURSE, "22", "05"))),
    Unit("Soins infirmiers", ("287",), ("20",), ALL_AGES, field="05", roles=(Role(NURSE, "22", "05"),),
         probability=0.8),
    Unit("Kinésithérapie", ("339",), ("20",), ALL_AGES, field="05", roles=(Role(PHYSIO, "22", "05"),),
         probability=0.6),
    Unit("Chirurgie dentaire", ("442",), ("32",), ALL_AGES, field="05", roles=(Role(DENTIST, "22", "04"),),
         probability=0.4),
    Unit("Suivi prénatal", ("530",), ("32",), ("05", "06"), field="05", roles=(Role(MIDWIFE, "22", "05"),),
         probability=0.35),
    Unit("Diététique et nutrition", ("549",), ("32",), ALL_AGES, field="05", roles=(Role(DIETITIAN, "22", "05"),),
         probability=0.3),
    Unit("Orthophonie", ("200",), ("20",), ALL_AGES, field="05", roles=(Role(SPEECH, "22", "05"),),
         probability=0.3),
    Unit("Éducation thérapeutique", ("336",), ("42",), ADULTS, field="05", publics=("09",),
         roles=(Role(NURSE, "22", "05"),), probability=0.3),
    Unit("Vaccinations", ("161",), ("32",), ALL_AGES, field="05", roles=(Role(NURSE, "22", "05"),),
         probability=0.4),
))
HOME_NURSING = Profile("Soins infirmiers à domicile", units=(
    Unit("Soins infirmiers à domicile", ("287", "288"), ("49",), ELDERLY + ("06",), field="04",
         publics=("01", "02"), roles=(COORD_NURSE, Role(CARE_ASSISTANT, "22", "05")), opening=OPEN_H24),
    Unit("Équipe spécialisée Alzheimer", ("306",), ("49",), ELDERLY, field="04", publics=("01",),
         roles=(COORD_NURSE,), probability=0.4),
))
HOME_HELP = Profile("Aide à domicile", units=(
    Unit("Aide et accompagnement à domicile", ("293", "299"), ("49",), ADULTS, field="04", publics=("01", "02"),
         roles=(Role(HOME_HELPER, "01", "10", shared="site"), Role(HOME_HELPER, "22", "05", shared="offer"))),
    Unit("Portage de repas", ("322",), ("49",), ELDERLY, field="04", publics=("01",),
         roles=(Role(HOME_HELPER, "01", "10", shared="site"),), probability=0.3),
))
_children_roles = (Role(EDUCATOR, "20", "10", shared="site"), Role(PSYCHOLOGIST, "22", "05", shared="offer"))
CHILD_DISABILITY = Profile("Enfants en situation de handicap", units=(
    Unit("Accompagnement médico-éducatif", ("293", "300"), ("47",), CHILDREN + ("05",), field="04",
         publics=("02",), roles=_children_roles, opening=WEEKDAYS[0]),
    Unit("Accompagnement à la communication", ("294", "290"), ("54",), CHILDREN, field="04", publics=("02",),
         roles=(Role(SPEECH, "22", "05"),), probability=0.6),
    Unit("Internat", ("293",), ("46",), ("03", "04", "05"), field="04", publics=("02",), beds=(8, 30),
         temporality="02", roles=_children_roles, opening=OPEN_H24, probability=0.4),
))
_adult_roles = (Role(EDUCATOR, "20", "10", shared="site"), Role(AES, "22", "05", shared="offer"))
ADULT_DISABILITY = Profile("Adultes en situation de handicap", units=(
    Unit("Hébergement permanent", ("293", "298"), ("46",), ADULTS, field="04", publics=("02",), beds=(15, 60),
         temporality="02", roles=_adult_roles, opening=OPEN_H24, mailbox="accueil"),
    Unit("Hébergement temporaire", ("293",), ("46",), ADULTS, field="04", publics=("02",), beds=(1, 5),
         temporality="01", roles=_adult_roles, opening=OPEN_H24, probability=0.5),
    Unit("Accueil de jour", ("313", "312"), ("47",), ADULTS, field="04", publics=("02",), roles=_adult_roles,
         probability=0.5),
    Unit("Soins médicaux et paramédicaux", ("285",), ("49",), ADULTS, field="04", publics=("02",),
         roles=(COORD_PHYSICIAN, Role(NURSE, "22", "05")), probability=0.5),
))
WORK_DISABILITY = Profile("Travail protégé", units=(
    Unit("Activité professionnelle adaptée", ("304", "305"), ("47",), ("05", "06"), field="04", publics=("02",),
         roles=_adult_roles),
))
ADDICTION = Profile("Addictologie", units=(
    Unit("Addictologie – consultations", ("404", "003"), ("32",), ADULTS, field="04", publics=("04",),
         roles=(Role(PHYSICIAN, "10", "04", "SM54"), Role(PSYCHOLOGIST, "22", "05"))),
    Unit("Réduction des risques", ("450",), ("56",), ADULTS, field="04", publics=("04",),
         roles=(Role(NURSE, "22", "05"),), probability=0.6),
    Unit("Tabacologie", ("139",), ("32",), ADULTS, field="04", publics=("04",), roles=(Role(NURSE, "22", "05"),),
         probability=0.5),
))
MOTHER_CHILD = Profile("Protection maternelle et infantile", units=(
    Unit("Consultations de protection infantile", ("118", "554"), ("32",), CHILDREN, field="05",
         roles=(Role(PHYSICIAN, "10", "04", "SM40"), Role(NURSE, "22", "05"))),
    Unit("Planification et éducation familiale", ("527",), ("32",), ("04", "05", "06"), field="05",
         roles=(Role(MIDWIFE, "22", "05"),), probability=0.6),
))
SOCIAL_SHELTER = Profile("Hébergement social", units=(
    Unit("Hébergement et accompagnement social", ("511", "553"), ("46",), ADULTS, field="06", publics=("06",),
         beds=(10, 60), roles=(Role(SOCIAL_WORKER, "01", "10", shared="site"),), opening=OPEN_H24),
))
COORDINATION = Profile("Coordination de parcours", units=(
    Unit("Coordination de parcours complexes", ("335", "548"), ("58",), ALL_AGES, field="05",
         roles=(Role(PATHWAY_COORDINATOR, "22", "05"), Role(PHYSICIAN, "04", "04", "SM54"))),
))

PROFILES: dict[str, Profile] = {}
for _profile, _codes in (
    (CHU, "101"), (CH, "355 114"), (LOCAL_HOSPITAL, "106"), (CLINIC, "128 129 365 122 697 698"),
    (CANCER_CENTRE, "131"), (SMR, "109"), (PSYCHIATRY, "292 161"), (CMP, "156 425 430 366 412 444 415"),
    (LONG_STAY, "362"), (EHPAD, "500 501"), (RESIDENCE, "202 502 381"), (LAB, "611 610 612"),
    (DIALYSIS, "141 146"), (HAD, "127"), (HEALTH_CENTRE, "124 603 636"), (HOME_NURSING, "354 209"),
    (HOME_HELP, "460"), (CHILD_DISABILITY, "183 182 186 188 192 194 195 196 190 189 377 390 238 402"),
    (ADULT_DISABILITY, "255 437 382 252 253 448 449 395 370 379"), (WORK_DISABILITY, "246 247"),
    (ADDICTION, "197 178"), (MOTHER_CHILD, "223 230 228 231 224"), (SOCIAL_SHELTER, "214 443 442 219"),
    (COORDINATION, "604 463"),
):
    for _code in _codes.split():
        PROFILES[_code] = _profile


def profile_for(category_code: str | None) -> Profile | None:
    """The unit profile of a FINESS category, or None (no care offer: pharmacy, shop, school…)."""
    return PROFILES.get(category_code or "")


__all__ = ["PROFILES", "profile_for", "CHILDREN", "CARE_ASSISTANT"]
