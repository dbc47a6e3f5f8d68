// @title Parcours type instancié près d'une commune
// @description Parcourt le modèle de parcours (:Activity)-[:NEXT_STEP*]->(:Activity) dont le nom commence par le
//   texte donné (le premier par ordre alphabétique s'il y en a plusieurs), de sa première à sa dernière étape,
//   et propose pour chaque étape l'offre réelle la plus proche de la commune qui fournit l'activité de l'étape,
//   dans le rayon donné (vide si aucune).
// @question Pour un parcours type (p. ex. AVC), quelles offres réelles près d'une commune couvrent chaque étape ?
// @param pathway: string = "AVC" — début du nom du parcours (propriété pathway de NEXT_STEP)
// @param commune_insee: string = "40088" — code INSEE de la commune
// @param radius_km: float = 100.0 — rayon de recherche des offres, en km
MATCH (c:Commune {insee: $commune_insee})
MATCH (:Activity)-[step:NEXT_STEP]->(:Activity)
WHERE step.pathway STARTS WITH $pathway
WITH c, step.pathway AS name ORDER BY name LIMIT 1
MATCH p = (first:Activity)-[:NEXT_STEP*1..12]->(last:Activity)
WHERE all(r IN relationships(p) WHERE r.pathway = name)
  AND NOT EXISTS { MATCH (:Activity)-[r:NEXT_STEP]->(first) WHERE r.pathway = name }
  AND NOT EXISTS { MATCH (last)-[r:NEXT_STEP]->(:Activity) WHERE r.pathway = name }
WITH c, name, p ORDER BY length(p) DESC LIMIT 1
UNWIND range(0, length(p)) AS i
WITH c, name, i + 1 AS step, nodes(p)[i] AS activity
CALL (c, activity) {
  OPTIONAL MATCH (activity)<-[:PROVIDES]-(o:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
  WHERE point.distance(s.location, c.location) <= $radius_km * 1000
  WITH o, s, point.distance(s.location, c.location) AS d
  ORDER BY d, o.id
  LIMIT 1
  RETURN o, s, d
}
RETURN name AS parcours, step AS etape, activity.code AS activite_code, activity.label AS activite,
       o.id AS offre_id, o.name AS offre, s.finess AS finess, s.name AS site, round(d / 1000.0, 1) AS distance_km
ORDER BY etape
