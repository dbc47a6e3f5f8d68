// @title Unités de soins palliatifs (USP) sans équipe mobile (EMSP) à proximité
// @description Sites ayant une USP (activité « Soins palliatifs » en hospitalisation complète) sans aucune équipe
//   mobile de soins palliatifs (même activité avec un mode « équipe mobile ») à moins de N km, avec la distance
//   de l'EMSP la plus proche (vide s'il n'y en a aucune).
// @question Quelles USP n'ont pas d'équipe mobile de soins palliatifs à moins de N km ?
// @param radius_km: float = 30.0 — rayon de recherche de l'EMSP, en km
// @param palliative_activities: list<string> = ["170"] — activités (J17) de soins palliatifs
// @param usp_modes: list<string> = ["28"] — modes de prise en charge (J19) d'une USP
// @param emsp_modes: list<string> = ["52", "11", "53"] — modes (J19) d'équipe mobile intra, extra, intra et extra
WITH COLLECT {
       MATCH (a:Activity)<-[:PROVIDES]-(o:Offer)-[:MODE]->(m:CareMode)
       WHERE a.code IN $palliative_activities AND m.code IN $emsp_modes
       MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
       WHERE s.location IS NOT NULL
       RETURN DISTINCT s.location
     } AS teams
MATCH (a:Activity)<-[:PROVIDES]-(o:Offer)-[:MODE]->(m:CareMode)
WHERE a.code IN $palliative_activities AND m.code IN $usp_modes
MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
WHERE s.location IS NOT NULL
WITH DISTINCT s, teams
WHERE NOT any(t IN teams WHERE point.distance(s.location, t) <= $radius_km * 1000)
WITH s, reduce(best = null, t IN teams |
          CASE WHEN best IS NULL OR point.distance(s.location, t) < best
               THEN point.distance(s.location, t) ELSE best END) AS nearest
RETURN s.finess AS finess, s.name AS site, s.city AS commune, s.department_code AS departement,
       round(nearest / 1000.0, 1) AS emsp_la_plus_proche_km
ORDER BY departement, site, finess
