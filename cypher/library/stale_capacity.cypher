// @title Sites dont les capacités en lits ne sont plus à jour
// @description Par site : lieux de prise en charge dont le dernier relevé de capacité (latest) date de plus de
//   N heures, nombre de lieux suivis, âge du relevé le plus ancien (heures) et sa date.
// @question Quels sites n'ont pas mis à jour leurs lits disponibles depuis plus de N heures ?
// @param stale_hours: float = 12.0 — âge (heures) au-delà duquel un relevé est périmé
// @param department_code: string = "40" — code du département ; vide = tous
MATCH (cap:CapacitySnapshot {latest: true})<-[:HAS_CAPACITY]-(pl:Place)<-[:AT]-(:Offer)
      <-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
WHERE $department_code = "" OR s.department_code = $department_code
WITH DISTINCT s, pl, cap, duration.inSeconds(cap.updated_at, datetime()).seconds / 3600.0 AS age_hours
WITH s, count(pl) AS places, sum(CASE WHEN age_hours > $stale_hours THEN 1 ELSE 0 END) AS stale,
     max(age_hours) AS oldest_hours, min(cap.updated_at) AS oldest
WHERE stale > 0
RETURN s.finess AS finess, s.name AS site, s.department_code AS departement, places AS lieux_suivis,
       stale AS lieux_perimes, round(oldest_hours, 1) AS plus_ancien_releve_h, oldest AS plus_ancien_releve
ORDER BY plus_ancien_releve_h DESC, finess
