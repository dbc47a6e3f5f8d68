// @title Communes éloignées de toute maternité
// @description Communes dont le site le plus proche ayant une offre d'obstétrique est à plus de N km à vol
//   d'oiseau, avec leur population, la maternité la plus proche et sa distance (vide s'il n'y en a aucune).
// @question Où vivent les personnes à plus de N km d'une maternité, et combien sont-elles ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param radius_km: float = 45.0 — distance au-delà de laquelle la commune est signalée, en km
// @param activities: list<string> = ["100"] — activités (J17) d'obstétrique
// Every commune once with hit 0, plus once per maternity within the radius with hit 1 (point-index seek from
// each maternity near the communes' bounding box): grouping by commune leaves the far ones without comparing
// every pair.
MATCH (c:Commune)
WHERE ($department_code = "" OR c.department_code = $department_code) AND c.location IS NOT NULL
WITH collect(c) AS communes, min(c.location.latitude) AS south, max(c.location.latitude) AS north,
     min(c.location.longitude) AS west, max(c.location.longitude) AS east
WITH communes, south, north, west, east, $radius_km / 111.0 AS dlat,
     $radius_km / (111.0 * cos(radians(CASE WHEN abs(north) > abs(south) THEN abs(north) ELSE abs(south) END)))
       AS dlon
WITH communes,
     point({latitude: south - dlat, longitude: west - dlon}) AS sw,
     point({latitude: north + dlat, longitude: east + dlon}) AS ne
CALL (communes, sw, ne) {
  UNWIND communes AS c
  RETURN c, 0 AS hit
  UNION ALL
  MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
  WHERE a.code IN $activities AND point.withinBBox(s.location, sw, ne)
  WITH DISTINCT s.location AS maternity
  MATCH (c:Commune)
  WHERE point.distance(c.location, maternity) <= $radius_km * 1000
    AND ($department_code = "" OR c.department_code = $department_code)
  RETURN c, 1 AS hit
}
WITH c, max(hit) AS covered
WHERE covered = 0
WITH collect(c) AS far
WITH far, COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE size(far) > 0 AND a.code IN $activities AND s.location IS NOT NULL
       RETURN DISTINCT {site: s, loc: s.location}
     } AS maternities
UNWIND far AS c
OPTIONAL CALL (c, maternities) {
  UNWIND maternities AS m
  WITH m, point.distance(c.location, m.loc) AS d
  WHERE d IS NOT NULL
  ORDER BY d LIMIT 1
  RETURN m.site AS site, d
}
RETURN c.insee AS commune_insee, c.name AS commune, c.department_code AS departement, c.population AS population,
       site.finess AS finess, site.name AS maternite_la_plus_proche, round(d / 1000.0, 1) AS distance_km
ORDER BY distance_km DESC, commune_insee
