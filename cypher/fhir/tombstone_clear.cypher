// A deleted resource is published again (e.g. an offer re-published): forget its tombstone, in the same
// transaction. $rows: [{resource_type, resource_id}].
UNWIND $rows AS row
MATCH (t:Tombstone {resource_type: row.resource_type, resource_id: row.resource_id})
DELETE t
