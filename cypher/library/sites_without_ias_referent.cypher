// @title Sites sans référent en prévention des infections associées aux soins (IAS)
// @description Sites décrits dans le répertoire (au moins une offre) dont aucune offre ne porte un professionnel
//   avec une fonction de contact de référent IAS (23 hygiéniste, 24 signalement, 25 antibiothérapie,
//   26 gestion des risques), avec le nombre d'offres décrites et la présence d'une équipe d'hygiène (063).
// @question Quels établissements n'ont publié aucun référent IAS ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param site_categories: list<string> = [] — catégories FINESS (J55) retenues ; vide = toutes
// @param ias_activities: list<string> = ["063"] — activités (J17) des équipes d'hygiène
// @param referent_functions: list<string> = ["23", "24", "25", "26"] — fonctions de contact (J220) des référents IAS
// Every described site once with hit 0, plus each site reached from a referent (WORKS_IN index seek) with hit 1:
// grouping by site keeps those without any referent, without walking every offer's contacts.
CALL () {
  MATCH (s:Site)
  WHERE ($department_code = "" OR s.department_code = $department_code)
    AND (size($site_categories) = 0 OR s.category_code IN $site_categories)
    AND EXISTS { (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer) }
  RETURN s, 0 AS hit
  UNION ALL
  MATCH (p)-[w:WORKS_IN]->(o)  // no labels: lets the planner seek the WORKS_IN(function) index
  WHERE w.function IN $referent_functions
  CALL (o) {
    MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..3]-(s:Site)
    RETURN s
  }
  RETURN s, 1 AS hit
}
WITH s, max(hit) AS has_referent
WHERE has_referent = 0
RETURN s.finess AS finess, s.name AS site, s.category_code AS categorie, s.city AS commune,
       s.department_code AS departement,
       size(COLLECT { MATCH (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer) RETURN DISTINCT o }) AS offres_decrites,
       EXISTS {
         MATCH (s)-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer)-[:PROVIDES]->(a:Activity)
         WHERE a.code IN $ias_activities
       } AS equipe_hygiene
ORDER BY departement, site, finess
