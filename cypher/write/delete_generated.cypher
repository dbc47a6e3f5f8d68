// Delete every synthetic node written by the generator (before regenerating with another seed or version).
// What the FHIR facade published (offers and their roles, places, professionals) leaves a Tombstone in the
// same inner transaction as the deletion (`_since` exports list it, reads answer 410); tombstones of what the
// regeneration brings back are purged afterwards (cypher/fhir/tombstone_purge.cypher).
// Auto-commit query (CALL … IN TRANSACTIONS). Parameters: $deleted_by, $reason.
MATCH (n) WHERE n.source = 'generator' AND n.synthetic = true
CALL (n) {
  WITH n, CASE
    WHEN n:Offer AND n.status = 'published' THEN
      [{type: 'HealthcareService', id: n.id}]
      + [(p:Professional)-[:WORKS_IN]->(n) | {type: 'PractitionerRole', id: p.rpps + '.' + n.id}]
    WHEN n:Place THEN [{type: 'Location', id: n.id}]
    WHEN n:Professional THEN
      [{type: 'Practitioner', id: n.rpps}]
      + [(n)-[:WORKS_IN]->(o:Offer) WHERE o.status = 'published' | {type: 'PractitionerRole', id: n.rpps + '.' + o.id}]
    ELSE [] END AS gone
  FOREACH (g IN gone |
    MERGE (t:Tombstone {resource_type: g.type, resource_id: g.id})
    SET t.deleted_at = datetime(), t.deleted_by = $deleted_by, t.reason = $reason)
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
