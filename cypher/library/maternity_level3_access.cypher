// @title Accès à une maternité de niveau 3 par commune
// @description Pour chaque commune du département : le site le plus proche qui a à la fois une offre
//   d'obstétrique et une offre de réanimation néonatale (maternité de type 3), sa distance à vol d'oiseau et
//   si elle est atteignable dans le rayon donné.
// @question Quelles communes ont une maternité de niveau 3 à moins de N km, et lesquelles non ?
// @param department_code: string = "40" — code INSEE du département
// @param radius_km: float = 45.0 — distance maximale en km
// @param obstetrics_activities: list<string> = ["100"] — activités (J17) d'obstétrique
// @param neonatal_icu_activities: list<string> = ["128"] — activités (J17) de réanimation néonatale
WITH COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE a.code IN $obstetrics_activities AND s.location IS NOT NULL
         AND EXISTS {
           MATCH (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer)-[:PROVIDES]->(n:Activity)
           WHERE n.code IN $neonatal_icu_activities
         }
       RETURN DISTINCT s
     } AS maternities
MATCH (c:Commune)-[:IN]->(:Department {code: $department_code})
WHERE c.location IS NOT NULL
WITH c, reduce(best = null, s IN maternities |
          CASE WHEN best IS NULL OR point.distance(c.location, s.location) < best.d
               THEN {site: s, d: point.distance(c.location, s.location)} ELSE best END) AS nearest
RETURN c.insee AS commune_insee, c.name AS commune, c.population AS population,
       nearest.site.finess AS finess, nearest.site.name AS maternite, round(nearest.d / 1000.0, 1) AS distance_km,
       coalesce(nearest.d <= $radius_km * 1000, false) AS accessible
ORDER BY commune, commune_insee
