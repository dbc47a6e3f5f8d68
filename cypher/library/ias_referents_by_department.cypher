// @title Référents en prévention des infections associées aux soins (IAS) par département
// @description Par département : sites décrits (au moins une offre), sites ayant une équipe d'hygiène (activité
//   063), professionnels référents IAS (fonctions de contact 23 à 26 sur une offre du site), détail par fonction,
//   et nombre de sites décrits sans aucun référent IAS.
// @question Combien de sites ont des référents IAS dans chaque département, et combien n'en ont aucun ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param ias_activities: list<string> = ["063"] — activités (J17) des équipes d'hygiène
// @param referent_functions: list<string> = ["23", "24", "25", "26"] — fonctions de contact (J220) des référents IAS
CALL () {
  MATCH (s:Site)
  WHERE ($department_code = "" OR s.department_code = $department_code)
    AND EXISTS { (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer) }
  WITH s.department_code AS code, count(s) AS sites
  RETURN collect({code: code, sites: sites}) AS described
}
CALL () {
  MATCH (a:Activity)<-[:PROVIDES]-(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
  WHERE a.code IN $ias_activities AND ($department_code = "" OR s.department_code = $department_code)
  WITH s.department_code AS code, count(DISTINCT s) AS sites
  RETURN collect({code: code, sites: sites}) AS teams
}
CALL () {
  MATCH (p)-[w:WORKS_IN]->(o)  // no labels: lets the planner seek the WORKS_IN(function) index
  WHERE w.function IN $referent_functions
  CALL (o) {
    MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
    RETURN s
  }
  WITH p, w, s
  WHERE $department_code = "" OR s.department_code = $department_code
  WITH s.department_code AS code, count(DISTINCT s) AS sites, count(DISTINCT p) AS people,
       collect(DISTINCT {rpps: p.rpps, function: w.function}) AS pairs
  RETURN collect({code: code, sites: sites, people: people,
                  by_function: [f IN $referent_functions | {fonction: f,
                                                            referents: size([x IN pairs WHERE x.function = f])}]})
         AS referents
}
UNWIND described AS row
WITH row.code AS code, row.sites AS sites, head([t IN teams WHERE t.code = row.code]) AS team,
     head([r IN referents WHERE r.code = row.code]) AS referent
OPTIONAL MATCH (d:Department {code: code})
RETURN code AS departement, d.name AS nom, sites AS sites_decrits,
       coalesce(team.sites, 0) AS sites_avec_equipe_hygiene, coalesce(referent.people, 0) AS referents_ias,
       coalesce(referent.by_function, [f IN $referent_functions | {fonction: f, referents: 0}])
         AS referents_par_fonction,
       sites - coalesce(referent.sites, 0) AS sites_sans_referent
ORDER BY departement
