// @title Lits installés et disponibles par département pour une activité
// @description Par département : lieux ayant un relevé de capacité pour les offres des activités données, lits
//   installés et disponibles au dernier relevé, et nombre de relevés plus anciens que N heures (à lire avec
//   prudence).
// @question Combien de lits sont disponibles, par département, pour une activité, et les relevés sont-ils frais ?
// @param activities: list<string> = ["234"] — activités (J17) des offres comptées
// @param stale_hours: float = 12.0 — âge (heures) au-delà duquel un relevé est périmé
MATCH (a:Activity)<-[:PROVIDES]-(o:Offer)-[:AT]->(pl:Place)-[:HAS_CAPACITY]->(cap:CapacitySnapshot)
WHERE a.code IN $activities AND cap.latest = true
MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
WITH DISTINCT s.department_code AS code, pl, cap
WITH code, count(pl) AS places, sum(coalesce(cap.installed, 0)) AS installed,
     sum(coalesce(cap.available_total, 0)) AS available,
     sum(CASE WHEN duration.inSeconds(cap.updated_at, datetime()).seconds > $stale_hours * 3600 THEN 1 ELSE 0 END)
       AS stale
OPTIONAL MATCH (d:Department {code: code})
RETURN code AS departement, d.name AS nom, places AS lieux, installed AS lits_installes,
       available AS lits_disponibles, stale AS releves_perimes
ORDER BY departement
