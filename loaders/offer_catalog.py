"""The synthetic offer as data: which units a site of each FINESS category gets, coded with real NOS codes.

Every code here exists in `data/nos/ror_nomenclatures.csv.gz` (checked by `tests/unit/test_load_catalog.py`).
Keys are concept keys (`J17|157`, `J186|G15|10`…, see `loaders.nos.concept_key`).
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_AGES = ("01", "02", "03", "04", "05", "06", "10", "11")
ADULTS = ("05", "06", "10", "11")
CHILDREN = ("01", "02", "03", "04")
ELDERLY = ("10", "11")
H24 = tuple(f"{d} 00:00-24:00" for d in range(1, 8))
WEEKDAYS = tuple(f"{d} 08:00-18:30" for d in range(1, 6))
EXTENDED = tuple(f"{d} 07:30-21:00" for d in range(1, 7))

# Professions (J186) and the ordinal specialty of physicians (J210).
PHYSICIAN, NURSE, MIDWIFE, PHYSIO, PHARMACIST = "G15|10", "G15|60", "G15|50", "G15|70", "G15|21"
RADIOGRAPHER, LAB_TECH, CARE_ASSISTANT, DENTIST = "G15|98", "G15|86", "G15|35", "G15|40"
SPEECH, OT, DIETITIAN = "G15|91", "G15|94", "G15|95"
PSYCHOLOGIST, SOCIAL_WORKER, EDUCATOR, AES = "R95|93", "R94|41", "R94|51", "R94|53"
HOME_HELPER, PATHWAY_COORDINATOR = "R85|350", "R85|330"


@dataclass(frozen=True)
class Role:
    """A contact of a unit: profession, specialty, contact function (J220) and nature (J221)."""

    profession: str
    function: str
    nature: str
    specialty: str | None = None
    shared: str = "service"  # "service": one person per service; "site": one per site; "offer": per offer
    mailbox: str | None = None  # generic mailbox local part (IAS guide); else the unit's mailbox


@dataclass(frozen=True)
class Unit:
    """An elementary unit template (one Offer)."""

    name: str
    activities: tuple[str, ...]
    modes: tuple[str, ...]
    ages: tuple[str, ...] = ADULTS
    field: str = "01"  # J20: 01 MCO, 02 SMR, 03 PSY, 04 MS, 05 Ville, 06 Social
    acts: tuple[str, ...] = ()
    equipment: tuple[tuple[str, int, int, tuple[str, ...]], ...] = ()  # (J18 code, min, max count, hours)
    beds: tuple[int, int] | None = None
    publics: tuple[str, ...] = ()
    temporality: str | None = None  # J30
    roles: tuple[Role, ...] = ()
    mailbox: str = "secretariat"
    opening: str = "Du lundi au vendredi, 9 h – 17 h"
    probability: float = 1.0
    one_mode_of: tuple[str, ...] = ()  # when set, the unit gets exactly one of these modes (EMSP norm)


@dataclass(frozen=True)
class Service:
    """A hospital service (InternalOrg) and the units it runs."""

    name: str
    pole: str
    units: tuple[Unit, ...]
    probability: float = 1.0
    group: str | None = None  # services of one group in a profile are exclusive (one maternity level at most)


@dataclass(frozen=True)
class Profile:
    """What a FINESS category gets: services grouped in poles (hospitals) or a flat list of units."""

    name: str
    services: tuple[Service, ...] = ()
    units: tuple[Unit, ...] = ()
    hospital: bool = False
    tension: bool = False


def _physician(specialty: str, function: str = "10") -> Role:
    return Role(PHYSICIAN, function, "04", specialty)


CADRE = Role(NURSE, "03", "05")
SECRETARY_ROLE = Role(NURSE, "22", "07", shared="offer")
OPEN_H24 = "24 h/24, 7 j/7"


def specialty_service(name: str, pole: str, activity: str, specialty: str, *, hc: bool = True, hj: bool = True,
                      cs: bool = True, acts: tuple[str, ...] = (), ages=ADULTS, probability: float = 1.0,
                      beds=(10, 30)) -> Service:
    """A medical or surgical specialty: full hospitalisation, day hospital and consultation units."""
    roles = (_physician(specialty), CADRE, Role(PHYSICIAN, "22", "04", specialty, shared="offer"))
    units = []
    if hc:
        units.append(Unit(f"{name} – hospitalisation complète", (activity,), ("28",), ages, acts=acts, beds=beds,
                          roles=roles, opening=OPEN_H24))
    if hj:
        units.append(Unit(f"{name} – hôpital de jour", (activity,), ("29",), ages, acts=acts, beds=(3, 8),
                          roles=roles, opening="Du lundi au vendredi, 8 h – 18 h", probability=0.6))
    if cs:
        units.append(Unit(f"{name} – consultations", (activity,), ("32",), ages, acts=acts, roles=roles))
    return Service(f"Service de {name.lower()}", pole, tuple(units), probability)


EMERGENCY = Service("Service des urgences", "Pôle urgences – réanimation", (
    Unit("Urgences adultes", ("157", "160"), ("33",), ADULTS, roles=(_physician("SM59"), CADRE), beds=(6, 20),
         opening=OPEN_H24),
    Unit("Unité d'hospitalisation de courte durée (UHCD)", ("157",), ("13",), ADULTS, beds=(4, 12),
         roles=(_physician("SM59"), CADRE), opening=OPEN_H24),
    Unit("SMUR", ("136", "268"), ("11",), ALL_AGES, roles=(_physician("SM59"),), opening=OPEN_H24),
))
PEDIATRIC_EMERGENCY = Service("Urgences pédiatriques", "Pôle femme – enfant", (
    Unit("Urgences pédiatriques", ("249",), ("33",), CHILDREN, roles=(_physician("SM40"), CADRE),
         opening=OPEN_H24),
))
ICU = Service("Service de réanimation", "Pôle urgences – réanimation", (
    Unit("Réanimation polyvalente", ("127",), ("28",), ADULTS, beds=(8, 24), opening=OPEN_H24,
         equipment=(("107", 1, 2, H24), ("093", 0, 1, H24)), roles=(_physician("SM46"), CADRE)),
    Unit("Unité de surveillance continue", ("373",), ("28",), ADULTS, beds=(6, 12), opening=OPEN_H24,
         roles=(_physician("SM46"), CADRE)),
))
CARDIOLOGY = specialty_service("Cardiologie", "Pôle cardio-neuro-vasculaire", "013", "SM04", acts=("0176",))
INTERVENTIONAL_CARDIOLOGY = Service("Cardiologie interventionnelle", "Pôle cardio-neuro-vasculaire", (
    Unit("Cardiologie interventionnelle – salle de cathétérisme", ("014",), ("55",), ADULTS,
         acts=("0633", "0250", "0001"), roles=(_physician("SM04"), CADRE), opening=OPEN_H24,
         equipment=(("189", 1, 2, H24),)),
    Unit("Unité de soins intensifs de cardiologie (USIC)", ("354",), ("28",), ADULTS, beds=(6, 16),
         roles=(_physician("SM04"), CADRE), opening=OPEN_H24),
))
NEUROVASCULAR = Service("Unité neurovasculaire", "Pôle cardio-neuro-vasculaire", (
    Unit("Unité neurovasculaire (UNV)", ("098", "356"), ("28",), ADULTS, acts=("0460",), beds=(8, 20),
         roles=(_physician("SM32"), CADRE), opening=OPEN_H24),
    Unit("Thrombectomie mécanique – neuroradiologie interventionnelle", ("492",), ("55",), ADULTS,
         acts=("0459",), roles=(_physician("SM44"),), opening=OPEN_H24),
))
IMAGING = Service("Service d'imagerie médicale", "Pôle médico-technique", (
    Unit("Imagerie par IRM", ("068",), ("55",), ALL_AGES, equipment=(("054", 1, 3, EXTENDED),),
         roles=(_physician("SM44"), Role(RADIOGRAPHER, "22", "05", shared="service"))),
    Unit("Imagerie par scanner (TDM)", ("070",), ("55",), ALL_AGES, equipment=(("085", 1, 3, H24),),
         roles=(_physician("SM44"), Role(RADIOGRAPHER, "22", "05", shared="service")), opening=OPEN_H24),
    Unit("Radiologie conventionnelle et échographie", ("069", "067"), ("55",), ALL_AGES,
         roles=(_physician("SM44"),)),
    Unit("Sénologie – mammographie", ("504",), ("32",), ADULTS, equipment=(("094", 1, 2, WEEKDAYS),),
         roles=(_physician("SM44"),), probability=0.7),
))
BIOLOGY_HOSPITAL = Service("Laboratoire de biologie médicale", "Pôle médico-technique", (
    Unit("Biologie médicale – biochimie et hématologie", ("009", "056"), ("55",), ALL_AGES, opening=OPEN_H24,
         roles=(_physician("SM03"), Role(LAB_TECH, "22", "05"))),
    Unit("Microbiologie", ("093",), ("55",), ALL_AGES, acts=("0304", "0306"), equipment=(("068", 1, 2, WEEKDAYS),),
         roles=(_physician("SM66"),)),
))
PHARMACY = Service("Pharmacie à usage intérieur", "Pôle médico-technique", (
    Unit("Pharmacie à usage intérieur (PUI)", ("397",), ("55",), ALL_AGES, roles=(Role(PHARMACIST, "10", "04"),)),
))
IAS_TEAM = Service("Équipe opérationnelle d'hygiène", "Pôle qualité – gestion des risques", (
    Unit("Équipe opérationnelle d'hygiène (EOH)", ("063",), ("52",), ALL_AGES, acts=("0909", "0910", "0911"),
         mailbox="eoh", roles=(
             Role(PHYSICIAN, "23", "07", "SM58", shared="site", mailbox="eoh"),
             Role(NURSE, "24", "07", shared="site", mailbox="signalement-ias"),
             Role(PHYSICIAN, "25", "07", "SM58", shared="site", mailbox="referent-atb"),
             Role(NURSE, "26", "07", shared="site", mailbox="gestion-risques"),
         )),
))
# The EMSP mode is exactly one of the three mobile-team modes (harmonised norm); the generator picks it.
EMSP_MODES = ("52", "11", "53")
PALLIATIVE = Service("Soins palliatifs", "Pôle gériatrie – soins palliatifs", (
    Unit("Unité de soins palliatifs (USP)", ("170",), ("28",), ALL_AGES, beds=(6, 12), opening=OPEN_H24,
         roles=(_physician("SM27"), CADRE), probability=0.5),
    Unit("Équipe mobile de soins palliatifs (EMSP)", ("170",), (), ALL_AGES, mailbox="emsp", one_mode_of=EMSP_MODES,
         roles=(_physician("SM27"), Role(NURSE, "22", "05"))),
    Unit("Médecine polyvalente LISP", ("083", "076"), ("28",), ADULTS, beds=(2, 6), opening=OPEN_H24,
         roles=(_physician("SM27"), CADRE)),
))
GERIATRICS = Service("Service de gériatrie", "Pôle gériatrie – soins palliatifs", (
    Unit("Médecine gériatrique aiguë", ("491", "050"), ("28",), ELDERLY, acts=("0204", "0032"), beds=(15, 30),
         roles=(_physician("SM18"), CADRE), opening=OPEN_H24),
    Unit("Consultation mémoire", ("597",), ("32",), ELDERLY, acts=("0033",), roles=(_physician("SM18"),)),
    Unit("Équipe mobile de gériatrie", ("050",), ("52",), ELDERLY, roles=(_physician("SM18"),)),
    Unit("SMR gériatrique", ("241", "050"), ("28",), ELDERLY, field="02", beds=(20, 40),
         roles=(_physician("SM18"), CADRE), opening=OPEN_H24),
    Unit("Unité de soins de longue durée (USLD)", ("333",), ("28",), ELDERLY, beds=(20, 60),
         roles=(_physician("SM18"), CADRE), opening=OPEN_H24, probability=0.6),
))
SMR_NEURO = Service("SMR neurologique", "Pôle réadaptation", (
    Unit("SMR neurologique – affections du système nerveux", ("234",), ("28",), ADULTS, field="02",
         beds=(15, 30), roles=(_physician("SM29"), CADRE), opening=OPEN_H24),
    Unit("SMR neurologique – hôpital de jour", ("234",), ("29",), ADULTS, field="02", beds=(4, 10),
         roles=(_physician("SM29"),)),
))
SMR_CARDIO = Service("SMR cardiovasculaire", "Pôle réadaptation", (
    Unit("SMR cardiovasculaire", ("235",), ("29",), ADULTS, field="02", beds=(6, 12),
         roles=(_physician("SM04"), Role(PHYSIO, "22", "05"))),
))
MATERNITY = Service("Maternité", "Pôle femme – enfant", (
    Unit("Obstétrique – salles de naissance", ("100",), ("28",), ("05", "06"), beds=(10, 40), opening=OPEN_H24,
         roles=(_physician("SM20"), Role(MIDWIFE, "03", "05"))),
    Unit("Suivi prénatal", ("530", "510"), ("32",), ("05", "06"), roles=(Role(MIDWIFE, "22", "05"),)),
    Unit("Orthogénie", ("105",), ("32",), ("04", "05", "06"), acts=("0267", "0268"), roles=(_physician("SM20"),)),
    Unit("Néonatalogie", ("094",), ("28",), ("01",), beds=(6, 15), roles=(_physician("SM40"), CADRE),
         opening=OPEN_H24),
), probability=0.85)
# Type 3 maternity: the obstetric units plus neonatal intensive care (J17 128), only in CHU/CHR profiles.
MATERNITY_LEVEL3 = Service(MATERNITY.name, MATERNITY.pole, MATERNITY.units + (
    Unit("Réanimation néonatale (maternité de type 3)", ("128",), ("28",), ("01",), beds=(6, 20),
         roles=(_physician("SM40"), CADRE), opening=OPEN_H24, probability=0.3),
), probability=MATERNITY.probability)
PEDIATRICS = specialty_service("Pédiatrie", "Pôle femme – enfant", "088", "SM40", ages=CHILDREN, probability=0.9)

CHU_SPECIALTIES = (
    specialty_service("Neurologie", "Pôle cardio-neuro-vasculaire", "097", "SM32"),
    specialty_service("Pneumologie", "Pôle médecine", "114", "SM41", acts=("0559",)),
    specialty_service("Gastro-entérologie", "Pôle médecine", "046", "SM24", acts=("0639", "0192")),
    specialty_service("Néphrologie", "Pôle médecine", "095", "SM30", acts=("0657",)),
    specialty_service("Endocrinologie", "Pôle médecine", "041", "SM16"),
    specialty_service("Médecine interne", "Pôle médecine", "085", "SM27"),
    specialty_service("Maladies infectieuses", "Pôle médecine", "077", "SM58"),
    specialty_service("Hématologie", "Pôle cancérologie", "055", "SM21", acts=("0374",)),
    specialty_service("Oncologie médicale", "Pôle cancérologie", "102", "SM36", acts=("0377",)),
    specialty_service("Dermatologie", "Pôle médecine", "037", "SM15", hc=False),
    specialty_service("Rhumatologie", "Pôle médecine", "131", "SM48"),
    specialty_service("Chirurgie orthopédique", "Pôle chirurgie", "025", "SM08"),
    specialty_service("Chirurgie digestive", "Pôle chirurgie", "033", "SM14"),
    specialty_service("Chirurgie vasculaire", "Pôle chirurgie", "032", "SM13", acts=("0021",)),
    specialty_service("Chirurgie cardiaque", "Pôle cardio-neuro-vasculaire", "018", "SM11", probability=0.7),
    specialty_service("Neurochirurgie", "Pôle chirurgie", "096", "SM31", probability=0.8),
    specialty_service("Urologie", "Pôle chirurgie", "031", "SM12", acts=("0890",)),
    specialty_service("ORL", "Pôle chirurgie", "016", "SM34"),
    specialty_service("Ophtalmologie", "Pôle chirurgie", "103", "SM38", acts=("0225",)),
    specialty_service("Chirurgie gynécologique", "Pôle femme – enfant", "022", "SM20"),
    Service("Psychiatrie", "Pôle psychiatrie", (
        Unit("Psychiatrie adulte – hospitalisation complète", ("229",), ("28",), ADULTS, field="03",
             beds=(15, 30), roles=(_physician("SM42"), CADRE), opening=OPEN_H24),
        Unit("Urgences psychiatriques", ("158",), ("33",), ADULTS, field="03", roles=(_physician("SM42"),),
             opening=OPEN_H24),
    )),
    Service("Anesthésie – bloc opératoire", "Pôle chirurgie", (
        Unit("Chirurgie ambulatoire", ("007",), ("09",), ADULTS, beds=(10, 30), roles=(_physician("SM02"), CADRE)),
        Unit("Salle de surveillance post-interventionnelle", ("138",), ("55",), ALL_AGES,
             roles=(_physician("SM02"),), opening=OPEN_H24, equipment=(("156", 4, 12, H24),)),
    )),
    Service("Médecine nucléaire", "Pôle médico-technique", (
        Unit("Médecine nucléaire – scintigraphie", ("632", "169"), ("55",), ALL_AGES, acts=("0278",),
             roles=(_physician("SM28"),)),
    ), probability=0.8),
)

# Care-pathway templates: ordered J17 activities, written as (Activity)-[:NEXT_STEP {pathway, rank}]->(Activity).
PATHWAYS: dict[str, tuple[str, ...]] = {
    "AVC ischémique : urgences → unité neurovasculaire → SMR neurologique → domicile": ("157", "098", "234", "287"),
    "Infarctus du myocarde : urgences → cardiologie interventionnelle → USIC → SMR cardiovasculaire → suivi":
        ("157", "014", "354", "235", "013"),
    "Fracture du col du fémur du sujet âgé : urgences → orthopédie → SMR gériatrique → domicile":
        ("157", "025", "241", "287"),
    "Soins palliatifs : médecine → lits identifiés (LISP) → unité de soins palliatifs": ("083", "076", "170"),
}


# ------------------------------------------------------------------------------------------------------------
# Building blocks of the plausible offer (issue 15): each rare activity is its own service so that a profile can
# give it only to the sites that have it in France (see loaders/offer_profiles.py and docs/generated-offer.md).

EMERGENCY_ALL_AGES = Service("Service des urgences", "Pôle urgences – réanimation", (
    Unit("Urgences", ("157", "160"), ("33",), ALL_AGES, roles=(_physician("SM59"), CADRE), beds=(4, 12),
         opening=OPEN_H24),
    Unit("Unité d'hospitalisation de courte durée (UHCD)", ("157",), ("13",), ALL_AGES, beds=(4, 10),
         roles=(_physician("SM59"), CADRE), opening=OPEN_H24, probability=0.8),
))
ADULT_EMERGENCY = Service(EMERGENCY.name, EMERGENCY.pole, EMERGENCY.units[:2])
SMUR = Service("SMUR", "Pôle urgences – réanimation", EMERGENCY.units[2:])
PEDIATRIC_SMUR = Service("SMUR pédiatrique", "Pôle femme – enfant", (
    Unit("SMUR pédiatrique", ("270",), ("11",), CHILDREN, roles=(_physician("SM40"),), opening=OPEN_H24),
))
SAMU = Service("SAMU – centre 15", "Pôle urgences – réanimation", (
    Unit("SAMU – régulation médicale (centre 15)", ("273",), ("56",), ALL_AGES, mailbox="samu",
         roles=(_physician("SM59"), Role(PHYSICIAN, "07", "04", "SM59", shared="site")), opening=OPEN_H24),
))
TRAUMA_CENTRE = Service("Accueil des polytraumatisés", "Pôle urgences – réanimation", (
    Unit("Salle d'accueil des urgences vitales (déchocage)", ("160", "159"), ("33",), ALL_AGES, acts=("1400",),
         roles=(_physician("SM59"), _physician("SM02", "22")), opening=OPEN_H24),
))
REANIMATION = Service(ICU.name, ICU.pole, ICU.units[:1])
CONTINUOUS_CARE = Service("Surveillance continue", "Pôle urgences – réanimation", ICU.units[1:])
STROKE_UNIT = Service(NEUROVASCULAR.name, NEUROVASCULAR.pole, NEUROVASCULAR.units[:1])
THROMBECTOMY = Service("Neuroradiologie interventionnelle", NEUROVASCULAR.pole, NEUROVASCULAR.units[1:])
CATH_LAB = Service(INTERVENTIONAL_CARDIOLOGY.name, INTERVENTIONAL_CARDIOLOGY.pole, (
    Unit("Cardiologie interventionnelle – salle de cathétérisme", ("014",), ("55",), ADULTS,
         acts=("0597", "0250", "0001"), roles=(_physician("SM04"), CADRE), opening=OPEN_H24,
         equipment=(("189", 1, 1, H24),)),
    INTERVENTIONAL_CARDIOLOGY.units[1],
))
TAVI = Service("Cardiologie structurelle", INTERVENTIONAL_CARDIOLOGY.pole, (
    Unit("Valves cardiaques percutanées (TAVI)", ("014",), ("55",), ADULTS, acts=("0633",),
         roles=(_physician("SM04"),)),
))
BURN_CENTRE = Service("Centre de traitement des brûlés", "Pôle urgences – réanimation", (
    Unit("Centre de traitement des brûlés (CTB)", ("121", "175"), ("28",), ALL_AGES, acts=("0047", "0087"),
         beds=(6, 14), roles=(_physician("SM46"), _physician("SM39", "22"), CADRE), opening=OPEN_H24),
))


def _imaging(mri: tuple[int, int], ct: tuple[int, int], p_mri: float = 1.0, p_ct: float = 1.0,
             mammography: float = 0.7) -> Service:
    """An imaging department with `mri`/`ct` (min, max) devices (J18 054 whole-body MRI, 085 CT scanner)."""
    radiographer = Role(RADIOGRAPHER, "22", "05", shared="service")
    return Service("Service d'imagerie médicale", "Pôle médico-technique", (
        Unit("Imagerie par IRM", ("068",), ("55",), ALL_AGES, equipment=(("054", *mri, EXTENDED),),
             roles=(_physician("SM44"), radiographer), probability=p_mri),
        Unit("Imagerie par scanner (TDM)", ("070",), ("55",), ALL_AGES, equipment=(("085", *ct, H24),),
             roles=(_physician("SM44"), radiographer), opening=OPEN_H24, probability=p_ct),
        Unit("Radiologie conventionnelle et échographie", ("069", "067"), ("55",), ALL_AGES,
             roles=(_physician("SM44"),)),
        Unit("Sénologie – mammographie", ("504",), ("32",), ADULTS, equipment=(("094", 1, 1, WEEKDAYS),),
             roles=(_physician("SM44"),), probability=mammography),
    ))


IMAGING_UNIVERSITY = _imaging((2, 4), (2, 3))
IMAGING_SECONDARY = _imaging((1, 1), (1, 1), p_mri=0.25, p_ct=0.5)
IMAGING_REFERENCE = _imaging((1, 2), (1, 2), p_mri=0.95)
IMAGING_HOSPITAL = _imaging((1, 1), (1, 1), p_mri=0.55, p_ct=0.95)
IMAGING_SMALL = _imaging((1, 1), (1, 1), p_mri=0.0, p_ct=0.25, mammography=0.2)
IMAGING_CLINIC = _imaging((1, 1), (1, 1), p_mri=0.2, p_ct=0.3, mammography=0.3)

RADIOTHERAPY = Service("Radiothérapie", "Pôle cancérologie", (
    Unit("Radiothérapie externe", ("168",), ("20",), ALL_AGES, roles=(Role(PHYSICIAN, "10", "04", "SM45"),)),
    Unit("Curiethérapie", ("167",), ("29",), ADULTS, roles=(Role(PHYSICIAN, "22", "04", "SM45"),), probability=0.6),
))
HOSPITAL_DIALYSIS = Service("Néphrologie – dialyse", "Pôle médecine", (
    Unit("Hémodialyse en centre", ("059", "058"), ("20",), ADULTS, acts=("0657", "0762"),
         roles=(_physician("SM30"), CADRE), opening="Lundi au samedi, 6 h – 22 h"),
    Unit("Dialyse péritonéale", ("583",), ("20",), ADULTS, acts=("0761",), roles=(_physician("SM30", "22"),),
         probability=0.5),
))

_obstetrics_roles = (_physician("SM20"), Role(MIDWIFE, "03", "05"))


def _maternity(level: int, beds: tuple[int, int]) -> Service:
    """A maternity of type 1 (obstetrics), 2 (+ neonatology) or 3 (+ neonatal intensive care)."""
    units = [
        Unit(f"Maternité de type {level} – obstétrique et salles de naissance", ("100",), ("28",), ("05", "06"),
             beds=beds, opening=OPEN_H24, roles=_obstetrics_roles),
        Unit("Suivi prénatal", ("530", "510"), ("32",), ("05", "06"), roles=(Role(MIDWIFE, "22", "05"),)),
        Unit("Orthogénie", ("105",), ("32",), ("04", "05", "06"), acts=("0267", "0268"),
             roles=(_physician("SM20"),), probability=0.8),
    ]
    if level >= 2:
        units.append(Unit("Néonatalogie", ("094",), ("28",), ("01",), beds=(6, 12), opening=OPEN_H24,
                          roles=(_physician("SM40"), CADRE)))
    if level >= 3:
        units.append(Unit("Réanimation néonatale (maternité de type 3)", ("128",), ("28",), ("01",), beds=(8, 18),
                          opening=OPEN_H24, roles=(_physician("SM40"), CADRE)))
    return Service("Maternité", "Pôle femme – enfant", tuple(units))


MATERNITY_TYPE1, MATERNITY_TYPE2, MATERNITY_TYPE3 = _maternity(1, (8, 20)), _maternity(2, (15, 30)), _maternity(
    3, (30, 55))
PEDIATRIC_ICU = Service("Réanimation pédiatrique", "Pôle femme – enfant", (
    Unit("Réanimation pédiatrique", ("130",), ("28",), CHILDREN[1:], beds=(6, 14), opening=OPEN_H24,
         roles=(_physician("SM40"), CADRE)),
))
PEDIATRIC_SPECIALTIES = (
    specialty_service("Cardiologie pédiatrique", "Pôle femme – enfant", "013", "SM04", ages=CHILDREN, hc=False),
    specialty_service("Neurologie pédiatrique", "Pôle femme – enfant", "610", "SM40", ages=CHILDREN, hc=False),
    specialty_service("Pneumologie pédiatrique", "Pôle femme – enfant", "611", "SM40", ages=CHILDREN, hc=False),
    specialty_service("Chirurgie pédiatrique", "Pôle femme – enfant", "605", "SM08", ages=CHILDREN, beds=(10, 20)),
    specialty_service("Oncologie pédiatrique", "Pôle femme – enfant", "279", "SM40", ages=CHILDREN, hc=False,
                      probability=0.7),
)
HYPERBARIC = Service("Médecine hyperbare", "Pôle urgences – réanimation", (
    Unit("Médecine hyperbare – caisson", ("084",), ("55",), ALL_AGES, equipment=(("162", 1, 1, H24),),
         roles=(_physician("SM46"),), opening=OPEN_H24),
))
