// FHIR PractitionerRole rows, one per (Professional)-[:WORKS_IN]->(Offer) relationship: the roles given by
// $pairs (list of {rpps, offer}) and every role in the offers $services (list of Offer.id; _revinclude).
CALL () {
  UNWIND $pairs AS pair
  MATCH (pr:Professional {rpps: pair.rpps})-[w:WORKS_IN]->(o:Offer {id: pair.offer})
  RETURN pr, w, o
  UNION
  UNWIND $services AS service
  MATCH (pr:Professional)-[w:WORKS_IN]->(o:Offer {id: service})
  RETURN pr, w, o
}
WITH pr, w, o WHERE o.status = 'published'  // roles of unpublished offers are not public
OPTIONAL CALL (o) {
  MATCH (o)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(s:Site)
  RETURN s LIMIT 1
}
OPTIONAL CALL (s) {
  MATCH (s)-[:IN]->(:Commune)-[:IN]->(:Department)-[:IN]->(r:Region)
  RETURN r LIMIT 1
  UNION
  MATCH (s)-[:IN_DEPARTMENT]->(:Department)-[:IN]->(r:Region)
  RETURN r LIMIT 1
}
OPTIONAL MATCH (f:Concept:ContactFunction {key: 'J220|' + w.function})
OPTIONAL MATCH (n:Concept:ContactNature {key: 'J221|' + w.nature})
RETURN pr {.rpps, .first_name, .last_name, .profession_code, .specialty_code, .synthetic,
           last_updated: coalesce(pr.updated_at, pr.loaded_at)} AS professional,
       o.id AS offer_id, s.finess AS site_finess, r.code AS region_code, r.name AS region_name,
       w {.function, .nature, .email, .phone} AS role,
       f {.system_url, .code, .label} AS function, n {.system_url, .code, .label} AS nature,
       COLLECT { MATCH (pr)-[:HAS_PROFESSION]->(c:Profession) RETURN c {.system_url, .code, .label} } AS professions,
       COLLECT { MATCH (pr)-[:HAS_SPECIALTY]->(c:Specialty) RETURN c {.system_url, .code, .label} } AS specialties
