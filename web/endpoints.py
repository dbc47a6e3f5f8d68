"""The public GET operations of /api/v1 declared as data: rule, parameters (parsing + docs) and response type."""

from __future__ import annotations

from core.identifiers import FINESS_PATTERN
from search import models
from web.openapi import Operation
from web.params import Param

CODE = r"[0-9A-Za-z._-]{1,20}"
TERRITORY = r"[0-9]{2}|2[AB]|97[1-6]"

WHERE = (
    Param("where", "string", "Où est le patient : commune, code postal, code INSEE ou adresse.",
          max_length=120, example="Belley"),
    Param("lat", "number", "Latitude WGS84 du patient (avec `lon`, remplace `where`).", minimum=-90, maximum=90),
    Param("lon", "number", "Longitude WGS84 du patient (avec `lat`).", minimum=-180, maximum=180),
    Param("radius_km", "number", "Rayon de recherche en km (défaut : rayon SAS du département, élargi de moitié "
          "tant qu'il y a moins de 5 résultats ; un rayon donné n'est pas élargi sauf avec `widen`).",
          minimum=1, maximum=500),
    Param("widen", "boolean", "Élargir aussi le rayon donné (`radius_km`) tant qu'il y a trop peu de résultats.",
          default=False),
    Param("region", "string", "Restreint à une région (code INSEE, ex. 84).", pattern=r"[0-9]{2}", max_length=2),
    Param("department", "string", "Restreint à un département (ex. 01, 2A, 971).", pattern=TERRITORY,
          max_length=3),
)
PAGING = (
    Param("page", "integer", "Numéro de page (à partir de 1).", default=1, minimum=1, maximum=50),
    Param("size", "integer", "Résultats par page.", default=20, minimum=1, maximum=100),
    Param("cursor", "string", "Curseur opaque de la page suivante (fourni par `links.next`).",
          pattern=r"[A-Za-z0-9_=-]+", max_length=400),
)
AGE_GROUP = Param("age_group", "string", "Tranche d'âge acceptée (code NOS J15, ex. 03 Enfant).",
                  pattern=CODE, max_length=20)

