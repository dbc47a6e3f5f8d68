// @title Couverture en urgences pédiatriques par département
// @description Par département : communes et population situées à moins de N km (à vol d'oiseau, centroïde de
//   la commune) d'un site ayant une offre d'urgences pédiatriques, et part de la population couverte.
// @question Quelle part de la population de chaque département a des urgences pédiatriques à moins de N km ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param radius_km: float = 30.0 — distance maximale en km
// @param activities: list<string> = ["249"] — activités (J17) d'urgences pédiatriques
// Every commune once with hit 0, plus once per unit within the radius with hit 1 (point-index seek from each
// unit near the communes' bounding box): grouping by commune tells covered from uncovered without comparing
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
  WITH DISTINCT s.location AS unit
  MATCH (c:Commune)
  WHERE point.distance(c.location, unit) <= $radius_km * 1000
    AND ($department_code = "" OR c.department_code = $department_code)
  RETURN c, 1 AS hit
}
WITH c, max(hit) = 1 AS covered
MATCH (c)-[:IN]->(d:Department)
WITH d, count(c) AS communes, sum(coalesce(c.population, 0)) AS population,
     sum(CASE WHEN covered THEN coalesce(c.population, 0) ELSE 0 END) AS covered_population,
     sum(CASE WHEN covered THEN 0 ELSE 1 END) AS uncovered
RETURN d.code AS departement, d.name AS nom, communes, uncovered AS communes_non_couvertes,
       population, covered_population AS population_couverte,
       CASE WHEN population > 0 THEN round(100.0 * covered_population / population, 1) END AS part_couverte_pct
ORDER BY departement
