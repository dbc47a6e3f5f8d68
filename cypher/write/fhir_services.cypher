// Upsert ROR FHIR HealthcareServices as offers, coded with NOS concepts, under their site and at their places
// when those are in the graph. $rows: [{id, name, phone, links: [{rel, key}], provided_by_ref, site_finess,
// location_refs, updated}]. rel is one of PROVIDES, MODE, PERFORMS, FOR_AGE, FOR_PUBLIC, IN_FIELD.
UNWIND $rows AS row
MERGE (o:Offer {id: row.id})
ON CREATE SET o.loaded_at = datetime()
SET o.name = row.name, o.phone = row.phone, o.status = 'published', o.stub = false, o.synthetic = false,
    o.provided_by_ref = row.provided_by_ref, o.location_refs = row.location_refs,
    o.site_finess = row.site_finess, o.updated_at = datetime(row.updated), o.source = 'ror-fhir',
    o.source_version = row.updated
WITH o, row
CALL (o, row) {
  UNWIND row.links AS link
  MATCH (c:Concept {key: link.key})
  FOREACH (_ IN CASE WHEN link.rel = 'PROVIDES' THEN [1] ELSE [] END | MERGE (o)-[:PROVIDES]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'MODE' THEN [1] ELSE [] END | MERGE (o)-[:MODE]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'PERFORMS' THEN [1] ELSE [] END | MERGE (o)-[:PERFORMS]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'FOR_AGE' THEN [1] ELSE [] END | MERGE (o)-[:FOR_AGE]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'FOR_PUBLIC' THEN [1] ELSE [] END | MERGE (o)-[:FOR_PUBLIC]->(c))
  FOREACH (_ IN CASE WHEN link.rel = 'IN_FIELD' THEN [1] ELSE [] END | MERGE (o)-[:IN_FIELD]->(c))
}
CALL (o, row) {
  WITH o, row WHERE row.site_finess IS NOT NULL
  MATCH (s:Site {finess: row.site_finess})
  MERGE (s)-[:OFFERS]->(o)
}
CALL (o, row) {
  UNWIND row.location_refs AS ref
  MATCH (p:Place {id: ref})
  MERGE (o)-[:AT]->(p)
}
