// @title Établissements sans boîte aux lettres générique
// @description Par site : nombre d'offres (éventuellement limitées à certaines activités) sans adresse
//   électronique générique (absente ou vide), et nombre d'offres dont l'adresse publiée est celle, personnelle,
//   d'un professionnel qui y travaille (elle ne survivra pas à son départ), avec les noms des offres concernées.
// @question Quels établissements n'ont pas de boîte aux lettres générique pour leurs offres ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param activities: list<string> = [] — activités (J17) des offres examinées, p. ex. ["063"] ; vide = toutes
MATCH (s:Site)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer)
WHERE ($department_code = "" OR s.department_code = $department_code)
  AND (size($activities) = 0 OR EXISTS { (o)-[:PROVIDES]->(a:Activity) WHERE a.code IN $activities })
WITH DISTINCT s, o, toLower(trim(coalesce(o.email, ""))) AS email
WITH s, o, email,
     email <> "" AND EXISTS {
       MATCH (:Professional)-[w:WORKS_IN]->(o) WHERE toLower(trim(w.email)) = email
     } AS personal
WITH s, count(o) AS offers,
     sum(CASE WHEN email = "" THEN 1 ELSE 0 END) AS missing,
     sum(CASE WHEN personal THEN 1 ELSE 0 END) AS personal_count,
     collect(CASE WHEN email = "" OR personal THEN o.name END) AS concerned
WHERE missing + personal_count > 0
RETURN s.finess AS finess, s.name AS site, s.department_code AS departement, offers AS offres,
       missing AS sans_adresse, personal_count AS adresse_personnelle, concerned AS offres_concernees
ORDER BY departement, site, finess
