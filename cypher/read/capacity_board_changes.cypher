// Capacity entries written since $since (the board patches its cached places with them), oldest first.
// Parameters: $since (datetime).
MATCH (k:CapacitySnapshot) WHERE k.updated_at >= $since
MATCH (p:Place)-[:HAS_CAPACITY]->(k)
RETURN p.id AS place_id, k.id AS id, k.updated_at.epochMillis AS at, k.installed AS installed,
       k.available_total AS available, k.available_women AS women, k.available_men AS men,
       k.available_undifferentiated AS undifferentiated
ORDER BY at
