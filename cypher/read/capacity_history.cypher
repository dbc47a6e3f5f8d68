// Capacity history of a place, newest first. Parameters: $place_id, $limit.
MATCH (p:Place {id: $place_id})-[:HAS_CAPACITY]->(k:CapacitySnapshot)
RETURN k {.*} AS snapshot
ORDER BY k.updated_at DESC
LIMIT $limit
