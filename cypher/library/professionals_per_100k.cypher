// @title Professionnels par spécialité ordinale pour 100 000 habitants, par département
// @description Par département et spécialité ordinale (J210) : nombre de professionnels distincts qui exercent
//   dans une offre d'un site du département, population du département (somme des communes) et densité pour
//   100 000 habitants.
// @question Combien de professionnels de chaque spécialité pour 100 000 habitants dans chaque département ?
// @param department_code: string = "40" — code du département ; vide = tous
// @param specialties: list<string> = [] — codes de spécialité ordinale (J210), p. ex. ["SM32"] ; vide = toutes
MATCH (d:Department)
WHERE $department_code = "" OR d.code = $department_code
CALL (d) {
  MATCH (c:Commune)-[:IN]->(d)
  RETURN sum(coalesce(c.population, 0)) AS population
}
CALL (d) {
  MATCH (s:Site {department_code: d.code})-[:HAS_ORG*0..3]->()-[:OFFERS]->(:Offer)<-[:WORKS_IN]-(p:Professional)
  MATCH (p)-[:HAS_SPECIALTY]->(sp:Specialty)
  WHERE size($specialties) = 0 OR sp.code IN $specialties
  RETURN sp, count(DISTINCT p) AS professionals
}
RETURN d.code AS departement, d.name AS nom, sp.code AS specialite_code, sp.label AS specialite,
       professionals AS professionnels, population,
       CASE WHEN population > 0 THEN round(professionals * 100000.0 / population, 2) END AS pour_100000_habitants
ORDER BY departement, specialite_code
