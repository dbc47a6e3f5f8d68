// @title Filière AVC par commune : urgences → UNV avec thrombectomie → SMR neurologique avec lits
// @description Pour chaque commune du département : le site d'urgences le plus proche de la commune, puis le
//   site le plus proche de ces urgences qui a une unité neurovasculaire et pratique la thrombectomie (sur une de
//   ses offres), puis l'offre de SMR neurologique la plus proche de la commune ayant des lits disponibles au
//   dernier relevé de capacité. Distances à vol d'oiseau en km (centroïde de la commune, position des sites).
//   Les sites sont cherchés à moins de search_km autour du département (2 × search_km pour l'UNV).
// @question Pour chaque commune d'un département, quel est le parcours AVC ordonné dans le temps ?
// @param department_code: string = "40" — code INSEE du département
// @param emergency_activities: list<string> = ["157"] — activités opérationnelles (J17) des urgences
// @param unv_activities: list<string> = ["098", "356"] — activités d'unité neurovasculaire (J17)
// @param thrombectomy_acts: list<string> = ["1274", "0459"] — actes spécifiques (J16) de thrombectomie
// @param smr_activities: list<string> = ["234"] — activités de SMR neurologique (J17)
// @param min_available_beds: int = 1 — lits disponibles minimum au dernier relevé
// @param search_km: float = 150.0 — distance de recherche autour du département, en km
MATCH (:Department {code: $department_code})<-[:IN]-(c:Commune)
WHERE c.location IS NOT NULL
WITH collect(c) AS communes, min(c.location.latitude) AS south, max(c.location.latitude) AS north,
     min(c.location.longitude) AS west, max(c.location.longitude) AS east
WITH communes, south, north, west, east, $search_km / 111.0 AS dlat,
     $search_km / (111.0 * cos(radians(CASE WHEN abs(north) > abs(south) THEN abs(north) ELSE abs(south) END)))
       AS dlon
WITH communes,
     point({latitude: south - dlat, longitude: west - dlon}) AS near_sw,
     point({latitude: north + dlat, longitude: east + dlon}) AS near_ne,
     point({latitude: south - 2 * dlat, longitude: west - 2 * dlon}) AS far_sw,
     point({latitude: north + 2 * dlat, longitude: east + 2 * dlon}) AS far_ne
WITH communes,
     COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE a.code IN $emergency_activities AND point.withinBBox(s.location, near_sw, near_ne)
       RETURN DISTINCT {site: s, loc: s.location}
     } AS emergencies,
     COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE a.code IN $unv_activities AND point.withinBBox(s.location, far_sw, far_ne)
         AND EXISTS {
           MATCH (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer)-[:PERFORMS]->(t:Act)
           WHERE t.code IN $thrombectomy_acts
         }
       RETURN DISTINCT {site: s, loc: s.location}
     } AS units,
     COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(o:Offer)-[:AT]->(:Place)-[:HAS_CAPACITY]->(cap:CapacitySnapshot)
       WHERE a.code IN $smr_activities AND cap.latest = true AND cap.available_total >= $min_available_beds
       MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE point.withinBBox(s.location, near_sw, near_ne)
       RETURN DISTINCT {offer: o, site: s, loc: s.location, beds: cap.available_total}
     } AS rehab
UNWIND communes AS c
OPTIONAL CALL (c, emergencies) {
  UNWIND emergencies AS e
  WITH e, point.distance(c.location, e.loc) AS d
  WHERE d IS NOT NULL
  ORDER BY d LIMIT 1
  RETURN e.site AS er, e.loc AS er_loc, d AS er_d
}
OPTIONAL CALL (er_loc, units) {
  UNWIND units AS u
  WITH u, point.distance(er_loc, u.loc) AS d
  WHERE d IS NOT NULL
  ORDER BY d LIMIT 1
  RETURN u.site AS unv, d AS unv_d
}
OPTIONAL CALL (c, rehab) {
  UNWIND rehab AS r
  WITH r, point.distance(c.location, r.loc) AS d
  WHERE d IS NOT NULL
  ORDER BY d LIMIT 1
  RETURN r AS smr, d AS smr_d
}
RETURN c.insee AS commune_insee, c.name AS commune, c.population AS population,
       er.finess AS urgences_finess, er.name AS urgences, round(er_d / 1000.0, 1) AS urgences_km,
       unv.finess AS unv_finess, unv.name AS unv, round(unv_d / 1000.0, 1) AS unv_depuis_urgences_km,
       smr.site.finess AS smr_finess, smr.offer.name AS smr, smr.beds AS smr_lits_disponibles,
       round(smr_d / 1000.0, 1) AS smr_km
ORDER BY commune, commune_insee
