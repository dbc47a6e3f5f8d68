// @title Filière AVC par commune : urgences → UNV avec thrombectomie → SMR neurologique avec lits
// @description Pour chaque commune du département : le site d'urgences le plus proche de la commune, puis le
//   site le plus proche de ces urgences qui a une unité neurovasculaire et pratique la thrombectomie (sur une de
//   ses offres), puis l'offre de SMR neurologique la plus proche de la commune ayant des lits disponibles au
//   dernier relevé de capacité. Distances à vol d'oiseau en km (centroïde de la commune, position des sites).
// @question Pour chaque commune d'un département, quel est le parcours AVC ordonné dans le temps ?
// @param department_code: string = "40" — code INSEE du département
// @param emergency_activities: list<string> = ["157"] — activités opérationnelles (J17) des urgences
// @param unv_activities: list<string> = ["098", "356"] — activités d'unité neurovasculaire (J17)
// @param thrombectomy_acts: list<string> = ["1274", "0459"] — actes spécifiques (J16) de thrombectomie
// @param smr_activities: list<string> = ["234"] — activités de SMR neurologique (J17)
// @param min_available_beds: int = 1 — lits disponibles minimum au dernier relevé
WITH COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE a.code IN $emergency_activities AND s.location IS NOT NULL
       RETURN DISTINCT s
     } AS emergencies,
     COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE a.code IN $unv_activities AND s.location IS NOT NULL
         AND EXISTS {
           MATCH (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer)-[:PERFORMS]->(t:Act)
           WHERE t.code IN $thrombectomy_acts
         }
       RETURN DISTINCT s
     } AS units,
     COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(o:Offer)-[:AT]->(:Place)-[:HAS_CAPACITY]->(cap:CapacitySnapshot)
       WHERE a.code IN $smr_activities AND cap.latest = true AND cap.available_total >= $min_available_beds
       MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE s.location IS NOT NULL
       RETURN DISTINCT {offer: o, site: s, beds: cap.available_total}
     } AS rehab
MATCH (c:Commune)-[:IN]->(:Department {code: $department_code})
WHERE c.location IS NOT NULL
WITH c, units, rehab,
     reduce(best = null, s IN emergencies |
       CASE WHEN best IS NULL OR point.distance(c.location, s.location) < best.d
            THEN {site: s, d: point.distance(c.location, s.location)} ELSE best END) AS er
WITH c, rehab, er,
     reduce(best = null, s IN CASE WHEN er IS NULL THEN [] ELSE units END |
       CASE WHEN best IS NULL OR point.distance(er.site.location, s.location) < best.d
            THEN {site: s, d: point.distance(er.site.location, s.location)} ELSE best END) AS unv
WITH c, er, unv,
     reduce(best = null, r IN rehab |
       CASE WHEN best IS NULL OR point.distance(c.location, r.site.location) < best.d
            THEN {offer: r.offer, site: r.site, beds: r.beds, d: point.distance(c.location, r.site.location)}
            ELSE best END) AS smr
RETURN c.insee AS commune_insee, c.name AS commune, c.population AS population,
       er.site.finess AS urgences_finess, er.site.name AS urgences, round(er.d / 1000.0, 1) AS urgences_km,
       unv.site.finess AS unv_finess, unv.site.name AS unv, round(unv.d / 1000.0, 1) AS unv_depuis_urgences_km,
       smr.site.finess AS smr_finess, smr.offer.name AS smr, smr.beds AS smr_lits_disponibles,
       round(smr.d / 1000.0, 1) AS smr_km
ORDER BY commune, commune_insee
