// $export: every Professional as a FHIR Practitioner row (same row shape as practitioner_by_ids), streamed.
// No parameters.
MATCH (pr:Professional)
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
