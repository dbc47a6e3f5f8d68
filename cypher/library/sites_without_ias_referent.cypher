// @title Sites sans référent en prévention des infections associées aux soins (IAS)
// @description Sites décrits dans le répertoire (au moins une offre) dont aucune offre ne porte un professionnel
//   avec une fonction de contact de référent IAS (23 hygiéniste, 24 signalement, 25 antibiothérapie,
//   26 gestion des risques), avec le nombre d'offres décrites et la présence d'une équipe d'hygiène (063).
// @question Quels établissements n'ont publié aucun référent IAS ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param site_categories: list<string> = [] — catégories FINESS (J55) retenues ; vide = toutes
// @param ias_activities: list<string> = ["063"] — activités (J17) des équipes d'hygiène
// @param referent_functions: list<string> = ["23", "24", "25", "26"] — fonctions de contact (J220) des référents IAS
MATCH (s:Site)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer)
WHERE ($department_code = "" OR s.department_code = $department_code)
  AND (size($site_categories) = 0 OR s.category_code IN $site_categories)
WITH s, collect(DISTINCT o) AS offers
WHERE NONE(o IN offers WHERE EXISTS {
        MATCH (:Professional)-[w:WORKS_IN]->(o) WHERE w.function IN $referent_functions
      })
RETURN s.finess AS finess, s.name AS site, s.category_code AS categorie, s.city AS commune,
       s.department_code AS departement, size(offers) AS offres_decrites,
       any(o IN offers WHERE EXISTS { (o)-[:PROVIDES]->(a:Activity) WHERE a.code IN $ias_activities })
         AS equipe_hygiene
ORDER BY departement, site, finess
