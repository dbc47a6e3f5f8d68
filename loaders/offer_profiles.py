"""Site kind and role → profile of synthetic units (see `loaders.site_kinds` and `loaders.site_plan`).

Hospitals get a profile by their role: the pivot site of a CHU/CHR legal entity has the rare activities
(thrombectomy, burn centre, level-3 maternity, paediatric specialties), the département's reference hospital the
regional ones (stroke unit, SAMU, cath lab), the other hospital sites the common ones. Probabilities are
calibrated so that the national counts fall near the published figures (docs/generated-offer.md); a test keeps
them in their bands. Kinds without a profile (school, head office, pharmacy shop…) get no care offer.
"""

from __future__ import annotations

from loaders.offer_catalog import (
    ADULT_EMERGENCY,
    ADULTS,
    AES,
    ALL_AGES,
    BIOLOGY_HOSPITAL,
    BURN_CENTRE,
    CADRE,
    CARDIOLOGY,
    CARE_ASSISTANT,
    CATH_LAB,
    CHILDREN,
    CHU_SPECIALTIES,
    CONTINUOUS_CARE,
    DENTIST,
    DIETITIAN,
    EDUCATOR,
    ELDERLY,
    EMERGENCY_ALL_AGES,
    GERIATRICS,
    HOME_HELPER,
    HOSPITAL_DIALYSIS,
    HYPERBARIC,
    IAS_TEAM,
    IMAGING_CLINIC,
    IMAGING_HOSPITAL,
    IMAGING_REFERENCE,
    IMAGING_SECONDARY,
    IMAGING_SMALL,
    IMAGING_UNIVERSITY,
    LAB_TECH,
    MATERNITY_TYPE1,
    MATERNITY_TYPE2,
    MATERNITY_TYPE3,
    MIDWIFE,
    NURSE,
    OPEN_H24,
    OT,
    PALLIATIVE,
    PATHWAY_COORDINATOR,
    PEDIATRIC_EMERGENCY,
    PEDIATRIC_ICU,
    PEDIATRIC_SMUR,
    PEDIATRIC_SPECIALTIES,
    PEDIATRICS,
    PHARMACY,
    PHYSICIAN,
    PHYSIO,
    PSYCHOLOGIST,
    RADIOGRAPHER,
    RADIOTHERAPY,
    REANIMATION,
    SAMU,
    SMR_CARDIO,
    SMR_NEURO,
    SMUR,
    SOCIAL_WORKER,
    SPEECH,
    STROKE_UNIT,
    TAVI,
    THROMBECTOMY,
    TRAUMA_CENTRE,
    Profile,
    Role,
    Service,
    Unit,
    specialty_service,
)
from loaders.site_kinds import normalise
from loaders.site_plan import SitePlan

DIRECTOR = Role(PHYSICIAN, "01", "10", shared="site")
COORD_PHYSICIAN = Role(PHYSICIAN, "04", "04", "SM54", shared="site")
COORD_NURSE = Role(NURSE, "08", "05", shared="site")
GP = Role(PHYSICIAN, "22", "04", "SM54", shared="offer")

_med = specialty_service("Médecine polyvalente", "Pôle médecine", "083", "SM27")
_surg = specialty_service("Chirurgie générale", "Pôle chirurgie", "025", "SM08")
_anesthesia = CHU_SPECIALTIES[21]
_psychiatry = CHU_SPECIALTIES[20]


def _p(service: Service, probability: float, group: str | None = None) -> Service:
    """The same service with another probability (and exclusive group)."""
    return Service(service.name, service.pole, service.units, probability, group)


def _maternity(type3: float, type2: float, type1: float) -> tuple[Service, ...]:
    """At most one maternity per site: type 3, 2 or 1 with these probabilities."""
    return tuple(_p(s, p, "maternity") for s, p in ((MATERNITY_TYPE3, type3), (MATERNITY_TYPE2, type2),
                                                     (MATERNITY_TYPE1, type1)) if p > 0)


