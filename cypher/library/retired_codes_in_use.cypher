// @title Offres utilisant des codes NOS retirés
// @description Offres encore liées à un concept de nomenclature (mode de prise en charge, activité, acte, âge,
//   public, champ) dont la date de fin de validité est passée à la date de référence.
// @question Après une mise à jour des nomenclatures, quelles offres utilisent encore des codes retirés ?
// @param kinds: list<string> = [] — types de concept (CareMode, Activity, Act, AgeGroup, Public, Field) ; vide = tous
// @param as_of: string = "" — date de référence AAAA-MM-JJ ; vide = aujourd'hui
MATCH (c:Concept)
WHERE c.retired_on IS NOT NULL
  AND c.retired_on <= CASE WHEN $as_of = "" THEN date() ELSE date($as_of) END
WITH c, [l IN labels(c) WHERE l <> 'Concept'][0] AS kind
WHERE size($kinds) = 0 OR kind IN $kinds
MATCH (o:Offer)-[:PROVIDES|MODE|PERFORMS|FOR_AGE|FOR_PUBLIC|IN_FIELD]->(c)
OPTIONAL MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
RETURN o.id AS offre_id, o.name AS offre, s.finess AS finess, s.name AS site, kind AS type_concept,
       c.value_set AS jeu_de_valeurs, c.code AS code, c.label AS libelle, c.retired_on AS retire_le
ORDER BY finess, offre_id, code
