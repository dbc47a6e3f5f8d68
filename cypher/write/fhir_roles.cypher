// Upsert ROR FHIR PractitionerRoles: the professional (profession J186, specialty J210) WORKS_IN each offer
// it references; an offer not imported yet is created as a draft stub. $rows: [{fhir_id, rpps, first_name,
// last_name, profession_key, profession_code, specialty_key, specialty_code, offers, phone}].
// The professional's updated_at = the import (a role's lines carry its date): exports see the change.
UNWIND $rows AS row
MERGE (p:Professional {rpps: row.rpps})
ON CREATE SET p.loaded_at = datetime()
SET p.first_name = coalesce(row.first_name, p.first_name), p.last_name = coalesce(row.last_name, p.last_name),
    p.profession_code = coalesce(row.profession_code, p.profession_code),
    p.specialty_code = coalesce(row.specialty_code, p.specialty_code), p.synthetic = false, p.source = 'ror-fhir',
    p.updated_at = datetime()
WITH p, row
CALL (p, row) {
  WITH p, row WHERE row.profession_key IS NOT NULL
  MATCH (c:Concept {key: row.profession_key})
  MERGE (p)-[:HAS_PROFESSION]->(c)
}
CALL (p, row) {
  WITH p, row WHERE row.specialty_key IS NOT NULL
  MATCH (c:Concept {key: row.specialty_key})
  MERGE (p)-[:HAS_SPECIALTY]->(c)
}
CALL (p, row) {
  UNWIND row.offers AS offer_id
  MERGE (o:Offer {id: offer_id})
  ON CREATE SET o.loaded_at = datetime(), o.status = 'draft', o.stub = true, o.synthetic = false,
                o.source = 'ror-fhir'
  MERGE (p)-[w:WORKS_IN]->(o)
  SET w.fhir_id = row.fhir_id, w.phone = row.phone, w.synthetic = false
}
