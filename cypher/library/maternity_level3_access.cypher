// @title Accès à une maternité de niveau 3 par commune
// @description Pour chaque commune du département : le site le plus proche qui a à la fois une offre
//   d'obstétrique et une offre de réanimation néonatale (maternité de type 3), sa distance à vol d'oiseau et
//   si elle est atteignable dans le rayon donné. Les maternités sont cherchées à moins de search_km autour du
//   département (au-delà : aucune).
// @question Quelles communes ont une maternité de niveau 3 à moins de N km, et lesquelles non ?
// @param department_code: string = "40" — code INSEE du département
// @param radius_km: float = 45.0 — distance maximale en km
// @param obstetrics_activities: list<string> = ["100"] — activités (J17) d'obstétrique
// @param neonatal_icu_activities: list<string> = ["128"] — activités (J17) de réanimation néonatale
// @param search_km: float = 150.0 — distance de recherche autour du département, en km
MATCH (:Department {code: $department_code})<-[:IN]-(c:Commune)
WHERE c.location IS NOT NULL
WITH collect(c) AS communes, min(c.location.latitude) AS south, max(c.location.latitude) AS north,
     min(c.location.longitude) AS west, max(c.location.longitude) AS east
WITH communes, south, north, west, east, $search_km / 111.0 AS dlat,
     $search_km / (111.0 * cos(radians(CASE WHEN abs(north) > abs(south) THEN abs(north) ELSE abs(south) END)))
       AS dlon
WITH communes,
     point({latitude: south - dlat, longitude: west - dlon}) AS sw,
     point({latitude: north + dlat, longitude: east + dlon}) AS ne
WITH communes, COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE a.code IN $obstetrics_activities AND point.withinBBox(s.location, sw, ne)
         AND EXISTS {
           MATCH (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer)-[:PROVIDES]->(n:Activity)
           WHERE n.code IN $neonatal_icu_activities
         }
       RETURN DISTINCT {site: s, loc: s.location}
     } AS maternities
UNWIND communes AS c
OPTIONAL CALL (c, maternities) {
  UNWIND maternities AS m
  WITH m, point.distance(c.location, m.loc) AS d
  WHERE d IS NOT NULL
  ORDER BY d LIMIT 1
  RETURN m.site AS site, d
}
RETURN c.insee AS commune_insee, c.name AS commune, c.population AS population,
       site.finess AS finess, site.name AS maternite, round(d / 1000.0, 1) AS distance_km,
       coalesce(d <= $radius_km * 1000, false) AS accessible
ORDER BY commune, commune_insee