SPECIALIST_OPINION = Operation(
    rule="/orientation/specialist-opinion", operation_id="specialistOpinion", tag="orientation",
    summary="Avis spécialisé : offres d'une activité les plus proches, avec le contact à appeler.",
    params=(Param("activity", "string", "Activité : code NOS J17 (ex. 013) ou texte (ex. cardio).",
                  required=True, max_length=120, example="cardiologie"),
            AGE_GROUP,
            Param("public", "string", "Public pris en charge (code NOS J29).", pattern=CODE, max_length=20),
            Param("contact_function", "string", "Fonction de contact préférée (code NOS J220).",
                  pattern=CODE, max_length=20),
            *WHERE, *PAGING),
    response=models.SearchResult, paginated=True,
)
ACT_TEAM = Operation(
    rule="/orientation/act-team", operation_id="actTeam", tag="orientation",
    summary="Équipe réalisant un acte (ex. thrombectomie), y compris hors région si plus proche.",
    params=(Param("act", "string", "Acte : code NOS J16 ou texte.", required=True, max_length=120,
                  example="thrombectomie"),
            AGE_GROUP, *WHERE, *PAGING),
    response=models.SearchResult, paginated=True,
)
EQUIPMENT = Operation(
    rule="/orientation/equipment", operation_id="equipment", tag="orientation",
    summary="Équipement (ex. IRM) avec ses horaires du jour, ouvert maintenant si demandé.",
    params=(Param("equipment", "string", "Équipement : code NOS J18 ou texte (ex. IRM).", required=True,
                  max_length=120, example="IRM"),
            Param("open_now", "boolean", "Seulement les équipements ouverts maintenant (heure de Paris).",
                  default=False),
            *WHERE, *PAGING),
    response=models.SearchResult, paginated=True,
)
BEDS = Operation(
    rule="/orientation/beds", operation_id="beds", tag="orientation",
    summary="Lits disponibles d'une activité, par genre, avec prévisions J/J+1 et fraîcheur.",
    params=(Param("activity", "string", "Activité : code NOS J17 ou texte (ex. gériatrie).", required=True,
                  max_length=120, example="gériatrie"),
            Param("care_mode", "string", "Mode de prise en charge : code NOS J19 ou texte.", max_length=120),
            Param("gender", "string", "Lit pour une femme, un homme ou indifférent.", default="any",
                  enum=tuple(g.value for g in models.Gender)),
            Param("min_available", "integer", "Nombre minimal de lits disponibles.", default=1, minimum=0,
                  maximum=500),
            Param("include_stale", "boolean", "Inclure les capacités périmées (signalées comme telles).",
                  default=True),
            AGE_GROUP, *WHERE, *PAGING),
    response=models.SearchResult, paginated=True,
)
SEARCH = Operation(
    rule="/search", operation_id="search", tag="recherche",
    summary="Recherche plein texte avec facettes (activité, mode, département, région, catégorie).",
    params=(Param("q", "string", "Texte libre (tolère accents et fautes de frappe).", max_length=200,
                  example="imagerie"),
            Param("activity", "string", "Filtre activité (code NOS J17).", pattern=CODE, max_length=20),
            Param("care_mode", "string", "Filtre mode de prise en charge (code NOS J19).", pattern=CODE,
                  max_length=20),
            Param("field", "string", "Filtre champ d'activité (code NOS J20).", pattern=CODE, max_length=20),
            Param("category", "string", "Filtre catégorie FINESS de l'établissement.", pattern=CODE,
                  max_length=20),
            *WHERE, *PAGING),
    response=models.SearchResult, paginated=True,
)
AUTOCOMPLETE = Operation(
    rule="/autocomplete", operation_id="autocomplete", tag="recherche",
    summary="Suggestions pendant la saisie (activités, actes, équipements, communes, établissements).",
    params=(Param("prefix", "string", "Début du texte saisi.", required=True, max_length=100, example="cardio"),
            Param("kinds", "array", "Types de suggestions (tous si absent).",
                  enum=("activity", "act", "equipment", "commune", "site"), max_length=20),
            Param("limit", "integer", "Nombre maximal de suggestions.", default=10, minimum=1, maximum=30)),
    response={"type": "object", "required": ["suggestions"],
              "properties": {"suggestions": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Suggestion"}}}},
    uses=(models.Suggestion,),
)
SITE = Operation(
    rule="/sites/<finess>", operation_id="site", tag="référentiel", errors=(400, 404, 503),
    summary="Un établissement (entité géographique) par son numéro FINESS, avec ses offres.",
    params=(Param("finess", "string", "Numéro FINESS géographique (9 caractères).", location="path",
                  pattern=FINESS_PATTERN, max_length=9, example="010000024"),),
    response=models.SiteDetail,
)
OFFER = Operation(
    rule="/offers/<offer_id>", operation_id="offer", tag="référentiel", errors=(400, 404, 503),
    summary="Une offre opérationnelle par son identifiant, avec ses professionnels et contacts.",
    params=(Param("offer_id", "string", "Identifiant de l'offre.", location="path",
                  pattern=r"[A-Za-z0-9._:-]{1,80}", max_length=80),),
    response=models.OfferDetail,
)
PROFESSIONAL = Operation(
    rule="/professionals/<rpps>", operation_id="professional", tag="référentiel", errors=(400, 404, 503),
    summary="Un professionnel par son identifiant RPPS (synthétique : préfixe SYN), avec ses rôles.",
    params=(Param("rpps", "string", "Identifiant RPPS.", location="path", pattern=r"[A-Za-z0-9]{1,20}",
                  max_length=20),),
    response={"type": "object", "required": ["rpps", "roles"], "properties": {
        "rpps": {"type": "string"}, "first_name": {"type": "string", "nullable": True},
        "last_name": {"type": "string", "nullable": True}, "synthetic": {"type": "boolean"},
        "roles": {"type": "array", "items": {"type": "object", "properties": {
            "offer_id": {"type": "string"}, "offer_name": {"type": "string", "nullable": True},
            "site_finess": {"type": "string", "nullable": True},
            "site_name": {"type": "string", "nullable": True},
            "function_label": {"type": "string", "nullable": True}}}}}},
)

ORIENTATION = {"specialist_opinion": SPECIALIST_OPINION, "act_team": ACT_TEAM, "equipment": EQUIPMENT,
               "beds": BEDS}
ALL = (SPECIALIST_OPINION, ACT_TEAM, EQUIPMENT, BEDS, SEARCH, AUTOCOMPLETE, SITE, OFFER, PROFESSIONAL)
