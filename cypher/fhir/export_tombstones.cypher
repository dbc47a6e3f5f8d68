// Deleted resources for a $export: (:Tombstone {resource_type, resource_id, deleted_at}) written by whoever
// deletes or un-publishes a node that the FHIR facade publishes, less those published again since (same test
// as tombstone_purge.cypher). Parameters: $types (resource types), $since (ISO or null).
MATCH (t:Tombstone)
WHERE t.resource_type IN $types AND ($since IS NULL OR t.deleted_at >= datetime($since))
  AND NOT CASE t.resource_type
    WHEN 'HealthcareService' THEN EXISTS { MATCH (o:Offer {id: t.resource_id}) WHERE o.status = 'published' }
    WHEN 'Location' THEN EXISTS { MATCH (:Place {id: t.resource_id}) }
    WHEN 'Practitioner' THEN EXISTS { MATCH (:Professional {rpps: t.resource_id}) }
    WHEN 'Organization' THEN
      (t.resource_id STARTS WITH 'eg-' AND EXISTS { MATCH (:Site {finess: substring(t.resource_id, 3)}) })
      OR (t.resource_id STARTS WITH 'ej-' AND EXISTS { MATCH (:LegalEntity {finess: substring(t.resource_id, 3)}) })
    WHEN 'PractitionerRole' THEN EXISTS {
      MATCH (p:Professional {rpps: split(t.resource_id, '.')[0]})-[:WORKS_IN]->(o:Offer)
      WHERE o.id = substring(t.resource_id, size(split(t.resource_id, '.')[0]) + 1) AND o.status = 'published' }
    ELSE false END
RETURN t.resource_type AS resource_type, t.resource_id AS resource_id, toString(t.deleted_at) AS deleted_at
ORDER BY resource_type, resource_id
