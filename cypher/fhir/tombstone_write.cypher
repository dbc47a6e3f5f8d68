// Record deleted FHIR resources so that `_since` exports list them and reads answer 410 (idempotent).
// Call it in the transaction that deletes the node. $rows: [{resource_type, resource_id}], $deleted_by.
UNWIND $rows AS row
MERGE (t:Tombstone {resource_type: row.resource_type, resource_id: row.resource_id})
ON CREATE SET t.deleted_at = datetime(), t.deleted_by = $deleted_by
