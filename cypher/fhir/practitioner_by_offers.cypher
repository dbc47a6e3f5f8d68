// FHIR Practitioner rows of the professionals working in the published offers $ids (list of Offer.id): the
// PractitionerRole:practitioner include of a page whose roles are revincluded, read in the same wave as the page.
// Body as practitioner_by_ids.cypher.
UNWIND $ids AS wanted
MATCH (pr:Professional)-[:WORKS_IN]->(o:Offer {id: wanted})
WHERE o.status = 'published'
WITH DISTINCT pr
OPTIONAL CALL (pr) {
  MATCH (pr)-[:WORKS_IN]->(:Offer)<-[:OFFERS]-()<-[:HAS_ORG*0..6]-(:Site)-[:IN]->(:Commune)-[:IN]->(:Department)
        -[:IN]->(r:Region)
  RETURN r ORDER BY r.code LIMIT 1
}
RETURN pr {.rpps, .first_name, .last_name, .profession_code, .specialty_code, .synthetic,
           last_updated: coalesce(pr.updated_at, pr.loaded_at)} AS professional,
       r.code AS region_code, r.name AS region_name,
       COLLECT { MATCH (pr)-[:HAS_PROFESSION]->(c:Profession) RETURN c {.system_url, .code, .label} } AS professions,
       COLLECT { MATCH (pr)-[:HAS_SPECIALTY]->(c:Specialty) RETURN c {.system_url, .code, .label} } AS specialties
