// @title Référents en prévention des infections associées aux soins (IAS) par département
// @description Par département : sites décrits (au moins une offre), sites ayant une équipe d'hygiène (activité
//   063), professionnels référents IAS (fonctions de contact 23 à 26 sur une offre du site), détail par fonction,
//   et nombre de sites décrits sans aucun référent IAS.
// @question Combien de sites ont des référents IAS dans chaque département, et combien n'en ont aucun ?
// @param department_code: string = "" — code du département ; vide = tous
// @param ias_activities: list<string> = ["063"] — activités (J17) des équipes d'hygiène
// @param referent_functions: list<string> = ["23", "24", "25", "26"] — fonctions de contact (J220) des référents IAS
MATCH (s:Site)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer)
WHERE $department_code = "" OR s.department_code = $department_code
WITH s, collect(DISTINCT o) AS offers
WITH s,
     any(o IN offers WHERE EXISTS { (o)-[:PROVIDES]->(a:Activity) WHERE a.code IN $ias_activities }) AS has_team,
     COLLECT {
       UNWIND offers AS o
       MATCH (p:Professional)-[w:WORKS_IN]->(o)
       WHERE w.function IN $referent_functions
       RETURN DISTINCT {rpps: p.rpps, function: w.function}
     } AS referents
WITH s.department_code AS code, count(s) AS sites,
     sum(CASE WHEN has_team THEN 1 ELSE 0 END) AS with_team,
     sum(CASE WHEN size(referents) = 0 THEN 1 ELSE 0 END) AS without_referent,
     reduce(acc = [], r IN collect(referents) | acc + r) AS all_referents
OPTIONAL MATCH (d:Department {code: code})
RETURN code AS departement, d.name AS nom, sites AS sites_decrits, with_team AS sites_avec_equipe_hygiene,
       size(COLLECT { UNWIND all_referents AS r RETURN DISTINCT r.rpps }) AS referents_ias,
       [f IN $referent_functions | {fonction: f, referents: size([r IN all_referents WHERE r.function = f])}]
         AS referents_par_fonction,
       without_referent AS sites_sans_referent
ORDER BY departement
