// Was this resource deleted? (→ 410 Gone on read). Parameters: $type, $id.
MATCH (t:Tombstone {resource_type: $type, resource_id: $id})
RETURN t.deleted_at AS deleted_at
LIMIT 1
