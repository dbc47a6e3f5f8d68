// @title Communes éloignées de toute maternité
// @description Communes dont le site le plus proche ayant une offre d'obstétrique est à plus de N km à vol
//   d'oiseau, avec leur population, la maternité la plus proche et sa distance.
// @question Où vivent les personnes à plus de N km d'une maternité, et combien sont-elles ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param radius_km: float = 45.0 — distance au-delà de laquelle la commune est signalée, en km
// @param activities: list<string> = ["100"] — activités (J17) d'obstétrique
WITH COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE a.code IN $activities AND s.location IS NOT NULL
       RETURN DISTINCT s
     } AS maternities
MATCH (c:Commune)
WHERE ($department_code = "" OR c.department_code = $department_code) AND c.location IS NOT NULL
WITH c, reduce(best = null, s IN maternities |
          CASE WHEN best IS NULL OR point.distance(c.location, s.location) < best.d
               THEN {site: s, d: point.distance(c.location, s.location)} ELSE best END) AS nearest
WHERE nearest IS NULL OR nearest.d > $radius_km * 1000
RETURN c.insee AS commune_insee, c.name AS commune, c.department_code AS departement, c.population AS population,
       nearest.site.finess AS finess, nearest.site.name AS maternite_la_plus_proche,
       round(nearest.d / 1000.0, 1) AS distance_km
ORDER BY distance_km DESC, commune_insee
