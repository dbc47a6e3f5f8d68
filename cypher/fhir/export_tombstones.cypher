// Deleted resources for a $export: (:Tombstone {resource_type, resource_id, deleted_at}) written by whoever
// deletes a node that the FHIR facade publishes. Parameters: $types (resource types), $since (ISO or null).
MATCH (t:Tombstone)
WHERE t.resource_type IN $types AND ($since IS NULL OR t.deleted_at >= datetime($since))
RETURN t.resource_type AS resource_type, t.resource_id AS resource_id, t.deleted_at AS deleted_at
ORDER BY resource_type, resource_id
