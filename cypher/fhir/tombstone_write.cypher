// Record deleted FHIR resources so that `_since` exports list them and reads answer 410. Call it in the
// transaction that deletes (or un-publishes) the node. A resource deleted again after coming back gets the new
// date. $rows: [{resource_type, resource_id}], $deleted_by (who), $reason (why, e.g. 'offer.unpublished').
UNWIND $rows AS row
MERGE (t:Tombstone {resource_type: row.resource_type, resource_id: row.resource_id})
SET t.deleted_at = datetime(), t.deleted_by = $deleted_by, t.reason = $reason