CHU_PIVOT = Profile("CHU/CHR – site principal", services=(
    ADULT_EMERGENCY, PEDIATRIC_EMERGENCY, SMUR, _p(PEDIATRIC_SMUR, 0.35), TRAUMA_CENTRE, REANIMATION,
    CONTINUOUS_CARE, CARDIOLOGY, CATH_LAB, _p(TAVI, 0.8), STROKE_UNIT, THROMBECTOMY, _p(BURN_CENTRE, 0.45),
    IMAGING_UNIVERSITY, BIOLOGY_HOSPITAL, PHARMACY, IAS_TEAM, PALLIATIVE, GERIATRICS, _p(SMR_NEURO, 0.4),
    *_maternity(0.95, 0.0, 0.0), PEDIATRICS, _p(PEDIATRIC_ICU, 0.7), *PEDIATRIC_SPECIALTIES,
    _p(RADIOTHERAPY, 0.75), HOSPITAL_DIALYSIS, _p(HYPERBARIC, 0.4), *CHU_SPECIALTIES,
), hospital=True, tension=True)
CHU_SITE = Profile("CHU/CHR – autre site", services=(
    _p(ADULT_EMERGENCY, 0.3), _p(REANIMATION, 0.25), _p(CONTINUOUS_CARE, 0.4), _p(CARDIOLOGY, 0.4),
    IMAGING_SECONDARY, _p(BIOLOGY_HOSPITAL, 0.4), _p(PHARMACY, 0.5), IAS_TEAM, _p(PALLIATIVE, 0.5),
    _p(GERIATRICS, 0.6), _med, _p(_surg, 0.5), *_maternity(0.0, 0.1, 0.05), _p(PEDIATRICS, 0.15),
    _p(SMR_NEURO, 0.2), *(_p(s, 0.25) for s in CHU_SPECIALTIES[:20]),
), hospital=True, tension=True)
REFERENCE_HOSPITAL = Profile("Centre hospitalier de référence du département", services=(
    EMERGENCY_ALL_AGES, _p(PEDIATRIC_EMERGENCY, 0.35), _p(SMUR, 0.95), _p(TRAUMA_CENTRE, 0.3),
    _p(REANIMATION, 0.85), CONTINUOUS_CARE, CARDIOLOGY, _p(CATH_LAB, 0.6), _p(STROKE_UNIT, 0.85),
    IMAGING_REFERENCE, BIOLOGY_HOSPITAL, PHARMACY, IAS_TEAM, PALLIATIVE, GERIATRICS, _med, _surg,
    *_maternity(0.2, 0.7, 0.08), _p(PEDIATRICS, 0.9), _p(RADIOTHERAPY, 0.35), _p(HOSPITAL_DIALYSIS, 0.6),
    _p(SMR_NEURO, 0.35), _p(_psychiatry, 0.5), _anesthesia, *(_p(s, 0.6) for s in CHU_SPECIALTIES[:12]),
), hospital=True, tension=True)
HOSPITAL = Profile("Centre hospitalier", services=(
    _p(EMERGENCY_ALL_AGES, 0.85), _p(SMUR, 0.55), _p(REANIMATION, 0.35), _p(CONTINUOUS_CARE, 0.6), _med,
    _p(_surg, 0.8), CARDIOLOGY, _p(CATH_LAB, 0.15), _p(STROKE_UNIT, 0.08), IMAGING_HOSPITAL,
    _p(BIOLOGY_HOSPITAL, 0.8), PHARMACY, IAS_TEAM, PALLIATIVE, GERIATRICS, *_maternity(0.0, 0.3, 0.25),
    _p(PEDIATRICS, 0.45), _p(HOSPITAL_DIALYSIS, 0.3), _p(SMR_NEURO, 0.2), _p(RADIOTHERAPY, 0.04),
    _p(_psychiatry, 0.3), _p(_anesthesia, 0.7), *(_p(s, 0.3) for s in CHU_SPECIALTIES[:12]),
), hospital=True, tension=True)
HOSPITAL_SITE = Profile("Centre hospitalier – autre site", services=(
    _p(_med, 0.6), _p(EMERGENCY_ALL_AGES, 0.08), IMAGING_SMALL, *_maternity(0.0, 0.0, 0.06), IAS_TEAM,
    Service(GERIATRICS.name, GERIATRICS.pole, GERIATRICS.units[3:], probability=0.7),
    Service(PALLIATIVE.name, PALLIATIVE.pole, PALLIATIVE.units[2:], probability=0.3),
), hospital=True, tension=True)
LOCAL_HOSPITAL = Profile("Centre hospitalier (ex-hôpital local)", services=(
    _med, Service(GERIATRICS.name, GERIATRICS.pole, GERIATRICS.units[3:]), IAS_TEAM,
    Service(PALLIATIVE.name, PALLIATIVE.pole, PALLIATIVE.units[1:]),
), hospital=True, tension=True)
CLINIC = Profile("Clinique MCO", services=(
    _surg, _med, _anesthesia, _p(EMERGENCY_ALL_AGES, 0.18), _p(REANIMATION, 0.07), _p(CONTINUOUS_CARE, 0.3),
    *(_p(s, 0.3) for s in CHU_SPECIALTIES[11:20]), IMAGING_CLINIC, _p(CATH_LAB, 0.09),
    *_maternity(0.0, 0.03, 0.1), IAS_TEAM, Service(PALLIATIVE.name, PALLIATIVE.pole, PALLIATIVE.units[2:],
                                                   probability=0.5),
    _p(RADIOTHERAPY, 0.05), _p(HOSPITAL_DIALYSIS, 0.05),
), hospital=True, tension=True)
MOTHER_CHILD_HOSPITAL = Profile("Hôpital mère-enfant", services=(
    PEDIATRIC_EMERGENCY, *_maternity(0.6, 0.3, 0.0), PEDIATRICS, _p(PEDIATRIC_ICU, 0.5), *PEDIATRIC_SPECIALTIES,
    IAS_TEAM, _p(BIOLOGY_HOSPITAL, 0.5), PHARMACY,
    Service("Imagerie pédiatrique", "Pôle médico-technique", (
        Unit("Radiologie et échographie pédiatriques", ("503", "067"), ("55",), CHILDREN,
             roles=(Role(PHYSICIAN, "10", "04", "SM44"),)),)),
), hospital=True, tension=True)
GERIATRIC_HOSPITAL = Profile("Hôpital gériatrique", services=(GERIATRICS, IAS_TEAM, PALLIATIVE), hospital=True)
CANCER_CENTRE = Profile("Centre de lutte contre le cancer", services=(
    CHU_SPECIALTIES[7], CHU_SPECIALTIES[8], IMAGING_REFERENCE, PALLIATIVE, IAS_TEAM, BIOLOGY_HOSPITAL, PHARMACY,
    RADIOTHERAPY,
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
    Unit("Hémodialyse chronique", ("059",), ("20",), ADULTS, acts=("0657", "0762"),
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
         publics=("02",), roles=_children_roles, opening="Du lundi au vendredi, 8 h – 18 h 30", beds=(15, 50)),
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
         probability=0.5, beds=(8, 25)),
    Unit("Soins médicaux et paramédicaux", ("285",), ("49",), ADULTS, field="04", publics=("02",),
         roles=(COORD_PHYSICIAN, Role(NURSE, "22", "05")), probability=0.5),
))
WORK_DISABILITY = Profile("Travail protégé", units=(
    Unit("Activité professionnelle adaptée", ("304", "305"), ("47",), ("05", "06"), field="04", publics=("02",),
         roles=_adult_roles, beds=(40, 110)),
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


# ---------------------------------------------------------------------------------------------- satellites
_psy_child_roles = (Role(PHYSICIAN, "10", "04", "SM43"), Role(PSYCHOLOGIST, "22", "05", shared="offer"))
_psy_adult_roles = (Role(PHYSICIAN, "10", "04", "SM42"), Role(PSYCHOLOGIST, "22", "05", shared="offer"))
CATTP = Profile("Centre d'accueil thérapeutique à temps partiel", units=(
    Unit("Accueil thérapeutique à temps partiel (CATTP)", ("229",), ("47",), ADULTS, field="03",
         roles=(Role(NURSE, "22", "05"), _psy_adult_roles[0])),
))
CMPP = Profile("Centre médico-psycho-pédagogique", units=(
    Unit("Centre médico-psycho-pédagogique – consultations", ("227", "448"), ("32",), CHILDREN + ("05",),
         field="04", roles=_psy_child_roles),
    Unit("Rééducation orthophonique et psychomotrice", ("200",), ("20",), CHILDREN, field="04",
         roles=(Role(SPEECH, "22", "05"),), probability=0.6),
))
PSY_DAY_ADULT = Profile("Hôpital de jour de psychiatrie", units=(
    Unit("Psychiatrie adulte – hôpital de jour", ("229",), ("29",), ADULTS, field="03", beds=(10, 25),
         roles=(_psy_adult_roles[0], CADRE), opening="Du lundi au vendredi, 9 h – 17 h"),
))
PSY_DAY_CHILD = Profile("Hôpital de jour de pédopsychiatrie", units=(
    Unit("Psychiatrie de l'enfant et de l'adolescent – hôpital de jour", ("227", "228"), ("29",), CHILDREN,
         field="03", beds=(8, 15), roles=(_psy_child_roles[0], CADRE), opening="Du lundi au vendredi, 9 h – 17 h"),
))
MEDICAL_DAY_HOSPITAL = Profile("Hôpital de jour", units=(
    Unit("Médecine – hôpital de jour", ("083",), ("29",), ADULTS, beds=(6, 15), roles=(_med.units[0].roles[0],),
         opening="Du lundi au vendredi, 8 h – 18 h"),
))
PSY_POSTCURE = Profile("Centre de postcure psychiatrique", units=(
    Unit("Postcure psychiatrique", ("229", "231"), ("28",), ADULTS, field="03", beds=(15, 30), opening=OPEN_H24,
         roles=(_psy_adult_roles[0], CADRE)),
), hospital=True)
FAMILY_PLANNING = Profile("Centre de planification et d'éducation familiale", units=(
    Unit("Planification et éducation familiale – contraception", ("527",), ("32",), ("04", "05", "06"),
         field="05", roles=(Role(MIDWIFE, "22", "05"), Role(PHYSICIAN, "10", "04", "SM20")), mailbox="cpef"),
    Unit("IVG médicamenteuse", ("105",), ("32",), ("04", "05", "06"), field="05", acts=("0268",),
         roles=(Role(PHYSICIAN, "22", "04", "SM20"),), probability=0.6, mailbox="cpef"),
))
DENTAL_CENTRE = Profile("Centre de soins dentaires", units=(
    Unit("Soins dentaires", ("442", "101"), ("32",), ALL_AGES, field="05", roles=(Role(DENTIST, "22", "04"),)),
    Unit("Orthodontie", ("104",), ("32",), CHILDREN[2:] + ("05",), field="05", roles=(Role(DENTIST, "22", "04"),),
         probability=0.3),
))
SCREENING = Profile("Centre de dépistage et de vaccination", units=(
    Unit("Dépistage et prévention", ("334",), ("32",), ALL_AGES[2:], field="05", roles=(Role(NURSE, "22", "05"),
                                                                                          COORD_PHYSICIAN)),
    Unit("Vaccinations", ("161",), ("32",), ALL_AGES, field="05", roles=(Role(NURSE, "22", "05"),),
         probability=0.6),
))
NURSING_CENTRE = Profile("Centre de soins infirmiers", units=(
    Unit("Soins infirmiers", ("287",), ("20",), ALL_AGES, field="05", roles=(Role(NURSE, "22", "05"),)),
    Unit("Soins infirmiers à domicile", ("287",), ("49",), ALL_AGES, field="05", roles=(Role(NURSE, "22", "05"),),
         probability=0.7),
))
HOSPITAL_PHARMACY = Profile("Pharmacie à usage intérieur", services=(PHARMACY,), hospital=True)
SMUR_BASE = Profile("Antenne SMUR", services=(SMUR,), hospital=True)
SAMU_CENTRE = Profile("SAMU – centre 15", services=(SAMU,), hospital=True)
PRISON_HEALTH = Profile("Unité sanitaire en milieu pénitentiaire", units=(
    Unit("Unité sanitaire – soins somatiques", ("437",), ("32",), ADULTS, roles=(GP, Role(NURSE, "22", "05"))),
    Unit("Unité sanitaire – soins psychiatriques", ("229",), ("32",), ADULTS, field="03",
         roles=(_psy_adult_roles[0],), probability=0.7),
))
_radiologist = Role(PHYSICIAN, "10", "04", "SM44")
_radiographer = Role(RADIOGRAPHER, "22", "05", shared="site")
_EXTENDED = tuple(f"{d} 07:30-21:00" for d in range(1, 7))
MRI_UNIT = Unit("Imagerie par IRM", ("068",), ("55",), ALL_AGES, equipment=(("054", 1, 2, _EXTENDED),),
                roles=(_radiologist, _radiographer), opening="Du lundi au samedi, 7 h 30 – 21 h")
CT_UNIT = Unit("Imagerie par scanner (TDM)", ("070",), ("55",), ALL_AGES, equipment=(("085", 1, 1, _EXTENDED),),
               roles=(_radiologist, _radiographer), opening="Du lundi au samedi, 7 h 30 – 21 h")
NUCLEAR_UNIT = Unit("Médecine nucléaire – scintigraphie et TEP", ("632", "169"), ("55",), ALL_AGES, acts=("0278",),
                    roles=(Role(PHYSICIAN, "10", "04", "SM28"),))
RADIOLOGY_UNIT = Unit("Radiologie conventionnelle et échographie", ("069", "067"), ("55",), ALL_AGES,
                      roles=(_radiologist,))
# Imaging centres (FINESS "autre établissement loi hospitalière"): what their name says they run.
IMAGING_CENTRES = {
    "mri": Profile("Centre d'IRM", units=(MRI_UNIT,)),
    "ct": Profile("Centre de scanner", units=(CT_UNIT,)),
    "mri_ct": Profile("Centre d'IRM et de scanner", units=(MRI_UNIT, CT_UNIT)),
    "nuclear": Profile("Centre de médecine nucléaire", units=(NUCLEAR_UNIT,)),
    "radiology": Profile("Centre d'imagerie médicale", units=(
        RADIOLOGY_UNIT, Unit(MRI_UNIT.name, MRI_UNIT.activities, MRI_UNIT.modes, ALL_AGES,
                             equipment=(("054", 1, 1, _EXTENDED),), roles=MRI_UNIT.roles, probability=0.25),
        Unit(CT_UNIT.name, CT_UNIT.activities, CT_UNIT.modes, ALL_AGES, equipment=CT_UNIT.equipment,
             roles=CT_UNIT.roles, probability=0.3),
    )),
}
LACTARIUM = Profile("Lactarium", units=(
    Unit("Lactarium – collecte et distribution de lait maternel", ("618", "619"), ("20",), ("01", "02"),
         roles=(Role(PHYSICIAN, "10", "04", "SM40"),), mailbox="lactarium"),
))
RADIOTHERAPY_CENTRE = Profile("Centre de radiothérapie", services=(RADIOTHERAPY,), hospital=True)
OTHER_HEALTH = Profile("Autre établissement de santé", units=(RADIOLOGY_UNIT,))

KIND_PROFILES: dict[str, Profile] = {
    "cancer": CANCER_CENTRE, "smr": SMR, "psychiatry": PSYCHIATRY, "cmp": CMP, "cattp": CATTP, "cmpp": CMPP,
    "psy_postcure": PSY_POSTCURE, "usld": LONG_STAY, "ehpad": EHPAD, "residence": RESIDENCE, "lab": LAB,
    "dialysis": DIALYSIS, "had": HAD, "health_centre": HEALTH_CENTRE, "nursing_centre": NURSING_CENTRE,
    "dental": DENTAL_CENTRE, "ssiad": HOME_NURSING, "home_help": HOME_HELP, "child_disability": CHILD_DISABILITY,
    "adult_disability": ADULT_DISABILITY, "work_disability": WORK_DISABILITY, "addiction": ADDICTION,
    "pmi": MOTHER_CHILD, "cpef": FAMILY_PLANNING, "social_shelter": SOCIAL_SHELTER, "coordination": COORDINATION,
    "screening": SCREENING, "pharmacy": HOSPITAL_PHARMACY, "smur": SMUR_BASE, "samu": SAMU_CENTRE,
    "radiotherapy": RADIOTHERAPY_CENTRE, "mother_child": MOTHER_CHILD_HOSPITAL, "geriatric": GERIATRIC_HOSPITAL,
    "prison": PRISON_HEALTH, "other_health": OTHER_HEALTH, "local_hospital": LOCAL_HOSPITAL, "clinic": CLINIC,
    "day_hospital": MEDICAL_DAY_HOSPITAL, "lactarium": LACTARIUM,
}
# Hospitals of a legal entity by role (loaders.site_plan).
ROLE_PROFILES: dict[tuple[str, str], Profile] = {
    ("university_hospital", "chu_pivot"): CHU_PIVOT, ("university_hospital", "chu_site"): CHU_SITE,
    ("hospital", "reference"): REFERENCE_HOSPITAL, ("hospital", "ch_pivot"): HOSPITAL,
    ("hospital", "ch_site"): HOSPITAL_SITE,
}
_CHILD_WORDS = ("ENFANT", "ENFANTS", "INFANTO", "PEDO", "PEDOPSY", "PEDOPSYCHIATRIE", "ADO", "ADOS",
                "ADOLESCENTS", "PIJ", "JUV", "JUVENILE", "CMPEA")


def imaging_centre(name: str) -> Profile:
    """The imaging-centre profile its name tells: "IRM …" → MRI, "SCANNER …" → CT, "TEP …" → nuclear…"""
    words = set(normalise(name).replace(".", " ").split())
    mri, ct = bool(words & {"IRM"}), bool(words & {"SCANNER", "SCAN", "TDM", "SCANOGRAPHE", "SCANOGRAPHIE"})
    if mri and ct:
        return IMAGING_CENTRES["mri_ct"]
    if mri:
        return IMAGING_CENTRES["mri"]
    if ct:
        return IMAGING_CENTRES["ct"]
    if words & {"TEP", "PET", "SCINTIGRAPHIE", "NUCLEAIRE", "GAMMA", "POSITON", "CYCLOTRON"}:
        return IMAGING_CENTRES["nuclear"]
    return IMAGING_CENTRES["radiology"]


def profile_for(plan: SitePlan, name: str | None = None) -> Profile | None:
    """The unit profile of a planned site, or None (no care offer: pharmacy shop, school, head office…)."""
    if plan.kind is None:
        return None
    if (plan.kind, plan.role) in ROLE_PROFILES:
        return ROLE_PROFILES[(plan.kind, plan.role)]
    if plan.kind == "university_hospital":  # defensive: a CHU site without a role
        return CHU_SITE
    if plan.kind == "hospital":
        return HOSPITAL_SITE
    if plan.kind == "imaging":
        return imaging_centre(name or "")
    if plan.kind == "psy_day":
        words = set(normalise(name or "").split())
        return PSY_DAY_CHILD if words & set(_CHILD_WORDS) else PSY_DAY_ADULT
    return KIND_PROFILES.get(plan.kind)


PROFILES: dict[str, Profile] = {**{f"{k}:{r}": p for (k, r), p in ROLE_PROFILES.items()}, **KIND_PROFILES,
                                **{f"imaging:{k}": p for k, p in IMAGING_CENTRES.items()},
                                "psy_day:adult": PSY_DAY_ADULT, "psy_day:child": PSY_DAY_CHILD}

__all__ = ["PROFILES", "KIND_PROFILES", "ROLE_PROFILES", "profile_for", "imaging_centre"]
